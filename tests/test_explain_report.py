"""viz explain's figures and report: the figures show the trace's own numbers, the report is
written end to end through ``viz.cli.main`` for models the toolkit did not write, and every
bad input ends with exit 2, one line and no output folder."""
import contextlib
import io
import json
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import viz.explain_report as report  # noqa: E402
from viz.cli import main  # noqa: E402
from viz.colors import CATEGORICAL  # noqa: E402
from viz.core.explain import load_factory, trace_model  # noqa: E402
from viz.figures import explain as fx  # noqa: E402
from viz.figures import theme  # noqa: E402

MODELS = Path(__file__).parent / "user_models"
LENET = f"{MODELS / 'lenet5.py'}:lenet5"
MNIST = f"{MODELS / 'mnist_example.py'}:make"


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from PIL import Image
    d = tmp_path_factory.mktemp("explain-inputs")
    rng = np.random.default_rng(0)
    digit = np.zeros((40, 30), np.uint8)
    digit[8:32, 12:18] = 255                          # a light "1" on black
    Image.fromarray(digit).save(d / "digit.png")
    (d / "garbage.png").write_bytes(bytes(rng.integers(0, 256, 300, dtype=np.uint8)))
    data = d / "data"
    for c in range(10):
        (data / f"c{c}").mkdir(parents=True)
        for i in range(2):
            Image.fromarray((rng.random((20, 20)) * 255).astype(np.uint8)).save(data / f"c{c}" / f"{i}.png")
    (d / "empty" / "a").mkdir(parents=True)
    (d / "empty" / "b").mkdir()
    (d / "one" / "only").mkdir(parents=True)
    Image.fromarray(digit).save(d / "one" / "only" / "x.png")
    model, _ = load_factory(LENET)
    sd = model.state_dict()
    sd["classifier.weight"] = sd.pop("7.weight")           # a key the model does not have
    torch.save(sd, d / "wrong.pt")
    torch.save(model.state_dict(), d / "good.pt")
    return d


@pytest.fixture(scope="module")
def lenet_trace(files):
    from viz.core.explain import convert_input, read_picture
    model, _ = load_factory(LENET)
    x, _ = convert_input(read_picture(files / "digit.png"), (1, 32, 32))
    return model, trace_model(model, x)


@pytest.fixture
def light_only(monkeypatch):
    """One theme at a low resolution (both themes are checked once, for LeNet)."""
    monkeypatch.setattr(report, "THEMES", ("light",))
    monkeypatch.setattr(report, "DPI", 40)


def _tiny_explanation():
    """A 1x8x8 conv net's explanation: one of each figure, quickly."""
    from viz.core.explain import explain
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(18, 3))
    return explain(model, np.eye(8, dtype=np.uint8) * 255, label="tiny.py:net", source="eye.png",
                   input_size=(1, 8, 8))


# ---------------------------------------------------------------------------- figures
def test_activation_stack_shows_each_channel_on_one_symmetric_scale(lenet_trace):
    _, tr = lenet_trace
    step = tr["3"]                                      # conv 2: 16 x 10 x 10
    with theme("light"):
        fig = fx.activation_stack_figure(tr, "3")
    image = fig.axes[0].images[0]
    arr = np.ma.filled(image.get_array(), np.nan)
    assert len(image.viz_origins) == 16
    for c, (y, x) in enumerate(image.viz_origins):
        np.testing.assert_array_equal(arr[y:y + 10, x:x + 10], step.output[c])
    limit = float(np.abs(step.output).max())
    assert image.get_clim() == pytest.approx((-limit, limit))
    assert np.isnan(arr).sum() == arr.size - 16 * 100     # only gaps besides the maps
    assert "16×10×10" in fig._suptitle.get_text() and "page" not in fig._suptitle.get_text()
    plt.close(fig)


