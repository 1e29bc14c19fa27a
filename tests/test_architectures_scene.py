"""The architectures scene's last frame, drawn from the recorded comparison (exact on any CPU).

Write control data with ``--set_test``.
"""
from __future__ import annotations

from pathlib import Path

from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

import scenes.architectures as S
from viz.core.results import load_result

__module_test__ = "test_architectures_scene"
RECORDED = Path(__file__).parent / "data" / "recorded" / "architectures.npz"


@frames_comparison(last_frame=True)
def test_architectures_last_frame(scene):
    before = S.load
    S.load = lambda: load_result(RECORDED)
    try:
        S.ArchitecturesCompared.construct(scene)
        check_scene_steps(scene)     # the captions: every step, in order
    finally:
        S.load = before
