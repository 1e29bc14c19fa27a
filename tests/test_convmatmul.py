"""Convolutions and dense layers as matrix products: core against torch, figures, CLI."""
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viz.core import convmatmul as cm
from viz.core import convmatmul_nonlin as nl

# Derandomized: the same few hundred cases on every run and machine (no example database).
FAST = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- conv vs torch
@st.composite
def conv_cases(draw):
    """A valid convolution: shapes, stride, padding, dilation, channels, filters, bias."""
    c_in, n_f = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    # the smallest input the dilated kernel fits (with padding), plus some
    h = max(1, dh * (kh - 1) + 1 - 2 * ph) + draw(st.integers(0, 5))
    w = max(1, dw * (kw - 1) + 1 - 2 * pw) + draw(st.integers(0, 5))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return dict(c_in=c_in, n_f=n_f, k=(kh, kw), stride=(sh, sw), padding=(ph, pw),
                dilation=(dh, dw), hw=(h, w), bias=bias, seed=seed)


@settings(FAST, max_examples=600)
@given(conv_cases())
def test_im2col_equals_conv2d(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(case["c_in"], *case["hw"]))
    w = rng.normal(size=(case["n_f"], case["c_in"], *case["k"]))
    b = rng.normal(size=case["n_f"]) if case["bias"] else None
    conv = cm.conv2d_im2col(x, w, b, stride=case["stride"], padding=case["padding"],
                            dilation=case["dilation"])
    ref = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w),
                   None if b is None else torch.from_numpy(b), stride=case["stride"],
                   padding=case["padding"], dilation=case["dilation"])[0].numpy()
    assert conv.output.shape == ref.shape
    np.testing.assert_allclose(conv.output, ref, rtol=1e-10, atol=1e-10)
    # the matrix shapes the lesson names
    n_patches = ref.shape[1] * ref.shape[2]
    assert conv.patches.shape == (n_patches, case["c_in"] * case["k"][0] * case["k"][1])
    assert conv.weight_matrix.shape == (conv.patches.shape[1], case["n_f"])
    # one window's products summed (plus bias) = that output cell
    n = int(rng.integers(n_patches))
    row, col = conv.position(n)
    f = int(rng.integers(case["n_f"]))
    np.testing.assert_allclose(conv.window_products(n, f).sum() + conv.bias[f],
                               ref[f, row, col], atol=1e-10)
    np.testing.assert_allclose(conv.channel_maps(f).sum(0) + conv.bias[f], ref[f], atol=1e-10)


