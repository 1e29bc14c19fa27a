"""How long ``viz explain`` takes on a LeNet-size model, part by part (no video).

Runs the steps of ``viz explain tests/user_models/lenet5.py:lenet5 --input PICTURE --data
DIR`` one after the other, as the command does, and prints each part's wall-clock and CPU
seconds: imports, loading the model (running the user's file), reading and converting the
picture, the summary, the trace, the LR range test on a copy (100 mini-batches of a
generated 10-class folder), the browser explorer's data, drawing the figures (both themes,
PNG and SVG), writing the rest of the report, and the total. The goal is a total of at most
30 s on a 2-core CPU.

    python benchmarks/bench_explain.py [--model tests/user_models/mnist_example.py:make]
        [--per-class 20] [--no-data]

Other work on the machine is in the wall-clock numbers (compare the CPU column).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self):
        self.rows = []

    def __call__(self, label):
        clock = self

        class Part:
            def __enter__(self):
                self.w, self.c = time.perf_counter(), time.process_time()

            def __exit__(self, *exc):
                clock.rows.append((label, time.perf_counter() - self.w, time.process_time() - self.c))
        return Part()


def _data(root: Path, classes: int, per_class: int, seed: int = 0):
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(seed)
    for c in range(classes):
        (root / f"class{c}").mkdir(parents=True)
        for i in range(per_class):
            pic = (rng.random((28, 28)) * 80).astype(np.uint8)
            pic[4 + c:14 + c, 6:22] += 150                     # a bar that moves with the class
            Image.fromarray(pic).save(root / f"class{c}" / f"{i}.png")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "tests/user_models/lenet5.py") + ":lenet5")
    ap.add_argument("--per-class", type=int, default=20, help="pictures per class (10 classes)")
    ap.add_argument("--no-data", action="store_true", help="no --data: no LR range test")
    args = ap.parse_args(argv)
    clock = Clock()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        import numpy as np
        from PIL import Image
        digit = np.zeros((120, 90), np.uint8)
        digit[20:100, 40:55] = 255
        Image.fromarray(digit).save(tmp / "digit.png")
        if not args.no_data:
            _data(tmp / "data", 10, args.per_class)
        with clock("imports (torch, matplotlib, seaborn)"):
            import matplotlib
            matplotlib.use("Agg")
            import seaborn  # noqa: F401
            import torch  # noqa: F401

            from viz import explain_report
            from viz.core.explain import (convert_input, input_shape, load_factory,
                                          load_image_folder, read_picture)
            from viz.core.explain.browser import BrowserUnsupported, browser_model
            from viz.core.explain.run import (Explanation, _class_names, conv_filters,
                                              explain_lr_find)
            from viz.core.explain.trace import trace_model
            from viz.core.summary import summarize
        with clock("load the model (run the user's file)"):
            model, label = load_factory(args.model)
            shape, how = input_shape(model)
        with clock("read + convert the picture"):
            x, line = convert_input(read_picture(tmp / "digit.png"), shape, source="digit.png")
        with clock("summary (torchinfo)"):
            summary = summarize(model, (1, *shape))
        with clock("trace (torch.fx)"):
            trace = trace_model(model, x)
            filters = conv_filters(model)
        lr, data = None, None
        if not args.no_data:
            with clock("read the data folder"):
                data = load_image_folder(tmp / "data", shape)
            with clock(f"LR range test ({len(data.y)} pictures, 100 batches)"):
                lr = explain_lr_find(model, data, progress=False)
        classes = _class_names(None, data, int(trace.output.size))
        ex = Explanation(label, shape, line, summary, trace, classes, filters, lr, (), how)
        with clock("explorer data (browser_model)"):
            try:
                explorer = browser_model(model, shape, classes=list(classes), sample=trace.input)
            except BrowserUnsupported as exc:
                explorer = str(exc)
        timed = {}
        save = explain_report._save_figures

        def save_timed(*a, **k):
            w, c = time.perf_counter(), time.process_time()
            try:
                return save(*a, **k)
            finally:
                timed["figs"] = (time.perf_counter() - w, time.process_time() - c)
        explain_report._save_figures = save_timed
        w, c = time.perf_counter(), time.process_time()
        index = explain_report.write_report(ex, tmp / "report", explorer=explorer, progress=False)
        w, c = time.perf_counter() - w, time.process_time() - c
        n_figs = len(list((tmp / "report" / "figures").glob("*.svg")))
        clock.rows.append((f"figures ({n_figs}, light + dark, PNG + SVG)", *timed["figs"]))
        clock.rows.append(("rest of the report (html, explorer, move)", w - timed["figs"][0],
                           c - timed["figs"][1]))
        assert index.is_file()
    clock.rows.append(("total", time.perf_counter() - wall0, time.process_time() - cpu0))
    print(f"viz explain {args.model.split('/')[-1]}, input {'x'.join(map(str, shape))}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    width = max(len(r[0]) for r in clock.rows)
    print(f"{'part':<{width}}  {'wall s':>7}  {'cpu s':>7}")
    for label_, wall, cpu in clock.rows:
        print(f"{label_:<{width}}  {wall:7.2f}  {cpu:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
