"""Catalog entries for architectures compared (lesson 1's "various architectures")."""
from . import Figure, Scene


def architectures():
    """Six small CNNs trained the same way (a few seconds; once per machine, cached)."""
    from viz.core.architectures import cached_comparison
    from viz.figures.architectures import architectures_figure

    return architectures_figure(cached_comparison())


FIGURES = [
    Figure("architectures", "Architectures compared",
           "Six small CNNs (1-3 conv blocks, 8 to 64 filters, with and without max-pooling and "
           "batch norm) trained the same way on 12×12 digits: each one's learn.summary(), "
           "parameters, held-out accuracy, CPU training time (this machine's) and learning "
           "curve, with the conclusion written on the figure.",
           "viz.catalog.architectures:architectures"),
]
SCENES = [
    Scene("architectures", "Six small CNNs side by side",
          "Each model's layers as learn.summary() lists them and its parameter count; then "
          "their held-out accuracy grows epoch by epoch, the CPU time each took appears, and "
          "one sentence says what the comparison shows.",
          "scenes.architectures:ArchitecturesCompared"),
]
