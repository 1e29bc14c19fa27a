"""Convolutions and dense layers are matrix multiplications (lesson 3).

* :func:`conv2d_im2col` rebuilds ``torch.nn.functional.conv2d`` as one matrix product:
  every patch of the (padded) input becomes a row of a *patch matrix*, every filter a
  column of a *weight matrix*; ``patches @ weights`` reshaped is the stack of feature
  maps. Stride, padding, dilation, several channels and several filters.
* :func:`dense_layer` traces ``torch.nn.functional.linear``: each output is a row of
  ``W`` dotted with ``x`` (the element-wise products are kept for display).
* :func:`relu` is ``max(0, x)``, element-wise.

Tests check both against torch over hundreds of random shapes (``tests/test_convmatmul*.py``).
The nonlinearity and universal-approximation computations live in
:mod:`viz.core.convmatmul_nonlin`. Lesson 3 of fast.ai 2018 (``fastai-lessons.md`` section 6).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays


_freeze = freeze_arrays


def _pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints as ``(height, width)``."""
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    else:
        try:
            pair = tuple(int(v) for v in value)
        except TypeError:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}") from None
        if len(pair) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return pair


def _fmt(hw) -> str:
    return "x".join(str(v) for v in hw)


def conv_output_shape(input_hw, kernel_hw, *, stride=1, padding=0, dilation=1) -> tuple[int, int]:
    """Height and width of a convolution's output; ``ValueError`` naming the shapes if none.

    ``out = (in + 2*padding - dilation*(kernel-1) - 1) // stride + 1``, per axis.

    >>> conv_output_shape((5, 5), (3, 3), stride=2, padding=1)
    (3, 3)
    """
    ih, iw = _pair(input_hw, "input size")
    kh, kw = _pair(kernel_hw, "kernel size")
    s, p, d = _pair(stride, "stride"), _pair(padding, "padding"), _pair(dilation, "dilation")
    if min(ih, iw) <= 0:
        raise ValueError(f"input size must be positive, got {_fmt((ih, iw))}")
    if min(kh, kw) <= 0:
        raise ValueError(f"kernel size must be positive, got {_fmt((kh, kw))}")
    if min(s) <= 0:
        raise ValueError(f"stride must be positive, got {_fmt(s)}")
    if min(d) <= 0:
        raise ValueError(f"dilation must be positive, got {_fmt(d)}")
    if min(p) < 0:
        raise ValueError(f"padding must not be negative, got {_fmt(p)}")
    reach = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
    padded = (ih + 2 * p[0], iw + 2 * p[1])
    if reach[0] > padded[0] or reach[1] > padded[1]:
        extra = f" (dilation {_fmt(d)}, reach {_fmt(reach)})" if max(d) > 1 else ""
        raise ValueError(f"kernel {_fmt((kh, kw))}{extra} is larger than the padded input "
                         f"{_fmt(padded)} (input {_fmt((ih, iw))}, padding {_fmt(p)})")
    return ((padded[0] - reach[0]) // s[0] + 1, (padded[1] - reach[1]) // s[1] + 1)


@dataclass(frozen=True, eq=False)
class Im2ColConv:
    """One convolution computed as ``patches @ weight_matrix``, with every intermediate.

    ``L = out_h * out_w`` patches, ``K = channels * kernel_h * kernel_w`` numbers per patch,
    ``F`` filters. Patch columns are ordered (channel, kernel row, kernel column), the
    order of ``weight.reshape(F, -1)``; patch rows are output positions, row-major.
    """

    input: np.ndarray          # (C, H, W)
    weight: np.ndarray         # (F, C, kh, kw)
    bias: np.ndarray           # (F,) zeros when there is none
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    padded: np.ndarray         # (C, H + 2ph, W + 2pw) the input with its zero border
    origins: np.ndarray        # (L, 2) top-left of each window, in padded coordinates
    taps: np.ndarray           # (kh*kw, 2) offsets of the kernel taps from a window's origin
    patches: np.ndarray        # (L, K) the patch matrix
    weight_matrix: np.ndarray  # (K, F) one filter per column
    product: np.ndarray        # (L, F) patches @ weight_matrix + bias
    output: np.ndarray         # (F, out_h, out_w) product reshaped: the feature maps

    def __post_init__(self):
        _freeze(self)

    @property
    def out_shape(self) -> tuple[int, int]:
        return self.output.shape[1:]

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return self.weight.shape[2:]

    @property
    def n_patches(self) -> int:
        return self.patches.shape[0]

    def window(self, index: int) -> np.ndarray:
        """(kh*kw, 2) padded coordinates of the input cells that patch ``index`` reads."""
        return self.origins[index] + self.taps

    def position(self, index: int) -> tuple[int, int]:
        """Output (row, col) of patch ``index``."""
        return divmod(int(index), self.out_shape[1])

    def window_products(self, index: int, filter: int = 0) -> np.ndarray:
        """(C, kh, kw): patch ``index`` times filter ``filter``, element-wise (not summed)."""
        c, kh, kw = self.weight.shape[1:]
        return self.patches[index].reshape(c, kh, kw) * self.weight[filter]

    def channel_sums(self, index: int, filter: int = 0) -> np.ndarray:
        """(C,): each channel's sum of products; they add up (plus bias) to one activation."""
        return self.window_products(index, filter).sum(axis=(1, 2))

    def channel_maps(self, filter: int = 0) -> np.ndarray:
        """(C, out_h, out_w): each input channel's share of feature map ``filter``.

        Summed over channels (plus the bias) they give ``output[filter]``.
        """
        c = self.weight.shape[1]
        per = np.einsum("lck,ck->cl", self.patches.reshape(self.n_patches, c, -1),
                        self.weight[filter].reshape(c, -1))
        return per.reshape(c, *self.out_shape)

    @property
    def padding_mask(self) -> np.ndarray:
        """(Hp, Wp) True on the zero border that padding added."""
        m = np.ones(self.padded.shape[1:], bool)
        ph, pw = self.padding
        m[ph:m.shape[0] - ph, pw:m.shape[1] - pw] = False
        return m


def conv2d_im2col(x, weight, bias=None, *, stride=1, padding=0, dilation=1) -> Im2ColConv:
    """Convolve (cross-correlate, as torch does) by one matrix product.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (H, W)
        One input (a 2-D array is one channel).
    weight : array_like, shape (F, C, kh, kw), or (kh, kw) for one filter on one channel
    bias : array_like, shape (F,), optional
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    Im2ColConv
        ``.output`` equals ``F.conv2d(x[None], weight, bias, stride, padding, dilation)[0]``.

    Raises
    ------
    ValueError
        Kernel larger than the padded input, non-positive stride or dilation, negative
        padding, or input channels that do not match the kernel's (the message names the
        shapes).

    >>> conv = conv2d_im2col(np.arange(16.).reshape(4, 4), np.ones((2, 2)))
    >>> conv.patches.shape, conv.output[0, 0].tolist()
    ((9, 4), [10.0, 14.0, 18.0])
    """
    x = np.array(x, dtype=np.float64)         # copies: results are frozen, inputs stay ours
    w = np.array(weight, dtype=np.float64)
    if x.ndim == 2:
        x = x[None]
    if w.ndim == 2:
        w = w[None, None]
    if x.ndim != 3:
        raise ValueError(f"input must have shape (C, H, W), got {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"kernel must have shape (F, C, kh, kw), got {w.shape}")
    if x.shape[0] != w.shape[1]:
        raise ValueError(f"channel mismatch: input {x.shape} has {x.shape[0]} channels but "
                         f"kernel {w.shape} expects {w.shape[1]}")
    if 0 in x.shape or 0 in w.shape:
        raise ValueError(f"empty input {x.shape} or kernel {w.shape}")
    n_f, n_c, kh, kw = w.shape
    s, p, d = _pair(stride, "stride"), _pair(padding, "padding"), _pair(dilation, "dilation")
    oh, ow = conv_output_shape(x.shape[1:], (kh, kw), stride=s, padding=p, dilation=d)
    b = np.zeros(n_f) if bias is None else np.array(bias, dtype=np.float64).reshape(-1)
    if b.shape != (n_f,):
        raise ValueError(f"bias must have shape ({n_f},) for kernel {w.shape}, got {b.shape}")

    padded = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])))
    rr, cc = np.meshgrid(np.arange(oh) * s[0], np.arange(ow) * s[1], indexing="ij")
    origins = np.stack([rr.ravel(), cc.ravel()], axis=1)                       # (L, 2)
    ti, tj = np.meshgrid(np.arange(kh) * d[0], np.arange(kw) * d[1], indexing="ij")
    taps = np.stack([ti.ravel(), tj.ravel()], axis=1)                          # (kh*kw, 2)
    rows = origins[:, None, 0] + taps[None, :, 0]                              # (L, kh*kw)
    cols = origins[:, None, 1] + taps[None, :, 1]
    patches = padded[:, rows, cols]                                            # (C, L, kh*kw)
    patches = patches.transpose(1, 0, 2).reshape(len(origins), n_c * kh * kw)  # (L, K)
    weight_matrix = w.reshape(n_f, -1).T                                       # (K, F)
    product = patches @ weight_matrix + b                                      # (L, F)
    output = product.T.reshape(n_f, oh, ow)
    return Im2ColConv(input=x, weight=w, bias=b, stride=s, padding=p, dilation=d,
                      padded=padded, origins=origins, taps=taps, patches=patches,
                      weight_matrix=weight_matrix, product=product, output=output)


