"""fastai 0.7's transforms and TTA against hand-computed values, scipy and torch."""
import math

import numpy as np
import pytest
import torch

from viz.core import augment as A
from viz.core.augment_tta import predict_probs, tta


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # tiny models gain nothing from threads; two xdist workers x 2 threads on 2 cores thrash
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture
def asym(rng):
    """A square picture with no symmetry at all (so all 8 dihedral images differ)."""
    return rng.random((9, 9, 3))


# ----------------------------------------------------------------------------- rotation
def test_rotate_zero_is_identity(rng):
    x = rng.random((7, 10, 3))
    np.testing.assert_array_equal(A.rotate(x, 0), x)
    assert A.rotate(x[..., 0], 0).shape == (7, 10)


@pytest.mark.parametrize("deg, k", [(90, 1), (180, 2), (270, 3), (-90, 3), (360, 0)])
def test_rotate_quarter_turns_equal_rot90(asym, deg, k):
    # positive angles turn counter-clockwise, like cv2.getRotationMatrix2D and np.rot90
    np.testing.assert_allclose(A.rotate(asym, deg), np.rot90(asym, k), atol=1e-12)


@pytest.mark.parametrize("deg", [10.0, -7.5, 3.0])
def test_rotate_matches_scipy_bilinear_with_reflected_border(rng, deg):
    from scipy import ndimage
    x = rng.random((12, 15))
    a, b = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    m = np.array([[a, b], [-b, a]])              # (row, col): output -> input coordinates
    c = np.array([(12 - 1) / 2, (15 - 1) / 2])
    ref = ndimage.affine_transform(x, m, offset=c - m @ c, order=1, mode="reflect")
    np.testing.assert_allclose(A.rotate(x, deg), ref, atol=1e-10)


def test_rotate_reflects_instead_of_padding_black():
    x = np.ones((20, 20))
    assert A.rotate(x, 10).min() == pytest.approx(1.0)   # a black border would show zeros


# ----------------------------------------------------------------------------- lighting
def test_lighting_formula_hand_computed():
    x = np.array([[0.0, 0.5], [1.0, 0.5]])          # mean 0.5
    # (x - 0.5) * 2 + 0.5 + 0.1 = [[-0.4, 0.6], [1.6, 0.6]], then clipped to 0..1
    np.testing.assert_allclose(A.lighting(x, 0.1, 2.0), [[0.0, 0.6], [1.0, 0.6]], atol=1e-15)
    y = np.array([0.2, 0.4, 0.6])                    # mean 0.4
    np.testing.assert_allclose(A.lighting(y, -0.05, 1.05), [0.14, 0.35, 0.56], atol=1e-15)
    np.testing.assert_array_equal(A.lighting(y, 0, 1), y)


def test_contrast_factor_is_symmetric_in_log():
    assert A.contrast_factor(0.05) == pytest.approx(1.05)
    assert A.contrast_factor(-0.05) == pytest.approx(1 / 1.05)
    assert A.contrast_factor(0.0) == 1.0
    assert A.contrast_factor(0.05) * A.contrast_factor(-0.05) == pytest.approx(1.0)


def test_random_lighting_draws_like_fastai():
    t = A.RandomLighting(0.05, 0.05)
    draws = np.random.default_rng(3).uniform(-0.05, 0.05, size=2)
    s = t.sample(np.random.default_rng(3))
    assert s["b"] == pytest.approx(draws[0])
    assert s["c"] == pytest.approx(A.contrast_factor(draws[1]))
    many = [t.sample(np.random.default_rng(i)) for i in range(300)]
    assert all(abs(m["b"]) <= 0.05 and 1 / 1.05 <= m["c"] <= 1.05 for m in many)


# ----------------------------------------------------------------------------- dihedral
def test_dihedral_gives_8_distinct_images(asym):
    d = A.dihedral_set(asym)
    assert d.images.shape == (8, 9, 9, 3)
    flat = {im.tobytes() for im in d.images}
    assert len(flat) == 8
    assert d.names[0] == "rot 0°" and d.names[-1] == "rot 270° + flip"
    np.testing.assert_array_equal(d.images[0], asym)


