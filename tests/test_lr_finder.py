"""The LR range test: sweep, smoothing and stop rule against fastai 0.7's formulas,
suggestions on curves with known answers, exact restore, bad input, a real run."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn

from viz.core import lr_finder as lf


# ---------------------------------------------------------------------------- helpers
def _batches(n, seed=0, bs=4):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(bs, 3, generator=g), torch.randint(0, 2, (bs,), generator=g)) for _ in range(n)]


def _model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Dropout(0.2), nn.Linear(5, 2))


class Scripted:
    """A loss function that returns scripted values (graph kept so backward works) and
    records every group's lr at the moment the loss is computed."""

    def __init__(self, values, optimizer, raise_at=None, exc=RuntimeError):
        self.values, self.opt, self.raise_at, self.exc = list(values), optimizer, raise_at, exc
        self.seen = []

    def __call__(self, out, y):
        i = len(self.seen)
        self.seen.append([g["lr"] for g in self.opt.param_groups])
        if self.raise_at is not None and i == self.raise_at:
            raise self.exc("boom")
        return out.sum() * 0 + self.values[i]


def fastai_stop(smoothed, factor=4.0, guard=10):
    """fastai 0.7 LR_Finder.on_batch_end, transcribed: index of the stopping batch or None."""
    best = 1e9
    for iteration, loss in enumerate(smoothed):   # iteration = batches recorded so far
        if math.isnan(loss) or loss > best * factor:
            return iteration
        if loss < best and iteration > guard:
            best = loss
    return None


def _state(model, opt):
    return (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()),
            [None if p.grad is None else p.grad.clone() for p in model.parameters()],
            [m.training for m in model.modules()])


def _assert_same_state(a, b):
    for k in a[0]:
        assert torch.equal(a[0][k], b[0][k]), k
    assert a[1]["param_groups"] == b[1]["param_groups"]
    assert a[1]["state"].keys() == b[1]["state"].keys()
    for k, st in a[1]["state"].items():
        for name, v in st.items():
            w = b[1]["state"][k][name]
            assert torch.equal(v, w) if torch.is_tensor(v) else v == w, (k, name)
    for ga, gb in zip(a[2], b[2]):
        assert (ga is None and gb is None) or torch.equal(ga, gb)
    assert a[3] == b[3]


# ---------------------------------------------------------------------------- the sweep
def test_exponential_schedule_hand_computed():
    np.testing.assert_allclose(lf.lr_schedule(1e-3, 10, 4), [1e-3, 1e-2, 1e-1, 1], rtol=1e-12)
    # fastai's lesson-1 example: 360 batches, mult = 1e6**(1/360) = 1.03912
    r = lf.lr_schedule(1e-5, 10, 360)
    assert r[1] / r[0] == pytest.approx(1.03912, abs=1e-5)
    assert r[296] == pytest.approx(0.86, abs=0.01)   # where the lesson-1 run stopped


def test_exponential_schedule_matches_torch_exponential_lr():
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1e-5)
    n = 50
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(10 / 1e-5) ** (1 / n))
    seen = []
    for _ in range(n):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(lf.lr_schedule(1e-5, 10, n), seen, rtol=1e-12)


def test_linear_schedule_hand_computed():
    np.testing.assert_allclose(lf.lr_schedule(1, 5, 4, "linear"), [1, 2, 3, 4])


def test_lr_find_trains_each_batch_at_the_scheduled_lr_with_group_ratios():
    model = _model()
    groups = [{"params": model[0].parameters(), "lr": 1 / 9}, {"params": model[1].parameters(), "lr": 1 / 3},
              {"params": model[4].parameters(), "lr": 1.0}]
    opt = torch.optim.SGD(groups, lr=1.0)
    loss = Scripted([1.0] * 20, opt)
    r = lf.lr_find(model, opt, _batches(20), loss, start_lr=1e-4, end_lr=1e-2, progress=False)
    expected = lf.lr_schedule(1e-4, 1e-2, 20)
    seen = np.array(loss.seen)
    np.testing.assert_allclose(seen[:, 2], expected, rtol=1e-12)
    np.testing.assert_allclose(seen / seen[:, 2:], np.tile([1 / 9, 1 / 3, 1], (20, 1)), rtol=1e-12)
    np.testing.assert_allclose(r.lrs, expected, rtol=1e-12)
    np.testing.assert_allclose(r.group_lrs, seen, rtol=1e-12)
    assert [g["lr"] for g in opt.param_groups] == [1 / 9, 1 / 3, 1.0]   # restored


