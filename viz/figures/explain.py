"""Your own model, Otavio style: the input, every map layer, the filters, the probabilities.

Figures for ``viz explain`` (:mod:`viz.explain_report`). They take the core results of
:mod:`viz.core.explain`: a :class:`viz.core.explain.trace.ModelTrace` (one input through
every step of a user's model), a conv layer's weight array, the class probabilities.

Colours follow :mod:`viz.figures.otavio`: green positive, red negative, near-white zero
(``viz.colors.GREEN_RED``: a blue-green and a magenta-red, apart for red-green colour
blindness), on one scale symmetric around 0 shared by all channels of a layer, so that
channels (and pages of a wide layer) compare.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from viz.colors import CATEGORICAL

from ._style import new_axes
from .otavio import GREEN_RED_CMAP

#: Channels drawn per page of an activation stack (a 4 x 4 grid).
PAGE_CHANNELS = 16
#: Filters per row band of a filters figure, input channels drawn per filter.
FILTERS_PER_ROW = 16
MAX_INPUTS_SHOWN = 8


def _limit(values) -> float:
    v = np.asarray(values, dtype=float)
    m = float(np.nanmax(np.abs(v))) if v.size else 0.0
    return m if np.isfinite(m) and m > 0 else 1.0


def _times(shape) -> str:
    return "×".join(str(int(d)) for d in shape)


def _cmap():
    """The green/red map with NaN (the gaps between tiles) in the page's background."""
    return GREEN_RED_CMAP.with_extremes(bad=plt.rcParams["axes.facecolor"])


def _step(trace, step):
    """A trace step by name, index or the step itself; it must be a stack of maps."""
    if isinstance(step, str):
        s = trace[step]                                   # KeyError names the steps
    elif isinstance(step, (int, np.integer)):
        if not -len(trace.steps) <= int(step) < len(trace.steps):
            raise ValueError(f"step {step} is out of range: the trace has {len(trace.steps)} steps")
        s = trace.steps[int(step)]
    else:
        s = step
    if getattr(s, "output", None) is None or np.ndim(s.output) != 3:
        raise ValueError(f"step {getattr(s, 'name', s)!r} is not a stack of maps "
                         f"(shape {np.shape(getattr(s, 'output', ()))})")
    return s


def layer_label(name: str) -> str:
    """``"layer 3"`` for a ``Sequential`` index, else the name itself (``"conv1"``)."""
    return f"layer {name}" if str(name).isdigit() else str(name)


def pages(channels: int, max_channels: int = PAGE_CHANNELS) -> int:
    """How many pages of ``max_channels`` maps a layer of ``channels`` channels needs."""
    if max_channels < 1:
        raise ValueError(f"max_channels must be at least 1, got {max_channels}")
    return max(1, math.ceil(channels / max_channels))


def channel_note(channels: int, *, max_channels: int = PAGE_CHANNELS, page: int = 0) -> str:
    """``"channels 1-16 of 64 (page 1 of 4)"``; empty when one page shows them all."""
    n = pages(channels, max_channels)
    if n == 1:
        return ""
    lo, hi = page * max_channels + 1, min(channels, (page + 1) * max_channels)
    return f"channels {lo}-{hi} of {channels} (page {page + 1} of {n})"


def mosaic(maps, cols: int, *, gap=(1, 1)):
    """The maps ``(k, h, w)`` side by side, ``cols`` a row, NaN between them (drawn as the
    page's background); returns ``(image, origins)``, ``origins[i]`` the (row, col) of map
    ``i``'s top-left pixel in the image."""
    maps = np.asarray(maps, dtype=float)
    k, h, w = maps.shape
    gy, gx = gap
    rows = math.ceil(k / cols)
    image = np.full((rows * (h + gy) - gy, cols * (w + gx) - gx), np.nan)
    origins = []
    for i in range(k):
        r, c = divmod(i, cols)
        y, x = r * (h + gy), c * (w + gx)
        image[y:y + h, x:x + w] = maps[i]
        origins.append((y, x))
    return image, tuple(origins)


