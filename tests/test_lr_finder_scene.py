"""The LR finder scene's last frame against stored control data (Manim frames comparison).

The scene draws a recorded range test (``tests/data/recorded/lr-find-digits.npz``, made
by ``tools/record_test_results.py``): a live run stops at another batch on another CPU,
which moves every pixel of the curve. The live run itself is tested in test_lr_finder.py.
Write the control data once with ``pytest tests/test_lr_finder_scene.py --set_test``.
"""
from __future__ import annotations

import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

import scenes.lr_finder
from scenes.lr_finder import LRFinderSweep

__module_test__ = "test_lr_finder_scene"


@pytest.fixture(autouse=True)
def recorded_run(monkeypatch, recorded):
    run = recorded("lr-find-digits")
    monkeypatch.setattr(scenes.lr_finder, "digits_lr_find", lambda **kw: run)
    return run


@frames_comparison
def test_lr_finder_sweep_last_frame(scene):
    LRFinderSweep.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


def test_the_scene_draws_the_recorded_run(recorded_run):
    """What the control frame shows: where the recorded run stopped and what it picks."""
    from viz.core.lr_finder import loss_regions
    r = recorded_run
    assert r.stop_reason == "diverged" and r.stop_iteration == len(r.lrs) + 1
    low_lr, _ = loss_regions(r).minimum
    assert r.suggestion("min/10").lr == pytest.approx(low_lr / 10)
