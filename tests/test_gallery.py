"""The gallery page opened in headless Chromium (Debian's /usr/bin/chromium)."""
import re
import shutil

import numpy as np
import pytest
from PIL import Image

from test_build import tiny_catalog  # noqa: F401  (fixture)
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


def test_gallery_in_chromium(tmp_path, tiny_catalog):  # noqa: F811
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    assert main(["build", "--out", str(site)]) == 0
    html = (site / "index.html").read_text()
    links = re.findall(r'(?:src|href|poster)="([^"#][^"]*)"', html)
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
            page.screenshot(path=str(tmp_path / "shot.png"), full_page=True)
        finally:
            browser.close()
    assert len(media) == html.count("<img") + html.count("<video")
    assert all(m["ok"] for m in media), [m for m in media if not m["ok"]]
    shot = np.asarray(Image.open(tmp_path / "shot.png").convert("L"), dtype=float)
    assert shot.shape[1] == 1280 and shot.std() > 20          # not a blank page
