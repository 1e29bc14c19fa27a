"""Lesson scenes: steps with narration, as captions in a video and pauses in a slide deck.

A lesson scene calls :func:`step` after each idea is on screen::

    class MyScene(LessonScene):
        def construct(self):
            self.play(FadeIn(grid))
            step(self, "The input is a grid of numbers: 0 is black, 1 is white.")

``step`` does two things:

* it attaches the narration as a Manim *subcaption* covering the step (from the previous
  ``step`` to now), so every rendered movie gets an ``.srt`` beside it (Manim writes it);
* it marks a natural pause point: it calls the scene's ``lesson_pause(narration)``, which
  does nothing in a plain render (``manim`` and ``viz render`` give the continuous video)
  and starts a new slide, with the narration as speaker notes, in the deck class that
  :func:`viz.slides.deck_class` builds from the same scene class.

``step`` is a function, not only a method, so that a scene's ``construct`` can be run on
any Manim scene (the frames-comparison tests call ``SceneCls.construct(test_scene)``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .scene import Scene

#: Lowest time a step may cover, seconds (a caption shorter than this cannot be read).
MIN_STEP_SECONDS = 0.5


@dataclass(frozen=True)
class Step:
    """One step of a lesson scene: shown from ``start`` to ``end`` (seconds of video)."""

    start: float
    end: float
    narration: str


def scene_time(scene) -> float:
    """Seconds of video the scene has played so far (also when animations are skipped)."""
    return float(scene.renderer.time)


def steps_of(scene) -> list[Step]:
    """The steps a scene has marked so far (after ``render()``: all of them)."""
    return list(getattr(scene, "_lesson_steps", ()))


def step(scene, narration: str) -> Step:
    """End the step on screen: caption it with ``narration`` and mark a pause point.

    The caption covers the video from the previous step's end (or the start) to now.
    ValueError when the narration is empty or the step is shorter than MIN_STEP_SECONDS
    (a caption nobody can read, or two steps with nothing shown between them).
    """
    text = " ".join(str(narration).split())
    if not text:
        raise ValueError("a step needs a narration, got an empty string")
    steps = getattr(scene, "_lesson_steps", None)
    if steps is None:
        steps = scene._lesson_steps = []
    start = steps[-1].end if steps else 0.0
    end = scene_time(scene)
    if end - start < MIN_STEP_SECONDS:
        raise ValueError(f"step {text[:40]!r} covers {end - start:.2f} s of video "
                         f"(at least {MIN_STEP_SECONDS} s)")
    scene.add_subcaption(text, duration=end - start, offset=start - end)
    done = Step(start, end, text)
    steps.append(done)
    pause = getattr(scene, "lesson_pause", None)
    if pause is not None:
        pause(text)
    return done


class LessonScene(Scene):
    """A toolkit scene (:class:`viz.anim.Scene`) whose ``construct`` marks steps with
    :func:`step`. In a plain render a pause does nothing; :func:`viz.slides.deck_class`
    overrides :meth:`lesson_pause` to start a new slide."""

    def lesson_pause(self, narration: str) -> None:
        """Called by :func:`step` after each step; a plain render does not pause."""

    @property
    def lesson_steps(self) -> list[Step]:
        return steps_of(self)
