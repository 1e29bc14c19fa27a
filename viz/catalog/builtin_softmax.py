"""Catalog entries for "the architecture must make it easy to learn": softmax built in vs learned."""
from . import Figure, Scene


def builtin_softmax():
    """The same net trained three ways on the digits (a second; once per machine, cached)."""
    from viz.core.builtin_softmax import cached_comparison
    from viz.figures.builtin_softmax import builtin_softmax_figure

    return builtin_softmax_figure(cached_comparison())


FIGURES = [
    Figure("builtin-softmax", "Softmax built in vs probabilities learned",
           "The same small network, optimizer, steps and seed on 8×8 digits: (a) softmax + "
           "cross-entropy, (b) linear outputs regressed onto one-hot with MSE, (c) a sigmoid "
           "per class. Held-out accuracy and losses over training, how far the outputs are "
           "from summing to 1 and from [0, 1], and the outputs for the same three digits.",
           "viz.catalog.builtin_softmax:builtin_softmax"),
]
SCENES = [
    Scene("builtin-softmax", "(b)'s outputs wander, (a)'s form a distribution",
          "One held-out digit's ten outputs through training, record by record: with softmax "
          "built in they always sum to 1 inside [0, 1]; asked to learn probabilities with MSE, "
          "the sum wanders and bars go below 0.",
          "scenes.builtin_softmax:OutputsWander"),
]
