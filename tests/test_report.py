"""helpers.report: the reporting checklist of an evaluation, as Markdown, from the confusion matrix."""

import numpy as np
import pytest

from helpers import metrics as M
from helpers.report import CHECKLIST, evaluation_report, gallery_indices
from helpers.stats import bootstrap_iou, per_image_confusion_matrices


def test_report_numbers_come_from_the_confusion_matrix():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 500)
    p = np.where(rng.uniform(size=500) < 0.3, rng.integers(0, 4, 500), t)
    t[t == 3] = 0
    p[p == 3] = 1  # class 3 absent from both
    cm = M.confusion_matrix(t, p, num_classes=4)
    text = evaluation_report(
        cm,
        class_names=["bg", "a", "b", "c"],
        data="500 pixels",
        void="none",
        model="noise",
        predictions="argmax",
        implementation="numpy",
        cross_check=("helpers.metrics.mean_iou", M.mean_iou(t, p, num_classes=4)),
        per_image_confusion=per_image_confusion_matrices(t.reshape(20, 25), p.reshape(20, 25), num_classes=4),
        training_runs="1 run",
    )
    miou = M.mean_iou(t, p, num_classes=4)
    boot = bootstrap_iou(per_image_confusion_matrices(t.reshape(20, 25), p.reshape(20, 25), num_classes=4))
    lo, hi = boot["mean_iou_ci"]
    assert f"**Mean IoU {miou:.4f} (95 % interval over images {lo:.4f} to {hi:.4f}; bootstrap of 20 images)**" in text
    assert lo < miou < hi
    for k, (name, v) in enumerate(zip(["bg", "a", "b"], M.per_class_iou(t, p, num_classes=4))):
        a, b = boot["per_class_ci"][k]
        assert f"| {name} | {v:.4f} | {a:.4f} to {b:.4f} |" in text
    assert "| c | absent | – | 0 | 0.0 % |" in text and "excluded from the mean (c)" in text
    assert f"Pixel accuracy {M.pixel_accuracy(t, p):.4f}" in text
    assert "(agrees, difference" in text and "not stated" not in text
    for i, item in enumerate(CHECKLIST, 1):
        assert f"{i}. **{item}**:" in text


def test_report_marks_what_the_caller_did_not_state_and_disagreements():
    cm = np.array([[5, 1], [2, 4]])
    text = evaluation_report(cm, class_names=["bg", "fg"], cross_check=("other", 0.1))
    assert text.count("**not stated**") == 7
    assert "differs: find out why" in text


def test_report_refuses_per_image_matrices_of_other_predictions():
    cms = np.array([[[5, 1], [2, 4]], [[3, 0], [0, 3]]])
    with pytest.raises(ValueError, match="does not sum"):
        evaluation_report(cms.sum(0) + 1, per_image_confusion=cms, class_names=["bg", "fg"])
    with pytest.raises(ValueError, match="one matrix per image"):
        evaluation_report(cms.sum(0), per_image_confusion=cms[0], class_names=["bg", "fg"])


@pytest.mark.parametrize(
    "cm, names, match",
    [
        (np.ones((2, 3), int), ["a", "b"], "square"),
        (np.ones((2, 2)), ["a", "b"], "integer"),
        (np.ones((2, 2), int), ["a"], "one name per class"),
        (np.zeros((2, 2), int), ["a", "b"], "empty"),
    ],
)
def test_report_rejects_bad_input(cm, names, match):
    with pytest.raises(ValueError, match=match):
        evaluation_report(cm, class_names=names)


def test_gallery_indices_are_non_empty_and_spread_over_the_iou_range():
    t = np.zeros((12, 8, 8), int)
    t[1:, 2:6, 2:6] = 1 + np.arange(11)[:, None, None] % 4  # image 0: background only
    p = t.copy()
    for i in range(1, 12):  # image i: i - 1 wrong object pixels, so IoU falls with i
        rows, cols = np.nonzero(t[i] > 0)
        k = i - 1
        p[i, rows[:k], cols[:k]] = 0
    picks = gallery_indices(t, p, n=4)
    assert 0 not in picks and len(picks) == 4 and len(set(picks)) == 4
    ious = [np.mean((p[i] == t[i])[t[i] > 0]) for i in picks]
    assert ious == sorted(ious) and ious[0] < 0.6 and ious[-1] > 0.8  # poor ... good
    assert 0 not in gallery_indices(t, n=4)
    assert gallery_indices(t[:3], p[:3], n=4) == [2, 1]  # fewer candidates than n: all of them
    with pytest.raises(ValueError, match="background only"):
        gallery_indices(np.zeros((2, 4, 4), int))
    with pytest.raises(ValueError, match="positive int"):
        gallery_indices(t, n=0)


def test_gallery_indices_follow_the_input_policy():
    t = np.zeros((3, 4, 4), int)
    t[1, :2, :2] = 1
    with pytest.raises(ValueError, match=r"astype\(int\)"):
        gallery_indices(t.astype(float))
    t[2, 0, 0] = 7  # a label that is no class: listed, not skipped silently
    with pytest.raises(ValueError, match="outside"):
        gallery_indices(t)
    assert gallery_indices(t, num_classes=8) == [1, 2]
