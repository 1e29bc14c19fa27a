"""Catalog entries for the conv-example spreadsheet (lesson 3)."""
from . import Figure, Scene


def conv_example():
    """The whole spreadsheet, every layer recomputed by the torch replica."""
    from viz.core.spreadsheet import trace_conv_example
    from viz.figures.spreadsheet import conv_example_figure

    return conv_example_figure(trace_conv_example())


FIGURES = [
    Figure("conv-example", "The conv-example spreadsheet",
           "A 28×28 \"7\" through two edge filters, ReLU, a two-channel second conv layer, "
           "2×2 max-pooling and one dense activation (258.74), each layer a heatmap of its numbers.",
           "viz.catalog.spreadsheet:conv_example"),
]
SCENES = [
    Scene("conv-example", "The spreadsheet, animated",
          "The top-edge kernel slides over the digit's numbers: products, their sum, ReLU; then "
          "the layer completes and the data flows through conv2, max-pool and the dense layer.",
          "scenes.conv_example:ConvExample"),
]
