"""Catalog entries: convolutions and activations are matrix multiplications (lesson 3).

Also the ``viz im2col`` command: the shapes and the patch matrix of a convolution.
"""
from . import Figure, Scene

_F = "viz.catalog.convmatmul:"
_S1 = "scenes.convmatmul:"
_S2 = "scenes.convmatmul_nonlin:"


def kernel_sliding():
    from viz.core.convmatmul import sliding_examples
    from viz.figures.convmatmul import kernel_sliding_figure
    return kernel_sliding_figure(sliding_examples())


def im2col():
    from viz.core.convmatmul import im2col_example
    from viz.figures.convmatmul import im2col_figure
    return im2col_figure(im2col_example())


def many_channels():
    from viz.core.convmatmul import two_channel_example
    from viz.figures.convmatmul import many_channels_figure
    return many_channels_figure(two_channel_example())


def dense_layer():
    from viz.core.convmatmul import dense_example
    from viz.figures.convmatmul import dense_layer_figure
    return dense_layer_figure(dense_example())


def relu():
    from viz.core.convmatmul import relu_example
    from viz.figures.convmatmul import relu_figure
    return relu_figure(relu_example())


def why_nonlinear():
    from viz.core.convmatmul_nonlin import stack_two_layers
    from viz.figures.convmatmul import why_nonlinear_figure
    return why_nonlinear_figure(stack_two_layers())


def shallow_approx():
    from viz.core.convmatmul_nonlin import train_shallow_relu
    from viz.figures.convmatmul import shallow_approx_figure
    return shallow_approx_figure(train_shallow_relu())


FIGURES = [
    Figure("kernel-sliding", "A kernel sliding over its input",
           "One window's element-wise products and their sum make one output cell; then the "
           "classic settings: padding 1, stride 2 with padding 1, dilation 2 (input blue, "
           "padding shaded, kernel taps dark, output map cyan).", _F + "kernel_sliding"),
    Figure("im2col", "A convolution is one matrix product (im2col)",
           "Every window of the input is a row of the patch matrix, every filter a column of "
           "the weight matrix; their product, column by column, reshaped, is the stack of "
           "feature maps, equal to F.conv2d.", _F + "im2col"),
    Figure("many-channels", "Many channels: one 2×3×3 kernel",
           "The spreadsheet's conv2 on a crop of conv1's two channels: per-channel sums of "
           "products add up to one activation; the whole map is the sum of two channel maps.",
           _F + "many_channels"),
    Figure("dense-layer", "A dense layer is W · x",
           "Neurons and weighted edges next to the same layer as a matrix product: each output "
           "is a row of W dotted with x.", _F + "dense_layer"),
    Figure("relu", "ReLU: max(0, x)",
           "The spreadsheet's top-edge map before and after ReLU: negatives become 0, "
           "positives pass unchanged.", _F + "relu"),
    Figure("why-nonlinear", "Why a nonlinearity",
           "A grid pushed through W1 then W2 lands exactly where the single matrix W2·W1 puts "
           "it; with a ReLU between the layers it does not.", _F + "why_nonlinear"),
    Figure("shallow-approx", "One hidden ReLU layer approximates a function",
           "A 12-unit ReLU network trained with torch on a sine with a bump: its hidden units' "
           "pieces at three moments of training, their sum against the target, and the loss.",
           _F + "shallow_approx"),
]

SCENES = [
    Scene("kernel-sliding", "A kernel slides",
          "Window, element-wise products, sum, output cell, for every position of a 3×3 kernel "
          "on a 5×5 input; then padding, stride and dilation in the conv-arithmetic style.",
          _S1 + "KernelSliding"),
    Scene("im2col", "Convolution unrolled (im2col), without a word",
          "Windows fly into patch rows while the matching output cell lights up; filters flatten "
          "into weight columns; one matrix product; the product's columns fold back into the "
          "feature maps; everything moves in sync.", _S1 + "Im2Col"),
    Scene("many-channels", "Two channels, one kernel",
          "The spreadsheet's conv2: one 2×3×3 kernel on two channels; each channel's sum of "
          "products, and the two sums added into one activation.", _S1 + "ManyChannels"),
    Scene("dense-layer", "Neurons and edges become W · x",
          "Each output neuron's incoming edges become a row of W, the inputs become x; every "
          "output is a row dotted with x.", _S1 + "DenseLayer"),
    Scene("relu", "ReLU on a feature map",
          "max(0, x) row by row: negative cells drop to 0 on the map and onto the x-axis of the "
          "ReLU curve.", _S2 + "Relu"),
    Scene("why-nonlinear", "Two linear layers are one",
          "A grid transformed by W1 then W2 coincides with W2·W1 applied once; with a ReLU "
          "between them it folds and no longer does.", _S2 + "WhyNonlinear"),
    Scene("shallow-approx", "A shallow net fits a function",
          "A one-hidden-layer ReLU net trained live with torch: its hidden units' pieces move as "
          "training proceeds, and added one by one they rebuild the fit.", _S2 + "ShallowApprox"),
]


# ----------------------------------------------------------------------------- CLI
#: ``viz im2col``'s bounds: each side, kernel, padding, channel and filter count, and
#: the most numbers in the patch matrix (windows x channels x kernel) or the product.
IM2COL_MAX_NUMBERS = 10_000_000


