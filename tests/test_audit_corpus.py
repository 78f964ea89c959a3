"""The audit against the corpus of issue 22: real metrics and losses (re-implemented in tests/audit_corpus.py)
must get exactly the verdict that benchmarks/audit/corpus.md records for them."""

import re
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from audit_corpus import CORPUS

from helpers import audit as A

CORPUS_MD = Path(__file__).resolve().parents[1] / "benchmarks" / "audit" / "corpus.md"


def _run(entry):
    audit = A.audit_metric if entry.kind == "metric" else A.audit_loss
    return audit(entry.make(), **entry.options)


KERAS_BEFORE_3_15 = {"C08": {"out_of_range_dropped"}}
"""Findings that Keras < 3.15 (Colab's 3.13) does not have: its MeanIoU raised on labels outside [0, C)."""


def _expected(entry) -> set:
    from packaging.version import Version

    if Version(keras.__version__) < Version("3.15"):
        return set(entry.expected) - KERAS_BEFORE_3_15.get(entry.id, set())
    return set(entry.expected)


@pytest.mark.parametrize("entry", CORPUS, ids=[e.id for e in CORPUS])
def test_the_audit_gives_the_expected_verdict(entry):
    report = _run(entry)
    assert set(report.findings) == _expected(entry), f"{entry.id} {entry.name} ({entry.source})\n{report}"


def test_the_corpus_has_at_least_20_entries_with_unique_ids():
    assert len(CORPUS) >= 20
    assert len({e.id for e in CORPUS}) == len(CORPUS)
    assert {e.kind for e in CORPUS} == {"metric", "loss"}


def test_every_finding_code_is_expected_by_some_entry():
    expected = {"metric": set(), "loss": set()}
    for e in CORPUS:
        expected[e.kind] |= set(e.expected)
    assert set(A.METRIC_FINDINGS) - expected["metric"] == set()
    assert set(A.LOSS_FINDINGS) - expected["loss"] == set()


def test_expected_codes_are_codes_of_the_audit():
    for e in CORPUS:
        codes = A.METRIC_FINDINGS if e.kind == "metric" else A.LOSS_FINDINGS
        assert set(e.expected) <= set(codes), (e.id, set(e.expected) - set(codes))


def _corpus_md_rows():
    """``{id: row text}`` for the table rows of corpus.md whose first cell is an entry id."""
    rows = {}
    for line in CORPUS_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(C\d{2})\s*\|", line)
        if m:
            rows[m.group(1)] = line
    return rows


def test_corpus_md_lists_every_entry_with_its_source():
    rows = _corpus_md_rows()
    for e in CORPUS:
        assert e.id in rows, f"{e.id} is missing from {CORPUS_MD.name}"
        repo, path_at = e.source.split()[:2]
        path, commit7 = path_at.rsplit("@", 1)
        url = re.search(r"https://github\.com/([^/\s)]+/[^/\s)]+)/blob/([0-9a-f]{40})/([^\s)>]+)", rows[e.id])
        assert url, f"{e.id}: no https://github.com/<owner>/<repo>/blob/<commit>/<path> URL in its row"
        assert url.group(1) == repo and url.group(2).startswith(commit7) and url.group(3) == path, (e.id, url.groups())
        codes = re.findall(r"`\{([^}]*)\}`", rows[e.id])
        assert codes, f"{e.id}: no expected set like `{{a, b}}` in its row"
        listed = {c.strip() for c in codes[0].split(",") if c.strip()}
        assert listed == set(e.expected), (e.id, listed, set(e.expected))


# ---------------------------------------------------------------------------------------------
# the re-implementations themselves, checked by hand without the audit
# ---------------------------------------------------------------------------------------------
def _inputs(entry, seed=0):
    """(y_true, y_pred) of the entry's setting: 2 images of 16 x 16, a prediction 70 % right at confidence 0.8."""
    rng = np.random.default_rng(seed)
    if entry.options.get("binary"):
        t = (rng.uniform(size=(2, 16, 16, 1)) < 0.3).astype(np.float32)
        return t, np.where(rng.uniform(size=t.shape) < 0.8, t, 1 - t).astype(np.float32) * 0.6 + 0.2
    labels = rng.integers(0, 5, (2, 16, 16))
    pred = np.where(rng.uniform(size=labels.shape) < 0.7, labels, rng.integers(0, 5, labels.shape))
    y_pred = _soft(pred, 0.8)
    if entry.options.get("y_true") == "labels":
        return labels.astype(np.int32), y_pred
    return np.eye(5, dtype=np.float32)[labels], y_pred


