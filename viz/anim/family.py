"""Manim's family lists, computed in one walk, and remembered.

Every ``play`` asks for the family of everything on screen several times (what moves,
what stays still, what to draw, what to update). Manim builds each family with a
recursive generator and an order-keeping de-duplication per mobject: ~0.1 ms per 100
mobjects, so a 28x28 ``NumberGrid`` (~2,400 mobjects) costs milliseconds per question,
a dozen questions per play. The functions here return the very same lists (same
members, same order; tested against Manim's):

* one plain recursive walk per family, de-duplicated only when a mobject really occurs
  twice;
* a big family's walk is remembered, with a copy of every member's ``submobjects``
  list; while those lists hold the same mobjects (one comparison, done in C) the walk is
  the same, so it is reused: nothing below it was added, removed or reordered.
"""
from __future__ import annotations

import weakref
from itertools import compress
from operator import attrgetter

from manim.mobject.mobject import Mobject

_MOBJECT_UPDATE = Mobject.update
_Z_INDEX = attrgetter("z_index")
_SUBMOBJECTS = attrgetter("submobjects")
_UPDATERS = attrgetter("updaters")
_POINTS = attrgetter("points")

#: Families at least this big have their walk remembered (smaller ones walk faster
#: than a remembered walk is checked).
MIN_REMEMBERED = 64
_WALKS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _walk(m, path: set, out: list) -> None:
    """``m`` and everything below it, in Manim's order; ``path``: ids of the ancestors."""
    k = id(m)
    if k in path:                # a mobject inside itself: Manim's walk stops there too
        return
    out.append(m)
    subs = m.submobjects
    if not subs:
        return
    path.add(k)
    for s in subs:
        if s.submobjects:
            _walk(s, path, out)
        else:                    # a leaf is nobody's ancestor: no need to look
            out.append(s)
    path.discard(k)


def walk(m) -> list:
    """``m`` and everything below it, in Manim's order, repeats kept (``keep_last``
    them): a new list each call."""
    if not m.submobjects:
        return [m]
    hit = _WALKS.get(m)
    if hit is not None:
        root_subs, below, subs = hit
        if m.submobjects == root_subs and list(map(_SUBMOBJECTS, below)) == subs:
            return [m, *below]
    out: list = []
    _walk(m, set(), out)
    if len(out) >= MIN_REMEMBERED:
        _remember(m, out)
    return out


def _remember(m, out: list) -> None:
    below = out[1:]
    # The check above compares lists of mobjects with ==, which is identity only for
    # classes that keep object's __eq__; and the entry must not hold its own key.
    if (any(t.__eq__ is not object.__eq__ for t in set(map(type, out)))
            or any(x is m for x in below)
            or any(type(s) is not list for s in map(_SUBMOBJECTS, out))):
        _WALKS.pop(m, None)
        return
    try:
        _WALKS[m] = (list(m.submobjects), below, [list(s) for s in map(_SUBMOBJECTS, below)])
    except TypeError:            # not weakly referenceable: just not remembered
        pass


def keep_last(items: list) -> list:
    """``manim.utils.iterables.remove_list_redundancies``: each item once, at its last
    position (mobjects compare by identity)."""
    if len(set(map(id, items))) == len(items):
        return items
    ids = [id(x) for x in items]
    seen = set()
    out = []
    for x, k in zip(reversed(items), reversed(ids)):
        if k not in seen:
            seen.add(k)
            out.append(x)
    out.reverse()
    return out


def family_members(mobjects, use_z_index: bool = False,
                   only_those_with_points: bool = False, walks=None) -> list:
    """``manim.utils.family.extract_mobject_family_members``: the same list.
    ``walks``: ``[walk(m) for m in mobjects]`` if already at hand."""
    if walks is None:
        walks = [walk(m) for m in mobjects]
    out = list(walks[0]) if len(walks) == 1 else [x for w in walks for x in w]
    out = keep_last(out)
    if only_those_with_points:
        out = list(compress(out, map(len, map(_POINTS, out))))
    if use_z_index:
        out = sorted(out, key=_Z_INDEX)          # stable, as Manim's sort
    return out


def moving_ids(walks, animated_ids: set, foreground_ids: set) -> set:
    """ids of the mobjects in ``walks`` (``walk`` of each of the scene's mobjects) that
    Manim's ``Scene.get_moving_mobjects`` considers moving: it, or anything below it, is
    animated, has updaters or is in the foreground. A family with none of these (a
    still grid of 2,400 mobjects) is passed over in one loop."""
    memo: dict = {}

    def moving(m) -> bool:
        k = id(m)
        v = memo.get(k)
        if v is None:
            memo[k] = False      # a mobject inside itself (Manim would recurse forever)
            v = k in animated_ids or len(m.updaters) > 0 or k in foreground_ids
            if not v:
                for s in m.submobjects:
                    if moving(s):
                        v = True
                        break
            memo[k] = v
        return v

    out = set()
    for w in walks:
        # nothing below a root is moving unless something in its family itself is
        if (any(map(_UPDATERS, w)) or not animated_ids.isdisjoint(map(id, w))
                or not foreground_ids.isdisjoint(map(id, w))):
            out.update(id(x) for x in w if moving(x))
    return out


def update_tree(m, dt: float) -> bool:
    """``m.update(dt)``: the same updaters called in the same order, without a method
    call for each of the thousands of parts that have no updaters and no parts. True
    when nothing in ``m``'s family has an updater or an ``update`` of its own (nothing
    was called: ``Mobject.update`` of each would have done nothing)."""
    w = walk(m)
    if not any(map(_UPDATERS, w)) and all(
            t.update is _MOBJECT_UPDATE for t in set(map(type, w))):
        return True
    _update(m, dt)
    return False


def _update(m, dt: float) -> None:
    if type(m).update is not _MOBJECT_UPDATE:     # a class with its own update: its way
        m.update(dt)
        return
    if m.updating_suspended:
        return
    if m.updaters:
        m.update(dt, recursive=False)
    for s in m.submobjects:
        if s.submobjects or s.updaters or type(s).update is not _MOBJECT_UPDATE:
            _update(s, dt)
