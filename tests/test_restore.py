"""The library leaves the user's model as it found it: lr_find, summarize, trace_activations.

Each test checks first that the run really changed the thing (so the test can fail), then
that it came back bit for bit, and in place where references could be held.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from viz.core.lr_finder import lr_find
from viz.core.summary import summarize
from viz.core.tracing import trace_activations


def _batches(n=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(8, 4, generator=g), torch.randint(0, 3, (8,), generator=g)) for _ in range(n)]


def _net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))


def test_a_parameter_only_the_optimizer_holds_is_restored():
    model = _net()
    temperature = nn.Parameter(torch.tensor(1.0))          # learnable, lives in the loss
    opt = torch.optim.SGD([*model.parameters(), temperature], lr=0.1)
    seen = []
    lr_find(model, opt, _batches(), lambda out, y: F.cross_entropy(out / temperature, y),
            start_lr=1e-2, end_lr=1.0, num_iter=12, stop_factor=None, progress=False,
            on_step=lambda *a: seen.append(temperature.item()))
    assert any(v != 1.0 for v in seen)                     # it did train
    assert temperature.item() == 1.0 and temperature.grad is None


class _Counting(nn.Module):
    """A non-persistent buffer bumped in place, and one rebound to a new tensor, by forward."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)
        self.register_buffer("calls", torch.zeros(()), persistent=False)
        self.register_buffer("total", torch.zeros(4), persistent=False)

    def forward(self, x):
        self.calls += 1
        self.total = self.total + x.detach().sum(0)       # rebinds the attribute
        return self.lin(x)


def test_non_persistent_buffers_are_restored_even_when_rebound():
    model = _Counting()
    calls, total = model.calls, model.total
    assert "calls" not in model.state_dict()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    during = []
    lr_find(model, opt, _batches(), F.cross_entropy, num_iter=10, stop_factor=None,
            progress=False, on_step=lambda *a: during.append(float(model.calls)))
    assert during[-1] == 10
    assert model.calls is calls and model.total is total  # the same tensors, put back
    assert float(model.calls) == 0 and torch.equal(model.total, torch.zeros(4))


def test_optimizer_groups_and_state_are_restored_in_place():
    model = _net()
    opt = torch.optim.Adam([{"params": model[0].parameters(), "lr": 1e-3},
                            {"params": model[2].parameters(), "lr": 3e-3}])
    for x, y in _batches(3, seed=1):                        # some Adam state to keep
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    groups = list(opt.param_groups)
    group_dicts = [dict(g) for g in groups]
    p = model[0].weight
    state = opt.state[p]
    exp_avg, step = state["exp_avg"], state["step"]
    saved_avg, saved_step = exp_avg.clone(), step.clone()
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    changed = []
    lr_find(model, opt, _batches(), F.cross_entropy, num_iter=10, stop_factor=None,
            progress=False, on_step=lambda *a: changed.append(not torch.equal(exp_avg, saved_avg)))
    assert all(changed)                                     # the run moved the state
    assert opt.param_groups == groups and all(a is b for a, b in zip(opt.param_groups, groups))
    for g, before in zip(opt.param_groups, group_dicts):
        assert {k: v for k, v in g.items() if k != "params"} == \
               {k: v for k, v in before.items() if k != "params"}
    assert opt.state[p] is state and state["exp_avg"] is exp_avg and state["step"] is step
    assert torch.equal(exp_avg, saved_avg) and torch.equal(step, saved_step)
    for k, v in model.state_dict().items():
        assert torch.equal(v, weights[k]), k


def test_state_created_by_the_run_is_removed_and_an_error_still_restores():
    model = _net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    calls = []

    def loss_fn(out, y):
        calls.append(1)
        if len(calls) == 6:
            raise RuntimeError("the loss broke")
        return F.cross_entropy(out, y)

    with pytest.raises(RuntimeError, match="the loss broke"):
        lr_find(model, opt, _batches(), loss_fn, num_iter=10, progress=False)
    assert len(opt.state) == 0                              # no momentum buffers left
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert model.training


def test_summarize_keeps_every_modules_own_mode():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(),
                          nn.Conv2d(2, 2, 3), nn.BatchNorm2d(2))
    model.train()
    model[1].eval()
    model[4].eval()
    modes = [m.training for m in model.modules()]
    s = summarize(model, (1, 1, 8, 8))
    assert s.rows[0].output_shape == (1, 2, 6, 6)
    assert [m.training for m in model.modules()] == modes == [True, True, False, True, True, False]


def test_trace_a_conv1d_model_against_torch():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    x = np.random.default_rng(0).normal(size=(2, 10))
    t = trace_activations(model, x)
    with torch.no_grad():
        ref = model[0](torch.tensor(x, dtype=torch.float32)[None])[0].numpy()
        out = model(torch.tensor(x, dtype=torch.float32)[None])[0].numpy()
    assert t["0"].shape == (3, 8)
    np.testing.assert_allclose(t["0"], ref, rtol=1e-6)
    np.testing.assert_allclose(t.output, out, rtol=1e-6)
    tb = trace_activations(model, np.stack([x, 2 * x]), batch=True)
    assert tb["0"].shape == (2, 3, 8)
    with pytest.raises(ValueError, match="Conv1d model"):
        trace_activations(model, np.zeros((1, 2, 3, 4)))


def test_a_gray_picture_three_pixels_wide_is_not_read_as_rgb():
    torch.manual_seed(0)
    rgb_model = nn.Sequential(nn.Conv2d(3, 2, 1))
    gray = np.random.default_rng(1).random((5, 3))           # 5 rows, 3 columns, gray
    t = trace_activations(rgb_model, gray)
    assert t.input.shape == (3, 5, 3)                          # gray copied to R, G and B
    np.testing.assert_allclose(t.input[0], gray, rtol=1e-6)
    with torch.no_grad():
        ref = rgb_model(torch.tensor(np.repeat(gray[None, None], 3, axis=1), dtype=torch.float32))
    np.testing.assert_allclose(t.output, ref[0].numpy(), rtol=1e-6)


def test_an_error_inside_forward_names_the_layer_and_removes_the_hooks():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 1)
            self.head = nn.Linear(16, 2)

        def forward(self, x):
            return self.head(self.conv(x), "oops")            # TypeError inside the call

    model = Broken()
    with pytest.raises(ValueError, match=r"layer head \(Linear\) raised TypeError") as info:
        trace_activations(model, np.zeros((4, 4)))
    assert "\n" not in str(info.value)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
