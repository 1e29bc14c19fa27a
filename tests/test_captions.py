"""Narration and captions: every scene's steps, SRT -> WebVTT, and a real render's files."""
import av
import pytest

from viz import catalog
from viz.anim.lesson import Step
from viz.captions import Cue, check_cues, check_steps, dry_run, parse_srt, srt_to_vtt

SRT = """1
00:00:00,000 --> 00:00:02,500
The input is a grid of numbers.

2
00:00:02,500 --> 00:01:03,042
Two lines
of text.
"""
FASTEST = "relu"       # the quickest scene to render for real (benchmarks/bench_render.py)


def test_srt_to_vtt_keeps_the_cues():
    vtt = srt_to_vtt(SRT)
    assert vtt == ("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\nThe input is a grid of numbers.\n\n"
                   "2\n00:00:02.500 --> 00:01:03.042\nTwo lines\nof text.\n")
    assert parse_srt(vtt) == parse_srt(SRT) == [
        Cue(0.0, 2.5, "The input is a grid of numbers."), Cue(2.5, 63.042, "Two lines\nof text.")]


def test_bad_captions_are_refused():
    with pytest.raises(ValueError, match="malformed"):
        parse_srt("1\n00:00:01 --> 00:00:02\nno milliseconds\n")
    with pytest.raises(ValueError, match="before caption 1 ends"):
        check_cues([Cue(0, 2, "a"), Cue(1.5, 3, "b")])
    with pytest.raises(ValueError, match="after the video"):
        check_cues([Cue(0, 2, "a")], duration=1.9)
    with pytest.raises(ValueError, match="ends"):
        check_cues([Cue(2, 2, "a")])


#: Scenes whose steps are checked (viz.captions.check_scene_steps) by their last-frame
#: test, which runs the whole construct anyway: no second dry run for them here.
CHECKED_BY_LAST_FRAME = {
    "conv-example": "test_scene_conv_example.py", "im2col": "test_convmatmul_scenes.py",
    "many-channels": "test_convmatmul_scenes.py", "dense-layer": "test_convmatmul_scenes.py",
    "why-nonlinear": "test_convmatmul_scenes.py", "shallow-approx": "test_convmatmul_scenes.py",
    "entropy-sheet": "test_softmax_scenes.py", "softmax-picks-one": "test_softmax_scenes.py",
    "two-labels": "test_softmax_scenes.py", "multilabel-tiles": "test_softmax_scenes.py",
    "fbeta": "test_softmax_scenes.py", "builtin-softmax": "test_builtin_softmax_scene.py",
    "lr-finder": "test_lr_finder_scene.py", "sgdr-restarts": "test_sgdr_scene.py",
    "otavio": "test_otavio_scene.py", "dataloader": "test_dataloading_scene.py",
    "architectures": "test_architectures_scene.py",
}
SCENES = [e.name for e in catalog.entries("scene")]


def test_the_last_frame_tests_check_the_steps():
    """Each scene above: its test file runs that scene's class and checks its steps."""
    from pathlib import Path
    for name, test_file in CHECKED_BY_LAST_FRAME.items():
        assert name in SCENES, name
        cls = catalog.select("scene", [name])[0].scene_class
        source = (Path(__file__).parent / test_file).read_text(encoding="utf-8")
        assert cls in source and "check_scene_steps(scene)" in source, (name, test_file)


@pytest.mark.parametrize("name", [n for n in SCENES if n not in CHECKED_BY_LAST_FRAME])
def test_every_scene_is_narrated_step_by_step(name):
    """Dry run (no frame drawn): the steps tile the whole video, each one readable."""
    steps, duration = dry_run(catalog.select("scene", [name])[0].load())
    check_steps(steps, duration)
    assert steps[-1].end == pytest.approx(duration)    # the last step ends the video


def test_bad_steps_are_refused():
    good = [Step(0.0, 2.0, "The input is a grid of numbers."),
            Step(2.0, 4.5, "Each filter slides over it, one sum of products per cell.")]
    check_steps(good, 4.5)
    cases = [([], 1.0, "no step"),
             ([Step(0.5, 2.0, good[0].narration), good[1]], 4.5, "starts at 0.500"),
             ([good[0], Step(2.1, 4.5, good[1].narration)], 4.5, "step 2 starts"),
             (good, 5.0, "the video at 5.000"),
             ([Step(0.0, 0.3, good[0].narration), Step(0.3, 4.5, good[1].narration)], 4.5, "lasts 0.30"),
             ([Step(0.0, 2.0, "Too short."), good[1]], 4.5, "20-220 characters"),
             ([Step(0.0, 2.0, "One. Two. Three sentences here."), good[1]], 4.5, "1-2 sentences"),
             ([good[0], Step(2.0, 4.5, good[0].narration)], 4.5, "the same as an earlier")]
    for steps, duration, words in cases:
        with pytest.raises(ValueError, match=words):
            check_steps(steps, duration)


def test_a_real_render_writes_srt_and_vtt_beside_the_video(tmp_path):
    from viz.export import render_scene

    entry = catalog.select("scene", [FASTEST])[0]
    video, poster = render_scene(entry, tmp_path, quality="low", poster=False)
    srt, vtt = tmp_path / f"{FASTEST}.srt", tmp_path / f"{FASTEST}.vtt"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([video.name, srt.name, vtt.name])
    cues = parse_srt(srt.read_text(encoding="utf-8"))
    with av.open(str(video)) as f:
        stream = f.streams.video[0]
        fps = float(stream.average_rate)
        seconds = stream.frames / fps
    check_cues(cues, seconds + 0.5 / fps)               # in order, no overlap, within the video
    steps, _ = dry_run(entry.load())
    assert [c.text for c in cues] == [s.narration for s in steps]    # one caption per step
    assert cues[-1].end == pytest.approx(seconds, abs=1 / fps)       # the last covers the end
    assert parse_srt(vtt.read_text(encoding="utf-8")) == cues
    assert vtt.read_text(encoding="utf-8").startswith("WEBVTT\n")
