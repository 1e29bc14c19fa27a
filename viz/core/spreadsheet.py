"""The fast.ai conv-example spreadsheet (lesson 3) as a small torch model.

The sheet pushes a 28x28 MNIST "7" through::

    conv1 (1->2 channels, 3x3, no bias) -> ReLU          2 x 26 x 26
    conv2 (2->2 channels, 3x3, no bias) -> ReLU          2 x 24 x 24
    max-pool 2x2                                         2 x 12 x 12
    dense (288 -> 1, no bias)                            one activation

The digit, both layers' kernels and the dense weights are the sheet's own numbers,
shipped in ``viz/core/data/conv_example.npz``; every layer is recomputed here, twice:
by torch (:func:`trace_conv_example`) and by plain numpy sums of products, cell by
cell (:func:`trace_conv_example_numpy`), exactly as the sheet's formulas do.

Quirk of the original sheet: its conv2 block (``BM4:CK27``) is 24 rows by *25*
columns; the last column reads past the edge of conv1 and is all zeros. The pool
ignores it, so it changes nothing. We compute the true 24 x 24 result and do not copy
the extra column.

Lesson 3 of fast.ai 2018 (``fastai-lessons.md`` section 6).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from importlib import resources

import numpy as np

from ._util import freeze_arrays

INPUT_SHAPE = (28, 28)
CONV1_SHAPE = (2, 3, 3)
CONV2_SHAPE = (2, 2, 3, 3)
DENSE_SHAPE = (2, 12, 12)
#: The sheet's cached dense activation (cell EN4).
SHEET_DENSE = 258.73762671075724


@dataclass(frozen=True, eq=False)
class ConvExampleParams:
    """The sheet's inputs: the digit and every weight (float64 arrays)."""

    input: np.ndarray  # (28, 28) pixel values, ink high (0..1)
    conv1: np.ndarray  # (2, 3, 3) "top edge" and "left edge" filters
    conv2: np.ndarray  # (2, 2, 3, 3) two filters, each one 2x3x3 tensor
    dense: np.ndarray  # (2, 12, 12) one weight per pooled activation

    def __post_init__(self):
        for f, shape in zip(fields(self), (INPUT_SHAPE, CONV1_SHAPE, CONV2_SHAPE, DENSE_SHAPE)):
            a = np.array(getattr(self, f.name), dtype=np.float64)
            if a.shape != shape:
                raise ValueError(f"{f.name} must have shape {shape}, got {a.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{f.name} contains NaN or infinite values")
            a.flags.writeable = False
            object.__setattr__(self, f.name, a)

    def replace(self, **changes) -> "ConvExampleParams":
        """Return a copy with some arrays replaced (``None`` keeps the sheet's)."""
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        kw.update({k: v for k, v in changes.items() if v is not None})
        return ConvExampleParams(**kw)


@dataclass(frozen=True, eq=False)
class ConvExampleTrace:
    """Every intermediate of one forward pass through the spreadsheet network."""

    params: ConvExampleParams
    conv1_pre: np.ndarray  # (2, 26, 26) sum of products before ReLU
    conv1: np.ndarray      # (2, 26, 26) after ReLU  (sheet: AH3..., AH32...)
    conv2_pre: np.ndarray  # (2, 24, 24) two-channel sums before ReLU
    conv2: np.ndarray      # (2, 24, 24) after ReLU  (sheet: BM4..., BM33...)
    pool: np.ndarray       # (2, 12, 12) 2x2 max-pool (sheet: CM4..., every other cell)
    dense: float           # the one output activation (sheet: EN4)

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def input(self) -> np.ndarray:
        return self.params.input

    def to_dict(self) -> dict:
        """The layers as nested lists, keyed as ``viz spreadsheet --json`` writes them."""
        return {
            "input": self.input.tolist(),
            "conv1": self.conv1.tolist(),
            "conv2": self.conv2.tolist(),
            "pool": self.pool.tolist(),
            "dense": float(self.dense),
        }


