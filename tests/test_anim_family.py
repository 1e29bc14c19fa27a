"""viz.anim's bookkeeping (family lists, what moves, updaters, prints, a grid's boundary)
gives Manim's own answers, on grids and on the odd cases (shared parts, cycles, z-index,
structure changed after a family was remembered)."""
import itertools

import numpy as np
import pytest
from manim import (DOWN, ORIGIN, RIGHT, AnimationGroup, Circle, Dot, FadeIn, Line, Mobject,
                   Scene, Square, Transform, VGroup, VMobject, tempconfig)
from manim.utils.family import extract_mobject_family_members as manims_family

from viz.anim import NumberGrid
from viz.anim import family as fam
from viz.anim.fastpath import _path_ops, _path_ops_many
from viz.anim.grid import _corner_outlines
from viz.anim.prints import fingerprint, prints
from viz.anim.scene import Scene as VizScene
from viz.colors import DIVERGING, GREEN_RED, SEQUENTIAL, _rgb, scale_colors


def _grid(rows=6, cols=7):
    return NumberGrid(np.linspace(-1, 1, rows * cols).reshape(rows, cols), cell_size=0.4)


def _odd_family():
    """Shared parts, a group inside two groups, z-indices, empty groups, a leaf reused."""
    a, b, c = Square(), Circle(), Dot()
    inner = VGroup(a, b)
    outer = VGroup(inner, c, VGroup(), VGroup(inner, Dot()))   # ``inner`` twice
    c.z_index = 2
    b.z_index = -1
    return [outer, VGroup(c, Square()), a]


def _all_variants(mobjects):
    for z, pts in itertools.product([False, True], repeat=2):
        assert fam.family_members(mobjects, z, pts) == manims_family(mobjects, z, pts), (z, pts)


def test_family_members_are_manims():
    grid = _grid()
    _all_variants([grid])
    _all_variants([grid])                         # now from the remembered walk
    assert grid in fam._WALKS
    _all_variants(_odd_family())


def test_family_of_a_mobject_inside_itself_stops_like_manims():
    a, b = VGroup(Square()), VGroup(Circle())
    a.add(b)
    b.submobjects.append(a)                       # a cycle (Manim's add refuses it)
    assert fam.family_members([a]) == a.get_family() == [a, a[0], b, b[0]]


def test_remembered_walk_follows_every_change():
    grid = _grid()
    fam.walk(grid)
    extra = Circle()
    cell = grid.cell(2, 3)
    for change in (lambda: cell.add(extra),               # a part added deep down
                   lambda: cell.remove(extra),            # and removed
                   lambda: grid.submobjects[1].submobjects.reverse(),   # reordered in place
                   lambda: grid.square(0, 0).add(Dot()),  # a leaf gains a part
                   lambda: grid.submobjects.pop(),        # a row taken away
                   lambda: grid.add(_grid(2, 2))):        # a grid added
        change()
        assert fam.family_members([grid]) == manims_family([grid])
    first = fam.walk(grid)
    first.clear()                                 # a caller's list is its own
    assert fam.walk(grid) == manims_family([grid])


def _animations(grid, window, other):
    return [
        [window.animate.shift(RIGHT).build()],
        [FadeIn(grid.cell(1, 1)), window.animate.shift(DOWN).build()],
        [AnimationGroup(FadeIn(other), Transform(grid.number(0, 0), Dot()))],
        [],                                       # updaters / foreground only
    ]


@pytest.mark.parametrize("case", ["plain", "updater", "foreground"])
def test_moving_and_static_mobjects_are_manims(case):
    """The same storyboard in a manim.Scene and a viz.anim.Scene: the same answers (as
    positions in each scene's own family list)."""
    with tempconfig({"disable_caching": True, "verbosity": "ERROR"}):
        scenes = []
        for cls in (Scene, VizScene):
            scene = cls()
            grid, window, other = _grid(), Square(0.5), Circle().shift(3 * RIGHT)
            scene.add(grid, other, window)
            if case == "updater":
                grid.number(3, 3).add_updater(lambda m, dt: None)
            if case == "foreground":
                scene.add_foreground_mobjects(other)
            scenes.append((scene, _animations(grid, window, other)))

        def where(scene, mobjects):
            index = {id(m): i for i, m in enumerate(manims_family(scene.mobjects))}
            return [index[id(m)] for m in mobjects]

        (manim, m_anims), (viz, v_anims) = scenes
        for ma, va in zip(m_anims, v_anims):
            assert where(manim, manim.get_moving_mobjects(*ma)) == \
                where(viz, viz.get_moving_mobjects(*va))
            m_moving, m_static = manim.get_moving_and_static_mobjects(ma)
            v_moving, v_static = viz.get_moving_and_static_mobjects(va)
            assert where(manim, m_moving) == where(viz, v_moving)
            assert where(manim, m_static) == where(viz, v_static)
            assert where(manim, manim.get_mobject_family_members()) == \
                where(viz, viz.get_mobject_family_members())