def conv2d_torch(conv: Im2ColConv) -> np.ndarray:
    """The same convolution by ``torch.nn.functional.conv2d`` (float64), shape (F, oh, ow)."""
    import torch
    import torch.nn.functional as F

    out = F.conv2d(torch.from_numpy(np.array(conv.input))[None],
                   torch.from_numpy(np.array(conv.weight)), torch.from_numpy(np.array(conv.bias)),
                   stride=conv.stride, padding=conv.padding, dilation=conv.dilation)
    return out[0].numpy()


# ----------------------------------------------------------------------------- dense
@dataclass(frozen=True, eq=False)
class DenseTrace:
    """A dense layer ``y = W x + b`` with its element-wise products kept."""

    x: np.ndarray         # (n_in,) or (batch, n_in)
    weight: np.ndarray    # (n_out, n_in)
    bias: np.ndarray      # (n_out,) zeros when there is none
    products: np.ndarray  # (n_out, n_in) or (batch, n_out, n_in): weight[j, i] * x[i]
    output: np.ndarray    # (n_out,) or (batch, n_out): products summed over inputs + bias

    def __post_init__(self):
        _freeze(self)


def dense_layer(x, weight, bias=None) -> DenseTrace:
    """Trace ``F.linear(x, weight, bias)``: each output is a row of ``weight`` dotted with x.

    >>> dense_layer([1.0, 2.0], [[1.0, 0.0], [0.5, -1.0]]).output.tolist()
    [1.0, -1.5]
    """
    x = np.array(x, dtype=np.float64)         # copies: results are frozen, inputs stay ours
    w = np.array(weight, dtype=np.float64)
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(f"weight must have shape (n_out, n_in), got {w.shape}")
    if x.ndim not in (1, 2) or x.shape[-1] != w.shape[1]:
        raise ValueError(f"input {x.shape} does not match weight {w.shape}: "
                         f"need (n_in,) or (batch, n_in) with n_in = {w.shape[1]}")
    b = np.zeros(w.shape[0]) if bias is None else np.array(bias, dtype=np.float64).reshape(-1)
    if b.shape != (w.shape[0],):
        raise ValueError(f"bias must have shape ({w.shape[0]},) for weight {w.shape}, got {b.shape}")
    products = w * x[..., None, :]
    output = products.sum(axis=-1) + b
    return DenseTrace(x=x, weight=w, bias=b, products=products, output=output)


