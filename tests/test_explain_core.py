"""viz explain, core: models the toolkit did not write (tests/user_models), loaded from their
files; the input shape each takes; every traced step against a forward pass written out by
hand in numpy; the LR range test on a copy (the user's model bit-identical); pictures,
weights and image folders, and every bad input refused in one line."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from viz.core.explain import (ImageFolder, conv_filters, convert_input, explain, explain_lr_find,
                              input_shape, load_factory, load_image_folder, load_weights,
                              read_picture, trace_model)

MODELS = Path(__file__).parent / "user_models"
SPECS = {"mnist": ("mnist_example.py:make", (1, 28, 28)),
         "lenet": ("lenet5.py:lenet5", (1, 32, 32)),
         "resnet": ("resnet_block.py:build", (3, 32, 32)),
         "bn": ("batchnorm_net.py:build", (3, 16, 16))}
TOL = dict(rtol=1e-4, atol=2e-5)


def _load(key):
    spec, _ = SPECS[key]
    return load_factory(str(MODELS / spec))


# ---------------------------------------------------------------------------- numpy layers
def conv(x, w, b=None, stride=1, padding=0, dilation=1):
    """A 2-D convolution (cross-correlation), one (C, H, W) input, in float64 numpy."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    wo = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((o, ho, wo))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dilation:i * dilation + stride * (ho - 1) + 1:stride,
                       j * dilation:j * dilation + stride * (wo - 1) + 1:stride]
            out += np.einsum("oc,chw->ohw", w[:, :, i, j], patch)
    return out if b is None else out + np.asarray(b, np.float64)[:, None, None]


