"""Learning-rate schedules: the SGDR wave, its loss, every schedule side by side.

Lessons 1-3 of fast.ai 2018 (``fastai-lessons.md`` sections 2-4). Every function takes
a core result from :mod:`viz.core.schedules`, :mod:`viz.core.sgdr_training` or
:mod:`viz.core.sgdr_landscape`; none computes a schedule or trains anything.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.patches import FancyBboxPatch

from ._style import PALETTE, new_axes


def _muted():
    return plt.rcParams["text.color"]


def _epochs_axis(ax, iters_per_epoch, label="epoch"):
    """A secondary x axis on top, in epochs, with a tick at every whole epoch."""
    nb = float(iters_per_epoch)
    sec = ax.secondary_xaxis("top", functions=(lambda i: np.asarray(i) / nb, lambda e: np.asarray(e) * nb))
    sec.set_xlabel(label)
    lo, hi = ax.get_xlim()
    n = int(hi // nb)
    step = max(1, int(np.ceil((n + 1) / 16)))
    sec.set_xticks(np.arange(0, n + 1, step))
    return sec


def _plural(n, word):
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def _cycle_marks(ax, schedule, *, labels=True, y=0.97, fontsize=9, start_cycle=1):
    """Dashed lines at each restart, 'cycle c: n epochs' over each cycle; return the Texts."""
    nb, texts = schedule.iters_per_epoch, []
    for c, (a, b) in enumerate(schedule.cycles()):
        if a > 0:
            ax.axvline(a, color=_muted(), lw=0.8, ls="--", alpha=0.6)
        if labels:
            texts.append(ax.text((a + b) / 2, y, f"cycle {c + start_cycle}:\n{_plural((b - a) / nb, 'epoch')}",
                                 transform=ax.get_xaxis_transform(), ha="center", va="top",
                                 fontsize=fontsize))
    return texts


def sgdr_wave(schedule, *, ax=None, group: int = -1, label_cycles: bool = True,
              annotate_warmup: bool = True, **line_kws):
    """Plot one layer group's LR against iterations, with an epochs axis and cycle labels.

    Parameters
    ----------
    schedule : viz.core.schedules.Schedule
        From :func:`viz.core.schedules.sgdr` (or any schedule with cycles).
    group : int
        Layer group to draw; the last one (the head) is what fastai's ``plot_lr`` shows.
    label_cycles, annotate_warmup : bool
        Write "cycle c: n epochs" over each cycle; point at the lr/100 warm-up.
    **line_kws
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, figsize=(8, 4))
    lr = schedule.lr[:, group]
    kws = {"lw": 1.8, "label": f"LR ({schedule.group_names[group]})"}
    kws.update(line_kws)
    ax.plot(np.arange(schedule.n_iter), lr, **kws)
    ax.set_xlim(0, schedule.n_iter)
    ax.set_ylim(0, lr.max() * 1.2)
    ax.set_xlabel("iteration (mini-batch)")
    ax.set_ylabel("learning rate")
    _epochs_axis(ax, schedule.iters_per_epoch)
    _cycle_marks(ax, schedule, labels=label_cycles)
    warm = int(np.argmax(lr >= lr.max() * 0.5)) if lr.size else 0
    if annotate_warmup and 0 < warm < schedule.n_iter and np.isclose(lr[0], lr.max() / 100):
        ax.annotate(f"warm-up: lr/100 for {warm} batches", xy=(warm / 2, lr[0]),
                    xytext=(schedule.iters_per_epoch * 0.35, lr.max() * 0.45), fontsize=9,
                    arrowprops=dict(arrowstyle="->", color=_muted(), lw=0.8))
    return ax


def sgdr_wave_figure(schedule, *, title=None, figsize=(9, 4.2)):
    """:func:`sgdr_wave` as a slide, with the epoch arithmetic in the title."""
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    sgdr_wave(schedule, ax=ax)
    ax.set_title(title or schedule.label, pad=8)
    return fig


