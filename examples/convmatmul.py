# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Convolutions and activations are matrix multiplications
#
# fast.ai 2018, lesson 3 (≈49:50–01:08:40). The central idea of the lesson: a neural network
# is matrix multiplications with a simple function in between. An **activation** is just a
# number, "calculated by taking some numbers from the input and applying some kind of linear
# operation": inputs times weights, added up.
#
# In this notebook you rebuild a convolution as one matrix product (im2col), see that a dense
# layer is one matmul, apply ReLU (`max(0, x)`), find out why two linear layers with nothing
# between them are just one, and watch a one-hidden-layer ReLU network fit a curve. Every
# step is checked against torch (`F.conv2d`, `F.linear`). Everything runs offline on a CPU in
# a few seconds.

# %%
import numpy as np
import torch
import torch.nn.functional as F

from viz.core import convmatmul as cm

np.set_printoptions(precision=3, suppress=True)


def conv_torch(x, w, **kw):
    """F.conv2d on numpy arrays: x (C, H, W), w (F, C, kh, kw) -> (F, oh, ow)."""
    return F.conv2d(torch.tensor(x)[None], torch.tensor(w), **kw)[0].numpy()


# %% [markdown]
# ## One activation: a window times a kernel, summed
#
# A conv layer, "in its entirety", is the **sum of the element-wise product** of a window of
# the input and a small grid of weights, the kernel (also called a filter). Slide the kernel
# one cell, do it again: that fills the output map, one activation per window.
#
# Here is a 5×5 input of small integers and a 3×3 kernel (the one from the classic
# convolution-arithmetic pictures). Take the window whose top-left corner is at row 1,
# column 1:

# %%
ex = cm.sliding_examples()
conv = ex["stride 1"]
x5, k = conv.input[0], conv.weight[0, 0]
window = x5[1:4, 1:4]
print("input:\n", x5)
print("kernel:\n", k)
print("window (rows 1-3, cols 1-3):\n", window)
print("window * kernel:\n", window * k)
print("sum =", (window * k).sum())

# %% [markdown]
# Do that for every window and you have the whole output. By hand, with two loops, and
# with torch's `F.conv2d` (which, like every deep-learning library, slides the kernel without
# flipping it):

# %%
out = np.zeros((3, 3))
for r in range(3):
    for c in range(3):
        out[r, c] = (x5[r:r + 3, c:c + 3] * k).sum()
print("loops:\n", out)
print("F.conv2d:\n", conv_torch(conv.input, conv.weight))
assert np.allclose(out, conv_torch(conv.input, conv.weight))

# %% [markdown]
# ## Padding, stride, dilation
#
# Three knobs change which windows there are:
#
# * **padding** adds a border of zeros, so windows can hang over the edge (padding 1 with a
#   3×3 kernel keeps the size: "same" convolution);
# * **stride** moves the kernel more than one cell at a time (stride 2 halves the size);
# * **dilation** spreads the kernel's taps apart (dilation 2: a 3×3 kernel covers 5×5).
#
# Per axis, the output size is `(in + 2·padding − dilation·(kernel − 1) − 1) // stride + 1`.
# The figure shows one window's products and sum, then the three settings in the
# conv-arithmetic style: input blue, padding grey, kernel taps dark, output cyan.

# %%
for name, cv in ex.items():
    shape = cm.conv_output_shape(cv.input.shape[1:], cv.kernel_shape, stride=cv.stride,
                                 padding=cv.padding, dilation=cv.dilation)
    t = conv_torch(cv.input, cv.weight, stride=cv.stride, padding=cv.padding, dilation=cv.dilation)
    print(f"{name:>20}: input {cv.input.shape[1:]} -> formula {shape}, F.conv2d {t.shape[1:]}")

# %%
import matplotlib.pyplot as plt

from viz.figures import convmatmul as CF
from viz.figures import theme

with theme("light"):
    fig = CF.kernel_sliding_figure(ex)
plt.show()

# %% [markdown]
# Try other sizes in the live explorer's convolution-arithmetic panel: set the input size,
# kernel, stride, padding and dilation, step the window through its positions, and read the
# output-size formula filled in. A kernel that does not fit says why.

# %%
from viz.widgets import ConvArithWidget

ConvArithWidget()

# %% [markdown]
# ## The whole convolution is one matrix product (im2col)
#
# Loops are slow. The trick GPUs use: copy every window into a **row** of a big *patch
# matrix* (this is called im2col, "image to columns"), and put every filter, flattened, into
# a **column** of a *weight matrix*. Then one matrix product computes every activation of
# every filter at once, and reshaping each column of the result gives back a feature map.
#
# Here a 5×5 input and **two** 3×3 filters: the patch matrix is 9×9 (9 windows, 9 numbers
# each), the weight matrix 9×2 (one column per filter), their product 9×2.

