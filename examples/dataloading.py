# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Datasets, DataLoaders, iterators and generators
#
# fast.ai 2018, lessons 2–3. The to-do from the notes: *"play with dataloader, datasets,
# generator, iterator concepts"*, and the question *"how does data augmentation work if
# it's the same image?"*. Everything here is a real `torch.utils.data.DataLoader` over
# ten of scikit-learn's bundled 8×8 digits; it runs offline in seconds.

# %%
import numpy as np
import matplotlib.pyplot as plt
import torch

from viz.core import dataloading as D
from viz.figures import theme
from viz.figures.dataloading import loader_figure

images, labels, picks = D.digit_items(10, seed=0)
ds = D.DigitsDataset(images, labels)          # a torch Dataset: numbered items
print("len(ds) =", len(ds))
x, y = ds[3]                                  # __getitem__: one (image, label)
print("ds[3] ->", tuple(x.shape), "label", y)

# %% [markdown]
# ## A DataLoader: shuffle, batch, collate
# `shuffle=True` draws a new order of the indices every epoch from the loader's
# `generator`; `batch_size=4` stacks four `(1, 8, 8)` images into one `(4, 1, 8, 8)`
# tensor and four labels into a vector. Ten items make batches of 4, 4 and 2: the last
# one is partial unless `drop_last=True`.

# %%
loader = D.make_loader(ds, 4, seed=0)
it = iter(loader)                   # start an epoch
xb, yb = next(it)                   # one batch
print("first batch:", tuple(xb.shape), yb.tolist())
for epoch in range(2):
    sizes = [len(y) for _, y in loader]          # one pass = one epoch
    print(f"epoch {epoch + 1}: batch sizes {sizes}")
print("drop_last=True:", [len(y) for _, y in D.make_loader(ds, 4, seed=0, drop_last=True)])

# %% [markdown]
# ## Same image, new pixels: the transform runs in `__getitem__`
# `trace_loader` runs the loader for three epochs with a random shift of up to one pixel
# inside `__getitem__`, and records every index it read (the dataset logs them), every
# batch and every image.

# %%
trace = D.trace_loader(n_items=10, batch_size=4, epochs=3, seed=0)
print("order per epoch:\n", trace.order)
print("labels of ds[3] in every epoch:", [int(trace.y[e][list(trace.order[e]).index(3)]) for e in range(3)])
views = trace.item_views(3)
print("pixels that changed between epoch 1 and 2:", int((views[0] != views[1]).sum()))
with theme("light"):
    loader_figure(trace, item=3)
plt.show()

# %% [markdown]
# ## The training loop
# `for i, (x, y) in enumerate(loader)` is one epoch; `i` counts batches.

# %%
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.5)
aug = D.DigitsDataset(images, labels, D.RandomShift(1, generator=torch.Generator().manual_seed(1)))
for epoch in range(3):
    for i, (x, y) in enumerate(D.make_loader(aug, 4, seed=epoch)):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch + 1}: {i + 1} batches, last loss {loss.item():.3f}")

# %% [markdown]
# ## A plain Python generator does the batching too
# `python_batches` reads `ds[i]` in a given order and yields stacked batches. Given the
# loader's order it gives exactly the loader's batches. What the DataLoader adds: a sampler
# that reshuffles every epoch from a seeded generator, collation of any structure (tuples,
# dicts), worker processes (`num_workers`) and pinned memory.

# %%
order = next(iter(D.make_loader(D.DigitsDataset(images, np.arange(10)), 10, seed=0)))[1]
mine = list(D.python_batches(ds, 4, order.tolist()))
theirs = list(D.make_loader(ds, 4, seed=0))
print("same batches:", all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(mine, theirs)))

# %% [markdown]
# ## Exercise: your own Dataset class and loader
# 1. Write a class that inherits from `torch.utils.data.Dataset` with `__len__` and
#    `__getitem__`, returning `(image, label)` for the digits above, and a `flip` option
#    that mirrors the image left-right with probability 0.5 (is that a good augmentation
#    for digits?).
# 2. Write your own loader as a generator function `my_loader(ds, batch_size, seed)`:
#    shuffle the indices with `torch.randperm(len(ds), generator=...)`, then yield
#    stacked batches. Check it against `DataLoader` with the same batch size.
# 3. What changes if the generator is *not* seeded? Run the cell twice.
#
# One possible solution (try yourself first):

# %%
from torch.utils.data import Dataset, DataLoader


class MyDigits(Dataset):
    def __init__(self, images, labels, flip=False, seed=0):
        self.images, self.labels, self.flip = images, labels, flip
        self.g = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = torch.from_numpy(self.images[i].copy())
        if self.flip and torch.rand(1, generator=self.g).item() < 0.5:
            x = x.flip(-1)
        return x, int(self.labels[i])


def my_loader(ds, batch_size, seed):
    order = torch.randperm(len(ds), generator=torch.Generator().manual_seed(seed))
    for start in range(0, len(ds), batch_size):
        items = [ds[int(i)] for i in order[start:start + batch_size]]
        yield torch.stack([x for x, _ in items]), torch.tensor([y for _, y in items])


mine = MyDigits(images, labels)
print([tuple(x.shape) for x, _ in my_loader(mine, 4, seed=0)])
ref = DataLoader(mine, batch_size=4)            # no shuffling: compare the collation
assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
           for a, b in zip(D.python_batches(mine, 4), ref))
print("collation matches DataLoader")
