"""``viz figures``, ``viz render`` and ``viz build`` end to end (a tiny scene stands in
for the real ones, which have their own frame tests)."""
import av
import numpy as np
import pytest
from manim import BLUE, Circle, Create, Scene
from PIL import Image

from viz import catalog
from viz.cli import main


class TinyScene(Scene):
    def construct(self):
        self.play(Create(Circle(color=BLUE, fill_opacity=1, radius=2)), run_time=0.5)


@pytest.fixture
def tiny_catalog(monkeypatch):
    """The real conv-example figure plus a tiny scene."""
    real = catalog.entries
    fig = [e for e in real("figure") if e.name == "conv-example"]
    scene = catalog.Entry("tiny", "A tiny scene", "A circle is drawn.", f"{__name__}:TinyScene",
                          kind="scene", topic="spreadsheet")
    broken = catalog.Entry("broken", "A broken scene", "Its class does not exist.",
                           f"{__name__}:NoSuchScene", kind="scene", topic="spreadsheet")

    def entries(kind=None):
        out = fig + [scene, broken]
        return [e for e in out if kind is None or e.kind == kind]
    monkeypatch.setattr(catalog, "entries", entries)
    return fig + [scene]


def _nonblank(path):
    a = np.asarray(Image.open(path).convert("L"), dtype=float)
    return a.std() > 10


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_figures_command_writes_requested_format(tmp_path, fmt):
    assert main(["figures", "conv-example", "--out", str(tmp_path), "--format", fmt, "--size", "11x4.25",
                 "--dpi", "100"]) == 0
    out = tmp_path / f"conv-example.{fmt}"
    assert out.exists() and out.stat().st_size > 10_000
    assert [p.name for p in tmp_path.iterdir()] == [out.name]      # no temp files left
    if fmt == "png":
        assert Image.open(out).size == (1100, 425)
        assert _nonblank(out)
    elif fmt == "svg":
        assert out.read_text()[:200].lstrip().startswith("<?xml") and "258.7376267" in out.read_text()
    else:
        assert out.read_bytes()[:5] == b"%PDF-"


def test_dark_theme_differs(tmp_path):
    main(["figures", "conv-example", "--out", str(tmp_path / "l"), "--dpi", "30"])
    main(["figures", "conv-example", "--out", str(tmp_path / "d"), "--dpi", "30", "--theme", "dark"])
    light = np.asarray(Image.open(tmp_path / "l" / "conv-example.png").convert("L"), float)
    dark = np.asarray(Image.open(tmp_path / "d" / "conv-example.png").convert("L"), float)
    assert light[2, 2] > 200 and dark[2, 2] < 50


def test_render_and_build(tmp_path, tiny_catalog, capsys):
    assert main(["render", "tiny", "--out", str(tmp_path / "v"), "--quality", "low"]) == 0
    video = tmp_path / "v" / "tiny.mp4"
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        assert (s.codec_context.width, s.codec_context.height) == (854, 480)
        assert sum(1 for _ in c.decode(video=0)) >= 7      # 0.5 s at 15 fps
    assert _nonblank(tmp_path / "v" / "tiny-poster.png")

    # figures and scenes in two processes; the broken scene is named, the rest is built
    assert main(["build", "--out", str(tmp_path / "site"), "--jobs", "2"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("viz:")]
    assert err == [f"viz: error: scene broken: AttributeError: module '{__name__}' has no "
                   "attribute 'NoSuchScene'"]
    site = tmp_path / "site"
    assert sorted(p.name for p in (site / "videos").iterdir()) == ["tiny-poster.png", "tiny.mp4"]
    html = (site / "index.html").read_text()
    assert "broken" not in html
    for rel in ["figures/conv-example.png", "figures/conv-example-dark.png", "videos/tiny.mp4",
                "videos/tiny-poster.png"]:
        assert (site / rel).exists() and f'"{rel}"' in html
    assert "viz figures conv-example" in html and "viz render tiny" in html
    assert "manim -ql " in html and " TinyScene" in html
    assert "The conv-example spreadsheet" in html


def test_build_bad_quality(tmp_path):
    from viz.build import build
    with pytest.raises(ValueError, match="quality 'best'"):
        build(tmp_path, quality="best")