def activation_stack_figure(trace, step, *, max_channels: int = PAGE_CHANNELS, page: int = 0,
                            fig=None, cell_inches: float = 1.3):
    """One conv or pooling step's channel maps for the traced input, in a grid.

    Parameters
    ----------
    trace : viz.core.explain.trace.ModelTrace
    step : str, int or TraceStep
        The step (its name, its index in ``trace.steps``, or the step) whose output is a
        ``(C, H, W)`` stack of maps.
    max_channels : int
        Maps per page; a wider layer is drawn over several pages (``page``), with a note
        ``"channels 17-32 of 64 (page 2 of 4)"``. The colour scale is the whole layer's
        (all pages), symmetric around 0: green positive, red negative.
    page : int
        Which page (0-based).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes holds the maps as one image (:func:`mosaic`; the image artist's
        ``viz_origins`` says where each map starts), each titled ``ch N`` above it.
    """
    s = _step(trace, step)
    values = np.asarray(s.output, dtype=float)
    c, h, w = values.shape
    n_pages = pages(c, max_channels)
    if not 0 <= page < n_pages:
        raise ValueError(f"page {page} is out of range: {c} channels make {n_pages} page(s) "
                         f"of {max_channels}")
    first = page * max_channels
    shown = values[first:first + max_channels]
    k = len(shown)
    cols = min(k, max(1, round(math.sqrt(k * h / w))), 8)
    side = max(h, w)
    inch = cell_inches / side                           # inches per map pixel
    gy = max(1, math.ceil(0.24 / inch))                 # room for a "ch N" label (pixels)
    gx = max(1, math.ceil(0.1 / inch))
    tiles, origins = mosaic(shown, cols, gap=(gy, gx))
    # room for the first row's labels above, and a pixel around (the frames are not cut)
    image_arr = np.pad(tiles, ((gy, 1), (1, 1)), constant_values=np.nan)
    origins = tuple((y + gy, x + 1) for y, x in origins)
    ih, iw = image_arr.shape
    fig = fig or plt.figure(figsize=(max(4.4, iw * inch + 1.5), ih * inch + 1.0),
                            layout="constrained")
    ax = fig.add_subplot()
    m = _limit(values)
    image = ax.imshow(image_arr, cmap=_cmap(), vmin=-m, vmax=m, interpolation="nearest")
    image.viz_origins = origins
    ax.axis("off")
    size = 9 if gy * inch * 72 >= 11 else 7
    for i, (y, x) in enumerate(origins):
        ax.text(x + (w - 1) / 2, y - 0.5 - 0.12 * gy, f"ch {first + i + 1}", ha="center",
                va="bottom", fontsize=size)
        ax.add_patch(plt.Rectangle((x - 0.5, y - 0.5), w, h, fill=False,
                                   lw=0.5, ec=plt.rcParams["axes.edgecolor"]))
    bar = fig.colorbar(image, ax=ax, shrink=0.8, aspect=30, pad=0.02)
    bar.ax.tick_params(labelsize=8)
    bar.set_label("activation (green +, red −)", fontsize=9)
    note = channel_note(c, max_channels=max_channels, page=page)
    fig.suptitle(f"{layer_label(s.name)} · {s.op} · {_times(values.shape)}" + (f"\n{note}" if note else ""),
                 fontsize=12)
    return fig


