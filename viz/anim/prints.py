"""What a mobject draws, as a value to compare: equal prints, equal pixels.

The renderers reuse a still image while the mobjects in it draw the same: they keep
the prints of the mobjects in it, and compare them with the prints of the mobjects they
are asked to draw next.
"""
from __future__ import annotations

import numpy as np
from manim.mobject.types.vectorized_mobject import VMobject


def fingerprint(m):
    """Everything the Cairo camera reads to draw ``m`` (two mobjects with equal prints
    draw the same pixels)."""
    if isinstance(m, VMobject):
        return (m.points.tobytes(), m.fill_rgbas.tobytes(), m.stroke_rgbas.tobytes(),
                m.background_stroke_rgbas.tobytes(), float(m.stroke_width),
                float(m.background_stroke_width), float(m.sheen_factor),
                np.asarray(m.sheen_direction).tobytes(), m.joint_type, m.cap_style, type(m))
    return (id(m), m.points.tobytes(), m.get_pixel_array().tobytes(), m.resampling_algorithm,
            type(m))


def prints(mobjects: list) -> list:
    """A print of what ``mobjects`` draw, in order: equal prints, equal pixels."""
    return [fingerprint(m) for m in mobjects]