def add_commands(subparsers) -> None:
    from viz._check import SEED, Int
    s = subparsers.add_parser("im2col", help="a convolution as one matrix product: shapes and "
                              "the patch matrix")
    s.add_argument("--input-size", type=Int(1, 512), nargs=2, default=[5, 5], metavar=("H", "W"),
                   help="1..512 each (default: 5 5)")
    s.add_argument("--kernel-size", type=Int(1, 64), nargs="+", default=[3], metavar="K",
                   help="K or KH KW, 1..64 (default: 3)")
    s.add_argument("--stride", type=Int(1, 512, low_message="stride must be positive"), nargs="+",
                   default=[1], metavar="S",
                   help="1..512 (default: 1)")
    s.add_argument("--padding", type=Int(0, 64), nargs="+", default=[0], metavar="P",
                   help="0..64 (default: 0)")
    s.add_argument("--dilation", type=Int(1, 64, low_message="dilation must be positive"),
                   nargs="+", default=[1], metavar="D",
                   help="1..64 (default: 1)")
    s.add_argument("--in-channels", type=Int(1, 64), default=1, metavar="C", help="1..64 (default: 1)")
    s.add_argument("--kernel-channels", type=Int(1, 64), default=None, metavar="C",
                   help="channels of the kernel, 1..64 (default: --in-channels)")
    s.add_argument("--filters", type=Int(1, 256), default=1, metavar="F", help="1..256 (default: 1)")
    s.add_argument("--seed", type=SEED, default=0,
                   help="seed of the small-integer input and filters, 0..2**32-1 (default: 0)")
    s.add_argument("--max-rows", type=Int(0, 10_000), default=30,
                   help="print the patch matrix when it has at most this many rows, 0..10000 "
                   "(default: 30)")
    s.set_defaults(func=cmd_im2col)


def _check_im2col_size(c_k, n_f, size, k, stride, padding, dilation) -> None:
    """Refuse, before any array is made, a patch matrix or product over IM2COL_MAX_NUMBERS."""
    pair = lambda v: tuple(v) if isinstance(v, tuple) else (v, v)  # noqa: E731
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(k), pair(stride), pair(padding), pair(dilation)
    if min(sh, sw, dh, dw) < 1:
        return                                  # conv2d_im2col says what is wrong
    out = [(n + 2 * p - d * (q - 1) - 1) // s + 1
           for n, p, d, q, s in ((size[0], ph, dh, kh, sh), (size[1], pw, dw, kw, sw))]
    if min(out) < 1:
        return
    windows, numbers = out[0] * out[1], c_k * kh * kw
    big = max(windows * numbers, windows * n_f)
    if big > IM2COL_MAX_NUMBERS:
        raise ValueError(f"the patch matrix would be {windows:,}x{numbers:,} (and the product "
                         f"{windows:,}x{n_f:,}): more than {IM2COL_MAX_NUMBERS:,} numbers; "
                         "use a smaller --input-size, --kernel-size or --in-channels")


def _one_or_two(values, name):
    if len(values) not in (1, 2):
        raise ValueError(f"{name} takes one or two numbers, got {len(values)}")
    return tuple(values) if len(values) == 2 else values[0]


def cmd_im2col(args) -> int:
    """``viz im2col``: print the convolution's shapes, its patch matrix, and the check."""
    import numpy as np

    from viz.core.convmatmul import conv2d_im2col, conv2d_torch

    c_in, c_k, n_f = args.in_channels, args.kernel_channels or args.in_channels, args.filters
    if c_in <= 0 or c_k <= 0 or n_f <= 0:
        raise ValueError(f"channels and filters must be positive, got in-channels {c_in}, "
                         f"kernel channels {c_k}, filters {n_f}")
    k = _one_or_two(args.kernel_size, "--kernel-size")
    kh, kw = (k, k) if isinstance(k, int) else k
    if min(args.input_size) <= 0 or min(kh, kw) <= 0:
        raise ValueError(f"sizes must be positive, got input {args.input_size}, kernel {kh}x{kw}")
    stride, padding, dilation = (_one_or_two(args.stride, "--stride"),
                                 _one_or_two(args.padding, "--padding"),
                                 _one_or_two(args.dilation, "--dilation"))
    _check_im2col_size(c_k, n_f, args.input_size, (kh, kw), stride, padding, dilation)
    rng = np.random.default_rng(args.seed)
    x = rng.integers(0, 4, size=(c_in, *args.input_size)).astype(float)
    w = rng.integers(-1, 3, size=(n_f, c_k, kh, kw)).astype(float)
    conv = conv2d_im2col(x, w, stride=stride, padding=padding, dilation=dilation)
    L, K = conv.patches.shape
    print(f"input          {c_in}x{args.input_size[0]}x{args.input_size[1]}  "
          f"(padded {'x'.join(map(str, conv.padded.shape))})")
    print(f"kernel         {n_f}x{c_k}x{kh}x{kw}  stride {conv.stride}  padding {conv.padding}  "
          f"dilation {conv.dilation}")
    print(f"patch matrix   {L}x{K}  ({L} windows x {c_k}*{kh}*{kw} numbers)")
    print(f"weight matrix  {K}x{n_f}  (one column per filter)")
    print(f"product        {L}x{n_f}  -> output {n_f}x{conv.out_shape[0]}x{conv.out_shape[1]}")
    if L <= args.max_rows and L * K <= 100_000:
        with np.printoptions(linewidth=200, threshold=10**6):
            print("patch matrix:")
            print(conv.patches.astype(int))
    diff = float(np.abs(conv.output - conv2d_torch(conv)).max())
    print(f"max |im2col - F.conv2d| = {diff:.3g}")
    return 0
