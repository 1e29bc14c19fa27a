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
# # "How does data augmentation work if it's the same image?"
#
# fast.ai 2018, lessons 1–3. When you call
# `tfms_from_model(resnet34, sz, aug_tfms=transforms_side_on, max_zoom=1.1)`, every
# training picture goes through a few *random* transforms each time the model sees it.
# The file on disk never changes, and neither does its label, but the pixels the model
# gets are new every epoch. This notebook rebuilds fastai 0.7's transforms in numpy,
# looks at what they do to one picture, then uses the same transforms at *test* time
# (TTA), and ends with `learn.summary()` for a small model.
#
# Everything runs offline on a CPU in well under a minute.

# %%
import numpy as np
import torch
import matplotlib.pyplot as plt

from viz.core import augment as A
from viz.figures import theme
from viz.figures.augment import augmentation_figure, dihedral_figure, tta_figure

torch.set_num_threads(1)   # tiny models: one thread is fastest
photo = A.sample_image("china.jpg", size=128)   # ships with scikit-learn
photo.shape

# %% [markdown]
# ## One transform at a time
#
# fastai's `transforms_basic` is `[RandomRotate(10), RandomLighting(0.05, 0.05)]`.
# `RandomLighting` draws a brightness `b` and a contrast `c`, then computes
#
#     x' = clip((x - mean(x)) * c + mean(x) + b, 0, 1)
#
# Check the formula on three numbers by hand: mean 0.4, `b = 0.1`, `c = 2`.

# %%
x = np.array([0.2, 0.4, 0.6])
A.lighting(x, b=0.1, c=2.0)      # (x - 0.4) * 2 + 0.4 + 0.1 = [0.1, 0.5, 0.9]

# %% [markdown]
# The contrast is drawn as `c_raw ~ U(-0.05, 0.05)` and turned into a factor with
# `1 + c_raw` (stretch) or `1 / (1 - c_raw)` (squeeze), so +0.05 and −0.05 undo each
# other:

# %%
A.contrast_factor(0.05), A.contrast_factor(-0.05), A.contrast_factor(0.05) * A.contrast_factor(-0.05)

# %% [markdown]
# `RandomRotate(10)` turns the picture by up to ±10°, three times out of four, and fills
# the corners by *reflecting* the picture (`cv2.BORDER_REFLECT`) rather than with black,
# so the model never learns that "black corners" mean anything.

# %%
with theme("light"):
    fig, axes = plt.subplots(1, 3, figsize=(9, 3), layout="constrained")
    for ax, deg in zip(axes, [0, 10, 45]):
        ax.imshow(A.rotate(A.center_crop(photo, 128), deg))
        ax.set_title(f"rotate {deg}°")
        ax.axis("off")

# %% [markdown]
# ## Side-on versus top-down
#
# `transforms_side_on` adds `RandomFlip` (a mirror image of a temple is still a temple).
# `transforms_top_down` adds `RandomDihedral` instead: any of the 8 symmetries of a square.
# That is right for satellite pictures (the Planet competition), which have no "up".

# %%
with theme("light"):
    dihedral_figure(A.dihedral_set(A.center_crop(photo, 128)));

# %% [markdown]
# Now the whole training pipeline, `RandomScale` (zoom up to `max_zoom`) → rotate →
# lighting → flip or dihedral → `RandomCrop(sz)`, applied 8 times to the same picture.
# Every view keeps the label; the title says what fraction of the pixels changed.

# %%
side = A.augment_image(photo, label="temple", sz=96, aug_tfms="side_on", n=8, seed=1)
top = A.augment_image(A.sample_image("flower.jpg", size=128), label="flower", sz=96,
                      aug_tfms="top_down", n=8, seed=2)
with theme("light"):
    augmentation_figure(side, top);
print("fraction of pixels changed:", side.changed.round(3))
print("random draws of view 0:", side.steps[0])

# %% [markdown]
# **Exercise 1.** Run `A.augment_image(photo, sz=96, n=8, seed=1)` twice: are the views
# identical? Now change the seed. Why do the tests of this toolkit pass a `seed`
# everywhere?
#
# **Exercise 2.** With `max_zoom=None` and `aug_tfms=[]` the training pipeline does nothing
# random. What fraction of pixels changes then? (Try it: `A.augment_image(photo, sz=96,
# aug_tfms=[], max_zoom=None).changed`.)

# %%
A.augment_image(photo, sz=96, aug_tfms=[], max_zoom=None, n=2).changed

# %% [markdown]
# ## Test-time augmentation (TTA)
#
# `learn.TTA()` predicts the validation set once as it is and 4 more times through the
# training transforms; lesson 1 then averages the probabilities:
# `probs = np.mean(np.exp(log_preds), 0)`. Here a small CNN learns scikit-learn's digits
# (12×12) with augmentation for a few seconds. Digits get `transforms_basic` only: a
# mirrored 7 is not a 7.

# %%
res, model = A.digits_tta(epochs=10, seed=0)
print("accuracy of each pass:", (100 * res.accuracy).round(1), "%")
print(f"TTA average: {100 * res.tta_accuracy:.1f} %")
print("test digits whose prediction the average changed:", len(res.changed_minds()))

# %%
with theme("light"):
    tta_figure(res, n_examples=3);

# %% [markdown]
# **Exercise 3.** Call `A.tta(model, x, y, n_aug=8)` on the test digits
# (`from viz.core.datasets import digits; d = digits(size=12)`). Does averaging more
# augmented passes help further?
#
# **Exercise 4.** Train with `aug_tfms="top_down"` (digits turned and mirrored). What happens
# to the accuracy, and why?

# %%
from viz.core.datasets import digits

d = digits(size=12)
more = A.tta(model, d.x_test, d.y_test, n_aug=8, seed=1)
print(f"n_aug=8: {100 * more.tta_accuracy:.1f} %  (original {100 * more.accuracy[0]:.1f} %)")

# %% [markdown]
# ## `learn.summary()`
#
# fastai's `learn.summary()` lists every layer with its output shape and number of
# parameters. `summarize` does the same for any torch model (with `torchinfo`). Count the
# parameters by hand first: the first conv has 16 filters of 1×3×3 plus 16 biases = 160.

# %%
from viz.core.summary import summarize
from viz.figures.summary import architecture_figure

s = summarize(model, (1, 1, 12, 12))
print(s)

# %% [markdown]
# Each weight is a matrix: a conv layer's `out × in × 3 × 3` filters act as an
# `out × (in·3·3)` matrix on every flattened 3×3 patch. The figure draws the trained
# weights that way.

# %%
with theme("light"):
    architecture_figure(s);

# %% [markdown]
# **Exercise 5.** What does `summarize(model, (1, 3, 12, 12))` say, and why? (The model was
# built for one input channel.)

# %%
try:
    summarize(model, (1, 3, 12, 12))
except ValueError as e:
    print(e)
