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
# # Softmax picks one, sigmoids don't: single-label vs multi-label, and F-beta
#
# fast.ai 2018, lessons 2–3. Jeremy opens `entropy_example.xlsx`: five classes (cat, dog,
# plane, fish, building), a column of random outputs, `EXP`, then `exp/SUM(exp)`. That is
# softmax, and softmax "wants to pick one thing". Good for "which of these is it?", wrong for
# Planet, where one satellite tile can be *haze* **and** *primary* **and** *water*. There every
# output gets its own sigmoid, and the score is F2 with a threshold near 0.2.
#
# This notebook recomputes the sheet in torch, shows why softmax competes and sigmoids
# don't, trains a small CNN on generated satellite-like tiles with both heads, and scores them
# with F-beta. Everything runs offline on a CPU in well under a minute.

# %%
import numpy as np
import torch
import torch.nn.functional as F

from viz.core import softmax as sm

np.set_printoptions(precision=4, suppress=True)
sheet = sm.entropy_sheet()
print(f"{'class':>9} {'output':>8} {'exp':>9} {'softmax':>8} {'sigmoid':>8} {'actual':>6}")
for row in zip(sheet.classes, sheet.output, sheet.exp, sheet.softmax, sheet.sigmoid, sheet.actuals):
    print("{:>9} {:8.3f} {:9.3f} {:8.4f} {:8.4f} {:6.0f}".format(*row))
print(f"{'sum':>9} {'':8} {sheet.exp_sum:9.3f} {sheet.softmax.sum():8.4f} {sheet.sigmoid.sum():8.4f}")

# %% [markdown]
# ## Softmax is `exp`, then divide by the sum
#
# Two steps, each with a job:
#
# * `exp` makes every output positive and **accentuates the differences**: an output one
#   larger becomes e ≈ 2.7 times larger, one 5 larger becomes ≈ 150 times larger.
# * dividing by the sum makes the values lie between 0 and 1 and **add up to 1**, so they
#   *compete*: one can only grow if the others shrink.
#
# The sheet's formula by hand is exactly `torch.softmax`:

# %%
x = sheet.output
by_hand = np.exp(x) / np.exp(x).sum()
print("exp/SUM(exp):  ", by_hand.round(4))
print("torch.softmax: ", torch.softmax(torch.tensor(x), 0).numpy().round(4))
print("sigmoid = exp/(1+exp):", (np.exp(x) / (1 + np.exp(x))).round(4),
      " sums to", round(sheet.sigmoid.sum(), 3))
print("plane vs fish: outputs differ by", round(x[2] - x[3], 2),
      "-> exp ratio", round(np.exp(x[2]) / np.exp(x[3]), 1))

# %% [markdown]
# ## Cross-entropy, and the sheet's `LOG`
#
# The picture is a dog (one-hot actuals). Cross-entropy is `−Σ actual · log(softmax)`: with a
# one-hot target, minus the log of the probability given to the dog.
#
# Careful: Excel's `LOG` is **base 10** (`LOG(0.5)` = −0.301), while torch's losses use the
# **natural log** (`ln 0.5` = −0.693). They differ by a constant factor ln 10 ≈ 2.303: the same
# curve, rescaled, so training finds the same minimum either way. The numbers you see in the
# sheet are the base-10 ones.

# %%
dog = sheet.true_class
print("F.cross_entropy (ln):       ", F.cross_entropy(torch.tensor(x)[None], torch.tensor([dog])).item())
print("-ln softmax[dog]:           ", -np.log(sheet.softmax[dog]))
print("-LOG softmax[dog], base 10: ", -np.log10(sheet.softmax[dog]), "= the ln value / 2.303")

# The "entropy" sheet: binary cross-entropy  -y*LOG(p) - (1-y)*LOG(1-p)
print("\nisCat  Preds  sheet (log10)  torch (ln)")
for y, p, b10, bln in zip(sheet.is_cat, sheet.preds, sheet.bce_log10, sheet.bce_ln):
    print(f"{y:5.0f} {p:6.2f} {b10:13.4f} {bln:11.4f}")
