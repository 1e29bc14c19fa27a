"""Fades drawn once per play, then blended: the part of :class:`RegionRenderer` for
``FadeIn``/``FadeOut`` (no shift, no scale), ``crossfade`` and ``SwapText``.

A fade changes only opacities, so every frame of it redraws the same outlines with
fainter colours: a 28x28 grid fading out costs ~2,400 paths a frame. Cairo draws each
path as three paints (background stroke, fill, stroke), each ``dst = src * a * cover +
dst * (1 - a * cover)``. With the opacity scaled by ``k`` that is
``dst = k * P + dst * (1 - k * P_alpha)``, where ``P`` is the same paint alone on a
transparent patch at full opacity: drawn once per play, blended per frame with numpy,
in the same order and with the same ``k`` Manim gives each part. Frames differ from
Cairo's only by rounding (at most a few levels of 255, measured in the tests); a frame
where every fading part is fully on or off is drawn by Cairo itself, so the first and
last frame of every play are Manim's exactly.
"""
from __future__ import annotations

import cairo
import numpy as np
from manim.animation.composition import AnimationGroup
from manim.animation.fading import FadeIn, _Fade
from manim.mobject.types.vectorized_mobject import VMobject

from .fades import _PAINTS, SwapText, _OpacityOnly
from .prints import fingerprint

_CACHE_LIMIT = 20_000


class _Full:
    """A leaf at full opacity: a mobject, with the colours to draw it in."""

    __slots__ = ("mobject", "rgbas")

    def __init__(self, mobject, rgbas=None):
        self.mobject = mobject
        self.rgbas = rgbas or tuple(getattr(mobject, a) for a in _PAINTS)

    @property
    def points(self):
        return self.mobject.points

    def alphas(self) -> tuple:
        m = self.mobject
        bg, fill, stroke = self.rgbas[2], self.rgbas[0], self.rgbas[1]
        return (_top(bg) if m.get_stroke_width(True) else 0.0, _top(fill),
                _top(stroke) if m.get_stroke_width() else 0.0)

    def draw(self, fn):
        """``fn(mobject)`` with the mobject showing these colours."""
        m = self.mobject
        now = tuple(getattr(m, a) for a in _PAINTS)
        if all(x is y for x, y in zip(now, self.rgbas)):
            return fn(m)
        for a, r in zip(_PAINTS, self.rgbas):
            setattr(m, a, r)
        try:
            return fn(m)
        finally:
            for a, r in zip(_PAINTS, now):
                setattr(m, a, r)


def _top(rgbas) -> float:
    return float(rgbas[0, 3]) if len(rgbas) == 1 else float(rgbas[:, 3].max())


def _leaf_sources(anim):
    """``[(leaf, source)]`` for a fade animation, ``[]`` for an animation that is not
    one, ``None`` for one that cannot be blended. A source is ``(anim, i, _Full)`` for
    :class:`viz.anim.fades.FadeIn`/``FadeOut`` (k from the animation's alpha) or a list
    of full states to match the leaf against (k from the leaf's own opacity)."""
    if isinstance(anim, _OpacityOnly):
        if anim._leaves is None:
            return []
        return [(m, (anim, i, _Full(m, full)))
                for i, ((m, _, _), full) in enumerate(zip(anim._leaves, anim.full_states))]
    if isinstance(anim, _Fade):
        if anim.scale_factor != 1 or np.any(np.asarray(anim.shift_vector) != 0):
            return []
        full = 2 if isinstance(anim, FadeIn) else 1       # target_copy / starting_mobject
        out = []
        for fam in anim.get_all_families_zipped():
            leaf, src = fam[0], fam[full]
            if not (isinstance(leaf, VMobject) and isinstance(src, VMobject)) \
                    or leaf.points.shape != src.points.shape \
                    or not np.array_equal(leaf.points, src.points):
                return None
            out.append((leaf, [_Full(src)]))
        return out
    if isinstance(anim, SwapText):
        leaf = anim.mobject
        if leaf.submobjects or not isinstance(leaf, VMobject) or anim._old.submobjects \
                or anim._new.submobjects:
            return None
        return [(leaf, (anim, 0, {id(m): _Full(m) for m in (anim._old, anim._new)}))]
    return []


def _alphas(m) -> tuple:
    """Largest opacity of each paint (background stroke, fill, stroke); 0 where not drawn."""
    return _Full(m).alphas()