def _soft(labels, confidence, c=5):
    p = np.full(labels.shape + (c,), (1 - confidence) / (c - 1), np.float32)
    np.put_along_axis(p, labels[..., None], np.float32(confidence), axis=-1)
    return p


def _value(entry, t, p):
    f = entry.make()
    if isinstance(f, keras.metrics.Metric):
        f.update_state(tf.constant(t), tf.constant(p))
        return float(f.result())
    try:  # NumPy arrays first (the NumPy entries need them), then tensors, as the audit calls a function
        out = f(t, p)
    except Exception:
        out = f(tf.constant(t), tf.constant(p))
    return float(np.mean(np.asarray(out)))


AS_WRITTEN = {"C13", "C16", "C23"}  # raise on channels-last / TF 2 / Keras 3 input by design


@pytest.mark.parametrize("entry", [e for e in CORPUS if e.id not in AS_WRITTEN], ids=lambda e: e.id)
def test_each_reimplementation_gives_a_finite_value_in_its_setting(entry):
    t, p = _inputs(entry)
    assert np.isfinite(_value(entry, t, p))


@pytest.mark.parametrize("entry", [e for e in CORPUS if e.id in AS_WRITTEN], ids=lambda e: e.id)
def test_the_as_written_entries_raise_on_channels_last_tf2_input(entry):
    t, p = _inputs(entry, seed=1)
    with pytest.raises(Exception):  # noqa: B017 - InvalidArgumentError, RuntimeError or AttributeError
        _value(entry, t, p)


def _entry(id_):
    return next(e for e in CORPUS if e.id == id_)


def test_hand_values_of_the_multi_class_patterns():
    import audit_corpus as C

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 5, (2, 16, 16))
    pred = np.where(rng.uniform(size=labels.shape) < 0.7, labels, rng.integers(0, 5, labels.shape))
    t, p = np.eye(5, dtype=np.float32)[labels], _soft(pred, 0.8)
    acc = (labels == pred).mean()
    assert _value(_entry("C14"), t, p) == pytest.approx(acc / (2 - acc), abs=1e-6)  # pooled: acc / (2 - acc)
    soft_acc = (t * p).sum(-1).mean()
    assert float(C.c22_keras_dice_loss()(t, p)) == pytest.approx(1 - soft_acc, abs=1e-6)  # 1 - soft accuracy
    # C13 as written gives the reference when fed (B, C, H, W)
    cm = np.bincount((labels * 5 + pred).ravel(), minlength=25).reshape(5, 5)
    tp, union = np.diag(cm), cm.sum(0) + cm.sum(1) - np.diag(cm)
    m = C.c13_torchmetrics_jaccard_channels_first()
    m.update_state(tf.constant(t.transpose(0, 3, 1, 2)), tf.constant(p.transpose(0, 3, 1, 2)))
    assert float(m.result()) == pytest.approx(np.mean(tp / union), abs=1e-6)
    # classes 2..4 absent from truth and prediction: C01 counts them as 1, C05 as 0
    absent = np.zeros((2, 16, 16), int)
    absent[..., 10:] = 1
    p_absent = np.roll(absent, 1, -1)
    cm = np.bincount((absent * 5 + p_absent).ravel(), minlength=25).reshape(5, 5)
    iou = np.diag(cm)[:2] / (cm.sum(0) + cm.sum(1) - np.diag(cm))[:2]
    t_a, p_a = np.eye(5, dtype=np.float32)[absent], _soft(p_absent, 0.8)
    assert float(C.c01_sm_iou_score_threshold(t_a, p_a)) == pytest.approx((iou.sum() + 3) / 5, abs=1e-5)
    assert _value(_entry("C05"), t_a, p_a) == pytest.approx(iou.sum() / 5, abs=1e-6)
    assert np.isnan(float(C.c26_mobilenetv3_dice_multilabel(tf.constant(t_a), tf.constant(t_a))))  # 0/0


