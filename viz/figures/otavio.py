"""Otavio Good's visualization as slides: one input through every layer, and the filters.

Lesson 3 of fast.ai 2018 (``fastai-lessons.md`` section 5). The figures take an
:class:`viz.core.otavio.OtavioTrace` (from :func:`viz.core.otavio.otavio_trace`);
:class:`OtavioExplorer` is the self-study view, where choosing or drawing an input
updates every layer.

Colours follow Otavio's: green positive, red negative (the colour-blind-friendlier
blue-green and magenta-red of ``viz.colors.GREEN_RED``), near-white zero.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from viz.colors import GREEN_RED  # the scenes' palette: negative, zero, positive

from ._style import annotate_cells
from .grids import heatmap_grid

GREEN_RED_CMAP = LinearSegmentedColormap.from_list("viz_green_red", GREEN_RED)
INK_CMAP = "gray"
#: (trace field, title, values can be negative)
STACK_LAYERS = (
    ("conv1_pre", "conv 1\n3×3", True),
    ("conv1", "ReLU\n", False),
    ("pool1", "max\npool", False),
    ("conv2_pre", "conv 2\n3×3×2", True),
    ("conv2", "ReLU\n", False),
    ("pool2", "max\npool", False),
)


def _limit(values) -> float:
    return float(np.max(np.abs(values))) or 1.0


def _signed(v: float) -> str:
    s = f"{v:+.2f}"
    return "0.00" if float(s) == 0 else s


def _map(ax, values, *, title=None, limit=None):
    """A green/red heatmap on a symmetric scale (``limit`` shared by a layer's channels)."""
    m = _limit(values) if limit is None else limit
    return heatmap_grid(values, ax=ax, title=title, cmap=GREEN_RED_CMAP, vmin=-m, vmax=m,
                        annotate=False)


def _annotate(grids):
    """Write the numbers in the maps (their size is fixed when the figure is drawn)."""
    from matplotlib.colors import Normalize

    for ax, values, limit, fmt in grids:
        annotate_cells(ax, values, fmt=fmt, cmap=GREEN_RED_CMAP, norm=Normalize(-limit, limit),
                       min_fontsize=5, max_fontsize=9)


class _Stack:
    """Lay out the whole network for one trace and keep the artists, to update them later."""

    def __init__(self, fig, trace, *, spec=None):
        self.fig = fig
        c2 = trace.pool2.shape[0]
        rows = max(c2, 2)
        # Column widths follow the maps' sides, so a pixel is the same size in every layer
        # and each max-pool visibly halves the picture.
        side = trace.input.shape[-1]
        widths = [1.5] + [getattr(trace, n).shape[-1] / side for n, _, _ in STACK_LAYERS] + [1.5]
        gs = (spec.subgridspec if spec is not None else fig.add_gridspec)(
            rows, 8, width_ratios=widths, wspace=0.08, hspace=0.12)
        self.input_ax = fig.add_subplot(gs[:, 0])
        self.input_im = self.input_ax.imshow(trace.input, cmap=INK_CMAP, vmin=0, vmax=1,
                                             interpolation="nearest")
        self.input_ax.set_xticks([])
        self.input_ax.set_yticks([])
        self.axes = {}
        for col, (name, title, _) in enumerate(STACK_LAYERS, start=1):
            values = getattr(trace, name)
            n = values.shape[0]
            span = rows // n if rows % n == 0 else 1
            limit = _limit(values)
            self.axes[name] = []
            for c in range(n):
                ax = fig.add_subplot(gs[c * span:(c + 1) * span, col])
                _map(ax, values[c], limit=limit, title=title if c == 0 else None)
                ax.set_ylabel(f"ch {c + 1}", fontsize=9)
                self.axes[name].append(ax)
        self.bar_ax = fig.add_subplot(gs[:, 7])
        k = len(trace.classes)
        self.bars = self.bar_ax.barh(np.arange(k), 100 * trace.probs, color="#999999", height=0.7)
        self.bar_ax.set_yticks(np.arange(k), labels=trace.classes)
        self.bar_ax.invert_yaxis()
        self.bar_ax.set_xlim(0, 160)
        self.bar_ax.set_xticks([0, 50, 100])
        self.bar_ax.set_xlabel("probability (%)")
        self.bar_ax.set_title("pool 2 · class template\n→ softmax")
        self.labels = [self.bar_ax.text(0, i, "", va="center", fontsize=9) for i in range(k)]
        self.update(trace)

    def update(self, trace):
        """Show ``trace`` in the existing artists (same network, new input)."""
        self.input_im.set_data(trace.input)
        winner = int(np.argmax(trace.probs))
        self.input_ax.set_title(f"input {trace.input.shape[0]}×{trace.input.shape[1]}\n"
                                f"→ {trace.classes[winner]!r}")
        for name, _, _ in STACK_LAYERS:
            values = getattr(trace, name)
            limit = _limit(values)
            for c, ax in enumerate(self.axes[name]):
                ax.images[0].set_data(values[c])
                ax.images[0].set_clim(-limit, limit)
        win_color = plt.rcParams["axes.prop_cycle"].by_key()["color"][2]
        for i, (bar, label) in enumerate(zip(self.bars, self.labels)):
            p = 100 * float(trace.probs[i])
            bar.set_width(p)
            bar.set_color(win_color if i == winner else "#999999")
            label.set_x(p + 2)
            label.set_text((f"{p:.1f}%" if p >= 0.05 else "<0.1%") + f"  (score {trace.scores[i]:+.1f})")
            label.set_fontweight("bold" if i == winner else "normal")


def otavio_stack_figure(trace, *, figsize=(15, 7), title=None, fig=None):
    """The whole network for one input: every layer's maps, then the class percentages.

    Parameters
    ----------
    trace : viz.core.otavio.OtavioTrace
        One input's trace (not a batch).
    figsize : (float, float)
        Inches.
    title : str, optional
        Defaults to a sentence naming the input's predicted class.

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    viz.core.otavio.otavio_trace, otavio_filters_figure
    """
    if trace.batched:
        raise ValueError("otavio_stack_figure takes one input's trace; use trace.frame(i)")
    fig = fig or plt.figure(figsize=figsize, layout="constrained")
    stack = _Stack(fig, trace)
    p = 100 * float(np.max(trace.probs))
    fig.suptitle(title or ("A letter through a small trained CNN (Otavio Good's visualization): "
                           f"{trace.prediction!r} wins with {p:.1f}%"), fontsize=14)
    fig.text(0.5, 0.005, "green = positive, red = negative, white = 0 (each layer on its own scale); "
             "ReLU removes the red, each max-pool halves the size", ha="center", va="bottom",
             fontsize=10)
    fig._viz_stack = stack          # for tests and the explorer
    return fig


def otavio_filters_figure(trace, *, figsize=(15, 8.5), fig=None):
    """Every layer's learned weights: conv 1 kernels, conv 2 kernels, one template per class.

    Parameters
    ----------
    trace : viz.core.otavio.OtavioTrace
        Any trace of the network (only its weights are drawn).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = fig or plt.figure(figsize=figsize, layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1])
    c2, c1 = trace.kernels2.shape[:2]
    left, right = top.subfigures(1, 2, width_ratios=[1, 1.6])
    ax1 = left.subplots(c1, 1, squeeze=False)[:, 0]
    lim1 = _limit(trace.kernels1)
    numbers = []
    for c, ax in enumerate(ax1):
        _map(ax, trace.kernels1[c], limit=lim1, title=f"filter {c + 1}  (bias {_signed(trace.bias1[c])})")
        numbers.append((ax, trace.kernels1[c], lim1, "{:.2f}"))
    left.suptitle("conv 1: 3×3 kernels on the input\n(each sums to 0: an edge detector)", fontsize=11)
    ax2 = right.subplots(c1, c2, squeeze=False)
    lim2 = _limit(trace.kernels2)
    for o in range(c2):
        for c in range(c1):
            _map(ax2[c, o], trace.kernels2[o, c], limit=lim2,
                 title=f"filter {o + 1} (bias {_signed(trace.bias2[o])})" if c == 0 else None)
            numbers.append((ax2[c, o], trace.kernels2[o, c], lim2, "{:.1f}"))
            if o == 0:
                ax2[c, o].set_ylabel(f"reads ch {c + 1}", fontsize=9)
    right.suptitle("conv 2: each filter is 2 kernels, one per channel of pool 1, summed", fontsize=11)
    k, side = len(trace.classes), trace.templates.shape[-1]
    ax3 = bottom.subplots(c2, k, squeeze=False)
    lim3 = _limit(trace.templates)
    for j in range(k):
        for c in range(c2):
            _map(ax3[c, j], trace.templates[j, c], limit=lim3,
                 title=repr(trace.classes[j]) if c == 0 else None)
            if j == 0:
                ax3[c, j].set_ylabel(f"ch {c + 1}", fontsize=9)
    bottom.suptitle(f"dense layer: one template per class ({c2} maps of {side}×{side}), "
                    "dotted with pool 2's maps; the biggest sum wins", fontsize=11)
    fig.suptitle("Every layer's filters, as learned (green positive, red negative)", fontsize=14)
    _annotate(numbers)
    return fig


class OtavioExplorer:
    """Self-study: choose or draw an input and watch every layer update.

    Works with any interactive matplotlib backend (``%matplotlib widget`` in Jupyter,
    a desktop window elsewhere). Buttons pick a class's sample picture, a slider turns
    it, dragging the mouse over the input paints ink (right button erases), "clear"
    starts from black. Every change re-traces the network and redraws the maps.

    Parameters
    ----------
    net : viz.core.otavio.TrainedOtavio
    samples : dict, optional
        Class -> picture (default :func:`viz.core.otavio.sample_inputs`).
    """

    def __init__(self, net, *, samples=None, figsize=(15, 8)):
        from matplotlib.widgets import Button, RadioButtons, Slider

        from viz.core.otavio import otavio_trace, sample_inputs

        self.net, self._trace_fn = net, otavio_trace
        self.samples = samples or sample_inputs(net)
        self.choice = next(iter(self.samples))
        self.image = np.array(self.samples[self.choice], dtype=float)
        self.angle = 0.0
        self.fig = plt.figure(figsize=figsize, layout="constrained")
        main, controls = self.fig.subfigures(1, 2, width_ratios=[6, 1])
        self.trace = otavio_trace(net, self.image)
        self.stack = _Stack(main, self.trace)
        cax = controls.subplots(3, 1, height_ratios=[4, 1, 1])
        self.radio = RadioButtons(cax[0], list(self.samples), active=0)
        cax[0].set_title("input")
        self.slider = Slider(cax[1], "turn", -45, 45, valinit=0, valstep=5)
        self.clear_button = Button(cax[2], "clear")
        self.radio.on_clicked(self.select)
        self.slider.on_changed(self.turn)
        self.clear_button.on_clicked(lambda _event: self.clear())
        self._painting = 0
        self.fig.canvas.mpl_connect("button_press_event", self._on_press)
        self.fig.canvas.mpl_connect("motion_notify_event", self._on_move)
        self.fig.canvas.mpl_connect("button_release_event", self._on_release)

    # ----- actions (also callable from code) -------------------------------------------
    def set_input(self, image) -> "OtavioExplorer":
        """Trace ``image`` and show every layer."""
        self.trace = self._trace_fn(self.net, image)
        self.image = np.array(self.trace.input, dtype=float)
        self.stack.update(self.trace)
        self._redraw()
        return self

    def _redraw(self):
        # A GUI or widget canvas redraws when idle; a plain Agg canvas (also the inline
        # backend of a notebook) would draw the whole figure now, once per brush dab:
        # there the figure is drawn once, when it is shown or saved.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        if type(self.fig.canvas) is not FigureCanvasAgg:
            self.fig.canvas.draw_idle()

    def select(self, label) -> "OtavioExplorer":
        """Show the sample picture of class ``label`` (turned by the slider's angle)."""
        if label not in self.samples:
            raise ValueError(f"no sample for {label!r} (choose from {', '.join(self.samples)})")
        self.choice = label
        index = list(self.samples).index(label)
        if self.radio.index_selected != index:      # called from code: move the button too
            self.radio.eventson = False
            self.radio.set_active(index)
            self.radio.eventson = True
        return self.set_input(self._turned(self.samples[label], self.angle))

    def turn(self, angle) -> "OtavioExplorer":
        """Rotate the chosen sample by ``angle`` degrees."""
        self.angle = float(angle)
        if self.slider.val != self.angle:
            self.slider.eventson = False
            self.slider.set_val(self.angle)
            self.slider.eventson = True
        return self.set_input(self._turned(self.samples[self.choice], self.angle))

    def clear(self) -> "OtavioExplorer":
        return self.set_input(np.zeros_like(self.image))

    def paint(self, row: float, col: float, *, erase: bool = False, radius: float = 1.2):
        """Add (or erase) a soft round dab of ink centred on pixel (row, col)."""
        rr, cc = np.mgrid[:self.image.shape[0], :self.image.shape[1]]
        dab = np.clip(1.5 - np.hypot(rr - row, cc - col) / radius, 0, 1)
        img = self.image * (1 - dab) if erase else np.maximum(self.image, dab)
        return self.set_input(img)

    @staticmethod
    def _turned(image, angle):
        if not angle:
            return image
        from PIL import Image
        im = Image.fromarray(np.asarray(image, dtype=np.float32), mode="F")
        return np.asarray(im.rotate(angle, resample=Image.Resampling.BILINEAR), dtype=float)

    # ----- mouse ----------------------------------------------------------------------
    def _on_press(self, event):
        if event.inaxes is self.stack.input_ax and event.xdata is not None:
            self._painting = 3 if event.button == 3 else 1
            self.paint(event.ydata, event.xdata, erase=self._painting == 3)

    def _on_move(self, event):
        if self._painting and event.inaxes is self.stack.input_ax and event.xdata is not None:
            self.paint(event.ydata, event.xdata, erase=self._painting == 3)

    def _on_release(self, event):
        self._painting = 0
