"""Manim building blocks. Importing this package imports Manim.

Blocks show numbers they are given (core result objects or arrays); they never compute
what the lesson is about, and never call ``scene.play`` themselves.
"""
from .colors import DIVERGING, GREEN_RED, SEQUENTIAL, scale_colors, text_color_for
from .glyphs import FONT, glyph
from .grid import NumberGrid, format_number
from .render import RegionRenderer
from .scene import Scene

__all__ = ["DIVERGING", "GREEN_RED", "SEQUENTIAL", "FONT", "NumberGrid", "RegionRenderer",
           "Scene", "format_number", "glyph", "scale_colors", "text_color_for"]
