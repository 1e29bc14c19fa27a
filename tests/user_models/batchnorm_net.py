"""A plain CNN with BatchNorm2d, LeakyReLU, a strided and a dilated conv, max pooling and softmax."""
import torch
from torch import nn


def build():
    torch.manual_seed(3)
    net = nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.LeakyReLU(0.1),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, stride=2, padding=2, dilation=2), nn.BatchNorm2d(8), nn.Sigmoid(),
        nn.Dropout(0.2),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 4),
        nn.Softmax(dim=1),
    )
    with torch.no_grad():          # BatchNorm statistics that are not the defaults
        for m in net:
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    net.input_size = (16, 16)
    return net
