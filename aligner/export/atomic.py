"""Write files so that a crash never leaves half of one behind.

Every exporter writes through these helpers: the data goes to a hidden temporary file in
the target's own directory (so the final ``os.replace`` is a same-filesystem rename, which
POSIX makes atomic), is flushed and fsynced, and only then takes the target's name. If
anything fails first, the temporary file is deleted and an existing target is untouched.

What may be written to is checked first (:func:`writable_target`): an export never
replaces an SQLite database (the corpus itself, its ``-wal``/``-shm``, any other), a
device node, a FIFO or a socket; through a symbolic link it replaces the file the link
points to, and the link stays.

A process killed while writing (kill -9, out of memory) cannot delete its temporary file.
So the writer holds an exclusive ``flock`` on it until the rename, and every write first
deletes the temporary files of the same target that nobody holds: the kernel drops a
lock when its process dies, so an unlocked temporary file will never be finished, while
one another live export is still writing stays locked and is left alone.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from aligner.errors import AlignerError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, so no clean-up of dead writers' files
    fcntl = None  # type: ignore[assignment]

StrPath = str | os.PathLike[str]
_TOKEN = re.compile(r"[0-9a-f]{12}")
#: The first bytes of an SQLite database, and of its write-ahead log (either byte order).
_SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class RefusedTarget(AlignerError):
    """An output path an export must not write: a database, a device, a FIFO."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_database(path: Path) -> bool:
    """Whether ``path`` is an SQLite database or one of its side files, by its first bytes
    or its name. A database with a live WAL may still be a zero-byte main file, so a
    ``-wal`` or ``-shm`` beside it counts too."""
    if any(path.with_name(path.name + side).exists() for side in _SQLITE_SIDE_FILES[:2]):
        return True
    for side in _SQLITE_SIDE_FILES:
        if path.name.endswith(side) and len(path.name) > len(side):
            main = path.with_name(path.name[: -len(side)])
            if main.is_file() and _is_database(main):
                return True
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        head = os.read(fd, len(_SQLITE_HEADER))
    except OSError:
        return False
    finally:
        os.close(fd)
    return head.startswith(_SQLITE_HEADER) or head[:4] in _WAL_MAGIC


def writable_target(target: StrPath, protect: Sequence[StrPath] = ()) -> Path:
    """The file an export to ``target`` really replaces, or :class:`RefusedTarget`.

    * A symbolic link is followed (to its final target, which may not exist yet): the
      link stays and now points at the new file, as ``open()`` would have it.
    * A directory, device node, FIFO or socket is refused: a rename would replace the
      node itself (as root, ``-o /dev/null`` would have replaced the system's /dev/null),
      and streaming into it could not be undone on failure.
    * An SQLite database or its ``-wal``/``-shm``/``-journal`` is refused: above all
      the corpus being exported (``protect``: its path, compared without opening it, since
      opening and closing a database file drops this process's SQLite locks on it).
    """
    path = Path(target)
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    for database in map(Path, protect):
        for side in ("", *_SQLITE_SIDE_FILES):
            name = database.with_name(database.name + side)
            if _same_file(real, name) or os.path.abspath(real) == os.path.abspath(name):
                what = f"the {side[1:]} file of the corpus database" if side else "the corpus database"
                raise RefusedTarget(str(target), f"is {what} being exported; write the export to another file")
    try:
        info = os.stat(real)
    except OSError:  # nothing there yet (or a path that cannot be: the write will say why)
        return real
    if stat.S_ISDIR(info.st_mode):
        raise RefusedTarget(str(target), "is a directory, not a file name")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a device"
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(info.st_mode)
            else "not a regular file"
        )
        raise RefusedTarget(
            str(target), f"is {kind}; an export is written to a new file and renamed, so name a regular file"
        )
    if _is_database(real):
        raise RefusedTarget(str(target), "is an SQLite database; an export never overwrites one")
    return real


