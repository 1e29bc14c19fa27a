"""How long one full recompute + redraw of the explorer's panel 1 takes in Chromium.

Writes the explorer into a temporary folder, opens it in headless Debian Chromium from
file:// and times, in the page (``performance.now()``), ``vizTest.convexample.time(n)``:
each run changes one input pixel (as a stroke does), recomputes every layer of the
spreadsheet network (conv1, ReLU, conv2, ReLU, pool, dense) and redraws every map, the
dense output and the "where does it come from" box. Also timed: the same at a cell size
large enough that numbers are written into the cells, and one stroke drawn with the mouse
(dispatch + recompute + redraw, measured from Python, so it includes Playwright's round
trips). The goal is under 16 ms (one frame at 60 Hz) per recompute + redraw.

    python benchmarks/bench_explorer.py [--runs 200] [--warmup 20]

The machine's other load is in the numbers: run it twice and compare.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from viz.explore import write_explorer

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        index = write_explorer(Path(tmp) / "explorer")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(index.as_uri())
            page.wait_for_function("window.vizTest && vizTest.convexample")
            rows = []
            for label, cell in (("cell 9 px (default, no numbers in conv maps)", 9),
                                ("cell 28 px (numbers in every cell)", 28)):
                page.evaluate(f"""() => {{ const s = document.querySelector('#panel-convexample .viz-zoom input');
                    s.value = {cell}; s.dispatchEvent(new Event('input')); }}""")
                page.evaluate(f"vizTest.convexample.time({args.warmup})")
                ms = page.evaluate(f"vizTest.convexample.time({args.runs})")
                rows.append((label, ms))
            page.evaluate("""() => { const s = document.querySelector('#panel-convexample .viz-zoom input');
                s.value = 9; s.dispatchEvent(new Event('input')); }""")
            canvas = page.locator("#panel-convexample canvas.viz-draw")
            box = canvas.bounding_box()
            stroke = []
            for i in range(30):
                x = box["x"] + box["width"] * (0.2 + 0.02 * i)
                y = box["y"] + box["height"] * (0.3 + 0.015 * i)
                t0 = time.perf_counter()
                page.mouse.move(x, y)
                if i == 0:
                    page.mouse.down()
                page.evaluate("vizTest.convexample.layers().dense")   # flush the frame's recompute
                stroke.append((time.perf_counter() - t0) * 1000)
            page.mouse.up()
            version = browser.version
            browser.close()
    print(f"Chromium {version}, {args.runs} runs after {args.warmup} warm-up runs")
    for label, ms in rows:
        q = statistics.quantiles(ms, n=20)
        print(f"panel 1 recompute + redraw, {label}: median {statistics.median(ms):.2f} ms, "
              f"p95 {q[-1]:.2f} ms, min {min(ms):.2f} ms")
    print(f"one mouse move while drawing (Playwright round trips included): median "
          f"{statistics.median(stroke[1:]):.2f} ms over {len(stroke) - 1} moves")
    print("goal: under 16 ms per recompute + redraw")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
