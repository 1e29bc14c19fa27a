"""Which animations run only Manim's (or the toolkit's) own code while they play.

``viz.anim.Scene`` calls every updater of every mobject once per frame, as Manim does;
to know there are none it must look at every part (a 28x28 ``NumberGrid``: ~2,400). In a
play whose animations are all listed here, with Manim's own rate and path functions,
nothing runs between two frames that could add an updater (no user function is called),
so one look per play is enough. Anything else (``UpdateFromFunc``, a rate function of
one's own, a subclass, a ``wait_until``) is looked at every frame, as before.

What the rule trusts: that the listed classes' ``interpolate`` calls Manim's own methods of
the mobjects. A mobject class of one's own whose ``interpolate`` adds an updater in the
middle of a play would have it called from the next play on, not the next frame.
"""
from __future__ import annotations

import inspect

from manim import (AnimationGroup, ApplyMethod, Create, DrawBorderThenFill, FadeIn, FadeOut,
                   GrowArrow, GrowFromCenter, GrowFromEdge, GrowFromPoint, Indicate, LaggedStart,
                   MoveToTarget, ReplacementTransform, Rotate, Succession, Transform,
                   TransformFromCopy, Uncreate, Unwrite, Wait, Write)
from manim.animation.transform import _MethodAnimation
from manim.utils import rate_functions

from . import fades

#: exact classes (a subclass may interpolate its own way)
QUIET_CLASSES = frozenset({
    AnimationGroup, ApplyMethod, Create, DrawBorderThenFill, FadeIn, FadeOut, GrowArrow,
    GrowFromCenter, GrowFromEdge, GrowFromPoint, Indicate, LaggedStart, MoveToTarget,
    ReplacementTransform, Rotate, Succession, Transform, TransformFromCopy, Uncreate,
    Unwrite, Wait, Write, _MethodAnimation,
    fades.FadeIn, fades.FadeOut, fades.SwapText})

_FACTORIES = {"unit_interval", "zero", "squish_rate_func"}    # they wrap other functions
QUIET_RATE_FUNCS = frozenset(
    [f for name, f in vars(rate_functions).items()
     if inspect.isfunction(f) and f.__module__ == rate_functions.__name__
     and name not in _FACTORIES] + [fades.first_half, fades.second_half])
#: path functions (Transform's path_func) come from these modules' factories
_PATH_MODULES = ("manim.utils.paths", "manim.utils.bezier")


def quiet_animations(animations) -> bool:
    """True if every animation (and every part of a group) is of a class above, with a
    rate function above and Manim's path function (if it has one)."""
    for a in animations:
        try:
            if type(a) not in QUIET_CLASSES or a.rate_func not in QUIET_RATE_FUNCS:
                return False
        except TypeError:        # an unhashable callable as rate function: not Manim's
            return False
        path = getattr(a, "path_func", None)
        if path is not None and getattr(path, "__module__", None) not in _PATH_MODULES:
            return False
        if isinstance(a, AnimationGroup) and not quiet_animations(a.animations):
            return False
    return True
