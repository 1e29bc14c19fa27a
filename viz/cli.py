"""The ``viz`` command: list, figures, render, build, spreadsheet.

Every sub-command is a thin layer over a public function. Bad input exits with status
2 and one line on stderr (no traceback), and leaves no partial file behind.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the usage too)
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog.split()[0]} --help)\n")


def _progress(iterable, desc):
    from tqdm import tqdm
    return tqdm(iterable, desc=desc, unit="item", file=sys.stderr, dynamic_ncols=True,
                disable=None, leave=True)


def _size(text):
    try:
        w, h = (float(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 8x4.5 (inches), got {text!r}") from None
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return w, h


# ---------------------------------------------------------------------------- commands
def cmd_list(args) -> int:
    from . import catalog
    current = None
    for e in catalog.entries():
        if e.topic != current:
            current = e.topic
            print(f"\n{catalog.topic_title(current)}  [{current}]")
        print(f"  {e.kind:<6}  {e.name:<28} {e.title}")
    return 0


def cmd_figures(args) -> int:
    from . import catalog, export
    chosen = catalog.select("figure", args.names)
    bar = _progress(chosen, "figures")
    for e in bar:   # save_figure checks format, dpi and folder before writing anything
        bar.set_postfix_str(e.name)
        path = export.save_figure(e, args.out, fmt=args.format, theme=args.theme, dpi=args.dpi,
                                  size=args.size)
        if bar.disable:   # no bar (not a terminal): say what was written instead
            print(path, file=sys.stderr)
    return 0


def cmd_render(args) -> int:
    from . import catalog, export
    chosen = catalog.select("scene", args.names)
    bar = _progress(chosen, "scenes")   # render_scene checks quality and folder first
    for e in bar:
        bar.set_postfix_str(e.name)
        export.render_scene(e, args.out, quality=args.quality)
    return 0


def cmd_build(args) -> int:
    from .build import build
    build(args.out, quality=args.quality, scenes=not args.no_scenes, progress=_progress)
    print(Path(args.out) / "index.html")
    return 0


def cmd_spreadsheet(args) -> int:
    if not args.json and not args.xlsx:
        raise ValueError("nothing to write: give --json PATH and/or --xlsx PATH")
    from .core.spreadsheet import load_conv_example, load_kernels, trace_conv_example
    params = load_conv_example()
    changes = {}
    if args.image:
        from .core.images import load_image
        changes["input"] = load_image(args.image)
    if args.kernels:
        changes.update(load_kernels(args.kernels))
    params = params.replace(**changes)
    trace = trace_conv_example(params)
    if args.json:
        import json
        from ._io import write_text_atomic
        write_text_atomic(args.json, json.dumps(trace.to_dict()) + "\n")
        print(args.json)
    if args.xlsx:
        from .workbook import write_workbook
        write_workbook(params, args.xlsx)
        print(args.xlsx)
    print(f"dense activation: {trace.dense:.10g}")
    return 0


# ---------------------------------------------------------------------------- parser
def make_parser() -> argparse.ArgumentParser:
    from .export import FORMATS, QUALITIES
    p = _Parser(prog="viz", description="See how convolutional networks learn: figures, "
                "lesson videos and spreadsheets computed from real PyTorch models.")
    from . import __version__
    p.add_argument("--version", action="version", version=f"viz {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    s = sub.add_parser("list", help="every figure and scene, by lesson topic")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("figures", help="draw figures to files")
    s.add_argument("names", nargs="*", metavar="NAME", help="figures to draw (default: all)")
    s.add_argument("--out", default="figures", help="output folder (default: figures)")
    s.add_argument("--format", default="png", help=f"{' | '.join(FORMATS)} (default: png)")
    s.add_argument("--theme", default="light", choices=["light", "dark"])
    s.add_argument("--dpi", type=int, default=150, help="resolution for png (default: 150)")
    s.add_argument("--size", type=_size, default=None, metavar="WxH",
                   help="figure size in inches, e.g. 12x6 (default: each figure's own)")
    s.set_defaults(func=cmd_figures)

    s = sub.add_parser("render", help="render Manim scenes to mp4")
    s.add_argument("names", nargs="*", metavar="SCENE", help="scenes to render (default: all)")
    s.add_argument("--out", default="videos", help="output folder (default: videos)")
    s.add_argument("--quality", default="low", help=f"{' | '.join(QUALITIES)} (default: low)")
    s.set_defaults(func=cmd_render)

    s = sub.add_parser("build", help="all figures, all scenes and the gallery page index.html")
    s.add_argument("--out", default="build", help="output folder (default: build)")
    s.add_argument("--quality", default="low", help=f"{' | '.join(QUALITIES)} (default: low)")
    s.add_argument("--no-scenes", action="store_true", help="figures only (fast)")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("spreadsheet", help="the conv-example spreadsheet's numbers as JSON "
                       "and/or a workbook with live formulas")
    s.add_argument("--json", metavar="PATH", help="write every layer's values as JSON")
    s.add_argument("--xlsx", metavar="PATH", help="write a workbook with live formulas")
    s.add_argument("--image", metavar="PATH", help="use this picture instead of the sheet's \"7\" "
                   "(converted to 28x28 grayscale, inverted if it is dark ink on light paper)")
    s.add_argument("--kernels", metavar="PATH", help="JSON: a 2x3x3 list (conv1 filters) or an "
                   "object with 'conv1' (2x3x3), 'conv2' (2x2x3x3), 'dense' (2x12x12)")
    s.set_defaults(func=cmd_spreadsheet)

    # Topic modules may add their own sub-commands: viz/catalog/<topic>.py can define
    # ``add_commands(subparsers)``; each parser sets ``func`` to a function(args) -> int.
    from . import catalog
    for topic, _ in catalog.TOPICS:
        module = catalog.topic_module(topic)
        if hasattr(module, "add_commands"):
            module.add_commands(sub)
    return p


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"viz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("viz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:     # e.g. `viz im2col ... | head`: the reader left, not an error
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
