""""How does data augmentation work if it's the same image?" as figures.

Lessons 1-3 of fast.ai 2018 (``fastai-lessons.md`` section 3). Takes the results of
:func:`viz.core.augment.augment_image`, :func:`~viz.core.augment.dihedral_set` and
:func:`~viz.core.augment.tta`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import new_axes

_SET_TITLES = {"side_on": "transforms_side_on  (rotate ±10°, lighting, flip, zoom, crop)",
               "top_down": "transforms_top_down  (rotate ±10°, lighting, 8 dihedral symmetries, zoom, crop)",
               "basic": "transforms_basic  (rotate ±10°, lighting, zoom, crop)"}


def show_image(img, *, ax=None, title=None, **kwargs):
    """Draw one picture ``(H, W)`` or ``(H, W, C)`` in 0..1 without ticks; returns the Axes."""
    ax = new_axes(ax, figsize=(3, 3))
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    kw = {"cmap": "gray", "vmin": 0, "vmax": 1} if img.ndim == 2 else {}
    kw.update(kwargs)
    ax.imshow(np.clip(img, 0, 1), interpolation="nearest", **kw)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def _augmented_block(fig, aug, ncols, *, top):
    n = len(aug.images)
    rows = int(np.ceil(n / ncols))
    gs = fig.add_gridspec(rows, ncols + 1, width_ratios=[1.3] + [1] * ncols, left=0.005,
                          right=0.995, top=top, bottom=0.005, wspace=0.1, hspace=0.34)
    ax0 = fig.add_subplot(gs[:, 0])
    show_image(aug.image, ax=ax0)
    ax0.set_title(f"the image\nlabel: {aug.label}", fontsize=12, fontweight="bold")
    axes = [ax0]
    for i in range(n):
        ax = fig.add_subplot(gs[i // ncols, 1 + i % ncols])
        show_image(aug.images[i], ax=ax)
        ax.set_title(f"label: {aug.label}  ({100 * aug.changed[i]:.0f}% px new)\n"
                     f"{aug.describe(i, multiline=True)}", fontsize=7.5, linespacing=1.15)
        axes.append(ax)
    return axes


def augmentation_figure(*sets, ncols: int = 4, figsize=None):
    """One picture per transform set, each next to its augmented views.

    Parameters
    ----------
    *sets : viz.core.augment.AugmentedSet
        e.g. a side-on photo and a top-down one.
    ncols : int
        Views per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not sets:
        raise ValueError("augmentation_figure needs at least one AugmentedSet")
    rows = [int(np.ceil(len(s.images) / ncols)) for s in sets]
    figsize = figsize or (2.0 * (ncols + 1.3) + 0.4, 2.5 * sum(rows) + 0.45 * len(sets) + 0.55)
    fig = plt.figure(figsize=figsize)
    heights = [2.5 * r + 0.45 for r in rows]
    subfigs = np.atleast_1d(fig.subfigures(len(sets) + 1, 1, height_ratios=[0.55] + heights))
    subfigs[0].suptitle("Same image, same label, new pixels every epoch: what data augmentation "
                        "feeds the model", fontsize=14, y=0.75)
    for inner, aug, h in zip(subfigs[1:], sets, heights):
        inner.set_facecolor("none")
        inner.text(0.005, 0.995, _SET_TITLES.get(aug.tfms_name, aug.tfms_name), fontsize=11,
                   ha="left", va="top")
        _augmented_block(inner, aug, ncols, top=1 - 0.78 / h)
    return fig


def dihedral_figure(dset, *, figsize=(10, 5.4)):
    """The 8 symmetries of the square (``RandomDihedral``) on one picture, 2 rows of 4."""
    fig, axes = plt.subplots(2, 4, figsize=figsize, layout="constrained")
    for ax, img, name in zip(axes.ravel(), dset.images, dset.names):
        show_image(img, ax=ax, title=name)
        ax.title.set_fontsize(11)
    fig.suptitle("RandomDihedral: 4 quarter turns × mirror or not = the 8 symmetries of a "
                 "square\n(fine from above, as in satellite pictures; for side-on photos only "
                 "the mirror is used)", fontsize=12)
    return fig


def tta_figure(res, *, n_examples: int = 4, figsize=None):
    """Test-time augmentation: for a few images, each pass's input and prediction, and
    the averaged probabilities; at the bottom, the accuracy of every pass and of the average.

    Parameters
    ----------
    res : viz.core.augment.TTAResult
    n_examples : int
        Rows of examples (the first of ``res.example_index``: fixed mistakes first).
    """
    k = min(n_examples, len(res.example_index))
    passes = res.n_aug + 1
    figsize = figsize or (1.55 * passes + 4.6, 1.75 * k + 2.9)
    fig = plt.figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(k + 1, passes + 1, width_ratios=[1] * passes + [2.6],
                          height_ratios=[1] * k + [1.45])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    good, bad = colors[2], colors[3]
    for r in range(k):
        j = res.example_index[r]
        truth = res.classes[res.y[j]]
        for p in range(passes):
            ax = fig.add_subplot(gs[r, p])
            pr = res.probs[p, j]
            c = int(pr.argmax())
            show_image(np.moveaxis(res.examples[p, r], 0, -1), ax=ax)
            ax.set_title(f"{'original' if p == 0 else f'aug {p}'}\n{res.classes[c]} ({pr[c]:.2f})",
                         fontsize=8.5, color=good if c == res.y[j] else bad)
        ax = fig.add_subplot(gs[r, passes])
        _prob_bars(ax, res, j, good, bad)
        ax.set_title(f"true label {truth}: average → {res.classes[res.tta_preds[j]]}",
                     fontsize=9)
    ax = fig.add_subplot(gs[k, :])
    names = ["original"] + [f"aug {i}" for i in range(1, passes)] + ["TTA average"]
    acc = list(res.accuracy) + [res.tta_accuracy]
    bars = ax.bar(names, [100 * a for a in acc], color=[colors[0]] * passes + [colors[1]])
    for b, a in zip(bars, acc):
        ax.text(b.get_x() + b.get_width() / 2, 100 * a, f"{100 * a:.1f}%", ha="center",
                va="bottom", fontsize=9)
    lo = 100 * min(acc)
    ax.set_ylim(max(0, lo - 8), min(100, 100 * max(acc) + 4))
    ax.set_ylabel(f"accuracy, {len(res.y)} images")
    fig.suptitle(f"Test-time augmentation: predict the original and {res.n_aug} augmented "
                 "versions, average the probabilities\n(titles: predicted class and its "
                 "probability, green when right)", fontsize=13)
    return fig


def _prob_bars(ax, res, j, good, bad):
    x = np.arange(len(res.classes))
    mean = res.mean_probs[j]
    ax.bar(x, mean, color=[good if c == res.y[j] else "#999999" for c in x], alpha=0.85,
           label="average")
    for p in range(res.n_aug + 1):
        ax.plot(x, res.probs[p, j], ls="none", marker="o" if p == 0 else ".", ms=5 if p == 0 else 4,
                color=plt.rcParams["text.color"], alpha=0.9 if p == 0 else 0.55,
                label="original" if p == 0 else ("augmented" if p == 1 else None))
    ax.set_xticks(x, res.classes, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=6.5, loc="upper right", frameon=False, ncols=3)
    return ax