print("F.binary_cross_entropy, mean:", F.binary_cross_entropy(
    torch.tensor(sheet.preds), torch.tensor(sheet.is_cat)).item(), "= mean of the ln column")

# %% [markdown]
# The whole sheet in one slide: the softmax sheet as a table and as bars, and the binary
# cross-entropy curves in both bases.

# %%
import matplotlib.pyplot as plt

from viz.figures import theme
from viz.figures import softmax as SF

with theme("light"):
    fig = SF.entropy_sheet_figure(sheet)
plt.show()

# %% [markdown]
# ## Softmax "wants to pick one"
#
# Feed the same outputs (logits) through softmax and through five independent sigmoids, and
# raise the dog's logit step by step. The dog's softmax bar grows and **every other softmax bar
# shrinks**, because they share one denominator. The sigmoids of the other classes don't move:
# each looks at its own output only.

# %%
sweep = sm.rising_logit(index=1, stop=7.0)
for step in (0, 20, 40):
    print(f"dog logit {sweep.values[step]:5.2f}  softmax {sweep.softmax[step].round(3)}"
          f"  sigmoid {sweep.sigmoid[step].round(3)}")

with theme("light"):
    fig = SF.softmax_vs_sigmoid_figure(sweep)
plt.show()

# %% [markdown]
# **Exercise 1.** Raise the dog logit by 2 (from −2.16 to −0.16). What happens to the other
# softmax outputs? And to the other sigmoids? Predict first, then run the cell. (Hint: every
# other softmax output is divided by the same new sum, so they all shrink by the *same factor*.)

# %%
bumped = x.copy()
bumped[dog] += 2
before, after = sm.softmax(x), sm.softmax(bumped)
print("softmax before:", before.round(4))
print("softmax after: ", after.round(4))
print("after / before:", (after / before).round(4), "  e² =", round(np.exp(2), 4))
print("sigmoid change:", (sm.sigmoid(bumped) - sm.sigmoid(x)).round(4))

# %% [markdown]
# `exp` multiplied the dog's term by e² ≈ 7.39, and *every* term, the dog's included, was divided
# by the same bigger sum: cat, plane, fish and building shrank by one common factor (and the
# dog grew by e² times that factor). Here it is only 0.99 because the plane
# (0.98) dominates the sum; raise the dog by 6 instead and the plane loses its lead. The dog's
# sigmoid jumped from 0.10 to 0.46; the other four sigmoids did not move at all.

# %% [markdown]
# **Exercise 2.** Add 10 to *every* logit. Softmax doesn't change at all (the common factor
# `e¹⁰` cancels in `exp/SUM(exp)`), but every sigmoid goes to nearly 1. And what does softmax
# with base 2 instead of e do? `2ˣ = e^(x·ln 2)`: the same as multiplying the logits by
# 0.69, a linear rescale the last layer can learn, which is why nobody bothers.

# %%
print("softmax(x + 10) == softmax(x):", np.allclose(sm.softmax(x + 10), sm.softmax(x)))
print("sigmoid(x + 10):", sm.sigmoid(x + 10).round(4))
base2 = 2.0 ** x / (2.0 ** x).sum()
print("base-2 softmax == softmax(x * ln 2):", np.allclose(base2, sm.softmax(x * np.log(2))))

# %% [markdown]
# ## Two labels true
#
# The sheet's last column says the picture shows a plane **and** a fish. Fit five free logits
# to that target by gradient descent: once through softmax + cross-entropy, once through
# sigmoids + binary cross-entropy. Softmax's outputs add up to 1, so the best it can do is
# **0.5 each**; the sigmoids take both to nearly 1.