@settings(FAST, max_examples=500)
@given(st.integers(1, 12), st.integers(1, 12), st.one_of(st.none(), st.integers(1, 5)),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_dense_layer_equals_linear(n_in, n_out, batch, bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_in,) if batch is None else (batch, n_in))
    w = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out) if bias else None
    d = cm.dense_layer(x, w, b)
    ref = F.linear(torch.from_numpy(x), torch.from_numpy(w),
                   None if b is None else torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(d.output, ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(d.products.sum(-1) + d.bias, ref, atol=1e-10)


def test_patch_rows_are_the_windows_in_row_major_order():
    x = np.arange(16.0).reshape(4, 4)
    conv = cm.conv2d_im2col(x, np.ones((2, 2)), stride=2)
    np.testing.assert_array_equal(conv.patches, [[0, 1, 4, 5], [2, 3, 6, 7],
                                                 [8, 9, 12, 13], [10, 11, 14, 15]])
    np.testing.assert_array_equal(conv.output[0], [[10, 18], [42, 50]])
    with pytest.raises(ValueError):
        conv.patches[0, 0] = 1.0     # results are read-only


def test_padding_and_dilation_windows():
    conv = cm.conv2d_im2col(np.ones((3, 3)), np.ones((2, 2)), padding=1, dilation=2)
    assert conv.padded.shape == (1, 5, 5) and conv.out_shape == (3, 3)
    assert conv.padding_mask.sum() == 25 - 9
    np.testing.assert_array_equal(conv.window(4), [[1, 1], [1, 3], [3, 1], [3, 3]])


@pytest.mark.parametrize("x_shape, w_shape, kw, needle", [
    ((1, 3, 3), (1, 1, 5, 5), {}, r"kernel 5x5 is larger than the padded input 3x3"),
    ((1, 3, 3), (1, 1, 3, 3), {"dilation": 2}, r"reach 5x5\) is larger than the padded input 3x3"),
    ((1, 3, 3), (1, 1, 5, 5), {"padding": 1}, r"padded input 5x5"),   # fits with padding
    ((1, 5, 5), (1, 1, 3, 3), {"stride": 0}, r"stride must be positive, got 0x0"),
    ((1, 5, 5), (1, 1, 3, 3), {"stride": (1, -1)}, r"stride must be positive, got 1x-1"),
    ((1, 5, 5), (1, 1, 3, 3), {"dilation": 0}, r"dilation must be positive"),
    ((1, 5, 5), (1, 1, 3, 3), {"padding": -1}, r"padding must not be negative"),
    ((3, 5, 5), (2, 2, 3, 3), {}, r"input \(3, 5, 5\) has 3 channels but kernel \(2, 2, 3, 3\) expects 2"),
])
def test_bad_shapes_raise_value_error_naming_them(x_shape, w_shape, kw, needle):
    if "padded input 5x5" in needle:
        assert cm.conv2d_im2col(np.ones(x_shape), np.ones(w_shape), **kw).out_shape == (1, 1)
        return
    with pytest.raises(ValueError, match=needle):
        cm.conv2d_im2col(np.ones(x_shape), np.ones(w_shape), **kw)


def test_dense_shape_mismatch():
    with pytest.raises(ValueError, match=r"input \(3,\) does not match weight \(2, 4\)"):
        cm.dense_layer(np.ones(3), np.ones((2, 4)))


# ----------------------------------------------------------------------------- lesson examples
def test_examples_match_torch_and_the_spreadsheet():
    from viz.core.spreadsheet import trace_conv_example

    for conv in [*cm.sliding_examples().values(), cm.im2col_example(), cm.two_channel_example()]:
        np.testing.assert_allclose(conv.output, cm.conv2d_torch(conv), atol=1e-12)
    t = trace_conv_example()
    r, c = cm.CHANNEL_CROP
    two = cm.two_channel_example()
    np.testing.assert_allclose(two.output, t.conv2_pre[:, r:r + 4, c:c + 4], atol=1e-12)
    n = 5
    row, col = two.position(n)
    np.testing.assert_allclose(two.channel_sums(n).sum(), two.output[0, row, col])
    rr = cm.relu_example()
    r, c = cm.RELU_CROP
    np.testing.assert_array_equal(rr.pre, t.conv1_pre[0, r:r + 8, c:c + 8])
    np.testing.assert_array_equal(rr.post, torch.relu(torch.tensor(rr.pre)).numpy())
    np.testing.assert_array_equal(rr.post, t.conv1[0, r:r + 8, c:c + 8])
    assert rr.zeroed.any() and (rr.post > 0).any()
    # conv-arithmetic's geometry: 5x5 with padding 1 stays 5x5, stride 2 gives 3x3, ...
    shapes = {k: v.out_shape for k, v in cm.sliding_examples().items()}
    assert shapes == {"stride 1": (3, 3), "padding 1": (5, 5), "stride 2, padding 1": (3, 3),
                      "dilation 2": (3, 3)}


def test_two_linear_layers_are_one_matrix_but_not_with_relu():
    s = nl.stack_two_layers()
    assert s.linear_gap < 1e-12 and s.relu_gap > 0.5
    net = torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False), torch.nn.ReLU(),
                              torch.nn.Linear(2, 2, bias=False)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(s.w1))
        net[2].weight.copy_(torch.tensor(s.w2))
        ref = net(torch.tensor(s.lines.reshape(-1, 2))).numpy().reshape(s.lines.shape)
    np.testing.assert_allclose(s.out_relu, ref, atol=1e-12)
    np.testing.assert_allclose(s.w21, s.w2 @ s.w1)
    with pytest.raises(ValueError, match="2x2"):
        nl.stack_two_layers(np.eye(3))