def pool(x, k, op):
    c, h, w = x.shape
    return op(x[:, :h // k * k, :w // k * k].reshape(c, h // k, k, w // k, k), axis=(2, 4))


def bn(x, m):
    g = lambda t: t.detach().double().numpy()[:, None, None]   # noqa: E731
    return (x - g(m.running_mean)) / np.sqrt(g(m.running_var) + m.eps) * g(m.weight) + g(m.bias)


def lin(x, m):
    return m.weight.detach().double().numpy() @ x + m.bias.detach().double().numpy()


def W(t):
    return None if t is None else t.detach().double().numpy()


relu = lambda x: np.maximum(x, 0)          # noqa: E731


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def by_hand(key, net, x):
    """Every step's output, named as the trace names them, computed with numpy."""
    s = {}
    if key == "mnist":
        s["conv1"] = conv(x, W(net.conv1.weight), W(net.conv1.bias))
        s["relu"] = relu(s["conv1"])
        s["conv2"] = conv(s["relu"], W(net.conv2.weight), W(net.conv2.bias))
        s["relu_1"] = relu(s["conv2"])
        s["max_pool2d"] = pool(s["relu_1"], 2, np.max)
        s["dropout1"] = s["max_pool2d"]
        s["flatten"] = s["dropout1"].ravel()
        s["fc1"] = lin(s["flatten"], net.fc1)
        s["relu_2"] = relu(s["fc1"])
        s["dropout2"] = s["relu_2"]
        s["fc2"] = lin(s["dropout2"], net.fc2)
        z = s["fc2"]
        s["log_softmax"] = z - z.max() - np.log(np.exp(z - z.max()).sum())
    elif key == "lenet":
        s["0"] = conv(x, W(net[0].weight), W(net[0].bias))
        s["1"] = np.tanh(s["0"])
        s["2"] = pool(s["1"], 2, np.mean)
        s["3"] = conv(s["2"], W(net[3].weight), W(net[3].bias))
        s["4"] = np.tanh(s["3"])
        s["5"] = pool(s["4"], 2, np.mean)
        s["6"] = s["5"].ravel()
        s["7"] = lin(s["6"], net[7])
        s["8"] = np.tanh(s["7"])
        s["9"] = lin(s["8"], net[9])
        s["10"] = np.tanh(s["9"])
        s["11"] = lin(s["10"], net[11])
    elif key == "resnet":
        s["stem"] = conv(x, W(net.stem.weight), W(net.stem.bias), stride=2, padding=1)
        s["relu"] = relu(s["stem"])
        s["block.conv1"] = conv(s["relu"], W(net.block.conv1.weight), padding=1)
        s["block.bn1"] = bn(s["block.conv1"], net.block.bn1)
        s["relu_1"] = relu(s["block.bn1"])
        s["block.conv2"] = conv(s["relu_1"], W(net.block.conv2.weight), padding=1)
        s["block.bn2"] = bn(s["block.conv2"], net.block.bn2)
        s["add"] = s["block.bn2"] + s["relu"]
        s["relu_2"] = relu(s["add"])
        s["pool"] = s["relu_2"].mean(axis=(1, 2), keepdims=True)
        s["flatten"] = s["pool"].ravel()
        s["fc"] = lin(s["flatten"], net.fc)
    else:
        s["0"] = conv(x, W(net[0].weight), W(net[0].bias), padding=1)
        s["1"] = bn(s["0"], net[1])
        s["2"] = np.where(s["1"] > 0, s["1"], 0.1 * s["1"])
        s["3"] = pool(s["2"], 2, np.max)
        s["4"] = conv(s["3"], W(net[4].weight), W(net[4].bias), stride=2, padding=2, dilation=2)
        s["5"] = bn(s["4"], net[5])
        s["6"] = 1 / (1 + np.exp(-s["5"]))
        s["7"] = s["6"]
        s["8"] = s["7"].ravel()
        s["9"] = lin(s["8"], net[9])
        s["10"] = softmax(s["9"])
    return s


# ---------------------------------------------------------------------------- the user models
@pytest.mark.parametrize("key", list(SPECS))
def test_user_model_shape_and_trace_match_a_forward_pass_by_hand(key):
    net, label = _load(key)
    assert label == SPECS[key][0]
    shape, how = input_shape(net)
    assert shape == SPECS[key][1]
    assert ("input_size attribute" in how) == (key == "bn")
    assert ("first size a forward pass accepts" in how) == (key in ("mnist", "lenet"))
    assert ("accepts any size" in how) == (key == "resnet")
    x = np.random.default_rng(1).random(shape).astype(np.float32)
    flags = [m.training for m in net.modules()]
    assert all(flags)                                  # the factories leave train mode on
    tr = trace_model(net, x)
    assert tr.method == "fx" and [m.training for m in net.modules()] == flags
    expected = by_hand(key, net, x)
    assert list(tr.names) == list(expected)
    for name, want in expected.items():
        np.testing.assert_allclose(tr[name].output, want, **TOL, err_msg=f"{key} step {name}")
    net.eval()
    with torch.no_grad():
        out = net(torch.from_numpy(x)[None])[0].double().numpy()
    np.testing.assert_allclose(tr.output, out, **TOL)
    want_p = {"mnist": np.exp(out), "bn": out}.get(key, softmax(out))
    np.testing.assert_allclose(tr.probabilities, want_p, rtol=1e-5, atol=1e-7)
    assert tr.probabilities.sum() == pytest.approx(1, abs=1e-9)
    assert tr.output_kind == {"mnist": "log_probabilities", "bn": "probabilities"}.get(key, "logits")
    ops = {s.name: s.op for s in tr.steps}
    if key == "mnist":
        assert (ops["relu"], ops["max_pool2d"], ops["flatten"], ops["log_softmax"]) == \
            ("F.relu", "F.max_pool2d", "torch.flatten", "F.log_softmax")
    if key == "resnet":
        assert (ops["relu"], ops["add"], tr["add"].kind) == ("torch.relu", "x + y", "add")
    assert [s.name for s in tr.maps()] == [n for n, s in zip(tr.names, tr.steps)
                                           if s.kind in ("conv", "pool")]


def test_input_size_given_wins_and_bad_sizes_are_refused():
    net, _ = _load("resnet")
    assert input_shape(net, (3, 40, 40))[0] == (3, 40, 40)
    assert input_shape(net, 20)[0] == (3, 20, 20)
    bn_net, _ = _load("bn")
    shape, how = input_shape(bn_net, (16, 16))
    assert shape == (3, 16, 16) and "as asked" in how
    mnist, _ = _load("mnist")
    with pytest.raises(ValueError, match=r"cannot take an input of shape \(1, 1, 32, 32\)"):
        input_shape(mnist, (1, 32, 32))
    with pytest.raises(ValueError, match="input_size must be"):
        input_shape(mnist, (0, 28))
    never = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(7, 2))
    with pytest.raises(ValueError, match="no input size from 8x8 to 256x256.*--input-size"):
        input_shape(never)
    with pytest.raises(ValueError, match="Conv1d"):
        input_shape(nn.Sequential(nn.Conv1d(1, 2, 3)))
    mlp, _ = load_factory(str(MODELS / "odd_models.py:mlp"))
    assert input_shape(mlp)[0] == (1, 28, 28)
    assert input_shape(nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 2)))[0] == (3, 8, 8)


