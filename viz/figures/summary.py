"""A model's architecture drawn as what it is: weight matrices and activation shapes.

Takes the result of :func:`viz.core.summary.summarize` (``learn.summary()`` of fastai 0.7,
lesson 2). Each layer with a weight is drawn as the matrix it multiplies by (a conv's
``out x in x k x k`` filters as ``out x in*k*k``, one row per filter), with its shape;
layers without parameters (ReLU, pooling, flatten) are labelled arrows carrying the
activation's shape. Under it, the summary table.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import CenteredNorm

from ._style import DIVERGING_CMAP


def _shape_text(shape) -> str:
    return "×".join(str(d) for d in shape[1:]) if len(shape) > 1 else "×".join(map(str, shape))


def _matrix_title(row, m) -> str:
    w = dict(row.param_shapes).get("weight")
    lines = [row.name]
    if w is not None and len(w) > 2:
        lines.append(f"weight {'×'.join(map(str, w))}")
        lines.append(f"= matrix {m.shape[0]} × {m.shape[1]}")
        lines.append(f"({w[1]}·{'·'.join(map(str, w[2:]))} inputs per patch)")
    elif w is not None and len(w) == 1:
        lines.append(f"scale per channel: {w[0]} × 1")
    else:
        lines.append(f"matrix {m.shape[0]} × {m.shape[1]}")
    lines.append(f"{row.params:,} params" + ("" if row.trainable is not False else " (frozen)"))
    return "\n".join(lines)


_HOW_TO_READ = (
    "How to read it\n"
    "• Every coloured block is a weight matrix, one row per output channel.\n"
    "• A conv layer's filters are out × in × 3 × 3 numbers: flattened, each filter is a row\n"
    "  of in·3·3 numbers, and each output pixel is that row times one flattened patch.\n"
    "• A linear layer is an ordinary out × in matrix times the activation vector.\n"
    "• Arrows are layers without parameters; the numbers under them are the activation's\n"
    "  shape (channels × height × width) after the layer.")


def architecture_figure(summary, *, max_layers: int = 14, show_table: bool = True,
                        figsize=None):
    """Draw ``summary``'s layers left to right as matrices and shapes, and its table.

    Parameters
    ----------
    summary : viz.core.summary.ModelSummary
    max_layers : int
        Draw at most this many layers (the table lists them all).
    show_table : bool
        Write the ``learn.summary()`` table under the drawing.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = list(summary.rows)[:max_layers]
    if not rows:
        raise ValueError("the summary has no layers to draw")
    mats = list(summary.matrices)[:len(rows)]
    ratios = [0.8]
    for r, m in zip(rows, mats):
        ratios.append(float(np.clip(m.shape[1] / m.shape[0], 0.7, 3.2)) * 1.3 if m is not None else 0.62)
    n_table = len(summary.rows) + 9
    table_h = 0.17 * n_table if show_table else 0.0
    title = (f"learn.summary() of {summary.model_name}: {summary.total_params:,} parameters "
             f"({summary.trainable_params:,} trainable); blue < 0 < red")
    width = figsize[0] if figsize is not None else min(24.0, 1.05 * sum(ratios) + 1.0)
    wrap = len(title) * 0.105 > width - 0.4          # 13 pt: about 0.1 inch a character
    if wrap:                                         # a narrow drawing: the title in two lines
        title = title.replace(": ", "\n", 1)
    if figsize is None:
        figsize = (width, 4.4 + table_h + (0.3 if wrap else 0.0))
    fig = plt.figure(figsize=figsize)
    w_in, h_in = fig.get_size_inches()
    top = fig.add_gridspec(1, len(ratios), width_ratios=ratios, left=0.2 / w_in,
                           right=1 - 0.2 / w_in, top=1 - (1.85 if wrap else 1.55) / h_in,
                           bottom=(table_h + 0.55) / h_in, wspace=0.3)
    ink = plt.rcParams["text.color"]

    def arrow_axis(i, title, shape):
        ax = fig.add_subplot(top[0, i])
        ax.axis("off")
        ax.annotate("", xy=(1.0, 0.5), xytext=(0.0, 0.5), xycoords="axes fraction",
                    arrowprops=dict(arrowstyle="-|>", color=ink, lw=1.2))
        ax.text(0.5, 0.58, title, ha="center", va="bottom", fontsize=8.5, transform=ax.transAxes,
                rotation=90 if len(title) > 9 else 0)
        ax.text(0.5, 0.42, _shape_text(shape), ha="center", va="top", fontsize=8,
                transform=ax.transAxes, rotation=90)
        return ax

    arrow_axis(0, "input", summary.input_size if not isinstance(summary.input_size[0], tuple)
               else summary.input_size[0])
    for i, (r, m) in enumerate(zip(rows, mats), start=1):
        if m is None:
            arrow_axis(i, r.kind, r.output_shape if r.output_shape and
                       not isinstance(r.output_shape[0], tuple) else ())
            continue
        ax = fig.add_subplot(top[0, i])
        ax.imshow(m, cmap=DIVERGING_CMAP, norm=CenteredNorm(halfrange=float(np.abs(m).max()) or 1.0),
                  interpolation="nearest", aspect="equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(_matrix_title(r, m), fontsize=8.5)
        ax.set_xlabel(f"out: {_shape_text(r.output_shape)}", fontsize=8.5)
        ax.set_ylabel(f"{m.shape[0]} rows", fontsize=8)
    if len(summary.rows) > len(rows):
        fig.text(0.99, 0.98, f"… and {len(summary.rows) - len(rows)} more layers", ha="right",
                 va="top", fontsize=9)
    if show_table:
        fig.text(0.2 / w_in, (table_h + 0.05) / h_in, summary.table(), family="monospace",
                 fontsize=8.5, va="top", ha="left")
        fig.text(0.55, (table_h - 0.1) / h_in, _HOW_TO_READ, fontsize=10, va="top", ha="left",
                 wrap=True)
    fig.suptitle(title, fontsize=13)
    return fig