def load_conv_example() -> ConvExampleParams:
    """The spreadsheet's own digit and weights, from the package's data file."""
    with resources.files("viz.core.data").joinpath("conv_example.npz").open("rb") as fh:
        with np.load(fh) as z:
            return ConvExampleParams(**{k: z[k] for k in ("input", "conv1", "conv2", "dense")})


def conv_example_model(params: ConvExampleParams | None = None):
    """The sheet as a ``torch.nn.Sequential`` (float64, no biases), weights loaded."""
    import torch
    from torch import nn

    p = params or load_conv_example()
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, bias=False), nn.ReLU(),
        nn.Conv2d(2, 2, 3, bias=False), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(288, 1, bias=False),
    ).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(p.conv1[:, None]))
        model[2].weight.copy_(torch.tensor(p.conv2))
        model[6].weight.copy_(torch.tensor(p.dense.reshape(1, -1)))
    return model


def trace_conv_example(params: ConvExampleParams | None = None) -> ConvExampleTrace:
    """Run the torch model and keep every layer's output.

    >>> round(trace_conv_example().dense, 7)
    258.7376267
    """
    import torch

    p = params or load_conv_example()
    model = conv_example_model(p)
    outs = []
    with torch.no_grad():
        x = torch.tensor(p.input)[None, None]
        for layer in model:
            x = layer(x)
            outs.append(x[0].numpy().copy())
    return ConvExampleTrace(params=p, conv1_pre=outs[0], conv1=outs[1], conv2_pre=outs[2],
                            conv2=outs[3], pool=outs[4], dense=float(outs[6][0]))


def sum_of_products(patch: np.ndarray, kernel: np.ndarray) -> float:
    """One activation: the element-wise product of a patch and a kernel, summed."""
    total = 0.0
    for a, w in zip(np.ravel(patch), np.ravel(kernel)):
        total += a * w
    return total


def trace_conv_example_numpy(params: ConvExampleParams | None = None) -> ConvExampleTrace:
    """The same forward pass as the spreadsheet computes it: one cell at a time."""
    p = params or load_conv_example()
    k = 3
    h1 = INPUT_SHAPE[0] - k + 1
    conv1_pre = np.zeros((2, h1, h1))
    for c in range(2):
        for i in range(h1):
            for j in range(h1):
                conv1_pre[c, i, j] = sum_of_products(p.input[i:i + k, j:j + k], p.conv1[c])
    conv1 = np.maximum(0.0, conv1_pre)
    h2 = h1 - k + 1
    conv2_pre = np.zeros((2, h2, h2))
    for o in range(2):
        for i in range(h2):
            for j in range(h2):
                conv2_pre[o, i, j] = sum(sum_of_products(conv1[c, i:i + k, j:j + k], p.conv2[o, c])
                                         for c in range(2))
    conv2 = np.maximum(0.0, conv2_pre)
    h3 = h2 // 2
    pool = np.zeros((2, h3, h3))
    for c in range(2):
        for i in range(h3):
            for j in range(h3):
                pool[c, i, j] = max(conv2[c, 2 * i:2 * i + 2, 2 * j:2 * j + 2].ravel())
    dense = sum_of_products(pool, p.dense)
    return ConvExampleTrace(params=p, conv1_pre=conv1_pre, conv1=conv1, conv2_pre=conv2_pre,
                            conv2=conv2, pool=pool, dense=float(dense))


#: A kernels file is at most this many bytes, and its numbers at most this large.
MAX_KERNELS_BYTES = 1_000_000
MAX_WEIGHT = 1e6


def _nested_shape(value, depth: int = 0) -> tuple:
    """The shape numpy would see, from the first element of each level (at most 8 deep)."""
    if not isinstance(value, list):
        return ()
    if depth >= 8:
        raise ValueError("nested too deeply")
    return (len(value),) + (_nested_shape(value[0], depth + 1) if value else ())