# ----------------------------------------------------------------------------- ReLU
@dataclass(frozen=True, eq=False)
class ReluTrace:
    """``max(0, x)`` applied element-wise."""

    pre: np.ndarray    # any shape
    post: np.ndarray   # same shape
    zeroed: np.ndarray  # bool, where a negative vanished

    def __post_init__(self):
        _freeze(self)


def relu(values) -> ReluTrace:
    """ReLU in its entirety: ``max(0, x)`` for every number.

    >>> relu([-1.5, 0.0, 2.0]).post.tolist()
    [0.0, 0.0, 2.0]
    """
    pre = np.array(values, dtype=np.float64)
    return ReluTrace(pre=pre, post=np.maximum(pre, 0.0), zeroed=pre < 0)


# ----------------------------------------------------------------------------- examples
#: Conv-arithmetic's kernel (Dumoulin & Visin 2016, figure 1.1).
ARITHMETIC_KERNEL = np.array([[0.0, 1.0, 2.0], [2.0, 2.0, 0.0], [0.0, 1.0, 2.0]])


def example_input(size=(5, 5), *, seed: int = 0, high: int = 4) -> np.ndarray:
    """Small integers 0..high-1 (readable products), shape ``size``."""
    return np.random.default_rng(seed).integers(0, high, size=_pair(size, "size")).astype(float)


