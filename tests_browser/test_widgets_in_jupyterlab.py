"""The notebooks' widgets in a real browser: JupyterLab 4 in headless Chromium (``make test-browser``).

nbval runs the notebooks but cannot see widget views. Here each notebook with widgets is opened in
JupyterLab, its outputs cleared and all its cells run from the menus, as a learner would; then

- no cell ends in an error, and every code cell ran;
- every explorer renders as a live widget (slider or toggle elements, the picture, the readout),
  never as a text repr such as ``IntSlider(value=...)``;
- moving a slider with the keyboard (and one with the mouse) or clicking a toggle changes the
  displayed numbers to those the pure functions of ``helpers.course.widgets`` give for the new setting,
  read back from the browser;
- the notebook files on disk are unchanged (autosave is off; closed without saving).

Screenshots of each explorer before and after the move go to ``test-artifacts/browser/``. With
``IOU_LAB_UPDATE_DOCS_IMG=1`` the IoU explorer's "after" screenshot also replaces
``docs/img/iou_explorer.png`` (the README's picture of the lesson).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect  # pip install -r requirements-browser.txt

from helpers.course.widgets import (
    convention_batch,
    convention_explorer,
    convention_mean_iou,
    imbalance_explorer,
    imbalance_scenario,
    imbalance_stats,
    iou_dice_stats,
    iou_explorer,
    sharpness_explorer,
    sharpness_stats,
    toy_shape_mask,
)

REPO = Path(__file__).resolve().parents[1]
RUN_ALL_TIMEOUT_MS = 120_000  # per notebook (about 20 s on a 2-core machine)
UPDATE_TIMEOUT_MS = 20_000  # a readout's update after a move (kernel round trip)
DOCS_IMG = REPO / "docs" / "img" / "iou_explorer.png"

# text reprs a widget shows when its view cannot render (no widget manager in the frontend)
WIDGET_REPR = re.compile(r"^\s*(IntSlider|FloatSlider|ToggleButtons|VBox|HBox|HTML|Image|\w*Explorer)\(")


def fmt(v) -> str:
    """The readout's format (helpers.course.widgets): ints as they are, floats with 3 decimals."""
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    v = float(v)
    return "undefined" if math.isnan(v) else f"{v:.3f}"


# ------------------------------------------------------------------------------------------
# what to check in each explorer: how to move it, and what the pure functions expect
# ------------------------------------------------------------------------------------------
@dataclass
class Move:
    control: str  # the control's name in the explorer's .controls
    keys: list[str] = field(default_factory=list)  # keyboard presses on the slider's handle
    drag_px: int = 0  # or a mouse drag of the handle by this many pixels
    click: str = ""  # or a click on this toggle button (its label)


@dataclass
class ExplorerCase:
    name: str  # for file names and test ids
    css_class: str  # the explorer's root element class
    factory: Callable  # builds the same explorer here (its controls' descriptions and options)
    moves: list[Move]
    expected: Callable[[dict], dict]  # control values -> {readout key: text}
    sliders: bool = True  # False: the explorer has toggles only


_IOU = iou_explorer()  # the notebook's explorer, built here for A's parameters and the grid


def _expected_iou(v: dict) -> dict:
    a = toy_shape_mask(v["kind"], _IOU.a_params["cx"], _IOU.a_params["cy"], _IOU.a_params["size"], _IOU.grid)
    b = toy_shape_mask(v["kind"], v["x"], v["y"], v["size"], _IOU.grid)
    s = iou_dice_stats(a, b)
    return {k: fmt(s[k]) for k in ("size_b", "intersection", "union", "iou", "dice")}


def _expected_imbalance(v: dict) -> dict:
    s = imbalance_stats(*imbalance_scenario(int(v["size"]), float(v["degrade"])))
    return {
        "pixel_accuracy": fmt(s["pixel_accuracy"]),
        "mean_iou": fmt(s["mean_iou"]),
        "iou-4": fmt(s["per_class_iou"][4]),
    }  # class 4 = the small "line"


def _expected_convention(v: dict) -> dict:
    return {"mean_iou": fmt(convention_mean_iou(*convention_batch(), absent=v["absent"], level=v["level"]))}


def _expected_sharpness(v: dict) -> dict:
    t = 10.0 ** float(v["log_temperature"])
    s = sharpness_stats(t)
    out = {k: fmt(s[k]) for k in ("soft_iou", "hard_iou", "gap", "soft_dice", "pooled_soft_iou")}
    out["temperature"] = f"{t:.3g}"
    return out