def test_dihedral_is_a_group(asym):
    """Composing any two symmetries gives one of the 8, and each row of the table is a
    permutation (a Latin square): the dihedral group of order 8."""
    d = A.dihedral_set(asym)
    index = {im.tobytes(): i for i, im in enumerate(d.images)}
    table = np.zeros((8, 8), int)
    for i, (k1, f1) in enumerate(zip(d.k, d.flip)):
        for j, (k2, f2) in enumerate(zip(d.k, d.flip)):
            table[i, j] = index[A.dihedral(A.dihedral(asym, k2, f2), k1, f1).tobytes()]
    assert all(sorted(row) == list(range(8)) for row in table)
    assert all(sorted(col) == list(range(8)) for col in table.T)
    # flip twice = identity; four quarter turns = identity; flip . rot = rot^-1 . flip
    np.testing.assert_array_equal(A.dihedral(A.dihedral(asym, 0, True), 0, True), asym)
    np.testing.assert_array_equal(A.dihedral(A.dihedral(asym, 3, False), 1, False), asym)
    np.testing.assert_array_equal(A.flip_lr(A.dihedral(asym, 1, False)),
                                  A.dihedral(A.flip_lr(asym), 3, False))
    assert not np.array_equal(table, table.T)      # not commutative


def test_random_dihedral_reaches_all_8_evenly(asym):
    t, rng = A.RandomDihedral(), np.random.default_rng(0)
    counts = {}
    for _ in range(4000):
        s = t.sample(rng)
        counts[(s["k"], s["flip"])] = counts.get((s["k"], s["flip"]), 0) + 1
    assert len(counts) == 8 and all(abs(c / 4000 - 1 / 8) < 0.03 for c in counts.values())
    with pytest.raises(ValueError, match="quarter turns"):
        A.dihedral(asym, 4, False)


# ----------------------------------------------------------------------------- scale, crop, rotate
def test_random_rotate_probability_and_range():
    t, rng = A.RandomRotate(10, p=0.75), np.random.default_rng(1)
    angles = np.array([t.sample(rng)["angle"] for _ in range(4000)])
    assert np.abs(angles).max() <= 10
    assert (angles != 0).mean() == pytest.approx(0.75, abs=0.03)


def test_scale_min_and_crop_shapes(rng):
    x = rng.random((128, 191, 3))
    assert A.scale_min(x, 96).shape == (96, 143, 3)     # floor(191 * 96 / 128) = 143
    assert A.scale_min(x, 128).shape == x.shape and np.array_equal(A.scale_min(x, 128), x)
    np.testing.assert_array_equal(A.center_crop(x, 100), x[14:114, 45:145])
    with pytest.raises(ValueError, match="does not fit"):
        A.crop(x, 100, 0, 50)
    t = A.RandomScale(96, max_zoom=1.1, p=1.0)
    z = t.sample(np.random.default_rng(0))["zoom"]
    assert 1 <= z <= 1.1 and min(t.apply(x, zoom=z).shape[:2]) == int(z * 96)


def test_pipelines_follow_fastai_order_and_size(rng):
    x = rng.random((40, 60))
    pipe = A.train_pipeline(32, "side_on", max_zoom=1.1)
    names = [type(t).__name__ for t in pipe.tfms]
    assert names == ["RandomScale", "RandomRotate", "RandomLighting", "RandomFlip", "RandomCrop"]
    assert [type(t).__name__ for t in A.train_pipeline(32, "top_down").tfms][3] == "RandomDihedral"
    y, steps = pipe(x, np.random.default_rng(0))
    assert y.shape == (32, 32) and [s[0] for s in steps] == names
    v, _ = A.valid_pipeline(32)(x, None)
    np.testing.assert_allclose(v, A.center_crop(A.scale_min(x, 32), 32))


def test_augment_image_same_label_new_pixels_and_seeded():
    img = A.sample_image("china.jpg", size=64)
    assert img.shape == (64, 95, 3) and 0 <= img.min() and img.max() <= 1
    s = A.augment_image(img, label="temple", sz=48, n=6, seed=5)
    assert s.images.shape == (6, 48, 48, 3) and s.label == "temple"
    assert np.all(s.changed > 0.5) and np.all(s.mean_abs_diff > 0)
    assert len({im.tobytes() for im in s.images}) == 6
    again = A.augment_image(img, label="temple", sz=48, n=6, seed=5)
    np.testing.assert_array_equal(again.images, s.images)
    assert not np.array_equal(A.augment_image(img, sz=48, n=6, seed=6).images, s.images)
    with pytest.raises(ValueError):
        s.images[0, 0, 0, 0] = 1.0
    assert "b " in s.describe(0) and "c " in s.describe(0)