def _check_numbers(value, shape, where):
    """Every leaf a finite number (not a bool or a string) of at most MAX_WEIGHT, rectangular."""
    if not shape:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where} holds {type(value).__name__} {str(value)[:20]!r}, not a number")
        v = float(value)                     # a huge int overflows to inf: refused below
        if not math.isfinite(v):
            raise ValueError(f"{where} contains NaN or infinite values")
        if abs(v) > MAX_WEIGHT:
            raise ValueError(f"{where} holds {v:g}; numbers must be at most {MAX_WEIGHT:g} in size")
        return
    if not isinstance(value, list) or len(value) != shape[0]:
        raise ValueError(f"{where} is not a rectangular array of numbers")
    for v in value:
        _check_numbers(v, shape[1:], where)


def load_kernels(path) -> dict:
    """Read user filters from JSON.

    Accepted: a 2x3x3 nested list (conv1's two filters), or an object with any of
    ``"conv1"`` (2x3x3), ``"conv2"`` (2x2x3x3) and ``"dense"`` (2x12x12). Hostile files
    are refused in one line: not a regular file or over :data:`MAX_KERNELS_BYTES`, deep
    nesting, NaN/Infinity, strings or booleans for numbers, ragged or wrong shapes,
    numbers over :data:`MAX_WEIGHT` in size.
    """
    from .._io import check_input_file
    path = check_input_file(path, "kernels", MAX_KERNELS_BYTES)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise ValueError(f"cannot read kernels file {path}: nested too deeply") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:     # JSONDecodeError, huge ints
        first = " ".join(str(exc).split())[:120]
        raise ValueError(f"cannot read kernels file {path}: {first}") from None
    if isinstance(raw, list):
        raw = {"conv1": raw}
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"kernels file {path} must hold a 2x3x3 list or an object with "
                         "'conv1', 'conv2' or 'dense'")
    shapes = {"conv1": CONV1_SHAPE, "conv2": CONV2_SHAPE, "dense": DENSE_SHAPE}
    out = {}
    for key, value in raw.items():
        if key not in shapes:
            raise ValueError(f"kernels file {path}: unknown key {key[:40]!r} "
                             "(expected 'conv1', 'conv2' or 'dense')")
        try:
            shape = _nested_shape(value)
        except ValueError:
            raise ValueError(f"kernels file {path}: {key} is nested too deeply") from None
        if shape != shapes[key]:
            raise ValueError(f"kernels file {path}: {key} must have shape "
                             f"{'x'.join(map(str, shapes[key]))}, got "
                             f"{'x'.join(map(str, shape)) or 'a scalar'}")
        _check_numbers(value, shape, f"kernels file {path}: {key}")
        out[key] = np.array(value, dtype=np.float64)
    return out


@dataclass(frozen=True, eq=False)
class ConvStep:
    """One activation of conv1, spelled out as the sheet computes it."""

    channel: int
    row: int
    col: int
    patch: np.ndarray     # (3, 3) input values under the kernel
    kernel: np.ndarray    # (3, 3)
    products: np.ndarray  # (3, 3) patch * kernel
    total: float          # SUM(patch * kernel)
    relu: float           # MAX(0, total)


def conv1_step(trace: ConvExampleTrace, channel: int, row: int, col: int) -> ConvStep:
    """The products and sum behind ``trace.conv1[channel, row, col]``."""
    if not (0 <= channel < 2 and 0 <= row < 26 and 0 <= col < 26):
        raise ValueError(f"conv1 cell ({channel}, {row}, {col}) is outside 2x26x26")
    patch = np.array(trace.input[row:row + 3, col:col + 3])
    kernel = np.array(trace.params.conv1[channel])
    products = patch * kernel
    total = float(trace.conv1_pre[channel, row, col])
    return ConvStep(channel, row, col, patch, kernel, products, total, max(0.0, total))


def teaching_row(trace: ConvExampleTrace, channel: int = 0, length: int = 6) -> tuple[int, int]:
    """Where to show the kernel sliding: ``(row, first col)`` of the first run of
    ``length`` conv1 cells that holds both a positive and a negative sum (so ReLU has
    something to do). Scans rows top to bottom, like the sheet is read."""
    pre = trace.conv1_pre[channel]
    for r in range(pre.shape[0]):
        for c in range(pre.shape[1] - length + 1):
            seg = pre[r, c:c + length]
            if (seg > 1e-9).any() and (seg < -1e-9).any():
                return r, c
    return 0, 0