def sliding_examples(*, seed: int = 3) -> dict[str, Im2ColConv]:
    """The kernel-sliding lesson's convolutions, keyed by a short label.

    ``"stride 1"``: 5x5 input, conv-arithmetic's 3x3 kernel, output 3x3 (numbers shown);
    then the classic settings: padding 1 ("same"), stride 2 with padding 1, dilation 2.
    """
    x5 = example_input((5, 5), seed=seed)
    k = ARITHMETIC_KERNEL
    return {
        "stride 1": conv2d_im2col(x5, k),
        "padding 1": conv2d_im2col(x5, k, padding=1),
        "stride 2, padding 1": conv2d_im2col(x5, k, stride=2, padding=1),
        "dilation 2": conv2d_im2col(example_input((7, 7), seed=seed), k, dilation=2),
    }


def im2col_example(*, seed: int = 1, n_filters: int = 2) -> Im2ColConv:
    """The im2col lesson's convolution: a 5x5 input, ``n_filters`` 3x3 integer filters."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(5, 5)).astype(float)
    w = rng.integers(-1, 3, size=(n_filters, 1, 3, 3)).astype(float)
    return conv2d_im2col(x, w)


#: Where the channel and ReLU examples look in the spreadsheet's layers (row, col).
CHANNEL_CROP = (17, 7)
RELU_CROP = (4, 7)


def two_channel_example(*, row: int = CHANNEL_CROP[0], col: int = CHANNEL_CROP[1],
                        size: int = 6) -> Im2ColConv:
    """The spreadsheet's conv2 (one 2x3x3 tensor per filter) on a ``size``-square crop of
    its conv1 output. ``.output[f]`` equals the sheet's conv2 (before ReLU) at the crop."""
    from .spreadsheet import trace_conv_example

    t = trace_conv_example()
    h = t.conv1.shape[1]
    if not (0 <= row <= h - size and 0 <= col <= h - size and size >= 3):
        raise ValueError(f"crop {size}x{size} at ({row}, {col}) does not fit conv1 {t.conv1.shape}")
    return conv2d_im2col(t.conv1[:, row:row + size, col:col + size], t.params.conv2)


def relu_example(*, row: int = RELU_CROP[0], col: int = RELU_CROP[1], size: int = 8) -> ReluTrace:
    """ReLU on an ``size``-square crop of the spreadsheet's "top edge" map before ReLU."""
    from .spreadsheet import trace_conv_example

    pre = trace_conv_example().conv1_pre[0]
    if not (0 <= row <= pre.shape[0] - size and 0 <= col <= pre.shape[1] - size):
        raise ValueError(f"crop {size}x{size} at ({row}, {col}) does not fit conv1 {pre.shape}")
    return relu(pre[row:row + size, col:col + size])


def dense_example(*, n_in: int = 4, n_out: int = 3, seed: int = 2) -> DenseTrace:
    """A small dense layer with one-decimal weights and inputs (no bias)."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(0, 1, n_in), 1)
    w = np.round(rng.uniform(-1, 1, (n_out, n_in)), 1)
    return dense_layer(x, w)
