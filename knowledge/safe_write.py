"""Writing a knowledge base safely: one ingest at a time, temporary files named after their
process, fsync before and after the rename, and a one-line reason when the disk refuses."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_PREFIX = ".qabot-"
TEMP_RE = re.compile(r"^\.qabot-(?:(\d+)-)?[^/]*\.tmp(?:-journal)?$")
# A temporary file whose process cannot be told (a name from an older qabot, or a pid that
# was reused) is removed once it is this old: a build that is still running is never.
STALE_BUILD_SECONDS = 3600

_registry_guard = threading.Lock()
_locks: dict[str, tuple[threading.RLock, list[int]]] = {}


def target_of(db_path: str | Path) -> Path:
    """The file a knowledge base path stands for: a symlink's target, so that it is written
    through rather than replaced by a regular file."""
    return Path(os.path.realpath(Path(db_path).expanduser()))


def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def ingest_lock(
    db_path: str | Path, on_wait: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Hold the knowledge base's ingest lock (re-entrant within a thread); yield the file.

    A second ingest into the same file, in this process or another, waits for the first
    one, after calling on_wait(path) once. The lock is an flock on `.NAME.lock` beside the
    file, so a killed ingest never leaves it held. Raises OSError if the folder cannot be
    created or written.
    """
    target = target_of(db_path)
    key = str(target)
    if on_wait:
        on_wait = _once(on_wait)
    with _registry_guard:
        thread_lock, held = _locks.setdefault(key, (threading.RLock(), [0, -1]))
    if not thread_lock.acquire(blocking=False):
        if on_wait:
            on_wait(target)
        thread_lock.acquire()
    try:
        if held[0] == 0:
            held[1] = _take_file_lock(target, on_wait)
        held[0] += 1
        try:
            yield target
        finally:
            held[0] -= 1
            if held[0] == 0:
                os.close(held[1])  # closing the file releases the flock
                held[1] = -1
    finally:
        thread_lock.release()


def _once(func: Callable[[Path], None]) -> Callable[[Path], None]:
    called = []

    def call(path: Path) -> None:
        if not called:
            called.append(path)
            func(path)

    return call


def _take_file_lock(target: Path, on_wait: Callable[[Path], None] | None) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(target), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(target)
            fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def new_temp_file(folder: Path) -> Path:
    """An empty private file in `folder` whose name carries this process's id."""
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(name)


def remove_stale_builds(folder: Path) -> list[Path]:
    """Delete the temporary files that killed builds left in `folder`: those whose process
    is gone, and any an hour old. Returns what it removed."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = TEMP_RE.match(path.name)
        if not match:
            continue
        pid = int(match.group(1)) if match.group(1) else 0
        with contextlib.suppress(OSError):
            dead = pid > 0 and pid != os.getpid() and not _alive(pid)
            if dead or now - path.stat().st_mtime > STALE_BUILD_SECONDS:
                path.unlink()
                removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def durable_replace(tmp: Path, target: Path) -> None:
    """Rename a finished file over `target` so that a power cut leaves the old file or the
    new one, complete: fsync the file, rename, then fsync the folder."""
    _fsync(tmp, os.O_RDONLY)
    os.replace(tmp, target)
    _fsync(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_problem(exc: OSError | sqlite3.Error, path: Path) -> str:
    """One line naming the file and what to do, for an error met while writing it."""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    where = "choose another place with --db or QABOT_DB"
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "disk is full" in text:
        return f"cannot write {path}: the disk is full; free some space, or {where}"
    if code == errno.EROFS or "readonly" in text or "read-only" in text:
        return f"cannot write {path}: the file system is read-only; {where}"
    if code == errno.EISDIR or path.is_dir():
        return f"{path} is a directory; give a file name, e.g. --db {path / 'qabot.db'}"
    if code in (errno.EACCES, errno.EPERM):
        folder = getattr(exc, "filename", None) or path.parent
        return f"cannot write {path}: permission denied on {folder}; {where}"
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"cannot write {path}: {reason}; {where}"
