"""Redraw only what moves: a Cairo renderer for scenes with thousands of still mobjects.

Manim's Cairo renderer draws the mobjects that come *before* the first animated one in
drawing order once per ``play`` (its "static image") and redraws everything after it on
every frame. One cell of a 28x28 ``NumberGrid`` changing, or a window moving over a
grid added later, therefore redraws whole grids (~2,400 paths) 15-60 times a second.

``RegionRenderer`` draws each ``play`` the same frames, but per frame it only redraws
the part of the picture that the moving mobjects touch:

1. once per ``play``: the *still image*: background + every mobject that is not moving,
   in drawing order (moving = the family of an animated mobject). A ``play`` with
   updaters or ``UpdateFromFunc``-style animations, whose effects are arbitrary, is
   drawn Manim's way;
2. every frame: the screen is cut into ``TILE``-pixel tiles; the tiles under a moving
   mobject's bounding box (grown by its stroke, mitre joins and anti-aliasing) are
   marked; every mobject, moving or not, whose box reaches a marked tile is drawn in
   drawing order onto the background, and those tiles are copied over the still image;
3. a play that fades (``viz.anim.fades.FadeIn``/``FadeOut``, ``crossfade``, ``SwapText``,
   or Manim's fades without shift or scale) is blended: each fading outline is drawn
   once, alone, and composited per frame at its opacity (:mod:`viz.anim.fadeframes`);
4. a play Manim draws itself reuses its static image while the still mobjects are
   unchanged (a window moving over a grid: the grid is drawn once, not once per play).

A pixel outside the marked tiles is touched by no moving mobject, so it is the still
image's pixel; a pixel inside is drawn from every mobject that touches it, in order:
the frame is pixel-for-pixel the one Manim draws (a blended fade: within a few levels
of 255, see :mod:`viz.anim.fadeframes`). Where that cannot be guaranteed
(z-indices, a moving camera, foreground mobjects, point clouds, background images,
or most of the screen moving), a ``play`` falls back to Manim's own drawing.

Use :class:`viz.anim.Scene` (a ``manim.Scene`` with this renderer) for toolkit scenes;
``VIZ_PLAIN_RENDERER=1`` in the environment switches back to Manim's renderer (to
compare frames or times).
"""
from __future__ import annotations

import numpy as np
from manim import config
from manim.animation.composition import AnimationGroup
from manim.animation.updaters.update import MaintainPositionRelativeTo, UpdateFromFunc
from manim.camera.camera import Camera
from manim.camera.moving_camera import MovingCamera
from manim.constants import LineJointType, RendererType
from manim.mobject.mobject import Mobject
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.mobject.types.vectorized_mobject import VMobject
from manim.renderer.cairo_renderer import CairoRenderer

from .fadeframes import fade_frame, plan_fades
from .family import family_members
from .fastpath import _fast_camera_class
from .prints import prints

TILE = 8                 # pixels per tile side
FULL_REDRAW = 0.6        # above this share of tiles marked, redraw everything (cheaper)
_AA = 2.0                # anti-aliasing margin, pixels
_MITRE = 10.0            # cairo's default mitre limit
_OPAQUE = (UpdateFromFunc, MaintainPositionRelativeTo)


def _opaque(anim) -> bool:
    """An animation whose effect may reach beyond its own mobject's family."""
    if isinstance(anim, AnimationGroup):
        return any(_opaque(a) for a in anim.animations)
    if getattr(anim, "changes_only_its_mobject", False):     # viz.anim.fades.SwapText
        return False
    return isinstance(anim, _OPAQUE) or not type(anim).__module__.startswith("manim.")


def _keeps_structure(anim) -> bool:
    """An animation that changes no mobject's list of parts while it plays."""
    from .fades import SwapText, _OpacityOnly
    if isinstance(anim, _OpacityOnly):
        return anim._leaves is not None
    return isinstance(anim, SwapText) and not anim.mobject.submobjects


def mark_tiles(boxes, shape) -> np.ndarray:
    """The tiles (a ``shape`` bool array) that any of the (n, 4) inclusive tile boxes
    x0, y0, x1, y1 covers; an empty box (x0 > x1) covers none."""
    marked = np.zeros(shape, bool)
    for x0, y0, x1, y1 in boxes:
        if x0 <= x1 and y0 <= y1:
            marked[y0:y1 + 1, x0:x1 + 1] = True
    return marked