def _temp_path(target: Path) -> Path:
    """A fresh hidden name next to ``target`` (same directory, so the rename is atomic)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


def _open_temp(target: Path, mode: str, encoding: str | None, newline: str | None) -> tuple[Path, IO[Any]]:
    """Create the temporary file exclusively and open it in ``mode``.

    ``os.open`` with 0o666 lets the umask decide the permissions, as a plain ``open`` of the
    target would; an existing target's permissions are copied so a rewrite keeps them.
    """
    if "r" in mode or "a" in mode or "+" in mode:
        raise ValueError(f"atomic_write is for writing whole files, not mode {mode!r}")
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    binary = "b" in mode
    while True:
        temp = _temp_path(target)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held until the rename; released by the kernel if we die
            if os.fstat(fd).st_nlink == 0:  # a clean-up took it in the instant before the lock: again
                os.close(fd)
                continue
        break
    try:
        try:
            os.chmod(fd, stat.S_IMODE(os.stat(target).st_mode))
        except FileNotFoundError:
            pass
        handle = os.fdopen(
            fd,
            "wb" if binary else "w",
            encoding=None if binary else encoding,
            newline=None if binary else newline,
        )
    except BaseException:
        os.close(fd)
        _unlink_quietly(temp)
        raise
    return temp, handle


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_dead_temps(target: Path) -> None:
    """Delete temporary files of ``target`` left by writers that died before their rename.

    Only files named like ours for this very target, and only those no process holds a
    lock on: a live writer's file is never touched.
    """
    if fcntl is None:  # pragma: no cover - see the import
        return
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp") and _TOKEN.fullmatch(name[len(prefix) : -4])):
            continue
        path = target.parent / name
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # a live writer holds it
            continue
        try:
            _unlink_quietly(path)
        finally:
            os.close(fd)


def _commit(handle: IO[Any]) -> None:
    """Flush Python's buffer and the kernel's, so the renamed file is complete on disk.

    The file stays open (and locked) until after the rename, so no clean-up can take it.
    """
    handle.flush()
    os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself (best effort: some filesystems refuse directory fsync)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform dependent
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - platform dependent
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(
    path: StrPath, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO[Any]]:
    """Yield a file whose content replaces ``path`` only if the ``with`` block succeeds.

    ``mode`` is ``"w"`` (text, with ``encoding`` and ``newline`` as for ``open``) or
    ``"wb"``. The parent directory must exist. ``path`` is checked by
    :func:`writable_target` first.
    """
    with atomic_write_many([path], mode=mode, encoding=encoding, newline=newline) as (handle,):
        yield handle


@contextmanager
def atomic_write_many(
    paths: Sequence[StrPath],
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[tuple[IO[Any], ...]]:
    """Like :func:`atomic_write` for files that belong together (a Moses ``.en``/``.ko`` pair).

    No target is replaced until every file has been written and fsynced, so an error while
    writing leaves all old targets as they were. Then the old files after the first are
    removed, the first is renamed into place, then the others: a process killed between
    the renames leaves a file missing (the next export writes it), never line N of one
    export beside line N of another.
    """
    targets = [writable_target(p) for p in paths]
    if len({os.path.abspath(t) for t in targets}) != len(targets):
        raise ValueError(f"the same file is named twice: {[str(p) for p in paths]}")
    opened: list[tuple[Path, IO[Any]]] = []
    try:
        for target in targets:
            if target.parent.is_dir():
                remove_dead_temps(target)
            opened.append(_open_temp(target, mode, encoding, newline))
        yield tuple(handle for _, handle in opened)
        for _, handle in opened:
            _commit(handle)
        for target in targets[1:]:
            _unlink_quietly(target)
        for target, (temp, _) in zip(targets, opened, strict=True):
            os.replace(temp, target)
    except BaseException:
        for temp, handle in opened:
            _unlink_quietly(temp)
            try:
                handle.close()
            except OSError:
                pass
        raise
    for _, handle in opened:
        handle.close()
    for directory in {t.parent for t in targets}:
        _fsync_dir(directory)