def test_moving_ids_match_manims_rule():
    grid, window = _grid(), Square()
    walks = [fam.walk(grid), fam.walk(window)]
    assert fam.moving_ids(walks, set(), set()) == set()
    assert fam.moving_ids(walks, {id(window)}, set()) == {id(window)}
    cell = grid.cell(2, 2)
    got = fam.moving_ids(walks, {id(grid.number(2, 2))}, set())
    # the number, and every ancestor of it (cell, row, grid)
    assert got == {id(grid.number(2, 2)), id(cell), id(grid.submobjects[2]), id(grid)}


class _Own(VMobject):
    """A class with its own update: called its way."""
    calls: list

    def update(self, dt=0, recursive=True):
        self.calls.append(("own", dt))
        return self


def test_update_tree_calls_manims_updaters_in_order():
    calls = []
    grid = _grid()
    fam.walk(grid)                                # remembered, then updaters appear
    grid.number(4, 5).add_updater(lambda m, dt: calls.append(("number", dt)))
    grid.cell(0, 1).add_updater(lambda m: calls.append(("cell", None)))
    grid.add_updater(lambda m, dt: calls.append(("grid", dt)))
    own = _Own()
    own.calls = calls
    grid.submobjects[5].add(own)
    sleeping = grid.cell(5, 0)
    sleeping.add_updater(lambda m, dt: calls.append(("suspended", dt)))
    sleeping.suspend_updating()
    fam.update_tree(grid, 0.25)
    ours, calls[:] = list(calls), []
    grid.update(0.25)
    assert ours == calls == [("grid", 0.25), ("cell", None), ("number", 0.25), ("own", 0.25)]


def test_update_tree_of_a_still_grid_changes_nothing():
    grid = _grid()
    before = [fingerprint(m) for m in grid.get_family()]
    fam.walk(grid)
    fam.update_tree(grid, 0.1)
    assert [fingerprint(m) for m in grid.get_family()] == before


def test_prints_see_every_change():
    grid = _grid(3, 3)
    leaves = grid.family_members_with_points()
    base = prints(leaves)
    assert base == prints(leaves) == prints(_grid(3, 3).family_members_with_points())
    for change in (lambda: grid.square(1, 1).set_fill("#FF0000"),
                   lambda: grid.number(0, 2).shift(0.001 * RIGHT),
                   lambda: grid.square(2, 0).set_stroke(width=3),
                   lambda: grid.number(2, 2).set_fill(opacity=0.5)):
        change()
        now = prints(leaves)
        assert base != now
        base = now


def _reference_critical_point(m, direction):
    """Mobject.get_critical_point on every part's anchors, as VMobject computes them."""
    return Mobject.get_critical_point(VGroup(*m.submobjects), direction)


def test_grid_critical_points_are_manims():
    grid = _grid(5, 9).shift(0.3 * RIGHT)
    far = Line([0, 0, 0], [6, 4.5, 0])            # ends at the top right: its last anchor
    grid.add(far)
    lone = VMobject()
    lone.points = np.array([[1.0, 3.5, 0.0]])     # a part of one point (its own anchor)
    grid.add(VGroup(Circle().shift(4 * RIGHT), Dot([-5, -2, 0])), lone)   # odd parts too
    for g in (_grid(4, 4), grid):
        for d in itertools.product([-1, 0, 1], repeat=3):
            d = np.array(d, float)
            assert np.array_equal(g.get_critical_point(d), _reference_critical_point(g, d)), d
        b = g.get_points_defining_boundary()
        ref = VGroup(*g.submobjects).get_points_defining_boundary()
        assert np.array_equal(b.min(axis=0), ref.min(axis=0))
        assert np.array_equal(b.max(axis=0), ref.max(axis=0))
    assert np.array_equal(NumberGrid(np.ones((1, 1))).get_center(), ORIGIN)


