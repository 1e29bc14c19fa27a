"""Fast text for big grids of numbers.

Building a Manim ``Text`` costs ~7 ms (Pango), so a 28x28 grid of ``Text`` takes ~6 s
before a frame is drawn. Here each distinct string is shaped by Pango once; every later
use is a plain ``VMobject`` whose points are the cached outline, scaled and shifted
(~0.07 ms). The result looks exactly like ``Text`` of the same font and size.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from manim import Text, VGroup, VMobject

#: Pinned so that frames are the same on every machine that has DejaVu (Debian's default).
FONT = "DejaVu Sans"
_REF_SIZE = 48.0


@lru_cache(maxsize=4096)
def _outline(text: str, font: str, weight: str) -> np.ndarray:
    t = Text(text, font=font, font_size=_REF_SIZE, weight=weight)
    pts = [m.points for m in t.family_members_with_points()]
    if not pts:
        return np.zeros((0, 3))
    arr = np.concatenate(pts)
    arr = arr - (arr.min(axis=0) + arr.max(axis=0)) / 2   # centre on the origin
    arr.flags.writeable = False
    return arr


@lru_cache(maxsize=64)
def _prototype(fill_opacity: float, stroke_width: float, stroke_color: str) -> VMobject:
    return VMobject(fill_color="#FFFFFF", fill_opacity=fill_opacity, stroke_width=stroke_width,
                    stroke_color=stroke_color)


def new_vmobject(fill_color, *, fill_opacity: float = 1.0, stroke_width: float = 0.0,
                 stroke_color="#FFFFFF") -> VMobject:
    """``VMobject(fill_color=..., fill_opacity=..., stroke_width=..., stroke_color=...)``,
    the same object (every attribute equal, tested) ~10x faster: a copy of a cached
    prototype with its own arrays and lists, and the fill colour set as ``__init__``
    sets it. A 28x28 grid builds ~1,600 of them."""
    m = _clone(_prototype(float(fill_opacity), float(stroke_width), str(stroke_color)))
    if isinstance(fill_color, str):   # a grid repeats a few colours hundreds of times
        m.fill_rgbas = _fill_rgbas(fill_color, float(fill_opacity)).copy()
    else:
        m.fill_rgbas = m.generate_rgbas_array(fill_color, fill_opacity)
    return m


@lru_cache(maxsize=4096)
def _fill_rgbas(fill_color: str, fill_opacity: float) -> np.ndarray:
    """``VMobject.generate_rgbas_array`` of a plain VMobject (no sheen: the prototypes')."""
    rgbas = _prototype(1.0, 0.0, "#FFFFFF").generate_rgbas_array(fill_color, fill_opacity)
    rgbas.flags.writeable = False
    return rgbas


def _clone(proto):
    """``copy.copy(proto)`` (what it does for a class without __copy__ or __reduce__),
    with its own arrays, lists and dicts."""
    cls = type(proto)
    m = cls.__new__(cls)
    d = m.__dict__
    d.update(proto.__dict__)
    arrays, lists, dicts = _mutable_keys(proto)
    for k in arrays:
        d[k] = d[k].copy()
    for k in lists:
        d[k] = list(d[k])
    for k in dicts:
        d[k] = dict(d[k])
    return m


_KEYS: dict = {}


def _mutable_keys(proto):
    """The prototype's attributes that a clone must not share (arrays, lists, dicts),
    found once per prototype (the prototypes are cached and never changed)."""
    keys = _KEYS.get(id(proto))
    if keys is None or keys[0] is not proto:
        items = proto.__dict__.items()
        keys = (proto, [k for k, v in items if isinstance(v, np.ndarray)],
                [k for k, v in items if isinstance(v, list)],
                [k for k, v in items if isinstance(v, dict)])
        _KEYS[id(proto)] = keys
    return keys[1:]


@lru_cache(maxsize=1)
def _group_prototype() -> VGroup:
    return VGroup()


def new_vgroup(*mobjects) -> VGroup:
    """``VGroup(*mobjects)``, the same object, from a copy of an empty prototype."""
    return _clone(_group_prototype()).add(*mobjects)


def glyph(text: str, *, font_size: float = 24, color="#FFFFFF", font: str = FONT,
          weight: str = "NORMAL", center=None) -> VMobject:
    """A filled outline of ``text``, centred on ``center`` (the origin), like ``Text(text)``."""
    v = new_vmobject(color)
    pts = _outline(text, font, weight)
    if len(pts):
        v.points = pts * (font_size / _REF_SIZE) + (0 if center is None else np.asarray(center))
    return v


def fit_font_size(texts, width: float, height: float, *, font: str = FONT,
                  max_font_size: float = 48) -> float:
    """The largest font size at which every string fits in ``width x height`` units."""
    size = max_font_size
    for t in set(texts):
        pts = _outline(t, font, "NORMAL")
        if not len(pts):
            continue
        w, h = np.ptp(pts[:, 0]), np.ptp(pts[:, 1])
        size = min(size, _REF_SIZE * width / max(w, 1e-9), _REF_SIZE * height / max(h, 1e-9))
    return size
