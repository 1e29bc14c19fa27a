"""Softmax vs sigmoid, single-label vs multi-label, and F-beta: slide figures.

Lesson 3 of fast.ai 2018 (``fastai-lessons.md`` sections 3 and 6). Every function takes
a result from :mod:`viz.core.softmax` or :mod:`viz.core.multilabel`; none trains.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from ._style import PALETTE, new_axes

_SOFT, _SIG = 0, 2          # palette indices: softmax blue, sigmoid green
PLANET_RANGE = (0.17, 0.23)


def _colors():
    return sns.color_palette(PALETTE)


def _muted():
    return plt.rcParams["text.color"]


# ------------------------------------------------------------------ axes-level pieces
def prob_bars(probs, classes, *, ax=None, color=None, targets=None, title=None, ghost=None,
              fmt="{:.2f}", **bar_kws):
    """Vertical bars of probabilities (0..1) per class, values written above.

    ``targets`` (0/1) are drawn as dashed outlines at height 1; ``ghost`` as hollow bars
    (e.g. the values before a change). ``**bar_kws`` go to ``Axes.bar``. Returns the Axes.
    """
    ax = new_axes(ax)
    probs = np.asarray(probs, dtype=float)
    x = np.arange(len(classes))
    color = color or _colors()[_SOFT]
    if targets is not None:
        t = np.asarray(targets, dtype=float)
        ax.bar(x, t, width=0.8, fill=False, edgecolor=_muted(), linestyle="--", linewidth=1.0,
               label="target")
    if ghost is not None:
        ax.bar(x, ghost, width=0.8, fill=False, edgecolor=color, linewidth=1.2, alpha=0.8,
               label="before")
    bars = ax.bar(x, probs, width=0.62, color=color, **bar_kws)
    for b, p in zip(bars, probs):
        ax.text(b.get_x() + b.get_width() / 2, p + 0.02, fmt.format(p), ha="center", va="bottom",
                fontsize=9)
    ax.set_xticks(x, classes)
    ax.set_ylim(0, 1.15)
    ax.set_yticks([0, 0.5, 1])
    if title:
        ax.set_title(title)
    return ax


def _table(ax, rows, columns, *, title=None, highlight_col=None, col_widths=None):
    ax.axis("off")
    tb = ax.table(cellText=rows, colLabels=columns, loc="upper center", cellLoc="center",
                  colWidths=col_widths)
    tb.auto_set_font_size(False)
    tb.set_fontsize(10)
    fg, bg = _muted(), plt.rcParams["axes.facecolor"]
    n_rows = len(rows) + 1
    for (r, c), cell in tb.get_celld().items():
        cell.set_height((2.0 if r == 0 else 1.0) / (n_rows + 1.5))
        cell.set_edgecolor(plt.rcParams["grid.color"])
        cell.set_facecolor(bg)
        cell.get_text().set_color(fg)
        if r == 0:
            cell.get_text().set_fontweight("bold")
        if highlight_col is not None and c == highlight_col and r > 0:
            cell.set_facecolor(_colors()[_SOFT] + (0.18,))
    if title:
        ax.set_title(title, loc="left")
    return tb


# ------------------------------------------------------------------ 1. the spreadsheet
def entropy_sheet_figure(sheet, *, figsize=(13, 7.6)):
    """The entropy spreadsheet: the softmax sheet as a table and as bars, and the
    binary cross-entropy sheet in base 10 (the sheet's ``LOG``) and natural log (torch).

    Parameters
    ----------
    sheet : viz.core.softmax.EntropySheet

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = plt.figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(2, 2, width_ratios=[1.35, 1], height_ratios=[1.1, 1])
    rows = [[c, f"{o:.3f}", f"{e:.3f}", f"{s:.4f}", f"{g:.4f}", f"{int(a)}", f"{int(m)}"]
            for c, o, e, s, g, a, m in zip(sheet.classes, sheet.output, sheet.exp, sheet.softmax,
                                           sheet.sigmoid, sheet.actuals, sheet.multi_actuals)]
    rows.append(["sum", "", f"{sheet.exp_sum:.3f}", f"{sheet.softmax.sum():.4f}",
                 f"{sheet.sigmoid.sum():.4f}", "1", "2"])
    _table(fig.add_subplot(gs[0, 0]), rows,
           ["class", "output", "exp", "softmax\nexp/SUM(exp)", "sigmoid\nexp/(1+exp)",
            "actual\n(one-hot)", "multi-label\nactual"],
           title="Sheet \"softmax\": outputs → exp → softmax (sums to 1) and sigmoid (does not)",
           highlight_col=3, col_widths=[0.13, 0.12, 0.12, 0.17, 0.17, 0.14, 0.15])
    ax = fig.add_subplot(gs[0, 1])
    x = np.arange(len(sheet.classes))
    c = _colors()
    ax.bar(x - 0.2, sheet.softmax, 0.38, color=c[_SOFT], label="softmax")
    ax.bar(x + 0.2, sheet.sigmoid, 0.38, color=c[_SIG], label="sigmoid")
    ax.bar(x, sheet.actuals, 0.9, fill=False, edgecolor=_muted(), ls="--", lw=1, label="actual (dog)")
    ax.set_xticks(x, sheet.classes)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    ax.legend(loc="upper left", frameon=False)
    k = sheet.true_class
    ax.set_title(f"cross-entropy = −log softmax[{sheet.classes[k]}] = "
                 f"{sheet.ce_ln:.3f} (ln) = {sheet.ce_log10:.3f} (log₁₀)", fontsize=11)

    rows = [[f"{int(y)}", f"{p:g}", f"{b10:.4f}", f"{bl:.4f}"]
            for y, p, b10, bl in zip(sheet.is_cat, sheet.preds, sheet.bce_log10, sheet.bce_ln)]
    _table(fig.add_subplot(gs[1, 0]), rows,
           ["isCat", "Preds", "sheet: −y·LOG(p)\n− (1−y)·LOG(1−p)\nLOG is base 10",
            "torch:\nF.binary_cross_entropy\nnatural log"],
           col_widths=[0.14, 0.14, 0.36, 0.36],
           title="Sheet \"entropy\": binary cross-entropy, in the sheet's base 10 and in torch's ln")
    ax = fig.add_subplot(gs[1, 1])
    p = np.linspace(0.005, 0.995, 200)
    ax.plot(p, -np.log(p), color=c[_SOFT], label="y = 1: −ln p (torch)")
    ax.plot(p, -np.log10(p), color=c[_SOFT], ls="--", label="y = 1: −log₁₀ p (sheet)")
    ax.plot(p, -np.log(1 - p), color=c[3], label="y = 0: −ln(1−p) (torch)")
    ax.plot(p, -np.log10(1 - p), color=c[3], ls="--", label="y = 0: −log₁₀(1−p) (sheet)")
    ax.scatter(sheet.preds, sheet.bce_log10, color=_muted(), zorder=3, s=22, label="the sheet's rows")
    ax.set_ylim(0, 3.2)
    ax.set_xlabel("predicted probability p")
    ax.set_ylabel("loss")
    ax.set_title("log₁₀ = ln / 2.303: the same curve, rescaled", fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="upper center")
    fig.suptitle("The entropy spreadsheet, recomputed in torch", fontsize=15)
    return fig


# ------------------------------------------------------------------ 2. softmax picks one
def softmax_vs_sigmoid_figure(sweep, *, figsize=(13, 7.4)):
    """The same logits through softmax and through independent sigmoids, before and after
    one logit rises; below, every probability as that logit rises.

    Parameters
    ----------
    sweep : viz.core.softmax.LogitSweep
    """
    fig, axs = plt.subplots(2, 2, figsize=figsize, layout="constrained",
                            gridspec_kw={"height_ratios": [1, 1.05]})
    c = _colors()
    name = sweep.classes[sweep.index]
    end = f"{name} logit {sweep.values[0]:.2f} → {sweep.values[-1]:.2f}"
    prob_bars(sweep.softmax[-1], sweep.classes, ax=axs[0, 0], color=c[_SOFT], ghost=sweep.softmax[0],
              title=f"softmax ({end}): the others shrink")
    prob_bars(sweep.sigmoid[-1], sweep.classes, ax=axs[0, 1], color=c[_SIG], ghost=sweep.sigmoid[0],
              title="sigmoid, each output on its own: the others stay put")
    axs[0, 0].legend(["before", "after"], loc="upper left", frameon=False)
    for ax, probs, label in ((axs[1, 0], sweep.softmax, "softmax"), (axs[1, 1], sweep.sigmoid, "sigmoid")):
        for j, cls in enumerate(sweep.classes):
            ax.plot(sweep.values, probs[:, j], lw=2.6 if j == sweep.index else 1.6,
                    color=c[j % len(c)], label=cls)
        ax.set_xlabel(f"the {name} logit")
        ax.set_ylabel(f"{label} probability")
        ax.set_ylim(-0.02, 1.02)
    axs[1, 0].legend(frameon=False, ncol=1, loc="center left")
    axs[1, 0].set_title("exp sharpens the differences; dividing by the sum makes them compete",
                        fontsize=11)
    axs[1, 1].set_title("sigmoid = exp/(1+exp): no competition", fontsize=11)
    fig.suptitle("Softmax wants to pick one; sigmoids don't", fontsize=15)
    return fig


# ------------------------------------------------------------------ 3. two labels true
def two_labels_figure(fit, *, figsize=(13, 4.8)):
    """Free logits fitted to "plane and fish": softmax stops at 1/2 each, sigmoids reach ~1.

    Parameters
    ----------
    fit : viz.core.softmax.TwoLabelFit
    """
    fig, axs = plt.subplots(1, 3, figsize=figsize, layout="constrained",
                            gridspec_kw={"width_ratios": [1, 1, 1.15]})
    c = _colors()
    n = len(fit.steps)
    prob_bars(fit.softmax_probs[-1], fit.classes, ax=axs[0], color=c[_SOFT], targets=fit.targets,
              title=f"softmax + cross-entropy, {n} steps")
    prob_bars(fit.sigmoid_probs[-1], fit.classes, ax=axs[1], color=c[_SIG], targets=fit.targets,
              title=f"sigmoid + binary cross-entropy, {n} steps")
    axs[0].legend(loc="upper right", frameon=False)
    ax = axs[2]
    k = max(1, int(fit.targets.sum()))
    for j in np.flatnonzero(fit.targets):
        ax.plot(fit.steps, fit.softmax_probs[:, j], color=c[_SOFT], lw=2,
                ls="-" if j == np.flatnonzero(fit.targets)[0] else ":", label=f"softmax: {fit.classes[j]}")
        ax.plot(fit.steps, fit.sigmoid_probs[:, j], color=c[_SIG], lw=2,
                ls="-" if j == np.flatnonzero(fit.targets)[0] else ":", label=f"sigmoid: {fit.classes[j]}")
    ax.axhline(1 / k, color=_muted(), lw=0.8, ls="--")
    ax.text(fit.steps[-1], 1 / k + 0.02, f"1/{k}: softmax's best", ha="right", va="bottom", fontsize=9)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("probability of a true label")
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    ax.set_title("during the fit", fontsize=11)
    fig.suptitle("Two labels true: softmax can give at best 0.5 to each; sigmoids give both ≈ 1",
                 fontsize=14)
    return fig


# ------------------------------------------------------------------ 4. tiles and the two heads
def tiles_figure(tiles, *, n=16, cols=8, figsize=(13, 4.6)):
    """The first ``n`` generated tiles with their tags.

    Parameters
    ----------
    tiles : viz.core.tiles.TileSet
    """
    n = min(n, len(tiles))
    rows = int(np.ceil(n / cols))
    fig, axs = plt.subplots(rows, cols, figsize=figsize, layout="constrained", squeeze=False)
    for i, ax in enumerate(axs.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(tiles.images[i].transpose(1, 2, 0), interpolation="nearest")
            ax.set_title("\n".join(tiles.tag_names(i)) or "(none)", fontsize=8, va="bottom")
    fig.suptitle(f"Generated satellite-like tiles ({tiles.images.shape[-1]}×{tiles.images.shape[-1]} px), "
                 "each with any subset of tags", fontsize=13)
    return fig


def predictions_figure(comparison, *, index=None, figsize=(14, 6.6)):
    """Held-out tiles, and each head's predicted tag probabilities for them.

    Parameters
    ----------
    comparison : viz.core.multilabel.HeadComparison
    index : sequence of int, optional
        Test tiles to show (default: six with 1 to 4 tags).
    """
    test, sig, soft = comparison.split.test, comparison.sigmoid, comparison.softmax
    if index is None:
        k = test.labels.sum(1)
        index = [int(np.flatnonzero(k == kk)[j]) for kk, j in ((1, 0), (2, 0), (3, 0), (3, 1), (4, 0), (4, 1))
                 if (k == kk).sum() > j]
    index = list(index)
    fig = plt.figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(2, len(index), height_ratios=[1, 1.7])
    c = _colors()
    tags = list(sig.tags)
    y = np.arange(len(tags))
    for col, i in enumerate(index):
        ax = fig.add_subplot(gs[0, col])
        ax.imshow(test.images[i].transpose(1, 2, 0), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{int(test.labels[i].sum())} tag(s)", fontsize=10)
        ax = fig.add_subplot(gs[1, col])
        ax.barh(y - 0.2, sig.probs[i], 0.38, color=c[_SIG], label="sigmoid + BCE")
        ax.barh(y + 0.2, soft.probs[i], 0.38, color=c[_SOFT], label="softmax + CE")
        for j in np.flatnonzero(test.labels[i]):
            ax.axhspan(j - 0.48, j + 0.48, color=_muted(), alpha=0.12, lw=0)
        ax.axvline(sig.threshold, color=_muted(), lw=0.8, ls="--",
                   label=f"threshold {sig.threshold:.2f}")
        ax.set_xlim(0, 1)
        ax.set_ylim(len(tags) - 0.5, -0.5)
        ax.set_yticks(y, tags if col == 0 else [])
        ax.set_xticks([0, 0.5, 1])
        ax.set_xlabel("probability")
        for lbl, on in zip(ax.get_yticklabels(), test.labels[i]):
            lbl.set_fontweight("bold" if on else "normal")
        if col == 0:
            fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3,
                       frameon=False)
    fig.suptitle(f"Held-out tiles (shaded: true tags). Planet F2: sigmoid {sig.f2:.3f}, "
                 f"softmax {soft.f2:.3f}", fontsize=14)
    return fig


# ------------------------------------------------------------------ 5. F-beta
def iso_f_axes(beta, *, ax=None, levels=(0.2, 0.4, 0.6, 0.8, 0.9), curves=(), labels=()):
    """Iso-F-beta contours over the precision-recall square.

    ``curves`` (``FBetaCurve`` objects, with ``labels``) add their precision-recall
    paths over thresholds, the best threshold marked with a dot.
    """
    from viz.core.softmax import iso_f_grid

    ax = new_axes(ax, figsize=(4.6, 4.4))
    P, R, F = iso_f_grid(beta)
    grey = plt.rcParams["axes.edgecolor"]
    cs = ax.contour(R, P, F, levels=list(levels), colors=[grey], linewidths=1.0, alpha=0.9)
    ax.clabel(cs, fmt=f"F{beta:g}=%.1f", fontsize=8)
    ax.plot([0, 1], [0, 1], color=_muted(), lw=0.6, ls=":")
    c = _colors()
    for curve, label, col in zip(curves, labels, (c[_SIG], c[_SOFT], c[3])):
        ax.plot(curve.recall, curve.precision, color=col, lw=2, label=label)
        i = int(np.argmax(curve.scores))
        ax.scatter([curve.recall[i]], [curve.precision[i]], color=col, zorder=3, s=30)
    if len(curves):
        ax.legend(loc="lower left", frameon=False, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    weight = "equal weight" if beta == 1 else f"recall counts {beta ** 2:g}×"
    ax.set_title(f"F{beta:g}  ({weight})", fontsize=12)
    return ax


def iso_f_figure(betas=(1, 2, 3), *, figsize=(13, 4.9)):
    """Iso-F contours for several β side by side (F1, F2, F3 by default)."""
    fig, axs = plt.subplots(1, len(betas), figsize=figsize, layout="constrained", squeeze=False)
    for ax, b in zip(axs[0], betas):
        iso_f_axes(b, ax=ax)
    fig.suptitle("F-beta: the weighted harmonic mean of precision and recall, "
                 "(1+β²)·P·R / (β²·P + R)", fontsize=14)
    return fig


def fbeta_threshold_axes(results, *, ax=None, planet=PLANET_RANGE):
    """F2 against the decision threshold for trained heads, fastai's planet range shaded
    and each head's planet F2 (best in the range) marked.

    results : sequence of viz.core.multilabel.MultiLabelResult
    """
    ax = new_axes(ax, figsize=(7.5, 4.6))
    c = _colors()
    ax.axvspan(*planet, color=c[1], alpha=0.18, lw=0)
    ax.text(np.mean(planet), 0.02, "planet.py:\n0.17–0.23", ha="center", va="bottom", fontsize=9,
            transform=ax.get_xaxis_transform())
    for r in results:
        col = c[_SIG] if r.head == "sigmoid" else c[_SOFT]
        cv = r.curve
        ax.plot(cv.thresholds, cv.scores, color=col, lw=2, label=f"{r.head} head")
        ax.scatter([r.threshold], [r.f2], color=col, zorder=3, s=40, edgecolor=_muted())
        ax.annotate(f"planet F2 {r.f2:.3f}\n(threshold {r.threshold:.2f})", (r.threshold, r.f2),
                    xytext=(22, -32) if r.head == "sigmoid" else (-105, -60), textcoords="offset points",
                    fontsize=9, color=col, arrowprops=dict(arrowstyle="-", color=col, lw=0.8))
        ax.scatter([cv.best_threshold], [cv.best_score], marker="x", color=col, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("decision threshold (tag predicted when probability > threshold)")
    ax.set_ylabel("F2 on held-out tiles (samples average)")
    ax.legend(loc="lower left", frameon=False, bbox_to_anchor=(0.0, 0.12))
    ax.set_title("F2 against the threshold (×: best over all thresholds)", fontsize=11)
    return ax


def fbeta_figure(comparison, *, figsize=(14, 5.2)):
    """F-beta in one slide: iso-F2 contours with the sigmoid model's precision-recall path,
    and F2 against the threshold for both heads with the planet trick marked."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    gs = fig.add_gridspec(1, 2, width_ratios=[1, 1.7])
    iso_f_axes(2, ax=fig.add_subplot(gs[0]),
               curves=(comparison.sigmoid.curve, comparison.softmax.curve),
               labels=("sigmoid head", "softmax head"))
    fbeta_threshold_axes([comparison.sigmoid, comparison.softmax], ax=fig.add_subplot(gs[1]))
    fig.suptitle("F2 weighs recall 4× precision: a low threshold pays off", fontsize=14)
    return fig
