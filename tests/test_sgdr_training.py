"""A real small CNN trained under SGDR, and the SGDR ball on its 1-D landscape."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.core.schedules import sgdr
from viz.core.sgdr_landscape import Landscape, default_landscape, roll_ball, sgdr_ball
from viz.core.sgdr_training import SGDRRun, train_sgdr


@pytest.fixture(scope="module")
def run() -> SGDRRun:
    return train_sgdr(cache=False)   # frozen 1+2+4 epochs, then unfrozen 1+2+4 epochs (~2 s)


def test_optimizer_lrs_are_the_fastai_schedule(run):
    s = run.schedule
    assert run.lr.shape == s.lr.shape == (14 * s.iters_per_epoch, 3)
    np.testing.assert_allclose(run.lr, s.lr, rtol=1e-12)
    # spot checks against the formula, in the unfrozen fit: [lr/9, lr/3, lr] = [0.5/9, 0.5/3, 0.5]
    n1 = s.phases[1].start
    np.testing.assert_allclose(run.lr[n1], np.array([0.5 / 9, 0.5 / 3, 0.5]) / 100)   # warm-up
    np.testing.assert_allclose(run.lr[n1 + s.iters_per_epoch], [0.5 / 9, 0.5 / 3, 0.5])  # restart


def test_loss_is_finite_and_falls_within_every_cycle(run):
    assert np.all(np.isfinite(run.loss)) and np.all(run.loss > 0)
    for c, (first, second) in enumerate(run.cycle_mean_losses()):
        assert second < first, f"cycle {c + 1}: mean loss rose from {first:.3f} to {second:.3f}"


def test_restarts_make_the_loss_jump(run):
    """After at least one restart the next batches' loss is clearly above the last ones'."""
    jumps = [run.loss[a:a + 6].mean() - run.loss[a - 6:a].mean() for a in run.schedule.cycle_starts[1:]]
    assert max(jumps) > 0.2


def test_unfreezing_helps(run):
    e = run.schedule.phases[0].stop // run.iters_per_epoch     # epochs in the frozen fit
    assert run.val_acc.shape == run.val_loss.shape == (14,)
    assert run.val_acc[-1] > run.val_acc[e - 1]
    assert run.val_acc[-1] > 0.9
    assert run.pretrain_acc > 0.8


def test_same_seed_same_run_and_threads_restored():
    before = torch.get_num_threads()
    a = train_sgdr(n_cycles=1, unfreeze=False, pretrain_epochs=1, seed=3, cache=False)
    b = train_sgdr(n_cycles=1, unfreeze=False, pretrain_epochs=1, seed=3, cache=False)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.schedule.trainable[:, -1].all() and not a.schedule.trainable[:, :2].any()
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("kwargs, needle", [
    (dict(ratios=()), "layer groups must not be empty"),
    (dict(ratios=(3, 1)), "3 layer groups, got 2"),
    (dict(lr=-1.0), "-1.0"),
    (dict(cycle_mult=0.5), "cycle_mult must be >= 1, got 0.5"),
    (dict(n_cycles=0), "n_cycles must be an integer >= 1, got 0"),
    (dict(pretrain_epochs=-1), "pretrain_epochs must be an integer >= 0, got -1"),
])
def test_training_bad_input(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        train_sgdr(**kwargs)


def test_live_run_is_like_the_recorded_one(run, recorded):
    """Same plan and LRs exactly (arithmetic); losses and accuracies close, not equal."""
    ref = recorded("sgdr-digits")
    np.testing.assert_allclose(run.lr, ref.lr, rtol=1e-12)
    assert run.loss.shape == ref.loss.shape
    assert abs(run.val_acc[-1] - ref.val_acc[-1]) < 0.05
    assert abs(np.log(run.loss[-50:].mean() / ref.loss[-50:].mean())) < np.log(2)


# ---------------------------------------------------------------------------- the 1-D landscape
def test_landscape_gradient_matches_autograd(rng):
    land = default_landscape()
    xs = rng.uniform(-4, 4, 50)
    x = torch.tensor(xs, requires_grad=True)
    c, d, w = (torch.tensor(a) for a in (land.centers, land.depths, land.widths))
    f = land.bowl * (x - land.bowl_center) ** 2 - (d * torch.exp(-(x[:, None] - c) ** 2 / (2 * w ** 2))).sum(1)
    f.sum().backward()
    np.testing.assert_allclose(land.loss(xs), f.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(land.grad(xs), x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_ball_is_sgd_with_the_schedules_lr():
    r = sgdr_ball()
    assert r.x.shape == (141,) and r.lr.shape == (140,)
    np.testing.assert_array_equal(r.lr, sgdr(0.25, iters_per_epoch=20, n_cycles=3, cycle_mult=2).head)
    for i in (0, 20, 21, 77):
        expected = r.x[i] - r.lr[i] * (r.landscape.grad(r.x[i]) + r.noise[i])
        assert r.x[i + 1] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(r.loss, r.landscape.loss(r.x))
    p = r.path(substeps=4)
    np.testing.assert_allclose(p[::4], np.stack([r.x, r.loss], 1))


@pytest.mark.parametrize("seed", range(6))
def test_restarts_kick_the_ball_out_of_sharp_minima(seed):
    r = sgdr_ball(seed=seed)
    land = r.landscape
    assert land.stable(0.25).tolist() == [False, False, True]       # lr x f'' < 2 only in the wide one
    assert [land.well_at(r.x[i]) for i in r.cycle_ends] == [0, 1, 2]
    wells = r.wells()
    for a, _ in r.schedule.cycles()[1:]:                             # each restart: out within 8 steps
        assert (wells[a + 1:a + 9] != wells[a]).any()
    assert np.all(wells[-30:] == 2)                                  # and it stays in the wide one


def test_landscape_bad_input():
    with pytest.raises(ValueError, match="widths must be positive"):
        Landscape([0.0], [1.0], [0.0])
    with pytest.raises(ValueError, match="noise must be >= 0, got -1"):
        roll_ball(default_landscape(), [0.1], noise=-1)
    with pytest.raises(ValueError, match="-0.1"):
        roll_ball(default_landscape(), [0.1, -0.1])
