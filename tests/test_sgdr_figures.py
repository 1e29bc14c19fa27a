"""Schedule figures read back against their result objects; the sgdr-schedule command."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from viz import catalog  # noqa: E402
from viz.cli import main  # noqa: E402
from viz.core import schedules as S  # noqa: E402
from viz.core.sgdr_landscape import sgdr_ball  # noqa: E402
from viz.core.sgdr_training import SGDRRun  # noqa: E402
from viz.figures import schedules as F  # noqa: E402
from viz.figures import theme  # noqa: E402


@pytest.fixture(scope="module")
def fake_run():
    """An SGDRRun with the real schedule and a synthetic loss (no training: figures only)."""
    s = S.freeze_unfreeze(0.5, iters_per_epoch=10, group_names=("a", "b", "head"))
    loss = 2.0 * np.exp(-np.arange(s.n_iter) / 60) + 0.1
    return SGDRRun(s, s.lr.copy(), loss, np.linspace(1, 0.2, 14), np.linspace(0.5, 0.9, 14), 0.9)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("name", ["light", "dark"])
def test_sgdr_wave_draws_the_schedule(name):
    s = S.sgdr(0.2, iters_per_epoch=100, n_cycles=3, cycle_mult=2)
    with theme(name):
        _, ax0 = plt.subplots()
        ax = F.sgdr_wave(s, ax=ax0)
    assert ax is ax0
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(y, s.head)
    np.testing.assert_array_equal(x, np.arange(700))
    labels = [t.get_text() for t in ax.texts]
    assert labels[:3] == ["cycle 1:\n1 epoch", "cycle 2:\n2 epochs", "cycle 3:\n4 epochs"]
    assert "warm-up: lr/100 for 5 batches" in labels
    restarts = [ln.get_xdata()[0] for ln in ax.lines[1:]]
    assert restarts == [100, 300]


def test_sgdr_loss_figure(fake_run):
    fig = F.sgdr_loss_figure(fake_run)
    ax_lr, ax_loss = fig.axes[0], fig.axes[1]
    assert [ln.get_label() for ln in ax_lr.lines[:3]] == ["a", "b", "head"]
    y = ax_lr.lines[0].get_ydata()
    assert np.isnan(y[:70]).all() and np.allclose(y[70:], fake_run.lr[70:, 0])   # frozen: not drawn
    np.testing.assert_allclose(ax_loss.lines[-2].get_ydata(), fake_run.loss)
    np.testing.assert_allclose(ax_loss.lines[-1].get_ydata(), fake_run.smoothed_loss(0.9))
    assert {"frozen", "unfrozen", "cycle 6:\n4 epochs"} <= set(_texts(fig))


def test_smoothed_loss_is_a_debiased_ema(fake_run):
    sm = fake_run.smoothed_loss(0.9)
    assert sm[0] == pytest.approx(fake_run.loss[0])
    w = 0.9 ** np.arange(3)[::-1] * 0.1
    assert sm[2] == pytest.approx((w * fake_run.loss[:3]).sum() / (1 - 0.9 ** 3))
    with pytest.raises(ValueError, match="beta must be in"):
        fake_run.smoothed_loss(1.0)


def test_schedules_grid_one_panel_each():
    all_ = S.compare_schedules(0.2, iters_per_epoch=10)
    fig = F.schedules_grid(all_)
    drawn = [ax for ax in fig.axes if ax.lines]
    assert len(drawn) == len(all_)
    for ax, s in zip(drawn, all_):
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), s.head)
        assert ax.get_title(loc="left") == s.label
    with pytest.raises(ValueError, match="no schedules"):
        F.schedules_grid([])


def test_layer_group_lrs(fake_run):
    ax = F.layer_group_lrs(fake_run.schedule, lr=fake_run.lr)
    assert ax.get_yscale() == "log"
    lines = [ln for ln in ax.lines if ln.get_label() in ("a", "b", "head")]
    assert len(lines) == 3
    np.testing.assert_allclose(lines[2].get_ydata(), fake_run.lr[:, 2])
    assert np.isnan(lines[0].get_ydata()[:70]).all()
    assert any("a, b: no gradients" in t.get_text() for t in ax.texts)


def test_progressive_resizing_timeline():
    steps = S.progressive_resizing()
    ax = F.progressive_resizing_timeline(steps, lr_wave=S.sgdr_factors(iters_per_epoch=5, n_cycles=3,
                                                                        cycle_mult=2))
    assert len(ax.patches) == 6
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("256×256") == 2 and "F2 0.9355" in texts


def test_ball_figure():
    r = sgdr_ball()
    fig = F.ball_figure(r)
    ax_l, ax_x = fig.axes[:2]
    np.testing.assert_allclose(ax_x.lines[0].get_ydata(), r.x)
    cyc = [ln for ln in ax_l.lines if ln.get_label().startswith("cycle")]
    assert len(cyc) == 3
    assert any("kicked out" in t.get_text() for t in ax_l.texts)


def test_catalog_figures_draw_the_recorded_run(recorded, monkeypatch):
    """The catalog's trained figures, drawn from the recorded run: exact on any CPU."""
    from viz.catalog import sgdr as cat
    run = recorded("sgdr-digits")
    monkeypatch.setattr(cat, "_run", lambda: run)
    fig = cat.sgdr_loss()
    ax_loss = fig.axes[1]
    np.testing.assert_array_equal(ax_loss.lines[-2].get_ydata(), run.loss)
    np.testing.assert_array_equal(ax_loss.lines[-1].get_ydata(), run.smoothed_loss(0.9))
    ax = cat.layer_group_lrs().axes[0]
    head = next(ln for ln in ax.lines if ln.get_label() == "head")
    np.testing.assert_array_equal(head.get_ydata(), run.lr[:, 2])


def test_catalog_lists_the_topic():
    names = {e.name for e in catalog.entries() if e.topic == "sgdr"}
    assert {"sgdr-wave", "sgdr-loss", "schedules-compared", "layer-group-lrs", "progressive-resizing",
            "sgdr-ball", "sgdr-restarts"} <= names


def test_viz_figures_writes_pngs(tmp_path):
    assert main(["figures", "sgdr-wave", "progressive-resizing", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "sgdr-wave.png").stat().st_size > 10_000


def test_sgdr_schedule_command(tmp_path, capsys):
    out = tmp_path / "lr.csv"
    assert main(["sgdr-schedule", "--ratios", "9,3,1", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 + 2 + 4 = 7" in printed and "restarts at 101, 301" in printed
    rows = out.read_text().splitlines()
    assert rows[0] == "iteration,epoch,lr_early_layers,lr_later_layers,lr_head"
    assert len(rows) == 701
    assert rows[6].split(",")[0] == "6" and float(rows[6].split(",")[-1]) == pytest.approx(0.19876883405951)
    assert float(rows[101].split(",")[-1]) == 0.2


@pytest.mark.parametrize("args, needle", [
    (["--cycle-mult", "0.5"], "cycle_mult must be >= 1, got 0.5"),
    (["--cycle-len", "0"], "cycle_len must be > 0 epochs, got 0"),
    (["--cycles", "0"], "n_cycles must be an integer >= 1, got 0"),
    (["--lr", "-0.2"], "-0.2"),
    (["--ratios", ""], "layer groups must not be empty"),
])
def test_sgdr_schedule_bad_input(args, needle, capsys, tmp_path):
    assert main(["sgdr-schedule", *args, "--csv", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
    assert not (tmp_path / "x.csv").exists()
