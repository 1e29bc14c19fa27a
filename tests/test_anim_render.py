"""viz.anim.RegionRenderer draws the very frames Manim's own renderer draws, with fewer paths."""
import numpy as np
import pytest
from manim import (DOWN, RIGHT, UP, Create, FadeIn, FadeOut, Rectangle, Scene, Text, Transform,
                   UpdateFromAlphaFunc, ValueTracker, VGroup, tempconfig)
from manim.renderer.cairo_renderer import CairoRenderer

from viz.anim import FONT, NumberGrid, fades, glyph
from viz.anim.pictures import PictureCamera, picture
from viz.anim.render import RegionRenderer
from viz.anim.scene import Scene as RegionScene


class _Collect:
    def add_frame(self, frame, num_frames=1):
        if not self.skip_animations:
            self.frames.extend([frame.copy()] * num_frames)
            # was this frame blended from patches (viz.anim.fadeframes)?
            n = getattr(self, "stats", {}).get("fade_frames", 0)
            self.blended.extend([n > self._seen] * num_frames)
            self._seen = n
        super().add_frame(frame, num_frames)


class PlainCollect(_Collect, CairoRenderer):
    frames: list


class RegionCollect(_Collect, RegionRenderer):
    frames: list
    MIN_MOVING = 0           # plan every play, even in this small scene


def storyboard(scene, FadeIn=FadeIn, FadeOut=FadeOut):  # noqa: N803 - Manim's or viz's
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


def _frames(scene_cls, renderer_cls, media, fade_classes=(FadeIn, FadeOut)):
    with tempconfig({"quality": "low_quality", "disable_caching": True, "progress_bar": "none",
                     "verbosity": "ERROR", "media_dir": str(media), "format": "mp4",
                     "write_to_movie": True}):
        renderer = renderer_cls(camera_class=PictureCamera)
        renderer.frames, renderer.blended, renderer._seen = [], [], 0

        class Story(scene_cls):
            def construct(self):
                storyboard(self, *fade_classes)

        Story(renderer=renderer).render()
    return renderer.frames, renderer


#: A blended frame (a fade drawn from patches) differs from Cairo's by rounding only.
BLEND_TOLERANCE = 4


def _assert_same_frames(plain, region, blended):
    assert len(plain) == len(region) > 40
    for i, (a, b) in enumerate(zip(plain, region)):
        if blended[i]:
            d = np.abs(a.astype(int) - b.astype(int)).max()
            assert d <= BLEND_TOLERANCE, f"blended frame {i} differs by {d} levels"
        else:
            assert np.array_equal(a, b), f"frame {i} differs in {(a != b).any(axis=2).sum()} pixels"


@pytest.mark.parametrize("fade_classes", [(FadeIn, FadeOut), (fades.FadeIn, fades.FadeOut)],
                         ids=["manim-fades", "viz-fades"])
def test_region_renderer_frames_equal_manims(tmp_path, fade_classes):
    plain, _ = _frames(Scene, PlainCollect, tmp_path)
    region, renderer = _frames(RegionScene, RegionCollect, tmp_path, fade_classes)
    _assert_same_frames(plain, region, renderer.blended)
    st = renderer.stats
    # every play took the tile path, and a frame drew far fewer paths than the scene has
    # (the grid alone: 64 squares + 64 numbers)
    # the two plays with an updater / UpdateFromAlphaFunc are drawn Manim's way
    assert st["fallback_plays"] == 2 and st["frames"] > 30 and st["still_reused"] >= 1, st
    assert st["drawn"] < 0.5 * st["frames"] * 2 * 64, st
    # the fades were blended, except where each is fully on or off (Cairo's own frame)
    assert st["fade_frames"] == sum(renderer.blended) >= 12, st


def test_viz_fades_are_manims(tmp_path):
    """viz.anim.fades.FadeIn/FadeOut (no copies) give Manim's frames on Manim's renderer."""
    manims, _ = _frames(Scene, PlainCollect, tmp_path)
    ours, _ = _frames(Scene, PlainCollect, tmp_path, (fades.FadeIn, fades.FadeOut))
    assert len(manims) == len(ours)
    for i, (a, b) in enumerate(zip(manims, ours)):
        assert np.array_equal(a, b), f"frame {i} differs"