def test_load_factory_refuses_bad_specs(tmp_path):
    odd = MODELS / "odd_models.py"
    cases = {"lenet5.py": "path/to/file.py:factory",
             f"{tmp_path / 'none.py'}:f": "model file not found",
             f"{MODELS}:f": "not a file",
             f"{MODELS.parent / 'conftest.py'}x:f": "not found",
             f"{odd}:broken": "the factory raised RuntimeError: cannot build: the config file",
             f"{odd}:not_a_model": "returned a dict, not a torch.nn.Module",
             f"{odd}:nothing": r"no function 'nothing' \(functions and classes defined there: "
                               r"broken, mlp, not_a_model\)"}
    (tmp_path / "notes.txt").write_text("x")
    cases[f"{tmp_path / 'notes.txt'}:f"] = "must be a Python file ending in .py"
    (tmp_path / "bad_import.py").write_text("import torch\nraise ImportError('no module named timm\\nmore')\n")
    cases[f"{tmp_path / 'bad_import.py'}:f"] = "raised ImportError: no module named timm while it was imported"
    (tmp_path / "exits.py").write_text("import sys\nsys.exit(3)\n")
    cases[f"{tmp_path / 'exits.py'}:f"] = "raised SystemExit: 3 while"
    for spec, words in cases.items():
        with pytest.raises(ValueError, match=words) as err:
            load_factory(spec)
        assert "\n" not in str(err.value)


def test_load_factory_sibling_imports_and_unique_modules(tmp_path):
    for sub in ("a", "b"):
        d = tmp_path / sub
        d.mkdir()
        (d / f"layers_{sub}.py").write_text(f"from torch import nn\nWIDTH = {2 if sub == 'a' else 3}\n")
        (d / "model.py").write_text(f"from torch import nn\nfrom layers_{sub} import WIDTH\n"
                                    "def build():\n    return nn.Linear(4, WIDTH)\n")
    ma, la = load_factory(f"{tmp_path / 'a' / 'model.py'}:build")
    mb, _ = load_factory(f"{tmp_path / 'b' / 'model.py'}:build")
    assert (ma.out_features, mb.out_features, la) == (2, 3, "model.py:build")
    assert str((tmp_path / "a").resolve()) not in __import__("sys").path


# ---------------------------------------------------------------------------- weights
def test_load_weights(tmp_path):
    net, _ = _load("lenet")
    other, _ = load_factory(str(MODELS / "lenet5.py:lenet5"))
    with torch.no_grad():
        for p in other.parameters():
            p.add_(1.0)
    sd = other.state_dict()
    torch.save(sd, tmp_path / "plain.pt")
    torch.save({"epoch": 3, "model_state_dict": sd}, tmp_path / "ckpt.pt")
    torch.save({"state_dict": {"module." + k: v for k, v in sd.items()}}, tmp_path / "dp.pt")
    for f in ("plain.pt", "ckpt.pt", "dp.pt"):
        fresh, _ = _load("lenet")
        load_weights(fresh, tmp_path / f)
        assert all(torch.equal(a, b) for a, b in zip(fresh.state_dict().values(), sd.values()))
    before = {k: v.clone() for k, v in net.state_dict().items()}
    bad = dict(sd)
    del bad["11.bias"]
    bad["head.weight"] = torch.zeros(2)
    torch.save(bad, tmp_path / "keys.pt")
    wrong = dict(sd, **{"7.weight": torch.zeros(100, 400)})
    torch.save(wrong, tmp_path / "shape.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a torch file at all")
    torch.save(net, tmp_path / "whole.pt")                  # a pickled module: refused
    torch.save([1, 2], tmp_path / "list.pt")
    cases = {"keys.pt": r"missing key '11.bias', unexpected key 'head.weight'",
             "shape.pt": r"'7.weight' has shape \(100, 400\) in the file but \(120, 400\) in the model",
             "junk.pt": "cannot read weights file", "whole.pt": "cannot read weights file",
             "list.pt": "holds a list, not a state dict", "missing.pt": "weights file not found"}
    for f, words in cases.items():
        with pytest.raises(ValueError, match=words) as err:
            load_weights(net, tmp_path / f)
        assert "\n" not in str(err.value)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


