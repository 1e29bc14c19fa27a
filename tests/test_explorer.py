"""The live explorer (panels 1-2 and the shell) in headless Chromium, opened from file://
with every non-file request aborted: strokes drawn with the mouse, pictures uploaded and
weights typed; every layer the page computes is compared with the torch models run on the
pixels read back from the page (float64 models: 1e-5, in practice ~1e-13)."""
import copy
import dataclasses
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.chromium,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOL = dict(rtol=0, atol=1e-5)


# ------------------------------------------------------------------ torch references
def torch_convexample(x, conv1=None, conv2=None):
    from viz.core.spreadsheet import load_conv_example, trace_conv_example
    p = load_conv_example().replace(input=np.asarray(x, float), conv1=conv1, conv2=conv2)
    return trace_conv_example(p)


@pytest.fixture(scope="module")
def otavio_net(recorded):
    """Otavio's network from recorded weights (tests/data/recorded: no training here)."""
    return recorded("otavio-glyphs").network()


@pytest.fixture(scope="module")
def otavio64(otavio_net):
    """The Otavio net in float64 (the page computes in float64) and as trained (float32)."""
    return dataclasses.replace(otavio_net, model=copy.deepcopy(otavio_net.model).double()), otavio_net


def assert_convexample(layers, trace):
    for key, ref in (("conv1_pre", trace.conv1_pre), ("conv1", trace.conv1), ("relu1", trace.conv1),
                     ("conv2_pre", trace.conv2_pre), ("conv2", trace.conv2), ("relu2", trace.conv2),
                     ("pool", trace.pool)):
        np.testing.assert_allclose(np.array(layers[key]), ref, **TOL, err_msg=key)
    assert layers["dense"] == pytest.approx(trace.dense, abs=1e-5)


# ------------------------------------------------------------------ the page
@pytest.fixture(scope="module")
def site(tmp_path_factory, otavio_net):
    from viz.core.explorer_data import export_all
    from viz.explore import write_explorer
    return write_explorer(tmp_path_factory.mktemp("explorer"), data=export_all(otavio_net=otavio_net))


@pytest.fixture(scope="module")
def session(site):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
        errors, requests = [], []

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                requests.append(r.request.url)
                r.abort()
        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else requests.append(r.url))
        page.goto(site.as_uri())
        page.wait_for_function("window.vizTest && vizTest.convexample && vizTest.otavio")
        yield {"page": page, "errors": errors, "requests": requests, "dir": site.parent, "ctx": ctx}
        browser.close()


def stroke(page, canvas, points, steps=6):
    """Drag the mouse through ``points`` given as fractions (x, y) of the canvas."""
    box = canvas.bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for p in xy[1:]:
        page.mouse.move(*p, steps=steps)
    page.mouse.up()


P1 = "#panel-convexample"
P2 = "#panel-otavio"


def ce(page, what="layers()"):
    return page.evaluate(f"vizTest.convexample.{what}")


def test_panel1_strokes_equal_torch(session):
    page = session["page"]
    canvas = page.locator(f"{P1} canvas.viz-draw")
    page.locator(P1).get_by_role("button", name="Clear").click()
    assert np.array(ce(page, "input()")).sum() == 0
    strokes = [[(0.2, 0.2), (0.8, 0.2), (0.45, 0.85)],                    # a "7"
               [(0.5, 0.15), (0.25, 0.5), (0.5, 0.85), (0.75, 0.5), (0.5, 0.15)],   # an "0" over it
               [(0.1, 0.6), (0.9, 0.62)]]
    for pts in strokes:
        before = np.array(ce(page, "input()"))
        stroke(page, canvas, pts)
        x = np.array(ce(page, "input()"))
        assert x.shape == (28, 28) and 0 <= x.min() and x.max() <= 1
        assert (x - before).sum() > 5, "the stroke drew nothing"
        assert_convexample(ce(page), torch_convexample(x))
    # the eraser (right button) takes ink away, and the layers follow
    box = canvas.bounding_box()
    before = np.array(ce(page, "input()"))
    page.mouse.move(box["x"] + 0.1 * box["width"], box["y"] + 0.61 * box["height"])
    page.mouse.down(button="right")
    page.mouse.move(box["x"] + 0.9 * box["width"], box["y"] + 0.61 * box["height"], steps=8)
    page.mouse.up(button="right")
    x = np.array(ce(page, "input()"))
    assert (before - x).sum() > 5 and (x <= before).all()
    assert_convexample(ce(page), torch_convexample(x))