def test_start_lr_per_group():
    model = _model()
    opt = torch.optim.SGD([{"params": model[0].parameters()}, {"params": model[4].parameters()}], lr=0.5)
    loss = Scripted([1.0] * 10, opt)
    lf.lr_find(model, opt, _batches(10), loss, start_lr=[1e-4, 1e-3], end_lr=1.0, progress=False)
    np.testing.assert_allclose(np.array(loss.seen)[:, 0] * 10, np.array(loss.seen)[:, 1])
    assert loss.seen[0] == pytest.approx([1e-4, 1e-3])


def test_loader_cycles_and_iterables_run_dry():
    model, batches = _model(), _batches(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    r = lf.lr_find(model, opt, batches, Scripted([1.0] * 7, opt), num_iter=7, progress=False)
    assert len(r.lrs) == 7 and r.stop_reason == "end" and r.num_iter == 7
    r = lf.lr_find(model, opt, iter(batches), Scripted([1.0] * 7, opt), num_iter=7, progress=False)
    assert len(r.lrs) == 3 and r.stop_reason == "data"


# ---------------------------------------------------------------------------- smoothing and stop
def test_smoothing_hand_computed():
    # avg1 = 0.02 -> 0.02/0.02 = 1; avg2 = 0.0196 + 0.04 = 0.0596 -> / (1 - 0.98**2)
    np.testing.assert_allclose(lf.smooth_losses([1.0, 2.0], 0.98), [1.0, 0.0596 / 0.0396], rtol=1e-12)
    assert lf.smooth_losses([3.0, 3.0, 3.0]) == pytest.approx([3.0, 3.0, 3.0])   # debiased


def test_smoothed_and_stop_follow_fastai(rng):
    values = np.r_[np.linspace(2.0, 0.5, 40) + rng.normal(0, 0.05, 40), np.geomspace(0.5, 50, 30)]
    values = values.astype(np.float32).astype(float)      # what a float32 loss's .item() gives
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    r = lf.lr_find(model, opt, _batches(70), Scripted(values, opt), progress=False)
    full = lf.smooth_losses(values)
    k = fastai_stop(full)
    assert k is not None and r.stop_reason == "diverged"
    assert len(r.lrs) == k and r.stop_iteration == k + 1          # the stopping batch is not recorded
    np.testing.assert_allclose(r.losses, values[:k])
    np.testing.assert_allclose(r.smoothed, full[:k], rtol=1e-12)
    assert r.stop_lr == pytest.approx(lf.lr_schedule(1e-5, 10, 70)[k]) and r.stop_loss == values[k]
    assert r.best_loss == pytest.approx(min(full[11:k]))
    assert full[k] > 4 * r.best_loss


def test_guard_keeps_early_spikes_from_setting_best():
    values = [1.0] * 5 + [500.0] + [1.0] * 20    # a spike at batch 6: best is still 1e9 then
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    r = lf.lr_find(model, opt, _batches(26), Scripted(values, opt), progress=False)
    assert fastai_stop(lf.smooth_losses(values)) is None
    assert r.stop_reason == "end" and len(r.lrs) == 26
    r = lf.lr_find(model, opt, _batches(26), Scripted(values, opt), best_after=0, progress=False)
    assert r.stop_reason == "diverged" and len(r.lrs) == 5        # without the guard it stops


def test_nan_stops_and_stop_factor_none_never_stops_on_a_rise():
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    values = [1.0] * 15 + [float("nan")] + [1.0] * 4
    r = lf.lr_find(model, opt, _batches(20), Scripted(values, opt), progress=False)
    assert r.stop_reason == "nan" and len(r.lrs) == 15 and r.diverged
    values = [1.0] * 15 + [1e6] * 5
    r = lf.lr_find(model, opt, _batches(20), Scripted(values, opt), stop_factor=None, progress=False)
    assert r.stop_reason == "end" and len(r.lrs) == 20


# ---------------------------------------------------------------------------- restore
def _trained_adam():
    model = _model()
    opt = torch.optim.Adam([{"params": model[0].parameters(), "lr": 1e-3},
                            {"params": list(model[1].parameters()) + list(model[4].parameters())}], lr=3e-3)
    for x, y in _batches(3, seed=1):          # non-empty optimizer state, gradients, BN stats
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    return model, opt


def test_state_restored_bit_for_bit_after_a_real_sweep():
    model, opt = _trained_adam()
    before = _state(model, opt)
    r = lf.lr_find(model, opt, _batches(40), nn.CrossEntropyLoss(), progress=False)
    assert len(r.lrs) > 11
    _assert_same_state(before, _state(model, opt))
    assert not model.training


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_state_restored_after_an_interruption_half_way(exc):
    model, opt = _trained_adam()
    before = _state(model, opt)
    loss = Scripted([1.0] * 20, opt, raise_at=7, exc=exc)
    with pytest.raises(exc):
        lf.lr_find(model, opt, _batches(20), loss, progress=False)
    assert len(loss.seen) == 8
    _assert_same_state(before, _state(model, opt))


def test_state_restored_after_divergence():
    model, opt = _trained_adam()
    before = _state(model, opt)
    values = [1.0] * 15 + [1e3] * 5
    r = lf.lr_find(model, opt, _batches(20), Scripted(values, opt), progress=False)
    assert r.stop_reason == "diverged"
    _assert_same_state(before, _state(model, opt))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, loader, match", [
    ({"start_lr": 1.0, "end_lr": 1.0}, None, "start_lr must be smaller"),
    ({"start_lr": 2.0, "end_lr": 1.0}, None, "start_lr must be smaller"),
    ({"start_lr": 0.0}, None, "start_lr must be a positive"),
    ({"start_lr": -1e-3}, None, "start_lr must be a positive"),
    ({"end_lr": float("inf")}, None, "end_lr must be a positive"),
    ({"start_lr": [1e-4, 0.0]}, None, "start_lr must be positive numbers"),
    ({"start_lr": [1e-4]}, None, "has 1 values but the optimizer has 2 parameter groups"),
    ({"mode": "cosine"}, None, "mode must be"),
    ({"num_iter": 0}, None, "num_iter"),
    ({"beta": 1.0}, None, "beta"),
    ({"stop_factor": 1.0}, None, "stop_factor"),
    ({}, [], "loader is empty"),
    ({"num_iter": 5}, [], "loader is empty"),
    ({}, (b for b in _batches(3)), "no len"),
])
def test_bad_input_is_a_clear_error_and_leaves_the_model_alone(kwargs, loader, match):
    model, opt = _trained_adam()
    before = _state(model, opt)
    with pytest.raises(ValueError, match=match):
        lf.lr_find(model, opt, _batches(5) if loader is None else loader, nn.CrossEntropyLoss(),
                   progress=False, **kwargs)
    _assert_same_state(before, _state(model, opt))


