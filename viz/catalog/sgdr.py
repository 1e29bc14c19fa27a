"""Catalog entries for SGDR and the other learning-rate schedules (lessons 1-3)."""
from __future__ import annotations

from . import Figure, Scene


def _run():
    """The small CNN trained frozen then unfrozen under SGDR (a few seconds, once per
    machine: ``train_sgdr`` keeps the run in the cache folder)."""
    from viz.core.sgdr_training import train_sgdr
    return train_sgdr()


def sgdr_wave():
    from viz.core.schedules import sgdr
    from viz.figures.schedules import sgdr_wave_figure

    return sgdr_wave_figure(sgdr(0.2, iters_per_epoch=100, n_cycles=3, cycle_len=1, cycle_mult=2),
                            title="fit(0.2, 3, cycle_len=1, cycle_mult=2): 1 + 2 + 4 = 7 epochs "
                                  "(100 batches each)")


def sgdr_loss():
    from viz.figures.schedules import sgdr_loss_figure
    return sgdr_loss_figure(_run())


def schedules_compared():
    from viz.core.schedules import compare_schedules
    from viz.figures.schedules import schedules_grid
    return schedules_grid(compare_schedules(0.2, iters_per_epoch=100))


def layer_group_lrs():
    from viz.figures.schedules import layer_group_lrs as draw
    run = _run()
    ax = draw(run.schedule, lr=run.lr)
    ax.set_title("Differential learning rates: the head alone (frozen body), then lr/9, lr/3, lr "
                 "(LRs read back from the optimizer)", fontsize=10.5)
    return ax.figure


def progressive_resizing():
    from viz.core.schedules import progressive_resizing as recipe
    from viz.core.schedules import sgdr_factors
    from viz.figures.schedules import progressive_resizing_timeline
    wave = sgdr_factors(iters_per_epoch=20, n_cycles=3, cycle_len=1, cycle_mult=2)
    return progressive_resizing_timeline(recipe(), lr_wave=wave).figure


def sgdr_ball():
    from viz.core.sgdr_landscape import sgdr_ball as ball
    from viz.figures.schedules import ball_figure
    return ball_figure(ball())


FIGURES = [
    Figure("sgdr-wave", "The SGDR wave",
           "fastai 0.7's SGDR for fit(0.2, 3, cycle_len=1, cycle_mult=2): lr/100 for 5 warm-up "
           "batches, then a cosine every mini-batch and a restart at each cycle end: 1 + 2 + 4 = 7 epochs.",
           "viz.catalog.sgdr:sgdr_wave"),
    Figure("sgdr-loss", "SGDR with the measured loss underneath",
           "A small CNN on 8×8 digits, head only then unfrozen with lr/9, lr/3, lr; every "
           "mini-batch's LR (top) and training loss (bottom): the loss jumps when the LR restarts.",
           "viz.catalog.sgdr:sgdr_loss"),
    Figure("schedules-compared", "Learning-rate schedules side by side",
           "SGDR, CosineAnnealingWarmRestarts, triangular, triangular2, exp_range, one-cycle, step "
           "decay and constant, each computed by torch's scheduler on the same 700 iterations.",
           "viz.catalog.sgdr:schedules_compared"),
    Figure("layer-group-lrs", "Differential learning rates, frozen then unfrozen",
           "Each layer group's LR (log scale) over a real freeze → unfreeze run: only the head "
           "trains at first; after unfreezing the groups train at lr/9, lr/3 and lr.",
           "viz.catalog.sgdr:layer_group_lrs"),
    Figure("progressive-resizing", "The progressive-resizing recipe",
           "The planet notebook's timeline: 64, 128 then 256 pixels; at each size a frozen SGDR fit "
           "at the found LR, then an unfrozen one at lr/9, lr/3, lr (7 epochs each).",
           "viz.catalog.sgdr:progressive_resizing"),
    Figure("sgdr-ball", "Why restarts help: a ball under SGDR",
           "Stochastic gradient descent with the SGDR LR on a 1-D loss: each restart throws the ball "
           "out of a sharp minimum (lr × curvature > 2); it ends in the wide one.",
           "viz.catalog.sgdr:sgdr_ball"),
]
SCENES = [
    Scene("sgdr-restarts", "SGDR: restarts kick the ball out of sharp minima",
          "The LR wave is drawn epoch by epoch while a ball does gradient descent at that LR on a "
          "1-D loss: it settles, is kicked out at each restart, and ends in a wide, flat minimum; "
          "the epochs add up on screen: 1 + 2 + 4 = 7.",
          "scenes.sgdr:SGDRRestarts"),
]