# %%
fit = sm.fit_two_labels(steps=120)
print("target: ", fit.targets)
print("softmax:", fit.softmax_probs[-1].round(3), " loss", fit.softmax_loss[-1].round(3),
      "(its floor is 2·ln 2 =", round(2 * np.log(2), 3), ")")
print("sigmoid:", fit.sigmoid_probs[-1].round(3), " loss", fit.sigmoid_loss[-1].round(3))

with theme("light"):
    fig = SF.two_labels_figure(fit)
plt.show()

# %% [markdown]
# Now move the logits yourself: the widget below is the live explorer's softmax panel, starting
# from the sheet's outputs. Drag one logit up and watch the other softmax bars shrink while
# the sigmoids stay; turn on "two labels are true" to see softmax stuck at 0.5 each. Its
# cross-entropy and binary cross-entropy use the natural log, as torch does.

# %%
from viz.widgets import SoftmaxWidget

SoftmaxWidget(sheet.output)

# %% [markdown]
# **Exercise 3.** Make three labels true (`targets=[0, 1, 1, 1, 0]`). What is softmax's best
# now? Run more steps (`steps=500`): does it ever get past it?

# %%
fit3 = sm.fit_two_labels([0, 1, 1, 1, 0], steps=500)
print("softmax, three true:", fit3.softmax_probs[-1].round(3))
print("sigmoid, three true:", fit3.sigmoid_probs[-1].round(3))

# %% [markdown]
# ## Multi-label for real: satellite-like tiles
#
# Planet's images are not in this notebook (no download), so `viz.core.tiles` paints
# stand-ins from a seed: forest texture, fields, rivers and lakes, roads, roofs, haze, cloud.
# Each tile has *any subset* of eight tags, and the labels are n-hot rows, like fastai's
# `FloatTensor 64×17` for Planet.

# %%
from viz.core.tiles import tile_split

split = tile_split(1000, 300, seed=0)      # 1000 training tiles, 300 held out; 24×24 px
print(split.train.images.shape, split.train.labels.shape, split.tags)
for i in range(4):
    print(i, split.train.labels[i].astype(int), split.train.tag_names(i))
print("tags per tile, held out:", np.bincount(split.test.labels.sum(1).astype(int)))

with theme("light"):
    fig = SF.tiles_figure(split.train)
plt.show()

# %% [markdown]
# ### One network, two heads
#
# The same small CNN (three conv–batchnorm–ReLU–maxpool blocks, then one linear layer to one
# logit per tag), trained twice from the same initial weights:
#
# * **sigmoid + binary cross-entropy**: what fastai does when the labels are multi-label
#   (`is_multi=True`);
# * **softmax + cross-entropy** against the n-hot row divided by its sum: the wrong tool. The
#   tags compete, so a tile with three true tags can give each at most 1/3.
#
# A small, fast configuration (10 epochs, a few seconds on one CPU core); `viz tiles` trains
# the full one (2000 tiles, 15 epochs).

# %%
from viz.core.multilabel import compare_heads

heads = compare_heads(split, epochs=10, seed=0)
for r in (heads.sigmoid, heads.softmax):
    print(f"{r.head:>8}: training loss {r.train_loss[0]:.3f} -> {r.train_loss[-1]:.3f}, "
          f"held-out planet F2 {r.f2:.3f} (threshold {r.threshold:.2f})")

i = int(np.flatnonzero(split.test.labels.sum(1) == 3)[0])
print("\nheld-out tile", i, "true tags:", split.test.tag_names(i))
for tag, ps, pm in zip(split.tags, heads.sigmoid.probs[i], heads.softmax.probs[i]):
    print(f"{tag:>12}  sigmoid {ps:.2f}   softmax {pm:.2f}")

# %% [markdown]
# The sigmoid head says "yes" to each true tag on its own; the softmax head spreads one unit
# of probability over them. Shaded rows are the true tags:

# %%
with theme("light"):
    fig = SF.predictions_figure(heads)
plt.show()