def test_no_trainable_parameters():
    model, opt = _trained_adam()
    for p in model.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        lf.lr_find(model, opt, _batches(5), nn.CrossEntropyLoss(), progress=False)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_from_the_first_batch(bad):
    model, opt = _trained_adam()
    before = _state(model, opt)
    with pytest.raises(ValueError, match="first batch"):
        lf.lr_find(model, opt, _batches(5), Scripted([bad] * 5, opt), progress=False)
    _assert_same_state(before, _state(model, opt))


# ---------------------------------------------------------------------------- suggestions
def _piecewise(points, x):
    xs, ys = zip(*points)
    return np.interp(x, xs, ys)


LOG = np.round(np.arange(-5, 1.0001, 0.05), 10)       # log10 lr, 121 points
LRS = 10.0 ** LOG
# flat 2.0 to 1e-3; -0.5/decade to 1e-2; -4/decade (steepest) for one step, then
# -1.8/decade to 10**-1.5; -0.2/decade to 1e-1
# (the minimum, 0.9); then up
CURVE = _piecewise([(-5, 2.0), (-3, 2.0), (-2, 1.5), (-1.95, 1.3), (-1.5, 0.5), (-1, 0.4), (0, 3.0), (1, 5.0)], LOG)


def test_steepest_on_a_known_curve():
    s = lf.suggest_steepest(LRS, CURVE)
    assert s.lr == pytest.approx(1e-2) and s.index == 60 and s.name == "steepest"
    assert s.loss == pytest.approx(1.5)


