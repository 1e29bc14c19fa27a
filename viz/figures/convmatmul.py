"""Static figures: convolutions and activations are matrix multiplications (lesson 3).

Each function takes a result from :mod:`viz.core.convmatmul` or
:mod:`viz.core.convmatmul_nonlin` and returns a matplotlib ``Figure``. The scenes in
``scenes/convmatmul*.py`` animate the same results.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, Rectangle

from ._style import DIVERGING_CMAP, SEQUENTIAL_CMAP
from .grids import heatmap_grid

FILTER_COLORS = ("#E69F00", "#CC79A7", "#009E73", "#56B4E9")
WINDOW_COLOR = "#F0B400"
TILE = {"input": "#4C8BD6", "pad": "#C9CED6", "tap": "#0B2A55", "out": "#41B6C4", "here": "#0B4F57"}


def _frame(ax, row, col, height=1, width=1, *, color=WINDOW_COLOR, lw=2.5, **kwargs):
    """A rectangle around cells of an imshow grid (0-based row, col)."""
    rect = Rectangle((col - 0.5, row - 0.5), width, height, fill=False, ec=color, lw=lw,
                     clip_on=False, **kwargs)
    ax.add_patch(rect)
    return rect


def _sym(fig, spec, text, size=22):
    """A symbol (×, =, ·) centred in its own narrow grid cell ``spec``."""
    ax = fig.add_subplot(spec)
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=size, transform=ax.transAxes)
    return ax


def _tiles(ax, conv, index, *, title=None):
    """Conv-arithmetic picture of the padded input with patch ``index``'s taps shaded."""
    mask = conv.padding_mask
    ax.imshow(np.zeros(mask.shape), cmap="Greys", vmin=0, vmax=1)
    for (r, c), pad in np.ndenumerate(mask):
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fc=TILE["pad" if pad else "input"],
                               ec="white", lw=1.0, ls="--" if pad else "-"))
    for r, c in conv.window(index):
        ax.add_patch(Rectangle((c - 0.4, r - 0.4), 0.8, 0.8, fc=TILE["tap"], ec="none", alpha=0.85))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def _out_tiles(ax, conv, index):
    oh, ow = conv.out_shape
    row, col = conv.position(index)
    ax.imshow(np.zeros((oh, ow)), cmap="Greys", vmin=0, vmax=1)
    for r in range(oh):
        for c in range(ow):
            here = (r, c) == (row, col)
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fc=TILE["here" if here else "out"],
                                   ec="white", lw=1.0))
    ax.set_axis_off()
    return ax


def kernel_sliding_figure(examples, *, index: int = 4, figsize=(13, 7.5)):
    """One window's products and sum (first example), then padding / stride / dilation.

    Parameters
    ----------
    examples : dict of str -> Im2ColConv
        From :func:`viz.core.convmatmul.sliding_examples`; the first is drawn with numbers,
        the next three in the convolution-arithmetic style.
    index : int
        Which window (patch) to show.
    """
    names = list(examples)
    conv = examples[names[0]]
    fig = plt.figure(figsize=figsize, layout="constrained")
    outer = fig.add_gridspec(2, 1, height_ratios=[1, 1.05])
    top = outer[0].subgridspec(1, 4, width_ratios=[5, 3, 3, 3])
    axs = [fig.add_subplot(top[k]) for k in range(4)]
    n = index % conv.n_patches
    row, col = conv.position(n)
    heatmap_grid(conv.input[0], ax=axs[0], fmt="{:.0f}", cmap=SEQUENTIAL_CMAP, center=None, vmin=0,
                 vmax=conv.input.max() * 1.6, title="input, one window")
    r0, c0 = conv.origins[n]
    kh, kw = conv.kernel_shape
    _frame(axs[0], r0, c0, kh, kw)
    for (r, c), w in zip(conv.window(n), conv.weight[0, 0].ravel()):
        axs[0].text(c + 0.42, r + 0.42, f"×{w:.0f}", ha="right", va="bottom", fontsize=8,
                    color="#B35806", fontweight="bold")
    heatmap_grid(conv.weight[0, 0], ax=axs[1], fmt="{:.0f}", cmap="Oranges", center=None, vmin=0,
                 vmax=conv.weight.max() * 1.6, title="kernel")
    prods = conv.window_products(n)[0]
    heatmap_grid(prods, ax=axs[2], fmt="{:.0f}", cmap="Greens", center=None, vmin=0,
                 vmax=max(prods.max(), 1) * 1.6,
                 title=f"products, Σ = {conv.output[0, row, col]:.0f}")
    heatmap_grid(conv.output[0], ax=axs[3], fmt="{:.0f}", cmap="Greens", center=None, vmin=0,
                 vmax=conv.output.max() * 1.6, title="output")
    _frame(axs[3], row, col)
    fig.suptitle(f"{names[0]}: window × kernel, element-wise, summed = one output cell",
                 fontsize=12)
    rest = names[1:4]
    bottom = outer[1].subgridspec(2, len(rest), height_ratios=[3, 2])
    sub = np.array([[fig.add_subplot(bottom[r, k]) for k in range(len(rest))] for r in range(2)])
    for k, name in enumerate(rest):
        cv = examples[name]
        m = min(index, cv.n_patches - 1)
        _tiles(sub[0, k], cv, m, title=f"{name}\n{'x'.join(map(str, cv.input.shape[1:]))} → "
                                        f"{'x'.join(map(str, cv.out_shape))}")
        _out_tiles(sub[1, k], cv, m)
    fig.supxlabel("blue: input   grey, dashed: padding   dark: kernel taps   cyan: output map "
                  "(dark: the cell they make)", fontsize=10)
    return fig