# ---------------------------------------------------------------------------- pictures
def _bomb_png(path, w, h):
    """A valid 1x1 PNG whose header claims w x h pixels."""
    Image.new("L", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    ihdr = data[12:29]                                    # type + 13 bytes of IHDR
    ihdr[4:12] = struct.pack(">II", w, h)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    path.write_bytes(bytes(data))


def test_read_picture_modes_orientation_and_limits(tmp_path):
    rgba = np.zeros((6, 8, 4), np.uint8)
    rgba[2:4, 2:6] = (0, 0, 0, 255)                       # a black stroke on transparency
    Image.fromarray(rgba, "RGBA").save(tmp_path / "dark.png")
    a = read_picture(tmp_path / "dark.png")
    assert a.shape == (6, 8, 3) and a.dtype == np.uint8
    assert a[0, 0].tolist() == [255] * 3 and a[2, 2].tolist() == [0] * 3
    assert "transparent pixels made white" in a.notes
    rgba[2:4, 2:6] = (255, 255, 255, 255)                 # a white stroke: kept visible
    Image.fromarray(rgba, "RGBA").save(tmp_path / "light.png")
    assert read_picture(tmp_path / "light.png")[0, 0].tolist() == [0] * 3
    p = Image.new("P", (4, 3))
    p.putpalette([10, 20, 30, 200, 100, 50] + [0] * 762)
    p.putpixel((1, 1), 1)
    p.save(tmp_path / "pal.png")
    a = read_picture(tmp_path / "pal.png")
    assert a[0, 0].tolist() == [10, 20, 30] and a[1, 1].tolist() == [200, 100, 50]
    Image.fromarray(np.array([[0, 65535, 32896]], np.uint16)).save(tmp_path / "deep.png")
    a = read_picture(tmp_path / "deep.png")
    assert a.ndim == 2 and a.tolist() == [[0, 255, 128]]
    la = Image.fromarray(np.full((2, 2, 2), (30, 255), np.uint8), "LA")
    la.save(tmp_path / "la.png")
    assert read_picture(tmp_path / "la.png").tolist() == [[30, 30], [30, 30]]
    im = Image.fromarray(np.arange(20 * 10, dtype=np.uint8).reshape(10, 20))   # 20 wide, 10 high
    exif = Image.Exif()
    exif[0x0112] = 6                                      # "rotate 90 clockwise to view"
    im.save(tmp_path / "rot.png", exif=exif)
    a = read_picture(tmp_path / "rot.png")
    assert a.shape == (20, 10)
    np.testing.assert_array_equal(a, np.rot90(np.asarray(im), -1))
    Image.new("L", (5000, 40), 200).save(tmp_path / "wide.png")
    a = read_picture(tmp_path / "wide.png")
    assert a.shape[1] == 4096 and a.shape[0] in (32, 33) and np.all(a == 200)
    assert any("reduced from 5000x40" in n for n in a.notes) and a.source_size == (5000, 40)
    Image.new("RGB", (4400, 300), (0, 90, 200)).save(tmp_path / "wide.jpg", quality=80)
    a = read_picture(tmp_path / "wide.jpg")
    assert max(a.shape) <= 4096 and np.abs(a.astype(int).mean((0, 1)) - (0, 90, 200)).max() < 6
    _bomb_png(tmp_path / "bomb.png", 20000, 20000)
    (tmp_path / "text.png").write_text("hello")
    cases = {"bomb.png": "claims 400,000,000 pixels; the most read is 50,000,000 .a decompression bomb", "text.png": "cannot read picture .*text.png",
             "nothing.png": "picture file not found"}
    for f, words in cases.items():
        with pytest.raises(ValueError, match=words) as err:
            read_picture(tmp_path / f)
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"claims 200,000 pixels; the most read is 1,000 \(a decompression"):
        read_picture(tmp_path / "wide.png", max_pixels=1000)


