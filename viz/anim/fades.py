"""Changes that never show two things in one place, or a half-morphed number.

``Transform`` between two different texts shows letters half-way between both (not
readable when paused), and ``FadeOut(a), FadeIn(b)`` in one play shows ``a`` and ``b``
over each other. These do it in two halves of one play instead:

* :func:`crossfade` (two mobjects): ``old`` fades out in the first half, ``new`` fades in
  in the second half;
* :class:`SwapText` (one mobject, in place): it fades out and comes back looking like
  ``new`` (a ``NumberGrid`` number stays part of its grid).

:class:`FadeIn` and :class:`FadeOut` are Manim's, with the same frames, made cheap for
big groups when they neither shift nor scale: no copies of the mobject (Manim's
``Transform`` deep-copies it twice, ~10 ms per 28x28 grid) and, while
:class:`viz.anim.render.RegionRenderer` blends the play from patches, no per-frame
writes to thousands of outlines.
"""
from __future__ import annotations

import numpy as np
from manim import Animation, smooth
from manim import FadeIn as _ManimFadeIn
from manim import FadeOut as _ManimFadeOut
from manim.mobject.types.vectorized_mobject import VMobject
from manim.utils.bezier import interpolate

_PAINTS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class _OpacityOnly:
    """A fade that only changes opacities: each leaf (in Manim's order, with Manim's
    lag) is set to ``interpolate(start, end, sub_alpha)`` of its colours, as Manim's
    ``Transform`` between the mobject and its faded copy does, without the copies."""

    fading_in: bool
    #: read by :class:`viz.anim.render.RegionRenderer`: the play changes nothing else
    changes_only_its_mobject = True
    #: set by the renderer while it draws the play itself from the alphas
    deferred = False
    _leaves = None

    def begin(self):
        leaves = self.mobject.family_members_with_points()
        if (np.any(np.asarray(self.shift_vector) != 0) or self.scale_factor != 1
                or not all(isinstance(m, VMobject) for m in leaves)):
            self._leaves = None
            return super().begin()
        full = [tuple(getattr(m, a).copy() for a in _PAINTS) for m in leaves]
        faded = []
        for rgbas in full:
            f = tuple(r.copy() for r in rgbas)
            for r in f:
                r[:, 3] = 0.0
            faded.append(f)
        start, end = (faded, full) if self.fading_in else (full, faded)
        self._leaves = list(zip(leaves, start, end))
        self.full_states = full
        self._alpha = 0.0
        if self.suspend_mobject_updating:
            self.mobject.suspend_updating()
        self.interpolate(0)

    def get_all_mobjects(self):
        return [self.mobject] if self._leaves is not None else super().get_all_mobjects()

    def get_all_families_zipped(self):
        if self._leaves is None:
            return super().get_all_families_zipped()
        return ((m,) for m, _, _ in self._leaves)

    def interpolate_mobject(self, alpha: float) -> None:
        if self._leaves is None:
            return super().interpolate_mobject(alpha)
        self._alpha = alpha
        if not self.deferred:
            self.apply()

    def sub_alphas(self) -> list:
        n = len(self._leaves)
        return [self.get_sub_alpha(self._alpha, i, n) for i in range(n)]

    def apply(self) -> None:
        """Write the current alpha into the leaves' colours."""
        for (m, start, end), a in zip(self._leaves, self.sub_alphas()):
            for attr, s, e in zip(_PAINTS, start, end):
                setattr(m, attr, e if a == 1.0 else interpolate(s, e, a))

    def finish(self):
        self.deferred = False
        super().finish()


class FadeIn(_OpacityOnly, _ManimFadeIn):
    """``manim.FadeIn``, copy-free when it neither shifts nor scales."""
    fading_in = True


class FadeOut(_OpacityOnly, _ManimFadeOut):
    """``manim.FadeOut``, copy-free when it neither shifts nor scales."""
    fading_in = False


def first_half(t: float) -> float:
    """A rate function that runs ``smooth`` in the first half of a play and then holds."""
    return smooth(min(1.0, 2 * t))


def second_half(t: float) -> float:
    """A rate function that waits for the first half of a play, then runs ``smooth``."""
    return smooth(max(0.0, 2 * t - 1))


def crossfade(old, new) -> list:
    """Animations that replace ``old`` by ``new`` in one ``play``: ``old`` fades out in the
    first half, ``new`` fades in in the second half, so two texts in the same place are
    never on screen together (a ``Transform`` between different strings shows
    half-morphed letters; two simultaneous fades show both texts over each other).
    ``old`` may be a list of mobjects (all fade out). A play-wide ``rate_func`` would
    override these halves: give it to the other animations instead."""
    olds = list(old) if isinstance(old, (list, tuple)) else [old]
    return [FadeOut(m, rate_func=first_half) for m in olds] + [FadeIn(new, rate_func=second_half)]


class SwapText(Animation):
    """Change a text outline (or any small mobject) into ``new`` in place: it fades out
    in the first half of the play and comes back as ``new`` in the second half, ending
    up looking exactly like ``new``. Unlike ``Transform``, no frame shows a half-morphed
    number; unlike a cross-fade of two mobjects, ``mobject`` keeps its place in its group
    (a ``NumberGrid`` cell stays part of its grid). Meant for one outline (a
    :func:`viz.anim.glyph`); for a ``Text`` of several letters use :func:`crossfade`."""

    #: read by :class:`viz.anim.render.RegionRenderer`: the play changes nothing else
    changes_only_its_mobject = True

    def __init__(self, mobject, new, **kwargs):
        self.new = new
        super().__init__(mobject, **kwargs)

    #: set by the renderer while it draws the play itself from the alpha
    deferred = False

    def begin(self):
        self._old, self._new = self.mobject.copy(), self.new.copy()
        self._alpha = 0.0
        super().begin()

    def shown(self):
        """What the mobject shows now: (``old`` or ``new``, the share of its opacity)."""
        a = self.rate_func(self._alpha)
        return (self._old, 1 - 2 * a) if a < 0.5 else (self._new, 2 * a - 1)

    def interpolate_mobject(self, alpha):
        self._alpha = alpha
        if not self.deferred:
            self.apply()
        return False

    def apply(self) -> None:
        src, keep = self.shown()
        self.mobject.become(src)
        if keep < 1:
            self.mobject.fade(1 - keep)

    def finish(self):
        self.deferred = False
        super().finish()