def im2col_figure(conv, *, show=(0, 1, None), figsize=(15, 6)):
    """The convolution as ``patches @ weights``, reshaped into the feature maps.

    ``show``: patch indices whose window, patch row, product row and output cell are
    framed in matching colours (``None`` = the last patch).
    """
    n_f = conv.weight.shape[0]
    shows = [conv.n_patches - 1 if s is None else s for s in show]
    colors = ["#F0B400", "#009E73", "#D55E00", "#56B4E9"]
    fig = plt.figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(n_f, 8, width_ratios=[5, 3.2, conv.patches.shape[1] * 0.9, 0.7,
                                                n_f * 1.1, 0.7, n_f * 1.1, 3.5], wspace=0.05)
    ax_in = fig.add_subplot(gs[0, 0])
    ax_k = [fig.add_subplot(gs[f, 1]) for f in range(n_f)]
    ax_p = fig.add_subplot(gs[:, 2])
    ax_w = fig.add_subplot(gs[:, 4])
    ax_y = fig.add_subplot(gs[:, 6])
    ax_o = [fig.add_subplot(gs[f, 7]) for f in range(n_f)]
    _sym(fig, gs[:, 3], "×")
    _sym(fig, gs[:, 5], "=")
    vin = conv.input.max() * 1.6
    c, kh, kw = conv.weight.shape[1:]
    heatmap_grid(conv.padded[0], ax=ax_in, fmt="{:.0f}", cmap=SEQUENTIAL_CMAP, center=None,
                 vmin=0, vmax=vin, title="input, 3 of its windows")
    for s, col in zip(shows, colors):
        r0, c0 = conv.origins[s]
        _frame(ax_in, r0 - 0.06, c0 - 0.06, kh + 0.12, kw + 0.12, color=col)
    for f in range(n_f):
        heatmap_grid(conv.weight[f, 0], ax=ax_k[f], fmt="{:.0f}", title=f"filter {f + 1}")
        for sp in ax_k[f].spines.values():
            sp.set_edgecolor(FILTER_COLORS[f])
            sp.set_linewidth(3)
    heatmap_grid(conv.patches, ax=ax_p, fmt="{:.0f}", cmap=SEQUENTIAL_CMAP, center=None, vmin=0,
                 vmax=vin, title=f"patch matrix {conv.patches.shape[0]}×{conv.patches.shape[1]}\n"
                                 "one row per window")
    heatmap_grid(conv.weight_matrix, ax=ax_w, fmt="{:.0f}",
                 title=f"weights\n{conv.weight_matrix.shape[0]}×{n_f}")
    vy = float(np.abs(conv.product).max())
    heatmap_grid(conv.product, ax=ax_y, fmt="{:.0f}", vmin=-vy, vmax=vy, center=None,
                 cmap=DIVERGING_CMAP, title=f"product\n{conv.product.shape[0]}×{n_f}")
    for f in range(n_f):
        _frame(ax_w, 0, f, conv.weight_matrix.shape[0], 1, color=FILTER_COLORS[f])
        _frame(ax_y, 0, f, conv.product.shape[0], 1, color=FILTER_COLORS[f], lw=1.5)
        heatmap_grid(conv.output[f], ax=ax_o[f], fmt="{:.0f}", vmin=-vy, vmax=vy, center=None,
                     cmap=DIVERGING_CMAP, title=f"map {f + 1} = column {f + 1}\nreshaped")
    for s, col in zip(shows, colors):
        _frame(ax_p, s, 0, 1, conv.patches.shape[1], color=col)
        _frame(ax_y, s, 0, 1, n_f, color=col)
        row, cc = conv.position(s)
        for f in range(n_f):
            _frame(ax_o[f], row, cc, color=col)
    fig.suptitle("A convolution is one matrix product: patches × weights, reshaped "
                 "(equal to F.conv2d)", fontsize=13)
    return fig