def test_convert_input_inverts_pads_and_averages(tmp_path):
    paper = np.full((56, 56), 250, np.uint8)
    paper[10:40, 20:30] = 5                               # dark ink on light paper
    x, line = convert_input(paper, (1, 28, 28), source="digit.png")
    want = 1 - (paper / 255.0).reshape(28, 2, 28, 2).mean((1, 3))
    np.testing.assert_allclose(x[0], want, atol=1e-6)
    assert x.dtype == np.float32 and x.shape == (1, 28, 28)
    assert line.startswith("input: digit.png, 56x56 gray -> 1x28x28 gray (inverted")
    assert "area average" in line and line.endswith("values 0..1")
    x, line = convert_input(255 - paper, (1, 28, 28))     # light ink on black: kept
    np.testing.assert_allclose(x[0], want, atol=1e-6)
    assert "inverted" not in line
    x, _ = convert_input(paper, (1, 28, 28), invert=False)
    assert x[0, 0, 0] == pytest.approx(250 / 255, abs=1e-6)
    rgb = np.zeros((10, 20, 3), np.uint8)                 # 20 wide, 10 high, black
    rgb[:, :, 0] = 255                                    # red
    x, line = convert_input(rgb, (3, 20, 20), source="red.png")
    assert "padded to 20x20 with its border colour" in line and "no resize" in line
    np.testing.assert_allclose(x[:, 0, 0], [1, 0, 0], atol=1e-6)          # padding is red too
    assert "inverted" not in line and "RGB made gray" not in line
    x, line = convert_input(rgb, (1, 5, 5))
    np.testing.assert_allclose(x, 0.299, atol=1e-6)       # gray of red: dark, not inverted
    assert "RGB made gray" in line and "inverted" not in line
    x, line = convert_input(np.full((4, 4), 0.5), (3, 8, 8))
    assert "gray copied to RGB" in line and "bilinear" in line
    np.testing.assert_allclose(x, 0.5, atol=1e-6)
    Image.new("RGB", (640, 480), "white").save(tmp_path / "p.png")
    x, line = convert_input(read_picture(tmp_path / "p.png"), (1, 28, 28), source="p.png")
    assert line.startswith("input: p.png, 640x480 RGB -> 1x28x28 gray")
    with pytest.raises(ValueError, match="takes 4 input channels"):
        convert_input(rgb, (4, 8, 8))
    with pytest.raises(ValueError, match="NaN"):
        convert_input(np.full((4, 4), np.nan), (1, 4, 4))