class FadePlan:
    """The fading leaves of one play, their patches drawn lazily."""

    def __init__(self, renderer, order, leaves: dict):
        self.renderer = renderer
        self.index = {i: leaves[id(m)] for i, m in enumerate(order) if id(m) in leaves}
        self.is_fade = np.zeros(len(order), bool)
        self.is_fade[list(self.index)] = True
        self.deferred = {id(src[0]): src[0] for src in self.index.values()
                         if isinstance(src, tuple)}
        for anim in self.deferred.values():
            anim.deferred = True
        self._boxes: dict = {}
        self._patches: dict = {}

    def release(self):
        """Hand the fades back to Manim (the play is drawn another way from now on)."""
        for anim in self.deferred.values():
            anim.deferred = False
            anim.apply()

    def box(self, full):
        hit = self._boxes.get(id(full))
        if hit is None:
            hit = self._boxes[id(full)] = full.draw(lambda m: self.renderer._tile_boxes([m])[0])
        return hit

    def apply(self):
        """Bring deferred fades' leaves up to date (before Cairo draws them)."""
        for anim in self.deferred.values():
            anim.apply()

    def state(self, order):
        """Per fading leaf (index in ``order``): (full state, k per paint), and whether
        every k is 0 or 1; ``None`` when a leaf matches none of its full states."""
        out = {}
        exact = True
        subs = {}
        for i, src in self.index.items():
            if isinstance(src, tuple) and isinstance(src[0], SwapText):
                shown, k = src[0].shown()
                full = src[2][id(shown)]
                ks = (k, k, k) if len(shown.points) else (0.0, 0.0, 0.0)
            elif isinstance(src, tuple):
                anim, j, full = src
                if id(anim) not in subs:
                    subs[id(anim)] = anim.sub_alphas()
                a = subs[id(anim)][j]
                k = a if anim.fading_in else 1.0 - a
                ks = (k, k, k)
            else:
                leaf = order[i]
                if not len(leaf.points):
                    out[i] = None, (0.0, 0.0, 0.0)
                    continue
                full = src[0] if len(src) == 1 else next(
                    (c for c in src if c.points.shape == leaf.points.shape
                     and np.array_equal(c.points, leaf.points)), None)
                if full is None:
                    return None, False
                ks = tuple(c / f if f > 0 else 0.0
                           for c, f in zip(_alphas(leaf), full.alphas()))
            exact = exact and all(k in (0.0, 1.0) for k in ks)
            out[i] = full, ks
        return out, exact

    def patches(self, full):
        """(y0, x0, premultiplied RGBA 0..255, alpha 0..1) per paint of a ``_Full``
        (or a still mobject) at its own opacity, as float32."""
        hit = self._patches.get(id(full))
        if hit is None:
            f = full if isinstance(full, _Full) else _Full(full)
            hit = self._patches[id(full)] = f.draw(lambda m: self._cached(self.renderer, m))
        return hit

    @staticmethod
    def _cached(r, m):
        key = fingerprint(m)
        hit = r._patch_cache.get(key)
        if hit is None:
            hit = _draw_patches(r, m)
            if len(r._patch_cache) > _CACHE_LIMIT:
                r._patch_cache.clear()
            r._patch_cache[key] = hit
        return hit


def _draw_patches(renderer, m):
    cam = renderer.camera
    (x0, y0, x1, y1), = renderer._tile_boxes([m])
    if x0 > x1:
        return ()
    from .render import TILE
    px0, py0 = x0 * TILE, y0 * TILE
    px1, py1 = min((x1 + 1) * TILE, cam.pixel_width), min((y1 + 1) * TILE, cam.pixel_height)
    w, h = px1 - px0, py1 - py0
    pw, ph, fw, fh, fc = (cam.pixel_width, cam.pixel_height, cam.frame_width,
                          cam.frame_height, cam.frame_center)
    matrix = cairo.Matrix(pw / fw, 0, 0, -(ph / fh), pw / 2 - fc[0] * pw / fw - px0,
                          ph / 2 + fc[1] * ph / fh - py0)
    out = []
    for part, alpha in zip(("background", "fill", "stroke"), _alphas(m)):
        if alpha <= 0:
            out.append(None)
            continue
        arr = np.zeros((h, w, 4), np.uint8)
        surface = cairo.ImageSurface.create_for_data(arr.data, cairo.FORMAT_ARGB32, w, h)
        ctx = cairo.Context(surface)
        ctx.set_matrix(matrix)
        cam.set_cairo_context_path(ctx, m)
        if part == "fill":
            cam.apply_fill(ctx, m)
        else:
            cam.apply_stroke(ctx, m, background=part == "background")
        surface.flush()
        del ctx, surface
        ys, xs = np.nonzero(arr[..., 3])
        if not len(ys):
            out.append(None)
            continue
        a, b, c, d = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        p = arr[a:b, c:d].astype(np.float32)
        out.append((py0 + int(a), px0 + int(c), p, p[..., 3:4] / 255.0))
    return tuple(out)


