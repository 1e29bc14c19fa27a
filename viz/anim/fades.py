"""Changes that never show two things in one place, or a half-morphed number.

``Transform`` between two different texts shows letters half-way between both (not
readable when paused), and ``FadeOut(a), FadeIn(b)`` in one play shows ``a`` and ``b``
over each other. These do it in two halves of one play instead:

* :func:`crossfade` (two mobjects): ``old`` fades out in the first half, ``new`` fades in
  in the second half;
* :class:`SwapText` (one mobject, in place): it fades out and comes back looking like
  ``new`` (a ``NumberGrid`` number stays part of its grid).
"""
from __future__ import annotations

from manim import Animation, FadeIn, FadeOut, smooth


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

    def begin(self):
        self._old, self._new = self.mobject.copy(), self.new.copy()
        super().begin()

    def interpolate_mobject(self, alpha):
        a = self.rate_func(alpha)
        src, keep = (self._old, 1 - 2 * a) if a < 0.5 else (self._new, 2 * a - 1)
        self.mobject.become(src)
        if keep < 1:
            self.mobject.fade(1 - keep)
