"""learn.summary()-style table against hand-counted parameters, torch hooks and conv-as-matmul."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from viz.core.datasets import small_cnn
from viz.core.summary import summarize


def test_small_cnn_counts_by_hand():
    s = summarize(small_cnn(), (1, 1, 28, 28))
    by_name = {r.name: r for r in s.rows}
    assert by_name["Conv2d-1"].params == 1 * 8 * 3 * 3 + 8 == 80
    assert by_name["Conv2d-2"].params == 8 * 16 * 3 * 3 + 16 == 1168
    assert by_name["Linear-1"].params == 16 * 10 + 10 == 170
    assert s.total_params == 80 + 1168 + 170 == 1418 == sum(p.numel() for p in small_cnn().parameters())
    assert sum(r.params for r in s.rows) == s.total_params == s.trainable_params
    assert [r.name for r in s.rows] == ["Conv2d-1", "ReLU-1", "MaxPool2d-1", "Conv2d-2", "ReLU-2",
                                        "MaxPool2d-2", "AdaptiveAvgPool2d-1", "Flatten-1", "Linear-1"]
    assert by_name["Conv2d-2"].param_shapes == (("weight", (16, 8, 3, 3)), ("bias", (16,)))
    assert by_name["ReLU-1"].trainable is None and by_name["Linear-1"].trainable is True


def test_output_shapes_equal_forward_hooks():
    model = small_cnn(channels=(16, 32))
    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape)))
             for m in model]
    model(torch.zeros(2, 1, 12, 12))
    for h in hooks:
        h.remove()
    s = summarize(model, (2, 1, 12, 12))
    assert [r.output_shape for r in s.rows] == seen
    assert seen[0] == (2, 16, 12, 12) and seen[2] == (2, 16, 6, 6) and seen[-1] == (2, 10)
    assert s.rows[0].input_shape == (2, 1, 12, 12) and s.output_shape == (2, 10)


def test_frozen_layers_and_table():
    model = small_cnn()
    model[0].requires_grad_(False)
    s = summarize(model, (1, 1, 28, 28))
    assert s.rows[0].trainable is False and s.trainable_params == 1418 - 80
    text = s.table()
    assert "Conv2d-1" in text and "False" in text and "Total params: 1,418" in text
    assert "Non-trainable params: 80" in text and "[1, 8, 14, 14]" in text
    d = s.to_dict()   # fastai 0.7's OrderedDict layout
    assert d["Conv2d-1"] == {"input_shape": [1, 1, 28, 28], "output_shape": [1, 8, 28, 28],
                             "trainable": False, "nb_params": 80}
    assert str(s) == text
    assert model.training   # summarize leaves the model's mode alone


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4))
        self.head = nn.Linear(4, 2)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.head(self.body(x).mean((2, 3))) * self.scale


def test_nested_model_every_parameter_counted_once():
    s = summarize(Nested(), (1, 3, 8, 8))
    assert s.total_params == 3 * 4 * 9 + 4 + 4 + 4 + 4 * 2 + 2 + 1 == 131
    assert sum(r.params for r in s.rows) == 131
    assert [r.path for r in s.rows] == ["", "body.0", "body.1", "head"]
    assert s.rows[2].kind == "BatchNorm2d" and s.matrices[2].shape == (4, 1)


def test_conv_weight_matrix_times_patches_is_the_convolution(rng):
    model = small_cnn(channels=(16, 32))
    s = summarize(model, (1, 1, 12, 12))
    w = s.matrices[3]                    # Conv2d-2: 32 x (16 * 3 * 3)
    assert w.shape == (32, 144)
    x = torch.tensor(rng.normal(size=(1, 16, 6, 6)))
    conv = model[3].double()
    patches = F.unfold(x, 3, padding=1)[0].numpy()            # (144, 36)
    out = w @ patches + conv.bias.detach().numpy()[:, None]
    np.testing.assert_allclose(out.reshape(32, 6, 6), conv(x)[0].detach().numpy(), atol=1e-10)
    np.testing.assert_array_equal(s.matrices[-1], model[-1].weight.detach().double().numpy())
    assert s.matrices[1] is None


@pytest.mark.parametrize("size, needle", [
    ((1, 3, 28, 28), "3 channels"), ((1, 0, 28, 28), "positive"), ("1x1x28x28", "shape"),
    ((1, 1.5, 28, 28), "positive"), ((), "shape"), ((1, 1, 1, 1), "does not fit")])
def test_bad_input_shapes_raise_value_error(size, needle):
    with pytest.raises(ValueError, match=needle) as e:
        summarize(small_cnn(), size)
    assert "\n" not in str(e.value)


def test_not_a_model():
    with pytest.raises(ValueError, match="nn.Module"):
        summarize(lambda x: x, (1, 2))


def test_single_layer_model():
    s = summarize(nn.Linear(3, 2), (4, 3))
    assert len(s.rows) == 1 and s.rows[0].params == 8 and s.rows[0].output_shape == (4, 2)
