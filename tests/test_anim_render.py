"""viz.anim.RegionRenderer draws the very frames Manim's own renderer draws, with fewer paths."""
import numpy as np
import pytest
from manim import (DOWN, RIGHT, UP, Create, FadeIn, FadeOut, Rectangle, Scene, Text, Transform,
                   UpdateFromAlphaFunc, ValueTracker, VGroup, tempconfig)
from manim.renderer.cairo_renderer import CairoRenderer

from viz.anim import FONT, NumberGrid, glyph
from viz.anim.pictures import PictureCamera, picture
from viz.anim.render import RegionRenderer
from viz.anim.render import Scene as RegionScene


class _Collect:
    def add_frame(self, frame, num_frames=1):
        if not self.skip_animations:
            self.frames.extend([frame.copy()] * num_frames)
        super().add_frame(frame, num_frames)


class PlainCollect(_Collect, CairoRenderer):
    frames: list


class RegionCollect(_Collect, RegionRenderer):
    frames: list
    MIN_MOVING = 0           # plan every play, even in this small scene


def storyboard(scene):
    """A grid, a window sliding over it, cells changing in place, a label transformed,
    an updater that moves a box over the grid, a picture, a fade of everything."""
    values = np.arange(64.0).reshape(8, 8) / 63 - 0.5
    grid = NumberGrid(values, cell_size=0.45, fmt="{:.2f}").shift(LEFT_2)
    caption = glyph("a caption under", font_size=24).next_to(grid, DOWN)
    pic = picture(np.linspace(0, 1, 36).reshape(6, 6), height=1.5).to_edge(RIGHT)
    scene.add(grid, caption, pic)
    window = grid.window(1, 1, 3)
    title = Text("step 1", font=FONT, font_size=30).to_edge(UP)
    scene.play(Create(window), FadeIn(title), run_time=0.4)
    for k in range(2, 4):
        scene.play(window.animate.move_to(grid.window(1, k, 3)),
                   Transform(title, Text(f"step {k}", font=FONT, font_size=30).to_edge(UP)),
                   run_time=0.3)
        scene.play(*grid.change_value(4, k, -0.4), run_time=0.3)
    for _ in range(2):       # the second move finds the still image of the first
        scene.play(window.animate.shift(DOWN * 0.45), run_time=0.2)
    box = Rectangle(width=0.6, height=0.6, color="#E69F00", stroke_width=6).move_to(grid.get_corner(UP + RIGHT_1))
    t = ValueTracker(0)
    box.add_updater(lambda m: m.move_to(grid.cell_center(int(t.get_value()), 6)))
    scene.add(box)
    scene.play(t.animate.set_value(7), run_time=0.5)
    box.clear_updaters()
    scene.play(UpdateFromAlphaFunc(caption, lambda m, a: m.set_opacity(1 - a / 2)), run_time=0.3)
    scene.wait(0.2)
    scene.play(FadeOut(VGroup(grid, window)), run_time=0.3)


LEFT_2 = np.array([-2.0, 0, 0])
RIGHT_1 = np.array([1.0, 0, 0])


def _frames(scene_cls, renderer_cls, media):
    with tempconfig({"quality": "low_quality", "disable_caching": True, "progress_bar": "none",
                     "verbosity": "ERROR", "media_dir": str(media), "format": "mp4",
                     "write_to_movie": True}):
        renderer = renderer_cls(camera_class=PictureCamera)
        renderer.frames = []

        class Story(scene_cls):
            def construct(self):
                storyboard(self)

        Story(renderer=renderer).render()
    return renderer.frames, renderer


def test_region_renderer_frames_equal_manims(tmp_path):
    plain, _ = _frames(Scene, PlainCollect, tmp_path)
    region, renderer = _frames(RegionScene, RegionCollect, tmp_path)
    assert len(plain) == len(region) > 40
    for i, (a, b) in enumerate(zip(plain, region)):
        assert np.array_equal(a, b), f"frame {i} differs in {(a != b).any(axis=2).sum()} pixels"
    st = renderer.stats
    # every play took the tile path, and a frame drew far fewer paths than the scene has
    # (the grid alone: 64 squares + 64 numbers)
    # the two plays with an updater / UpdateFromAlphaFunc are drawn Manim's way
    assert st["fallback_plays"] == 2 and st["frames"] > 30 and st["still_reused"] >= 1, st
    assert st["drawn"] < 0.5 * st["frames"] * 2 * 64, st


def test_scene_uses_region_renderer_unless_plain(monkeypatch):
    with tempconfig({"disable_caching": True}):
        assert isinstance(RegionScene().renderer, RegionRenderer)
        monkeypatch.setenv("VIZ_PLAIN_RENDERER", "1")
        assert not isinstance(RegionScene().renderer, RegionRenderer)