def test_a_wide_layer_is_paged_with_the_whole_layers_scale():
    model, _ = load_factory(MNIST)
    x = np.random.default_rng(1).random((1, 28, 28)).astype(np.float32)
    tr = trace_model(model, x)
    conv2 = tr["conv2"]                                 # 64 channels
    with theme("dark"):
        fig = fx.activation_stack_figure(tr, conv2, page=1)
    image = fig.axes[0].images[0]
    arr = np.ma.filled(image.get_array(), np.nan)
    y, x0 = image.viz_origins[0]
    np.testing.assert_array_equal(arr[y:y + 24, x0:x0 + 24], conv2.output[16])
    limit = float(np.abs(conv2.output).max())           # all 64 channels, not this page's 16
    assert image.get_clim() == pytest.approx((-limit, limit))
    assert "channels 17-32 of 64 (page 2 of 4)" in fig._suptitle.get_text()
    assert fx.pages(64) == 4 and fx.channel_note(6) == ""
    plt.close(fig)
    with pytest.raises(ValueError, match="page 4 is out of range"):
        fx.activation_stack_figure(tr, conv2, page=4)
    with pytest.raises(ValueError, match="not a stack of maps"):
        fx.activation_stack_figure(tr, next(s for s in tr.steps if s.kind == "flatten"))


def test_input_figure_shows_the_input_as_the_model_sees_it(lenet_trace):
    _, tr = lenet_trace
    with theme("light"):
        fig = fx.input_figure(tr)
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), tr.input[0])
    assert "1×32×32 (gray)" in fig._suptitle.get_text()
    plt.close(fig)
    rgb = np.random.default_rng(2).random((3, 8, 6)).astype(np.float32)
    tr3 = trace_model(torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3), torch.nn.Flatten()), rgb)
    with theme("light"):
        fig = fx.input_figure(tr3)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), np.moveaxis(rgb, 0, -1))
    plt.close(fig)


def test_filters_figure_draws_the_weight_array():
    w = np.random.default_rng(3).normal(size=(40, 12, 3, 3))
    with theme("light"):
        fig = fx.filters_figure("conv2", w)
    image = fig.axes[0].images[0]
    arr = np.ma.filled(image.get_array(), np.nan)
    assert set(image.viz_origins) == {(o, i) for o in range(32) for i in range(8)}
    for (o, i), (y, x) in image.viz_origins.items():
        np.testing.assert_array_equal(arr[y:y + 3, x:x + 3], w[o, i])
    m = float(np.abs(w[:32, :8]).max())
    assert image.get_clim() == pytest.approx((-m, m))
    title = fig._suptitle.get_text()
    assert "40 filters of 12×3×3" in title and "first 32 of 40 filters" in title
    assert "first 8 of 12 input channels" in title
    plt.close(fig)
    with pytest.raises(ValueError, match="must be \\(out, in, kh, kw\\)"):
        fx.filters_figure("fc", np.zeros((3, 4)))


def test_probabilities_figure_sorts_highlights_and_labels():
    p = np.array([0.05, 0.6, 0.1, 0.25])
    with theme("light"):
        ax = fx.probabilities_figure(p, ["a", "b", "c", "d"], top=3)
    bars = ax.patches
    assert [b.get_width() for b in bars] == pytest.approx([60, 25, 10])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "d", "c"]
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) == CATEGORICAL[2].lower()
    assert len({matplotlib.colors.to_hex(b.get_facecolor()) for b in bars[1:]}) == 1
    assert [t.get_text() for t in ax.texts] == ["60.0%", "25.0%", "10.0%"]
    assert "top 3 of 4" in ax.get_title() and "b (60.0%)" in ax.get_title()
    plt.close(ax.figure)
    with theme("dark"):                                  # names are text, never mathtext
        ax = fx.probabilities_figure([0.5, 0.5], ["$5 bill", "a_b^c $x"])
        ax.figure.savefig(io.BytesIO(), format="png")
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="4 probabilities but 3 class names"):
        fx.probabilities_figure(p, ["a", "b", "c"])


# ---------------------------------------------------------------------------- reports
def _figures_of(out: Path, themes=("light", "dark")):
    html = (out / "index.html").read_text(encoding="utf-8")
    stems = sorted(p.stem for p in (out / "figures").glob("*.svg"))
    for stem in stems:
        assert f'src="figures/{stem}.png"' in html
        assert (out / "figures" / f"{stem}.png").stat().st_size > 1000
        if "dark" in themes:
            assert (out / "figures" / f"{stem}-dark.png").is_file()
    return html, stems


