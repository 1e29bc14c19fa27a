"""Catalog entries for datasets, DataLoaders, iterators and generators (lessons 2-3)."""
from . import Figure, Scene


def loader():
    """A real shuffling DataLoader over ten digits, three epochs (no training; instant)."""
    from viz.core.dataloading import trace_loader
    from viz.figures.dataloading import loader_figure

    return loader_figure(trace_loader())


FIGURES = [
    Figure("dataloader", "How a DataLoader feeds the model",
           "A Dataset of ten digits (ds[i] → image, label), then two epochs of a real "
           "DataLoader(batch_size=4, shuffle=True, seeded generator): a new order each epoch, "
           "batches x 4×1×8×8 and y, the last one partial; on the right one item in every "
           "epoch: same label, pixels shifted by the transform in __getitem__.",
           "viz.catalog.dataloading:loader"),
]
SCENES = [
    Scene("dataloader", "A DataLoader: numbered items, shuffled batches",
          "Ten numbered digits; each epoch the loader's sampler draws a new order, next(it) "
          "reads four items through a random shift and stacks them into x and y; the last "
          "batch is partial; epoch 2 has another order and other pixels, the same labels.",
          "scenes.dataloading:DataLoaderScene"),
]
