"""Models that the explain command must refuse or handle: no conv layer, a factory that raises,
a factory that returns something else."""
import torch
from torch import nn


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 32), nn.ReLU(), nn.Linear(32, 10))


def broken():
    raise RuntimeError("cannot build: the config file models.yaml is missing")


def not_a_model():
    return {"conv": 1}
