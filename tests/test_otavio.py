"""Otavio Good's visualization, core: glyph data, activation tracing, the trained CNN."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from viz.core import glyph_data, otavio
from viz.core.tracing import prepare_input, trace_activations


@pytest.fixture(scope="session")
def otavio_net():
    """The default network, trained live once per test session into the session's cache
    (tests/conftest.py): tested by what holds on any CPU (accuracy, the cache)."""
    return otavio.load_otavio()


@pytest.fixture(scope="session")
def recorded_net(recorded):
    """The default network's recorded weights (tools/record_test_results.py): exact checks."""
    return recorded("otavio-glyphs").network()


# ------------------------------------------------------------------ glyph data
def test_glyph_dataset_is_seeded_and_well_formed():
    a = glyph_data.glyph_dataset(n_per_class=6, seed=3)
    b = glyph_data.glyph_dataset(n_per_class=6, seed=3)
    c = glyph_data.glyph_dataset(n_per_class=6, seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert a.x_train.shape == (50, 1, 20, 20) and a.x_test.shape == (10, 1, 20, 20)
    assert a.x_train.dtype == np.float32 and 0 <= a.x_train.min() and a.x_train.max() <= 1
    assert np.bincount(a.y_train).tolist() == [5] * 10      # balanced classes
    assert a.classes == glyph_data.DEFAULT_CLASSES


def test_every_font_draws_every_class_inside_the_frame():
    for font in glyph_data.FONTS:
        for ch in glyph_data.DEFAULT_CLASSES:
            im = glyph_data.render_glyph(ch, font=font)
            assert im.shape == (20, 20) and im.max() > 0.9, (font, ch)
            border = np.concatenate([im[0], im[-1], im[:, 0], im[:, -1]])
            assert border.max() < 0.5, (font, ch)           # centred, not clipped


def test_glyph_variations_move_the_ink():
    base = glyph_data.render_glyph("E")
    rows = np.nonzero(base.sum(1) > 0.5)[0]
    shifted = glyph_data.render_glyph("E", shift=(0, 2))
    np.testing.assert_allclose(np.nonzero(shifted.sum(1) > 0.5)[0][[0, -1]], rows[[0, -1]] + 2, atol=1)
    assert glyph_data.render_glyph("E", stroke=2).sum() > base.sum() * 1.2
    assert glyph_data.render_glyph("E", scale=0.6).sum() < base.sum() * 0.6
    np.testing.assert_allclose(glyph_data.render_glyph("E", angle=180)[::-1, ::-1], base, atol=0.35)


@pytest.mark.parametrize("kwargs, needle", [
    (dict(char="AB"), "one visible character"), (dict(char=" "), "one visible character"),
    (dict(char="A", font="nope.ttf"), "nope.ttf"), (dict(char="A", size=4), "size"),
    (dict(char="A", scale=0), "scale"),
])
def test_render_glyph_rejects_bad_input(kwargs, needle):
    char = kwargs.pop("char")
    with pytest.raises(ValueError, match=needle):
        glyph_data.render_glyph(char, **kwargs)


def test_glyph_dataset_rejects_bad_classes():
    with pytest.raises(ValueError, match="classes"):
        glyph_data.glyph_dataset(("A", "A"))


# ------------------------------------------------------------------ tracing
class Custom(nn.Module):
    """Not a Sequential: nested blocks, a functional op and a shared layer."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.block = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
        self.pool = nn.AvgPool2d(2)
        self.head = nn.Linear(4 * 3 * 3, 5)

    def forward(self, x):
        x = self.pool(self.block(x))
        return self.head(torch.flatten(x, 1))


def test_trace_equals_a_manual_forward_pass_on_any_model():
    model = Custom()
    model.train()                                   # the tracer must switch to eval and back
    x = torch.rand(3, 8, 8)
    t = trace_activations(model, x)
    model.eval()
    with torch.no_grad():
        h0 = model.block[0](x[None])
        h1 = model.block[1](h0)
        h2 = model.block[2](h1)
        h3 = model.pool(h2)
        out = model.head(torch.flatten(h3, 1))
    assert t.names == ("block.0", "block.1", "block.2", "pool", "head")
    assert t.kinds == ("Conv2d", "BatchNorm2d", "ReLU", "AvgPool2d", "Linear")
    for name, ref in zip(t.names, (h0, h1, h2, h3, out)):
        np.testing.assert_allclose(t[name], ref[0].numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(t.output, out[0].numpy(), rtol=1e-6)
    assert [m._forward_hooks for m in model.modules()] == [{}] * len(list(model.modules()))
    model.train()
    t2 = trace_activations(model, x)
    assert model.training and model.block[1].training   # modes restored
    np.testing.assert_array_equal(t2["head"], t["head"])


def test_hooks_are_removed_when_the_forward_pass_fails():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(7, 2))
    with pytest.raises(ValueError, match="cannot take an input of shape"):
        trace_activations(model, np.zeros((8, 8)))
    assert all(not m._forward_hooks for m in model.modules())


def test_conv_tracing_needs_conv_layers():
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(16, 4), nn.ReLU(), nn.Linear(4, 2))
    with pytest.raises(ValueError, match="no convolution layers"):
        trace_activations(mlp, np.zeros((4, 4)), layers="conv")
    t = trace_activations(mlp, np.zeros((1, 4, 4)))        # all layers: fine
    assert t.kinds == ("Flatten", "Linear", "ReLU", "Linear")
    t = trace_activations(Custom(), np.zeros((3, 8, 8)), layers="conv")
    assert t.names == ("block.0",)


def test_input_conversion(recorded_net):
    model = recorded_net.model
    gray = np.random.default_rng(0).random((20, 20))
    ref = prepare_input(gray, model)
    assert tuple(ref.shape) == (1, 1, 20, 20) and ref.dtype == torch.float32
    rgb = np.repeat(gray[..., None], 3, axis=-1)                      # (H, W, 3)
    np.testing.assert_allclose(prepare_input(rgb, model), ref, atol=1e-6)
    np.testing.assert_allclose(prepare_input(rgb.transpose(2, 0, 1), model), ref, atol=1e-6)
    rgba = np.concatenate([rgb, np.ones((20, 20, 1))], axis=-1)
    np.testing.assert_allclose(prepare_input(rgba, model), ref, atol=1e-6)
    u8 = (gray * 255).round().astype(np.uint8)
    np.testing.assert_allclose(prepare_input(u8, model), ref, atol=1 / 255)
    big = prepare_input(np.kron(gray, np.ones((2, 2))), model)         # 40x40 -> 20x20
    assert tuple(big.shape) == (1, 1, 20, 20)
    np.testing.assert_allclose(big, ref, atol=1e-5)
    with pytest.raises(ValueError, match="40x40 but the model takes 20x20"):
        prepare_input(np.zeros((40, 40)), model, resize=False)
    with pytest.raises(ValueError, match="takes 1 channel.*has 2"):
        prepare_input(np.zeros((2, 20, 20)), model)
    with pytest.raises(ValueError, match="batch of 5"):
        prepare_input(np.zeros((5, 1, 20, 20)), model)
    with pytest.raises(ValueError, match="NaN"):
        prepare_input(np.full((20, 20), np.nan), model)
    with pytest.raises(ValueError, match="2-D"):
        prepare_input(np.zeros(20), model)
    rgb_model = nn.Sequential(nn.Conv2d(3, 1, 3))
    assert tuple(prepare_input(gray, rgb_model).shape) == (1, 3, 20, 20)


# ------------------------------------------------------------------ the trained CNN
def test_trained_network_reaches_95_percent_on_held_out_glyphs(otavio_net):
    assert otavio_net.test_accuracy >= 0.95
    fresh = glyph_data.glyph_dataset(n_per_class=40, seed=12345)     # never seen in training
    acc = otavio.accuracy(otavio_net.model, np.concatenate([fresh.x_train, fresh.x_test]),
                          np.concatenate([fresh.y_train, fresh.y_test]))
    assert acc >= 0.95


def test_cache_round_trip_and_corrupt_file(otavio_net, tmp_path_factory):
    path = otavio_net.cache_path
    assert path is not None and path.exists()
    again = otavio.load_otavio(cache_dir=path.parent)
    assert again.from_cache and again.test_accuracy == otavio_net.test_accuracy
    for k, v in otavio_net.model.state_dict().items():
        torch.testing.assert_close(again.model.state_dict()[k], v, rtol=0, atol=0)
    # corrupt copies of the cache file in their own folder: rebuilt (tiny recipe), never a crash
    folder = tmp_path_factory.mktemp("corrupt")
    small = otavio.OtavioConfig(n_per_class=12, epochs=1)
    good = otavio.load_otavio(small, cache_dir=folder)
    blob = good.cache_path.read_bytes()
    for damage in (blob[: len(blob) // 2], b"not a torch file", b""):
        good.cache_path.write_bytes(damage)
        with pytest.warns(UserWarning, match="rebuilding"):
            net = otavio.load_otavio(small, cache_dir=folder)
        assert not net.from_cache and net.cache_path == good.cache_path
        assert otavio.load_otavio(small, cache_dir=folder).from_cache   # rewritten
        for k, v in good.model.state_dict().items():                    # same seed, same weights
            torch.testing.assert_close(net.model.state_dict()[k], v, rtol=0, atol=0)


def test_same_seed_same_weights_other_seed_other_weights():
    a = otavio.train_otavio(n_per_class=12, epochs=1, seed=5).model.state_dict()
    b = otavio.train_otavio(n_per_class=12, epochs=1, seed=5).model.state_dict()
    c = otavio.train_otavio(n_per_class=12, epochs=1, seed=6).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["conv1.weight"], c["conv1.weight"])


def test_unwritable_cache_folder_warns_and_still_returns_a_network(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.warns(UserWarning, match="could not cache"):
        net = otavio.load_otavio(n_per_class=12, epochs=1, cache_dir=blocker / "sub")
    assert net.cache_path is None and net.model is not None


def test_recorded_weights_rebuild_the_network_exactly(recorded, recorded_net, tmp_path):
    from viz.core.results import load_result, save_result
    w = recorded("otavio-glyphs")
    assert w.config == otavio.OtavioConfig() and w.test_accuracy >= 0.95
    for k, v in recorded_net.model.state_dict().items():
        assert np.array_equal(v.numpy(), w.state[k]), k
    back = load_result(save_result(recorded_net.weights(), tmp_path / "w.npz"))
    assert all(np.array_equal(back.state[k], w.state[k]) for k in w.state)


def test_cache_off_trains_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("VIZ_CACHE", "off")
    net = otavio.load_otavio(n_per_class=12, epochs=1, cache_dir=tmp_path)
    assert net.cache_path is None and not net.from_cache and not list(tmp_path.iterdir())


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VIZ_CACHE_DIR", str(tmp_path / "a"))
    assert otavio.default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv("VIZ_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert otavio.default_cache_dir() == tmp_path / "xdg" / "viz"
    with pytest.raises(ValueError, match="unknown dataset"):
        otavio.OtavioConfig(dataset="mnist")


def test_trace_layers_match_hand_computation(recorded_net):
    img = otavio.sample_inputs(recorded_net, "B")["B"]
    t = otavio.otavio_trace(recorded_net, img)
    x = torch.tensor(img, dtype=torch.float64)[None, None]
    k1 = torch.tensor(t.kernels1)[:, None]
    c1 = F.conv2d(x, k1, torch.tensor(t.bias1), padding=1)[0].numpy()
    np.testing.assert_allclose(t.conv1_pre, c1, atol=1e-5)
    np.testing.assert_allclose(t.conv1, np.maximum(c1, 0), atol=1e-5)
    np.testing.assert_allclose(t.pool1, t.conv1.reshape(2, 10, 2, 10, 2).max(axis=(2, 4)), atol=0)
    c2 = F.conv2d(torch.tensor(t.pool1, dtype=torch.float64)[None], torch.tensor(t.kernels2),
                  torch.tensor(t.bias2), padding=1)[0].numpy()
    np.testing.assert_allclose(t.conv2_pre, c2, atol=1e-4)
    scores = np.einsum("kcij,cij->k", t.templates, t.pool2) + t.dense_bias   # template matching
    np.testing.assert_allclose(t.scores, scores, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(t.probs, torch.softmax(torch.tensor(scores), 0).numpy(), atol=1e-6)
    np.testing.assert_allclose(t.kernels1.sum(axis=(1, 2)), 0, atol=1e-5)   # edge detectors
    assert t.prediction == "B" and t.probs.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        t.input[0, 0] = 1.0


def test_every_sample_is_recognised(recorded_net):
    for ch, img in otavio.sample_inputs(recorded_net).items():
        assert otavio.otavio_trace(recorded_net, img).prediction == ch


def test_morph_runs_from_one_input_to_the_other(recorded_net):
    s = otavio.sample_inputs(recorded_net, "AE")
    m = otavio.otavio_morph(recorded_net, s["A"], s["E"], steps=9)
    assert len(m) == 9 and m.conv2.shape == (9, 4, 10, 10) and m.alphas[0] == 0 and m.alphas[-1] == 1
    first, last = otavio.otavio_trace(recorded_net, s["A"]), otavio.otavio_trace(recorded_net, s["E"])
    np.testing.assert_allclose(m.frame(0).pool2, first.pool2, atol=1e-5)
    np.testing.assert_allclose(m.frame(8).probs, last.probs, atol=1e-5)
    np.testing.assert_allclose(m.input[4], (1 - m.alphas[4]) * s["A"] + m.alphas[4] * s["E"], atol=1e-6)
    assert m.prediction[0] == "A" and m.prediction[-1] == "E"
    with pytest.raises(ValueError, match="steps"):
        otavio.otavio_morph(recorded_net, s["A"], s["E"], steps=1)
    with pytest.raises(ValueError, match="not a class"):
        otavio.sample_inputs(recorded_net, "Z")


def test_digits_is_a_second_data_set():
    net = otavio.train_otavio(dataset="digits", epochs=2)
    assert net.classes == tuple("0123456789") and net.config.size == 20
    assert net.test_accuracy > 0.5
