"""``viz explain --video``: the plan (what each step says, from the numbers), the scene's
blocks (they show the trace's arrays), a real render (video, poster, captions), bad input.

Renders are tiny (160x90 at 5 frames a second) and the models are small: a hand-made
conv net whose output is made confident (its top bar is long enough to find in the
poster), LeNet-5 from ``tests/user_models`` for the plan, the no-conv MLP from there.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import av
import numpy as np
import pytest
import torch
from torch import nn

from viz.captions import check_cues, parse_srt
from viz.core.explain.trace import trace_model
from viz.explain_video import plan_video, render_explanation_video, scene_class

USER = Path(__file__).parent / "user_models"
TINY = {"resolution": (160, 90), "frame_rate": 5}
CLASSES = ("cat", "dog", "bird")


def _user(path, factory):
    spec = importlib.util.spec_from_file_location(f"user_video_{Path(path).stem}", USER / path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, factory)()


def _picture(size):
    """A bright diagonal bar on black, (1, size, size) in 0..1."""
    x = np.zeros((1, size, size), np.float32)
    for i in range(size):
        x[0, i, max(0, i - 1):i + 2] = 1.0
    return x


@pytest.fixture(scope="module")
def tiny_net():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 10, 3),
                        nn.Flatten(), nn.Linear(10 * 3 * 3, 3))
    with torch.no_grad():
        net[-1].bias.copy_(torch.tensor([0.0, 4.0, 0.0]))      # 'dog' wins clearly
    return net


@pytest.fixture(scope="module")
def tiny_trace(tiny_net):
    return trace_model(tiny_net, _picture(12))


@pytest.fixture(scope="module")
def last_frame(tiny_trace, tmp_path_factory):
    """The scene built and its last frame drawn, animations skipped (no video)."""
    from manim import tempconfig

    cls = scene_class(tiny_trace, CLASSES, title="tiny net")
    with tempconfig({"quality": "low_quality", "pixel_width": 160, "pixel_height": 90,
                     "frame_rate": 5, "disable_caching": True,
                     "media_dir": str(tmp_path_factory.mktemp("explain-frame")),
                     "save_last_frame": True, "write_to_movie": False, "format": "png",
                     "progress_bar": "none", "verbosity": "WARNING"}):
        scene = cls()
        scene.render()
        frame = np.asarray(scene.renderer.get_frame())[..., :3].astype(int)
        fw, fh = scene.camera.frame_width, scene.camera.frame_height
    return scene, frame, (fw, fh)


def _pixel(point, frame, size):
    fw, fh = size
    h, w = frame.shape[:2]
    return int((fh / 2 - point[1]) / fh * h), int((point[0] + fw / 2) / fw * w)


# ----------------------------------------------------------------------- the plan
def test_plan_of_lenet5_says_what_the_numbers_are():
    model = _user("lenet5.py", "lenet5")
    x = _picture(32)
    tr = trace_model(model, x)
    names = [f"digit {i}" for i in range(10)]
    plan = plan_video(tr, names, title="LeNet-5")
    assert [s.kind for s in plan.shots] == ["conv", "pool", "conv", "pool"]
    conv1, pool1, conv2, pool2 = plan.shots
    with torch.no_grad():                                  # the same numbers, from torch
        c1 = model[0](torch.from_numpy(x)[None])
        t1 = torch.tanh(c1)
    np.testing.assert_allclose(conv1.values, c1[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(conv1.after, t1[0].numpy(), atol=1e-6)
    assert conv1.after_ops == ("Tanh",) and pool1.after is None
    assert conv1.highlight == int(np.argmax(t1[0].numpy().reshape(6, -1).max(axis=1)))
    assert conv2.highlight < 8                             # among the 8 channels shown
    assert "6 maps of 28×28" in conv1.narration and "into -1..1" in conv1.narration
    assert "average of each 2×2 block" in pool1.narration and "28×28 to 14×14" in pool1.narration
    assert "combines all 6 maps before it into 16 new maps of 10×10" in conv2.narration
    assert (pool1.source, conv2.source, pool2.source) == (0, None, 2)
    top = int(np.argmax(tr.probabilities))
    assert plan.top == top
    assert f"'digit {top}' {100 * tr.probabilities[top]:.0f} %" in plan.output_narration
    assert "3 linear layers turn the 400 numbers into 10 scores" in plan.output_narration
    for text in plan.narrations:                           # short, one or two sentences
        assert 20 <= len(text) <= 220, text
        assert text.count(". ") <= 1, text


def test_plan_counts_what_relu_removed(tiny_net, tiny_trace):
    plan = plan_video(tiny_trace, CLASSES)
    conv1, pool, conv2 = plan.shots
    with torch.no_grad():
        pre = tiny_net[0](torch.from_numpy(_picture(12))[None])[0]
    zero = float((torch.relu(pre) == 0).float().mean())
    assert f"ReLU removes the red: {100 * zero:.0f} % of the values become 0" in conv1.narration
    assert "largest value of each 2×2 block" in pool.narration and pool.source == 0
    assert conv2.after is None and conv2.source is None
    assert plan.classes == CLASSES and plan.top == 1 and plan.rows == (0, 1, 2)
    assert plan.output_heading == f"The output: 'dog' {100 * tiny_trace.probabilities[1]:.0f} %"
    assert "layer 5 (Linear) turns the 90 numbers into 3 scores" in plan.output_narration


def test_plan_pages_and_many_classes():
    """More map steps than columns: pages; more classes than bars: the top ones."""
    torch.manual_seed(1)
    layers = [nn.Conv2d(1 if k == 0 else 2, 2, 3, padding=1) for k in range(7)]
    net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(2 * 6 * 6, 30))
    tr = trace_model(net, _picture(6))
    plan = plan_video(tr, [f"c{i}" for i in range(30)])
    assert plan.pages == ((0, 1, 2, 3, 4), (5, 6))
    assert plan.rows == tuple(np.argsort(-tr.probabilities, kind="stable")[:10])
    assert plan.class_note == "top 10 of 30 classes"


def test_plan_refuses_bad_input(tiny_trace):
    with pytest.raises(ValueError, match="classes: 2 names for 3 model outputs"):
        plan_video(tiny_trace, ["cat", "dog"])
    with pytest.raises(ValueError, match="expected a ModelTrace"):
        plan_video(np.zeros(3), CLASSES)


def test_the_verdict_says_when_the_network_is_unsure(tiny_trace):
    from dataclasses import replace

    def verdict(p):
        tr = replace(tiny_trace, probabilities=np.array(p, float))
        return plan_video(tr, CLASSES).output_narration
    assert verdict([0.1, 0.8, 0.1]).endswith("The network gives 'dog' 80 %.")
    assert verdict([0.3, 0.4, 0.3]).endswith("'dog' 40 %, hardly more than a guess (1 in 3).")
    assert verdict([0.001, 0.996, 0.003]).endswith("'dog' 100 %.")
    assert "'cat' 0.4 %" not in verdict([0.004, 0.99, 0.006])       # only the top class is said


# ----------------------------------------------------------------------- the scene
def test_picture_camera_blends_like_a_whole_frame_overlay():
    """PictureCamera blends each picture into the pixels it covers only: the same pixels as
    Manim's overlay of a frame-sized canvas, for pictures overlapping, half transparent,
    off screen."""
    from manim import tempconfig
    from PIL import Image

    from viz.anim.explain import rgba_picture
    from viz.anim.pictures import PictureCamera

    class WholeFrame(PictureCamera):
        def display_image_mobject(self, image_mobject, pixel_array):
            corners = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
            (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
            w, h = int(round(x1 - x0)), int(round(y1 - y0))
            sub = Image.fromarray(np.ascontiguousarray(image_mobject.get_pixel_array(), dtype=np.uint8))
            sub = sub.convert("RGBA").resize((w, h), resample=image_mobject.resampling_algorithm)
            canvas = Image.new("RGBA", (self.pixel_width, self.pixel_height), (0, 0, 0, 0))
            canvas.paste(sub, (int(round(x0)), int(round(y0))))
            self.overlay_PIL_image(pixel_array, canvas)

    rng = np.random.default_rng(0)
    pics = []
    for k, (x, y) in enumerate([(0, 0), (0.7, 0.4), (6.9, -3.8)]):
        rgba = rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)
        pics.append(rgba_picture(rgba, 2.1, 1.5).move_to([x, y, 0]).set_opacity(0.3 + 0.3 * k))
    frames = []
    with tempconfig({"pixel_width": 160, "pixel_height": 90}):
        for cam_cls in (WholeFrame, PictureCamera):
            cam = cam_cls()
            cam.capture_mobjects(pics)
            frames.append(cam.pixel_array.copy())
    assert frames[0].any()
    np.testing.assert_array_equal(frames[0], frames[1])


def test_the_scene_shows_the_trace_numbers(tiny_trace, last_frame):
    from viz.anim.featuremap import palette_rgba

    scene, frame, size = last_frame
    plan = scene.vplan
    assert sorted(scene.stacks) == [0, 1, 2]                # one column per map step
    conv2 = scene.shown_stacks[2]
    assert conv2.n_total == 10 and conv2.n_shown == 8 and conv2.note == "first 8 of 10 channels"
    for k, stack in scene.shown_stacks.items():             # each picture is its map's colours
        shot = plan.shots[k]
        for i, pic in enumerate(stack.maps):
            np.testing.assert_array_equal(pic.pixel_array,
                                          palette_rgba(shot.shown[i], limit=stack.limit))
    pool, relu = scene.shown_stacks[1], scene.shown_stacks[0]
    assert pool.frames[0].height == pytest.approx(relu.frames[0].height * 5 / 10)   # halved
    bars = scene.panel.bars
    p = tiny_trace.probabilities
    np.testing.assert_allclose([b.width for b in bars], np.maximum(1.4 * p, 0.01), rtol=1e-6)
    # in the last frame the top class's bar is long and green, another one short
    r, c = _pixel(bars[1].get_center(), frame, size)
    assert np.abs(frame[r, c] - [0x1B, 0x9E, 0x77]).max() < 40, frame[r, c]
    r, c = _pixel(bars[0].get_left() + [0.7, 0, 0], frame, size)     # 'cat': a short bar
    assert frame[r, c].max() < 60, frame[r, c]


def test_a_render_writes_video_poster_and_captions(tiny_trace, last_frame, tmp_path):
    out = tmp_path / "out" / "explain.mp4"
    video, poster = render_explanation_video(tiny_trace, CLASSES, out, title="tiny net", **TINY)
    assert video == out and poster == tmp_path / "out" / "explain-poster.png"
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "explain-poster.png", "explain.mp4", "explain.srt", "explain.vtt"]
    with av.open(str(video)) as f:
        stream = f.streams.video[0]
        assert (stream.width, stream.height) == (160, 90)
        seconds = stream.frames / float(stream.average_rate)
    assert stream.frames > 20
    cues = parse_srt(out.with_suffix(".srt").read_text(encoding="utf-8"))
    check_cues(cues, seconds + 0.2)                         # in order, no overlap, in time
    plan = last_frame[0].vplan
    assert [c.text for c in cues] == plan.narrations       # one caption per step, in order
    assert len(cues) == 2 + len(plan.shots)
    assert cues[-1].end == pytest.approx(seconds, abs=0.25)
    assert parse_srt(out.with_suffix(".vtt").read_text(encoding="utf-8")) == cues
    from PIL import Image
    shot = np.asarray(Image.open(poster).convert("RGB")).astype(int)
    assert shot.shape == last_frame[1].shape
    assert np.abs(shot - last_frame[1]).mean() < 1.0        # the poster is the final picture


def test_a_model_without_maps_still_gets_input_and_probabilities(tmp_path):
    tr = trace_model(_user("odd_models.py", "mlp"), _picture(28))
    assert tr.maps() == ()
    assert plan_video(tr, [str(i) for i in range(10)]).layers == (   # listed instead of maps
        "layer 0 (Flatten): 784", "layer 1 (Linear): 32", "layer 2 (ReLU): 32", "layer 3 (Linear): 10")
    video, _ = render_explanation_video(tr, [str(i) for i in range(10)], tmp_path / "mlp.mp4",
                                        **TINY)
    cues = parse_srt((tmp_path / "mlp.srt").read_text(encoding="utf-8"))
    assert len(cues) == 2 and "no convolution or pooling layers" in cues[1].text
    with av.open(str(video)) as f:
        assert f.streams.video[0].frames > 5


def test_bad_input_writes_nothing(tiny_trace, tmp_path, monkeypatch):
    out = tmp_path / "v.mp4"
    with pytest.raises(ValueError, match="classes: 4 names for 3 model outputs"):
        render_explanation_video(tiny_trace, ["a", "b", "c", "d"], out, **TINY)
    with pytest.raises(ValueError, match="unknown quality 'ultra'"):
        render_explanation_video(tiny_trace, CLASSES, out, quality="ultra")
    with pytest.raises(ValueError, match="must be an .mp4 file"):
        render_explanation_video(tiny_trace, CLASSES, tmp_path / "v.gif")
    with pytest.raises(ValueError, match="resolution"):
        render_explanation_video(tiny_trace, CLASSES, out, resolution=(161, 90))
    from scenes.explain import ExplainModel

    def broken(self, *args):
        raise RuntimeError("the renderer broke")
    monkeypatch.setattr(ExplainModel, "show_output", broken)   # fails after some frames
    with pytest.raises(RuntimeError, match="renderer broke"):
        render_explanation_video(tiny_trace, CLASSES, out, **TINY)
    assert list(tmp_path.iterdir()) == []