CASES = {
    "00_start_here": [],  # a plain IntSlider: see _check_plain_slider
    "02_iou_from_first_principles": [
        ExplorerCase(
            "iou_explorer",
            "iou-lab-iou-explorer",
            iou_explorer,
            [Move("x", keys=["ArrowRight"] * 3), Move("size", drag_px=30)],
            _expected_iou,
        ),
        ExplorerCase(
            "convention_explorer",
            "iou-lab-convention-explorer",
            convention_explorer,
            [Move("absent", click="counted as 0"), Move("level", click="per image (mean over images)")],
            _expected_convention,
            sliders=False,
        ),
        ExplorerCase(
            "imbalance_explorer",
            "iou-lab-imbalance-explorer",
            imbalance_explorer,
            [Move("degrade", keys=["ArrowRight"] * 4)],
            _expected_imbalance,
        ),
    ],
    "04_soft_vs_hard_iou": [
        ExplorerCase(
            "sharpness_explorer",
            "iou-lab-sharpness-explorer",
            sharpness_explorer,
            [Move("log_temperature", keys=["ArrowLeft"] * 4)],
            _expected_sharpness,
        ),
    ],
}


# ------------------------------------------------------------------------------------------
# the notebook, opened and run in JupyterLab
# ------------------------------------------------------------------------------------------
def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class RunNotebook:
    """A notebook opened in JupyterLab in one browser page, outputs cleared, all cells run."""

    def __init__(self, lab, browser, stem: str):
        self.stem = stem
        self.path = f"notebooks/{stem}.ipynb"
        self.page = page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(lab.lab_url(self.path))
        page.wait_for_function(
            """path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                         if (!(w && w.context && w.context.path === path && w.context.isReady
                               && document.querySelector('.jp-NotebookPanel .jp-CodeCell'))) return false;
                         window.iouLabPanel = w;  // the notebook panel, for the checks below
                         return true; }""",
            arg=self.path,
            timeout=60_000,
        )
        self.wait_idle(timeout_ms=60_000)  # the kernel has started: Run All would not wait for it
        # as a learner would: Edit > Clear Outputs of All Cells, then Run > Run All Cells
        self._menu("Edit", "Clear Outputs of All Cells")
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                          .every(e => !/\\d/.test(e.textContent))"""
        )
        t0 = time.monotonic()
        self._menu("Run", "Run All Cells")
        page.wait_for_function(
            """() => { const p = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                                       .map(e => e.textContent.trim());
                       return p.some(x => /\\d/.test(x)) && !p.some(x => x.includes('*')); }""",
            timeout=RUN_ALL_TIMEOUT_MS,
            polling=250,
        )
        self.wait_idle()
        self.run_s = time.monotonic() - t0

    def _menu(self, menu: str, item: str) -> None:
        self.page.get_by_role("menuitem", name=menu, exact=True).click()
        self.page.get_by_role("menuitem", name=item, exact=True).click()

    def wait_idle(self, timeout_ms: int = 30_000) -> None:
        """Wait until the kernel is idle (after a run, or after a widget's update)."""
        self.page.wait_for_function(
            """() => { const k = window.iouLabPanel.sessionContext.session?.kernel;
                       return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }""",
            timeout=timeout_ms,
            polling=100,
        )

    def cells(self) -> list[dict]:
        """The notebook model's code cells: source, execution count, outputs (as nbformat JSON)."""
        return self.page.evaluate(
            """() => { const cells = window.iouLabPanel.content.model.cells; const r = [];
                       for (let i = 0; i < cells.length; i++) {
                         const c = cells.get(i); if (c.type !== 'code') continue;
                         const outs = [];
                         for (let j = 0; j < c.outputs.length; j++) outs.push(c.outputs.get(j).toJSON());
                         r.push({index: i, source: c.sharedModel.getSource(), execution_count: c.executionCount,
                                 outputs: outs}); }
                       return r; }"""
        )

    def close(self) -> None:
        self.page.close()  # without saving: no "unsaved changes" dialog is run


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def notebook(request, lab, browser):
    stem = request.param
    files = [REPO / "notebooks" / f"{stem}{ext}" for ext in (".ipynb", ".py")]
    before = {f: f.read_bytes() for f in files if f.exists()}
    nb = RunNotebook(lab, browser, stem)
    yield nb
    nb.close()
    lab.shutdown_kernels()
    changed = [f for f, data in before.items() if _digest(f) != hashlib.sha256(data).hexdigest()]
    for f in changed:  # put the learner's files back before reporting
        f.write_bytes(before[f])
    assert not changed, f"the browser test modified {[str(f.relative_to(REPO)) for f in changed]} (restored)"


# ------------------------------------------------------------------------------------------
# reading and moving an explorer in the page
# ------------------------------------------------------------------------------------------
@functools.cache
def _reference(factory: Callable):
    """The explorer built here (no frontend needed): its controls' descriptions and options."""
    return factory()


def _labels(widget):
    """{description: control name} and, for toggles, {name: {button label: value}}."""
    desc = {w.description: name for name, w in widget.controls.items()}
    options = {}
    for name, w in widget.controls.items():
        if hasattr(w, "options"):
            options[name] = {
                str(o if isinstance(o, str) else o[0]): (o if isinstance(o, str) else o[1]) for o in w.options
            }
    return desc, options


def _control_values(root, case: ExplorerCase) -> dict:
    """The controls' current values as the browser shows them (slider readouts, active toggles)."""
    desc, options = _labels(_reference(case.factory))
    values = {}
    for s in root.locator(".widget-slider").all():
        name = desc[s.locator(".widget-label").inner_text().strip()]
        text = s.locator(".widget-readout").inner_text().strip().replace("\u2212", "-")  # d3-format's minus
        values[name] = float(text) if "." in text else int(text)
    for t in root.locator(".widget-toggle-buttons").all():
        name = desc[t.locator(".widget-label").first.inner_text().strip()]
        active = t.locator(".widget-toggle-button.mod-active").inner_text().strip()
        values[name] = options[name][active]
    assert set(values) == set(desc.values()), f"controls found {sorted(values)}, expected {sorted(desc.values())}"
    return values


def _readout(root, keys) -> dict:
    return {k: root.locator(f".iou-lab-{k}").first.inner_text().strip() for k in keys}


def _screenshot(page, root, path) -> None:
    """The explorer with a small margin (its element box crops the left-most labels)."""
    root.scroll_into_view_if_needed()
    box = root.bounding_box()
    m, top = 8, 4  # (more above would catch the output area's border)
    page.screenshot(
        path=str(path),
        clip={
            "x": max(box["x"] - m, 0),
            "y": max(box["y"] - top, 0),
            "width": box["width"] + 2 * m,
            "height": box["height"] + top + m,
        },
    )


def _control(root, case: ExplorerCase, name: str):
    w = _reference(case.factory).controls[name]
    kind = ".widget-slider" if "Slider" in type(w).__name__ else ".widget-toggle-buttons"
    return root.locator(kind).filter(has=root.page.locator(".widget-label", has_text=w.description)).first


def _move(page, root, case: ExplorerCase, move: Move) -> None:
    ctl = _control(root, case, move.control)
    if move.click:
        ctl.locator(".widget-toggle-button", has_text=move.click).first.click()
        return
    handle = ctl.locator(".noUi-handle")
    readout = ctl.locator(".widget-readout")
    start = readout.inner_text()
    if move.keys:
        handle.focus()
        for key in move.keys:
            page.keyboard.press(key)
    if move.drag_px:
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + move.drag_px, y, steps=8)
        page.mouse.up()
    assert readout.inner_text() != start, f"{case.name}: {move} did not move the slider {move.control!r}"


