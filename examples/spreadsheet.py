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
# # The conv-example spreadsheet, in torch
#
# fast.ai 2018, lesson 3 (≈49:50). Jeremy opens `conv-example.xlsx`: a 28×28 handwritten
# "7", two 3×3 filters, `=MAX(0, SUM(patch*kernel))` in every cell, a second layer whose
# filters read *both* channels, max-pooling and one dense activation, 258.74.
#
# Here the same sheet is a small torch model carrying the sheet's own numbers. Run each
# cell, read the output, then try the exercises. Everything runs offline on a CPU.

# %%
import numpy as np
import torch
import torch.nn.functional as F

from viz.core.spreadsheet import (conv1_step, conv_example_model, load_conv_example,
                                  trace_conv_example, trace_conv_example_numpy)

params = load_conv_example()
trace = trace_conv_example(params)
print(conv_example_model(params))
print("dense activation:", trace.dense)

# %% [markdown]
# ## One activation is a sum of products
#
# An *activation* is one number computed from some inputs times some weights. Take the
# top-edge filter over the patch at row 8, column 4 of the digit:

# %%
step = conv1_step(trace, channel=0, row=8, col=4)
print("patch:\n", step.patch.round(2))
print("kernel:\n", step.kernel.round(3))
print("products:\n", step.products.round(3))
print(f"SUM = {step.total:.4f}   ReLU: MAX(0, SUM) = {step.relu:.4f}")
assert np.isclose(step.relu, trace.conv1[0, 8, 4])

# %% [markdown]
# **Exercise 1.** Which cell of `trace.conv1[0]` is the largest? Look at the patch behind it
# with `conv1_step`: why does the *top-edge* filter like it? (Hint: rows with ink above rows
# without.)

# %%
r, c = np.unravel_index(trace.conv1[0].argmax(), trace.conv1[0].shape)
print("largest top-edge response at", (r, c), "=", trace.conv1[0, r, c].round(3))

# %% [markdown]
# ## The whole layer is one call
#
# `F.conv2d` does every sum of products at once. The second layer's filter is one
# **2×3×3** tensor: it reads both channels of conv1 and adds them up.

# %%
x = torch.tensor(params.input)[None, None]
conv1 = F.relu(F.conv2d(x, torch.tensor(params.conv1)[:, None]))
conv2 = F.relu(F.conv2d(conv1, torch.tensor(params.conv2)))
pool = F.max_pool2d(conv2, 2)
dense = (pool[0] * torch.tensor(params.dense)).sum()
print(conv1.shape, conv2.shape, pool.shape, float(dense))
print("second layer kernel shape:", tuple(params.conv2.shape), "(out, in, h, w)")

# %% [markdown]
# The same numbers come out of plain Python loops, cell by cell, exactly as the
# spreadsheet computes them:

# %%
by_hand = trace_conv_example_numpy(params)
print("largest difference, loops vs torch:", np.abs(by_hand.pool - trace.pool).max())

# %% [markdown]
# ## See it
# The figure draws every layer as a heatmap of its numbers (zoom into the SVG from
# `viz figures conv-example --format svg` to read every cell).

# %%
import matplotlib.pyplot as plt

from viz.figures import theme
from viz.figures.spreadsheet import conv_example_figure

with theme("light"):
    fig = conv_example_figure(trace, figsize=(16, 6.2), annotate=False)
plt.show()

# %% [markdown]
# **Exercise 2.** Swap the two first-layer filters for a *bottom-edge* and a *right-edge*
# filter (multiply them by −1). What happens to conv1, and to the dense activation?

# %%
flipped = params.replace(conv1=-params.conv1)
print("dense with flipped filters:", trace_conv_example(flipped).dense)

# %% [markdown]
# **Exercise 3.** Make your own workbook with live formulas, open it in LibreOffice or
# Excel and change a kernel cell: every layer recalculates.
#
# ```bash
# viz spreadsheet --xlsx my-sheet.xlsx --image my-digit.png --kernels my-filters.json
# ```