def test_panel1_presets_are_the_sheet_and_sklearn(session):
    from viz.core.spreadsheet import SHEET_DENSE, load_conv_example
    page = session["page"]
    sel = page.locator(f"{P1} select")
    sel.select_option(index=1)                            # the sheet's "7"
    x = np.array(ce(page, "input()"))
    np.testing.assert_array_equal(x, load_conv_example().input)
    assert ce(page)["dense"] == pytest.approx(SHEET_DENSE, abs=1e-9)
    sel.select_option(label="sklearn digit 3")
    x = np.array(ce(page, "input()"))
    from viz.core.explorer_data import _as_28
    from sklearn.datasets import load_digits
    d = load_digits()
    np.testing.assert_array_equal(x, _as_28(d.images[int(np.flatnonzero(d.target == 3)[0])]))
    assert_convexample(ce(page), torch_convexample(x))


def test_panel1_keyboard_draws(session):
    page = session["page"]
    page.locator(P1).get_by_role("button", name="Clear").click()
    canvas = page.locator(f"{P1} canvas.viz-draw")
    canvas.focus()
    for key in ["ArrowLeft", "ArrowUp", " ", "ArrowRight", " "]:
        page.keyboard.press(key)
    x = np.array(ce(page, "input()"))
    assert x[13, 13] == 1 and x[13, 14] == 1 and x.sum() > 2
    assert_convexample(ce(page), torch_convexample(x))


