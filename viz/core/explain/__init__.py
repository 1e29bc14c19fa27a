"""``viz explain``: any user's CNN explained on one picture (issue 14).

Core only (numpy and torch): loading the user's model, weights and pictures
(:mod:`.loading`), the input shape, the trace, the filters and the LR range test on a
copy of the model (:mod:`.run`, :mod:`.trace`). The report, the browser explorer and the
video take the :class:`Explanation` that :func:`explain` returns.
"""
from .loading import (IMAGE_EXTENSIONS, Picture, convert_input, load_factory, load_weights,
                      read_picture)
from .run import (ImageFolder, Explanation, conv_filters, explain, explain_lr_find, input_shape,
                  load_image_folder)
from .trace import KINDS, ModelTrace, TraceStep, probabilities, trace_model

__all__ = ["IMAGE_EXTENSIONS", "Explanation", "ImageFolder", "KINDS", "ModelTrace", "Picture",
           "TraceStep", "conv_filters", "convert_input", "explain", "explain_lr_find",
           "input_shape", "load_factory", "load_image_folder", "load_weights", "probabilities",
           "read_picture", "trace_model"]
