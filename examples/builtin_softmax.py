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
# # "The architecture must make it easy to learn": softmax built in vs learned
#
# fast.ai 2018, lesson 3. From the notes: a shallow network *could* learn to output
# probabilities on its own, but putting the softmax into the architecture frees it to
# learn what matters. Here the same small network (64 pixels → 32 ReLU units → 10
# outputs), with the same initial weights, optimizer (SGD, momentum 0.9), mini-batches
# and number of steps, is trained on scikit-learn's 8×8 digits three ways:
#
# * **(a)** linear outputs → softmax → cross-entropy;
# * **(b)** linear outputs regressed straight onto the one-hot targets with MSE: the
#   outputs are asked to *be* the probabilities;
# * **(c)** a sigmoid per class with binary cross-entropy.
#
# It runs offline on a CPU in a few seconds.

# %%
import numpy as np
import matplotlib.pyplot as plt

from viz.core import builtin_softmax as B
from viz.figures import theme
from viz.figures.builtin_softmax import builtin_softmax_figure

# The figure's run: trained once on this machine, then read from the cache folder.
# `B.compare_heads(steps=300, record_every=5, seed=0)` trains the same afresh.
comp = B.cached_comparison()
for r in comp.runs:
    print(f"{r.label:32s} held-out accuracy {r.test_acc[-1]:.1%}, "
          f"mean |sum-1| {r.sum_gap[-1]:.2g}, outside [0,1] {r.outside[-1]:.0%}")
print(comp.conclusion())

# %%
with theme("light"):
    builtin_softmax_figure(comp)
plt.show()

# %% [markdown]
# ## What (b) must learn that (a) gets for free
# For (a), every output vector sums to 1 and lies in [0, 1] **whatever the weights are**:
# that is what the softmax does. (b) has to spend its training on getting there, and
# after 300 steps it still has not:

# %%
a, b = comp.run("softmax"), comp.run("mse")
digit = 2
print("shown digit:", comp.shown_labels[digit])
print("(a) outputs:", a.outputs[-1, digit].round(3), " sum", a.output_sums[-1, digit].round(6))
print("(b) outputs:", b.outputs[-1, digit].round(3), " sum", b.output_sums[-1, digit].round(3))

# %% [markdown]
# ## Exercises
# 1. Change the optimizer to Adam (`optimizer="adam", lr=0.003`). Does (b) still learn
#    more slowly? Are its outputs any closer to a distribution?
# 2. Make the network smaller (`hidden=8`) or train longer (`steps=1000`). What happens
#    to the gap between (a) and (b)?
# 3. Could you fix (b) by hand, e.g. dividing its outputs by their sum after training?
#    What goes wrong with negative outputs?

# %%
adam = B.compare_heads(heads=("softmax", "mse"), optimizer="adam", lr=0.003, steps=300, seed=0)
for r in adam.runs:
    print(f"Adam, {r.label:30s} accuracy {r.test_acc[-1]:.1%}, mean |sum-1| {r.sum_gap[-1]:.2g}")