def _png(path, size, lines, paper=235, ink=20, mode="RGB"):
    im = Image.new(mode, size, (paper,) * 3 if mode == "RGB" else paper)
    d = ImageDraw.Draw(im)
    for line in lines:
        d.line([(fx * size[0], fy * size[1]) for fx, fy in line], fill=(ink,) * 3 if mode == "RGB" else ink,
               width=max(2, size[0] // 12))
    im.save(path)
    return path


def upload(page, path):
    page.locator(f"{P1} input[type=file]").set_input_files(str(path))
    page.wait_for_function("!document.querySelector('#panel-convexample .viz-message').textContent.startsWith('Reading')")
    return ce(page, "upload()")


def test_panel1_upload_equals_load_image(session, tmp_path):
    from viz.core.images import load_image
    page = session["page"]
    cases = [_png(tmp_path / "seven.png", (90, 60), [[(.2, .2), (.8, .2), (.45, .9)]]),        # dark on light
             _png(tmp_path / "one.png", (31, 77), [[(.5, .1), (.5, .9)]], paper=10, ink=250, mode="L"),
             _png(tmp_path / "big.png", (2600, 1900), [[(.3, .2), (.7, .5), (.3, .8)]])]      # reduced first
    for path in cases:
        text = upload(page, path)
        assert path.name in text, text
        x = np.array(ce(page, "input()"))
        np.testing.assert_allclose(x, load_image(path), rtol=0, atol=1e-12, err_msg=path.name)
        assert x.max() > 0.5
        assert_convexample(ce(page), torch_convexample(x))
    assert "reduced to" in text
    # a JPEG: decoded by Chromium here and by Pillow there (both libjpeg-turbo; equal on the
    # machines tried, allowed 2 grey levels of 255 elsewhere)
    _png(tmp_path / "seven.jpg", (300, 200), [[(.2, .2), (.8, .25), (.45, .9)]])
    assert "seven.jpg" in upload(page, tmp_path / "seven.jpg")
    x = np.array(ce(page, "input()"))
    np.testing.assert_allclose(x, load_image(tmp_path / "seven.jpg"), rtol=0, atol=2 / 255 + 1e-12)
    assert_convexample(ce(page), torch_convexample(x))


def test_panel1_bad_uploads_say_so_and_change_nothing(session, tmp_path):
    page = session["page"]
    before = ce(page, "input()")
    (tmp_path / "notes.png").write_text("not a picture at all\n")
    assert "not a picture" in upload(page, tmp_path / "notes.png")
    Image.new("1", (9000, 6000)).save(tmp_path / "huge.png")            # 54 MP in a tiny file
    text = upload(page, tmp_path / "huge.png")
    assert "9000\u00d76000" in text and "the most read" in text, text
    assert ce(page, "input()") == before
    assert page.locator(f"{P1} .viz-message").first.is_visible()


def test_panel1_typed_weights_equal_torch(session):
    from viz.core.spreadsheet import load_conv_example
    page = session["page"]
    sheet = load_conv_example()
    x = np.array(ce(page, "input()"))
    panel = page.locator(P1)
    panel.get_by_label("conv1 filter 1 (top edge), row 2, column 2").fill("0.5")
    panel.get_by_label("conv2 filter 2, channel 1, row 3, column 1").fill("\u22120.25")
    c1, c2 = np.array(sheet.conv1), np.array(sheet.conv2)
    c1[0, 1, 1] = 0.5
    c2[1, 0, 2, 0] = -0.25
    np.testing.assert_array_equal(np.array(ce(page, "kernels()")["conv1"]), c1)
    assert_convexample(ce(page), torch_convexample(x, conv1=c1, conv2=c2))
    box = panel.get_by_label("conv1 filter 2 (left edge), row 1, column 3")
    box.fill("abc")
    assert "not a number" in ce(page, "message()")
    assert box.get_attribute("aria-invalid") == "true"
    assert_convexample(ce(page), torch_convexample(x, conv1=c1, conv2=c2))   # unchanged
    panel.get_by_role("button", name="Back to the sheet\u2019s filters").click()
    assert_convexample(ce(page), torch_convexample(x))
    assert "not a number" not in ce(page, "message()")


def test_panel1_inspector_is_the_im2col_product(session):
    from viz.core.convmatmul import conv2d_im2col
    page = session["page"]
    page.locator(f"{P1} select").select_option(index=1)
    tr = torch_convexample(np.array(ce(page, "input()")))
    e = ce(page, 'inspect("conv2", 1, 9, 11)')
    assert e["sum"] == pytest.approx(tr.conv2_pre[1, 9, 11], abs=1e-12)
    assert e["terms"][0]["sum"] + e["terms"][1]["sum"] == pytest.approx(e["sum"], abs=1e-12)
    np.testing.assert_allclose(e["terms"][1]["patch"], tr.conv1[1, 9:12, 11:14], atol=1e-12)
    conv = conv2d_im2col(tr.conv1, tr.params.conv2)
    np.testing.assert_allclose(e["im2col"]["row"], conv.patches[e["im2col"]["rowIndex"]], atol=1e-12)
    np.testing.assert_allclose(e["im2col"]["column"], conv.weight_matrix[:, e["im2col"]["colIndex"]], atol=1e-12)
    e = ce(page, 'inspect("conv1", 0, 4, 7)')
    conv = conv2d_im2col(tr.input, tr.params.conv1[:, None])
    np.testing.assert_allclose(e["im2col"]["row"], conv.patches[4 * 26 + 7], atol=1e-12)
    assert e["value"] == pytest.approx(tr.conv1[0, 4, 7], abs=1e-12)
    e = ce(page, 'inspect("pool", 0, 3, 5)')
    assert e["value"] == max(np.ravel(e["window"])) == pytest.approx(tr.pool[0, 3, 5], abs=1e-12)
    # pointing with the mouse at conv1 channel 2, row 8, column 20 explains that cell
    c = page.locator(f"{P1} canvas.viz-map").nth(2)            # 0: the input, 1-2: conv1
    c.scroll_into_view_if_needed()
    box = c.bounding_box()
    page.mouse.move(box["x"] + (19.5 / 26) * box["width"], box["y"] + (7.5 / 26) * box["height"])
    head = page.locator(f"{P1} .viz-inspect h4").first.inner_text()
    assert head.startswith("conv1 filter 2") and "row 8, column 20" in head, head


def test_panel2_strokes_equal_torch(session, otavio64):
    from viz.core.otavio import otavio_trace
    net64, net32 = otavio64
    page = session["page"]
    canvas = page.locator(f"{P2} canvas.viz-draw")
    page.locator(P2).get_by_role("button", name="Clear").click()
    for pts in ([(0.3, 0.85), (0.5, 0.15), (0.7, 0.85)], [(0.38, 0.55), (0.62, 0.55)], [(0.2, 0.3), (0.8, 0.4)]):
        stroke(page, canvas, pts)
        x = np.array(page.evaluate("vizTest.otavio.input()"))
        got = page.evaluate("vizTest.otavio.layers()")
        t = otavio_trace(net64, x)
        for key in ("conv1_pre", "conv1", "pool1", "conv2_pre", "conv2", "pool2", "scores", "probs"):
            np.testing.assert_allclose(np.array(got[key]), getattr(t, key), **TOL, err_msg=key)
        t32 = otavio_trace(net32, x.astype(np.float32))                 # the model as trained
        np.testing.assert_allclose(got["probs"], t32.probs, rtol=0, atol=1e-4)
        assert page.evaluate("vizTest.otavio.prediction()") == t.prediction
        assert t.prediction in page.locator(f"{P2} .viz-bars .win").inner_text()


def test_panel2_samples_are_recognised(session, otavio64):
    from viz.core.otavio import otavio_trace, sample_inputs
    net64, _ = otavio64
    page = session["page"]
    samples = sample_inputs(net64)
    for i, (name, pic) in enumerate(samples.items()):
        if i % 3:
            continue
        page.evaluate(f"vizTest.otavio.preset({i})")
        np.testing.assert_array_equal(np.array(page.evaluate("vizTest.otavio.input()")), pic)
        assert page.evaluate("vizTest.otavio.prediction()") == otavio_trace(net64, pic).prediction


def _nonblank(path):
    a = np.asarray(Image.open(path).convert("L"), dtype=float)
    return a.std()


def test_every_panel_renders_light_dark_and_phone(session, tmp_path):
    page = session["page"]
    ids = page.evaluate("[...document.querySelectorAll('section.viz-panel')].map(s => s.id)")
    assert ids[:2] == ["panel-convexample", "panel-otavio"] and len(ids) == 6
    assert page.evaluate("vizTest.shell.mounted()")[:2] == ["convexample", "otavio"]
    page.evaluate("vizTest.shell.setTheme('light')")
    for theme in ("light", "dark"):     # panels 3-6 in dark: tests/test_explorer_lessons.py
        for sid in (ids if theme == "light" else ids[:2]):
            shot = tmp_path / f"{sid}-{theme}.png"
            page.locator(f"#{sid}").screenshot(path=str(shot))
            assert _nonblank(shot) > 10, f"{sid} looks blank in the {theme} theme"
        page.locator("#theme-toggle").click()
    assert page.evaluate("vizTest.shell.theme()") == "light"
    page.set_viewport_size({"width": 375, "height": 720})
    try:
        for sid in ("panel-convexample", "panel-otavio"):
            w = page.evaluate(f"(() => {{ const s = document.getElementById('{sid}'); return [s.scrollWidth, s.clientWidth]; }})()")
            assert w[0] <= w[1] + 1, f"{sid} is wider than a phone screen: {w}"
        page.locator(f"{P1} canvas.viz-draw").screenshot(path=str(tmp_path / "phone.png"))
        assert _nonblank(tmp_path / "phone.png") > 10
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


def test_panels_without_data_say_so(session, tmp_path):
    from viz.explore import write_explorer
    index = write_explorer(tmp_path / "bare", data={"version": 1})
    page = session["ctx"].new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    try:
        page.goto(index.as_uri())
        page.wait_for_function("window.vizTest && vizTest.shell && vizTest.shell.mounted().length === 6")
        for sid in ("panel-convexample", "panel-otavio"):
            assert "no data" in page.locator(f"#{sid} .viz-message").inner_text()
    finally:
        page.close()
    assert errors == []


def test_zz_no_console_errors_and_no_network(session):
    assert session["errors"] == []
    assert session["requests"] == []
    names = {p.name for p in session["dir"].iterdir()}
    assert {"index.html", "explorer.js", "explorer.css", "data.js", "panel-convexample.js",
            "panel-otavio.js"} <= names
    html = (session["dir"] / "index.html").read_text()
    assert "http://" not in html and "https://" not in html and 'type="module"' not in html


# ------------------------------------------------------------------ the writer (no browser)
def test_write_explorer_refuses_bad_data_and_folders(tmp_path):
    from viz.cli import main
    from viz.explore import write_explorer
    with pytest.raises(ValueError, match="NaN or infinite"):
        write_explorer(tmp_path / "x", data={"version": 1, "convexample": {"dense": float("nan")}})
    assert list((tmp_path / "x").iterdir()) == []                 # nothing written
    (tmp_path / "file").write_text("")
    assert main(["explore", "--out", str(tmp_path / "file")]) == 2   # a file, not a folder
    index = write_explorer(tmp_path / "y", data={"version": 1}, gallery_href="../index.html")
    html = index.read_text()
    assert html.index("data.js") < html.index("explorer.js") < html.index("lib-nets.js") \
        < html.index("panel-convexample.js") < html.index("panel-otavio.js")
    assert 'href="../index.html"' in html and (tmp_path / "y" / "data.js").read_text().startswith("window.VIZ_DATA = {")