# %% [markdown]
# ## F-beta: how Planet was scored
#
# Predict a tag when its probability is above a threshold, then per tile:
# precision = TP / (TP + FP) ("of the tags I said, how many were right"), recall =
# TP / (TP + FN) ("of the true tags, how many did I say"). F-beta is their **weighted harmonic
# mean**:
#
# `1/F = 1/(1+β²) · 1/P + β²/(1+β²) · 1/R`, i.e. `F = (1+β²)·P·R / (β²·P + R)`.
#
# β = 1 weighs them equally (F1); β = 2 counts recall 4× as much: missing a true tag (a false
# negative) hurts more than adding a wrong one. Kaggle's Planet used F2, averaged per tile
# (sklearn's `average='samples'`).

# %%
from sklearn.metrics import fbeta_score

y = np.array([[1, 1, 0, 0], [0, 1, 1, 1]])
pred = np.array([[1, 1, 1, 0], [0, 1, 0, 0]])
print("sklearn fbeta_score: ", fbeta_score(y, pred, beta=2, average="samples"))
print("harmonic mean by hand:", sm.fbeta_by_hand(y, pred, 2.0))
for p, r in [(0.5, 1.0), (1.0, 0.5)]:
    print(f"P={p}, R={r}:  F1={float(sm.fbeta_from_pr(p, r, 1)):.3f}  F2={float(sm.fbeta_from_pr(p, r, 2)):.3f}")

with theme("light"):
    fig = SF.iso_f_figure((1, 2, 3))
plt.show()

# %% [markdown]
# ### The planet trick: thresholds 0.17–0.23
#
# fastai's `planet.py` doesn't fix the threshold: `f2` returns the best F2 over 0.17, 0.18, …,
# 0.23, chosen on the set it scores (so it is a little optimistic). Because F2 cares about
# recall, the best threshold is *low*: say "yes" to a tag even at 20 % confidence.

# %%
from viz.core.softmax import PLANET_THRESHOLDS, planet_f2

probs, y_test = heads.sigmoid.probs, heads.sigmoid.y_true
for th in PLANET_THRESHOLDS:
    print(f"threshold {th:.2f}: F2 {sm.fbeta(y_test, (probs > th).astype(int), 2.0):.4f}")
print("planet_f2 ->", planet_f2(y_test, probs))
print("F2 at threshold 0.5:", round(sm.fbeta(y_test, (probs > 0.5).astype(int), 2.0), 4))

with theme("light"):
    fig = SF.fbeta_figure(heads)
plt.show()

# %% [markdown]
# **Exercise 4.** Score the sigmoid head with F1 instead of F2 (`sm.fbeta_vs_threshold(...,
# beta=1)`): where is the best threshold now, and why does it move up? Then try β = 3.

# %%
for beta in (1, 2, 3):
    curve = sm.fbeta_vs_threshold(y_test, probs, beta=beta)
    print(f"F{beta}: best threshold {curve.best_threshold:.2f}, score {curve.best_score:.4f}")

# %% [markdown]
# **Exercise 5.** The softmax head's own best threshold (the × on its curve above) is far below
# the planet range: its probabilities are squashed, since a tile's tags share one unit. Find it
# and its F2. Why is a threshold of 0.05 a fragile fix? (Hint: a tile with one true tag gives it
# ~1, a tile with four gives each ~0.25; and the threshold is chosen on the very tiles scored.)

# %%
soft = heads.softmax.curve
print(f"softmax head: best threshold {soft.best_threshold:.2f}, F2 {soft.best_score:.4f}; "
      f"in the planet range {heads.softmax.f2:.4f}")

# %% [markdown]
# **More to try.** From a shell: `viz tiles --epochs 15` trains the full configuration;
# `viz tiles --tags haze,water,road` keeps only three tag columns; `viz fbeta --precision 0.5
# --recall 1 --beta 2` checks a hand computation; `viz figures entropy-sheet two-labels
# --out figs` writes the slides.
