"""Slide decks: one slide per step, narration as speaker notes, offline HTML in Chromium, PDF."""
import shutil

import pytest
from manim import BLUE, LEFT, ORANGE, RIGHT, Circle, Create, FadeIn, Square

from viz import catalog
from viz.anim.lesson import LessonScene, step
from viz.cli import main

pytest.importorskip("manim_slides")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NARRATION = ("A circle appears: the first idea.", "A square joins it: the second idea.",
             "Both move apart: the third idea.")


class ThreeSteps(LessonScene):
    """A lesson scene in three steps (small, so the deck renders in a second or two)."""

    def construct(self):
        c = Circle(color=BLUE, fill_opacity=1)
        self.play(Create(c), run_time=0.6)
        step(self, NARRATION[0])
        s = Square(color=ORANGE).shift(2 * RIGHT)
        self.play(FadeIn(s), run_time=0.6)
        step(self, NARRATION[1])
        self.play(c.animate.shift(2 * LEFT), run_time=0.6)
        step(self, NARRATION[2])


@pytest.fixture
def lesson_catalog(monkeypatch):
    entry = catalog.Entry("three-steps", "Three steps", "A circle, a square, apart.",
                          f"{__name__}:ThreeSteps", kind="scene", topic="spreadsheet")
    monkeypatch.setattr(catalog, "entries", lambda kind=None: [entry] if kind in (None, "scene") else [])
    return entry


def test_a_deck_class_is_the_scene_plus_slide():
    from manim_slides import Slide

    from scenes.convmatmul_nonlin import Relu
    from viz.slides import deck_class

    deck = deck_class(Relu)
    assert issubclass(deck, Slide) and issubclass(deck, Relu) and deck.__name__ == "Relu"
    assert deck.lesson_pause is not LessonScene.lesson_pause     # a pause starts a slide
    assert Relu.lesson_pause is LessonScene.lesson_pause         # a plain render never pauses


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_deck_opens_offline_in_chromium_one_slide_per_step(tmp_path, lesson_catalog):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "decks"
    assert main(["slides", "three-steps", "--out", str(out)]) == 0
    deck = out / "three-steps.html"
    html = deck.read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html and 'src="reveal.js/dist/reveal.js"' in html
    assert (out / "reveal.js" / "dist" / "reveal.js").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["reveal.js", "three-steps.html"]

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 960, "height": 540})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("http*://**", lambda r: (requests.append(r.request.url), r.abort()))
            page.goto(deck.as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=10_000)
            total = page.evaluate("Reveal.getTotalSlides()")
            notes = page.evaluate("[...document.querySelectorAll('aside.notes')]"
                                  ".map(a => a.textContent.trim())")
            page.keyboard.press("ArrowRight")
            page.wait_for_function("Reveal.getIndices().h === 1", timeout=5_000)
            playing = page.evaluate("(() => { const v = document.querySelector("
                                    "'.present.slide-background video, .slide-background.present video');"
                                    " return v ? v.readyState : -1; })()")
        finally:
            browser.close()
    assert total == len(NARRATION)
    assert notes == list(NARRATION)                  # speaker notes from the narration
    assert errors == [] and requests == []           # no console error, no network
    assert playing != -1                             # the second slide has its video


def test_pdf_backup_has_one_page_per_step(tmp_path, lesson_catalog):
    import re

    assert main(["slides", "--out", str(tmp_path), "--format", "pdf"]) == 0
    pdf = (tmp_path / "three-steps.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == len(NARRATION)


def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, lesson_catalog):
    out = tmp_path / "none"
    assert main(["slides", "--out", str(out), "--format", "pptx"]) == 2
    assert main(["slides", "nope", "--out", str(out)]) == 2
    assert main(["slides", "--out", str(out), "--quality", "best"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "pptx" in err[0] and "nope" in err[1] and "best" in err[2]
    assert not out.exists()
