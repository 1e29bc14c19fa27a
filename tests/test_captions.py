"""Narration and captions: every scene's steps, SRT -> WebVTT, and a real render's files."""
import av
import pytest

from viz import catalog
from viz.anim.lesson import MIN_STEP_SECONDS
from viz.captions import Cue, check_cues, dry_run, parse_srt, srt_to_vtt

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


def _sentences(text):
    return sum(text.count(m) for m in (". ", "? ", "! ")) + 1


@pytest.mark.parametrize("name", [e.name for e in catalog.entries("scene")])
def test_every_scene_is_narrated_step_by_step(name):
    """Dry run (no frame drawn): the steps tile the whole video, each one readable."""
    steps, duration = dry_run(catalog.select("scene", [name])[0].load())
    assert steps, f"{name} marks no step"
    assert steps[0].start == 0.0
    for a, b in zip(steps, steps[1:]):
        assert b.start == a.end                         # back to back: no gap, no overlap
    assert steps[-1].end == pytest.approx(duration)    # the last step ends the video
    for s in steps:
        assert s.end - s.start >= MIN_STEP_SECONDS
        assert 20 <= len(s.narration) <= 220 and _sentences(s.narration) <= 2, s.narration
    assert len({s.narration for s in steps}) == len(steps)        # no step said twice
    check_cues([Cue(s.start, s.end, s.narration) for s in steps], duration)


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
