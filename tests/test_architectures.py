"""Architectures compared: parameter counts by hand, live training invariants, recorded figure.

Recorded comparison: ``tests/data/recorded/architectures.npz``, written with
``save_result(viz.core.architectures.compare_architectures(), path)``. Training times are
machine-dependent: only checked to be positive.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from viz.core import architectures as A  # noqa: E402
from viz.core.results import load_result  # noqa: E402
from viz.figures import theme  # noqa: E402
from viz.figures.architectures import architectures_figure, summary_lines  # noqa: E402

RECORDED = Path(__file__).parent / "data" / "recorded" / "architectures.npz"


@pytest.fixture(scope="module")
def recorded():
    return load_result(RECORDED, A.ArchComparison)


def _conv(i, o, bias=True):
    return i * o * 9 + (o if bias else 0)


@pytest.mark.parametrize("name, expected", [
    ("tiny", _conv(1, 8) + 8 * 10 + 10),
    ("base", _conv(1, 8) + _conv(8, 16) + 16 * 10 + 10),
    ("wide", _conv(1, 32) + _conv(32, 64) + 64 * 10 + 10),
    ("deep", _conv(1, 8) + _conv(8, 16) + _conv(16, 32) + 32 * 10 + 10),
    ("no pool", _conv(1, 8) + _conv(8, 16) + 16 * 10 + 10),
    ("base + BN", _conv(1, 8, False) + 2 * 8 + _conv(8, 16, False) + 2 * 16 + 16 * 10 + 10),
])
def test_parameter_counts_by_hand(name, expected):
    model = A.build(name)
    assert sum(p.numel() for p in model.parameters()) == expected
    import torch
    assert model(torch.zeros(2, 1, 12, 12)).shape == (2, 10)


def test_live_training_invariants():
    c = A.compare_architectures(("tiny", "deep"), epochs=3, image_size=8)
    tiny, deep = c.arch("tiny"), c.arch("deep")
    for a in c.archs:
        assert a.epoch_acc.shape == (3,) and a.test_acc == a.epoch_acc[-1]
        assert 0 <= a.test_acc <= 1 and a.train_seconds > 0
        assert a.params == sum(r.params for r in a.summary.rows) == a.summary.total_params
        assert a.summary.rows[-1].output_shape == (1, 10)
    assert deep.test_acc > 0.7 and deep.test_acc > tiny.test_acc
    assert c.conclusion().startswith(f"'{max(c.archs, key=lambda a: a.test_acc).name}' is the most accurate")


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown architecture"):
        A.build("resnet")
    with pytest.raises(ValueError, match="names"):
        A.compare_architectures(("tiny", "tiny"))
    with pytest.raises(ValueError, match="epochs"):
        A.compare_architectures(epochs=0)
    with pytest.raises(ValueError, match="image_size"):
        A.compare_architectures(image_size=4)


def test_recorded_conclusion(recorded):
    base, bn = recorded.arch("base"), recorded.arch("base + BN")
    s = recorded.conclusion()
    assert f"from {base.test_acc:.1%} to {bn.test_acc:.1%} for +24 parameters" in s
    best = max(recorded.archs, key=lambda a: a.test_acc)
    assert s.startswith(f"'{best.name}' is the most accurate ({best.test_acc:.1%})")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_figure_reads_back_the_recorded_numbers(recorded, name):
    with theme(name):
        fig = architectures_figure(recorded)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    for a in recorded.archs:
        assert "\n".join(summary_lines(a.summary)) in texts
    bar_axes = [ax for ax in fig.axes if ax.patches]
    assert len(bar_axes) == 3
    for ax, field in zip(bar_axes, ("params", "test_acc", "train_seconds")):
        np.testing.assert_allclose([p.get_width() for p in ax.patches],
                                   [getattr(a, field) for a in recorded.archs])
    curves = [ax for ax in fig.axes if len(ax.lines) == len(recorded.archs)][0]
    for line, a in zip(curves.lines, recorded.archs):
        np.testing.assert_array_equal(line.get_ydata(), a.epoch_acc)
    assert recorded.conclusion()[:40] in fig._suptitle.get_text().replace("\n", " ")
    lines = summary_lines(recorded.arch("base").summary)
    assert lines[1].split() == ["Conv2d", "8×12×12", "80"] and lines[-1].split() == ["total", "1,418"]
