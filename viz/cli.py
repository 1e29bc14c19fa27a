"""The ``viz`` command: list, figures, render, build, spreadsheet.

Every sub-command is a thin layer over a public function. Bad input exits with status
2 and one line on stderr (no traceback), and leaves no partial file behind.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._check import Int


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the usage too)
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog.split()[0]} --help)\n")

    def _get_values(self, action, arg_strings):
        # argparse turns `--opt=--` into an empty list, not an error: refuse it here
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: expected one argument")
        return super()._get_values(action, arg_strings)


#: Bounds of the figure options: inches per side, dots per inch, pixels in one picture.
SIZE_INCHES = (1.0, 50.0)
DPI = Int(10, 600)
JOBS = Int(1, 256)
MAX_PIXELS = 100_000_000


def _size(text):
    import math
    try:
        w, h = (float(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 8x4.5 (inches), got {text[:40]!r}") from None
    lo, hi = SIZE_INCHES
    if not all(math.isfinite(v) and lo <= v <= hi for v in (w, h)):
        raise argparse.ArgumentTypeError(f"each side must be between {lo:g} and {hi:g} inches, "
                                         f"got {text[:40]!r}")
    return w, h


def _check_pixels(args) -> None:
    """``--size`` times ``--dpi``: refuse a picture of more than MAX_PIXELS before drawing."""
    size, dpi = getattr(args, "size", None), getattr(args, "dpi", None)
    if size is not None and dpi is not None:
        pixels = round(size[0] * dpi) * round(size[1] * dpi)
        if pixels > MAX_PIXELS:
            raise ValueError(f"--size {size[0]:g}x{size[1]:g} at --dpi {dpi} makes {pixels:,} "
                             f"pixels; the most is {MAX_PIXELS:,}")


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


def _say_written(outcome):
    """Without a progress bar (not a terminal), name each file written, on stderr."""
    if outcome.ok and not sys.stderr.isatty():
        values = outcome.value if isinstance(outcome.value, (tuple, list)) else [outcome.value]
        for path in values:
            if path is not None:
                print(path, file=sys.stderr)


def cmd_figures(args) -> int:
    from . import catalog, export, parallel
    from ._io import ensure_dir
    chosen = catalog.select("figure", args.names)
    export.check_figure_options(args.format, args.dpi)   # bad options: exit 2, before any work
    ensure_dir(args.out)
    tasks = [parallel.Task("figure", e.name, export.save_figure, (e, args.out),
                           {"fmt": args.format, "theme": args.theme, "dpi": args.dpi,
                            "size": args.size}) for e in chosen]
    outcomes = parallel.run_tasks(tasks, jobs=args.jobs, desc="figures", on_done=_say_written)
    parallel.raise_failures(outcomes)     # the others are written; exit 1 naming the failed
    return 0


def cmd_render(args) -> int:
    from . import catalog, export, parallel
    from ._io import ensure_dir
    chosen = catalog.select("scene", args.names)
    export.check_quality(args.quality)
    if args.scheduler:
        from .cluster import render_on_cluster
        render_on_cluster(chosen, args.out, quality=args.quality, scheduler=args.scheduler,
                          on_done=_say_written)
        return 0
    ensure_dir(args.out)
    tasks = [parallel.Task("scene", e.name, export.render_scene, (e, args.out),
                           {"quality": args.quality}) for e in chosen]
    outcomes = parallel.run_tasks(tasks, jobs=args.jobs, desc="scenes", on_done=_say_written)
    parallel.raise_failures(outcomes)
    return 0


def cmd_build(args) -> int:
    from .build import build
    index = build(args.out, quality=args.quality, scenes=not args.no_scenes, jobs=args.jobs)
    print(index)
    return 0


def cmd_explore(args) -> int:
    from .explore import write_explorer
    print(write_explorer(args.out))
    return 0


def cmd_spreadsheet(args) -> int:
    if not args.json and not args.xlsx:
        raise ValueError("nothing to write: give --json PATH and/or --xlsx PATH")
    from ._io import atomic_paths, check_output
    outputs = [(p, o) for p, o in ((args.json, "--json"), (args.xlsx, "--xlsx")) if p]
    kinds = {option: check_output(path, option) for path, option in outputs}   # before any work
    if args.xlsx and kinds["--xlsx"] == "replace" and Path(args.xlsx).suffix.lower() != ".xlsx":
        raise ValueError(f"--xlsx must end in .xlsx, got {args.xlsx!r}")
    if args.json and args.xlsx and Path(args.json).resolve() == Path(args.xlsx).resolve():
        raise ValueError(f"--json and --xlsx name the same file: {args.json}")
    from .core.spreadsheet import load_conv_example, load_kernels, trace_conv_example
    params = load_conv_example()
    changes = {}
    if args.image:
        from .core.images import load_image
        from ._check import note
        changes["input"] = load_image(args.image, option="--image", note=note)
    if args.kernels:
        changes.update(load_kernels(args.kernels))
    params = params.replace(**changes)
    trace = trace_conv_example(params)
    from ._check import check_finite
    for name in ("conv1", "conv2", "pool", "dense"):
        check_finite(getattr(trace, name), f"the {name} layer")
    import json
    with atomic_paths(*(p for p, _ in outputs), options=[o for _, o in outputs],
                      suffixes=[".json" if o == "--json" else ".xlsx" for _, o in outputs]) as tmps:
        for (path, option), tmp in zip(outputs, tmps):
            if option == "--json":
                tmp.write_text(json.dumps(trace.to_dict(), allow_nan=False) + "\n",
                               encoding="utf-8")
            else:
                from .workbook import write_workbook
                write_workbook(params, tmp)
    for path, _ in outputs:
        print(path)
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
    s.add_argument("--dpi", type=DPI, default=150, help="resolution for png, 10..600 (default: 150)")
    s.add_argument("--size", type=_size, default=None, metavar="WxH",
                   help="figure size in inches, e.g. 12x6, each side 1..50 (default: each "
                   "figure's own)")
    s.add_argument("--jobs", type=JOBS, default=None, metavar="N",
                   help="processes in parallel, 1..256 (default: one per core)")
    s.set_defaults(func=cmd_figures)

    s = sub.add_parser("render", help="render Manim scenes to mp4")
    s.add_argument("names", nargs="*", metavar="SCENE", help="scenes to render (default: all)")
    s.add_argument("--out", default="videos", help="output folder (default: videos)")
    s.add_argument("--quality", default="low", help=f"{' | '.join(QUALITIES)} (default: low)")
    s.add_argument("--jobs", type=JOBS, default=None, metavar="N",
                   help="processes in parallel, 1..256 (default: one per core)")
    s.add_argument("--scheduler", metavar="tcp://HOST:8786", default=None,
                   help="render on a Dask cluster (pip install 'viz[cluster]'): one task per scene")
    s.set_defaults(func=cmd_render)

    s = sub.add_parser("build", help="all figures, all scenes and the gallery page index.html")
    s.add_argument("--out", default="build", help="output folder (default: build)")
    s.add_argument("--quality", default="low", help=f"{' | '.join(QUALITIES)} (default: low)")
    s.add_argument("--no-scenes", action="store_true", help="figures only (fast)")
    s.add_argument("--jobs", type=JOBS, default=None, metavar="N",
                   help="processes in parallel, 1..256 (default: one per core)")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("explore", help="the live explorer: draw a digit, touch any cell, drag any "
                       "slider (a folder of static files that works offline from file://)")
    s.add_argument("--out", default="explorer", help="output folder (default: explorer)")
    s.set_defaults(func=cmd_explore)

    s = sub.add_parser("spreadsheet", help="the conv-example spreadsheet's numbers as JSON "
                       "and/or a workbook with live formulas")
    s.add_argument("--json", metavar="PATH", help="write every layer's values as JSON")
    s.add_argument("--xlsx", metavar="PATH", help="write a workbook with live formulas")
    s.add_argument("--image", metavar="PATH", help="use this picture instead of the sheet's \"7\" "
                   "(converted to 28x28 grayscale, inverted if it is dark ink on light paper)")
    s.add_argument("--kernels", metavar="PATH", help="JSON: a 2x3x3 list (conv1 filters) or an "
                   "object with 'conv1' (2x3x3), 'conv2' (2x2x3x3), 'dense' (2x12x12)")
    s.set_defaults(func=cmd_spreadsheet)

    from . import slides        # viz slides: decks (needs the slides extra only when run)
    slides.add_commands(sub)
    from . import explain_cli; explain_cli.add_commands(sub)   # viz explain: your own model

    # Topic modules may add their own sub-commands: viz/catalog/<topic>.py can define
    # ``add_commands(subparsers)``; each parser sets ``func`` to a function(args) -> int.
    from . import catalog
    for topic, _ in catalog.TOPICS:
        module = catalog.topic_module(topic)
        if hasattr(module, "add_commands"):
            module.add_commands(sub)
    return p


def main(argv=None) -> int:
    import warnings

    from ._io import track_new_dirs
    from .parallel import TaskFailures
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:           # a bad argument (one line printed), --help, --version
        return exc.code if isinstance(exc.code, int) else 2
    try:
        # Warnings are held back: a failing command prints its one error line and nothing
        # else; a command that succeeds prints each distinct warning once, on one line.
        with warnings.catch_warnings(record=True) as caught, track_new_dirs():
            _check_pixels(args)
            rc = args.func(args)
        for msg in dict.fromkeys(f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}"
                                 for w in caught if str(w.message).strip()):
            print(f"viz: warning: {msg}", file=sys.stderr)
        return rc
    except TaskFailures as exc:       # some figures/scenes failed, the others were written
        for line in exc.lines:
            print(f"viz: error: {line}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"viz: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (OverflowError, MemoryError, RecursionError) as exc:   # a bound that was missed
        print(f"viz: error: the input is too large ({type(exc).__name__}: {_one_line(exc)})",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("viz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:     # e.g. `viz im2col ... | head`: the reader left, not an error
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _one_line(exc) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 500 else text[:497] + "..."


if __name__ == "__main__":
    sys.exit(main())