def test_shallow_relu_pieces_sum_to_the_fit_and_training_helps(recorded):
    fit = nl.train_shallow_relu(cache=False)          # live: invariants and thresholds
    np.testing.assert_allclose(fit.pieces.sum(1) + fit.b2[:, None], fit.fit, atol=1e-10)
    np.testing.assert_allclose(fit.partial_sums(-1)[-1], fit.fit[-1], atol=1e-10)
    order = fit.summation_order(-1)
    assert sorted(order) == list(range(fit.pieces.shape[1]))
    gentle = fit.partial_sums(-1, order)
    np.testing.assert_allclose(gentle[-1], fit.fit[-1], atol=1e-10)
    assert np.ptp(gentle) <= np.ptp(fit.partial_sums(-1)) + 1e-12
    assert fit.steps[0] == 0 and fit.steps[-1] == 1200
    assert fit.loss[-1] < 0.01 < 0.5 < fit.loss[0]
    np.testing.assert_allclose(fit.loss, fit.loss_curve[fit.steps])
    mse = np.mean((fit.fit[-1] - fit.target) ** 2)
    np.testing.assert_allclose(mse, fit.loss[-1], rtol=1e-9)
    ref = recorded("shallow-relu")                    # recorded elsewhere: close, not equal
    np.testing.assert_array_equal(fit.steps, ref.steps)
    np.testing.assert_allclose(fit.fit[-1], ref.fit[-1], atol=0.05)


def test_shallow_relu_is_deterministic_and_leaves_torch_rng_alone():
    state = torch.random.get_rng_state()
    a = nl.train_shallow_relu(n_hidden=5, n_steps=30, snapshots=(0, 10, 30), seed=3, cache=False)
    b = nl.train_shallow_relu(n_hidden=5, n_steps=30, snapshots=(0, 10, 30), seed=3, cache=False)
    assert torch.equal(state, torch.random.get_rng_state())
    np.testing.assert_array_equal(a.fit, b.fit)
    seen = []
    nl.train_shallow_relu(n_hidden=3, n_steps=4, snapshots=(0, 4), on_step=lambda s, l: seen.append(s))
    assert seen == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="snapshots"):
        nl.train_shallow_relu(n_steps=5, snapshots=(0, 9))


# ----------------------------------------------------------------------------- figures
def test_im2col_figure_shows_the_result_object():
    from viz.figures.convmatmul import im2col_figure

    conv = cm.im2col_example()
    fig = im2col_figure(conv)
    arrays = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    for expected in (conv.patches, conv.weight_matrix, conv.product, *conv.output):
        assert any(a.shape == expected.shape and np.array_equal(a, expected) for a in arrays)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_catalog_figure_draws(theme, recorded, monkeypatch):
    import matplotlib.figure

    from viz.catalog import convmatmul as cat
    from viz.figures import theme as theme_ctx

    fit = recorded("shallow-relu")                    # the trained figure: no training here
    monkeypatch.setattr(nl, "train_shallow_relu", lambda **kw: fit)

    assert len(cat.FIGURES) == len(cat.SCENES) == 7
    with theme_ctx(theme):
        for e in cat.FIGURES:
            if theme == "dark" and e.name not in ("im2col", "why-nonlinear"):
                continue   # every figure once (light); two in dark to check the theme
            fig = e.load()()
            assert isinstance(fig, matplotlib.figure.Figure) and fig.axes, e.name


def test_shallow_figure_reads_back_the_fit():
    from viz.figures.convmatmul import shallow_approx_figure

    fit = nl.train_shallow_relu(n_hidden=4, n_steps=40, snapshots=(0, 20, 40), cache=False)
    fig = shallow_approx_figure(fit)
    line = fig.axes[6].lines[1]   # bottom row, third panel (step 40): sum of pieces + b2
    np.testing.assert_allclose(line.get_ydata(), fit.fit[-1], atol=1e-10)


# ----------------------------------------------------------------------------- CLI
def test_cli_im2col_prints_shapes(capsys):
    from viz.cli import main

    assert main(["im2col", "--input-size", "4", "6", "--kernel-size", "3", "--stride", "2",
                 "--padding", "1", "--in-channels", "2", "--filters", "3"]) == 0
    out = capsys.readouterr().out
    assert "patch matrix   6x18" in out and "weight matrix  18x3" in out
    assert "output 3x2x3" in out and "F.conv2d| = 0" in out


@pytest.mark.parametrize("args, needle", [
    (["--input-size", "3", "3", "--kernel-size", "5"], "kernel 5x5 is larger than the padded input 3x3"),
    (["--stride", "0"], "stride must be positive"),
    (["--dilation", "0"], "dilation must be positive"),
    (["--in-channels", "3", "--kernel-channels", "2"], "channel mismatch"),
    (["--kernel-size", "1", "2", "3"], "--kernel-size takes one or two numbers"),
])
def test_cli_im2col_bad_input_exits_2_with_one_line(capsys, args, needle):
    from viz.cli import main

    assert main(["im2col", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_cli_im2col_subprocess_exit_code():
    r = subprocess.run([sys.executable, "-m", "viz", "im2col", "--input-size", "2", "2"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
