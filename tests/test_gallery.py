"""The gallery page opened in headless Chromium (Debian's /usr/bin/chromium)."""
import re
import shutil

import numpy as np
import pytest
from PIL import Image

from manim import BLUE, Circle, Create
from test_build import tiny_catalog  # noqa: F401  (fixture)

from viz import catalog
from viz.anim.lesson import LessonScene, step
from viz.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.chromium,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

CHECK_MEDIA = """() => Promise.all([
  ...[...document.images].map(img => img.decode().then(
        () => ({src: img.src, ok: img.naturalWidth > 0}), () => ({src: img.src, ok: false}))),
  ...[...document.querySelectorAll('video')].map(v => new Promise(res => {
        const done = ok => res({src: v.src, ok: ok && v.videoWidth > 0, poster: v.poster});
        if (v.readyState >= 2) return done(true);
        v.addEventListener('loadeddata', () => done(true));
        v.addEventListener('error', () => done(false));
        v.preload = 'auto'; v.load();
  }))])"""


CHECK_TRACKS = """() => Promise.all([...document.querySelectorAll('video track')].map(t => new Promise(res => {
  const done = () => res({state: t.readyState, cues: t.track.cues ? t.track.cues.length : 0,
                          kind: t.kind, lang: t.srclang, mode: t.track.mode});
  if (t.readyState >= 2) return done();
  t.addEventListener('load', done); t.addEventListener('error', done);
  t.track.mode = 'showing';
})))"""
NARRATION = "A circle is drawn: the whole idea in one step."


class NarratedTiny(LessonScene):
    def construct(self):
        self.play(Create(Circle(color=BLUE, fill_opacity=1, radius=2)), run_time=0.5)
        step(self, NARRATION)


@pytest.fixture
def narrated_catalog(tiny_catalog, monkeypatch):  # noqa: F811
    """The tiny catalog, its scene narrated (so it has captions), without the broken one."""
    real = catalog.entries

    def entries(kind=None):
        return [catalog.Entry(e.name, e.title, e.caption, f"{__name__}:NarratedTiny", e.kind, e.topic)
                if e.name == "tiny" else e for e in real(kind) if e.name != "broken"]
    monkeypatch.setattr(catalog, "entries", entries)


def test_gallery_in_chromium(tmp_path, narrated_catalog):
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    (site / "slides").mkdir(parents=True)
    (site / "slides" / "tiny.html").write_text("<!DOCTYPE html><title>deck</title>")  # viz slides'
    assert main(["build", "--out", str(site)]) == 0
    html = (site / "index.html").read_text()
    assert 'href="slides/tiny.html"' in html                     # the deck is linked
    assert (site / "videos" / "tiny.srt").is_file() and (site / "videos" / "tiny.vtt").is_file()
    links = re.findall(r'(?:src|href|poster)="(?!data:)([^"#][^"]*)"', html)
    assert links, "no links in the page"
    for rel in links:
        assert (site / rel.split("#")[0]).is_file(), f"broken link: {rel}"
    assert 'href="explorer/index.html"' in html and 'href="explorer/index.html#panel-convexample"' in html

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((site / "index.html").as_uri())
            media = page.evaluate(CHECK_MEDIA)
            tracks = page.evaluate(CHECK_TRACKS)
            cue = page.evaluate("document.querySelector('video track').track.cues[0].text")
            page.screenshot(path=str(tmp_path / "shot.png"), full_page=True)
        finally:
            browser.close()
    assert len(media) == html.count("<img") + html.count("<video")
    assert all(m["ok"] for m in media), [m for m in media if not m["ok"]]
    assert len(tracks) == html.count("<video") == 1           # a captions track on every video
    assert tracks == [{"state": 2, "cues": 1, "kind": "captions", "lang": "en", "mode": "showing"}]
    assert cue == NARRATION
    shot = np.asarray(Image.open(tmp_path / "shot.png").convert("L"), dtype=float)
    assert shot.shape[1] == 1280 and shot.std() > 20          # not a blank page
