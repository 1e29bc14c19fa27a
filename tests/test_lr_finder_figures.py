"""LR finder figures, CLI and scene: what is drawn is what the result holds."""
from __future__ import annotations

import json

import numpy as np
import pytest

from viz.core import lr_finder as lf

LOG = np.arange(-5, 1.0001, 0.05)
LRS = 10.0 ** LOG
CURVE = np.interp(LOG, [-5, -3, -2, -1.95, -1.5, -1, 0, 1], [2.0, 2.0, 1.5, 1.3, 0.5, 0.4, 3.0, 5.0])


@pytest.fixture
def result(rng):
    raw = CURVE + rng.normal(0, 0.05, len(CURVE))
    r = lf.LRFinderResult(LRS, np.c_[LRS / 10, LRS], raw, CURVE, "diverged", len(LRS) + 1, 12.0, 9.0,
                          0.4, 1e-5, 10.0, "exp", 121, 0.98, 4.0)
    return lf.with_suggestions(r)


def test_plot_lr_find_draws_the_window_and_suggestions(result):
    from viz.figures.lr_finder import plot_lr_find
    ax = plot_lr_find(result)
    raw, smooth = ax.lines[0], ax.lines[1]
    np.testing.assert_array_equal(smooth.get_xdata(), result.lrs[10:-5])     # sched.plot's skip
    np.testing.assert_array_equal(smooth.get_ydata(), result.smoothed[10:-5])
    np.testing.assert_array_equal(raw.get_ydata(), result.losses[10:-5])
    assert ax.get_xscale() == "log"
    labels = ax.get_legend_handles_labels()[1]
    for s in result.suggestions:
        assert f"{s.name}: {s.lr:.2g}" in labels
        marker = next(ln for ln in ax.lines if ln.get_label().startswith(s.name))
        assert marker.get_xdata()[0] == s.lr and marker.get_ydata()[0] == s.loss
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "too small" in texts and "too big" in texts and "steepest" in texts and "stopped" in texts
    assert len(ax.patches) == 2                                                # two shaded regions


def test_plot_lr_find_on_given_axes_without_extras(result):
    import matplotlib.pyplot as plt
    from viz.figures.lr_finder import plot_lr_find
    _, ax = plt.subplots()
    assert plot_lr_find(result, ax=ax, raw=False, regions=False, advice=False, stop=False,
                        suggestions=()) is ax
    assert len(ax.lines) == 1 and not ax.patches and not ax.texts


def test_plot_lr_and_plot_loss(result):
    from viz.figures.lr_finder import plot_loss, plot_lr
    ax = plot_lr(result)
    assert [ln.get_label() for ln in ax.lines] == ["group 0", "group 1 (last)"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), result.lrs)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, 122))
    ax = plot_loss(result)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), np.arange(11, 117))
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), result.smoothed[10:-5])


def test_comparison(result):
    from viz.figures.lr_finder import plot_lr_find_comparison
    other = lf.with_suggestions(lf.LRFinderResult(
        LRS, LRS[:, None], CURVE * 0.5, CURVE * 0.5, "end", 121, None, None, 0.2, 1e-5, 10.0,
        "exp", 121, 0.98, 4.0))
    ax = plot_lr_find_comparison({"a": result, "b": other})
    curves = [ln for ln in ax.lines if len(ln.get_xdata()) > 1]
    assert len(curves) == 2 and curves[1].get_label().startswith("b  (steepest: 0.01)")
    with pytest.raises(ValueError, match="labels"):
        plot_lr_find_comparison([result, other], labels=["x"])


def test_overview_and_dark_theme(result, tmp_path):
    import viz.figures as vf
    from viz.figures.lr_finder import lr_finder_overview
    with vf.theme("dark"):
        fig = lr_finder_overview(result)
        fig.savefig(tmp_path / "o.png")
    assert len(fig.axes) == 3


def test_cli_lr_find(tmp_path, capsys):
    from viz.cli import main
    out = tmp_path / "r.json"
    assert main(["lr-find", "--num-iter", "40", "--json", str(out), "--plot", str(tmp_path / "p.png")]) == 0
    data = json.loads(out.read_text())
    assert len(data["lrs"]) == 40 and data["stop_reason"] == "end"
    np.testing.assert_allclose(data["lrs"], lf.lr_schedule(1e-5, 10, 40))
    assert (tmp_path / "p.png").stat().st_size > 10_000
    assert "steepest" in capsys.readouterr().out
    assert main(["lr-find", "--start-lr", "20"]) == 2
    assert main(["lr-find", "--plot", str(tmp_path / "p.gif")]) == 2
    assert "start_lr must be smaller" not in capsys.readouterr().out


def test_lr_plot_block_structure():
    from viz.anim.lr_finder import LRPlot, lr_text
    plot = LRPlot(LRS, CURVE, CURVE, x_range=(-5, 1))
    assert len(plot.ticks) == 7 + 6                     # 7 decades, loss 0..2.5 by 0.5
    assert np.allclose(plot.point(1e-5, 0), plot.axes.c2p(0, 0))
    assert np.allclose(plot.point(10, 0), plot.axes.c2p(6, 0))
    assert lr_text(3.7e-5) == "3.7e-5" and lr_text(0.0095) == "0.0095" and lr_text(1.66) == "1.7"
    with pytest.raises(ValueError):
        LRPlot(LRS[:1], CURVE[:1])


def test_catalog_figures_draw_the_recorded_run(recorded, monkeypatch):
    """The catalog's figures, drawn from the recorded range test: exact on any CPU."""
    from viz.catalog import lrfinder as cat
    run = recorded("lr-find-digits")
    calls = []
    monkeypatch.setattr(lf, "digits_lr_find", lambda **kw: calls.append(kw) or run)
    ax = cat.lr_finder().axes[0]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), run.smoothed[10:-5])
    fig = cat.lr_finder_batch_sizes()
    assert [c.get("batch_size") for c in calls[1:]] == [8, 16, 32]
    assert len(fig.axes[0].lines) >= 3
    cat.lr_finder_groups()
    assert calls[-1] == {"group_ratios": (1 / 9, 1 / 3, 1)}
