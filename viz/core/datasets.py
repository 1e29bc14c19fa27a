"""Small data sets that ship with the toolkit's dependencies (no downloads).

``digits``: scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes),
scaled to 0..1, optionally upsampled, split into train/test with a seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class ImageSplit:
    """Images ``(n, 1, H, W)`` float32 in 0..1 and integer labels, train and test."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple

    def loaders(self, batch_size: int = 64, *, seed: int = 0, shuffle: bool = True):
        """Torch ``DataLoader``s (train shuffled with ``seed``, test in order)."""
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        g = torch.Generator().manual_seed(seed)
        train = TensorDataset(torch.tensor(self.x_train), torch.tensor(self.y_train))
        test = TensorDataset(torch.tensor(self.x_test), torch.tensor(self.y_test))
        return (DataLoader(train, batch_size=batch_size, shuffle=shuffle, generator=g),
                DataLoader(test, batch_size=batch_size, shuffle=False))


def digits(*, size: int = 8, test_fraction: float = 0.2, seed: int = 0) -> ImageSplit:
    """scikit-learn's bundled digits as an :class:`ImageSplit`.

    ``size`` > 8 upsamples with bilinear interpolation (e.g. 28 for MNIST-like inputs).
    """
    from sklearn.datasets import load_digits

    if size < 8:
        raise ValueError(f"size must be at least 8, got {size}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None]
    if size != 8:
        import torch
        import torch.nn.functional as F
        x = F.interpolate(torch.tensor(x), size=(size, size), mode="bilinear",
                          align_corners=False).numpy()
    y = d.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    te, tr = order[:n_test], order[n_test:]
    return ImageSplit(x[tr], y[tr], x[te], y[te], tuple(str(c) for c in range(10)))


def small_cnn(n_classes: int = 10, *, in_channels: int = 1, channels=(8, 16), seed: int = 0):
    """A small CNN: [conv3x3 -> ReLU -> maxpool2] x len(channels) -> global-avg -> linear.

    Works for any input size >= 2**len(channels). Weights are initialised from ``seed``.
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    layers, c_in = [], in_channels
    for c in channels:
        layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, n_classes)]
    return nn.Sequential(*layers)
