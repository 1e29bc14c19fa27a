"""Annotated heatmaps: one CellNumbers artist per grid draws what one Text per cell drew."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import CenteredNorm  # noqa: E402

from viz.figures import _cells, cell_texts, theme  # noqa: E402
from viz.figures.grids import SettledConstrainedLayout, heatmap_grid  # noqa: E402

VALUES = np.array([[0.52, -0.27, 2.6, -0.0], [-1.63, 0.04, 0.0, 11.0], [3.0, -0.04, 0.91, -2.5]])


def _pixels(fig, dpi=100):
    buf = io.BytesIO()
    fig.savefig(buf, format="raw", dpi=dpi)
    w, h = (fig.get_size_inches() * dpi).round().astype(int)
    return np.frombuffer(buf.getvalue(), np.uint8).reshape(h, w, 4)


def _pair(theme_name):
    """The same heatmap twice: numbers by annotate_cells, and by one ax.text per cell."""
    out = []
    with theme(theme_name):
        for by_text in (False, True):
            fig = plt.figure(figsize=(1.6, 1.2))
            ax = fig.add_axes([0.05, 0.05, 0.9, 0.85])
            heatmap_grid(VALUES, ax=ax, annotate=not by_text, title="t")
            out.append((fig, ax))
    (fig_a, ax_a), (fig_b, ax_b) = out
    fig_a.draw_without_rendering()
    artist = next(a for a in ax_a.get_children() if isinstance(a, _cells.CellNumbers))
    size = artist.get_fontsize()
    for (r, c), s, color in zip(np.ndindex(VALUES.shape), artist.get_texts(), artist.colors):
        ax_b.text(c, r, s, ha="center", va="center", fontsize=size, color=color)
    return fig_a, fig_b, artist


@pytest.mark.parametrize("theme_name", ["light", "dark"])
def test_cell_numbers_draw_the_pixels_of_one_text_per_cell(theme_name, monkeypatch):
    fig_a, fig_b, _ = _pair(theme_name)
    expected = _pixels(fig_b)
    np.testing.assert_array_equal(_pixels(fig_a), expected)
    # the renderer-neutral path (SVG, PDF, other renderers) places the same text
    monkeypatch.setattr(_cells, "_agg_glyphs", lambda *a: None)
    np.testing.assert_array_equal(_pixels(fig_a), expected)
    plt.close(fig_a)
    plt.close(fig_b)


def test_numbers_strings_colours_and_size():
    fig_a, fig_b, artist = _pair("light")
    # "-0.0" and a -0.04 rounded to "-0.0" are written "0.0"
    assert artist.get_texts() == ["0.5", "-0.3", "2.6", "0.0", "-1.6", "0.0", "0.0", "11.0",
                                  "3.0", "0.0", "0.9", "-2.5"]
    norm = CenteredNorm(vcenter=0.0, halfrange=11.0)
    rgb = plt.get_cmap("RdBu_r")(norm(VALUES.ravel()))[:, :3]
    light = rgb @ [0.2126, 0.7152, 0.0722] > 0.5
    assert [c[:3] == (0, 0, 0) for c in artist.colors] == list(light)
    assert not all(light)                                      # 11.0 is on dark red: white
    # size: min(10 pt, 0.55 cell height, cell width / (0.62 * 4 characters)); square cells
    # of 0.34 inch (the 1.02 inch high Axes over 3 rows) make it width-bound: 9.87 pt
    cell_pt = 1.2 * 0.85 / 3 * 72
    assert artist.get_fontsize() == pytest.approx(cell_pt / (0.62 * 4))
    assert artist.get_fontsize() < min(10, 0.55 * cell_pt)
    assert sorted(cell_texts(fig_a.axes[0])) == sorted(artist.get_texts())
    assert cell_texts(fig_b.axes[0]) == []                     # plain ax.text, not numbers
    plt.close(fig_a)
    plt.close(fig_b)


def test_numbers_too_small_are_not_drawn_and_zeros_can_be_skipped():
    with theme("light"):
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(2, 1), layout="constrained")
        heatmap_grid(np.arange(400.0).reshape(20, 20), ax=ax)
        heatmap_grid(np.array([[0.0, 1.0], [2.0, 0.0]]), ax=ax2, annotate=False)
        from viz.figures import annotate_cells
        numbers = annotate_cells(ax2, np.array([[0.0, 1.0], [2.0, 0.0]]), skip_zeros=True,
                                 min_fontsize=1)
    assert cell_texts(ax) == []                                # 20x20 in one inch: colours only
    assert numbers.get_texts() == ["1.0", "2.0"]
    np.testing.assert_array_equal(numbers.x, [1, 0])
    np.testing.assert_array_equal(numbers.y, [0, 1])
    assert cell_texts(ax2) == ["1.0", "2.0"]
    plt.close(fig)


def test_svg_keeps_the_numbers_as_centred_text():
    fig_a, fig_b, _ = _pair("light")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        buf = io.StringIO()
        fig_a.savefig(buf, format="svg")
    svg = buf.getvalue()
    assert svg.count("text-anchor: middle") == VALUES.size + 1     # the numbers and the title
    for s in ("11.0", "-2.5", "0.9", "0.0"):
        assert f">{s}</text>" in svg
    plt.close(fig_a)
    plt.close(fig_b)


def test_cell_borders_at_every_edge_and_no_ticks():
    with theme("dark"):
        fig, ax = plt.subplots(figsize=(3, 3), layout="constrained")
        heatmap_grid(np.zeros((3, 5)), ax=ax, annotate=False)
    (borders,) = ax.collections
    segs = np.array(borders.get_segments())
    xs = sorted({s[0, 0] for s in segs if s[0, 0] == s[1, 0]})
    ys = sorted({s[0, 1] for s in segs if s[0, 1] == s[1, 1]})
    assert xs == [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5] and ys == [-0.5, 0.5, 1.5, 2.5]
    assert len(ax.get_xticks()) == len(ax.get_yticks()) == 0
    plt.close(fig)


def test_constrained_layout_settles_titles_inside_the_figure():
    with theme("light"):
        fig, axs = plt.subplots(1, 3, figsize=(13, 4.6), layout="constrained")
        heatmap_grid(np.arange(64.0).reshape(8, 8) - 30, ax=axs[0], title="before: top-edge map")
        axs[1].plot([0, 1], [0, 1])
        axs[1].set_aspect("equal")
        heatmap_grid(np.arange(64.0).reshape(8, 8), ax=axs[2], title="after ReLU")
    engine = fig.get_layout_engine()
    assert isinstance(engine, SettledConstrainedLayout)
    fig.savefig(io.BytesIO(), format="png", dpi=72)
    assert 2 <= engine.passes <= engine.max_passes
    renderer = fig.canvas.get_renderer()
    pad = engine.get()["h_pad"] * fig.dpi      # the margin constrained layout aims at
    for ax in axs:
        t = ax.title.get_window_extent(renderer)
        # one pass of matplotlib's layout leaves these titles touching the top edge (0.4 px)
        assert t.y1 <= fig.bbox.y1 - 0.75 * pad, ax.get_title()
    plt.close(fig)
