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
# # Otavio Good's visualization, hands on: draw a letter and watch every layer
#
# fast.ai 2018, lesson 3 (≈43:30). Otavio Good showed a letter flowing through a small
# trained CNN: 3×3 filters (green positive, red negative), ReLU removing the red,
# max-pooling halving the size, a second conv layer reading both channels, and finally
# each class's template dotted with the last maps, turned into percentages.
#
# Here the network is real and tiny: conv 1→2 channels, ReLU, pool, conv 2→4, ReLU,
# pool, dense. It is trained in seconds on letters and digits drawn with matplotlib's
# fonts, then read from your cache folder (`~/.cache/viz`, or `$VIZ_CACHE_DIR`).
#
# For the interactive view run Jupyter with an interactive matplotlib backend, e.g.
# `pip install ipympl` and `%matplotlib widget` in the first cell. Without one you still
# get the pictures, and can call the explorer's methods from code.

# %%
import numpy as np
import matplotlib.pyplot as plt

from viz.core.otavio import load_otavio, otavio_trace, sample_inputs, otavio_morph
from viz.figures import theme
from viz.figures.otavio import OtavioExplorer, otavio_filters_figure, otavio_stack_figure

net = load_otavio()
print(f"classes {''.join(net.classes)}; held-out accuracy {100 * net.test_accuracy:.1f}%",
      "(from the cache)" if net.from_cache else f"(trained in {net.train_seconds:.1f} s)")

# %% [markdown]
# ## One letter through the whole stack

# %%
samples = sample_inputs(net)
trace = otavio_trace(net, samples["A"])
with theme("light"):
    otavio_stack_figure(trace)
plt.show()

# %% [markdown]
# The first-layer filters were trained with a constraint: each sums to zero, so flat ink
# and flat background both give 0 and only edges light up, as in Otavio's animation.
# Check it, and see what every layer learned:

# %%
print("largest |sum| of a conv 1 kernel:", f"{np.abs(trace.kernels1.sum(axis=(1, 2))).max():.1e}")
with theme("light"):
    otavio_filters_figure(trace)
plt.show()

# %% [markdown]
# ## The explorer: choose a letter, turn it, or draw your own
#
# Click a letter on the right, move the "turn" slider, or drag the mouse over the input
# (right button erases; "clear" starts from black). Every layer and the percentages
# follow. The same actions exist as methods, which is how this cell drives it without a
# mouse: a "C" turned by 30°, then a hand-drawn stroke added to it.

# %%
with theme("light"):
    explorer = OtavioExplorer(net)
explorer.select("C").turn(30)
for col in np.linspace(4, 15, 12):            # a horizontal stroke across the middle
    explorer.paint(10, col)
print("the network now says", explorer.trace.prediction,
      f"({100 * explorer.trace.probs.max():.0f}%)")
plt.show()

# %% [markdown]
# ## Questions to try
# * Draw an "E" without its middle bar. Which classes compete, and which maps change?
# * How far can you turn a "4" before the network changes its mind?
# * The morph below blends two inputs pixel by pixel: where does the answer flip?

# %%
m = otavio_morph(net, samples["C"], samples["E"], steps=11)
for a, p, label in zip(m.alphas, m.probs, m.prediction):
    print(f"{a:4.2f}  {label}  {100 * p.max():5.1f}%")