def test_corner_outlines_are_set_points_as_corners():
    rng = np.random.default_rng(3)
    corners = rng.normal(size=(20, 5, 3)) * 3
    ours = _corner_outlines(corners)
    for c, o in zip(corners, ours):
        assert np.array_equal(VMobject().set_points_as_corners(c).points, o)


def test_path_ops_many_is_path_ops_one_by_one():
    from manim import Arrow, DashedLine, Text
    grid = _grid(3, 4)
    shapes = grid.family_members_with_points() + [
        Circle(), Square(), Arrow(ORIGIN, RIGHT), Line(ORIGIN, DOWN)]
    shapes += Text("Ag%", font_size=30).family_members_with_points()
    shapes += DashedLine(ORIGIN, 2 * RIGHT).family_members_with_points()
    broken = VMobject()
    broken.set_points(np.concatenate([Square().points, Circle().points[:8] + 3]))
    shapes.append(broken)
    shapes = [m for m in shapes if len(m.points)]
    assert all(len(m.points) % 4 == 0 for m in shapes)      # the all-at-once path
    todo = [(m, m.points.tobytes(), m.points) for m in shapes]
    assert _path_ops_many(todo) == [_path_ops(m, m.points) for m in shapes]


def _scalar_colors(values, palette=None, vmin=None, vmax=None):
    """scale_colors one value at a time, straight from its definition: limits from the
    data (with 0, and 1 for a sequential top) unless given; a 3-colour palette centred on
    0, a 2-colour one from low to high; each channel rounded half to even."""
    v = [float(x) for x in np.ravel(values)]
    low = vmin if vmin is not None else min([0.0, *v])
    pal = [_rgb(c) for c in (palette or (DIVERGING if low < 0 else SEQUENTIAL))]
    out = []
    for x in v:
        if len(pal) == 3:
            top = vmax if vmax is not None else max([0.0, *v])
            m = max(abs(low), abs(top)) or 1.0
            t = min(max(x / m, -1.0), 1.0)
            rgb = pal[1] + (pal[2] - pal[1]) * t if t >= 0 else pal[1] + (pal[0] - pal[1]) * -t
        else:
            hi = vmax if vmax is not None else max([1.0, *v])
            t = min(max((x - low) / ((hi - low) or 1.0), 0.0), 1.0)
            rgb = pal[0] + (pal[1] - pal[0]) * t
        out.append("#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02X}" for c in rgb))
    return out


@pytest.mark.parametrize("kw", [{}, {"vmin": -2, "vmax": 3}, {"palette": GREEN_RED},
                                {"palette": SEQUENTIAL, "vmin": 0, "vmax": 1},
                                {"palette": ("#000000", "#FFFFFF"), "vmin": 0, "vmax": 1}])
def test_scale_colors_all_at_once_equal_one_by_one(kw):
    rng = np.random.default_rng(0)
    for values in (rng.normal(size=300) * 4, np.abs(rng.normal(size=300)),
                   np.round(np.linspace(-1, 1, 511) * 255) / 255,
                   np.arange(511) / 510):     # black to white: channels of exactly k + 0.5
        assert scale_colors(values, **kw) == _scalar_colors(values, **kw)


def test_scale_colors_names_a_nan():
    with pytest.raises(ValueError, match="NaN at index 2"):
        scale_colors([0.0, 1.0, np.nan])


def test_inflight_encoders_leave_the_config_as_it_was():
    from manim import config
    with tempconfig({"disable_caching": True, "max_inflight_encoders": 1}):
        scene = VizScene()
        assert config.max_inflight_encoders == 1
        assert scene.renderer.file_writer.settings.max_inflight_encoders == VizScene.inflight_encoders


def test_render_shortens_the_switch_interval_and_restores_it(tmp_path):
    import sys
    seen = []

    class Still(VizScene):
        def construct(self):
            seen.append(sys.getswitchinterval())
            self.add(Square())
            if len(seen) == 2:
                raise RuntimeError("a storyboard that fails")

    before = sys.getswitchinterval()
    with tempconfig({"disable_caching": True, "verbosity": "ERROR", "media_dir": str(tmp_path),
                     "write_to_movie": False, "save_last_frame": False, "progress_bar": "none"}):
        Still().render()
        with pytest.raises(RuntimeError, match="fails"):
            Still().render()
    assert seen == pytest.approx([VizScene.switch_interval] * 2) and seen[0] < before
    assert sys.getswitchinterval() == before