def blend(pa, patch, k: float) -> None:
    """``pa = k * P + pa * (1 - k * P_alpha)`` over the patch's pixels (premultiplied)."""
    y0, x0, p, a = patch
    h, w = p.shape[:2]
    d = pa[y0:y0 + h, x0:x0 + w]
    f = d * (1.0 - k * a)
    f += k * p
    f += 0.5
    np.minimum(f, 255, out=f)
    d[...] = f


def plan_fades(renderer, animations, order, moving):
    """A :class:`FadePlan` for a play whose fading leaves can be blended, else ``None``."""
    leaves: dict = {}
    others = set()
    stack = list(animations)
    while stack:
        anim = stack.pop()
        if isinstance(anim, AnimationGroup):
            stack += anim.animations
            continue
        found = _leaf_sources(anim)
        if found is None:
            return None
        if not found:
            others.update(id(x) for x in anim.mobject.get_family())
        for leaf, cands in found:
            if id(leaf) in leaves:
                return None
            if cands:                  # else it never has points: nothing to draw
                leaves[id(leaf)] = cands
    if not leaves or others & leaves.keys():
        return None
    plan = FadePlan(renderer, order, leaves)
    if not plan.index or not moving[plan.is_fade].all():
        return None
    return plan


def fade_frame(renderer, plan) -> bool:
    """Draw this frame of a fading play by blending patches; ``False`` when Cairo must
    draw it (every fade fully on or off: Manim's exact frame; or a picture in the way)."""
    from manim.mobject.types.image_mobject import AbstractImageMobject

    from .render import _runs, mark_tiles, touching
    fp = plan.fade
    order, moving = plan.order, plan.moving
    state, exact = fp.state(order)
    if state is None or exact:
        fp.apply()
        return False
    cam = renderer.camera
    n = len(order)
    boxes = np.empty((n, 4), np.int64)
    boxes[~moving] = plan.static_boxes
    movers = np.flatnonzero(moving & ~fp.is_fade)
    if len(movers):
        boxes[movers] = renderer._tile_boxes([order[i] for i in movers])
    fade_patches = {}
    for i, (src, ks) in state.items():
        if src is None or not any(ks):
            boxes[i] = (1, 1, 0, 0)
            continue
        fade_patches[i] = (fp.patches(src), ks)
        boxes[i] = fp.box(src)
    marked = mark_tiles(boxes[moving], renderer._tiles_shape())
    chosen = touching(boxes, marked)
    if any(isinstance(order[i], AbstractImageMobject) for i in chosen):
        fp.apply()
        return False
    cam.set_frame_to_background(plan.still)
    pa, bg, still = cam.pixel_array, cam.background, plan.still
    for ys, xs in _runs(marked):
        pa[ys, xs] = bg[ys, xs]
    surface = cam.get_cairo_context(pa).get_target()
    pending = []

    def draw_pending():
        if pending:
            surface.mark_dirty()
            cam.capture_mobjects(pending, include_submobjects=False)
            surface.flush()
            pending.clear()

    for i in chosen:
        if moving[i] and not fp.is_fade[i]:
            pending.append(order[i])
            continue
        draw_pending()
        if fp.is_fade[i]:
            parts, ks = fade_patches[i]
        else:
            parts, ks = fp.patches(order[i]), (1.0, 1.0, 1.0)
        for part, k in zip(parts, ks):
            if part is not None and k > 0:
                blend(pa, part, k)
    draw_pending()
    # still mobjects' patches reach past the marked tiles: those tiles from the still image
    spill = mark_tiles(boxes[chosen[~moving[chosen]]], marked.shape)
    for ys, xs in _runs(spill & ~marked):
        pa[ys, xs] = still[ys, xs]
    renderer.stats["fade_frames"] = renderer.stats.get("fade_frames", 0) + 1
    renderer.add_frame(renderer.get_frame())
    return True