#: ``viz sgdr-schedule``: the most iterations (epochs x batches) and layer groups.
MAX_ITERATIONS = 200_000
MAX_GROUPS = 16


def add_commands(sub) -> None:
    """``viz sgdr-schedule``: the per-iteration LR of a schedule, printed or written as CSV."""
    from viz._check import Float, Int
    p = sub.add_parser("sgdr-schedule", help="fastai SGDR learning rate per iteration "
                       "(epoch arithmetic, CSV of the LR of every layer group)")
    p.add_argument("--lr", type=Float(0, 10), default=0.2,
                   help="peak LR of the last group, 0..10 (default 0.2)")
    p.add_argument("--cycles", type=Int(1, 100, low_message="n_cycles must be an integer >= 1"),
                   default=3, help="number of cycles, 1..100 (default 3)")
    p.add_argument("--cycle-len", type=Float(0, 1000, lo_open=True,
                                             low_message="cycle_len must be > 0 epochs"),
                   default=1, help="epochs in the first cycle, (0, 1000] (default 1)")
    p.add_argument("--cycle-mult", type=Float(1, 10, low_message="cycle_mult must be >= 1"),
                   default=2, help="cycle length multiplier, 1..10 (default 2)")
    p.add_argument("--batches", type=Int(1, 100_000), default=100,
                   help="mini-batches per epoch, 1..100000 (default 100)")
    p.add_argument("--ratios", default="1", help="comma-separated divisors per layer group, "
                   "earliest first, e.g. 9,3,1 (default 1: one group)")
    p.add_argument("--csv", metavar="PATH", help="write iteration,epoch,lr_<group>... as CSV")
    p.set_defaults(func=cmd_sgdr_schedule)


def cmd_sgdr_schedule(args) -> int:
    import math

    from viz.core.schedules import differential_lrs, epoch_arithmetic, sgdr
    if args.csv:
        from viz._io import check_output
        check_output(args.csv, "--csv")
    try:
        ratios = [float(r) for r in args.ratios.split(",")] if args.ratios.strip() else []
    except ValueError:
        raise ValueError(f"--ratios must be comma-separated numbers, got {args.ratios[:40]!r}") from None
    if len(ratios) > MAX_GROUPS:
        raise ValueError(f"--ratios gives {len(ratios)} layer groups; the most is {MAX_GROUPS}")
    if not all(math.isfinite(r) and 0 < r <= 1e6 for r in ratios):
        raise ValueError(f"--ratios must be numbers in (0, 1e6], got {args.ratios[:40]!r}")
    if args.cycles >= 1 and args.cycle_len > 0 and args.cycle_mult >= 1:   # else sgdr says why
        epochs = sum(args.cycle_len * args.cycle_mult ** c for c in range(args.cycles))
        if epochs * args.batches > MAX_ITERATIONS:
            raise ValueError(f"--cycles {args.cycles} --cycle-len {args.cycle_len:g} --cycle-mult "
                             f"{args.cycle_mult:g} --batches {args.batches} make "
                             f"{epochs * args.batches:,.0f} iterations; the most is {MAX_ITERATIONS:,}")
    lrs = differential_lrs(args.lr, ratios)
    s = sgdr(lrs, iters_per_epoch=args.batches, n_cycles=args.cycles, cycle_len=args.cycle_len,
             cycle_mult=args.cycle_mult)
    print(f"epochs: {epoch_arithmetic(args.cycles, args.cycle_len, args.cycle_mult)}  "
          f"({s.n_iter} iterations, restarts at {', '.join(str(c + 1) for c in s.cycle_starts[1:]) or 'none'})")
    if args.csv:
        from viz._io import write_text_atomic
        head = ",".join(["iteration", "epoch"] + [f"lr_{g.replace(' ', '_')}" for g in s.group_names])
        rows = [f"{i + 1},{i / s.iters_per_epoch:.6g}," + ",".join(f"{v:.10g}" for v in s.lr[i])
                for i in range(s.n_iter)]
        write_text_atomic(args.csv, "\n".join([head] + rows) + "\n", option="--csv")
        print(args.csv)
    return 0