# %%
conv = cm.im2col_example()
print("filters:\n", conv.weight[:, 0])
print("patch matrix", conv.patches.shape, "(one row per window):\n", conv.patches)
print("weight matrix", conv.weight_matrix.shape, "(one column per filter):\n", conv.weight_matrix)
product = conv.patches @ conv.weight_matrix
print("product", product.shape, ":\n", product)

# %% [markdown]
# Column 1 of the product, reshaped to 3×3, is filter 1's feature map; column 2 is filter 2's.
# Compare with `F.conv2d`, and build the patch matrix yourself to see there is no magic in it.
# torch has im2col too: `F.unfold` returns the same patch matrix, transposed.

# %%
maps = product.T.reshape(2, 3, 3)
print("reshaped:\n", maps)
print("F.conv2d:\n", conv_torch(conv.input, conv.weight))
assert np.allclose(maps, conv_torch(conv.input, conv.weight))

x = conv.input[0]
mine = np.array([x[r:r + 3, c:c + 3].ravel() for r in range(3) for c in range(3)])
unfold = F.unfold(torch.tensor(conv.input)[None], kernel_size=3)[0].T.numpy()
print("my patch matrix == conv.patches:", np.array_equal(mine, conv.patches),
      "  == F.unfold(...).T:", np.array_equal(unfold, conv.patches))

# %% [markdown]
# The same in one picture. The coloured frames follow three windows: a window of the input
# is a row of the patch matrix, which makes one row of the product, which is one cell of each
# feature map.

# %%
with theme("light"):
    fig = CF.im2col_figure(conv)
plt.show()

# %% [markdown]
# **Exercise 1.** What shape is the patch matrix for a 28×28 input (an MNIST digit), a 3×3
# kernel, stride 2, padding 1? Work it out with the formula first: how many windows (rows),
# how many numbers per window (columns)? Then run the cell, which also checks it against
# torch's own im2col, `F.unfold`.

# %%
digit = np.random.default_rng(0).uniform(0, 1, (28, 28))
c28 = cm.conv2d_im2col(digit, np.ones((3, 3)), stride=2, padding=1)
u = F.unfold(torch.tensor(digit)[None, None], kernel_size=3, stride=2, padding=1)[0].T
print("output map:", c28.out_shape, "-> patch matrix", c28.patches.shape,
      "; F.unfold:", tuple(u.shape), "; same numbers:", np.allclose(u.numpy(), c28.patches))

# %% [markdown]
# `(28 + 2·1 − 3) // 2 + 1 = 14`, so 14×14 = **196 windows**, each with 3×3 = **9 numbers**:
# 196×9. With stride 1 it would be 28×28 = 784 rows: im2col trades memory (every input cell
# is copied up to 9 times) for one big, fast matrix product.

# %% [markdown]
# **Exercise 2.** Add a third filter. What changes in the weight matrix, in the patch matrix,
# in the product? Predict, then check.

# %%
third = np.array([[[[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]]]])  # a "left edge"
w3 = np.concatenate([conv.weight, third])
conv3 = cm.conv2d_im2col(conv.input, w3)
print("weights:", conv.weight_matrix.shape, "->", conv3.weight_matrix.shape)
print("patches unchanged:", np.array_equal(conv.patches, conv3.patches), conv3.patches.shape)
print("product:", conv.product.shape, "->", conv3.product.shape)
print("new column == F.conv2d with the new filter alone:",
      np.allclose(conv3.product[:, 2].reshape(3, 3), conv_torch(conv.input, third)[0]))

# %% [markdown]
# The weight matrix gains **one column** (9×2 → 9×3), the product one column, and you get a
# third feature map. The patch matrix doesn't change at all: the windows depend on the input
# and the kernel *size*, not on how many filters look at them. "Architecture" is exactly
# these choices: kernel sizes and the number of filters per layer.

# %% [markdown]
# ## Many channels: one 2×3×3 kernel
#
# In the conv-example spreadsheet, the first layer makes two feature maps (top edge, left
# edge). The second layer reads **both**: its kernel is "not two 3×3 kernels but one 2×3×3
# kernel". Each 3×3 slice meets its own channel, the two sums are added, and that is **one**
# activation. In im2col terms, a window is now 2×3×3 = 18 numbers long, so the patch matrix
# has 18 columns.
#
# Here is the spreadsheet's conv2 on a 6×6 crop of conv1's two channels:

