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
# # Architectures compared
#
# fast.ai 2018, lesson 1: "various architectures". A handful of small CNNs, trained the
# same way (same 12×12 digits, same Adam learning rate, epochs, seed and mini-batches):
# deeper, wider, without max-pooling, with batch norm. For each: parameters, held-out
# accuracy, CPU training time and `learn.summary()`. Runs offline in a few seconds.
# The training time is measured on *your* machine: it will differ from anyone else's.

# %%
import matplotlib.pyplot as plt

from viz.core import architectures as A
from viz.figures import theme
from viz.figures.architectures import architectures_figure

# The figures' run (8 epochs): trained once on this machine, then read from the cache
# folder. `A.compare_architectures(epochs=4, seed=0)` trains afresh with your settings.
comp = A.cached_comparison()
for a in comp.archs:
    print(f"{a.name:10s} {a.params:7,} params  {a.test_acc:6.1%}  {a.train_seconds:5.2f} s  ({a.description})")
print(comp.conclusion())

# %%
print(comp.arch("base + BN").summary)          # learn.summary(), via torchinfo

# %%
with theme("light"):
    architectures_figure(comp)
plt.show()

# %% [markdown]
# ## Exercises
# 1. Train for more epochs (`epochs=8` is what the gallery figure uses, try 12). Which models catch up, which do not?
# 2. Why does "no pool" do badly with the same parameters as "base"? (Look at its output
#    shapes in the summary: what does the global average pool see?)
# 3. Build your own model, e.g. "deep" with batch norm, and train it the same way with
#    `A.train_arch(name, data, model=..., ...)`:

# %%
import torch
from torch import nn

from viz.core.datasets import digits

torch.manual_seed(0)
mine = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
data = digits(size=comp.image_size, seed=comp.seed)
r = A.train_arch("deep + BN", data, model=mine, description="mine", epochs=comp.epochs,
                 batch_size=comp.batch_size, lr=comp.lr, seed=comp.seed)
print(f"{r.name}: {r.params:,} params, {r.test_acc:.1%} held-out, {r.train_seconds:.2f} s")
