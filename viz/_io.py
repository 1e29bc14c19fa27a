"""Writing outputs safely, and reading inputs that may be hostile.

Outputs: :func:`atomic_path` writes a temporary file in the destination's folder and moves
it into place, so no half-written file ever appears under the final name. Only regular
files are replaced that way. Through a symlink, the file it points to is replaced (the
link stays). A character device (``/dev/null``, ``/dev/stdout``) or a pipe with a reader
is written *through*, never replaced. A folder, a socket, a pipe nobody reads, or a
folder where no file can be made (``/proc``, ``/sys``) is refused with a one-line
``ValueError``. :func:`check_output` makes the same checks without writing anything, so a
command can refuse a bad output path before any expensive work. Folders made for an
output that then fails are removed again (see :func:`track_new_dirs`).

Inputs: :func:`check_input_file` refuses folders, devices, pipes (which could block or
never end) and files larger than a bound, before anything is read.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

_tracking: list[list[Path]] = []     # folders made by ensure_dir, per active track_new_dirs


def _label(option) -> str:
    return f"{option}: " if option else ""


def _stat(path: Path, option=None, *, follow: bool = True):
    """``os.stat`` (None if the path does not exist), every other problem a ValueError."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except ValueError:                                   # embedded NUL byte
        raise ValueError(f"{_label(option)}path contains a NUL byte: {str(path)!r}") from None
    except OSError as exc:
        raise ValueError(f"{_label(option)}cannot use {path}: {exc.strerror or exc}") from None


def _missing_dirs(path: Path) -> list[Path]:
    """The folders ``path.mkdir(parents=True)`` would create, deepest last."""
    missing = []
    p = path
    while _stat(p) is None and p != p.parent:
        missing.append(p)
        p = p.parent
    return missing[::-1]


@contextlib.contextmanager
def track_new_dirs():
    """On an exception, remove the (still empty) folders :func:`ensure_dir` made meanwhile."""
    made: list[Path] = []
    _tracking.append(made)
    try:
        yield made
    except BaseException:
        for d in reversed(made):
            with contextlib.suppress(OSError):
                d.rmdir()                                # only succeeds while empty
        raise
    finally:
        _tracking.remove(made)


def ensure_dir(path, option=None) -> Path:
    """Create ``path`` (and parents); raise ``ValueError`` if it cannot be written to."""
    path = Path(path)
    st = _stat(path, option)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{_label(option)}output path is not a folder: {path}")
    missing = _missing_dirs(path) if st is None else []
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{_label(option)}cannot create output folder {path}: "
                         f"{exc.strerror or exc}") from None
    for made in _tracking:
        made.extend(missing)
    if not path.is_dir():
        raise ValueError(f"{_label(option)}output path is not a folder: {path}")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"{_label(option)}output folder is not writable: {path}")
    return path


def _probe_folder(folder: Path, option, *, as_dir: bool) -> None:
    """Make (and remove) a temporary file or folder in ``folder``: can we really write there?"""
    try:
        if as_dir:
            os.rmdir(tempfile.mkdtemp(prefix=".viz-probe-", dir=folder))
        else:
            fd, tmp = tempfile.mkstemp(prefix=".viz-probe-", dir=folder)
            os.close(fd)
            os.unlink(tmp)
    except OSError as exc:
        raise ValueError(f"{_label(option)}cannot write in folder {folder}: "
                         f"{exc.strerror or exc}") from None


def check_output(dest, option=None) -> str:
    """Check that ``dest`` can be written, creating nothing; say how it would be written.

    Returns ``"replace"`` (a regular file, or a new one), or ``"through"`` (a character
    device or a pipe: written to, not replaced; a pipe nobody opens for reading within
    :data:`FIFO_WAIT_S`, or a full device, fails only when written). Raises ``ValueError``
    naming ``option`` (e.g. ``"--json"``) for a folder, a socket, a block device, a symlink
    into a missing folder, or a place where no file can be made (``/proc``, ``/sys``).
    """
    dest = Path(dest)
    if str(dest) in ("", "."):
        raise ValueError(f"{_label(option)}output path is empty")
    st = _stat(dest, option)
    if st is not None:
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise ValueError(f"{_label(option)}output path is a folder: {dest}")
        if stat.S_ISCHR(mode):
            if not os.access(dest, os.W_OK):
                raise ValueError(f"{_label(option)}device is not writable: {dest}")
            return "through"
        if stat.S_ISFIFO(mode):
            if not os.access(dest, os.W_OK):
                raise ValueError(f"{_label(option)}pipe is not writable: {dest}")
            return "through"
        if str(dest) in ("/dev/stdout", "/dev/stderr") or str(dest).startswith("/dev/fd/"):
            return "through"                             # e.g. stdout redirected to a file
        if not stat.S_ISREG(mode):
            raise ValueError(f"{_label(option)}output path is not a regular file, a character "
                             f"device or a pipe: {dest}")
        if not os.access(dest, os.W_OK):
            raise ValueError(f"{_label(option)}output file is not writable: {dest}")
    target = Path(os.path.realpath(dest))
    if dest.is_symlink() and _stat(target.parent) is None:
        raise ValueError(f"{_label(option)}output path is a symlink into a missing folder: "
                         f"{dest} -> {os.readlink(dest)}")
    missing = _missing_dirs(target.parent)
    folder = missing[0].parent if missing else target.parent
    fst = _stat(folder, option)
    if fst is None or not stat.S_ISDIR(fst.st_mode):
        raise ValueError(f"{_label(option)}cannot write the output there: {folder} is not a folder")
    _probe_folder(folder, option, as_dir=bool(missing))
    return "replace"