# ------------------------------------------------------------------------------------------
# the tests
# ------------------------------------------------------------------------------------------
def test_all_cells_run_without_errors(notebook):
    cells = notebook.cells()
    assert cells, "no code cells found"
    errors = [
        f"cell {c['index']}: {o.get('ename')}: {o.get('evalue')}"
        for c in cells
        for o in c["outputs"]
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{notebook.path}: cells ended in an error:\n" + "\n".join(errors)
    not_run = [c["index"] for c in cells if c["source"].strip() and c["execution_count"] is None]
    assert not not_run, f"{notebook.path}: cells {not_run} did not run"
    page = notebook.page
    texts = page.locator(".jp-Notebook .jp-OutputArea-output").all_inner_texts()
    tracebacks = [t[:300] for t in texts if "Traceback (most recent call last)" in t]
    assert not tracebacks, f"{notebook.path}: tracebacks in the outputs:\n" + "\n".join(tracebacks)
    assert page.locator(".iou-lab-error").count() == 0, "an explorer shows an error in its readout"
    print(f"{notebook.path}: {len(cells)} code cells ran in {notebook.run_s:.1f} s")


def test_widgets_render_live(notebook):
    page = notebook.page
    # no text repr in place of a widget, no widget manager error
    plain = page.locator('.jp-Notebook .jp-OutputArea-output[data-mime-type="text/plain"]').all_inner_texts()
    reprs = [t[:80] for t in plain if WIDGET_REPR.match(t)]
    assert not reprs, f"widgets shown as text (no live view): {reprs}"
    body = page.locator(".jp-Notebook").inner_text()
    for bad in ("Error displaying widget", "Loading widget...", "Model not found"):
        assert bad not in body, f"{notebook.path}: {bad!r} in the notebook"
    widget_outputs = sum(
        1
        for c in notebook.cells()
        for o in c["outputs"]
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    )
    assert widget_outputs >= max(1, len(CASES[notebook.stem]))
    assert page.locator(".jp-Notebook .jupyter-widgets.widget-slider .noUi-handle[role=slider]").count() >= 1
    for case in CASES[notebook.stem]:
        root = page.locator(f".{case.css_class}")
        assert root.count() == 1, f"{case.name}: {root.count()} elements .{case.css_class} (expected 1)"
        if case.sliders:
            n = len([w for w in _reference(case.factory).controls.values() if "Slider" in type(w).__name__])
            assert root.locator(".widget-slider .noUi-handle[role=slider]").count() == n, f"{case.name}: sliders"
        assert root.locator(".widget-toggle-button").count() + root.locator(".widget-slider").count() >= 1
        img = root.locator("img").first
        assert img.evaluate("e => e.complete && e.naturalWidth > 0"), f"{case.name}: the picture did not render"
        assert root.locator(".iou-lab-readout").count() >= 1, f"{case.name}: no readout table"


def test_widgets_respond(notebook, artifacts):
    """Each explorer's readout equals the pure functions' numbers, before and after each move."""
    page = notebook.page
    if notebook.stem == "00_start_here":
        _check_plain_slider(notebook, artifacts)
    for case in CASES[notebook.stem]:
        root = page.locator(f".{case.css_class}")
        values = _control_values(root, case)
        expected = case.expected(values)
        assert _readout(root, expected) == expected, f"{case.name} at {values} (initial setting)"
        _screenshot(page, root, artifacts / f"{notebook.stem}--{case.name}--before.png")
        for move in case.moves:
            old = _readout(root, expected)
            _move(page, root, case, move)
            time.sleep(0.3)  # let the frontend settle the slider's value before reading it
            values = _control_values(root, case)
            expected = case.expected(values)
            assert expected != old, f"{case.name}: {move} should change the numbers ({values})"
            for key, want in expected.items():
                expect(root.locator(f".iou-lab-{key}").first).to_have_text(want, timeout=UPDATE_TIMEOUT_MS)
            notebook.wait_idle()
            got = _readout(root, expected)
            assert got == expected, f"{case.name} after {move}: readout {got}, pure functions {expected} at {values}"
            print(f"{case.name}: {move.control} -> {values[move.control]}: {got}")
        time.sleep(0.3)  # the picture follows the readout in the same update
        after = artifacts / f"{notebook.stem}--{case.name}--after.png"
        _screenshot(page, root, after)
        if case.name == "iou_explorer" and os.environ.get("IOU_LAB_UPDATE_DOCS_IMG") == "1":
            DOCS_IMG.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(after, DOCS_IMG)


def _check_plain_slider(notebook, artifacts):
    """Notebook 00's "drag me" IntSlider (the course's widget check) renders and moves."""
    page = notebook.page
    slider = page.locator(".jp-Notebook .widget-slider").filter(has=page.locator(".widget-label", has_text="drag me"))
    assert slider.count() == 1
    handle = slider.locator(".noUi-handle")
    readout = slider.locator(".widget-readout")
    assert readout.inner_text().strip() == "3"
    _screenshot(page, slider, artifacts / "00_start_here--slider--before.png")
    handle.focus()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    expect(readout).to_have_text("5")
    expect(handle).to_have_attribute("aria-valuenow", re.compile(r"^5(\.0)?$"))
    notebook.wait_idle()
    _screenshot(page, slider, artifacts / "00_start_here--slider--after.png")
