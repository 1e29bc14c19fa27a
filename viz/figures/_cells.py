"""One artist for all the numbers of a heatmap: what ``annotate_cells`` draws.

A 28×28 grid written with ``ax.text`` is 784 ``Text`` artists; each is built (clip path,
transform, font properties), laid out (its extent measured) and drawn on its own, and
the conv-example slide has almost 4,000 of them. :class:`CellNumbers` draws the same
strings, at the same places, in the same font, size and colours, as one artist: every
distinct string is laid out once per draw (a grid has few distinct numbers), then
each cell is one ``renderer.draw_text`` call. PNG pixels are the same as with one
``Text`` per cell; SVG and PDF keep real text (one text element per number).

The font size can follow the cells' size on the page: it is then chosen when the
artist is drawn, from the Axes' final (laid-out) size, so building a figure needs no
layout pass of its own per heatmap.
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib import artist as martist
from matplotlib import colors as mcolors
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import Bbox


class CellNumbers(martist.Artist):
    """Strings centred on data points ``(x, y)`` of an Axes, each with its own colour.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Centres in data coordinates (cell ``(r, c)`` of an ``imshow`` grid is at ``(c, r)``).
    strings : sequence of str, length n
    colors : sequence of colours, length n
    fontsize : float, optional
        Points (the family, weight and style come from rcParams, as for ``ax.text``).
    fit : (rows, cols, longest, min_fontsize, max_fontsize), optional
        Instead of ``fontsize``: fit the numbers to the cells of a ``rows`` x ``cols``
        grid filling the Axes, ``longest`` characters wide at most; the size is
        ``min(max_fontsize, 0.55 cell height, cell width / (0.62 longest))`` in points,
        and nothing is drawn when that is below ``min_fontsize``.
    """

    zorder = 3          # where ``ax.text`` puts text

    def __init__(self, x, y, strings, colors, *, fontsize=None, fit=None, **kwargs):
        super().__init__()
        self.x = np.asarray(x, dtype=float).ravel()
        self.y = np.asarray(y, dtype=float).ravel()
        self.strings = [str(s) for s in strings]
        if not (len(self.x) == len(self.y) == len(self.strings) == len(colors)):
            raise ValueError(f"CellNumbers needs as many x, y, strings and colors, got "
                             f"{len(self.x)}, {len(self.y)}, {len(self.strings)}, {len(colors)}")
        if (fontsize is None) == (fit is None):
            raise ValueError("CellNumbers needs either fontsize or fit, not both")
        self.colors = [mcolors.to_rgba(c) for c in colors]
        self._fit = None if fit is None else tuple(fit)
        self._fixed = None if fontsize is None else float(fontsize)
        self._drawn_size = None
        self._fontproperties = FontProperties(size=fontsize if fontsize is not None else None)
        self._antialiased = mpl.rcParams["text.antialiased"]
        self.set_in_layout(False)           # inside the Axes (and clipped to it)
        self._internal_update(kwargs)

    def __len__(self):
        return len(self.strings)

    def get_texts(self) -> list[str]:
        """The strings, in cell order (drawn where :meth:`fontsize_for` is not None)."""
        return list(self.strings)

    def fontsize_for(self, renderer=None) -> float | None:
        """The size the numbers are drawn at in the Axes' current size (None: they don't fit)."""
        if self._fixed is not None:
            return self._fixed
        rows, cols, longest, min_size, max_size = self._fit
        bbox = self.axes.get_window_extent(renderer)
        dpi = self.get_figure(root=True).dpi
        cell_w_pt = bbox.width / cols * 72 / dpi
        cell_h_pt = bbox.height / rows * 72 / dpi
        size = min(max_size, cell_h_pt * 0.55, cell_w_pt / (0.62 * longest))
        return None if size < min_size else size

    def get_fontsize(self) -> float | None:
        """The size of the last draw (or the fixed size); None before a draw or when too small."""
        return self._fixed if self._fixed is not None else self._drawn_size

    def get_window_extent(self, renderer=None):
        if self.axes is not None:
            return self.axes.get_window_extent(renderer)
        return Bbox.null()

    def _proto(self, s, prop):
        """A free-standing ``Text`` for ``s``: measures the string and carries its settings."""
        t = Text(0, 0, s, ha="center", va="center", fontproperties=prop)
        t.set_figure(self.get_figure(root=True))
        t.set_transform(self.get_transform())
        return t

    @martist.allow_rasterization
    def draw(self, renderer):
        if not self.get_visible() or not self.strings:
            return
        size = self.fontsize_for(renderer)
        self._drawn_size = size
        if size is None:
            return
        prop = self._fontproperties
        if self._fixed is None:
            prop = prop.copy()
            prop.set_size(size)
        renderer.open_group("cellnumbers", self.get_gid())
        trans = self.get_transform()
        pos = trans.transform(np.column_stack([self.x, self.y]))
        _, canvash = renderer.get_canvas_width_height()
        flip = renderer.flipy()
        protos, offsets = {}, {}
        for s in dict.fromkeys(self.strings):
            t = protos[s] = self._proto(s, prop)
            _, info, _ = t._get_layout(renderer)
            item = info[0]                  # one line: (line, (w, a, d), (x, y)) in 3.11
            offsets[s] = item[2] if len(item) == 3 else item[2:4]
        gc = renderer.new_gc()
        gc.set_alpha(self.get_alpha())
        gc.set_url(self.get_url())
        gc.set_snap(self.get_snap())
        gc.set_antialiased(self._antialiased)
        self._set_gc_clip(gc)
        glyphs = _agg_glyphs(renderer, prop, protos)
        for (px, py), xd, yd, s, rgba in zip(pos, self.x, self.y, self.strings, self.colors):
            if not (np.isfinite(px) and np.isfinite(py)):
                continue
            dx, dy = offsets[s]
            x, y = px + dx, py + dy
            if flip:
                y = canvash - y
            gc.set_foreground(rgba, isRGBA=True)
            if glyphs is not None:
                renderer._draw_text_glyphs_and_boxes(gc, x, y, 0.0, glyphs[s], ())
            else:
                renderer.draw_text(gc, x, y, s, prop, 0.0, ismath=False,
                                   mtext=_Anchor(protos[s], (xd, yd)))
        gc.restore()
        renderer.close_group("cellnumbers")
        self.stale = False


def _agg_glyphs(renderer, prop, protos):
    """For the Agg renderer of matplotlib 3.11+: each string's shaped glyphs, shaped once.

    ``RendererAgg.draw_text`` finds the font and shapes the string on every call, then
    draws the glyphs with ``_draw_text_glyphs_and_boxes``; a grid repeats a few strings
    hundreds of times, so the shaping is done once per string here and each cell only
    draws (the same calls, the same pixels). None for any other renderer (or another
    matplotlib), which then draws through ``renderer.draw_text``.
    """
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag

    if type(renderer) is not RendererAgg or not all(
            hasattr(RendererAgg, n) for n in ("_prepare_font", "_draw_text_glyphs_and_boxes")):
        return None
    font = renderer._prepare_font(prop)
    if not hasattr(font, "_layout"):
        return None
    size = prop.get_size_in_points()
    out = {}
    for s, t in protos.items():
        items = font._layout(s, flags=get_hinting_flag(), features=t.get_fontfeatures(),
                             language=t.get_language())
        out[s] = [(i.ft_object, size, i.glyph_index, 0, 1, i.x, i.y) for i in items]
    return out


class _Anchor:
    """A cell's stand-in for ``mtext``: the string's prototype ``Text`` at the cell's centre.

    Backends read the alignment, font features and (SVG) the anchor point from it.
    """

    __slots__ = ("_text", "_xy")

    def __init__(self, text, xy):
        self._text, self._xy = text, (float(xy[0]), float(xy[1]))

    def get_unitless_position(self):
        return self._xy

    def __getattr__(self, name):
        return getattr(self._text, name)
