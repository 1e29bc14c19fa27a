"""LeNet-5 (LeCun et al. 1998) in the usual modern form: 32x32 gray in, tanh, average pooling."""
import torch
from torch import nn


def lenet5(num_classes=10):
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, num_classes),
    )
