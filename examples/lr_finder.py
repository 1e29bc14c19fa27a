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
# # The learning-rate finder on your own model
#
# fast.ai 2018, lessons 1–2: `learn.lr_find()` then `learn.sched.plot()`. The learning rate
# grows a little every mini-batch, from 1e-5 to 10; the loss is recorded; the run stops when
# the loss explodes. You pick the learning rate where the loss is **still clearly falling**,
# not the minimum (that one is already too high).
#
# Here it runs on a small CNN and sklearn's bundled digits, on the CPU, in seconds. The model
# and optimizer are put back exactly as they were afterwards.

# %%
import copy

import matplotlib.pyplot as plt
import torch
from torch import nn

from viz.core.datasets import digits, small_cnn
from viz.core.lr_finder import lr_find, torch_threads

data = digits(seed=0)
train_loader, _ = data.loaders(batch_size=16, seed=0)
model = small_cnn(10, channels=(16, 32), seed=0)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
before = copy.deepcopy(model.state_dict())

with torch_threads(1):
    result = lr_find(model, optimizer, train_loader, nn.CrossEntropyLoss(), num_iter=500)
print(f"{len(result.lrs)} batches recorded; stopped because: {result.stop_reason} "
      f"(lr {result.stop_lr})")
for s in result.suggestions:
    print(f"{s.name:>8}: {s.lr:.2e}   {s.rule}")

# %% [markdown]
# Nothing changed behind your back: the weights are bit for bit what they were.

# %%
print(all(torch.equal(before[k], v) for k, v in model.state_dict().items()))

# %% [markdown]
# ## The plot
# Loss against learning rate on a log axis, the first 10 and last 5 points skipped as
# `sched.plot()` does. The shaded parts: where the learning rate is too small to move the
# loss, and where it is so big that training diverges.

# %%
from viz.figures import theme
from viz.figures.lr_finder import plot_loss, plot_lr, plot_lr_find

with theme("light"):
    ax = plot_lr_find(result)
plt.show()

# %% [markdown]
# `plot_lr` shows that the learning rate really grows exponentially (a straight line on a
# log axis); `plot_loss` shows the smoothed loss batch by batch.

# %%
with theme("light"):
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
    plot_lr(result, ax=a, log=True)
    plot_loss(result, ax=b)
plt.show()

# %% [markdown]
# ## Replay your own run
# The live explorer's LR-finder panel, as a widget fed with the `result` you just computed:
# drag the batch scrubber (or press replay) to watch the sweep batch by batch, the raw and
# smoothed loss and the stop bar (4 × the best loss); move `skip_start` / `skip_end` and the
# three suggestions are recomputed. (The `anywidget` package, part of the `notebooks` extra.)

# %%
from viz.widgets import LRFinderWidget

LRFinderWidget(result)

# %% [markdown]
# **Exercise 1.** Train the model for 5 epochs at the "steepest" suggestion, then at 100×
# that. What happens to the loss? (Use a fresh `small_cnn(10, channels=(16, 32), seed=0)` and
# `torch.optim.Adam(model.parameters(), lr=...)`.)
#
# **Exercise 2.** Run the finder with a batch size of 4 and of 64 (`data.loaders(batch_size=...)`):
# how does the curve change? Lesson 3's advice for tiny data sets was a batch size of 4–8,
# so that there are enough batches to draw a curve.
#
# **Exercise 3.** Try `mode="linear"`. Why does fastai sweep exponentially?

# %%
big_batches, _ = data.loaders(batch_size=64, seed=0)
model64 = small_cnn(10, channels=(16, 32), seed=0)
with torch_threads(1):
    r64 = lr_find(model64, torch.optim.Adam(model64.parameters(), lr=1e-3), big_batches,
                  nn.CrossEntropyLoss(), num_iter=200)
print("batch size 64:", r64.stop_reason, "after", len(r64.lrs), "batches")
