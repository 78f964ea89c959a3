"""helpers.metrics: Keras's test vectors, oracles (scikit-learn, Keras), conventions; bad input: test_validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import metrics as M


# --- Keras's test vectors (keras/src/metrics/iou_metrics_test.py) ---------------------------
def test_keras_vector_mean_iou_two_classes():
    assert M.mean_iou([0, 0, 1, 1], [0, 1, 0, 1], num_classes=2) == pytest.approx(1 / 3)


def test_keras_vector_ignore_class_255():
    assert M.mean_iou([0, 1, 2, 255], [0, 1, 1, 1], num_classes=3, ignore_index=255) == pytest.approx(0.5)


def test_keras_vector_ignore_class_minus_one():
    assert M.mean_iou([0, 1, 2, -1], [0, 1, 1, 1], num_classes=3, ignore_index=-1) == pytest.approx(0.5)


def test_keras_vector_zeros_vs_zeros():
    assert M.mean_iou(np.zeros(4, int), np.zeros(4, int), num_classes=3) == 1.0


def test_keras_vector_one_hot_mean_iou():
    y_true = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    t, p = M.to_labels(y_true, one_hot=True), M.to_labels(y_pred)
    np.testing.assert_array_equal(t, [2, 0, 1, 0])
    np.testing.assert_array_equal(p, [2, 2, 0, 2])
    assert M.mean_iou(t, p, num_classes=3) == pytest.approx(1 / 9)


# --- hand-checked behaviour ----------------------------------------------------------------
def test_confusion_matrix_rows_true_columns_pred():
    cm = M.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1], num_classes=3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [0, 1, 0]])
    assert cm.dtype == np.int64


def test_per_class_iou_nan_for_absent_class():
    iou = M.per_class_iou([0, 0, 1, 1], [0, 1, 1, 1], num_classes=3)
    np.testing.assert_allclose(iou[:2], [0.5, 2 / 3])
    assert np.isnan(iou[2])


def test_class_only_predicted_counts_as_zero():
    # class 2 is never true but predicted once: IoU 0, included in the mean
    iou = M.per_class_iou([0, 0, 1, 1], [0, 2, 1, 1], num_classes=3)
    np.testing.assert_allclose(iou, [0.5, 1.0, 0.0])
    assert M.mean_iou([0, 0, 1, 1], [0, 2, 1, 1], num_classes=3) == pytest.approx(0.5)


def test_dataset_vs_per_image():
    y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 0]])
    y_pred = np.array([[0, 0, 1, 0], [0, 0, 0, 0]])
    # dataset: cm = [[6, 0], [1, 1]] -> IoU0 = 6/7, IoU1 = 1/2
    assert M.mean_iou(y_true, y_pred, num_classes=2) == pytest.approx((6 / 7 + 1 / 2) / 2)
    # image 1: IoU0 = 2/3, IoU1 = 1/2; image 2: only class 0, IoU 1
    assert M.mean_iou(y_true, y_pred, num_classes=2, per_image=True) == pytest.approx(((2 / 3 + 1 / 2) / 2 + 1) / 2)


def test_per_image_skips_fully_ignored_images():
    y_true = np.array([[0, 1], [255, 255]])
    y_pred = np.array([[0, 1], [1, 1]])
    assert M.mean_iou(y_true, y_pred, num_classes=2, ignore_index=255, per_image=True) == 1.0


def test_per_image_matches_loop_of_single_images():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 4, (6, 5, 7))
    p = rng.integers(0, 4, (6, 5, 7))
    t[2] = 0  # an image with a single class
    t[3, :2] = 255
    expected = np.mean([M.mean_iou(t[i], p[i], num_classes=4, ignore_index=255) for i in range(6)])
    assert M.mean_iou(t, p, num_classes=4, ignore_index=255, per_image=True) == pytest.approx(expected)


def test_ignored_pixels_do_not_count_even_if_predicted_255():
    cm = M.confusion_matrix([0, 255, 1], [0, 255, 1], num_classes=2, ignore_index=255)
    np.testing.assert_array_equal(cm, [[1, 0], [0, 1]])


def test_counts_are_exact_beyond_float32():
    n = 2**24 + 3  # float32 cannot count past 2**24
    t = np.zeros(n, dtype=np.uint8)
    cm = M.confusion_matrix(t, t, num_classes=2)
    assert cm[0, 0] == n


def test_pixel_accuracy():
    assert M.pixel_accuracy([0, 0, 1, 255], [0, 1, 1, 0], ignore_index=255) == pytest.approx(2 / 3)
    assert M.pixel_accuracy([[0, 1], [1, 1]], [[0, 1], [1, 0]]) == 0.75


def test_to_labels():
    np.testing.assert_array_equal(M.to_labels(np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])), [1, 0])
    labels = np.array([[3, 1], [0, 2]])
    assert M.to_labels(labels) is labels  # integer label maps pass through unchanged
    np.testing.assert_array_equal(M.to_labels(np.eye(3, dtype=int)[[2, 0]], one_hot=True), [2, 0])


def test_iou_from_confusion_matrix():
    np.testing.assert_allclose(M.iou_from_confusion_matrix([[1, 1], [1, 1]]), [1 / 3, 1 / 3])
    with pytest.raises(ValueError, match="square"):
        M.iou_from_confusion_matrix(np.zeros((2, 3)))


# --- property-based: scikit-learn and Keras as oracles --------------------------------------
@st.composite
def label_pairs(draw):
    c = draw(st.integers(2, 6))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=6))
    if len(shape) >= 2 and shape[-1] == c:  # such label maps may look one-hot, and are refused as ambiguous
        shape = shape[:-1] + (c + 1,)
    # use only some of the classes, so that empty classes happen
    used = draw(st.lists(st.integers(0, c - 1), min_size=1, max_size=c, unique=True))
    labels = st.sampled_from(used)
    t = draw(hnp.arrays(np.int64, shape, elements=labels))
    p = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    ignore = draw(st.sampled_from([None, 255]))
    if ignore is not None:
        void = draw(hnp.arrays(np.bool_, shape))
        t = np.where(void, 255, t)
    return t, p, c, ignore


def _reference_by_loops(t, p, c, ignore):
    keep = np.ones(t.shape, bool) if ignore is None else t != ignore
    ious = []
    for k in range(c):
        tk, pk = (t == k) & keep, (p == k) & keep
        union = np.sum(tk | pk)
        if union:
            ious.append(np.sum(tk & pk) / union)
    return np.mean(ious) if ious else None


@settings(max_examples=150, deadline=None)
@given(label_pairs())
def test_matches_sklearn_jaccard_score(case):
    from sklearn.metrics import jaccard_score

    t, p, c, ignore = case
    keep = np.ones(t.shape, bool) if ignore is None else t != ignore
    if not keep.any():
        with pytest.raises(ValueError, match="nothing to measure"):
            M.mean_iou(t, p, num_classes=c, ignore_index=ignore)
        return
    expected = jaccard_score(t[keep], p[keep], average="macro", labels=None, zero_division=0)
    assert M.mean_iou(t, p, num_classes=c, ignore_index=ignore) == pytest.approx(expected, abs=1e-12)
    assert M.mean_iou(t, p, num_classes=c, ignore_index=ignore) == pytest.approx(_reference_by_loops(t, p, c, ignore))


@settings(max_examples=40, deadline=None)
@given(label_pairs())
def test_matches_keras_mean_iou(case):
    import keras

    t, p, c, ignore = case
    keep = np.ones(t.shape, bool) if ignore is None else t != ignore
    if not keep.any():
        return
    k = keras.metrics.MeanIoU(num_classes=c, ignore_class=ignore)
    k.update_state(t, p)
    assert M.mean_iou(t, p, num_classes=c, ignore_index=ignore) == pytest.approx(float(k.result()), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_confusion_matrix_matches_loops(case):
    t, p, c, ignore = case
    keep = np.ones(t.shape, bool) if ignore is None else t != ignore
    expected = np.zeros((c, c), np.int64)
    for a, b in zip(t[keep], p[keep]):
        expected[a, b] += 1
    np.testing.assert_array_equal(M.confusion_matrix(t, p, num_classes=c, ignore_index=ignore), expected)


# --- conventions as parameters ----------------------------------------------------------------
def test_absent_conventions():
    y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 0]])
    y_pred = np.array([[0, 0, 1, 0], [0, 0, 0, 0]])
    # 3 classes, class 2 absent: IoU0 = 6/7, IoU1 = 1/2
    assert M.mean_iou(y_true, y_pred, num_classes=3) == pytest.approx((6 / 7 + 1 / 2) / 2)
    assert M.mean_iou(y_true, y_pred, num_classes=3, absent="zero") == pytest.approx((6 / 7 + 1 / 2) / 3)
    assert M.mean_iou(y_true, y_pred, num_classes=3, absent="one") == pytest.approx((6 / 7 + 1 / 2 + 1) / 3)
    # per image: image 1 has only class 0 (IoU 1); classes 1 and 2 absent there
    img0 = (2 / 3 + 1 / 2) / 2
    assert M.mean_iou(y_true, y_pred, num_classes=3, per_image=True, absent="zero") == pytest.approx(
        (2 * img0 / 3 + 1 / 3) / 2
    )
    np.testing.assert_allclose(
        M.per_image_iou(y_true, y_pred, num_classes=3, absent="one"), [(2 / 3 + 1 / 2 + 1) / 3, 1]
    )
    with pytest.raises(ValueError, match="absent must be one of"):
        M.mean_iou(y_true, y_pred, num_classes=3, absent="ignore")


def test_per_class_iou_per_image_rows():
    y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 0]])
    y_pred = np.array([[0, 0, 1, 0], [0, 0, 0, 0]])
    rows = M.per_class_iou(y_true, y_pred, num_classes=3, per_image=True)
    assert rows.shape == (2, 3)
    np.testing.assert_allclose(rows, [[2 / 3, 1 / 2, np.nan], [1, np.nan, np.nan]])
    np.testing.assert_allclose(M.average_iou(rows), M.per_image_iou(y_true, y_pred, num_classes=3))


def test_undefined_values_policy():
    # per part: NaN; a summary with nothing to measure: ValueError, whatever the convention
    t = np.array([[255, 255], [0, 1]])
    p = np.array([[0, 0], [0, 1]])
    np.testing.assert_array_equal(np.isnan(M.per_image_iou(t, p, num_classes=2, ignore_index=255)), [True, False])
    for absent in ("exclude", "zero", "one"):
        with pytest.raises(ValueError, match="nothing to measure"):
            M.mean_iou(t[:1], p[:1], num_classes=2, ignore_index=255, absent=absent)
    assert np.isnan(M.average_iou([np.nan, np.nan]))
    assert M.average_iou([np.nan, np.nan], absent="zero") == 0.0


def test_iou_from_counts_and_stacked_confusion_matrices():
    np.testing.assert_allclose(M.iou_from_counts([2, 0], [3, 0], [3, 0]), [0.5, np.nan])
    cms = np.array([[[1, 1], [1, 1]], [[2, 0], [0, 0]]])
    np.testing.assert_allclose(M.iou_from_confusion_matrix(cms), [[1 / 3, 1 / 3], [1.0, np.nan]])


@pytest.mark.parametrize(
    "call",
    [
        lambda: M.mean_iou([0, 1], [0, 1], 2),
        lambda: M.confusion_matrix([0, 1], [0, 1], 2),
        lambda: M.per_class_iou([0, 1], [0, 1], 2),
        lambda: M.per_image_iou([[0, 1]], [[0, 1]], 2),
        lambda: M.pixel_accuracy([0, 1], [0, 1], 255),
        lambda: M.to_labels(np.eye(2, dtype=int), True),
    ],
)
def test_options_are_keyword_only(call):
    with pytest.raises(TypeError):
        call()


def test_shared_label_pair_fixture_agrees_everywhere(label_pair):
    y_true, y_pred, c, cm = label_pair
    np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred, num_classes=c), cm)
    np.testing.assert_allclose(M.per_class_iou(y_true, y_pred, num_classes=c), M.iou_from_confusion_matrix(cm))
    assert np.isnan(M.per_class_iou(y_true, y_pred, num_classes=c)[4])  # class 4 absent: NaN, not 0
    assert M.pixel_accuracy(y_true, y_pred) == pytest.approx(np.trace(cm) / cm.sum())


def test_foreground_iou_is_class_one_of_the_two_class_iou_and_refuses_bad_input():
    foreground_iou, per_class_iou = M.foreground_iou, M.per_class_iou
    rng = np.random.default_rng(0)
    y = (rng.random((3, 8, 8, 1)) < 0.3).astype(np.int64)
    p = rng.random(y.shape)
    expected = per_class_iou(y[..., 0], (p[..., 0] >= 0.5).astype(int), num_classes=2)[1]
    assert foreground_iou(y, p) == pytest.approx(expected)
    assert foreground_iou(y[..., 0], p) == pytest.approx(expected)  # (B, H, W) truth, (B, H, W, 1) probabilities
    assert foreground_iou(y, p, threshold=0.3) != pytest.approx(expected)
    assert np.isnan(foreground_iou(np.zeros((2, 2), int), np.full((2, 2), 0.1)))  # no foreground anywhere: 0 / 0
    void = np.where(rng.random(y.shape) < 0.2, 255, y)
    keep = void != 255
    assert foreground_iou(void, p, ignore_index=255) == pytest.approx(foreground_iou(y[keep], p[keep]))
    with pytest.raises(ValueError, match="mask // 255"):
        foreground_iou(y * 255, p)
    with pytest.raises(ValueError, match="sigmoid"):
        foreground_iou(y, p * 4 - 2)  # logits
    with pytest.raises(ValueError, match="threshold"):
        foreground_iou(y, p, threshold=1.0)