#: How long to wait for a reader to open a named pipe we write to (seconds).
FIFO_WAIT_S = 2.0


def _fifo_fd(dest: Path, option) -> int:
    """Open a pipe for writing, waiting at most FIFO_WAIT_S for a reader (never for ever)."""
    deadline = time.monotonic() + FIFO_WAIT_S
    while True:
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            why = ("nothing reads from it" if exc.errno == errno.ENXIO
                   else (exc.strerror or str(exc)))
            raise ValueError(f"{_label(option)}cannot write to pipe {dest}: {why}") from None
        os.set_blocking(fd, True)
        return fd


def _write_through(src: Path, dest: Path, option) -> None:
    """Copy ``src`` into an existing device or pipe ``dest`` (no replace, no truncation)."""
    st = os.stat(dest)
    try:
        if stat.S_ISFIFO(st.st_mode):
            fd = _fifo_fd(dest, option)
        else:                  # a device, or /dev/stdout redirected to a file: append
            fd = os.open(dest, os.O_WRONLY | (os.O_APPEND if stat.S_ISREG(st.st_mode) else 0))
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
    except OSError as exc:
        raise ValueError(f"{_label(option)}cannot write to {dest}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def atomic_path(dest, suffix: str | None = None, option=None):
    """Yield a temporary path for ``dest``'s content; on success put it in place.

    A regular (or new) file is replaced atomically; a device or pipe is written through
    (see the module's docstring). On any error (or KeyboardInterrupt) the temporary file
    is removed, folders made for it are removed again, and ``dest`` is left as it was.
    """
    dest = Path(dest)
    how = check_output(dest, option)
    suffix = suffix if suffix is not None else dest.suffix
    with contextlib.ExitStack() as stack:
        if how == "through":
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="viz-out-")))
            tmp = folder / f"out{suffix}"
            yield tmp
            _write_through(tmp, dest, option)
            return
        target = Path(os.path.realpath(dest))           # through a symlink: replace its target
        stack.enter_context(track_new_dirs())
        ensure_dir(target.parent, option)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=suffix,
                                        dir=target.parent)
        except OSError as exc:
            raise ValueError(f"{_label(option)}cannot write in folder {target.parent}: "
                             f"{exc.strerror or exc}") from None
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
            old = _stat(target)
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise ValueError(f"{_label(option)}cannot write {dest}: "
                                 f"{exc.strerror or exc}") from None
            if old is not None:                          # keep an existing file's permissions
                mode = stat.S_IMODE(old.st_mode)
            else:                                        # mkstemp made it 0600: the usual ones
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            with contextlib.suppress(OSError):
                os.chmod(target, mode)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_paths(*dests, options=None, suffixes=None):
    """:func:`atomic_path` for several outputs at once: all are checked first, and none is
    put in place unless the whole block succeeds. Yields the temporary paths, in order."""
    options = list(options) if options is not None else [None] * len(dests)
    suffixes = list(suffixes) if suffixes is not None else [None] * len(dests)
    kinds = [check_output(d, o) for d, o in zip(dests, options)]
    # Enter write-through outputs last, so that they are written first: a full device
    # (/dev/full) then fails before any regular file is moved into place.
    order = sorted(range(len(dests)), key=lambda i: kinds[i] == "through")
    tmps: list = [None] * len(dests)
    with contextlib.ExitStack() as stack:
        for i in order:
            tmps[i] = stack.enter_context(atomic_path(dests[i], suffixes[i], option=options[i]))
        yield tmps


def write_text_atomic(dest, text: str, option=None) -> Path:
    with atomic_path(dest, option=option) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(dest)


def check_input_file(path, what: str, max_bytes: int, option=None) -> Path:
    """``path`` as a Path if it is a regular file of at most ``max_bytes``; else ValueError.

    Folders, devices and pipes are refused before anything is read: ``/dev/zero`` never
    ends, a pipe may block for ever.
    """
    path = Path(path)
    st = _stat(path, option)
    if st is None:
        raise ValueError(f"{_label(option)}{what} file not found: {path}")
    if stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{_label(option)}{what} path is a folder, not a file: {path}")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{_label(option)}{what} path is not a regular file: {path}")
    if st.st_size > max_bytes:
        raise ValueError(f"{_label(option)}{what} file {path} is {st.st_size:,} bytes; "
                         f"the most is {max_bytes:,}")
    if not os.access(path, os.R_OK):
        raise ValueError(f"{_label(option)}{what} file is not readable: {path}")
    return path
