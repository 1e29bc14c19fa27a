"""How a DataLoader feeds the model: numbered items, shuffled batches, new pixels each epoch.

Draws a :class:`viz.core.dataloading.LoaderTrace` (fast.ai 2018, lessons 2-3: datasets,
data loaders, iterators, "how does augmentation work if it's the same image?"). Every
index, batch and image comes from the trace, which recorded a real ``DataLoader``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.patches import FancyBboxPatch

from ._style import PALETTE, new_axes

STEP = 1.35          # distance between images (an image is 1 x 1)


def _ink_cmap():
    """Dark ink on light paper on a light slide, light ink on a dark one."""
    face = plt.matplotlib.colors.to_rgb(plt.rcParams["axes.facecolor"])
    return "gray" if sum(face) < 1.5 else "Greys"


def _image(ax, img, x, y, cmap):
    """Draw a (1, H, W) or (H, W) image with its lower-left corner at (x, y), size 1."""
    img = np.asarray(img).reshape(img.shape[-2:])
    ax.imshow(img, cmap=cmap, vmin=0, vmax=1, extent=(x, x + 1, y, y + 1), interpolation="nearest",
              zorder=2)
    ax.add_patch(plt.Rectangle((x, y), 1, 1, fill=False, lw=0.6, ec=plt.rcParams["axes.edgecolor"],
                               zorder=3))


def _box(ax, x0, y0, x1, y1, color, *, dashed=False):
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.08,rounding_size=0.15",
                                fill=False, ec=color, lw=2, ls="--" if dashed else "-", zorder=1))


def loader_figure(trace, *, epochs: int = 2, item: int | None = None, figsize=(15, 7.6)):
    """The dataset's numbered items, ``epochs`` epochs of shuffled batches, one item every epoch.

    Parameters
    ----------
    trace : viz.core.dataloading.LoaderTrace
    epochs : int
        How many of the trace's epochs to draw as rows of batches.
    item : int, optional
        The dataset index shown in every epoch on the right (default: the first index the
        loader read).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not 1 <= epochs <= trace.n_epochs:
        raise ValueError(f"epochs must be in 1..{trace.n_epochs}, got {epochs!r}")
    item = int(trace.order[0, 0]) if item is None else item
    views = trace.item_views(item)                       # validates item
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    draw_loader(trace, ax=ax, epochs=epochs, item=item, views=views)
    fig.suptitle("A DataLoader feeds the model: shuffled indices → items → batches, "
                 "new pixels every epoch", fontsize=14)
    return fig


def draw_loader(trace, *, ax=None, epochs: int = 2, item: int = 0, views=None):
    """Axes-level part of :func:`loader_figure`; returns the Axes."""
    ax = new_axes(ax, figsize=(15, 7.6))
    cmap, muted = _ink_cmap(), plt.rcParams["text.color"]
    colors = sns.color_palette(PALETTE, len(trace.batch_sizes))
    n, bs = trace.n_items, trace.batch_size
    row_h = 3.2
    top = 2.4

    # --- row 0: the dataset as numbered items
    y = 0.0
    ax.text(-0.2, y + 1.75, f"Dataset: len(ds) = {n}; ds[i] returns (image, label)",
            fontsize=12, fontweight="bold", va="bottom")
    for i in range(n):
        x = i * STEP
        _image(ax, trace.images[i], x, y, cmap)
        ax.text(x + 0.5, y + 1.08, f"ds[{i}]", ha="center", va="bottom", fontsize=10)
        ax.text(x + 0.5, y - 0.08, f"label {trace.labels[i]}", ha="center", va="top", fontsize=9,
                color=muted)

    # --- rows 1..epochs: what the loader produced
    for e in range(epochs):
        y = -(e + 1) * row_h + 0.4
        ax.text(-0.2, y + 1.75, f"epoch {e + 1}: for i, (x, y) in enumerate(loader)  "
                f"(shuffle=True, generator seeded {trace.seed}; shifted by up to {trace.max_shift} px "
                "in __getitem__)", fontsize=11, va="bottom")
        for b, (lo, hi) in enumerate(trace.bounds()):
            idx, xb, yb = trace.batch(e, b)
            partial = len(idx) < bs
            for j, (i, img) in enumerate(zip(idx, xb)):
                x = (lo + j) * STEP
                _image(ax, img, x, y, cmap)
                ax.text(x + 0.5, y + 1.08, str(int(i)), ha="center", va="bottom", fontsize=11,
                        fontweight="bold", color=colors[b])
            x0, x1 = lo * STEP - 0.03, (hi - 1) * STEP + 1.03
            _box(ax, x0, y - 0.95, x1, y + 1.5, colors[b], dashed=partial)
            shape = "×".join(str(d) for d in xb.shape)
            cap = (f"batch i = {b}" + (", partial" if partial else "") +
                   f"\nx {shape}, y {np.array2string(np.asarray(yb), separator=' ')}")
            if partial:
                cap += "\ndrop_last=True drops it"
            ax.text((x0 + x1) / 2, y - 0.2, cap, ha="center", va="top", fontsize=9, color=colors[b])

    # --- right: one item in every epoch
    views = trace.item_views(item) if views is None else views
    xr = n * STEP + 1.0
    y = 0.0
    ax.text(xr - 0.1, y + 1.75, f"the same item ds[{item}], every epoch", fontsize=12,
            fontweight="bold", va="bottom")
    _image(ax, trace.images[item], xr, y, cmap)
    ax.text(xr + 1.15, y + 0.5, f"stored\nlabel {trace.labels[item]}", va="center", fontsize=10)
    for e in range(trace.n_epochs):
        ye = y - (e + 1) * 1.7
        _image(ax, views[e], xr, ye, cmap)
        ax.text(xr + 1.15, ye + 0.5, f"epoch {e + 1}\nlabel {trace.labels[item]}", va="center",
                fontsize=10)
    ax.text(xr - 0.1, y - trace.n_epochs * 1.7 - 0.35,
            "same label, new pixels:\nthe transform runs every\ntime ds[i] is read",
            fontsize=10, va="top", color=muted)

    ax.set_xlim(-0.4, xr + 3.6)
    ax.set_ylim(min(-epochs * row_h - 0.8, -trace.n_epochs * 1.7 - 2.0), top)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
