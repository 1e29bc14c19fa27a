"""Datasets, DataLoaders and generators: every shown index against a fresh torch DataLoader."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from viz.core import dataloading as D  # noqa: E402
from viz.figures import theme  # noqa: E402
from viz.figures.dataloading import loader_figure  # noqa: E402


@pytest.fixture(scope="module")
def trace():
    return D.trace_loader(n_items=10, batch_size=4, epochs=3, seed=0)


def _shifts(img, m):
    """Every image RandomShift(m) can make of ``img`` (C, H, W), by hand with numpy."""
    h, w = img.shape[-2:]
    p = np.pad(img, ((0, 0), (m, m), (m, m)))
    return [p[:, dy:dy + h, dx:dx + w] for dy in range(2 * m + 1) for dx in range(2 * m + 1)]


def test_shown_indices_are_the_loaders_own(trace):
    """A plain torch DataLoader over the indices, same seed, gives the same order epoch by epoch."""
    ref = DataLoader(TensorDataset(torch.arange(10)), batch_size=4, shuffle=True,
                     generator=torch.Generator().manual_seed(0))
    for e in range(3):
        batches = [b[0].numpy() for b in ref]
        assert [len(b) for b in batches] == list(trace.batch_sizes) == [4, 4, 2]
        np.testing.assert_array_equal(np.concatenate(batches), trace.order[e])
        for step, b in enumerate(batches):
            np.testing.assert_array_equal(trace.batch(e, step)[0], b)
    assert sorted(trace.order[0]) == list(range(10))
    assert not np.array_equal(trace.order[0], trace.order[1])       # reshuffled every epoch
    drop = DataLoader(TensorDataset(torch.arange(10)), batch_size=4, shuffle=True, drop_last=True,
                      generator=torch.Generator().manual_seed(0))
    assert trace.drop_last_sizes == (4, 4)
    for e in range(3):
        np.testing.assert_array_equal(torch.cat([b[0] for b in drop]).numpy(), trace.drop_last_order[e])
    np.testing.assert_array_equal(trace.drop_last_order, trace.order[:, :8])


def test_batches_hold_shifted_items_with_their_labels(trace):
    for e in range(trace.n_epochs):
        np.testing.assert_array_equal(trace.y[e], trace.labels[trace.order[e]])
        for j, i in enumerate(trace.order[e]):
            assert any(np.array_equal(trace.x[e, j], s) for s in _shifts(trace.images[i], 1))
    changed = [not np.array_equal(trace.x[0, list(trace.order[0]).index(i)],
                                  trace.x[1, list(trace.order[1]).index(i)]) for i in range(10)]
    assert sum(changed) >= 3                           # same item, new pixels in another epoch
    views = trace.item_views(3)
    assert views.shape == (3, 1, 8, 8)
    np.testing.assert_array_equal(views[1], trace.x[1, list(trace.order[1]).index(3)])
    _, xb, yb = trace.batch(0, 0)
    assert xb.shape == (4, 1, 8, 8) and yb.shape == (4,)
    assert len(set(trace.labels)) == 10 and trace.x.flags.writeable is False


def test_items_are_sklearn_digits(trace):
    from sklearn.datasets import load_digits
    d = load_digits()
    np.testing.assert_allclose(trace.images[:, 0], d.images[trace.picks] / 16.0, atol=1e-7)
    np.testing.assert_array_equal(trace.labels, d.target[trace.picks])


def test_dataset_class_and_transform():
    imgs, labels, _ = D.digit_items(5, seed=1)
    log = []
    ds = D.DigitsDataset(imgs, labels, log=log)
    assert isinstance(ds, torch.utils.data.Dataset) and len(ds) == 5
    x, y = ds[2]
    assert y == labels[2] and torch.equal(x, torch.from_numpy(imgs[2]))
    assert ds[-1][1] == labels[4] and log == [2, 4]
    with pytest.raises(IndexError):
        ds[5]
    with pytest.raises(ValueError, match="images must be"):
        D.DigitsDataset(imgs[:, 0], labels)
    t = D.RandomShift(2, generator=torch.Generator().manual_seed(0))
    out = t(torch.from_numpy(imgs[0])).numpy()
    assert any(np.array_equal(out, s) for s in _shifts(imgs[0], 2))
    assert torch.equal(D.RandomShift(0)(torch.from_numpy(imgs[0])), torch.from_numpy(imgs[0]))
    with pytest.raises(ValueError, match="max_shift"):
        D.RandomShift(-1)


def test_python_generator_matches_the_loader():
    imgs, labels, _ = D.digit_items(10, seed=0)
    ds = D.DigitsDataset(imgs, labels)
    loader = D.make_loader(ds, 3, seed=5)
    order = torch.cat([y for _, y in D.make_loader(D.DigitsDataset(imgs, np.arange(10)), 3, seed=5)])
    mine = list(D.python_batches(ds, 3, order.numpy()))
    theirs = list(loader)
    assert len(mine) == len(theirs) == 4
    for (xa, ya), (xb, yb) in zip(mine, theirs):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert [len(y) for _, y in D.python_batches(ds, 3, drop_last=True)] == [3, 3, 3]
    with pytest.raises(ValueError, match="batch_size"):
        next(D.python_batches(ds, 0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        D.trace_loader(n_items=3, batch_size=4)
    with pytest.raises(ValueError, match="epochs"):
        D.trace_loader(epochs=0)
    with pytest.raises(ValueError, match="n_items"):
        D.digit_items(0)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_figure_shows_the_trace(trace, name):
    with theme(name):
        fig = loader_figure(trace, epochs=2, item=3)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert [f"ds[{i}]" for i in range(10)] == [t for t in texts if t.startswith("ds[") and "," not in t
                                                and "every" not in t]
    bold = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold" and t.get_text().isdigit()]
    np.testing.assert_array_equal(np.array(bold, int), trace.order[:2].ravel())
    assert len(ax.images) == 10 + 2 * 10 + 1 + 3
    np.testing.assert_array_equal(ax.images[10].get_array(), trace.x[0, 0, 0])
    assert any("drop_last=True drops it" in t for t in texts)
    with pytest.raises(ValueError, match="epochs"):
        loader_figure(trace, epochs=4)