def test_lenet_report_with_data(files, tmp_path, monkeypatch):
    import functools

    import viz.core.explain.run as run_module
    monkeypatch.setattr(report, "DPI", 40)              # both themes, at a low resolution
    monkeypatch.setattr(run_module, "explain_lr_find",  # a short range test
                        functools.partial(run_module.explain_lr_find, num_iter=30))
    out = tmp_path / "lenet"
    rc, stdout, err = run(["explain", LENET, "--input", str(files / "digit.png"), "--data",
                           str(files / "data"), "--weights", str(files / "good.pt"), "--out", str(out)])
    assert rc == 0, err
    lines = stdout.splitlines()
    assert lines[0].startswith("input: digit.png, 30x40") and "1x32x32" in lines[0]
    assert lines[-1] == str(out / "index.html")
    html, stems = _figures_of(out)
    assert stems == sorted(["architecture", "input", "maps-01-0", "maps-02-2", "maps-03-3",
                            "maps-04-5", "filters-01-0", "filters-02-3", "probabilities", "lr-find"])
    assert lines[0].replace("->", "-&gt;") in html                 # the conversion line
    assert 'prefers-color-scheme: dark' in html and "<script" not in html
    assert "http://" not in html and "https://" not in html       # nothing from the network
    for name in ("Conv2d-2", "AvgPool2d-1", "61,706", "steepest", "valley", "c0", "30 batches"):
        assert name in html
    assert json.loads((out / "summary.json").read_text())["Conv2d-1"]["nb_params"] == 156
    assert (out / "explorer" / "index.html").is_file() and 'href="explorer/index.html"' in html
    mark = json.loads((out / report.MARK).read_text())
    assert mark["generator"] == "viz explain" and "figures/lr-find.svg" in mark["files"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp folder left


def test_mnist_example_report(files, tmp_path, light_only, monkeypatch):
    monkeypatch.setattr(report, "MAX_PAGES", 2)         # 16 + 16 channels drawn a layer
    out = tmp_path / "mnist"
    rc, stdout, err = run(["explain", MNIST, "--input", str(files / "digit.png"), "--classes",
                           "zero,one,two,three,four,five,six,seven,eight,nine", "--out", str(out)])
    assert rc == 0, err
    html, stems = _figures_of(out, themes=("light",))
    # conv1 32 channels: 2 pages; conv2 and max_pool2d 64: 4 pages each, 2 drawn
    assert sum(s.startswith("maps-01-conv1") for s in stems) == 2
    assert sum(s.startswith("maps-02-conv2") for s in stems) == 2
    assert sum(s.startswith("maps-03-max-pool2d") for s in stems) == 2
    assert "channels 17-32 of 32" in html and "channels 17-32 of 64" in html
    assert "Channels 33-64 of conv2 are not drawn" in html and "log-probabilities" in html
    assert "F.max_pool2d" in html and "torch.flatten" in html      # functional steps listed
    assert "seven" in html and "lr-find" not in html


def test_residual_model_report_says_what_cannot_run_in_the_browser(files, tmp_path, light_only):
    out = tmp_path / "res"
    rc, _, err = run(["explain", f"{MODELS / 'resnet_block.py'}:build", "--input",
                      str(files / "digit.png"), "--out", str(out)])
    assert rc == 0, err
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "cannot run in the browser" in html and "add" in html
    assert not (out / "explorer").exists()
    assert "Activation maps" in html and "filters-" in html        # everything else is there


def test_model_without_conv_layers_and_a_report_replaced(files, tmp_path, light_only):
    out = tmp_path / "mlp"
    argv = ["explain", f"{MODELS / 'odd_models.py'}:mlp", "--input", str(files / "digit.png"),
            "--out", str(out)]
    assert run(argv)[0] == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "no convolution or pooling layer" in html and "no convolution layers" in html
    assert "maps-" not in html and "filters-" not in html
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "figures" / "stale.png").write_bytes(b"old")
    assert run(argv)[0] == 0                                # a previous report is replaced ...
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert second == first                                 # ... by the same bytes, stale file gone


def test_a_failure_while_writing_leaves_the_previous_report(files, tmp_path, light_only,
                                                             monkeypatch):
    out = tmp_path / "report"
    argv = ["explain", f"{MODELS / 'odd_models.py'}:mlp", "--input", str(files / "digit.png"),
            "--out", str(out)]
    assert run(argv)[0] == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise ValueError("the figure failed")
    monkeypatch.setattr(fx, "probabilities_figure", broken)
    rc, _, err = run(argv)
    assert rc == 2 and err.strip() == "viz: error: the figure failed"
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]        # no temporary folder left