def test_min_div10_on_a_known_curve():
    s = lf.suggest_min_div10(LRS, CURVE)
    assert s.lr == pytest.approx(1e-2)               # minimum at 0.1, one decade back
    assert s.index == 60 and "0.1" in s.rule


def test_valley_hand_computed():
    # longest decreasing run: 9, 8, ..., 0.4 (indices 1..11, length 11); fastai sets
    # max_start = 11 - 11 = 0, sections = 11/3, idx = 0 + 3 + int(1.83) = 4
    losses = np.array([3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5, 0.4, 5, 6], dtype=float)
    lrs = np.geomspace(1e-4, 1, len(losses))
    s = lf.suggest_valley(lrs, losses, skip_start=0, skip_end=0)
    assert s.index == 4 and s.lr == pytest.approx(lrs[4]) and s.loss == 6.0


def test_valley_on_the_known_curve_lies_in_the_descent():
    s = lf.suggest_valley(LRS, CURVE)
    assert 1e-3 < s.lr < 1e-1


def test_suggestions_skip_ends_and_cut_at_nan():
    losses = CURVE.copy()
    losses[:10] = -100.0          # would be the minimum, but the first 10 are skipped
    assert lf.suggest_min_div10(LRS, losses).lr == pytest.approx(1e-2)
    losses = CURVE.copy()
    losses[70:] = np.nan          # fastai v2: drop everything from the first NaN
    assert lf.suggest_min_div10(LRS, losses).index < 70
    with pytest.raises(ValueError, match="at least 2 points"):
        lf.suggest_steepest(LRS[:16], CURVE[:16])


def test_regions_on_the_known_curve():
    r = lf.with_suggestions(lf.LRFinderResult(
        LRS, LRS[:, None], CURVE, CURVE, "diverged", len(LRS) + 1, 12.0, 9.0, 0.4, 1e-5, 10.0, "exp",
        121, 0.98, 4.0))
    reg = lf.loss_regions(r)
    assert reg.minimum == (pytest.approx(0.1), pytest.approx(0.4))
    assert reg.flat[0] == pytest.approx(LRS[10]) and 1e-3 < reg.flat[1] < 1e-2
    assert 0.1 < reg.diverging[0] < 0.2 and reg.diverging[1] == 12.0
    assert [s.name for s in r.suggestions] == ["steepest", "min/10", "valley"]
    assert r.suggestion("steepest").lr == pytest.approx(1e-2)
    with pytest.raises(ValueError):
        r.suggestion("nope")
    with pytest.raises(ValueError):
        r.lrs[0] = 1.0            # read-only


# ---------------------------------------------------------------------------- the real run
def test_real_run_small_cnn_on_digits(recorded):
    """The live demo run, by what holds on any CPU (the exact run differs across CPUs:
    pictures of it are drawn from the recorded one)."""
    r = lf.digits_lr_find(cache=False)
    assert r.stop_reason == "diverged" and 400 < len(r.lrs) < 600
    assert r.stop_iteration == len(r.lrs) + 1 and r.stop_lr > r.lrs[-1]
    assert np.isfinite(r.losses).all() and np.isfinite(r.smoothed).all()
    assert r.smoothed[0] == pytest.approx(math.log(10), abs=0.05)    # chance level at first
    assert r.best_loss < 1.0 and r.smoothed.min() == pytest.approx(r.best_loss)
    for s in r.suggestions:
        assert 1e-3 < s.lr < 5e-2, s
    low = lf.loss_regions(r).minimum[0]
    assert r.suggestion("min/10").lr == pytest.approx(low / 10)
    ref = recorded("lr-find-digits")                  # the run recorded on another machine
    for s in ref.suggestions:
        assert 1 / 3 < r.suggestion(s.name).lr / s.lr < 3, s.name
    assert abs(len(r.lrs) - len(ref.lrs)) < 60


def test_same_seed_same_run():
    a = lf.digits_lr_find(num_iter=60, cache=False)
    b = lf.digits_lr_find(num_iter=60, cache=False)
    assert a is not b
    np.testing.assert_array_equal(a.smoothed, b.smoothed)              # same seed, same run