def many_channels_figure(conv, *, index: int = 0, filter: int = 0, figsize=(14, 6.5)):
    """Two input channels, one C×k×k kernel: channel sums add up to one activation."""
    n_c = conv.input.shape[0]
    maps = conv.channel_maps(filter)
    row, col = conv.position(index)
    fig, axs = plt.subplots(3, n_c + 1, figsize=figsize, layout="constrained",
                            gridspec_kw={"height_ratios": [6, 3, 4]})
    vin = conv.input.max()
    vm = float(max(np.abs(maps).max(), np.abs(conv.output[filter]).max()))
    sums = conv.channel_sums(index, filter)
    kh, kw = conv.kernel_shape
    r0, c0 = conv.origins[index]
    for c in range(n_c):
        heatmap_grid(conv.input[c], ax=axs[0, c], cmap=SEQUENTIAL_CMAP, center=None, vmin=0,
                     vmax=vin * 1.6, title=f"input channel {c + 1}")
        _frame(axs[0, c], r0, c0, kh, kw)
        heatmap_grid(conv.weight[filter, c], ax=axs[1, c], fmt="{:.2f}", vmin=-1, vmax=1,
                     center=None, title=f"kernel[{c}]  (slice {c + 1} of one "
                     f"{'×'.join(map(str, conv.weight.shape[1:]))} kernel)")
        heatmap_grid(maps[c], ax=axs[2, c], vmin=-vm, vmax=vm, center=None, fmt="{:.2f}",
                     title=f"channel {c + 1}'s sums (here {sums[c]:.2f})")
        _frame(axs[2, c], row, col)
    heatmap_grid(conv.output[filter], ax=axs[2, n_c], vmin=-vm, vmax=vm, center=None, fmt="{:.2f}",
                 title=f"activation = {' + '.join(f'{s:.2f}' for s in sums)}"
                       f" = {conv.output[filter, row, col]:.2f}")
    _frame(axs[2, n_c], row, col)
    axs[0, n_c].set_axis_off()
    axs[1, n_c].set_axis_off()
    axs[0, n_c].text(0.0, 0.5, "conv2 of the spreadsheet on a crop of\nconv1's two channels.\n\n"
                     "The kernel is one tensor: each\nslice meets its own channel, and the\n"
                     "per-channel sums add up to one\nactivation (before ReLU).",
                     transform=axs[0, n_c].transAxes, va="center", fontsize=11)
    return fig