def sgdr_loss_figure(run, *, beta: float = 0.9, figsize=(10, 6.4)):
    """The LR of every layer group on top, the measured batch loss aligned underneath.

    ``run`` is a :class:`viz.core.sgdr_training.SGDRRun`. Raw batch losses are thin, their
    debiased moving average (``run.smoothed_loss(beta)``) thick; dashed lines mark restarts.

    Returns
    -------
    matplotlib.figure.Figure
    """
    s = run.schedule
    fig, (ax_lr, ax_loss) = plt.subplots(2, 1, sharex=True, figsize=figsize, layout="constrained",
                                         height_ratios=[1, 1.3])
    it = np.arange(len(run.loss))
    colors = sns.color_palette(PALETTE, s.n_groups)
    for g in range(s.n_groups):
        y = np.where(s.trainable[:, g], run.lr[:, g], np.nan)
        ax_lr.plot(it, y, color=colors[g], lw=1.6 if g == s.n_groups - 1 else 1.1,
                   label=f"{s.group_names[g]}")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_ylim(0, run.lr.max() * 1.75)
    ax_lr.legend(loc="upper left", fontsize=8, frameon=False, title="layer group",
                 title_fontsize=8, bbox_to_anchor=(1.0, 1.0))
    ax_lr.set_xlim(0, len(it))
    _epochs_axis(ax_lr, s.iters_per_epoch)
    _phase_labels(ax_lr, s)
    for ax in (ax_lr, ax_loss):
        _cycle_marks(ax, s, labels=ax is ax_lr, y=0.99, fontsize=8)
    ax_loss.plot(it, run.loss, lw=0.8, alpha=0.6, color=colors[0], label="batch loss")
    ax_loss.plot(it, run.smoothed_loss(beta), lw=1.8, color=colors[0],
                 label=f"moving average (beta {beta:g})")
    ax_loss.set_ylabel("training loss (cross-entropy)")
    ax_loss.set_xlabel("iteration (mini-batch)")
    ax_loss.set_ylim(0, np.percentile(run.loss, 99.5) * 1.1)
    ax_loss.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("SGDR on a small CNN (8×8 digits): the loss jumps when the LR restarts", fontsize=13)
    return fig


def _phase_labels(ax, schedule):
    for ph in schedule.phases:
        if ph.start > 0:
            ax.axvline(ph.start, color=_muted(), lw=1.6)
        ax.text((ph.start + ph.stop) / 2, 0.74, ph.name, transform=ax.get_xaxis_transform(),
                fontsize=10, fontweight="bold", ha="center", va="top",
                bbox=dict(fc=plt.rcParams["axes.facecolor"], ec="none", pad=1.5))


