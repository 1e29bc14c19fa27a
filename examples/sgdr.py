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
# # SGDR: what `learn.fit(lr, 3, cycle_len=1, cycle_mult=2)` does, batch by batch
#
# fast.ai 2018, lessons 1–3. fastai 0.7 changes the learning rate **every mini-batch**:
# `lr/100` for the first 1/20 of the first cycle, then `lr/2 * (1 + cos(pi * t / T))`,
# back to the full `lr` at each restart, and each cycle `cycle_mult` times longer than the
# last. This notebook computes that schedule, checks it against torch's own
# `CosineAnnealingWarmRestarts`, trains a small CNN under it, and shows why restarts help.
# Everything runs offline on a CPU in well under a minute.

# %%
import numpy as np
import matplotlib.pyplot as plt

from viz.core import schedules as S
from viz.figures import theme
from viz.figures import schedules as F

s = S.sgdr(0.2, iters_per_epoch=100, n_cycles=3, cycle_len=1, cycle_mult=2)
print(S.epoch_arithmetic(3, 1, 2), "epochs,", s.n_iter, "mini-batches")
print("batches 1-6:", s.head[:6].round(5), " batch 101:", s.head[100])

# %% [markdown]
# Try other cycles: how many epochs do `fit(lr, 4, cycle_len=2, cycle_mult=2)` or
# `cycle_mult=3` take? (`S.sum_geom(a, r, n)` is fastai's own formula.)

# %%
for n, a, r in [(3, 1, 2), (4, 2, 2), (3, 1, 3), (5, 1, 1)]:
    print(f"fit(lr, {n}, cycle_len={a}, cycle_mult={r}):", S.epoch_arithmetic(n, a, r))

# %% [markdown]
# Without the warm-up, fastai's SGDR *is* torch's `CosineAnnealingWarmRestarts`
# (`T_0` = one cycle in batches, `eta_min=0`):

# %%
plain = S.sgdr(0.2, iters_per_epoch=100, n_cycles=3, cycle_mult=2, warmup=False)
torch_ = S.cosine_restarts(0.2, n_iter=700, T_0=100, T_mult=2)
print("largest difference:", np.abs(plain.lr - torch_.lr).max())

with theme("light"):
    F.sgdr_wave_figure(s)
    F.schedules_grid(S.compare_schedules(0.2, iters_per_epoch=100))
plt.show()

# %% [markdown]
# ## Drag the knobs yourself
# The live explorer's schedule panel: change lr, the number of cycles, `cycle_len`,
# `cycle_mult`, the iterations per epoch and the warm-up, and the wave redraws with its
# epoch arithmetic; switch to triangular, triangular2, one-cycle or step on the same budget.
# The page's formulas are tested against `S.sgdr` and torch's schedulers.

# %%
from viz.widgets import SGDRWidget

SGDRWidget(0.2, n_cycles=3, cycle_len=1, cycle_mult=2, iters_per_epoch=100)

# %% [markdown]
# ## A real run: frozen, then unfrozen with `[lr/9, lr/3, lr]`
# A small CNN, "pretrained" on the digits 0–4, gets a new head for all ten digits.
# First only the head trains; then every layer group, at a third and a ninth of the LR.

# %%
from viz.core.sgdr_training import train_sgdr

run = train_sgdr(0.5)
print("validation accuracy after each epoch:", run.val_acc.round(3))
with theme("light"):
    F.sgdr_loss_figure(run)
plt.show()

# %% [markdown]
# ## Why restarts: a ball rolling under SGDR
# Gradient descent at learning rate `lr` is stable in a minimum of curvature `f''` only if
# `lr * f'' < 2`. At the peak LR a sharp minimum throws the ball out; a wide one keeps it.
# Change `lr` below: too small and the ball stays in the first sharp minimum.

# %%
from viz.core.sgdr_landscape import sgdr_ball

for lr in (0.05, 0.25):
    ball = sgdr_ball(lr)
    print(f"lr={lr}: wells at the end of each cycle:",
          [ball.landscape.well_at(ball.x[i]) for i in ball.cycle_ends])
with theme("light"):
    F.ball_figure(sgdr_ball(0.25))
plt.show()
