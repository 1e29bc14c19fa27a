"""The learning-rate finder's plots: fastai 0.7's ``sched.plot``, ``plot_lr``, ``plot_loss``.

Lessons 1-2 of fast.ai 2018 (``fastai-lessons.md`` section 1). Every function takes a
:class:`viz.core.lr_finder.LRFinderResult` (from :func:`viz.core.lr_finder.lr_find`);
suggestions and regions are computed in core, the figures only draw them.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.ticker import LogLocator

from ._style import PALETTE, new_axes

#: The advice from the lessons, shown under the plot.
ADVICE = ("Pick where the loss is still clearly falling (steepest), not the flat region "
          "and not the minimum:\nat the minimum the lr is already too high; about 10× "
          "below it is safe (lesson 2).")

_MARKERS = {"steepest": "o", "min/10": "s", "valley": "D"}
_SIZES = {"steepest": (7.5, 7), "min/10": (11, 5), "valley": (9, 5)}   # (size, zorder): nested if close


def _muted():
    return plt.rcParams["text.color"]


def _window(result, skip_start, skip_end):
    """Slice of the points ``sched.plot`` draws: the first ``skip_start`` and last ``skip_end``
    dropped (all of them when that would leave fewer than 2)."""
    n = len(result.lrs)
    if n - skip_start - skip_end < 2:
        return slice(0, n)
    return slice(skip_start, n - skip_end)


def _suggestion_colors():
    pal = sns.color_palette(PALETTE)
    return {"steepest": pal[2], "min/10": pal[3], "valley": pal[4]}


def _set_ylim(ax, result, w, raw):
    s = result.smoothed[w]
    lo, hi = float(np.min(s)), float(np.max(s))
    if raw:
        lo = min(lo, float(np.percentile(result.losses[w], 2)))
    pad = 0.08 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + 2.5 * pad)


def _log_x(ax):
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.grid(True, which="major", axis="both", lw=0.6)


def plot_lr_find(result, *, ax=None, skip_start: int = 10, skip_end: int = 5, raw: bool = True,
                 suggestions=("steepest", "min/10", "valley"), regions: bool = True,
                 advice: bool = True, stop: bool = True, title: str | None = None,
                 label: str = "smoothed loss", **line_kws):
    """Loss against learning rate on a log axis, the way ``sched.plot()`` drew it.

    Parameters
    ----------
    result : LRFinderResult
    ax : matplotlib Axes, optional
    skip_start, skip_end : int
        Points dropped at both ends (fastai 0.7: 10 and 5), as ``sched.plot`` does.
    raw : bool
        Also draw the raw mini-batch losses, faint.
    suggestions : sequence of str
        Names of ``result.suggestions`` to mark and label ("steepest", "min/10", "valley").
    regions : bool
        Shade the flat start ("too small") and the blow-up ("too big"), from
        :func:`viz.core.lr_finder.loss_regions`.
    advice : bool
        Write the lessons' advice under the axes.
    stop : bool
        Mark the lr of the batch that stopped the run (when it diverged).
    **line_kws
        Passed to ``Axes.plot`` for the smoothed curve.

    Returns
    -------
    matplotlib Axes
    """
    from viz.core.lr_finder import loss_regions

    ax = new_axes(ax, figsize=(7.5, 5.0))
    w = _window(result, skip_start, skip_end)
    lrs = result.lrs[w]
    if raw:
        ax.plot(lrs, result.losses[w], color=_muted(), alpha=0.25, lw=0.8, label="raw batch loss")
    line_kws = {"lw": 2.2, **line_kws}
    ax.plot(lrs, result.smoothed[w], label=label, **line_kws)
    _log_x(ax)
    _set_ylim(ax, result, w, raw)
    if regions and len(lrs) >= 2:
        _draw_regions(ax, loss_regions(result, skip_start=w.start, skip_end=len(result.lrs) - w.stop))
    if stop and result.diverged and result.stop_lr is not None:
        ax.axvline(result.stop_lr, color="#D55E00", ls=":", lw=1.5)
        why = "NaN/inf" if result.stop_reason == "nan" else f"> {result.stop_factor:g}× best"
        ax.annotate(f"stopped:\nloss {why}", (result.stop_lr, 0.5), xycoords=("data", "axes fraction"),
                    xytext=(-4, 0), textcoords="offset points", ha="right", va="center",
                    fontsize=9, color="#D55E00",
                    bbox=dict(boxstyle="round,pad=0.2", fc=plt.rcParams["axes.facecolor"], ec="none", alpha=0.85))
    colors = _suggestion_colors()
    for s in result.suggestions:
        if s.name in suggestions:
            ms, z = _SIZES.get(s.name, (9, 5))
            ax.plot([s.lr], [s.loss], ls="none", marker=_MARKERS.get(s.name, "o"), ms=ms,
                    mfc=colors.get(s.name), mec=_muted(), mew=0.8, zorder=z,
                    label=f"{s.name}: {s.lr:.2g}")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss")
    ax.legend(loc="center left", fontsize=9, framealpha=0.9)
    ax.set_title(title if title is not None else "Learning-rate finder")
    if advice:
        ax.text(0.0, -0.16, ADVICE, transform=ax.transAxes, ha="left", va="top", fontsize=9,
                color=_muted(), wrap=False)
    return ax


def _draw_regions(ax, regions):
    y = ax.get_ylim()
    for span, text, color in ((regions.flat, "too small:\nloss barely moves", "#56B4E9"),
                              (regions.diverging, "too big:\ndiverging", "#D55E00")):
        if span is None:
            continue
        ax.axvspan(*span, color=color, alpha=0.13, lw=0, zorder=0)
        mid = np.sqrt(span[0] * span[1])
        ax.text(mid, y[0] + 0.04 * (y[1] - y[0]), text, ha="center", va="bottom", fontsize=9,
                color=_muted(), zorder=1)


def plot_lr(result, *, ax=None, log: bool = False, groups: bool = True, **line_kws):
    """Learning rate against iteration (``sched.plot_lr()``): a linear y axis by default,
    so the exponential sweep looks exponential. With several parameter groups and
    ``groups=True``, every group's lr is drawn (they stay in proportion)."""
    ax = new_axes(ax)
    it = result.iterations
    g = result.group_lrs.shape[1] if result.group_lrs.ndim == 2 else 1
    if groups and g > 1:
        for k in range(g):
            ax.plot(it, result.group_lrs[:, k], label=f"group {k}" + (" (last)" if k == g - 1 else ""),
                    **line_kws)
        ax.legend(fontsize=9)
    else:
        ax.plot(it, result.lrs, **line_kws)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iterations")
    ax.set_ylabel("learning rate")
    ax.set_title(f"{'exponential' if result.mode == 'exp' else 'linear'} sweep: "
                 f"{result.start_lr:g} → {result.end_lr:g}")
    return ax