def dense_layer_figure(dense, *, figsize=(14, 4.8)):
    """Neurons-and-edges next to ``W · x = y`` for the same layer."""
    w, x, y = dense.weight, dense.x, dense.output
    n_out, n_in = w.shape
    fig = plt.figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(1, 7, width_ratios=[5, n_in, 0.5, 1, 0.5, 1, 4.2])
    ax = fig.add_subplot(gs[0])
    ys_in = np.linspace(1, 0, n_in)
    ys_out = np.linspace(0.85, 0.15, n_out)
    cmap = plt.get_cmap(DIVERGING_CMAP)
    for j in range(n_out):
        for i in range(n_in):
            ax.plot([0, 1], [ys_in[i], ys_out[j]], color=cmap(0.5 + 0.5 * np.clip(w[j, i], -1, 1)),
                    lw=1 + 5 * abs(w[j, i]), zorder=1, solid_capstyle="round")
    for i in range(n_in):
        ax.add_patch(Circle((0, ys_in[i]), 0.075, fc="#DCE9F7", ec="#2F6DB5", lw=2, zorder=2))
        ax.text(0, ys_in[i], f"{x[i]:.1f}", ha="center", va="center", fontsize=10, color="black", zorder=3)
    for j in range(n_out):
        ax.add_patch(Circle((1, ys_out[j]), 0.075, fc="#E3F4EA", ec="#1B7F4B", lw=2, zorder=2))
        ax.text(1, ys_out[j], f"{y[j]:.2f}", ha="center", va="center", fontsize=8, color="black", zorder=3)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(-0.1, 1.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("inputs → outputs\nedge colour: weight sign, width: |weight|", fontsize=10)
    ax_w, ax_x, ax_y = (fig.add_subplot(gs[k]) for k in (1, 3, 5))
    _sym(fig, gs[2], "·", size=30)
    _sym(fig, gs[4], "=")
    heatmap_grid(w, ax=ax_w, vmin=-1, vmax=1, center=None, title="W  (one row per output)")
    heatmap_grid(x[:, None], ax=ax_x, cmap=SEQUENTIAL_CMAP, center=None, vmin=0, vmax=1.6, title="x")
    heatmap_grid(y[:, None], ax=ax_y, fmt="{:.2f}", title="y")
    ax_t = fig.add_subplot(gs[6])
    ax_t.set_axis_off()
    def term(wv, xv):
        return f"({wv:.1f})·{xv:.1f}" if wv < 0 else f"{wv:.1f}·{xv:.1f}"

    lines = [f"y{j + 1} = " + " + ".join(term(w[j, i], x[i]) for i in range(n_in))
             + f"\n   = {y[j]:.2f}" for j in range(n_out)]
    ax_t.text(0, 0.5, "\n\n".join(lines), transform=ax_t.transAxes, va="center", fontsize=8.5,
              family="monospace")
    return fig


def relu_figure(trace, *, figsize=(13, 4.6)):
    """A feature map before and after ``max(0, x)``, and the ReLU curve with its cells."""
    m = float(np.abs(trace.pre).max())
    fig, axs = plt.subplots(1, 3, figsize=figsize, layout="constrained",
                            gridspec_kw={"width_ratios": [1, 0.9, 1]})
    heatmap_grid(trace.pre, ax=axs[0], vmin=-m, vmax=m, center=None, title="before: top-edge map")
    heatmap_grid(trace.post, ax=axs[2], vmin=-m, vmax=m, center=None, title="after ReLU")
    ax = axs[1]
    xs = np.array([-m, 0, m])
    ax.plot(xs, np.maximum(xs, 0), color="C1", lw=3, label="max(0, x)")
    ax.plot(xs, xs, color="0.6", lw=1, ls="--", label="y = x")
    ax.scatter(trace.pre.ravel(), trace.post.ravel(), s=18, color="C0", zorder=3,
               label=f"the {trace.pre.size} cells ({int(trace.zeroed.sum())} set to 0)")
    ax.axhline(0, color="0.5", lw=0.6)
    ax.axvline(0, color="0.5", lw=0.6)
    ax.set_xlabel("before")
    ax.set_ylabel("after")
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("ReLU in its entirety: max(0, x)")
    return fig


def _draw_lines(ax, lines, *, colors=("C0", "C1"), lw=1.4, **kwargs):
    n = len(lines) // 2
    return [ax.plot(ln[:, 0], ln[:, 1], color=colors[k >= n], lw=lw, **kwargs)[0]
            for k, ln in enumerate(lines)]


def why_nonlinear_figure(stack, *, figsize=(13, 7)):
    """Two linear layers equal their product; with a ReLU between them they do not."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    outer = fig.add_gridspec(2, 1, height_ratios=[1, 2.6])
    mats = [fig.add_subplot(outer[0].subgridspec(1, 3)[k]) for k in range(3)]
    for ax, (m, name) in zip(mats, ((stack.w1, "W1"), (stack.w2, "W2"), (stack.w21, "W2·W1"))):
        heatmap_grid(m, ax=ax, fmt="{:.2f}", vmin=-1.5, vmax=1.5, center=None, title=name)
    low = outer[1].subgridspec(1, 3)
    axs = [fig.add_subplot(low[0])]
    axs += [fig.add_subplot(low[k], sharex=axs[0], sharey=axs[0]) for k in (1, 2)]
    _draw_lines(axs[0], stack.lines)
    axs[0].set_title("the input grid x")
    _draw_lines(axs[1], stack.out_two, lw=3, alpha=0.6)
    ghost = _draw_lines(axs[1], stack.out_single, colors=("k", "k"), lw=0.8, ls="--")
    axs[1].set_title(f"W2·(W1·x) and (W2·W1)·x (dashed)\nmax difference {stack.linear_gap:.1e}")
    _draw_lines(axs[2], stack.out_relu, lw=3, alpha=0.6)
    _draw_lines(axs[2], stack.out_single, colors=("k", "k"), lw=0.8, ls="--")
    axs[2].set_title(f"W2·ReLU(W1·x) and (W2·W1)·x (dashed)\nmax difference {stack.relu_gap:.2f}")
    dark = plt.rcParams["axes.facecolor"] not in ("white", "#FFFFFF", "w")
    for ax in axs:
        ax.set_aspect("equal")
        ax.axhline(0, color="0.5", lw=0.5)
        ax.axvline(0, color="0.5", lw=0.5)
        if dark:
            for ln in ax.lines:
                if ln.get_color() == "k":
                    ln.set_color("white")
    del ghost
    return fig


def shallow_approx_figure(fit, *, snapshots=None, figsize=(15, 7.5)):
    """Hidden units' ReLU pieces and their sum vs the target at a few training steps."""
    n_snap = len(fit.steps)
    picks = list(snapshots) if snapshots is not None else [0, n_snap // 2, n_snap - 1]
    fig, axs = plt.subplots(2, len(picks) + 1, figsize=figsize, layout="constrained",
                            gridspec_kw={"width_ratios": [1] * len(picks) + [0.9]})
    pmax = float(np.abs(fit.pieces).max()) * 1.05
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    lo = min(fit.target.min(), fit.fit.min()) - 0.2
    hi = max(fit.target.max(), fit.fit.max()) + 0.2
    for k, s in enumerate(picks):
        ax = axs[0, k]
        for j in range(fit.pieces.shape[1]):
            ax.plot(fit.x, fit.pieces[s, j], color=colors[j % len(colors)], lw=1.5)
        ax.set_ylim(-pmax, pmax)
        ax.set_title(f"step {fit.steps[s]}: the {fit.pieces.shape[1]} hidden units\n"
                     "w2·ReLU(w1·x + b1)")
        ax = axs[1, k]
        ax.plot(fit.x, fit.target, color="0.55", lw=5, alpha=0.6, label="target")
        ax.plot(fit.x, fit.pieces[s].sum(0) + fit.b2[s], color="C3", lw=2,
                label="sum of pieces + b2")
        ax.set_ylim(lo, hi)
        ax.set_title(f"step {fit.steps[s]}: loss {fit.loss[s]:.4f}")
        ax.set_xlabel("x")
        if k == 0:
            ax.legend(loc="lower right", fontsize=9)
    ax = axs[0, -1]
    ax.semilogy(np.arange(len(fit.loss_curve)), fit.loss_curve, color="C0")
    ax.scatter(fit.steps[picks], fit.loss[picks], color="C3", zorder=3)
    ax.set_xlabel("step")
    ax.set_title("training loss (MSE)")
    ax = axs[1, -1]
    s = picks[-1]
    partial = fit.partial_sums(s, fit.summation_order(s))
    for j in range(1, len(partial)):
        ax.plot(fit.x, partial[j], color=plt.get_cmap("viridis")(j / (len(partial) - 1)), lw=1.2)
    ax.plot(fit.x, fit.fit[s], color="C3", lw=2, ls="--", label="network output (torch)")
    ax.set_ylim(min(lo, partial.min() - 0.2), max(hi, partial.max() + 0.2))
    ax.set_title("adding the pieces one by one\nends at the fit")
    ax.legend(loc="lower right", fontsize=9)
    return fig
