"""The SGDR restarts scene's last frame against stored control data (Manim frames comparison).

Write the control data once with ``pytest tests/test_sgdr_scene.py --set_test``.
"""
from __future__ import annotations

from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

from scenes.sgdr import SGDRRestarts

__module_test__ = "test_sgdr_scene"


@frames_comparison
def test_sgdr_restarts_last_frame(scene):
    SGDRRestarts.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order
