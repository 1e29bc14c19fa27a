"""Softmax built in vs learned: the same network trained three ways, side by side.

Draws a :class:`viz.core.builtin_softmax.HeadComparison` (fast.ai 2018, lesson 3: "the
architecture must make it easy to learn"). Nothing here trains: every curve and bar is a
recorded number.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from ._style import PALETTE, new_axes

_PANELS = (
    ("test_acc", "held-out accuracy", False),
    ("test_brier", "held-out Brier score\nΣ(output − one-hot)², a loss all three share", False),
    ("train_loss", "training loss, each its own\n(CE, MSE, BCE; log scale)", True),
    ("sum_gap", "mean |Σ outputs − 1| (log scale)\n(a): 1 up to float rounding", True),
    ("outside", "fraction of outputs\noutside [0, 1]", False),
    ("outside_by", "mean distance of the\noutputs from [0, 1]", False),
)


def head_colors(comparison) -> dict:
    """One colour-blind-safe colour per head, the same in every panel."""
    return dict(zip((r.head for r in comparison.runs), sns.color_palette(PALETTE, len(comparison.runs))))


def plot_head_curves(comparison, field: str, *, ax=None, log: bool = False, **line_kws):
    """One recorded quantity (a :class:`HeadRun` field) against steps, one line per head."""
    ax = new_axes(ax)
    colors = head_colors(comparison)
    for r in comparison.runs:
        kws = {"lw": 1.8, "color": colors[r.head], "label": r.label}
        kws.update(line_kws)
        ax.plot(r.steps, getattr(r, field), **kws)
    if log:
        ax.set_yscale("log")
    ax.set_xlim(0, comparison.steps[-1])
    ax.set_xlabel("optimizer step")
    ax.grid(alpha=0.4)
    return ax


def plot_outputs(comparison, digit: int, *, step: int = -1, ax=None):
    """Grouped bars: every head's 10 outputs for shown digit ``digit`` at record ``step``."""
    ax = new_axes(ax)
    colors = head_colors(comparison)
    k = len(comparison.runs)
    width = 0.8 / k
    classes = np.arange(10)
    for j, r in enumerate(comparison.runs):
        ax.bar(classes + (j - (k - 1) / 2) * width, r.outputs[step, digit], width,
               color=colors[r.head], label=r.label)
    for v in (0, 1):
        ax.axhline(v, color=plt.rcParams["text.color"], lw=0.8, ls="--", alpha=0.7)
    ax.set_xticks(classes)
    ax.set_xlim(-0.6, 9.6)
    ax.tick_params(labelsize=9)
    return ax


def builtin_softmax_figure(comparison, *, n_digits: int = 3, figsize=(16, 8.4)):
    """Six curves over training and the outputs for the same few held-out digits.

    Left: accuracy, the shared Brier score, each head's own loss, how far the outputs are
    from summing to 1 and from [0, 1]. Right: for ``n_digits`` held-out digits, the
    outputs of every head after the last step. The conclusion, from the numbers
    (:meth:`HeadComparison.conclusion`), is the subtitle.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n_digits = min(n_digits, len(comparison.shown_labels))
    if n_digits < 1:
        raise ValueError(f"n_digits must be at least 1, got {n_digits!r}")
    fig = plt.figure(figsize=figsize, layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[2.3, 1], wspace=0.02)
    axes = left.subplots(2, 3)
    for ax, (field, title, log) in zip(axes.ravel(), _PANELS):
        plot_head_curves(comparison, field, ax=ax, log=log)
        ax.set_title(title, fontsize=10.5)
    axes[0, 0].set_ylim(0, 1)
    axes[1, 1].set_ylim(0, 1)
    axes[1, 2].set_ylim(bottom=0)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    left.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False,
                fontsize=10.5)

    right.suptitle(f"outputs after {comparison.steps[-1]} steps, for held-out digits", fontsize=11)
    grid = np.array(right.subplots(n_digits, 2, width_ratios=[1, 4.5])).reshape(n_digits, 2)
    raxes = grid[:, 1]
    dark = sum(plt.matplotlib.colors.to_rgb(plt.rcParams["axes.facecolor"])) < 1.5
    for d, (img_ax, ax) in enumerate(grid):
        plot_outputs(comparison, d, ax=ax)
        img_ax.imshow(comparison.shown_images[d], cmap="gray" if dark else "Greys", vmin=0, vmax=1)
        img_ax.set_xticks([])
        img_ax.set_yticks([])
        img_ax.set_title(f"a '{comparison.shown_labels[d]}'", fontsize=10)
        if d < n_digits - 1:
            ax.tick_params(labelbottom=False)
        lo = min(-0.15, float(min(r.outputs[-1, d].min() for r in comparison.runs)) - 0.05)
        ax.set_ylim(lo, 1.15)
    raxes[-1].set_xlabel("class")
    fig.suptitle("The same network, optimizer, steps and seed on 8×8 digits: softmax built in "
                 "vs probabilities learned", fontsize=14)
    left.suptitle(_wrap(comparison.conclusion(), 130), fontsize=10.5, color=plt.rcParams["text.color"])
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))