# ---------------------------------------------------------------------------- image folders
@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """3 classes x 16 pictures (24x24 RGB): a bright square in a class-specific place."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for k, name in enumerate(("circle", "bar", "dot")):
        d = root / name
        d.mkdir()
        for i in range(16):
            a = (rng.random((24, 24, 3)) * 60).astype(np.uint8)
            a[4 + 6 * k:10 + 6 * k, 4:20] = 230
            Image.fromarray(a).save(d / f"{i:02d}.png")
        (d / ".hidden.png").write_text("not a picture")
        (d / "readme.txt").write_text("skipped")
    (root / ".git").mkdir()
    return root


def test_load_image_folder(folder, tmp_path):
    data = load_image_folder(folder, (1, 12, 12), max_per_class=10)
    assert isinstance(data, ImageFolder) and data.classes == ("bar", "circle", "dot")
    assert data.x.shape == (30, 1, 12, 12) and data.x.dtype == np.float32
    assert data.counts == (10, 10, 10) and data.y.dtype == np.int64
    assert Path(data.files[0]).name == "00.png" and Path(data.files[10]).parent.name == "circle"
    x0, _ = convert_input(read_picture(data.files[0]), (1, 12, 12))
    np.testing.assert_array_equal(data.x[0], x0)
    (tmp_path / "one" / "cat").mkdir(parents=True)
    Image.new("L", (4, 4)).save(tmp_path / "one" / "cat" / "a.png")
    (tmp_path / "empty" / "a").mkdir(parents=True)
    (tmp_path / "nocls").mkdir()
    (tmp_path / "nocls" / "x.png").write_text("x")
    (tmp_path / "half" / "a").mkdir(parents=True)
    (tmp_path / "half" / "b").mkdir()
    Image.new("L", (4, 4)).save(tmp_path / "half" / "a" / "a.png")
    (tmp_path / "broken" / "a").mkdir(parents=True)
    (tmp_path / "broken" / "b").mkdir()
    Image.new("L", (4, 4)).save(tmp_path / "broken" / "a" / "a.png")
    (tmp_path / "broken" / "b" / "bad.jpg").write_bytes(b"\xff\xd8 garbage")
    cases = {"one": "only one class \\('cat'\\)", "empty": "has no pictures",
             "nocls": "no class sub-folders", "half": "class folder 'b' has no pictures",
             "broken": "cannot read picture .*bad.jpg", "missing": "not found or not a folder"}
    for f, words in cases.items():
        with pytest.raises(ValueError, match=words) as err:
            load_image_folder(tmp_path / f, (1, 8, 8))
        assert "\n" not in str(err.value)


def _state(net):
    return ({k: v.clone() for k, v in net.state_dict().items()},
            [m.training for m in net.modules()], [p._version for p in net.parameters()],
            [p.grad for p in net.parameters()])


@pytest.mark.parametrize("key", list(SPECS))
def test_lr_find_on_a_copy_leaves_the_model_bit_identical(key, folder):
    net, _ = _load(key)
    shape, _ = input_shape(net)
    data = load_image_folder(folder, shape)
    before = _state(net)
    rng_before = torch.random.get_rng_state()
    calls = []
    r = explain_lr_find(net, data, num_iter=20, batch_size=8, progress=lambda i, n: calls.append((i, n)))
    sd, flags, versions, grads = _state(net)
    assert sd.keys() == before[0].keys() and all(torch.equal(sd[k], before[0][k]) for k in sd)
    assert (flags, versions, grads) == (before[1], before[2], [None] * len(grads))
    assert torch.equal(torch.random.get_rng_state(), rng_before)
    assert len(r.lrs) >= 12 and np.all(np.isfinite(r.losses)) and r.suggestions
    assert r.losses.std() > 0 and calls[-1] == (len(r.lrs), 20)
    np.testing.assert_allclose(r.lrs, 1e-5 * (1e6 ** (np.arange(len(r.lrs)) / 20)))
    if key == "lenet":                                     # same seed, same run
        again = explain_lr_find(net, data, num_iter=20, batch_size=8, progress=False)
        np.testing.assert_allclose(again.losses, r.losses, rtol=1e-6)


def test_explain_end_to_end_and_notes(folder):
    net, label = _load("bn")
    data = load_image_folder(folder, (3, 16, 16), max_per_class=4)
    pic = (np.random.default_rng(2).random((20, 30, 3)) * 255).astype(np.uint8)
    with pytest.raises(ValueError, match="the data folder has 3 classes .* but the model has 4 outputs"):
        explain(net, pic, label=label, source="p.png", data=data)
    e = explain(net, pic, label=label, source="p.png", classes="a, b, c, d")
    assert e.classes == ("a", "b", "c", "d") and e.shape == (3, 16, 16) and e.lr is None
    assert tuple(e.summary.input_size) == (1, 3, 16, 16) and e.summary.total_params == sum(
        p.numel() for p in net.parameters())
    assert [n for n, _ in e.filters] == ["0", "4"] and e.filters[1][1].shape == (8, 6, 3, 3)
    np.testing.assert_array_equal(e.filters[0][1], net[0].weight.detach().double().numpy())
    x, line = convert_input(pic, (3, 16, 16), source="p.png")
    assert e.conversion == line
    np.testing.assert_array_equal(e.trace.input, x)
    with pytest.raises(ValueError, match="2 class names .* but the model has 4 outputs"):
        explain(net, pic, label=label, source="p.png", classes=["a", "b"])
    lenet, label = _load("lenet")
    e = explain(lenet, pic, label=label, source="p.png")
    assert e.classes == tuple("0123456789") and e.notes == ()
    mlp, label = load_factory(str(MODELS / "odd_models.py:mlp"))
    e = explain(mlp, pic, label=label, source="p.png")
    assert e.filters == () and e.trace.maps() == ()
    assert any("no convolution layers" in n for n in e.notes)

    class Branchy(nn.Module):                              # data-dependent: fx cannot trace it
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.fc = nn.Linear(2 * 6 * 6, 3)

        def forward(self, x):
            x = self.conv(x)
            if x.sum() > 1e9:
                x = x * 0
            return self.fc(torch.relu(x).flatten(1))

    torch.manual_seed(0)
    e = explain(Branchy(), pic, label="b", source="p.png", input_size=(1, 8, 8),
                data=load_image_folder(folder, (1, 8, 8), max_per_class=4))
    assert e.trace.method == "hooks" and e.trace.fallback_reason.startswith("TraceError")
    assert any("module hooks" in n for n in e.notes) and e.lr is not None
    assert e.data_counts == (4, 4, 4) and e.classes == ("bar", "circle", "dot")


def test_trace_names_a_module_called_twice():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3, padding=1)

        def forward(self, x):
            return self.conv(self.conv(x)).flatten(1)

    net = Twice()
    tr = trace_model(net, np.ones((1, 4, 4), np.float32))
    assert tr.names[:2] == ("conv", "conv#2")
    w, b = W(net.conv.weight), W(net.conv.bias)
    once = conv(np.ones((1, 4, 4)), w, b, padding=1)
    np.testing.assert_allclose(tr["conv#2"].output, conv(once, w, b, padding=1), **TOL)
    assert conv_filters(net)[0][0] == "conv"
