"""The DataLoader scene's last frame against control data (Manim frames comparison).

The trace is a real DataLoader (seeded torch generator, integer pixel shifts of sklearn's
digits): the same on every CPU. Write control data with ``--set_test``.
"""
from __future__ import annotations

from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

from scenes.dataloading import DataLoaderScene

__module_test__ = "test_dataloading_scene"


@frames_comparison(last_frame=True)
def test_dataloader_last_frame(scene):
    DataLoaderScene.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order