def touching(boxes, marked) -> np.ndarray:
    """Indices of the (n, 4) tile boxes that reach a marked tile (a summed-area table)."""
    ny, nx = marked.shape
    sat = np.zeros((ny + 1, nx + 1), np.int64)
    sat[1:, 1:] = marked.cumsum(0).cumsum(1)
    x0, y0, x1, y1 = (np.clip(boxes[:, k], 0, lim) for k, lim in
                      zip(range(4), (nx - 1, ny - 1, nx - 1, ny - 1)))
    visible = (boxes[:, 0] <= boxes[:, 2]) & (boxes[:, 1] <= boxes[:, 3])
    hits = sat[y1 + 1, x1 + 1] - sat[y0, x1 + 1] - sat[y1 + 1, x0] + sat[y0, x0]
    return np.flatnonzero(visible & (hits > 0))


def _runs(marked):
    """Marked tiles as pixel slices (rows, cols): runs of marked tiles along each row."""
    out = []
    for y in np.flatnonzero(marked.any(axis=1)):
        d = np.diff(np.concatenate([[0], marked[y].view(np.int8), [0]]))
        ys = slice(int(y) * TILE, (int(y) + 1) * TILE)
        for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
            out.append((ys, slice(int(a) * TILE, int(b) * TILE)))
    return out


class _Plan:
    """Drawing order and still image of one ``play``."""

    __slots__ = ("prefix", "roots", "top_ids", "root_ids", "order", "moving", "static_boxes", "still",
                 "prefix_image", "n_prefix", "fade")


