"""The LR finder scene's last frame against stored control data (Manim frames comparison).

Write the control data once with ``pytest tests/test_lr_finder_scene.py --set_test``.
"""
from __future__ import annotations

from manim.utils.testing.frames_comparison import frames_comparison

from scenes.lr_finder import LRFinderSweep

__module_test__ = "test_lr_finder_scene"


@frames_comparison
def test_lr_finder_sweep_last_frame(scene):
    LRFinderSweep.construct(scene)
