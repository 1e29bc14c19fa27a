"""What the live explorer page needs from Python: weights, presets and palettes (JSON-able).

Everything here is read from the toolkit's own objects, never typed by hand:

* ``convexample``: the conv-example spreadsheet network (:mod:`viz.core.spreadsheet`):
  its "7", the conv1 / conv2 kernels, the dense weights, the sheet's dense activation,
  and presets: the sheet's "7" plus a few of sklearn's bundled 8x8 digits made 28x28
  exactly as ``viz spreadsheet --image`` does it (:func:`viz.core.images.load_image`).
* ``otavio``: the trained lesson-3 letter CNN (:func:`viz.core.otavio.load_otavio`, cached
  per machine): every weight and bias, the class names, a sample picture per class and
  the colour limits of each layer over those samples.
* ``palette``: the colour-blind-safe scales of :mod:`viz.colors` and seaborn's
  "colorblind" cycle (the figures' own), for both themes.

:func:`export_all` gathers them, plus the lesson panels' data from
:mod:`viz.core.explorer_lessons` when that module is present.
"""
from __future__ import annotations

import importlib
import math
import tempfile
from pathlib import Path

import numpy as np

#: sklearn digits offered as presets (the first example of each, in the bundled set's order).
PRESET_DIGITS = (0, 1, 3, 4, 9)
VERSION = 1


def _lists(a, digits: int | None = None):
    """A float array as nested lists (exact float64 reprs round-trip through JSON)."""
    a = np.asarray(a, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError("explorer data must be finite numbers")
    return a.tolist()


def _as_28(picture8: np.ndarray) -> np.ndarray:
    """An 8x8 sklearn digit (0..16) made 28x28 by :func:`viz.core.images.load_image`."""
    from PIL import Image

    from .images import load_image

    pixels = np.round(np.asarray(picture8, dtype=np.float64) / 16.0 * 255.0).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "digit.png"
        Image.fromarray(pixels, mode="L").save(path)
        return load_image(path)


def convexample_data() -> dict:
    """The spreadsheet network's weights and presets for panel 1."""
    from sklearn.datasets import load_digits

    from .spreadsheet import load_conv_example, trace_conv_example

    p = load_conv_example()
    presets = [{"name": 'the sheet\'s "7"', "input": _lists(p.input)}]
    d = load_digits()
    for digit in PRESET_DIGITS:
        i = int(np.flatnonzero(d.target == digit)[0])
        presets.append({"name": f"sklearn digit {digit}", "input": _lists(_as_28(d.images[i]))})
    return {
        "input": _lists(p.input),
        "conv1": _lists(p.conv1),
        "conv2": _lists(p.conv2),
        "dense": _lists(p.dense),
        "sheet_dense": float(trace_conv_example(p).dense),
        "filter_names": ["top edge", "left edge"],
        "presets": presets,
        "image_limits": image_limits(),
    }


def image_limits() -> dict:
    """The limits :func:`viz.core.images.load_image` puts on pictures (the page applies them too)."""
    from . import images

    names = {"max_file_bytes": "MAX_FILE_BYTES", "max_pixels": "MAX_PIXELS",
             "reduce_above": "REDUCE_ABOVE", "reduced_side": "REDUCED_SIDE"}
    return {k: int(getattr(images, v)) for k, v in names.items() if hasattr(images, v)}


def otavio_data(net=None) -> dict:
    """The trained Otavio network's weights, classes and sample pictures for panel 2."""
    from .otavio import layer_limits, load_otavio, otavio_trace, sample_inputs

    net = net or load_otavio()
    m = net.model

    def w(t):
        return _lists(t.detach().cpu().numpy())

    samples = sample_inputs(net)
    traces = [otavio_trace(net, pic) for pic in samples.values()]
    limits = layer_limits(*traces)
    return {
        "classes": list(net.classes),
        "size": int(net.size),
        "channels": list(net.config.channels),
        "test_accuracy": float(net.test_accuracy),
        "dataset": net.config.dataset,
        "conv1_weight": w(m.conv1.weight), "conv1_bias": w(m.conv1.bias),
        "conv2_weight": w(m.conv2.weight), "conv2_bias": w(m.conv2.bias),
        "dense_weight": w(m.dense.weight), "dense_bias": w(m.dense.bias),
        "limits": {k: float(v) for k, v in limits.items()},
        "presets": [{"name": c, "input": _lists(pic)} for c, pic in samples.items()],
    }


def palette() -> dict:
    """Colours for the page: :mod:`viz.colors` scales and the colour-blind cycle (no seaborn in core)."""
    from viz import colors

    maps = {"diverging": list(colors.DIVERGING), "green_red": list(colors.GREEN_RED),
            "sequential": list(colors.SEQUENTIAL), "categorical": list(colors.CATEGORICAL)}
    # Maps keep their colours in both themes, as the figures do (tiles on the page).
    return {"light": dict(maps), "dark": dict(maps)}


def _check_finite(obj, where="data"):
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError(f"explorer {where} holds a non-finite number")
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_finite(v, f"{where}.{k}")
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _check_finite(v, where)


def export_all(*, otavio_net=None) -> dict:
    """Every panel's data: ``{"version", "palette", "convexample", "otavio", ...}``.

    ``otavio_net`` (a :class:`viz.core.otavio.TrainedOtavio`) replaces the cached default
    network, e.g. one the student just trained. The lesson panels' keys (``convarith``,
    ``softmax``, ``sgdr``, ``lrfinder``) come from
    :func:`viz.core.explorer_lessons.lesson_panels_data` when that module exists.
    """
    out = {"version": VERSION, "palette": palette(), "convexample": convexample_data(),
           "otavio": otavio_data(otavio_net)}
    try:
        lessons = importlib.import_module("viz.core.explorer_lessons")
    except ModuleNotFoundError as exc:
        if exc.name != "viz.core.explorer_lessons":
            raise
    else:
        out.update(lessons.lesson_panels_data())
    _check_finite(out)
    return out
