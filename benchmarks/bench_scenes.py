"""Render every catalog scene (``viz.export.render_scene``) and print each one's wall time.

    python benchmarks/bench_scenes.py [--quality low] [--only conv-example otavio ...]
                                      [--frames DIR] [--compare DIR] [--profile NAME]

* ``--frames DIR`` also records every frame written to the video: a hash per frame
  (``DIR/<scene>.json``) and every ``--every``-th frame as pixels (``DIR/<scene>.npz``);
  ``--compare DIR`` checks a new run against such a recording (frames identical, or the
  largest channel difference and how many pixels differ). Hashing costs ~1 ms a frame.
* ``--profile NAME`` renders one scene under cProfile and prints the top functions.
* ``--interleave`` renders each scene twice in a row, first with Manim's own renderer
  (``VIZ_PLAIN_RENDERER=1``) then with ``viz.anim.RegionRenderer``: a fair before/after
  on a busy machine (same load for both), with the frames of both compared.

Scenes train their small models on first use (cached per machine by ``viz.core.cache``);
run once to warm the cache before timing. Timings on a shared machine are noisy:
compare before/after runs made in the same conditions, interleaved.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class FrameRecorder:
    """Hooks Manim's file writer: hashes every frame, keeps every ``every``-th one."""

    def __init__(self, every: int = 10):
        self.every = every
        self.hashes: list[str] = []
        self.kept: dict[int, np.ndarray] = {}

    def __enter__(self):
        from manim.scene.scene_file_writer import SceneFileWriter
        self._cls, self._orig = SceneFileWriter, SceneFileWriter.write_frame
        rec = self

        def write_frame(writer, pixels, *, repeat=1):
            if writer.output_spec.is_video and writer._current_encode_job is not None:
                frame = np.asarray(pixels)
                h = hashlib.blake2b(np.ascontiguousarray(frame).tobytes(),
                                    digest_size=12).hexdigest()
                for _ in range(repeat):
                    if len(rec.hashes) % rec.every == 0:
                        rec.kept[len(rec.hashes)] = frame.copy()
                    rec.hashes.append(h)
            return rec._orig(writer, pixels, repeat=repeat)

        SceneFileWriter.write_frame = write_frame
        return self

    def __exit__(self, *exc):
        self._cls.write_frame = self._orig

    def save(self, folder: Path, name: str):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(json.dumps(self.hashes))
        np.savez_compressed(folder / f"{name}.npz",
                            **{f"f{i:05d}": f for i, f in sorted(self.kept.items())})

    def compare(self, folder: Path, name: str) -> str:
        ref_path = folder / f"{name}.json"
        if not ref_path.exists():
            return "no recording"
        ref = json.loads(ref_path.read_text())
        if len(ref) != len(self.hashes):
            return f"DIFFERENT frame count {len(self.hashes)} vs {len(ref)}"
        bad = [i for i, (a, b) in enumerate(zip(ref, self.hashes)) if a != b]
        if not bad:
            return f"identical ({len(ref)} frames)"
        worst, npx = 0, 0
        with np.load(folder / f"{name}.npz") as old:
            for i, f in self.kept.items():
                key = f"f{i:05d}"
                if key in old.files:
                    d = np.abs(old[key].astype(int) - f.astype(int))
                    worst = max(worst, int(d.max()))
                    npx = max(npx, int((d.max(axis=2) > 1).sum()))
        return (f"{len(bad)}/{len(ref)} frames differ (first {bad[0]}); sampled frames: "
                f"max channel diff {worst}, at most {npx} pixels off by > 1")


def render(entry, quality, out):
    """(wall seconds, CPU seconds of this process) to render one scene."""
    from viz.export import render_scene
    t, c = time.perf_counter(), time.process_time()
    render_scene(entry, out, quality=quality, poster=False)
    return time.perf_counter() - t, time.process_time() - c


def interleaved(scenes, quality, out, every):
    import os
    sums = np.zeros(4)
    print(f"{len(scenes)} scenes at {quality!r}: Manim's renderer, then viz.anim.RegionRenderer "
          "(wall s / CPU s)")
    for entry in scenes:
        times, recs = [], []
        for plain in (True, False):
            if plain:
                os.environ["VIZ_PLAIN_RENDERER"] = "1"
            else:
                os.environ.pop("VIZ_PLAIN_RENDERER", None)
            rec = FrameRecorder(every)
            with rec:
                times += render(entry, quality, out)
            recs.append(rec)
        sums += times
        with tempfile.TemporaryDirectory() as d:
            recs[0].save(Path(d), entry.name)
            same = recs[1].compare(Path(d), entry.name)
        print(f"  {entry.name:22s} before {times[0]:6.1f} / {times[1]:6.1f}   after "
              f"{times[2]:6.1f} / {times[3]:6.1f}   CPU x{times[1] / max(times[3], 1e-9):4.1f}  "
              f"{same}", flush=True)
    print(f"  {'total':22s} before {sums[0]:6.1f} / {sums[1]:6.1f}   after {sums[2]:6.1f} / "
          f"{sums[3]:6.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", default="low")
    ap.add_argument("--only", nargs="*", default=None, help="scene names (default: all)")
    ap.add_argument("--frames", type=Path, help="record frames into this folder")
    ap.add_argument("--compare", type=Path, help="compare frames with this recording")
    ap.add_argument("--every", type=int, default=10, help="keep every N-th frame's pixels")
    ap.add_argument("--profile", help="profile this one scene (cProfile, top 30 by own time)")
    ap.add_argument("--interleave", action="store_true",
                    help="each scene with Manim's renderer, then with the region renderer")
    args = ap.parse_args()

    import viz.catalog as catalog
    scenes = catalog.select("scene", args.only)
    with tempfile.TemporaryDirectory(prefix="bench-scenes-") as out:
        if args.profile:
            import cProfile
            import pstats
            entry = catalog.select("scene", [args.profile])[0]
            prof = cProfile.Profile()
            prof.enable()
            render(entry, args.quality, out)
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(40)
            return
        if args.interleave:
            return interleaved(scenes, args.quality, out, args.every)
        total = cpu = 0.0
        print(f"{len(scenes)} scenes at {args.quality!r}, one process, serial "
              "(wall s, CPU s of this process)")
        for entry in scenes:
            recorder = FrameRecorder(args.every)
            if args.frames or args.compare:
                with recorder:
                    dt, dc = render(entry, args.quality, out)
            else:
                dt, dc = render(entry, args.quality, out)
            total, cpu = total + dt, cpu + dc
            note = ""
            if args.frames:
                recorder.save(args.frames, entry.name)
            if args.compare:
                note = "  " + recorder.compare(args.compare, entry.name)
            print(f"  {entry.name:22s} {dt:7.1f} s  {dc:7.1f} s CPU{note}", flush=True)
        print(f"  {'total':22s} {total:7.1f} s  {cpu:7.1f} s CPU")


if __name__ == "__main__":
    main()
