"""helpers._validation: the input policy of every NumPy entry point (docs/architecture.md), through the public
functions that apply it: every bad input raises a ValueError that names the problem and the fix."""

import numpy as np
import pytest

from helpers import metrics as M


# --- every bad input raises a ValueError that names the problem and the fix -----------------
@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, match",
    [
        (np.zeros((2, 4, 4), int), np.zeros((2, 4, 5), int), {}, "shape"),
        # the seed question's trap: (B, H, W, 1) labels against (B, H, W, 5) one-hot / probabilities
        (np.zeros((2, 4, 4, 1), int), np.zeros((2, 4, 4, 5), int), {}, r"\(B, H, W, 1\).*squeeze"),
        (np.zeros((2, 4, 4), int), np.zeros((2, 4, 4, 5), int), {}, "to_labels"),
        (np.array([0, 1, 7]), np.array([0, 1, 1]), {}, r"outside \[0, 5\).*7.*check num_classes"),
        (np.array([0, 1, 255]), np.array([0, 1, 1]), {}, r"outside \[0, 5\).*255.*ignore_index=255"),
        (np.array([1, 2, 5]), np.array([0, 1, 1]), {}, r"1\.\.5 instead of 0\.\.4"),
        (np.array([0, 1, -1]), np.array([0, 1, 1]), {}, r"outside \[0, 5\)"),
        (np.array([0, 1, 1]), np.array([0, 1, 9]), {}, r"y_pred.*outside"),
        (np.array([0, 255, 7]), np.array([0, 1, 1]), {"ignore_index": 255}, r"outside.*7"),
        (np.array([0.0, 1.0]), np.array([0, 1]), {}, r"float.*to_labels.*astype\(int\)"),
        (np.array([0.0, np.nan]), np.array([0, 1]), {}, "NaN"),
        (np.array([], int), np.array([], int), {}, "empty"),
        (np.array([0, 1]), np.array([0, 1]), {"num_classes": 1}, "at least 2"),
        (np.array([0, 1]), np.array([0, 1]), {"num_classes": 2.0}, "must be an int"),
        (np.array([0, 1]), np.array([0, 1]), {"ignore_index": 1}, "real class"),
        (np.array([255, 255]), np.array([0, 1]), {"ignore_index": 255}, "nothing to measure"),
    ],
)
def test_bad_input_raises(y_true, y_pred, kwargs, match):
    kwargs = {"num_classes": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        M.mean_iou(y_true, y_pred, **kwargs)


@pytest.mark.parametrize("func", [M.confusion_matrix, M.per_class_iou])
def test_bad_input_raises_in_every_entry_point(func):
    with pytest.raises(ValueError, match="outside"):
        func([0, 9], [0, 1], num_classes=2)


def test_per_image_needs_batch_axis():
    with pytest.raises(ValueError, match="batch axis"):
        M.mean_iou([0, 1], [0, 1], num_classes=2, per_image=True)


@pytest.mark.parametrize(
    "y, kwargs, match",
    [
        (np.zeros((2, 4, 4, 1), np.float32), {}, r"squeeze"),
        (np.array([[0.5, np.nan]]), {}, "NaN"),
        (np.array([[0, 2], [1, 0]]), {"one_hot": True}, "not one-hot"),
        (np.zeros((0, 3)), {}, "empty"),
    ],
)
def test_to_labels_bad_input(y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        M.to_labels(y, **kwargs)


def test_pixel_accuracy_bad_input():
    with pytest.raises(ValueError, match="shape"):
        M.pixel_accuracy(np.zeros((2, 2), int), np.zeros((2, 3), int))


# --- one-hot masks are never misread as label maps (issue 11, item 4) ------------------------
def _one_hot_case(dtype):
    lab_t = np.array([[0, 1, 2], [2, 2, 0]])
    lab_p = np.array([[0, 2, 2], [1, 2, 0]])
    return np.eye(3, dtype=dtype)[lab_t], np.eye(3, dtype=dtype)[lab_p], lab_t, lab_p


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, bool])
@pytest.mark.parametrize("func", [M.mean_iou, M.per_class_iou, M.confusion_matrix, M.per_image_iou])
def test_integer_one_hot_masks_are_refused_with_the_fix(func, dtype):
    y_t, y_p, lab_t, lab_p = _one_hot_case(dtype)
    with pytest.raises(ValueError, match=r"looks one-hot.*to_labels\(y_true, one_hot=True\)"):
        func(y_t, y_p, num_classes=3)
    with pytest.raises(ValueError, match=r"one-hot"):  # one of the two is enough
        func(lab_t[..., None].repeat(3, -1), y_p, num_classes=3)
    # the fix the message names gives the right number
    fixed = func(M.to_labels(y_t, one_hot=True), M.to_labels(y_p, one_hot=True), num_classes=3)
    np.testing.assert_array_equal(fixed, func(lab_t, lab_p, num_classes=3))


def test_pixel_accuracy_refuses_two_one_hot_masks():
    y_t, y_p, lab_t, lab_p = _one_hot_case(np.int64)
    with pytest.raises(ValueError, match="one-hot"):
        M.pixel_accuracy(y_t, y_p)
    assert M.pixel_accuracy(lab_t, lab_p) == pytest.approx(4 / 6)


def test_a_label_map_that_looks_one_hot_can_be_reshaped():
    t = np.array([[0, 1], [1, 0]])  # 2 classes, 2 pixels wide: ambiguous, so refused
    with pytest.raises(ValueError, match=r"reshape"):
        M.mean_iou(t, t, num_classes=2)
    assert M.mean_iou(t.reshape(1, -1), t.reshape(1, -1), num_classes=2) == 1.0


# --- masks saved as 0/255: the first suggestion is mask // 255 (issue 16) -------------------
@pytest.mark.parametrize("num_classes", [2, 5])
def test_binary_mask_saved_as_0_255_suggests_dividing_first(num_classes):
    png = np.array([[0, 255, 255], [0, 0, 255], [0, 0, 0]], np.uint8)  # a binary mask as a PNG stores it
    with pytest.raises(ValueError) as err:
        M.mean_iou(png, np.zeros((3, 3), int), num_classes=num_classes)
    msg = str(err.value)
    assert msg.index("mask // 255") < msg.index("ignore_index=255 only if")
    assert "pass ignore_index=255 if" not in msg
    with pytest.raises(ValueError, match="mask // 255") as err:
        M.mean_iou(np.zeros((3, 3), int), png, num_classes=2)  # in predictions: no ignore_index advice
    assert "ignore_index" not in str(err.value)
    fixed = png // 255
    assert M.mean_iou(fixed, fixed, num_classes=2) == 1.0


def test_void_label_255_among_classes_still_suggests_ignore_index():
    with pytest.raises(ValueError, match=r"pass ignore_index=255 if that value marks void"):
        M.mean_iou(np.array([0, 1, 2, 255]), np.array([0, 1, 2, 2]), num_classes=3)
