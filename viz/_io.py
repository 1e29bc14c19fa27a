"""Writing outputs safely: a temporary file in the same folder, moved into place."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def ensure_dir(path) -> Path:
    """Create ``path`` (and parents); raise ``ValueError`` if it cannot be written to."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create output folder {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise ValueError(f"output path is not a folder: {path}")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"output folder is not writable: {path}")
    return path


@contextlib.contextmanager
def atomic_path(dest, suffix: str | None = None):
    """Yield a temporary path beside ``dest``; on success move it onto ``dest``.

    On any error (or KeyboardInterrupt) the temporary file is removed and ``dest`` is
    left as it was, so no half-written output ever appears under the final name.
    """
    dest = Path(dest)
    ensure_dir(dest.parent if str(dest.parent) else ".")
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=suffix or dest.suffix,
                               dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, dest)
        # mkstemp creates 0600 files; give the result ordinary permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(dest, 0o666 & ~umask)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(dest, text: str) -> Path:
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(dest)