def input_figure(trace, *, fig=None, title=None):
    """The input as the model sees it: one gray map, an RGB picture, or each channel.

    A 1-channel input is drawn in gray, 3 channels as colours (values outside 0..1 are
    stretched to 0..1 for the picture; the subtitle gives the real range), any other
    channel count as one gray map per channel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = np.asarray(trace.input, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"the trace's input must be (C, H, W), got shape {x.shape}")
    c, h, w = x.shape
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    panels = 1 if c in (1, 3) else c
    side = 3.4 if panels == 1 else 2.0
    fig = fig or plt.figure(figsize=(max(3.8, panels * side * min(w / h, 2.5) + 0.6),
                                     side * min(h / w, 2.5) + 1.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, panels, squeeze=False)).ravel()
    if c == 3:
        rgb = np.moveaxis(x, 0, -1)
        if lo < 0 or hi > 1:
            rgb = (rgb - lo) / ((hi - lo) or 1.0)
        axes[0].imshow(np.clip(rgb, 0, 1), interpolation="nearest")
        how = "RGB"
    else:
        g_lo, g_hi = (0.0, 1.0) if lo >= 0 and hi <= 1 else (lo, hi if hi > lo else lo + 1)
        for i, ax in enumerate(axes):
            ax.imshow(x[i], cmap="gray", vmin=g_lo, vmax=g_hi, interpolation="nearest")
            if panels > 1:
                ax.set_title(f"ch {i + 1}", fontsize=9)
        how = "gray" if c == 1 else f"{c} channels, gray each"
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title or f"The input as the model sees it: {_times(x.shape)} ({how})\n"
                 f"values {lo:.3g} .. {hi:.3g}", fontsize=12)
    return fig


def filters_figure(name: str, weight, *, max_filters: int = 32, max_inputs: int = MAX_INPUTS_SHOWN,
                   fig=None):
    """A conv layer's filters drawn as the weight array they are.

    Each column is one filter (output channel); each row the kernel it applies to one
    input channel (the first ``max_inputs`` of them): filter ``o``'s output is the sum,
    over the rows, of each kernel slid over its input channel, plus the bias. Filters
    past 16 continue in a second band below; at most ``max_filters`` are drawn (the
    title says how many were left out). One colour scale for the whole layer, symmetric
    around 0: green positive, red negative.

    Parameters
    ----------
    name : str
        The layer's name (titles the figure).
    weight : array_like, shape (out, in, kh, kw)

    Returns
    -------
    matplotlib.figure.Figure
        One Axes holds the kernels as one image; the image artist's ``viz_origins`` maps
        ``(filter, input channel)`` to the kernel's top-left pixel there.
    """
    w = np.asarray(weight, dtype=float)
    if w.ndim != 4:
        raise ValueError(f"{name}: a conv weight must be (out, in, kh, kw), got shape {w.shape}")
    out_c, in_c, kh, kw = w.shape
    n_f, n_in = min(out_c, max_filters), min(in_c, max_inputs)
    per_row = min(n_f, FILTERS_PER_ROW)
    bands = math.ceil(n_f / per_row)
    inch = max(0.06, min(0.5, 7.5 / (per_row * (kw + 1))))      # inches per kernel pixel
    gx = max(1, math.ceil(0.08 / inch))
    gy = max(1, math.ceil(0.06 / inch))
    label = max(1, math.ceil(0.22 / inch))                        # room for the filter numbers
    band_h = n_in * (kh + gy) - gy + label
    image_arr = np.full((bands * band_h + (bands - 1) * label, per_row * (kw + gx) - gx), np.nan)
    ax_texts, origins = [], {}
    for b in range(bands):
        y0 = b * (band_h + label)
        for j, o in enumerate(range(b * per_row, min(n_f, (b + 1) * per_row))):
            x = j * (kw + gx)
            for i in range(n_in):
                y = y0 + i * (kh + gy)
                image_arr[y:y + kh, x:x + kw] = w[o, i]
                origins[o, i] = (y, x)
            ax_texts.append((x + (kw - 1) / 2, y0 + n_in * (kh + gy) - gy - 0.5 + 0.15 * label,
                             str(o + 1), "center", "top"))
        for i in range(n_in):
            ax_texts.append((-0.5 - 0.3 * gx, y0 + i * (kh + gy) + (kh - 1) / 2, f"in {i + 1}",
                             "right", "center"))
    image_arr = np.pad(image_arr, ((0, 1), (0, 1)), constant_values=np.nan)   # frame room
    ih, iw = image_arr.shape
    fig = fig or plt.figure(figsize=(max(5.0, iw * inch + 2.3), ih * inch + 1.5),
                            layout="constrained")
    ax = fig.add_subplot()
    m = _limit(w[:n_f, :n_in])
    image = ax.imshow(image_arr, cmap=_cmap(), vmin=-m, vmax=m, interpolation="nearest")
    image.viz_origins = origins
    ax.axis("off")
    size = 8 if label * inch * 72 >= 10 else 6.5
    for x, y, text, ha, va in ax_texts:
        ax.text(x, y, text, ha=ha, va=va, fontsize=size)
    ax.set_title("filter (output channel) numbers under each column", fontsize=9, loc="left")
    bar = fig.colorbar(image, ax=ax, shrink=0.85, aspect=25, pad=0.02)
    bar.ax.tick_params(labelsize=8)
    bar.set_label("weight", fontsize=9)
    left = []
    if out_c > n_f:
        left.append(f"first {n_f} of {out_c} filters")
    if in_c > n_in:
        left.append(f"kernels for the first {n_in} of {in_c} input channels")
    fig.suptitle(f"{layer_label(name)}: {out_c} filters of {in_c}×{kh}×{kw}"
                 + (f" ({'; '.join(left)})" if left else "")
                 + "\ncolumns: filters · rows: the kernel each applies to one input channel",
                 fontsize=11)
    return fig


def probabilities_figure(probabilities, classes, *, ax=None, top: int = 10, title=None):
    """The class probabilities as horizontal bars, most likely first, labelled in percent.

    Parameters
    ----------
    probabilities : array_like, shape (K,)
    classes : sequence of str, length K
    top : int
        Draw the ``top`` most likely classes (the title says when more exist).

    Returns
    -------
    matplotlib.axes.Axes
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    classes = [str(c).replace("$", r"\$") for c in classes]     # a name, never mathtext
    if len(classes) != p.size:
        raise ValueError(f"{p.size} probabilities but {len(classes)} class names")
    if p.size == 0:
        raise ValueError("no probabilities to draw")
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    order = np.argsort(-p, kind="stable")[:top]
    n = len(order)
    ax = new_axes(ax, figsize=(6.4, 0.42 * n + 1.5))
    muted = "#999999"
    colors = [CATEGORICAL[2] if i == 0 else muted for i in range(n)]
    y = np.arange(n)
    pct = 100 * p[order]
    ax.barh(y, pct, color=colors, height=0.7)
    ax.set_yticks(y, labels=[classes[i] for i in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("probability (%)")
    for i, v in enumerate(pct):
        ax.text(v + 1.5, i, f"{v:.1f}%" if v >= 0.05 else "<0.1%", va="center", fontsize=10,
                fontweight="bold" if i == 0 else "normal")
    more = f" (top {n} of {p.size})" if p.size > n else ""
    ax.set_title(title or f"Class probabilities{more}: {classes[order[0]]!s} "
                 f"({pct[0]:.1f}%)")
    return ax
