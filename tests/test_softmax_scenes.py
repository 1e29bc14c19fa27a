"""Softmax-topic scenes: the bar block's structure, and last frames against control data."""
import numpy as np
import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

from viz.anim.probbars import ProbBars, UnitChart, tile_image
from viz.core import softmax as sm

__module_test__ = "softmax"


def test_prob_bars_structure_and_values():
    p = sm.softmax(sm.SHEET_OUTPUTS)
    b = ProbBars(p, sm.CLASSES, length=2.0, targets=sm.SHEET_MULTI_ACTUALS, title="softmax")
    assert len(b.bars) == len(b.numbers) == len(b.labels) == 5 and len(b.targets) == 2
    np.testing.assert_allclose([r.height for r in b.bars], np.maximum(p * 2.0, 1e-3), rtol=1e-6)
    b.shift([1.0, -2.0, 0])
    q = sm.sigmoid(sm.SHEET_OUTPUTS)
    b.set_values(q)
    np.testing.assert_allclose([r.height for r in b.bars], q * 2.0, rtol=1e-6)
    # bars stay standing on the (moved) axis
    np.testing.assert_allclose([r.get_bottom()[1] for r in b.bars], b.axis.get_center()[1], atol=1e-6)
    h = ProbBars(p, sm.CLASSES, horizontal=True, length=3.0)
    np.testing.assert_allclose([r.width for r in h.bars], np.maximum(p * 3.0, 1e-3), rtol=1e-6)
    with pytest.raises(ValueError, match="one probability per label"):
        ProbBars([0.5, 0.5], sm.CLASSES)


def test_bars_follow_a_tracker():
    from manim import ValueTracker
    table = np.array([[0.2, 0.8], [0.6, 0.4]])
    t = ValueTracker(0)
    b = ProbBars(table[0], ["a", "b"], length=1.0).bars_follow(t, table)
    t.set_value(0.5)
    b.update()
    np.testing.assert_allclose([r.height for r in b.bars], [0.4, 0.6], rtol=1e-6)


def test_unit_chart_and_tile_image():
    c = UnitChart(width=4, height=2).shift([1, 1, 0])
    np.testing.assert_allclose(c.c2p(1, 1) - c.c2p(0, 0), [4, 2, 0], atol=1e-9)
    img = tile_image(np.random.default_rng(0).random((3, 8, 8)), height=2.0)
    assert img.height == pytest.approx(2.0)


@frames_comparison(last_frame=True)
def test_entropy_sheet_last_frame(scene):
    from scenes.softmax import EntropySheet
    EntropySheet.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@frames_comparison(last_frame=True)
def test_softmax_picks_one_last_frame(scene):
    from scenes.softmax import SoftmaxPicksOne
    SoftmaxPicksOne.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@frames_comparison(last_frame=True)
def test_two_labels_last_frame(scene):
    from scenes.softmax import TwoLabels
    TwoLabels.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@pytest.fixture(autouse=True)
def recorded_runs(monkeypatch, small_comparison, recorded):
    """The scenes draw recorded runs (tests/data/recorded/multilabel-small.npz, two-labels.npz),
    so their frames are the same on any CPU; live training is tested in
    test_softmax_multilabel.py and test_softmax.py."""
    import viz.core.multilabel as ml
    monkeypatch.setattr(ml, "default_comparison", lambda seed=0, **kw: small_comparison)
    fit = recorded("two-labels")
    monkeypatch.setattr(sm, "fit_two_labels", lambda *a, **kw: fit)
    return small_comparison


@frames_comparison(last_frame=True)
def test_multilabel_tiles_last_frame(scene):
    from scenes.softmax import MultiLabelTiles
    MultiLabelTiles.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@frames_comparison(last_frame=True)
def test_fbeta_last_frame(scene):
    from scenes.softmax import FBeta
    FBeta.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order
