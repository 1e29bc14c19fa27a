"""Datasets, DataLoaders, iterators and generators, traced from a real ``DataLoader``.

The student's to-do from fast.ai 2018 lessons 2-3: "play with dataloader, datasets,
generator, iterator concepts", and the question "how does data augmentation work if it's
the same image?". Answered from the loading side:

* a ``torch.utils.data.Dataset`` is numbered items: ``len(ds)`` and ``ds[i]`` (here
  :class:`DigitsDataset`, scikit-learn's bundled 8x8 digits);
* a transform runs *inside* ``__getitem__`` (:class:`RandomShift`), so item ``i`` comes
  out with new pixels every time it is read: every epoch;
* the ``DataLoader``'s sampler shuffles the indices each epoch from its seeded
  ``generator``, ``batch_size`` items are collated into an ``(B, C, H, W)`` tensor and a
  label vector, the last batch is partial unless ``drop_last=True``;
* ``iter(loader)`` starts an epoch, ``next(it)`` gives one batch; ``for i, (x, y) in
  enumerate(loader)`` is one pass;
* :func:`python_batches`, a plain Python generator, does the batching by hand.

:func:`trace_loader` runs a real loader for a few epochs and records every index, batch
and image it produced (the dataset itself logs the indices the loader asks for, so the
order is the loader's own, not a re-computation).

>>> t = trace_loader(n_items=10, batch_size=4, epochs=2, seed=0)   # doctest: +SKIP
>>> t.batch_sizes, t.order.shape, t.batch(0, 0)[1].shape            # doctest: +SKIP
((4, 4, 2), (2, 10), (4, 1, 8, 8))
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._util import freeze_arrays


def _torch_dataset_base():
    from torch.utils.data import Dataset
    return Dataset


class RandomShift:
    """Shift a ``(C, H, W)`` tensor by up to ``max_shift`` pixels (zero fill), at random.

    The image is zero-padded by ``max_shift`` on every side and an ``H x W`` window is
    cut at a random offset, drawn from ``generator`` (a ``torch.Generator``). The label
    does not change; the pixels do.
    """

    def __init__(self, max_shift: int = 1, *, generator=None):
        if isinstance(max_shift, bool) or not isinstance(max_shift, int) or max_shift < 0:
            raise ValueError(f"max_shift must be an integer >= 0, got {max_shift!r}")
        self.max_shift, self.generator = max_shift, generator

    def __call__(self, x):
        import torch
        import torch.nn.functional as F

        m = self.max_shift
        if m == 0:
            return x.clone()
        dy, dx = (int(v) for v in torch.randint(0, 2 * m + 1, (2,), generator=self.generator))
        h, w = x.shape[-2:]
        return F.pad(x, (m, m, m, m))[..., dy:dy + h, dx:dx + w].clone()


@lru_cache(maxsize=1)
def make_dataset_class():
    """Build :class:`DigitsDataset` lazily (torch is imported only when used)."""
    Dataset = _torch_dataset_base()

    class DigitsDataset(Dataset):
        """Numbered items ``(image, label)``: ``len(ds)``, ``ds[i]``.

        images : ndarray (n, 1, H, W) float32; labels : ndarray (n,) int
        transform : callable on a ``(1, H, W)`` tensor, applied in ``__getitem__``
        log : list or None — when a list, every index asked for is appended to it
        """

        def __init__(self, images, labels, transform=None, log=None):
            images, labels = np.asarray(images, np.float32), np.asarray(labels, np.int64)
            if images.ndim != 4 or len(images) != len(labels):
                raise ValueError(f"images must be (n, C, H, W) with one label each, got "
                                 f"{images.shape} and {labels.shape}")
            self.images, self.labels, self.transform, self.log = images, labels, transform, log

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            import torch

            i = int(i)
            if not -len(self) <= i < len(self):
                raise IndexError(f"index {i} out of range for {len(self)} items")
            if self.log is not None:
                self.log.append(i % len(self))
            x = torch.from_numpy(self.images[i].copy())
            if self.transform is not None:
                x = self.transform(x)
            return x, int(self.labels[i])

    DigitsDataset.__qualname__ = "DigitsDataset"
    return DigitsDataset


def __getattr__(name):          # ``from viz.core.dataloading import DigitsDataset``
    if name == "DigitsDataset":
        return make_dataset_class()
    raise AttributeError(name)


def digit_items(n_items: int = 10, *, seed: int = 0):
    """``n_items`` digits picked from scikit-learn's bundle with ``seed``: (images, labels, picks).

    Up to 10 items are one digit of each class, in a seeded random order.
    """
    from sklearn.datasets import load_digits

    if isinstance(n_items, bool) or not isinstance(n_items, int) or not 1 <= n_items <= 1797:
        raise ValueError(f"n_items must be an integer in 1..1797, got {n_items!r}")
    d = load_digits()
    perm = np.random.default_rng(seed).permutation(len(d.target))
    if n_items <= 10:           # one digit of each class, so labels are easy to tell apart
        firsts = {}
        for i in perm:
            firsts.setdefault(int(d.target[i]), int(i))
        picks = np.array(list(firsts.values())[:n_items])
    else:
        picks = perm[:n_items]
    images = (d.images[picks] / 16.0).astype(np.float32)[:, None]
    return images, d.target[picks].astype(np.int64), picks


def python_batches(dataset, batch_size: int, order=None, *, drop_last: bool = False):
    """A plain Python generator: yield ``(x, y)`` batches of ``dataset`` in ``order``.

    What a ``DataLoader`` does at its simplest: read ``dataset[i]`` for each index,
    stack the images into ``(B, C, H, W)``, the labels into ``(B,)``. The loader adds a
    sampler that reshuffles every epoch from a seeded generator, collation of any
    structure, worker processes and pinned memory.
    """
    import torch

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    order = range(len(dataset)) if order is None else [int(i) for i in order]
    batch = []
    for i in order:
        batch.append(dataset[i])
        if len(batch) == batch_size:
            yield torch.stack([b[0] for b in batch]), torch.tensor([b[1] for b in batch])
            batch = []
    if batch and not drop_last:
        yield torch.stack([b[0] for b in batch]), torch.tensor([b[1] for b in batch])


@dataclass(frozen=True, eq=False)
class LoaderTrace:
    """What a real ``DataLoader`` produced over a few epochs.

    images : ndarray (n, 1, H, W)      the dataset's items before the transform
    labels : ndarray (n,)              their labels
    picks : ndarray (n,)               which of scikit-learn's 1,797 digits they are
    order : ndarray (epochs, n)        indices in the order the loader read them
    x : ndarray (epochs, n, 1, H, W)   the transformed images, batch after batch
    y : ndarray (epochs, n)            the label vectors, batch after batch
    batch_sizes : tuple                sizes of the batches of one epoch (last may be partial)
    drop_last_sizes : tuple            the same with ``drop_last=True``
    drop_last_order : ndarray (epochs, k)  the indices a ``drop_last=True`` loader read
    batch_size, seed, max_shift : int
    """

    images: np.ndarray
    labels: np.ndarray
    picks: np.ndarray
    order: np.ndarray
    x: np.ndarray
    y: np.ndarray
    batch_sizes: tuple
    drop_last_sizes: tuple
    drop_last_order: np.ndarray
    batch_size: int
    seed: int
    max_shift: int

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def n_items(self) -> int:
        return len(self.labels)

    @property
    def n_epochs(self) -> int:
        return len(self.order)

    def bounds(self) -> list[tuple[int, int]]:
        """(start, stop) of each batch within an epoch."""
        stops = np.cumsum(self.batch_sizes)
        return [(int(b - s), int(b)) for s, b in zip(self.batch_sizes, stops)]

    def batch(self, epoch: int, step: int):
        """(indices, x, y) of batch ``step`` of ``epoch`` (0-based)."""
        if not 0 <= epoch < self.n_epochs or not 0 <= step < len(self.batch_sizes):
            raise ValueError(f"no batch {step} in epoch {epoch} "
                             f"({self.n_epochs} epochs of {len(self.batch_sizes)} batches)")
        a, b = self.bounds()[step]
        return self.order[epoch, a:b], self.x[epoch, a:b], self.y[epoch, a:b]

    def item_views(self, index: int) -> np.ndarray:
        """(epochs, 1, H, W): how item ``index`` came out in each epoch."""
        if not 0 <= index < self.n_items:
            raise ValueError(f"index must be in 0..{self.n_items - 1}, got {index!r}")
        return np.stack([self.x[e, int(np.flatnonzero(self.order[e] == index)[0])]
                         for e in range(self.n_epochs)])


def make_loader(dataset, batch_size: int, *, seed: int = 0, drop_last: bool = False, shuffle=True):
    """``DataLoader(dataset, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))``."""
    import torch
    from torch.utils.data import DataLoader

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                      generator=torch.Generator().manual_seed(seed))


def trace_loader(n_items: int = 10, *, batch_size: int = 4, epochs: int = 3, seed: int = 0,
                 max_shift: int = 1) -> LoaderTrace:
    """Run a real shuffling ``DataLoader`` over ``n_items`` digits and record everything.

    The dataset shifts each image by up to ``max_shift`` pixels in ``__getitem__``
    (generator seeded with ``seed + 1``); the loader shuffles with a generator seeded with
    ``seed``. A second loader, same seed, ``drop_last=True``, shows what is dropped.
    """
    import torch

    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= n_items:
        raise ValueError(f"batch_size must be an integer in 1..n_items ({n_items}), got {batch_size!r}")
    images, labels, picks = digit_items(n_items, seed=seed)
    cls = make_dataset_class()
    log: list = []
    ds = cls(images, labels, RandomShift(max_shift, generator=torch.Generator().manual_seed(seed + 1)),
             log=log)
    loader = make_loader(ds, batch_size, seed=seed)
    order, xs, ys, sizes = [], [], [], None
    for _ in range(epochs):
        log.clear()
        batches = list(loader)                 # one epoch: iter(loader), then next() until done
        order.append(list(log))
        xs.append(torch.cat([b[0] for b in batches]).numpy())
        ys.append(torch.cat([b[1] for b in batches]).numpy())
        sizes = tuple(len(b[1]) for b in batches)
    dl_log: list = []
    ds_drop = cls(images, labels, None, log=dl_log)
    drop_loader = make_loader(ds_drop, batch_size, seed=seed, drop_last=True)
    drop_order, drop_sizes = [], None
    for _ in range(epochs):
        dl_log.clear()
        drop_sizes = tuple(len(b[1]) for b in drop_loader)
        drop_order.append(list(dl_log))
    return LoaderTrace(images, labels, picks.astype(np.int64), np.array(order, np.int64),
                       np.stack(xs), np.stack(ys), sizes, drop_sizes,
                       np.array(drop_order, np.int64).reshape(epochs, -1), batch_size, seed, max_shift)
