"""The conv-example scene: structure of its building block, and its last frame."""
import numpy as np
import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

from viz.anim import NumberGrid, format_number
from viz.colors import scale_colors

__module_test__ = "spreadsheet"


def test_number_grid_structure():
    values = np.arange(12.0).reshape(3, 4) - 5
    g = NumberGrid(values, cell_size=0.5)
    assert len(g.squares) == 12 and len(g.numbers) == 12
    # cells are row-major and 0-based, like numpy
    assert g.cell_center(0, 1)[0] - g.cell_center(0, 0)[0] == pytest.approx(0.5)
    assert g.cell_center(1, 0)[1] - g.cell_center(0, 0)[1] == pytest.approx(-0.5)
    assert g.width == pytest.approx(2.0, abs=0.02) and g.height == pytest.approx(1.5, abs=0.02)
    w = g.window(1, 1, 2)
    assert w.width == pytest.approx(1.0) and np.allclose(
        w.get_center()[:2], (g.cell_center(1, 1)[:2] + g.cell_center(2, 2)[:2]) / 2)
    with pytest.raises(IndexError):
        g.cell(3, 0)
    with pytest.raises(ValueError, match="2-D"):
        NumberGrid(np.zeros(3))


def test_number_glyph_matches_text_outline():
    from manim import Text

    from viz.anim import FONT, glyph
    t = Text("-0.25", font=FONT, font_size=30)
    g = glyph("-0.25", font_size=30)
    assert g.width == pytest.approx(t.width, rel=3e-3) and g.height == pytest.approx(t.height, rel=3e-3)


def test_colour_scale():
    assert scale_colors([-1, 0, 1]) == ["#2166AC", "#F7F7F7", "#B2182B"]
    assert scale_colors([0, 1], vmin=-1, vmax=1) == ["#F7F7F7", "#B2182B"]   # diverging by limits
    assert scale_colors([0, 1]) == ["#FFFFFF", "#08306B"]
    assert format_number(-0.0001) == "0.0"


@frames_comparison(last_frame=True)
def test_conv_example_last_frame(scene):
    from scenes.conv_example import ConvExample
    ConvExample.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order
