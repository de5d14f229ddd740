"""Files that hold client data: created readable by the owner only (0600, folders 0700) whatever the
umask, written atomically, and never left half-written. A temporary file lives beside its target as
`.NAME.plealever-XXXX.part`, locked while it is written; one whose writer died (kill -9, power loss)
is unlocked, and the next write to that folder removes it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from plealever.errors import OutputError

try:  # POSIX; elsewhere leftovers are not detected as safely, so they are left alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

FILE_MODE = 0o600
DIR_MODE = 0o700
_TAG = ".plealever-"
_SUFFIX = ".part"


def private_dir(folder: Path) -> Path:
    """Create `folder` and any missing parents as 0700. Folders that exist are not changed: the
    user's own folder (or /tmp) keeps its permissions; the files inside are 0600."""
    folder = Path(folder)
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(made, DIR_MODE)  # mkdir's mode is cut by the umask; this is not
    return folder


def private_file(path: Path) -> Path:
    """Create `path` empty as 0600 if it does not exist; tighten it to 0600 if it does (and is ours)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        if path.is_file() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            os.chmod(path, FILE_MODE)
        return path
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files of writers that died in `folder`; a live writer holds its lock."""
    removed: list[Path] = []
    if fcntl is None:
        return removed
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".") and _TAG in n and n.endswith(_SUFFIX)]
    except OSError:
        return removed
    for name in names:
        path = Path(folder) / name
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if os.fstat(fd).st_uid != os.getuid():
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # locked: its writer is alive
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
        finally:
            os.close(fd)
    return removed


def check_output(path: Path) -> Path:
    """The folder `path` will be written in, or the OutputError that writing it would end in."""
    path = Path(path)
    if path.is_dir():
        raise OutputError("is a folder; give a file name to write", file=str(path))
    if path.exists() and not path.is_file():
        raise OutputError("is not a regular file; give a file name to write", file=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise OutputError("the output folder does not exist", file=str(path))
    return folder


def _locked_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new temporary file beside the target, 0600, locked; retried if a cleaner took it first."""
    for _ in range(5):
        fd, tmp = tempfile.mkstemp(prefix=f".{name}{_TAG}", suffix=_SUFFIX, dir=folder)
        os.fchmod(fd, FILE_MODE)
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)  # another run's cleanup removed it between creation and lock
    raise OutputError("cannot create a temporary file beside the output", file=str(folder / name))


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a locked temporary file beside `path`, then rename: the target is the old file or
    the whole new one, never half; the temporary file is removed on every failure."""
    path = Path(path)
    folder = check_output(path)
    clean_leftovers(folder)
    tmp = None
    try:
        fd, tmp = _locked_temp(folder, path.name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(tmp, path)  # still holding the lock: no cleaner can take it first
        tmp = None
        _sync_dir(folder)
    except OSError as exc:
        raise OutputError(f"cannot write the file ({exc.strerror or exc})", file=str(path)) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
