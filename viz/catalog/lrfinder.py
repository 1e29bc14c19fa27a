"""Catalog entries for the learning-rate finder (lessons 1-2), and ``viz lr-find``."""
from . import Figure, Scene


def lr_finder():
    """sched.plot of a real range test: small CNN, sklearn digits, Adam."""
    from viz.core.lr_finder import digits_lr_find
    from viz.figures.lr_finder import plot_lr_find

    return plot_lr_find(digits_lr_find()).figure


def lr_finder_overview():
    from viz.core.lr_finder import digits_lr_find
    from viz.figures.lr_finder import lr_finder_overview as overview

    return overview(digits_lr_find())


def lr_finder_batch_sizes():
    from viz.core.lr_finder import digits_lr_find
    from viz.figures.lr_finder import plot_lr_find_comparison

    runs = {f"batch size {bs}": digits_lr_find(batch_size=bs) for bs in (8, 16, 32)}
    return plot_lr_find_comparison(runs, title="Learning-rate finder: three batch sizes").figure


def lr_finder_groups():
    """Differential learning rates lr/9, lr/3, lr: the sweep keeps them in proportion."""
    import matplotlib.pyplot as plt

    from viz.core.lr_finder import digits_lr_find
    from viz.figures.lr_finder import plot_lr, plot_lr_find

    result = digits_lr_find(group_ratios=(1 / 9, 1 / 3, 1))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
    plot_lr(result, ax=axes[0], log=True)
    axes[0].set_title("three parameter groups: lr/9, lr/3, lr (log scale)")
    plot_lr_find(result, ax=axes[1], advice=False,
                 title="range test with differential learning rates (last group's lr)")
    return fig


FIGURES = [
    Figure("lr-finder", "The learning-rate finder",
           "A real range test (small CNN on sklearn's digits, Adam): the smoothed loss against a "
           "learning rate growing from 1e-5, its flat start, the steepest descent, the minimum "
           "and the blow-up that stops it, with the three suggested learning rates.",
           "viz.catalog.lrfinder:lr_finder"),
    Figure("lr-finder-overview", "sched.plot, plot_lr and plot_loss",
           "fastai 0.7's three views of the same range test: loss against lr, lr against "
           "iteration (exponential), and the smoothed loss against iteration.",
           "viz.catalog.lrfinder:lr_finder_overview"),
    Figure("lr-finder-batch-sizes", "The learning-rate finder at three batch sizes",
           "The same model and data swept with batches of 8, 16 and 32: smaller batches are "
           "noisier and tolerate larger learning rates before the loss blows up.",
           "viz.catalog.lrfinder:lr_finder_batch_sizes"),
    Figure("lr-finder-groups", "Differential learning rates in the range test",
           "Three parameter groups at lr/9, lr/3 and lr: the sweep multiplies all of them, so "
           "they stay in proportion; the plot uses the last group's lr, as fastai does.",
           "viz.catalog.lrfinder:lr_finder_groups"),
]
SCENES = [
    Scene("lr-finder", "The learning-rate finder, animated",
          "The learning rate runs up a log axis batch by batch while the loss trace follows; "
          "the loss blows up and the test stops; then the flat and diverging regions are "
          "shaded and the chosen learning rate is picked: steepest, about 10× below the minimum.",
          "scenes.lr_finder:LRFinderSweep"),
]


# ---------------------------------------------------------------------------- viz lr-find
def cmd_lr_find(args) -> int:
    """Run the range test on the digits CNN; print suggestions; optionally save plot/JSON.

    Everything is checked before the sweep: the numbers (their bounds are in the parser),
    ``--start-lr < --end-lr``, and both output paths; the JSON and the plot are put in
    place together, so a failure of one leaves neither.
    """
    from pathlib import Path
    if args.start_lr >= args.end_lr:
        raise ValueError(f"--start-lr must be smaller than --end-lr, got {args.start_lr:g} >= "
                         f"{args.end_lr:g}")
    fmt = Path(args.plot).suffix.lstrip(".").lower() if args.plot else "png"
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"--plot must end in .png, .svg or .pdf, got {args.plot!r}")
    from viz._io import atomic_paths, check_output
    outputs = [(p, o) for p, o in ((args.json, "--json"), (args.plot, "--plot")) if p]
    for path, option in outputs:
        check_output(path, option)
    if args.json and args.plot and Path(args.json).resolve() == Path(args.plot).resolve():
        raise ValueError(f"--json and --plot name the same file: {args.json}")

    from viz.core.lr_finder import digits_lr_find
    result = digits_lr_find(batch_size=args.batch_size, optimizer=args.optimizer,
                            num_iter=args.num_iter, start_lr=args.start_lr, end_lr=args.end_lr,
                            mode=args.mode, seed=args.seed, progress=None)
    print(f"{len(result.lrs)} batches recorded; stopped: {result.stop_reason}"
          + (f" at lr {result.stop_lr:.3g}" if result.stop_lr is not None else ""))
    for s in result.suggestions:
        print(f"  {s.name:<9} {s.lr:.3g}   ({s.rule})")
    if not outputs:
        return 0
    fig = None
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")

        from viz.figures import theme
        from viz.figures.lr_finder import plot_lr_find
        with theme(args.theme):
            fig = plot_lr_find(result).figure
    try:
        with atomic_paths(*(p for p, _ in outputs), options=[o for _, o in outputs]) as tmps:
            for (path, option), tmp in zip(outputs, tmps):
                if option == "--json":
                    import json
                    data = {"lrs": result.lrs.tolist(), "losses": result.losses.tolist(),
                            "smoothed": result.smoothed.tolist(),
                            "stop_reason": result.stop_reason,
                            "stop_iteration": result.stop_iteration, "stop_lr": result.stop_lr,
                            "suggestions": {s.name: s.lr for s in result.suggestions}}
                    tmp.write_text(json.dumps(data, allow_nan=False) + "\n", encoding="utf-8")
                else:
                    fig.savefig(tmp, format=fmt, dpi=150)
    finally:
        if fig is not None:
            import matplotlib.pyplot as plt
            plt.close(fig)
    for path, _ in outputs:
        print(path)
    return 0


def add_commands(sub):
    from viz._check import SEED, Float, Int
    s = sub.add_parser("lr-find", help="run the learning-rate finder on a small CNN and the "
                       "digits; print the suggested learning rates")
    s.add_argument("--batch-size", type=Int(1, 1024), default=16, help="1..1024 (default: 16)")
    s.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    s.add_argument("--num-iter", type=Int(1, 10_000), default=600,
                   help="batches to sweep, 1..10000 (default: 600)")
    s.add_argument("--start-lr", type=Float(1e-12, 1e3), default=1e-5,
                   help="1e-12..1000, below --end-lr (default: 1e-5)")
    s.add_argument("--end-lr", type=Float(1e-12, 1e3), default=10.0,
                   help="1e-12..1000 (default: 10)")
    s.add_argument("--mode", choices=["exp", "linear"], default="exp")
    s.add_argument("--seed", type=SEED, default=0, help="0..2**32-1 (default: 0)")
    s.add_argument("--plot", metavar="PATH", help="save the plot (.png, .svg or .pdf)")
    s.add_argument("--theme", choices=["light", "dark"], default="light")
    s.add_argument("--json", metavar="PATH", help="save lrs, losses and suggestions as JSON")
    s.set_defaults(func=cmd_lr_find)
