"""The outputs-wander scene: the bars block, and the last frame drawn from the recorded comparison.

The comparison is read from ``tests/data/recorded/builtin_softmax.npz`` (exact on any CPU);
write control data with ``--set_test``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

import scenes.builtin_softmax as S
from viz.anim.outputbars import INSIDE, OUTSIDE, SignedBars
from viz.core.results import load_result

__module_test__ = "test_builtin_softmax_scene"
RECORDED = Path(__file__).parent / "data" / "recorded" / "builtin_softmax.npz"


def test_signed_bars_heights_signs_and_colours():
    v = np.array([0.5, -0.2, 1.3, 0.0])
    b = SignedBars(v, list("abcd"), unit=2.0).shift([1.0, -1.0, 0])
    zero = b.zero.get_center()[1]
    np.testing.assert_allclose([r.height for r in b.bars], np.maximum(np.abs(v) * 2, 1e-3), rtol=1e-6)
    assert b.bars[0].get_bottom()[1] == pytest.approx(zero, abs=1e-6)
    assert b.bars[1].get_top()[1] == pytest.approx(zero, abs=1e-6)       # negative: hangs below 0
    assert b.one.get_center()[1] - zero == pytest.approx(2.0)
    cols = [r.get_fill_color().to_hex().upper() for r in b.bars]
    assert cols == [INSIDE, OUTSIDE, OUTSIDE, INSIDE]
    with pytest.raises(ValueError, match="one value per label"):
        SignedBars([1, 2], ["a"])


def test_bars_follow_recorded_rows():
    from manim import ValueTracker
    table = np.array([[0.1, 0.9], [0.7, -0.1]])
    t = ValueTracker(0)
    b = SignedBars(table[0], ["a", "b"], unit=1.0).follow(t, table)
    t.set_value(0.8)
    b.update()
    np.testing.assert_allclose(b.values, table[1])


@frames_comparison(last_frame=True)
def test_outputs_wander_last_frame(scene):
    before = S.load
    S.load = lambda: load_result(RECORDED)
    try:
        S.OutputsWander.construct(scene)
        check_scene_steps(scene)     # the captions: every step, in order
    finally:
        S.load = before
