"""LR schedules: fastai 0.7 SGDR at hand-computed batches, torch's schedulers, bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.core import schedules as S


@pytest.fixture(scope="module")
def planet():
    """fit(0.2, 3, cycle_len=1, cycle_mult=2) at 100 batches/epoch, lrs [lr/9, lr/3, lr]."""
    return S.sgdr(S.differential_lrs(0.2), iters_per_epoch=100, n_cycles=3, cycle_len=1, cycle_mult=2)


def half_cos(lr, t, T):
    return lr / 2 * (1 + math.cos(math.pi * t / T))


def test_fastai_values_at_hand_computed_batches(planet):
    lr = planet.head                      # batch b (1-based) is lr[b - 1]
    np.testing.assert_array_equal(lr[0:5], 0.002)                      # batches 1-5: lr/100
    assert lr[5] == pytest.approx(0.19876883405951377, rel=1e-12)       # batch 6: cos resumes at 5/100
    assert lr[5] == pytest.approx(half_cos(0.2, 5, 100), rel=1e-12)
    assert lr[99] == pytest.approx(half_cos(0.2, 99, 100), rel=1e-12)   # last batch of cycle 1
    assert lr[99] == pytest.approx(4.934e-5, rel=1e-3)
    assert lr[100] == 0.2 and lr[300] == 0.2                           # batches 101, 301: restarts
    assert lr[299] == pytest.approx(half_cos(0.2, 199, 200), rel=1e-12)
    assert lr[299] == pytest.approx(1.2337e-5, rel=1e-3)
    assert lr[699] == pytest.approx(half_cos(0.2, 399, 400), rel=1e-12)
    assert lr[699] == pytest.approx(3.084e-6, rel=1e-3)
    assert lr[150] == pytest.approx(half_cos(0.2, 50, 200), rel=1e-12)
    assert planet.n_iter == 700 and planet.n_epochs == 7
    np.testing.assert_array_equal(planet.cycle_starts, [0, 100, 300])
    assert planet.cycles() == [(0, 100), (100, 300), (300, 700)]


def test_warmup_is_ceil_nb_over_20():
    s = S.sgdr(1.0, iters_per_epoch=110, n_cycles=1)               # nb/20 = 5.5 -> 6 batches
    assert np.sum(s.head == 0.01) == 6
    assert s.head[6] == pytest.approx(half_cos(1.0, 6, 110))


def test_differential_lrs_keep_their_ratios(planet):
    np.testing.assert_allclose(S.differential_lrs(0.2), [0.2 / 9, 0.2 / 3, 0.2])
    np.testing.assert_allclose(planet.lr[:, 0] * 9, planet.lr[:, 2], rtol=1e-12)
    np.testing.assert_allclose(planet.lr[:, 1] * 3, planet.lr[:, 2], rtol=1e-12)
    assert planet.group_names == S.GROUP_NAMES


@pytest.mark.parametrize("nb, n, a, r", [(100, 3, 1, 2), (50, 4, 1, 1), (40, 3, 2, 2), (30, 2, 1, 3)])
def test_fastai_equals_cosine_annealing_warm_restarts(nb, n, a, r):
    """Without fastai's warm-up (and eta_min = 0) the two are the same formula."""
    ours = S.sgdr(0.2, iters_per_epoch=nb, n_cycles=n, cycle_len=a, cycle_mult=r, warmup=False)
    torch_ = S.cosine_restarts(0.2, n_iter=ours.n_iter, T_0=nb * a, T_mult=r, iters_per_epoch=nb)
    np.testing.assert_allclose(ours.lr, torch_.lr, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ours.cycle_starts, torch_.cycle_starts)
    # with the warm-up, they agree from the first batch after it (cycle_iter counted it)
    fast = S.sgdr(0.2, iters_per_epoch=nb, n_cycles=n, cycle_len=a, cycle_mult=r)
    w = math.ceil(nb * a / 20)
    np.testing.assert_allclose(fast.lr[w:], torch_.lr[w:], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(fast.lr[:w], 0.002)


@settings(max_examples=25, deadline=None)
@given(nb=st.integers(1, 40), n=st.integers(1, 4), a=st.integers(1, 3), r=st.integers(1, 3),
       lr=st.floats(1e-4, 3.0))
def test_fastai_equals_cawr_for_any_cycles(nb, n, a, r, lr):
    ours = S.sgdr(lr, iters_per_epoch=nb, n_cycles=n, cycle_len=a, cycle_mult=r, warmup=False)
    torch_ = S.cosine_restarts(lr, n_iter=ours.n_iter, T_0=nb * a, T_mult=r)
    np.testing.assert_allclose(ours.lr, torch_.lr, rtol=1e-10, atol=1e-15)
    assert ours.n_epochs == S.sum_geom(a, r, n)


def test_lambdalr_replays_the_fastai_schedule(planet):
    via_torch = S.sgdr_torch(S.differential_lrs(0.2), iters_per_epoch=100, n_cycles=3, cycle_mult=2)
    np.testing.assert_allclose(via_torch.lr, planet.lr, rtol=1e-12)


@pytest.mark.parametrize("mode, gamma", [("triangular", 1.0), ("triangular2", 1.0), ("exp_range", 0.999)])
def test_cyclic_lr_matches_smiths_formula(mode, gamma):
    s = S.cyclic(0.001, 0.006, n_iter=1000, step_size=100, mode=mode, gamma=gamma)
    ref = S.smith_triangular(np.arange(1000), 0.001, 0.006, 100, mode=mode, gamma=gamma)
    np.testing.assert_allclose(s.head, ref, rtol=1e-9)
    np.testing.assert_array_equal(s.cycle_starts, [0, 200, 400, 600, 800])


def test_one_cycle_step_and_constant():
    oc = S.one_cycle(0.2, n_iter=100, pct_start=0.3)
    assert oc.head[0] == pytest.approx(0.2 / 25)
    assert int(np.argmax(oc.head)) == 29 and oc.head.max() == pytest.approx(0.2)
    assert oc.head[-1] == pytest.approx(0.2 / 25 / 1e4)
    st_ = S.step_decay(0.2, n_iter=90, step_size=30, gamma=0.1)
    np.testing.assert_allclose(st_.head, 0.2 * 0.1 ** (np.arange(90) // 30))
    np.testing.assert_array_equal(S.constant([0.1, 0.3], n_iter=7).lr, [[0.1, 0.3]] * 7)


def test_compare_schedules_share_one_budget():
    all_ = S.compare_schedules(0.2, iters_per_epoch=20)
    assert [s.name for s in all_] == ["sgdr", "cosine_restarts", "triangular", "triangular2",
                                      "exp_range", "one_cycle", "step", "constant"]
    assert {s.n_iter for s in all_} == {140}
    assert all(s.head.max() <= 0.2 + 1e-12 for s in all_)


@pytest.mark.parametrize("n, a, r, epochs, text", [
    (3, 1, 2, 7, "1 + 2 + 4 = 7"),
    (3, 1, 1, 3, "1 + 1 + 1 = 3"),
    (2, 2, 1, 4, "2 + 2 = 4"),
    (4, 1, 2, 15, "1 + 2 + 4 + 8 = 15"),
    (3, 2, 2, 14, "2 + 4 + 8 = 14"),
    (3, 1, 3, 13, "1 + 3 + 9 = 13"),
    (1, 5, 2, 5, "5 = 5"),
])
def test_total_epochs(n, a, r, epochs, text):
    assert S.sum_geom(a, r, n) == epochs
    assert S.epoch_arithmetic(n, a, r) == text
    assert sum(S.cycle_epochs(n, a, r)) == epochs
    s = S.sgdr(0.1, iters_per_epoch=10, n_cycles=n, cycle_len=a, cycle_mult=r)
    assert s.n_iter == 10 * epochs and len(s.cycle_starts) == n


def test_fractional_mult_runs_fastais_ceil():
    """sum_geom rounds up: 1 + 1.5 + 2.25 = 4.75 -> 5 epochs, the rest of a 4th cycle."""
    assert S.sum_geom(1, 1.5, 3) == 5
    s = S.sgdr(0.1, iters_per_epoch=100, n_cycles=3, cycle_mult=1.5)
    assert s.n_iter == 500
    np.testing.assert_array_equal(s.cycle_starts, [0, 100, 250, 475])


@pytest.mark.parametrize("kwargs, needle", [
    (dict(cycle_mult=0.5), "cycle_mult must be >= 1, got 0.5"),
    (dict(cycle_len=0), "cycle_len must be > 0 epochs, got 0"),
    (dict(cycle_len=-1), "got -1"),
    (dict(n_cycles=0), "n_cycles must be an integer >= 1, got 0"),
    (dict(n_cycles=-2), "got -2"),
    (dict(lr=-0.1), "got -0.1"),
    (dict(lr=[]), "layer groups must not be empty"),
    (dict(lr=[0.1, float("nan")]), "nan"),
    (dict(iters_per_epoch=0), "iters_per_epoch must be an integer >= 1, got 0"),
    (dict(cycle_len=0.33), "whole number of iterations"),
])
def test_bad_input_names_the_value(kwargs, needle):
    args = dict(lr=0.1, iters_per_epoch=10, n_cycles=3, cycle_len=1, cycle_mult=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace("+", r"\+")):
        S.sgdr(args.pop("lr"), **args)


def test_bad_input_elsewhere():
    with pytest.raises(ValueError, match=r"layer groups must not be empty"):
        S.differential_lrs(0.1, ratios=())
    with pytest.raises(ValueError, match="-0.5"):
        S.differential_lrs(-0.5)
    with pytest.raises(ValueError, match="cycle_mult must be >= 1, got 0.9"):
        S.sum_geom(1, 0.9, 3)
    with pytest.raises(ValueError, match="'sawtooth'"):
        S.cyclic(0.1, 0.2, n_iter=10, step_size=2, mode="sawtooth")
    with pytest.raises(ValueError, match="T_mult must be an integer >= 1, got 0"):
        S.cosine_restarts(0.1, n_iter=10, T_0=5, T_mult=0)
    with pytest.raises(ValueError, match="-1"):
        S.constant(-1, n_iter=3)


def test_freeze_unfreeze_plan():
    s = S.freeze_unfreeze(0.2, iters_per_epoch=10)
    assert [(p.name, p.start, p.stop) for p in s.phases] == [("frozen", 0, 70), ("unfrozen", 70, 140)]
    assert not s.trainable[:70, :2].any() and s.trainable[:70, 2].all() and s.trainable[70:].all()
    np.testing.assert_allclose(s.lr[:70, 0], s.lr[:70, 2])            # fit(lr): one LR broadcast
    np.testing.assert_allclose(s.lr[70:, 0] * 9, s.lr[70:, 2])        # fit([lr/9, lr/3, lr])
    np.testing.assert_array_equal(s.cycle_starts, [0, 10, 30, 70, 80, 100])
    with pytest.raises(ValueError):
        s.lr[0, 0] = 1.0                                               # results are read-only


def test_progressive_resizing_recipe():
    steps = S.progressive_resizing()
    assert steps[0].stage == "lr_find" and steps[0].size == 64
    fits = steps[1:]
    assert [(s.size, s.stage) for s in fits] == [(64, "frozen"), (64, "unfrozen"), (128, "frozen"),
                                                 (128, "unfrozen"), (256, "frozen"), (256, "unfrozen")]
    assert all(s.stop - s.start == 7 for s in fits)
    assert all(a.stop == b.start for a, b in zip(fits, fits[1:]))
    assert fits[-1].notebook_f2 == 0.9355
    with pytest.raises(ValueError, match="0"):
        S.progressive_resizing((64, 0))