def test_blended_fade_with_lag_and_overlap(tmp_path):
    """A grid fading in cell by cell under a label it overlaps, and a crossfade."""
    def board(scene, FadeIn, FadeOut):  # noqa: N803
        grid = NumberGrid(np.linspace(-1, 1, 100).reshape(10, 10), cell_size=0.4)
        over = Text("over the grid", font=FONT, font_size=40, color="#E69F00")
        scene.add(over)
        scene.play(FadeIn(grid, lag_ratio=0.05), run_time=0.8)
        scene.play(*fades.crossfade(over, Text("swapped", font=FONT, font_size=40)),
                   run_time=0.6)
        scene.play(FadeOut(grid), run_time=0.4)

    def frames(scene_cls, renderer_cls, fade_classes):
        with tempconfig({"quality": "low_quality", "disable_caching": True,
                         "progress_bar": "none", "verbosity": "ERROR",
                         "media_dir": str(tmp_path), "format": "mp4", "write_to_movie": True}):
            renderer = renderer_cls()
            renderer.frames, renderer.blended, renderer._seen = [], [], 0

            class Board(scene_cls):
                def construct(self):
                    board(self, *fade_classes)

            Board(renderer=renderer).render()
        return renderer

    plain = frames(Scene, PlainCollect, (FadeIn, FadeOut))
    region = frames(RegionScene, RegionCollect, (fades.FadeIn, fades.FadeOut))
    assert len(plain.frames) == len(region.frames) > 20
    for i, (a, b) in enumerate(zip(plain.frames, region.frames)):
        d = np.abs(a.astype(int) - b.astype(int)).max()
        assert d <= (BLEND_TOLERANCE if region.blended[i] else 0), (i, d, region.blended[i])
    assert sum(region.blended) >= 15, region.stats


def test_scene_uses_region_renderer_unless_plain(monkeypatch):
    with tempconfig({"disable_caching": True}):
        assert isinstance(RegionScene().renderer, RegionRenderer)
        monkeypatch.setenv("VIZ_PLAIN_RENDERER", "1")
        assert not isinstance(RegionScene().renderer, RegionRenderer)


@pytest.mark.parametrize("color", ["#123456", "#FFFFFF", "#000000"])
@pytest.mark.parametrize("stroke", [(0.0, "#FFFFFF"), (0.5, "#888888")])
def test_new_vmobject_equals_vmobject_init(color, stroke):
    """The grid's fast VMobject copy is the very object VMobject(...) builds."""
    from manim import VMobject

    from viz.anim.glyphs import new_vmobject
    a = VMobject(fill_color=color, fill_opacity=1.0, stroke_width=stroke[0], stroke_color=stroke[1])
    b = new_vmobject(color, stroke_width=stroke[0], stroke_color=stroke[1])
    assert a.__dict__.keys() == b.__dict__.keys()
    for k, x in a.__dict__.items():
        y = b.__dict__[k]
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), k
            assert x is not y and not np.shares_memory(y, new_vmobject(color).__dict__[k]), k
        else:
            assert x == y, k
    b.fill_rgbas[0, 0] = 0.5          # its own arrays: the next copy is untouched
    assert new_vmobject(color).fill_rgbas[0, 0] == a.fill_rgbas[0, 0]


def test_new_vgroup_equals_vgroup():
    from manim import VGroup

    from viz.anim.glyphs import new_vgroup
    parts = [glyph("1.5"), glyph("2")]
    a, b = VGroup(*parts), new_vgroup(*parts)
    assert a.__dict__.keys() == b.__dict__.keys() and b.submobjects == parts
    for k, x in a.__dict__.items():
        y = b.__dict__[k]
        assert np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y, k
    assert new_vgroup().submobjects == []       # the prototype stayed empty