# %%
conv = cm.two_channel_example()
print("input", conv.input.shape, " kernel", conv.weight.shape, "(filters, channels, h, w)")
print("patch matrix", conv.patches.shape, " weight matrix", conv.weight_matrix.shape)
sums = conv.channel_sums(0, filter=0)
print(f"first window: channel 1 gives {sums[0]:.4f}, channel 2 gives {sums[1]:.4f}, "
      f"together {sums.sum():.4f}")
print(f"F.conv2d at (0, 0): {conv_torch(conv.input, conv.weight)[0, 0, 0]:.4f}")
assert np.allclose(conv.output, conv_torch(conv.input, conv.weight))

# %%
with theme("light"):
    fig = CF.many_channels_figure(conv)
plt.show()

# %% [markdown]
# A colour picture works the same way: three channels (red, green, blue), so a first-layer
# kernel is 3×3×3 and each window is 27 numbers.

# %% [markdown]
# ## A dense layer is one matmul
#
# A fully connected (dense, linear) layer has one weight per input for every output. Each
# output is a row of `W` dotted with `x`: multiply element-wise, add up (the spreadsheet's
# `SUMPRODUCT`). All outputs at once: `y = W @ x`, which is what `F.linear(x, W)` computes.

# %%
dense = cm.dense_example()
W, xv = dense.weight, dense.x
print("x =", xv, "\nW =\n", W)
print("row 1 of W times x:", W[0] * xv, "-> sum", (W[0] * xv).sum().round(3))
print("W @ x      =", W @ xv)
print("F.linear   =", F.linear(torch.tensor(xv), torch.tensor(W)).numpy())
assert np.allclose(dense.output, F.linear(torch.tensor(xv), torch.tensor(W)).numpy())

# %%
with theme("light"):
    fig = CF.dense_layer_figure(dense)
plt.show()

# %% [markdown]
# And a convolution is itself a dense layer, just with a special weight matrix: mostly zeros,
# and the same 9 weights repeated in every row. Build that matrix for the 5×5 input and 3×3
# kernel from the start (25 inputs → 9 outputs) and `F.linear` gives `F.conv2d`'s output:

# %%
conv = ex["stride 1"]
big = np.zeros((9, 25))
for n in range(9):
    for (r, c), w in zip(conv.window(n), conv.weight[0, 0].ravel()):
        big[n, r * 5 + c] = w
print(big.astype(int))
as_dense = F.linear(torch.tensor(conv.input[0].ravel()), torch.tensor(big)).numpy()
print("F.linear == F.conv2d:",
      np.allclose(as_dense.reshape(3, 3), conv_torch(conv.input, conv.weight)[0]))

# %% [markdown]
# ## ReLU: max(0, x)
#
# Between the matrix products sits an **activation function**, which maps one number to one
# number. ReLU, "in its entirety", is `max(0, x)`: negatives become 0, positives pass through
# unchanged. Here it is on a crop of the spreadsheet's top-edge map before its ReLU:

# %%
r = cm.relu_example()
print("before (rows 2-6, columns 0-4):\n", r.pre[2:7, :5])
print("after:\n", r.post[2:7, :5])
print(f"{int(r.zeroed.sum())} of {r.pre.size} cells were negative and are now 0")
assert np.array_equal(r.post, F.relu(torch.tensor(r.pre)).numpy())

# %%
with theme("light"):
    fig = CF.relu_figure(r)
plt.show()

# %% [markdown]
# ## Why we need the ReLU: linear layers collapse
#
# Stack two linear layers with nothing between them: `W2 @ (W1 @ x)`. Matrix products are
# associative, so that is `(W2 @ W1) @ x`, **one** matrix. "If you stack a bunch of linear
# layers together, all you end up with is a linear layer." Put a ReLU between them and that is
# no longer true. Below, a square grid of points goes through both; the dashed lines are what
# the single matrix `W2·W1` does.

# %%
from viz.core.convmatmul_nonlin import stack_two_layers

stack = stack_two_layers()
print("W1 =\n", stack.w1, "\nW2 =\n", stack.w2, "\nW2 @ W1 =\n", stack.w21)
print(f"two layers vs one matrix, max difference:    {stack.linear_gap:.1e}")
print(f"with a ReLU between them, max difference:     {stack.relu_gap:.2f}")

with theme("light"):
    fig = CF.why_nonlinear_figure(stack)
plt.show()

# %% [markdown]
# **Exercise 3.** Check the collapse with real torch layers, biases included. Two
# `nn.Linear` layers in a row: which single `nn.Linear(4, 2)` does the same? (Hint:
# `W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)`.) And with `nn.ReLU()` between them?

# %%
from torch import nn

torch.manual_seed(0)
two = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)).double()
one = nn.Linear(4, 2).double()
with torch.no_grad():
    one.weight.copy_(two[1].weight @ two[0].weight)
    one.bias.copy_(two[1].weight @ two[0].bias + two[1].bias)