def test_video_is_embedded_with_poster_and_captions(tmp_path, light_only):
    ex = _tiny_explanation()
    (tmp_path / "v.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (tmp_path / "v-poster.png").write_bytes(b"png")
    (tmp_path / "v.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nconv <1> & pool\n")
    index = report.write_report(ex, tmp_path / "r", video=(tmp_path / "v.mp4", tmp_path / "v-poster.png"),
                                explorer="a reason <b>", progress=False)
    html = index.read_text(encoding="utf-8")
    assert 'src="video/explain.mp4"' in html and 'poster="video/explain-poster.png"' in html
    assert 'src="data:text/vtt;charset=utf-8,WEBVTT' in html and "%3C1%3E%20%26" in html
    assert "a reason &lt;b&gt;" in html
    assert (tmp_path / "r" / "video" / "explain.vtt").is_file()


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("case, needle", [
    ("missing file", "not found"),
    ("factory raises", "models.yaml is missing"),
    ("not a model", "not a torch.nn.Module"),
    ("wrong weights", "classifier.weight"),
    ("unreadable picture", "garbage.png"),
    ("missing picture", "no-such.png"),
    ("no images", "no pictures"),
    ("one class", "only one class"),
    ("classes mismatch", "3 class names"),
    ("no model", "give the model"),
    ("no input", "--input"),
    ("folder not a report", "not a viz explain report"),
    ("bad input size", "--input-size"),
])
def test_bad_input_exits_2_with_one_line_and_no_output(case, needle, files, tmp_path):
    out = tmp_path / "new" / "report"
    pic = ["--input", str(files / "digit.png")]
    argv = {
        "missing file": [f"{tmp_path / 'nofile.py'}:make", *pic],
        "factory raises": [f"{MODELS / 'odd_models.py'}:broken", *pic],
        "not a model": [f"{MODELS / 'odd_models.py'}:not_a_model", *pic],
        "wrong weights": [LENET, *pic, "--weights", str(files / "wrong.pt")],
        "unreadable picture": [LENET, "--input", str(files / "garbage.png")],
        "missing picture": [LENET, "--input", str(files / "no-such.png")],
        "no images": [LENET, *pic, "--data", str(files / "empty")],
        "one class": [LENET, *pic, "--data", str(files / "one")],
        "classes mismatch": [LENET, *pic, "--classes", "a,b,c"],
        "no model": pic,
        "no input": [LENET],
        "folder not a report": [LENET, *pic],
        "bad input size": [LENET, *pic, "--input-size", "1", "0", "28"],
    }[case]
    if case == "folder not a report":
        out = tmp_path / "mine"
        out.mkdir()
        (out / "notes.txt").write_text("keep me")
    rc, stdout, err = run(["explain", *argv, "--out", str(out)])
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert needle in lines[0], lines[0]
    if case == "folder not a report":
        assert [p.name for p in out.iterdir()] == ["notes.txt"]
    else:
        assert not (tmp_path / "new").exists()
    assert not [p for p in tmp_path.rglob(".*")]


def test_help_says_the_model_file_is_run(capsys):
    rc = main(["explain", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert rc == 0 and "imported and run as Python code" in text and "only because you asked" in text


# ---------------------------------------------------------------------------- in Chromium
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_report_opens_offline_from_file_in_light_and_dark(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(report, "DPI", 40)
    ex = _tiny_explanation()
    index = report.write_report(ex, tmp_path / "r", explorer="no page", progress=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for scheme, suffix in (("light", "/maps-01-0.png"), ("dark", "/maps-01-0-dark.png")):
                ctx = browser.new_context(offline=True, color_scheme=scheme)
                failed = []
                ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                          else (failed.append(r.request.url), r.abort()))
                page = ctx.new_page()
                page.on("requestfailed", lambda r: failed.append(r.url))
                page.goto(index.as_uri())
                page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
                page.wait_for_function("[...document.images].every(i => i.complete)")
                shown = page.evaluate("[...document.images].map(i => [i.currentSrc, i.naturalWidth])")
                assert failed == [] and all(w > 0 for _, w in shown), (failed, shown)
                assert any(src.endswith(suffix) for src, _ in shown), shown
                ctx.close()
        finally:
            browser.close()
