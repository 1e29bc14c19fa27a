"""``viz explain``: any user's CNN explained on one picture (issue 14).

Core only (numpy and torch): the user's model and weights (:mod:`.loading`), pictures
(:mod:`.pictures`) and image folders (:mod:`.folders`); the input shape, the filters and
the LR range test on a copy of the model (:mod:`.run`); every step's output
(:mod:`.trace`); what the browser page can compute (:mod:`.browser`). The report, the browser explorer and the
video take the :class:`Explanation` that :func:`explain` returns.
"""
from .loading import load_factory, load_weights
from .pictures import IMAGE_EXTENSIONS, Picture, convert_input, read_picture
from .folders import ImageFolder, load_image_folder
from .run import Explanation, conv_filters, explain, explain_lr_find, input_shape
from .trace import KINDS, ModelTrace, TraceStep, probabilities, trace_model

__all__ = ["IMAGE_EXTENSIONS", "Explanation", "ImageFolder", "KINDS", "ModelTrace", "Picture",
           "TraceStep", "conv_filters", "convert_input", "explain", "explain_lr_find",
           "input_shape", "load_factory", "load_image_folder", "load_weights", "probabilities",
           "read_picture", "trace_model"]
