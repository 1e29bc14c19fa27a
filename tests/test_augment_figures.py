"""Figures of the self-study topic: drawn from result objects, read back from the artists."""
import numpy as np
import pytest
import torch

from viz.core import augment as A
from viz.core.summary import summarize
from viz.figures import theme
from viz.figures.augment import augmentation_figure, dihedral_figure, show_image, tta_figure
from viz.figures.summary import architecture_figure


@pytest.fixture(scope="module")
def tiny_tta():
    from viz.core.datasets import digits, small_cnn
    torch.manual_seed(0)
    data = digits(size=8)
    return A.tta(small_cnn(), data.x_test[:40], data.y_test[:40], n_aug=4, examples=3)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_augmentation_figure_shows_every_view_with_the_label(name):
    img = A.sample_image("flower.jpg", size=48)
    side = A.augment_image(img, label="flower", sz=32, n=4, seed=0)
    top = A.augment_image(img, label="flower", sz=32, aug_tfms="top_down", n=8, seed=1)
    with theme(name):
        fig = augmentation_figure(side, top)
    axes = [ax for sf in fig.subfigs for ax in sf.axes]
    assert len(axes) == 1 + 4 + 1 + 8
    titles = [ax.get_title() for ax in axes]
    assert all("flower" in t for t in titles)
    shown = [ax.images[0].get_array() for ax in axes]
    np.testing.assert_allclose(shown[1], side.images[0])
    np.testing.assert_allclose(shown[-1], top.images[-1])
    with pytest.raises(ValueError):
        augmentation_figure()


def test_dihedral_figure():
    d = A.dihedral_set(np.random.default_rng(0).random((6, 6)))
    fig = dihedral_figure(d)
    assert [ax.get_title() for ax in fig.axes] == list(d.names)
    np.testing.assert_allclose(fig.axes[5].images[0].get_array(), d.images[5])


def test_show_image_returns_axes():
    ax = show_image(np.zeros((3, 3, 1)), title="t")
    assert ax.get_title() == "t" and ax.images[0].get_array().shape == (3, 3)


def test_tta_figure_bars_are_the_accuracies(tiny_tta):
    with theme("dark"):
        fig = tta_figure(tiny_tta, n_examples=2)
    bar_ax = fig.axes[-1]
    heights = [p.get_height() for p in bar_ax.patches]
    np.testing.assert_allclose(heights, 100 * np.r_[tiny_tta.accuracy, tiny_tta.tta_accuracy])
    assert len(fig.axes) == 2 * (5 + 1) + 1
    j = tiny_tta.example_index[0]
    mean_bars = [p.get_height() for p in fig.axes[5].patches]
    np.testing.assert_allclose(mean_bars, tiny_tta.mean_probs[j])


def test_architecture_figure_draws_each_weight_matrix():
    from viz.core.datasets import small_cnn
    s = summarize(small_cnn(channels=(16, 32)), (1, 1, 12, 12))
    with theme("dark"):
        fig = architecture_figure(s)
    mats = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert [m.shape for m in mats] == [(16, 9), (32, 144), (10, 32)]
    np.testing.assert_allclose(mats[1], s.matrices[3])
    assert any("Total params: 5,130" in t.get_text() for t in fig.texts)
    assert "5,130 parameters" in fig._suptitle.get_text()


def test_catalog_tta_figure_draws_the_recorded_run(recorded, monkeypatch):
    """The catalog's TTA figure, drawn from the recorded run: exact on any CPU."""
    from viz.catalog import selfstudy as cat
    from viz.core import augment_tta
    rec = recorded("tta-digits")
    monkeypatch.setattr(augment_tta, "digits_tta", lambda **kw: (rec["result"], None))
    fig = cat.tta()
    heights = [p.get_height() for p in fig.axes[-1].patches]
    res = rec["result"]
    np.testing.assert_allclose(heights, 100 * np.r_[res.accuracy, res.tta_accuracy])
