"""viz: see how convolutional networks learn (fast.ai 2018, lessons 2 and 3).

Layers (dependencies point one way):

* :mod:`viz.core`     numpy + torch: models, data, traces, schedules, metrics.
* :mod:`viz.figures`  matplotlib/seaborn figures drawn from core result objects.
* :mod:`viz.anim`     Manim building blocks (grids of numbers, ...).
* :mod:`viz.catalog`  every figure and scene, by lesson topic (what ``viz list`` shows).
* :mod:`viz.cli`      the ``viz`` command.

``import viz`` imports none of torch, matplotlib or manim.
"""
__version__ = "0.1.0"
