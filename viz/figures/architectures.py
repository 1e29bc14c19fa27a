"""Architectures compared: summaries side by side, parameters, accuracy and training time.

Draws a :class:`viz.core.architectures.ArchComparison` (fast.ai 2018, lesson 1: "various
architectures"). The training time is the one measured on the machine that trained the
models, and says so.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from ._style import PALETTE, new_axes

_SHORT = {"AdaptiveAvgPool2d": "GlobalAvgPool", "BatchNorm2d": "BatchNorm", "MaxPool2d": "MaxPool"}


def summary_lines(summary) -> list[str]:
    """A compact ``learn.summary()``: one line per layer, kind, output shape, parameters."""
    out = [f"{'layer':<13}{'output':>9}{'params':>8}"]
    for r in summary.rows:
        shape = "×".join(str(d) for d in r.output_shape[1:])
        out.append(f"{_SHORT.get(r.kind, r.kind):<13}{shape:>9}{r.params:>8,}")
    out.append(f"{'total':<13}{'':>9}{summary.total_params:>8,}")
    return out


def arch_colors(comparison) -> dict:
    return dict(zip(comparison.names, sns.color_palette(PALETTE, len(comparison.archs))))


def plot_arch_bars(comparison, field: str, *, ax=None, log: bool = False, fmt="{:,}", **bar_kws):
    """Horizontal bars of one :class:`ArchResult` field, one per architecture, values written in."""
    ax = new_axes(ax)
    colors = arch_colors(comparison)
    names = comparison.names
    vals = [getattr(a, field) for a in comparison.archs]
    y = np.arange(len(names))
    ax.barh(y, vals, color=[colors[n] for n in names], **bar_kws)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    hi = max(vals)
    ax.set_xlim(right=hi * (4 if log else 1.3))
    for yi, v in zip(y, vals):
        ax.text(v * (1.1 if log else 1) + (0 if log else hi * 0.02), yi, fmt.format(v),
                va="center", fontsize=9.5)
    return ax


def architectures_figure(comparison, *, figsize=(16, 9)):
    """Every architecture's summary side by side, then parameters, accuracy, time, learning curves.

    The one-sentence conclusion (:meth:`ArchComparison.conclusion`) is written under the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(comparison.archs)
    fig = plt.figure(figsize=figsize, layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[0.7, 1], hspace=0.02)
    colors = arch_colors(comparison)
    tax = top.subplots(1, n)
    tax = np.atleast_1d(tax)
    for ax, a in zip(tax, comparison.archs):
        ax.axis("off")
        ax.set_title(f"{a.name}\n{a.description}", fontsize=10.5, color=colors[a.name],
                     fontweight="bold")
        ax.text(0.0, 1.0, "\n".join(summary_lines(a.summary)), family="monospace", fontsize=9.5,
                va="top", ha="left", transform=ax.transAxes, linespacing=1.35)
    top.suptitle(f"learn.summary() of each model (input 1×{comparison.image_size}×{comparison.image_size}; "
                 "output shape: channels×height×width)", fontsize=11)

    bax = bottom.subplots(1, 4, width_ratios=[1, 1, 1, 1.15])
    plot_arch_bars(comparison, "params", ax=bax[0], log=True)
    bax[0].set_title("trainable parameters (log scale)", fontsize=11)
    plot_arch_bars(comparison, "test_acc", ax=bax[1], fmt="{:.1%}")
    bax[1].set_xlim(0, 1.25)
    bax[1].set_title("held-out accuracy", fontsize=11)
    plot_arch_bars(comparison, "train_seconds", ax=bax[2], fmt="{:.2f} s")
    bax[2].set_title("CPU training time, 1 thread\n(this machine; yours will differ)", fontsize=11)
    for ax in bax[1:3]:
        ax.tick_params(labelleft=False)
    ep = np.arange(1, comparison.epochs + 1)
    for a in comparison.archs:
        bax[3].plot(ep, a.epoch_acc, marker="o", ms=3.5, lw=1.6, color=colors[a.name], label=a.name)
    bax[3].set_ylim(0, 1)
    bax[3].set_xlabel("epoch")
    bax[3].set_title("held-out accuracy after each epoch", fontsize=11)
    bax[3].grid(alpha=0.4)
    bax[3].legend(fontsize=9, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    bottom.suptitle(f"each trained the same way: Adam lr {comparison.lr:g}, {comparison.epochs} epochs, "
                    f"batch {comparison.batch_size}, same seed and mini-batches", fontsize=11)
    import textwrap
    fig.suptitle("\n".join(textwrap.wrap(f"Small CNNs on the same {comparison.image_size}×"
                                         f"{comparison.image_size} digits: " + comparison.conclusion(), 120)),
                 fontsize=13)
    return fig
