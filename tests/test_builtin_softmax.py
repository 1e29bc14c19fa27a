"""Softmax built in vs learned: invariants of live training, torch references, recorded figures.

Recorded comparison: ``tests/data/recorded/builtin_softmax.npz``, written with
``save_result(viz.core.builtin_softmax.compare_heads(), path)``.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from viz.core import builtin_softmax as B  # noqa: E402
from viz.core.results import load_result  # noqa: E402
from viz.figures import theme  # noqa: E402
from viz.figures.builtin_softmax import builtin_softmax_figure, plot_head_curves  # noqa: E402

RECORDED = Path(__file__).parent / "data" / "recorded" / "builtin_softmax.npz"


@pytest.fixture(scope="module")
def live():
    return B.compare_heads(steps=150, record_every=10)


@pytest.fixture(scope="module")
def recorded():
    return load_result(RECORDED, B.HeadComparison)


def test_same_network_same_start(live):
    """At step 0 all heads are one network: softmax/sigmoid of (b)'s raw outputs, and torch's own."""
    a, b, c = (live.run(h) for h in B.HEADS)
    z = b.outputs[0]
    np.testing.assert_allclose(a.outputs[0], torch.softmax(torch.tensor(z), 1).numpy(), atol=1e-6)
    np.testing.assert_allclose(c.outputs[0], torch.sigmoid(torch.tensor(z)).numpy(), atol=1e-6)
    net = B.make_net(live.hidden, seed=live.seed)
    with torch.no_grad():
        ref = net(torch.tensor(live.shown_images[:, None], dtype=torch.float32)).numpy()
    np.testing.assert_allclose(z, ref, atol=1e-6)


def test_softmax_always_a_distribution_mse_not(live):
    a, b, c = (live.run(h) for h in B.HEADS)
    np.testing.assert_allclose(a.outputs.sum(-1), 1, atol=1e-6)
    assert a.outputs.min() >= 0 and a.outputs.max() <= 1
    assert a.sum_gap.max() < 1e-6 and a.outside.max() == 0
    assert c.outputs.min() >= 0 and c.outputs.max() <= 1 and c.outside.max() == 0
    assert b.sum_gap[-1] > 0.02 and b.outside[-1] > 0.05        # (b) never becomes a distribution
    assert a.test_acc[-1] > 0.85
    early = int(np.searchsorted(live.steps, 60))
    assert a.test_acc[early] > b.test_acc[early] + 0.05           # built in: learns faster
    assert a.test_brier[-1] < b.test_brier[-1]
    np.testing.assert_array_equal(a.steps, np.r_[0:151:10])


def test_losses_and_stats_against_hand_computation():
    z = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]])
    y = torch.tensor([0, 2])
    onehot = torch.tensor([[1.0, 0, 0], [0, 0, 1.0]])
    assert float(B.head_loss("mse", z, y)) == pytest.approx(float(((z - onehot) ** 2).mean()))
    p = torch.sigmoid(z)
    bce = -(onehot * p.log() + (1 - onehot) * (1 - p).log()).mean()
    assert float(B.head_loss("sigmoid", z, y)) == pytest.approx(float(bce), rel=1e-6)
    assert float(B.head_loss("softmax", z, y)) == pytest.approx(float(F.cross_entropy(z, y)))
    st = B.output_stats(np.array([[0.5, 0.7, -0.2], [0.0, 0.1, 1.4]]), np.array([1, 2]))
    assert st["acc"] == 1.0
    assert st["sum_gap"] == pytest.approx((0.0 + 0.5) / 2)
    assert st["outside"] == pytest.approx(2 / 6)
    assert st["outside_by"] == pytest.approx((0.2 + 0.4) / 6)
    assert st["brier"] == pytest.approx(((0.25 + 0.09 + 0.04) + (0 + 0.01 + 0.16)) / 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="heads"):
        B.compare_heads(heads=("softmax", "tanh"))
    with pytest.raises(ValueError, match="steps"):
        B.compare_heads(steps=0)
    with pytest.raises(ValueError, match="optimizer"):
        B.compare_heads(optimizer="rmsprop")
    with pytest.raises(ValueError, match="unknown head"):
        B.head_outputs("relu", torch.zeros(1, 3))


def test_recorded_comparison_and_conclusion(recorded):
    a, b = recorded.run("softmax"), recorded.run("mse")
    np.testing.assert_allclose(a.output_sums, 1, atol=1e-6)
    assert recorded.conclusion().startswith("Held-out accuracy (a) vs (b) vs (c): ")
    assert f"{b.sum_gap[-1]:.2f} on average" in recorded.conclusion()
    assert b.n_outside[-1].max() > 0 and a.n_outside.max() == 0
    with pytest.raises(ValueError, match="no run"):
        recorded.run("tanh")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_figure_reads_back_the_recorded_numbers(recorded, name):
    with theme(name):
        fig = builtin_softmax_figure(recorded)
    curves = [ax for ax in fig.axes if len(ax.lines) == 3]
    assert len(curves) == 6
    for ax, field in zip(curves, ("test_acc", "test_brier", "train_loss", "sum_gap", "outside", "outside_by")):
        for line, run in zip(ax.lines, recorded.runs):
            np.testing.assert_array_equal(line.get_xdata(), run.steps)
            np.testing.assert_array_equal(line.get_ydata(), getattr(run, field))
    bars = [ax for ax in fig.axes if ax.patches]
    assert len(bars) == 3
    heights = np.array([p.get_height() for p in bars[0].patches]).reshape(3, 10)
    np.testing.assert_allclose(heights, [r.outputs[-1, 0] for r in recorded.runs])
    ax = plot_head_curves(recorded, "test_acc", ax=curves[0])
    assert ax is curves[0]
