"""Convolution-as-matmul scenes: last frames against stored control data, and the blocks.

Write the control data once with ``pytest tests/test_convmatmul_scenes.py --set_test``.
"""
from __future__ import annotations

import numpy as np
import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from viz.captions import check_scene_steps

from scenes.convmatmul import DenseLayer, Im2Col, ManyChannels
from scenes.convmatmul_nonlin import ShallowApprox, WhyNonlinear
from viz.anim.matrix import MatrixBlock, TileGrid

__module_test__ = "test_convmatmul_scenes"


@frames_comparison
def test_im2col_last_frame(scene):
    Im2Col.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@frames_comparison
def test_many_channels_last_frame(scene):
    ManyChannels.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@frames_comparison
def test_dense_layer_last_frame(scene):
    DenseLayer.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@frames_comparison
def test_why_nonlinear_last_frame(scene):
    WhyNonlinear.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


@pytest.fixture(autouse=True)
def recorded_fit(monkeypatch, recorded):
    """ShallowApprox draws the recorded fit (tests/data/recorded/shallow-relu.npz): a live
    one differs across CPUs; it is tested by thresholds in test_convmatmul.py."""
    from viz.core import convmatmul_nonlin as nl
    fit = recorded("shallow-relu")
    monkeypatch.setattr(nl, "train_shallow_relu", lambda **kw: fit)
    return fit


@frames_comparison
def test_shallow_approx_last_frame(scene):
    ShallowApprox.construct(scene)
    check_scene_steps(scene)     # the captions: every step, in order


def test_matrix_block_getters():
    values = np.arange(12.0).reshape(3, 4)
    m = MatrixBlock(values, cell_size=0.5, fmt="{:.0f}")
    assert len(m.row(1)) == 4 and len(m.column(2)) == 3 and len(m.brackets) == 2
    np.testing.assert_allclose(m.row_frame(1).width, 4 * 0.5)
    np.testing.assert_allclose(m.column_frame(0).height, 3 * 0.5)
    np.testing.assert_allclose(m.row_frame(2).get_center(), m.row(2).get_center(), atol=1e-9)
    assert len(MatrixBlock(values, brackets=False).brackets) == 0
    with pytest.raises(IndexError):
        m.cell(3, 0)


def test_tile_grid_marks_padding_and_taps():
    from viz.core.convmatmul import conv2d_im2col

    conv = conv2d_im2col(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding=1)
    tiles = TileGrid(conv.padded.shape[1:], mask=conv.padding_mask)
    assert len(tiles) == 49
    marks = tiles.marks(conv.window(4))
    assert len(marks) == 9
    np.testing.assert_allclose(marks[0].get_center(), tiles.tile(2, 2).get_center())
