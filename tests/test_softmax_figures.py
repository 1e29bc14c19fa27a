"""Softmax-topic figures: the artists carry the core results' numbers."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from viz.core import softmax as sm  # noqa: E402
from viz.core.tiles import make_tiles  # noqa: E402
from viz.figures import softmax as figs  # noqa: E402
from viz.figures import theme  # noqa: E402


@pytest.fixture(scope="module")
def comparison(small_comparison):
    """Both heads of a small run, recorded (tests/data/recorded/multilabel-small.npz)."""
    return small_comparison


def test_prob_bars_heights_are_the_probabilities():
    _, ax = plt.subplots()
    p = sm.softmax(sm.SHEET_OUTPUTS)
    out = figs.prob_bars(p, sm.CLASSES, ax=ax, targets=sm.SHEET_ACTUALS)
    assert out is ax
    heights = [r.get_height() for r in ax.patches][-5:]
    np.testing.assert_allclose(heights, p)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(sm.CLASSES)


def test_entropy_sheet_figure_shows_the_sheet_numbers():
    s = sm.entropy_sheet()
    fig = figs.entropy_sheet_figure(s)
    texts = {t.get_text() for ax in fig.axes for tb in ax.tables for t in
             [c.get_text() for c in tb.get_celld().values()]}
    assert f"{s.softmax[2]:.4f}" in texts and f"{s.sigmoid[4]:.4f}" in texts
    assert "0.3010" in texts and "0.6931" in texts      # base 10 and ln side by side
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert f"{s.ce_ln:.3f} (ln)" in titles and f"{s.ce_log10:.3f} (log₁₀)" in titles


def test_softmax_vs_sigmoid_lines_follow_the_sweep():
    sw = sm.rising_logit(num=11)
    fig = figs.softmax_vs_sigmoid_figure(sw)
    soft_ax, sig_ax = fig.axes[2], fig.axes[3]
    for ax, table in ((soft_ax, sw.softmax), (sig_ax, sw.sigmoid)):
        for j, line in enumerate(ax.lines):
            x, y = line.get_data()
            np.testing.assert_allclose(x, sw.values)
            np.testing.assert_allclose(y, table[:, j])


def test_two_labels_figure():
    fit = sm.fit_two_labels(steps=30)
    fig = figs.two_labels_figure(fit)
    assert len(fig.axes) == 3
    bars = [r.get_height() for r in fig.axes[0].patches][-5:]
    np.testing.assert_allclose(bars, fit.softmax_probs[-1])


def test_fbeta_threshold_axes_plots_the_curves(comparison):
    _, ax = plt.subplots()
    assert figs.fbeta_threshold_axes([comparison.sigmoid, comparison.softmax], ax=ax) is ax
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(x, comparison.sigmoid.curve.thresholds)
    np.testing.assert_allclose(y, comparison.sigmoid.curve.scores)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"planet F2 {comparison.sigmoid.f2:.3f}" in texts and "0.17–0.23" in texts


def test_iso_f_axes_contours_are_iso_f():
    _, ax = plt.subplots()
    figs.iso_f_axes(2, ax=ax, levels=(0.5,))
    segs = [p.vertices for p in ax.collections[0].get_paths() if len(p.vertices)]
    rp = np.concatenate(segs)
    np.testing.assert_allclose(sm.fbeta_from_pr(rp[:, 1], rp[:, 0], 2), 0.5, atol=5e-3)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_figure_draws_in_both_themes(name, comparison, tmp_path):
    with theme(name):
        made = [figs.entropy_sheet_figure(sm.entropy_sheet()),
                figs.softmax_vs_sigmoid_figure(sm.rising_logit(num=5)),
                figs.two_labels_figure(sm.fit_two_labels(steps=5)),
                figs.tiles_figure(make_tiles(8, seed=0)),
                figs.predictions_figure(comparison),
                figs.iso_f_figure(),
                figs.fbeta_figure(comparison)]
        for i, fig in enumerate(made):
            assert isinstance(fig, matplotlib.figure.Figure)
            fig.savefig(tmp_path / f"{i}.png", dpi=40)


def test_catalog_lists_five_scenes_and_the_figures():
    from viz import catalog
    from viz.catalog import softmax as cat
    assert len(cat.SCENES) == 5
    names = {e.name for e in catalog.entries() if e.topic == "softmax"}
    assert {"entropy-sheet", "softmax-picks-one", "two-labels", "multilabel-tiles", "fbeta",
            "softmax-vs-sigmoid", "iso-f", "fbeta-threshold", "multilabel-predictions"} <= names
    for e in cat.FIGURES + cat.SCENES:
        assert callable(e.load())


def test_catalog_model_figures_draw_the_recorded_heads(small_comparison, monkeypatch):
    """The catalog's two trained figures, drawn from the recorded heads: exact on any CPU."""
    import viz.core.multilabel as ml
    from viz.catalog import softmax as cat
    monkeypatch.setattr(ml, "default_comparison", lambda seed=0, **kw: small_comparison)
    for fig in (cat.multilabel_predictions(), cat.fbeta_threshold()):
        texts = " ".join([fig.get_suptitle()] + [t.get_text() for ax in fig.axes for t in ax.texts])
        assert f"{small_comparison.sigmoid.f2:.3f}" in texts, texts[:300]
