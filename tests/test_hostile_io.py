"""viz._io, viz.core.images and load_kernels against hostile paths and files (library level)."""
import json
import os
import stat
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

import viz._io as vio
from viz.core.images import MAX_PIXELS, load_image, read_gray
from viz.core.spreadsheet import load_kernels


def _is_device(path):
    return stat.S_ISCHR(os.stat(path).st_mode)


@pytest.mark.parametrize("dest, needle", [
    ("{tmp}", "is a folder"),
    ("/proc/viz-test.json", "cannot write in folder /proc"),
    ("/sys/viz-test.json", "cannot write in folder /sys"),
    ("{tmp}/file/x.json", "is not a folder"),
    ("{tmp}/nul\0.json", "NUL byte"),
    ("{tmp}/" + "x" * 300 + ".json", "File name too long"),
])
def test_unwritable_outputs_are_refused_before_anything_is_made(tmp_path, dest, needle):
    (tmp_path / "file").write_text("x")
    before = sorted(tmp_path.iterdir())
    dest = dest.replace("{tmp}", str(tmp_path))
    with pytest.raises(ValueError, match="--json: .*" + needle):
        vio.check_output(dest, "--json")
    with pytest.raises(ValueError, match=needle):
        vio.write_text_atomic(dest, "{}", option="--json")
    assert sorted(tmp_path.iterdir()) == before


def test_devices_are_written_through_never_replaced():
    vio.write_text_atomic("/dev/null", "hello")
    assert _is_device("/dev/null")
    with pytest.raises(ValueError, match="cannot write to /dev/full: No space left on device"):
        vio.write_text_atomic("/dev/full", "x" * 100_000)
    assert _is_device("/dev/full")


def test_a_pipe_gets_the_bytes_and_a_pipe_nobody_reads_is_refused(tmp_path, monkeypatch):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    monkeypatch.setattr(vio, "FIFO_WAIT_S", 0.05)
    t0 = time.monotonic()
    with pytest.raises(ValueError, match="nothing reads from it"):
        vio.write_text_atomic(fifo, "x")
    assert time.monotonic() - t0 < 5
    r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)       # a reader: the write goes through
    try:
        vio.write_text_atomic(fifo, "through the pipe")
        assert os.read(r, 100) == b"through the pipe"
    finally:
        os.close(r)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_through_a_symlink_the_target_is_replaced_and_the_link_kept(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    (tmp_path / "link.json").symlink_to(target)
    vio.write_text_atomic(tmp_path / "link.json", "new")
    assert (tmp_path / "link.json").is_symlink() and target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640              # permissions kept
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x.json")
    with pytest.raises(ValueError, match="symlink into a missing folder"):
        vio.write_text_atomic(tmp_path / "dangling", "x")
    assert not (tmp_path / "nowhere").exists()


def test_a_failed_write_leaves_no_file_no_temp_and_no_new_folder(tmp_path):
    dest = tmp_path / "a" / "b" / "x.json"
    with pytest.raises(RuntimeError):
        with vio.atomic_path(dest) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    good = tmp_path / "new" / "good.json"
    with pytest.raises(ValueError, match="/dev/full"):
        with vio.atomic_paths(good, "/dev/full") as (t1, t2):
            t1.write_text("{}")
            t2.write_text("x")
    assert list(tmp_path.iterdir()) == []                  # one output failed: none stays


def test_input_files_must_be_small_regular_files(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with open(tmp_path / "big", "wb") as fh:
        fh.truncate(10**9)                                 # sparse
    for path, needle in [(tmp_path / "fifo", "not a regular file"), ("/dev/zero", "not a regular file"),
                         (tmp_path, "is a folder"), (tmp_path / "big", "the most is 1,000"),
                         (tmp_path / "nope", "not found")]:
        with pytest.raises(ValueError, match=needle):
            vio.check_input_file(path, "kernels", 1000, "--kernels")


def _png_header(w, h):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_decompression_bombs_are_refused_in_one_line_without_warnings(tmp_path, recwarn):
    (tmp_path / "bomb.png").write_bytes(_png_header(20000, 20000))     # 65 bytes
    (tmp_path / "bomb2.png").write_bytes(_png_header(8000, 8000))      # under Pillow's, over ours
    assert 8000 * 8000 > MAX_PIXELS
    for name in ("bomb.png", "bomb2.png"):
        with pytest.raises(ValueError, match="decompression bomb") as info:
            load_image(tmp_path / name, option="--image")
        assert "\n" not in str(info.value) and str(info.value).startswith("--image: ")
    assert not [w for w in recwarn if "Image" in type(w.message).__name__ or "pixels" in str(w.message)]


def test_a_large_picture_is_reduced_cheaply_and_said_once(tmp_path):
    a = np.zeros((3000, 2400), np.uint8)
    a[1000:2000, 1100:1300] = 255                                      # a bar: the "1"
    Image.fromarray(a).save(tmp_path / "big.png")
    Image.fromarray(np.stack([a] * 3, -1)).save(tmp_path / "big.jpg", quality=90)
    for name, reduced in (("big.png", (800, 1000)), ("big.jpg", (1200, 1500))):
        notes = []
        g = read_gray(tmp_path / name, note=notes.append)
        assert g.size == reduced and len(notes) == 1 and "2400x3000" in notes[0]
        x = load_image(tmp_path / name)
        assert x.shape == (28, 28) and x[14, 14] > 0.5 and x[2, 2] < 0.05   # the bar survives


def test_truncated_and_garbage_pictures(tmp_path):
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(tmp_path / "ok.png")
    data = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "trunc.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.png").write_bytes(os.urandom(500))
    for name in ("trunc.png", "junk.png"):
        with pytest.raises(ValueError, match="cannot read image"):
            load_image(tmp_path / name)


@pytest.mark.parametrize("content, needle", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('[[[[[[1]]]]]]', "must have shape 2x3x3, got 1x1x1x1x1x1"),
    ('[[[[[[[[[[1]]]]]]]]]]', "conv1 is nested too deeply"),
    ('{"conv1": NaN}', "must have shape 2x3x3, got a scalar"),
    (json.dumps([[[float("nan"), 1, 1], [1] * 3, [1] * 3], [[1] * 3] * 3]), "NaN or infinite"),
    (json.dumps([[[1e300, 1, 1], [1] * 3, [1] * 3], [[1] * 3] * 3]), "at most 1e\\+06"),
    (json.dumps([[[True, 1, 1], [1] * 3, [1] * 3], [[1] * 3] * 3]), "bool"),
    (json.dumps([[[1, 1, 1], [1, 1], [1] * 3], [[1] * 3] * 3]), "not a rectangular"),
    ("[" + "9" * 5000 + "]", "cannot read kernels file"),
])
def test_hostile_kernels_json(tmp_path, content, needle):
    (tmp_path / "k.json").write_text(content)
    with pytest.raises(ValueError, match=needle) as info:
        load_kernels(tmp_path / "k.json")
    assert "\n" not in str(info.value)


def test_summarize_refuses_a_huge_input_size_before_running():
    from torch import nn

    from viz.core.summary import summarize
    model = nn.Sequential(nn.Conv2d(1, 2, 3))
    with pytest.raises(ValueError, match="10,000,000,000 numbers; the most"):
        summarize(model, (1, 1, 100_000, 100_000))
    assert summarize(model, (1, 1, 8, 8)).rows[0].output_shape == (1, 2, 6, 6)
