"""``viz explain MODEL --input IMAGE [--weights FILE] [--data DIR] [--classes a,b,c]
[--input-size C H W] [--video] [--quality Q] [--out DIR]``: the command over
:func:`viz.core.explain.explain` and :func:`viz.explain_report.write_report`.

Every cheap check (the output folder, quality, class names, input size, data folder, the
picture) comes before the user's code is run; a problem is a one-line ``ValueError``
(exit 2, nothing written).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from .explain_report import (INPUT_SIDE, MAX_CLASSES, MAX_INPUT_NUMBERS, check_report_dir,
                             write_report)


def _classes(text):
    """``--classes a,b,c``: names without blanks or repeats."""
    names = [c.strip() for c in str(text).split(",")]
    if not text.strip() or any(not c for c in names):
        raise ValueError(f"--classes must be names separated by commas (a,b,c), got {text[:60]!r}")
    if len(names) > MAX_CLASSES or any(len(c) > 100 for c in names):
        raise ValueError(f"--classes: at most {MAX_CLASSES:,} names of at most 100 characters each")
    dup = next((c for i, c in enumerate(names) if c in names[:i]), None)
    if dup is not None:
        raise ValueError(f"--classes names {dup!r} twice")
    return tuple(names)


def cmd_explain(args) -> int:
    from .export import check_quality

    if not args.model:
        raise ValueError("give the model: viz explain path/to/file.py:factory --input IMAGE")
    if not args.input:
        raise ValueError("give the picture to explain: --input IMAGE")
    out = check_report_dir(args.out, "--out")                    # before any work
    check_quality(args.quality)
    classes = _classes(args.classes) if args.classes is not None else None
    size = tuple(args.input_size) if args.input_size else None
    if size and size[0] * size[1] * size[2] > MAX_INPUT_NUMBERS:
        raise ValueError(f"--input-size {' '.join(map(str, size))} is {size[0] * size[1] * size[2]:,} "
                         f"numbers; the most is {MAX_INPUT_NUMBERS:,}")
    if args.data is not None and not Path(args.data).is_dir():
        raise ValueError(f"--data must be a folder of class folders, got {args.data}")
    from .core.explain import (explain, input_shape, load_factory, load_image_folder, load_weights,
                               read_picture)
    picture = read_picture(args.input)
    model, label = load_factory(args.model)                       # runs the user's code
    if args.weights:
        load_weights(model, args.weights)
    data = None
    if args.data is not None:
        data = load_image_folder(args.data, input_shape(model, size)[0])
    ex = explain(model, picture, label=label, source=Path(args.input).name, input_size=size,
                 data=data, classes=classes, progress=None)
    print(ex.conversion)
    from .core.explain.browser import BrowserUnsupported, browser_model
    try:
        explorer = browser_model(model, ex.shape, classes=list(ex.classes), label=label,
                                 sample=ex.trace.input, sample_line=ex.conversion)
    except BrowserUnsupported as exc:
        explorer = " ".join(str(exc).split())
    with tempfile.TemporaryDirectory(prefix="viz-explain-") as work:
        video = None
        if args.video:
            from .explain_video import render_explanation_video
            if sys.stderr.isatty():
                print(f"viz: rendering the video (Manim, quality {args.quality}) ...", file=sys.stderr)
            video = render_explanation_video(ex.trace, ex.classes, Path(work) / "explain.mp4",
                                             quality=args.quality, title=label)
        index = write_report(ex, out, video=video, explorer=explorer)
    print(index)
    return 0


def add_commands(sub) -> None:
    """``viz explain MODEL --input IMAGE [...]`` (see the module docstring)."""
    from .export import QUALITIES
    s = sub.add_parser(
        "explain", help="a report on your own model for one picture: summary, every layer's "
        "maps, filters, probabilities (and an LR range test, a video, a live page). MODEL's file "
        "is imported and run as Python code",
        description="Explain your own PyTorch model on one picture. MODEL is "
        "path/to/file.py:factory; the file is imported and run as Python code, and the factory "
        "called, which happens only because you asked for it on the command line: run only "
        "files you trust. The report is DIR/index.html with every figure as PNG and SVG.")
    s.add_argument("model", nargs="?", metavar="MODEL", help="path/to/file.py:factory, a function "
                   "returning a torch.nn.Module (the file is run as Python code)")
    s.add_argument("--input", metavar="IMAGE", help="the picture to explain (required); converted "
                   "to what the first layer takes, in one printed line")
    s.add_argument("--weights", metavar="FILE", help="a state dict saved with torch.save, loaded "
                   "with torch.load(weights_only=True)")
    s.add_argument("--data", metavar="DIR", help="an image folder (one sub-folder per class): adds "
                   "an LR range test on a copy of the model, and the class names")
    s.add_argument("--classes", metavar="a,b,c", help="names of the model's outputs")
    s.add_argument("--input-size", type=INPUT_SIDE, nargs=3, metavar=("C", "H", "W"),
                   help="the input the model takes, each 1..4096 (default: found from the model)")
    s.add_argument("--video", action="store_true", help="also render the Otavio-style video "
                   "of this model and input (Manim; minutes)")
    s.add_argument("--quality", default="low", help=f"video quality: {' | '.join(QUALITIES)} "
                   "(default: low)")
    s.add_argument("--out", default="explain", help="output folder (default: explain); a "
                   "previous report there is replaced")
    s.set_defaults(func=cmd_explain)