def schedules_grid(schedules, *, ncols: int = 2, figsize=None):
    """Small multiples: every schedule's LR on the same iteration budget and LR scale.

    Returns
    -------
    matplotlib.figure.Figure
    """
    schedules = list(schedules)
    if not schedules:
        raise ValueError("no schedules to draw")
    nrows = int(np.ceil(len(schedules) / ncols))
    fig, axes = plt.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False,
                             figsize=figsize or (5.2 * ncols, 1.9 * nrows + 0.8), layout="constrained")
    colors = sns.color_palette(PALETTE, len(schedules))
    top = max(s.head.max() for s in schedules) * 1.15
    for k, (ax, s) in enumerate(zip(axes.flat, schedules)):
        ax.plot(np.arange(s.n_iter), s.head, color=colors[k], lw=1.5)
        ax.set_title(s.label, fontsize=9.5, loc="left")
        ax.set_ylim(0, top)
        ax.set_xlim(0, s.n_iter)
        for c in s.cycle_starts[1:]:
            ax.axvline(c, color=_muted(), lw=0.6, ls=":", alpha=0.6)
        ax.grid(axis="y", lw=0.5)
    for ax in axes.flat[len(schedules):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("iteration")
    for ax in axes[:, 0]:
        ax.set_ylabel("LR")
    s0 = schedules[0]
    fig.suptitle(f"Learning-rate schedules on one budget: {s0.n_iter} iterations "
                 f"= {s0.n_epochs:g} epochs of {s0.iters_per_epoch}", fontsize=12)
    return fig


def layer_group_lrs(schedule, *, ax=None, log: bool = True, lr=None):
    """Each layer group's LR over a freeze -> unfreeze run (frozen stretches dotted, grey).

    ``schedule`` is a :class:`viz.core.schedules.Schedule` with ``trainable`` and
    ``phases`` (``freeze_unfreeze``, or ``run.schedule``); ``lr`` overrides its array with
    recorded values, shape (n_iter, n_groups).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, figsize=(9, 4.4))
    lrs = schedule.lr if lr is None else np.asarray(lr)
    it = np.arange(schedule.n_iter)
    colors = sns.color_palette(PALETTE, schedule.n_groups)
    for g in range(schedule.n_groups):
        on = schedule.trainable[:, g]
        ax.plot(it, np.where(on, lrs[:, g], np.nan), color=colors[g], lw=1.6,
                label=schedule.group_names[g])
    if log:
        ax.set_yscale("log")
    ax.set_xlim(0, schedule.n_iter)
    ax.set_xlabel("iteration (mini-batch)")
    ax.set_ylabel("learning rate" + (" (log scale)" if log else ""))
    _epochs_axis(ax, schedule.iters_per_epoch)
    for ph in schedule.phases:
        if ph.start > 0:
            ax.axvline(ph.start, color=_muted(), lw=1.6)
    ax.set_ylim(lrs[lrs > 0].min() / 3 if log else 0, lrs.max() * (12 if log else 1.3))
    for ph in schedule.phases:
        frozen = [n for g, n in enumerate(schedule.group_names)
                  if not schedule.trainable[ph.start:ph.stop, g].any()]
        text = (f"frozen: only the head trains\n({', '.join(frozen)}: no gradients)" if ph.name == "frozen"
                else "unfrozen: lr/9, lr/3, lr" if ph.name == "unfrozen" else ph.name)
        ax.text((ph.start + ph.stop) / 2, 0.97, text, transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=9)
    ax.legend(loc="lower left", fontsize=8, ncols=schedule.n_groups, frameon=False)
    return ax


_STAGE = {"frozen": 1, "unfrozen": 2}


def progressive_resizing_timeline(steps, *, ax=None, lr_wave=None):
    """The planet recipe as a timeline of blocks: size, frozen/unfrozen, epochs, LRs.

    ``steps`` from :func:`viz.core.schedules.progressive_resizing`; ``lr_wave`` (optional,
    a 1-D array of one fit's LR) is drawn small inside every block.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, figsize=(12, 3.6))
    colors = sns.color_palette(PALETTE)
    end = max(s.stop for s in steps)
    fg = _muted()
    for s in steps:
        if s.stage == "lr_find":
            ax.annotate("lr_find()\nat the smallest size", xy=(s.start, 0.0), xytext=(s.start, -0.55),
                        ha="center", fontsize=9, arrowprops=dict(arrowstyle="->", color=fg))
            continue
        col = colors[_STAGE[s.stage]]
        ax.add_patch(FancyBboxPatch((s.start + 0.15, 0.0), s.stop - s.start - 0.3, 1.0,
                                    boxstyle="round,pad=0,rounding_size=0.25", fc=col, alpha=0.25,
                                    ec=col, lw=1.5))
        if lr_wave is not None:
            w = np.asarray(lr_wave, float)
            xs = np.linspace(s.start + 0.3, s.stop - 0.3, len(w))
            ax.plot(xs, 0.08 + 0.35 * w / w.max(), color=col, lw=1.0)
        ax.text((s.start + s.stop) / 2, 0.8, f"{s.size}×{s.size}", ha="center", va="center",
                fontsize=11, fontweight="bold")
        ax.text((s.start + s.stop) / 2, 0.6, f"{s.stage}\n{s.lrs}", ha="center", va="center", fontsize=8.5)
        if s.notebook_f2 is not None:
            ax.text((s.start + s.stop) / 2, 1.1, f"F2 {s.notebook_f2:.4g}", ha="center", va="bottom",
                    fontsize=8.5, color=fg)
    sizes = sorted({s.size for s in steps})
    for size in sizes[1:]:
        x = min(s.start for s in steps if s.size == size and s.stage != "lr_find")
        ax.annotate("set_data(bigger)", xy=(x, 0.5), xytext=(x, -0.45), ha="center", fontsize=8.5,
                    arrowprops=dict(arrowstyle="->", color=fg))
    ax.set_xlim(-1.5, end + 0.5)
    ax.set_ylim(-0.8, 1.45)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("epoch")
    ax.set_title("Progressive resizing (planet notebook): at each size freeze, fit(lr, 3, cycle_len=1, "
                 "cycle_mult=2), unfreeze, fit([lr/9, lr/3, lr], ...)", fontsize=11)
    return ax


def ball_figure(run, *, figsize=(10, 6.2)):
    """The SGDR ball: its path on the landscape, and its position against iterations.

    ``run`` is a :class:`viz.core.sgdr_landscape.BallRun`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    land, s = run.landscape, run.schedule
    fig, (ax_l, ax_x) = plt.subplots(1, 2, figsize=figsize, layout="constrained", width_ratios=[1.2, 1])
    gx, gy = land.grid()
    ax_l.plot(gx, gy, color=_muted(), lw=2)
    colors = sns.color_palette(PALETTE, len(s.cycles()))
    for c, (a, b) in enumerate(s.cycles()):
        ax_l.plot(run.x[a:b + 1], run.loss[a:b + 1], "o-", ms=3, lw=0.6, alpha=0.75, color=colors[c],
                  label=f"cycle {c + 1}: ends at x = {run.x[b]:.2f}")
    top = s.head.max()
    for k, (cx, k2) in enumerate(zip(land.centers, land.curvature())):
        flat = bool(land.stable(top)[k])
        ax_l.annotate(f"{'wide' if flat else 'sharp'}: f'' = {k2:.3g}\nlr·f'' = {top * k2:.2f} "
                      f"{'< 2' if flat else '> 2'}\n{'stays' if flat else 'kicked out'}", xy=(cx, land.loss(cx) - 0.05),
                      xytext=(cx, gy.min() - 1.0), ha="center", va="top", fontsize=8,
                      arrowprops=dict(arrowstyle="-", color=_muted(), lw=0.6))
    ax_l.set_ylim(gy.min() - 2.3, gy.max() + 0.3)
    ax_l.set_xlabel("parameter x")
    ax_l.set_ylabel("loss f(x)")
    ax_l.legend(fontsize=8, frameon=False, loc="upper right")
    ax_l.set_title(f"stable only where lr × f'' < 2  (peak lr {s.head.max():g})", fontsize=10)
    ax_x.plot(np.arange(len(run.x)), run.x, color=colors[0], lw=1.4, label="x")
    for k, cx in enumerate(land.centers):
        ax_x.axhline(cx, color=_muted(), lw=0.6, ls=":")
    ax_x.set_xlim(0, len(run.x) - 1)
    ax_x.set_xlabel("iteration")
    ax_x.set_ylabel("x (dotted: well centres)")
    _epochs_axis(ax_x, s.iters_per_epoch)
    _cycle_marks(ax_x, s, labels=True, y=0.08, fontsize=8)
    lr_ax = ax_x.twinx()
    lr_ax.plot(np.arange(s.n_iter), s.head, color=colors[1], lw=1, alpha=0.6)
    lr_ax.set_ylabel("learning rate", color=colors[1])
    lr_ax.spines["right"].set_visible(True)
    fig.suptitle("A ball rolling under SGDR: kicked out of sharp minima at each restart, "
                 "it ends in the wide one", fontsize=12)
    return fig