xs = torch.randn(5, 4, dtype=torch.float64)
with_relu = nn.Sequential(two[0], nn.ReLU(), two[1])
print("two linear layers == one:", torch.allclose(two(xs), one(xs)))
print("with a ReLU between:      ", torch.allclose(with_relu(xs), one(xs)),
      f"(max difference {(with_relu(xs) - one(xs)).abs().max().item():.3f})")

# %% [markdown]
# ## One hidden ReLU layer can approximate any function
#
# `Linear(1, 12) → ReLU → Linear(12, 1)`: each hidden unit computes `relu(w1·x + b1)`, a
# "hockey stick" that is flat on one side of its kink at `x = −b1/w1`. The output layer
# scales each stick by `w2` and adds them up. Twelve sticks make a curve with up to twelve
# bends, and training moves the bends to where the target needs them. With enough hidden units
# a shallow network can approximate any (continuous) function this way.
#
# Train it with torch, full batch, on a sine with a bump (about a second):

# %%
from viz.core.convmatmul_nonlin import train_shallow_relu

fit = train_shallow_relu(n_hidden=12, n_steps=1200, seed=0)
for s in range(0, len(fit.steps), 3):
    print(f"step {fit.steps[s]:5d}: loss {fit.loss[s]:.5f}")
pieces_sum = fit.pieces[-1].sum(axis=0) + fit.b2[-1]
print("sum of the 12 pieces + b2 == torch's output:", np.allclose(pieces_sum, fit.fit[-1]))
print("bends (-b1/w1) after training:", np.sort(fit.kinks[-1]).round(2))

# %% [markdown]
# Top row: the twelve pieces before training, early on and at the end. Bottom row: their sum
# against the target. Right: the loss, and the pieces added one by one until they are the fit.

# %%
with theme("light"):
    fig = CF.shallow_approx_figure(fit)
plt.show()

# %% [markdown]
# **Exercise 4.** Remove the ReLU from the shallow network. What can it still fit? Predict
# first (hint: Exercise 3), then train `Linear(1, 12) → Linear(12, 1)` the same way and compare
# with the best straight line through the data (`np.polyfit(x, y, 1)`).

# %%
xt = torch.tensor(fit.x)[:, None]
yt = torch.tensor(fit.target)[:, None]
torch.manual_seed(0)
linear_net = nn.Sequential(nn.Linear(1, 12), nn.Linear(12, 1)).double()
opt = torch.optim.Adam(linear_net.parameters(), lr=0.02)
for _ in range(1200):
    loss = F.mse_loss(linear_net(xt), yt)
    opt.zero_grad()
    loss.backward()
    opt.step()
slope, icpt = np.polyfit(fit.x, fit.target, 1)
line_loss = np.mean((slope * fit.x + icpt - fit.target) ** 2)
print(f"no ReLU, 12 hidden units: loss {F.mse_loss(linear_net(xt), yt).item():.5f}")
print(f"best straight line:       loss {line_loss:.5f}")
print(f"with ReLU (above):        loss {fit.loss[-1]:.5f}")

with theme("light"):
    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    ax.plot(fit.x, fit.target, color="0.55", lw=5, alpha=0.6, label="target")
    ax.plot(fit.x, linear_net(xt).detach().numpy()[:, 0], lw=2, label="no ReLU: a straight line")
    ax.plot(fit.x, fit.fit[-1], lw=2, ls="--", label="with ReLU")
    ax.set_xlabel("x")
    ax.legend(fontsize=9)
plt.show()

# %% [markdown]
# Without the ReLU the twelve hidden units collapse into one matrix: the network is
# `y = a·x + b`, and the best it can ever do is the straight line (same loss as `polyfit`).
# It can only fit targets that are themselves straight lines.

# %% [markdown]
# **Exercise 5.** How many hidden units does this target need? Train with 2, 4, 12 and 32
# units. How many bends can a fit with `n` units have at most?

# %%
for n in (2, 4, 12, 32):
    f = train_shallow_relu(n_hidden=n, n_steps=1200, snapshots=(0, 1200), seed=0)
    print(f"{n:3d} hidden units: loss {f.loss[-1]:.5f}")

# %% [markdown]
# At most `n` bends, one per hidden unit (kinks that fall outside [−1, 1] are wasted). Two
# units can't follow a sine *and* a bump; a dozen already fit it closely; more units give
# more bends and a smaller loss, the "approximate any function" in practice.
#
# **More to try.** From a shell: `viz im2col --input-size 28 28 --kernel-size 3 --stride 2
# --padding 1` prints the shapes and checks them against `F.conv2d`; `viz figures im2col
# many-channels shallow-approx --out figs` writes the slides; `viz render` animates each step.