class RegionRenderer(CairoRenderer):
    """``CairoRenderer`` that redraws, per frame, only the tiles moving mobjects touch."""

    #: Below this many mobjects in what Manim redraws per frame, its own way is cheaper
    #: than planning (kernel-sliding's 7x7 grids: ~15 % slower with a plan every play).
    MIN_MOVING = 400

    def __init__(self, *args, camera_class=None, **kwargs):
        super().__init__(*args, camera_class=_fast_camera_class(camera_class), **kwargs)
        self._plan: _Plan | None = None
        self._last_still = None      # (fingerprints, boxes, image) of the last still image
        self._patch_cache = {}       # fingerprint -> a mobject's paints alone (fadeframes)
        self._last_manim_still = None  # (fingerprints, image) of Manim's last static image
        self.stats = {"plays": 0, "fallback_plays": 0, "frames": 0, "full_frames": 0,
                      "replans": 0, "drawn": 0, "still_reused": 0}

    # ----- one play ------------------------------------------------------------------
    def save_static_frame_data(self, scene, static_mobjects):
        self._plan = None
        if not scene.is_current_animation_frozen_frame():
            self.stats["plays"] += 1
            self._plan = self._make_plan(scene)
            if self._plan is None:
                self.stats["fallback_plays"] += 1
        if self._plan is None:
            return self._manim_still(scene, static_mobjects)
        self.static_image = None
        return None

    def _manim_still(self, scene, static_mobjects):
        """Manim's static image, reused while the still mobjects draw the same (a
        window moving over a grid: the grid is drawn once, not once per play)."""
        if not static_mobjects or not self._supported_camera():
            return super().save_static_frame_data(scene, static_mobjects)
        family = family_members(static_mobjects, self.camera.use_z_index, True)
        kinds = self.camera.kinds(family)
        if not set(kinds) <= {Mobject, VMobject, AbstractImageMobject} or any(
                m.get_background_image() is not None
                for m, kind in zip(family, kinds) if kind is VMobject):
            return super().save_static_frame_data(scene, static_mobjects)
        drawn = [m for m, kind in zip(family, kinds) if kind is not Mobject]  # not ValueTrackers
        key = (id(self.camera.background), prints(drawn))
        last = self._last_manim_still
        if last is not None and last[0] == key:
            self.static_image = last[1]
            self.stats["still_reused"] += 1
            return self.static_image
        image = super().save_static_frame_data(scene, static_mobjects)
        self._last_manim_still = (key, self.static_image)
        return image

    def _supported_camera(self) -> bool:
        cam = self.camera
        return (config.renderer == RendererType.CAIRO and not isinstance(cam, MovingCamera)
                and type(cam).transform_points_pre_display is Camera.transform_points_pre_display
                and type(cam).display_multiple_vectorized_mobjects
                is Camera.display_multiple_vectorized_mobjects)

    def _supported(self, scene) -> bool:
        return (self._supported_camera() and not scene.foreground_mobjects
                and bool(scene.moving_mobjects))

    def _make_plan(self, scene) -> _Plan | None:
        if len(scene.moving_mobjects) < self.MIN_MOVING or not self._supported(scene):
            return None
        use_z = self.camera.use_z_index
        prefix = family_members(scene.static_mobjects, use_z, True)
        suffix = family_members(scene.moving_mobjects, use_z, True)
        order = []
        n_prefix = 0
        for k, m in enumerate(prefix + suffix):
            kind = self.camera.type_or_raise(m)
            if kind is Mobject:          # drawn as nothing (a ValueTracker's one point)
                continue
            if m.z_index != 0 or (kind is VMobject and m.get_background_image() is not None):
                return None
            if kind is not VMobject and kind is not AbstractImageMobject:
                return None              # point clouds: not handled here
            order.append(m)
            n_prefix += k < len(prefix)
        # What may change during the play: the families of the animated mobjects, and
        # what Manim itself redraws for updaters and opaque animations.
        moving = set()
        roots = []                     # whose families may change shape during the play
        precise = []
        manim_moving = []
        for anim in scene.animations:
            if _opaque(anim):
                manim_moving += scene.get_moving_mobjects(anim)
            else:
                precise.append(anim)
        manim_moving += scene.get_moving_mobjects()        # updaters (and foreground) only
        if manim_moving:
            # An updater or an UpdateFromFunc may change any mobject, even one Manim keeps
            # in its static image from the start of the play (drawn stale): only Manim's
            # own drawing gives Manim's frames then.
            return None
        for m in manim_moving:
            moving.update(id(x) for x in m.get_family())
        manim_ids = {id(m) for m in manim_moving}
        roots += [m for m in scene.mobjects if id(m) in manim_ids]
        for anim in precise:
            roots.append(anim.mobject)
            if isinstance(anim, AnimationGroup):
                roots += [sub.mobject for sub in anim.animations]
        for m in roots:
            moving.update(id(x) for x in m.get_family())
        plan = _Plan()
        plan.prefix = prefix
        plan.roots = roots
        plan.top_ids = [id(m) for m in scene.mobjects]
        # fades and SwapText (of one outline) never add or remove parts: no need to look
        plan.root_ids = None if all(_keeps_structure(a) for a in precise) else self._leaf_ids(roots)
        plan.order = order
        plan.moving = np.array([id(m) in moving for m in order], bool)
        plan.prefix_image = None
        plan.n_prefix = n_prefix
        if not plan.moving.any():
            return None
        plan.fade = plan_fades(self, precise, order, plan.moving)
        still = [m for m, mv in zip(order, plan.moving) if not mv]
        key = prints(still)
        if self._last_still is not None and self._last_still[0] == key:
            plan.static_boxes, plan.still = self._last_still[1:]   # nothing still changed
            self.stats["still_reused"] += 1
            return plan
        plan.static_boxes = self._tile_boxes(still)
        cam = self.camera
        cam.reset()
        cam.capture_mobjects(still, include_submobjects=False)
        plan.still = cam.pixel_array.copy()
        self._last_still = (key, plan.static_boxes, plan.still)
        return plan

    # ----- one frame -----------------------------------------------------------------
    def render(self, scene, time, moving_mobjects=None):
        plan = self._plan
        if plan is not None:
            if ([id(m) for m in scene.mobjects] != plan.top_ids
                    or (plan.root_ids is not None
                        and self._leaf_ids(plan.roots) != plan.root_ids)):   # changed mid-play
                self.stats["replans"] += 1
                if plan.fade is not None:
                    plan.fade.release()
                plan = self._plan = self._make_plan(scene)
                if plan is None:
                    super().save_static_frame_data(scene, scene.static_mobjects)
        if plan is None:
            return super().render(scene, time, moving_mobjects)
        self.stats["frames"] += 1
        if plan.fade is not None and fade_frame(self, plan):
            return None
        cam = self.camera
        order, moving = plan.order, plan.moving
        movers = [m for m, mv in zip(order, moving) if mv]
        if len(movers) > FULL_REDRAW * len(order):
            return self._manim_frame(plan)
        mover_boxes = self._tile_boxes(movers)
        marked = mark_tiles(mover_boxes, self._tiles_shape())
        if marked.mean() > FULL_REDRAW:
            return self._manim_frame(plan)
        boxes = np.empty((len(order), 4), np.int64)
        boxes[~moving] = plan.static_boxes
        boxes[moving] = mover_boxes
        hit = touching(boxes, marked)
        chosen = [order[i] for i in hit]
        self.stats["drawn"] += len(chosen)
        if any(isinstance(m, AbstractImageMobject) for m in chosen):
            # pictures are pasted, not clipped: draw on a clean frame, copy the tiles
            cam.reset()
            cam.capture_mobjects(chosen, include_submobjects=False)
            mask = np.repeat(np.repeat(marked, TILE, 0), TILE, 1)[:cam.pixel_height,
                                                                  :cam.pixel_width]
            np.copyto(cam.pixel_array, plan.still, where=~mask[..., None])
        else:
            # the still image with the marked tiles cleared to the background; the
            # chosen mobjects drawn; the tiles they spilled onto restored from the still
            cam.set_frame_to_background(plan.still)
            pa, bg, still = cam.pixel_array, cam.background, plan.still
            for ys, xs in _runs(marked):
                pa[ys, xs] = bg[ys, xs]
            cam.capture_mobjects(chosen, include_submobjects=False)
            for ys, xs in _runs(mark_tiles(boxes[hit], marked.shape) & ~marked):
                pa[ys, xs] = still[ys, xs]
        self.add_frame(self.get_frame())
        return None

    def _leaf_ids(self, mobjects):
        return [id(m) for m in family_members(mobjects, self.camera.use_z_index,
                                                              True)]

    def _manim_frame(self, plan):
        """Manim's own way (most of the screen moves): the mobjects before the first
        moving one from an image, everything after it drawn."""
        self.stats["full_frames"] += 1
        cam = self.camera
        if plan.prefix_image is None:
            cam.reset()
            cam.capture_mobjects(plan.order[:plan.n_prefix], include_submobjects=False)
            plan.prefix_image = cam.pixel_array.copy()
        cam.set_frame_to_background(plan.prefix_image)
        cam.capture_mobjects(plan.order[plan.n_prefix:], include_submobjects=False)
        self.stats["drawn"] += len(plan.order) - plan.n_prefix
        self.add_frame(self.get_frame())

    # ----- geometry --------------------------------------------------------------------
    def _tiles_shape(self):
        cam = self.camera
        return -(-cam.pixel_height // TILE), -(-cam.pixel_width // TILE)

    def _tile_boxes(self, mobjects) -> np.ndarray:
        """(n, 4) int tile ranges x0, y0, x1, y1 (inclusive) that each mobject may touch;
        an empty range (x0 > x1) for one entirely off screen."""
        cam = self.camera
        pw, ph, fw, fh = cam.pixel_width, cam.pixel_height, cam.frame_width, cam.frame_height
        fc = cam.frame_center
        sx, sy = pw / fw, ph / fh
        out = np.empty((len(mobjects), 4), np.int64)
        ny, nx = self._tiles_shape()
        for k, m in enumerate(mobjects):
            pts = m.points
            if len(pts) == 0 or not np.isfinite(pts).all():
                out[k] = (1, 1, 0, 0)
                continue
            if isinstance(m, AbstractImageMobject) and len(pts) == 3:   # UL, UR, DL
                pts = np.vstack([pts, pts[1] + pts[2] - pts[0]])
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            if isinstance(m, VMobject):
                w = max(m.get_stroke_width(False), m.get_stroke_width(True))
                pad = w * cam.cairo_line_width_multiple * sx / 2
                if m.joint_type in (LineJointType.AUTO, LineJointType.MITER):
                    pad *= _MITRE
                pad += _AA
            else:
                pad = _AA + 1
            px0 = (lo[0] - fc[0]) * sx + pw / 2 - pad
            px1 = (hi[0] - fc[0]) * sx + pw / 2 + pad
            py0 = ph / 2 - (hi[1] - fc[1]) * sy - pad
            py1 = ph / 2 - (lo[1] - fc[1]) * sy + pad
            bx0, by0 = int(np.floor(px0 / TILE)), int(np.floor(py0 / TILE))
            bx1, by1 = int(np.floor(px1 / TILE)), int(np.floor(py1 / TILE))
            if bx1 < 0 or by1 < 0 or bx0 >= nx or by0 >= ny:
                out[k] = (1, 1, 0, 0)
            else:
                out[k] = (max(bx0, 0), max(by0, 0), min(bx1, nx - 1), min(by1, ny - 1))
        return out