def test_hand_values_of_the_binary_patterns():
    import audit_corpus as C

    empty = np.zeros((1, 16, 16, 1), np.float32)
    for f in (C.c02_keras_unet_iou, C.c03_keras_unet_iou_thresholded, C.c17_unetpp_dice_coef):
        assert float(f(empty, empty)) == pytest.approx(1.0)  # +1 smoothing: an empty image scores 1
    assert np.asarray(C.c04_keras_unet_iou_np_imgwise(empty, empty)).tolist() == [1.0]
    with np.errstate(invalid="ignore"):
        assert np.isnan(C.c18_unetpp_compute_iou(empty, empty))  # 0/0
    assert float(C.c21_defect_detect_iou_calc(empty, empty)) == pytest.approx(2.0)
    t = np.zeros((2, 16, 16, 1), np.float32)
    t[0, 2:8, 2:8] = 1
    assert float(C.c21_defect_detect_iou_calc(t, t)) > 1.0  # 2(36 + 1) / (72 + 1)
    assert np.isnan(float(C.c25_patternflow_dice()(empty, empty)))
    p = np.where(np.roll(t, 1, 2) > 0, 0.8, 0.2).astype(np.float32)
    a, b = t > 0.5, np.roll(t, 1, 2) > 0.5
    fg = (a & b).sum() / (a | b).sum()
    bg = (~a & ~b).sum() / (~a | ~b).sum()
    for make, want in ((C.c11_keras_binary_iou_default, (fg + bg) / 2), (C.c12_keras_binary_iou_foreground, fg)):
        m = make()
        m.update_state(tf.constant(t), tf.constant(p))
        assert float(m.result()) == pytest.approx(want, abs=1e-6)


def _gradient(loss, t, p):
    v = tf.Variable(p)
    with tf.GradientTape() as tape:
        out = tf.reduce_mean(loss(tf.constant(t), v))
    return float(out), tape.gradient(out, v)


def test_hand_checks_of_the_loss_patterns():
    import audit_corpus as C

    t = np.zeros((2, 16, 16, 1), np.float32)
    t[0, 2:8, 2:8] = 1
    p = np.where(np.roll(t, 1, 2) > 0, 0.8, 0.2).astype(np.float32)
    value, g = _gradient(C.c27_focal_tversky, t, t)
    assert value == 0.0 and not np.all(np.isfinite(g.numpy()))  # finite value, NaN/inf slope at the truth
    assert np.all(np.isfinite(_gradient(C.c27_focal_tversky, t, p)[1].numpy()))
    assert _gradient(C.c29_echotrain_iou_coef_loss, t, p)[1] is None  # the cut at 0.5 stops the gradient
    at_truth, elsewhere = float(C.c28_dice_coef_as_loss(t, t)), float(C.c28_dice_coef_as_loss(t, p))
    assert at_truth > elsewhere  # the truth is the coefficient's maximum: the worst "loss"
    # void (all-zero rows): nnU-Net's masked loss ignores what is predicted there, segmentation_models' does not
    labels = np.repeat(np.repeat(np.arange(5), 4)[None, None, :16], 16, 1).repeat(2, 0)
    void = np.zeros(labels.shape, bool)
    void[:, :, ::4] = True
    y = np.where(void[..., None], 0.0, np.eye(5, dtype=np.float32)[labels]).astype(np.float32)
    p1, p2 = _soft(np.roll(labels, 1, -1), 0.6), _soft(np.roll(labels, 1, -1), 0.6)
    p2[void] = _soft(np.zeros_like(labels), 0.6)[void]
    assert float(C.c31_nnunet_soft_dice_masked(y, p1)) == pytest.approx(float(C.c31_nnunet_soft_dice_masked(y, p2)))
    assert abs(float(C.c24_sm_dice_loss(tf.constant(y), tf.constant(p1))) - float(C.c24_sm_dice_loss(y, p2))) > 1e-4
