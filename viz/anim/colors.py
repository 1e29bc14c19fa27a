"""Colour scales for Manim blocks: re-exported from :mod:`viz.colors` (Manim-free, so
figures use the very same palettes)."""
from viz.colors import DIVERGING, GREEN_RED, SEQUENTIAL, scale_colors, text_color_for

__all__ = ["DIVERGING", "GREEN_RED", "SEQUENTIAL", "scale_colors", "text_color_for"]
