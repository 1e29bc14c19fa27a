"""Generated multi-label tiles, and the small CNN trained with a sigmoid and a softmax head."""
import numpy as np
import pytest
import torch
from sklearn.metrics import fbeta_score

from viz.core.multilabel import compare_heads, tile_model, train_multilabel
from viz.core.softmax import planet_f2
from viz.core.tiles import TAGS, make_tiles, tile_split


def test_tiles_shapes_labels_and_determinism():
    a, b = make_tiles(300, seed=3), make_tiles(300, seed=3)
    assert a.images.shape == (300, 3, 24, 24) and a.images.dtype == np.float32
    assert a.labels.shape == (300, len(TAGS)) and a.tags == TAGS
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.images, make_tiles(300, seed=4).images)
    assert a.images.min() >= 0 and a.images.max() <= 1
    assert a.labels.sum(1).min() >= 1                     # every tile has a tag
    assert (a.labels.sum(1) >= 3).mean() > 0.3            # and many have several
    cloudy = a.labels[:, TAGS.index("cloudy")] == 1
    assert cloudy.any() and np.all(a.labels[cloudy].sum(1) == 1)   # as in Planet
    assert set(a.tag_names(0)) <= set(TAGS)
    with pytest.raises(ValueError):
        a.images[0, 0, 0, 0] = 1


def test_tags_are_visible_in_the_pixels():
    t = make_tiles(400, seed=1)
    brightness = t.images.mean(axis=(1, 2, 3))
    blue = t.images[:, 2].mean(axis=(1, 2)) - t.images[:, 0].mean(axis=(1, 2))
    on = lambda tag: t.labels[:, TAGS.index(tag)] == 1   # noqa: E731
    assert brightness[on("cloudy")].min() > brightness[~on("cloudy")].mean()
    assert blue[on("water")].mean() > blue[~on("water") & ~on("cloudy")].mean()


def test_tile_subset_of_tags():
    t = make_tiles(20, tags=("water", "road"), seed=0)
    full = make_tiles(20, seed=0)
    np.testing.assert_array_equal(t.images, full.images)
    np.testing.assert_array_equal(t.labels, full.labels[:, [TAGS.index("water"), TAGS.index("road")]])


@pytest.mark.parametrize("kwargs, match", [
    (dict(tags=()), "tag set is empty"),
    (dict(tags=("water", "lava")), "unknown tag 'lava'"),
    (dict(tags=("water", "water")), "repeat"),
    (dict(size=4), "size"),
])
def test_tiles_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_tiles(5, **kwargs)


def test_head_validation():
    with pytest.raises(ValueError, match="head"):
        train_multilabel(tile_split(10, 5), head="relu")
    with pytest.raises(ValueError, match="positive"):
        train_multilabel(tile_split(10, 5), epochs=0)


def test_same_initial_weights_for_both_heads():
    a, b = tile_model(8, seed=5), tile_model(8, seed=5)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


@pytest.fixture(scope="module")
def comparison():
    # small but real: 800 training tiles, 8 epochs, both heads (a few seconds on 2 cores)
    return compare_heads(tile_split(800, 300, seed=2), epochs=8, seed=2)


def test_sigmoid_head_beats_softmax_head_on_held_out_tiles(comparison):
    sig, soft = comparison.sigmoid, comparison.softmax
    assert sig.f2 > 0.85
    assert sig.f2 > soft.f2 + 0.05
    assert sig.train_loss[-1] < sig.train_loss[0] and soft.train_loss[-1] < soft.train_loss[0]


def test_head_outputs_are_what_they_claim(comparison):
    sig, soft = comparison.sigmoid, comparison.softmax
    np.testing.assert_allclose(soft.probs.sum(1), 1.0, atol=1e-5)      # softmax: a distribution
    assert sig.probs.sum(1).max() > 1.5                                 # sigmoids: independent
    y = comparison.split.test.labels
    np.testing.assert_array_equal(sig.y_true, y)
    # softmax cannot give a tile with k true tags more than ~1/k on each... on average
    k = y.sum(1)
    many = k >= 3
    assert soft.probs[many][y[many] == 1].mean() < 0.4 < sig.probs[many][y[many] == 1].mean()


def test_reported_f2_is_planet_py(comparison):
    for r in (comparison.sigmoid, comparison.softmax):
        best = max(fbeta_score(r.y_true, r.probs > th, beta=2, average="samples")
                   for th in np.arange(0.17, 0.24, 0.01))
        assert r.f2 == pytest.approx(best, abs=1e-12)
        assert (r.f2, r.threshold) == planet_f2(r.y_true, r.probs)
        i = list(np.round(r.curve.thresholds, 2)).index(round(r.threshold, 2))
        assert r.curve.scores[i] == pytest.approx(r.f2, abs=1e-12)
        with pytest.raises(ValueError):
            r.probs[0, 0] = 0.5


def test_training_is_deterministic():
    split = tile_split(64, 16, seed=7)
    a = train_multilabel(split, epochs=1, seed=1)
    b = train_multilabel(split, epochs=1, seed=1)
    np.testing.assert_array_equal(a.probs, b.probs)
    assert torch.get_num_threads() >= 1