def plot_loss(result, *, ax=None, skip_start: int = 10, skip_end: int = 5, raw: bool = True,
              **line_kws):
    """Smoothed training loss against iteration (``sched.plot_loss()``), raw loss faint."""
    ax = new_axes(ax)
    w = _window(result, skip_start, skip_end)
    it = result.iterations[w]
    if raw:
        ax.plot(it, result.losses[w], color=_muted(), alpha=0.25, lw=0.8, label="raw batch loss")
    ax.plot(it, result.smoothed[w], label="smoothed loss", **{"lw": 2.0, **line_kws})
    _set_ylim(ax, result, w, raw)
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss")
    ax.legend(fontsize=9, loc="upper right")
    ax.set_title(f"loss per batch (β = {result.beta:g}, bias-corrected)")
    return ax


def plot_lr_find_comparison(results, *, labels=None, ax=None, skip_start: int = 10,
                            skip_end: int = 5, mark: str | None = "steepest",
                            title: str | None = None):
    """Several range tests on one axes (batch sizes, models, optimizers).

    ``results`` is a sequence of results (then ``labels`` names them) or a mapping
    label -> result. Each smoothed curve is drawn with its ``mark`` suggestion.
    """
    ax = new_axes(ax, figsize=(7.5, 4.8))
    if hasattr(results, "items"):
        labels, results = list(results.keys()), list(results.values())
    results = list(results)
    labels = list(labels) if labels is not None else [f"run {i + 1}" for i in range(len(results))]
    if len(labels) != len(results):
        raise ValueError(f"got {len(labels)} labels for {len(results)} results")
    lows, highs = [], []
    for r, lab, color in zip(results, labels, sns.color_palette(PALETTE)):
        w = _window(r, skip_start, skip_end)
        s = None
        if mark is not None:
            s = next((x for x in r.suggestions if x.name == mark), None)
        text = f"{lab}" + (f"  ({mark}: {s.lr:.2g})" if s is not None else "")
        ax.plot(r.lrs[w], r.smoothed[w], color=color, lw=2.0, label=text)
        if s is not None:
            ax.plot([s.lr], [s.loss], ls="none", marker=_MARKERS.get(mark, "o"), ms=8, mfc=color,
                    mec=_muted(), mew=0.8, zorder=5)
        lows.append(np.min(r.smoothed[w]))
        highs.append(np.max(r.smoothed[w]))
    _log_x(ax)
    lo, hi = min(lows), max(highs)
    pad = 0.08 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + 2.5 * pad)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("smoothed loss")
    ax.legend(fontsize=9, loc="lower left", framealpha=0.9)
    ax.set_title(title if title is not None else "Learning-rate finder, compared")
    return ax


def lr_finder_overview(result, *, figsize=(14, 4.6)):
    """Three panels: ``sched.plot``, ``plot_lr``, ``plot_loss`` of one run. Returns the Figure."""
    fig, axes = plt.subplots(1, 3, figsize=figsize, layout="constrained",
                             gridspec_kw={"width_ratios": [1.4, 1, 1]})
    plot_lr_find(result, ax=axes[0], advice=False)
    plot_lr(result, ax=axes[1])
    plot_loss(result, ax=axes[2])
    return fig