# ----- quiet plays: one look for updaters per play, where nothing can add one -----------
from manim import UpdateFromFunc, linear  # noqa: E402
from manim.renderer.cairo_renderer import CairoRenderer  # noqa: E402

from viz.anim import quiet  # noqa: E402
from viz.anim.render import RegionRenderer  # noqa: E402


def test_quiet_animations_are_manims_own_with_manims_functions():
    sq, c = Square(), Circle()

    class MyTransform(Transform):
        pass

    assert quiet.quiet_animations([Transform(sq, c), FadeIn(c), sq.animate.shift(RIGHT).build()])
    assert quiet.quiet_animations([AnimationGroup(FadeIn(sq), Transform(sq, c, rate_func=linear))])
    assert not quiet.quiet_animations([MyTransform(sq, c)])
    assert not quiet.quiet_animations([Transform(sq, c, rate_func=lambda t: t)])
    assert not quiet.quiet_animations([Transform(sq, c, path_func=lambda a, b, t: a)])
    assert not quiet.quiet_animations([AnimationGroup(FadeIn(sq), UpdateFromFunc(c, lambda m: m))])


class _Frames:
    def add_frame(self, frame, num_frames=1):
        self.frames.extend([frame.copy()] * num_frames)
        super().add_frame(frame, num_frames)


class _PlainFrames(_Frames, CairoRenderer):
    pass


class _VizFrames(_Frames, RegionRenderer):
    pass


def _sneaky_storyboard(scene):
    """Updaters that appear in the middle of a play, added by user code that runs while
    it plays (an UpdateFromFunc, a rate function of one's own), between quiet plays."""
    grid = _grid(6, 6)
    window = Square(0.5, color="#E69F00")
    scene.add(grid, window)
    scene.play(window.animate.shift(RIGHT), run_time=0.4)            # quiet
    cell = grid.cell(2, 2)

    def add_once(m, alpha=None):
        if not cell.updaters and (alpha is None or alpha > 0.5):
            cell.add_updater(lambda x, dt: x.shift(0.6 * dt * RIGHT))
    scene.play(UpdateFromFunc(window, lambda m: add_once(m, None)), run_time=0.3)
    cell.clear_updaters()
    scene.play(window.animate.shift(DOWN), run_time=0.4)             # quiet again

    def rate(t):
        add_once(None, t)
        return t
    scene.play(window.animate.shift(RIGHT), rate_func=rate, run_time=0.4)
    scene.play(window.animate.shift(DOWN), run_time=0.3)             # with the updater


def test_updaters_added_mid_play_run_as_in_manim(tmp_path, monkeypatch):
    from viz.anim import scene as viz_scene
    calls = []
    real = viz_scene.update_tree

    def counting(m, dt):
        calls.append(m)
        return real(m, dt)
    monkeypatch.setattr(viz_scene, "update_tree", counting)
    frames = []
    for scene_cls, renderer_cls in ((Scene, _PlainFrames), (VizScene, _VizFrames)):
        with tempconfig({"quality": "low_quality", "disable_caching": True, "verbosity": "ERROR",
                         "progress_bar": "none", "media_dir": str(tmp_path),
                         "write_to_movie": True, "format": "mp4"}):
            renderer = renderer_cls()
            renderer.frames = []

            class Sneaky(scene_cls):
                def construct(self):
                    _sneaky_storyboard(self)

            Sneaky(renderer=renderer).render()
            frames.append(renderer.frames)
    plain, ours = frames
    assert len(plain) == len(ours) > 20
    for i, (a, b) in enumerate(zip(plain, ours)):
        assert np.array_equal(a, b), f"frame {i} differs"
    # the cell moved: the updaters ran (in both)
    assert not np.array_equal(plain[len(plain) // 2], plain[-1])
    # quiet plays looked once per play (+ its last update), the others every frame
    per_frame = 2 * (len(ours) + 5)               # two roots, every frame and every end
    assert len(calls) < 0.75 * per_frame, (len(calls), per_frame)
