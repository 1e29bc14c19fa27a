"""Otavio Good's visualization: figures, the interactive explorer, the scene, the CLI."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from viz.captions import check_scene_steps
from viz.core import otavio

CONTROL = Path(__file__).parent / "control_data" / "test_otavio_scene" / "last_frame.png"


@pytest.fixture(scope="session")
def net(recorded):
    """The network from recorded weights (tools/record_test_results.py): the pictures are
    compared exactly, and live training differs across CPUs (tested in test_otavio.py)."""
    return recorded("otavio-glyphs").network()


@pytest.fixture(scope="session")
def cache_folder(net, tmp_path_factory):
    """A cache folder holding the recorded network, as ``load_otavio`` would have left it."""
    folder = tmp_path_factory.mktemp("otavio-recorded")
    assert otavio._write_cache(otavio.cache_path(net.config, folder), net)
    return folder


@pytest.fixture
def otavio_cache(cache_folder, monkeypatch):
    monkeypatch.setenv("VIZ_CACHE_DIR", str(cache_folder))
    return cache_folder


@pytest.fixture(scope="session")
def story(net):
    return otavio.otavio_story(net, steps=5)


def test_stack_figure_shows_the_trace(story):
    from viz.figures import theme
    from viz.figures.otavio import otavio_stack_figure

    t = story.first
    with theme("dark"):
        fig = otavio_stack_figure(t)
    stack = fig._viz_stack
    np.testing.assert_array_equal(stack.input_im.get_array(), t.input)
    for name in ("conv1_pre", "pool1", "conv2_pre", "pool2"):
        for c, ax in enumerate(stack.axes[name]):
            np.testing.assert_array_equal(ax.images[0].get_array(), getattr(t, name)[c])
    widths = [b.get_width() for b in stack.bars]
    np.testing.assert_allclose(widths, 100 * t.probs)
    assert "'A' wins" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="one input"):
        otavio_stack_figure(story.morph)


def test_filters_figure_shows_every_weight(story):
    from viz.figures.otavio import otavio_filters_figure

    t = story.first
    fig = otavio_filters_figure(t)
    arrays = [ax.images[0].get_array() for ax in fig.get_axes() if ax.images]
    assert len(arrays) == 2 + 8 + 40
    np.testing.assert_array_equal(arrays[0], t.kernels1[0])
    np.testing.assert_array_equal(arrays[2], t.kernels2[0, 0])      # row = input channel
    np.testing.assert_array_equal(arrays[-1], t.templates[-1, -1])
    from viz.figures import cell_texts
    texts = {s for ax in fig.get_axes() for s in cell_texts(ax)}      # the heatmaps' numbers
    assert f"{t.kernels1[0, 0, 0]:.2f}" in texts                      # numbers written in


def test_explorer_updates_every_layer(net):
    from matplotlib.backend_bases import MouseEvent

    from viz.figures.otavio import OtavioExplorer

    ex = OtavioExplorer(net)
    ex.select("D")
    assert ex.trace.prediction == "D" and ex.radio.value_selected == "D"
    ref = otavio.otavio_trace(net, otavio.sample_inputs(net, "D")["D"])
    np.testing.assert_allclose(ex.stack.axes["pool2"][0].images[0].get_array(), ref.pool2[0])
    ex.turn(30)
    assert ex.slider.val == 30 and not np.allclose(ex.trace.input, ref.input)
    ex.clear()
    assert ex.image.max() == 0
    # a mouse drag over the input paints ink, and the layers follow
    ax = ex.stack.input_ax
    ex.fig.canvas.draw()
    x, y = ax.transData.transform((10, 10))
    ex.fig.canvas.callbacks.process("button_press_event",
                                    MouseEvent("button_press_event", ex.fig.canvas, x, y, button=1))
    ex.fig.canvas.callbacks.process("button_release_event",
                                    MouseEvent("button_release_event", ex.fig.canvas, x, y, button=1))
    assert ex.image[10, 10] == 1.0 and ex.image[0, 0] == 0.0
    again = otavio.otavio_trace(net, ex.image)
    np.testing.assert_allclose(ex.stack.axes["conv1_pre"][1].images[0].get_array(),
                               again.conv1_pre[1], atol=1e-6)
    with pytest.raises(ValueError, match="no sample"):
        ex.select("Z")


def test_feature_map_block_draws_its_values():
    from viz.anim.featuremap import FeatureMap, palette_rgba, revealed

    v = np.array([[-2.0, 0.0], [1.0, 2.0]])
    m = FeatureMap(v, cell_size=0.5)
    assert len(m.cells) == 21
    drawn = {k: len(mob.points) // 16 for k, mob in enumerate(m.cells) if len(mob.points)}
    assert drawn == {0: 1, 10: 1, 15: 1, 20: 1}     # -2 -> first level, 0 -> middle, 2 -> last
    np.testing.assert_allclose(m.cell_center(1, 1) - m.cell_center(0, 0), [0.5, -0.5, 0])
    m.set_values(revealed(v, 1))
    assert sum(len(mob.points) for mob in m.cells) == 16     # only the first cell so far
    rgba = palette_rgba(v)
    assert tuple(rgba[0, 1, :3]) == (0xF7, 0xF7, 0xF7) and tuple(rgba[1, 1, :3]) == (0x1B, 0x9E, 0x77)
    with pytest.raises(ValueError, match="2-D"):
        FeatureMap(np.zeros(3))


def test_scene_renders_and_its_last_frame_matches(otavio_cache, tmp_path, request):
    """Last frame at low quality (animations skipped), compared with the stored picture."""
    from manim import tempconfig
    from PIL import Image

    from scenes.otavio import OtavioGood

    assert otavio.load_otavio().from_cache          # the scene's network: the recorded one
    with tempconfig({"quality": "low_quality", "disable_caching": True, "media_dir": str(tmp_path),
                     "save_last_frame": True, "write_to_movie": False, "format": "png",
                     "progress_bar": "none", "verbosity": "WARNING"}):
        scene = OtavioGood()
        scene.render()
        frame = np.asarray(Image.fromarray(scene.renderer.get_frame()).convert("RGB"), dtype=float)
    check_scene_steps(scene)          # the captions: every step, in order
    # the scene ends on the morph's last frame: "E" wins, and the stack shows its layers
    last = scene.story.morph.frame(len(scene.story.morph) - 1)
    assert last.prediction == "E"
    np.testing.assert_allclose(scene.input_map.values, last.input)
    np.testing.assert_allclose(scene.p2[3].values, last.pool2[3])
    win = int(np.argmax(last.probs))
    assert scene.bars[win].width == pytest.approx(2.0 * last.probs[win], rel=1e-6)
    if request.config.getoption("--set_test"):
        CONTROL.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame.astype(np.uint8)).save(CONTROL)
    control = np.asarray(Image.open(CONTROL).convert("RGB"), dtype=float)
    assert frame.shape == control.shape
    diff = np.abs(frame - control)
    # recorded weights: the same picture on any CPU, up to a rare colour level flipped by
    # float rounding in the forward pass (Manim's own tolerance is 1 level, 1e-5 of values)
    assert np.mean(diff > 1.01) < 1e-3 and diff.mean() < 0.05, (np.mean(diff > 1.01), diff.mean())


def test_cli_otavio_reports_accuracy_and_classifies(otavio_cache, tmp_path):
    from PIL import Image

    from viz.core.glyph_data import render_glyph

    pic = tmp_path / "three.png"       # dark ink on white paper, 64x64: converted by the CLI
    Image.fromarray(((1 - render_glyph("3", size=64)) * 255).astype(np.uint8)).save(pic)
    env = dict(os.environ, VIZ_CACHE_DIR=str(otavio_cache))
    r = subprocess.run([sys.executable, "-m", "viz", "otavio", "--image", str(pic)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "read from cache" in r.stdout and "prediction: 3 " in r.stdout
    r = subprocess.run([sys.executable, "-m", "viz", "otavio", "--image", str(tmp_path / "nope.png")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2 and "nope.png" in r.stderr and len(r.stderr.strip().splitlines()) == 1