@pytest.mark.parametrize("kwargs, needle", [
    ({"n": 0}, "n must"), ({"aug_tfms": "sideways"}, "sideways"), ({"sz": 1}, "sz"),
    ({"max_zoom": 0.5}, "max_zoom")])
def test_augment_image_bad_input(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        A.augment_image(np.zeros((10, 10)), **{"sz": 8, **kwargs})


def test_bad_images():
    with pytest.raises(ValueError, match="0..1"):
        A.augment_image(np.full((10, 10), 2.0), sz=8)
    with pytest.raises(ValueError, match="shape"):
        A.augment_image(np.zeros((2, 3, 4, 5)), sz=2)
    with pytest.raises(ValueError, match="square"):
        A.dihedral_set(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="sample image"):
        A.sample_image("nope.jpg")


# ----------------------------------------------------------------------------- TTA
@pytest.fixture(scope="module")
def tiny():
    from viz.core.datasets import digits, small_cnn
    data = digits(size=8, seed=0)
    return small_cnn(seed=0), data.x_test[:60], data.y_test[:60]


@pytest.mark.parametrize("n_aug", [4, 5])
def test_tta_average_is_fastai_weighting(tiny, n_aug):
    model, x, y = tiny
    res = tta(model, x, y, n_aug=n_aug, seed=0)
    assert res.probs.shape == (1 + n_aug, 60, 10)
    # fastai: np.stack([orig] * ceil(n_aug / 4) + augmented).mean(0)
    stack = [res.probs[0]] * math.ceil(n_aug / 4) + list(res.probs[1:])
    np.testing.assert_allclose(res.mean_probs, np.mean(stack, axis=0), atol=1e-12)
    np.testing.assert_allclose(res.accuracy, (res.probs.argmax(-1) == y).mean(axis=1))
    assert res.tta_accuracy == pytest.approx((res.mean_probs.argmax(-1) == y).mean())


def test_tta_original_pass_is_plain_prediction(tiny):
    model, x, y = tiny
    res = tta(model, x, y, n_aug=4, seed=0, examples=[3, 7])
    with torch.no_grad():
        ref = torch.softmax(model(torch.tensor(x)), dim=1).double().numpy()
    np.testing.assert_allclose(res.probs[0], ref, atol=1e-6)
    np.testing.assert_allclose(predict_probs(model, x), ref, atol=1e-6)
    np.testing.assert_allclose(res.examples[0], x[[3, 7]], atol=1e-6)  # valid view = the image
    assert not np.allclose(res.examples[1], res.examples[0])          # augmented views differ
    assert list(res.example_index) == [3, 7] and res.pass_names[0] == "original"
    same = tta(model, x, y, n_aug=4, seed=0, examples=[3, 7])
    np.testing.assert_array_equal(same.probs, res.probs)


def test_tta_bad_input(tiny):
    model, x, y = tiny
    with pytest.raises(ValueError, match="labels"):
        tta(model, x, y[:5])
    with pytest.raises(ValueError, match="n_aug"):
        tta(model, x, y, n_aug=0)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        tta(model, x[:, 0], y)


def test_trained_digits_model_and_tta(recorded):
    """The real run behind the figure and the scene: a small CNN trained with augmentation
    (live: by thresholds; pictures of it are drawn from the recorded run)."""
    res, model = A.digits_tta(cache=False)
    ref = recorded("tta-digits")["result"]
    assert abs(res.accuracy[0] - ref.accuracy[0]) < 0.05 and abs(res.tta_accuracy - ref.tta_accuracy) < 0.05
    assert res.accuracy[0] > 0.85 and res.tta_accuracy > 0.85
    assert res.tta_accuracy >= res.accuracy[0]         # 90.3 % -> 92.8 % with the defaults
    fixed = res.changed_minds()
    assert len(fixed) > 0
    j = res.example_index[0]            # examples start with a mistake that TTA fixed
    assert res.preds[0, j] != res.y[j] and res.tta_preds[j] == res.y[j]
