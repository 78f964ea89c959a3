"""The explorers' shared base: the :class:`Explorer` layout (controls, picture, readout), fast PNG
redraws (:class:`Blitter`) and the readout's HTML cells. Display only: no numbers are computed here.

Examples
--------
>>> fmt(0.123456), fmt(float("nan"))
('0.123', 'undefined')
>>> row("IoU", "iou", "0.5")
'<tr><th style="text-align:left;padding-right:1em">IoU</th><td class="iou-lab-iou">0.5</td></tr>'
"""

from __future__ import annotations

import html
import io
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

__all__ = ["Explorer", "Blitter", "fmt", "row", "png"]


def fmt(v, digits: int = 3) -> str:
    """A readout number: ints as they are, floats to ``digits`` places, NaN as "undefined"."""
    if v is None:
        return "–"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return "undefined" if np.isnan(v) else f"{v:.{digits}f}"


def row(label: str, key: str, value: str, bold: bool = False) -> str:
    """One readout table row; the value sits in ``<td class="iou-lab-KEY">``."""
    style = ' style="font-weight:bold"' if bold else ""
    return (
        f'<tr><th style="text-align:left;padding-right:1em">{html.escape(label)}</th>'
        f'<td class="iou-lab-{key}"{style}>{html.escape(value)}</td></tr>'
    )


def png(fig: Figure, dpi: int = 80) -> bytes:
    """``fig`` as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class Blitter:
    """Fast redraws of a figure whose only changing parts are ``artists`` (blitting on Agg).

    The first :meth:`png` draws everything else once and keeps that background; later calls restore
    it, draw only the changing artists and encode the pixels as PNG (Pillow, fast compression):
    a few milliseconds instead of a full ``savefig``.
    """

    def __init__(self, fig: Figure, artists, dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        fig.set_dpi(dpi)
        self.canvas = FigureCanvasAgg(fig)
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)
        self._background = None

    def png(self) -> bytes:
        from PIL import Image as PILImage

        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for a in self.artists:
            self.fig.draw_artist(a)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        PILImage.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


class Explorer(widgets.VBox):
    """Base of the explorers: a VBox of controls, picture and readout, with attributes for code.

    Attributes
    ----------
    controls : dict[str, Widget]
    readout : ipywidgets.HTML
    plot : ipywidgets.Image (PNG)
    stats : dict
    last_update_s : float
        Seconds the last :meth:`update` took (compute + render).
    """

    css_class = "iou-lab-explorer"

    def __init__(self, controls: dict, title: str, plot_width: str, side_by_side: bool = True, **kwargs):
        self.controls = dict(controls)
        self.readout = widgets.HTML(value="")
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width=plot_width, height="auto"))
        self.stats = {}
        self.last_update_s = 0.0
        header = widgets.HTML(value=f"<b>{html.escape(title)}</b>")
        body = widgets.HBox([self.plot, self.readout]) if side_by_side else widgets.VBox([self.plot, self.readout])
        super().__init__(children=[header, widgets.VBox(list(self.controls.values())), body], **kwargs)
        self.add_class(self.css_class)
        for w in self.controls.values():
            w.observe(self._on_change, names="value")

    # the observers' target: never prints; an error shows in the readout
    def _on_change(self, change=None) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the numbers and the picture from the controls' current values."""
        t0 = time.perf_counter()
        try:
            self._compute()
            self._render()
        except Exception as exc:
            self.readout.value = (
                f'<span class="iou-lab-error" style="color:#D55E00">'
                f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"
            )
        self.last_update_s = time.perf_counter() - t0

    def values(self) -> dict:
        """The controls' current values, by name."""
        return {k: w.value for k, w in self.controls.items()}

    def _compute(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _render(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
