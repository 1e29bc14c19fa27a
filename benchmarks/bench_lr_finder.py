"""Speed of the LR finder: (a) a bare torch loop, (b) viz's lr_find, (c) torch-lr-finder.

Same model (``small_cnn(channels=(16, 32))``), data (sklearn digits, batches of 16, the
same seeded shuffling), optimizer (Adam) and number of steps for all three; one torch
thread (tiny models are faster so, and it keeps the cores' other load out of the
numbers). Divergence stops are switched off for the timing (start 1e-5, end 0.1, no
NaN), so every tool trains exactly ``--steps`` batches:

(a) ``zero_grad, forward, loss, backward, step`` and nothing else;
(b) ``viz.core.lr_finder.lr_find`` (sets the lr, smooths, checks the stop rule,
    snapshots and restores model and optimizer: all inside the timing);
(c) ``torch_lr_finder.LRFinder`` 0.2.2: construction (it snapshots the state there),
    ``range_test`` and ``reset()`` (the restore), its prints and tqdm bar sent to a
    buffer.

Runs are interleaved and repeated; medians are compared, in CPU time of the process (one
torch thread, so that is the work done) and in wall time; paired ratios (the runs of one
repeat share the machine's load) and minima are printed too. Goals: (b)/(a) <= 1.05 and
(b)/(c) <= 1.0. Then both tools' suggested learning rates on the real run (each with
its own defaults: fastai's 4x stop with debiased beta=0.98 smoothing for (b),
smooth_f=0.05 and 5x for (c)).

Needs ``pip install torch-lr-finder==0.2.2`` (``pip install -e '.[bench]'``).

    python benchmarks/bench_lr_finder.py [--steps 450] [--repeats 7]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time

import torch
from torch import nn

from viz.core.datasets import digits, small_cnn
from viz.core.lr_finder import DEMO, lr_find, torch_threads

CHANNELS, BATCH = DEMO["channels"], DEMO["batch_size"]


class Clock:
    """Wall-clock and CPU time of this process (one torch thread: CPU time is the work
    done, and is much less disturbed than wall time by other programs on the machine)."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def setup(seed=0):
    train, _ = digits(seed=seed).loaders(BATCH, seed=seed)
    model = small_cnn(10, channels=CHANNELS, seed=seed)
    return model, torch.optim.Adam(model.parameters(), lr=1e-3), train, nn.CrossEntropyLoss()


def bare(steps):
    model, opt, loader, loss_fn = setup()
    with Clock() as t:
        it, done = iter(loader), 0
        model.train()
        while done < steps:
            try:
                x, y = next(it)
            except StopIteration:
                it = iter(loader)
                continue
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            done += 1
    return t


def ours(steps):
    model, opt, loader, loss_fn = setup()
    with Clock() as t:
        r = lr_find(model, opt, loader, loss_fn, start_lr=1e-5, end_lr=0.1, num_iter=steps,
                    stop_factor=None)
    assert len(r.lrs) == steps, (len(r.lrs), r.stop_reason)
    return t


def theirs(steps):
    from torch_lr_finder import LRFinder
    model, opt, loader, loss_fn = setup()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), Clock() as t:
        finder = LRFinder(model, opt, loss_fn, device="cpu")
        finder.range_test(loader, start_lr=1e-5, end_lr=0.1, num_iter=steps, step_mode="exp",
                          diverge_th=1e30)
        finder.reset()
    assert len(finder.history["lr"]) == steps
    return t


def suggestions():
    """Both tools on the real run, each with its own defaults; 600 batches from 1e-5 to 10."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from torch_lr_finder import LRFinder

    from viz.core.lr_finder import digits_lr_find

    r = digits_lr_find()
    model, opt, loader, loss_fn = setup()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        finder = LRFinder(model, opt, loss_fn, device="cpu")
        finder.range_test(loader, start_lr=1e-5, end_lr=10, num_iter=DEMO["num_iter"], step_mode="exp")
        _, ax = plt.subplots()
        _, their_lr = finder.plot(ax=ax, suggest_lr=True)   # skip 10 first / 5 last, steepest
        plt.close("all")
        finder.reset()
    print(f"\nsuggested learning rates (Adam, batch {BATCH}, up to {DEMO['num_iter']} batches, 1e-5 -> 10)")
    print(f"{'':<24}{'viz lr_find':>14}{'torch-lr-finder':>18}")
    print(f"{'batches recorded':<24}{len(r.lrs):>14}{len(finder.history['lr']):>18}")
    print(f"{'stopped at lr':<24}{r.stop_lr or float('nan'):>14.3g}{finder.history['lr'][-1]:>18.3g}")
    print(f"{'steepest':<24}{r.suggestion('steepest').lr:>14.3g}{their_lr:>18.3g}")
    for name in ("min/10", "valley"):
        print(f"{name:<24}{r.suggestion(name).lr:>14.3g}{'-':>18}")


def report(clock, times, steps):
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{clock} time")
    for k, v in times.items():
        print(f"  {k:<28} median {med[k] * 1e3:8.1f} ms   min {min(v) * 1e3:8.1f} ms   "
              f"{med[k] / steps * 1e6:6.0f} us/step")
    (a, b, c), (ta, tb, tc) = med.values(), times.values()
    ba = statistics.median(y / x for x, y in zip(ta, tb))   # the runs of one repeat share the load
    bc = statistics.median(y / x for x, y in zip(tc, tb))
    print(f"  (b)/(a) = {b / a:.3f} medians, {ba:.3f} paired, {min(tb) / min(ta):.3f} minima"
          f"   goal <= 1.05: {'ok' if b / a <= 1.05 else 'MISSED'}")
    print(f"  (b)/(c) = {b / c:.3f} medians, {bc:.3f} paired, {min(tb) / min(tc):.3f} minima"
          f"   goal <= 1.0:  {'ok' if b / c <= 1.0 else 'MISSED'}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=450)
    p.add_argument("--repeats", type=int, default=11)
    args = p.parse_args(argv)
    tools = {"(a) bare torch loop": bare, "(b) viz lr_find": ours, "(c) torch-lr-finder 0.2.2": theirs}
    times = {k: [] for k in tools}
    with torch_threads(1):
        for fn in tools.values():      # warm-up
            fn(20)
        for rep in range(args.repeats):
            order = list(tools.items())
            order = order[rep % 3:] + order[:rep % 3]     # rotate who goes first
            for name, fn in order:
                times[name].append(fn(args.steps))
        print(f"{args.steps} steps, small_cnn{CHANNELS}, digits, batch {BATCH}, Adam, 1 torch thread, "
              f"{args.repeats} interleaved repeats")
        for clock in ("cpu", "wall"):
            report(clock, {k: [getattr(t, clock) for t in v] for k, v in times.items()}, args.steps)
        suggestions()


if __name__ == "__main__":
    main()
