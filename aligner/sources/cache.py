"""The page cache: fetched pages stored on disk under a path made from their URL.

Layout: ``<root>/pages/<host>/<path>``, so a corpus folder can be browsed, copied and
committed like any other files, and a page URL tells where its file is without an index.
Which URLs are one page is :mod:`aligner.sources.urls`' rule (one file per
:func:`~aligner.sources.urls.canonical_url`); this module only lays identities out as files:

* the host folder is the host, with ``_PORT`` for a port (test servers on 127.0.0.1);
* a query string is folded into the file name after ``@`` (never used in a segment),
  so ``x.html?a=1`` is ``x.html@a=1`` and the URL can be rebuilt from the path;
* a URL with no identity, or whose names would not fit the file system (an over-long
  name or path, a name that looks like a temp file), is refused with :class:`UnsafeURLError`;
* writes go to a temporary file in the same folder, then ``os.replace``: a crash never
  leaves half a page in the cache; a write that fails (a full disk) leaves nothing and
  raises :class:`CacheWriteError`.

Caches written before tracking parameters were dropped hold files such as
``1.html@_fr=mt1``: they are still read, as the page ``1.html`` (the canonical file wins
when both exist, else the first such name in sorted order), and never written again.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from aligner.errors import InputError
from aligner.sources.urls import UnsafeURLError, canonical_url, page_id

__all__ = ["CacheWriteError", "PageCache", "UnsafeURLError", "canonical_url", "guess_url", "path_to_url", "url_to_path"]

PAGES_DIR = "pages"
QUERY_MARK = "@"
TEMP_PREFIX = ".tmp-"
_MAX_NAME_BYTES = 255
# Host and path under pages/, well inside PATH_MAX (4096) wherever the corpus folder is.
_MAX_PATH_BYTES = 1024


class CacheWriteError(InputError):
    """A page that could not be written to the cache (a full disk, no permission...)."""


def _refuse(url: str, why: str) -> UnsafeURLError:
    return UnsafeURLError(url, f"refused as a cache key: {why}")


def _cache_parts(url: str) -> tuple[str, list[str]]:
    """The host folder and file-name segments of ``url`` under ``pages/`` (see the module notes)."""
    ident = page_id(url)
    host = ident.host.replace(":", "-")  # IPv6: keep the name a plain file name
    host = f"{host}_{ident.port}" if ident.port else host
    segments = list(ident.segments)
    if ident.query:
        segments[-1] += QUERY_MARK + ident.query.replace("/", "%2F")
    for seg in segments:
        if len(seg.encode("utf-8")) > _MAX_NAME_BYTES - 32:  # room for the temp suffix
            raise _refuse(url, "a path segment is too long for a file name")
        if seg.startswith(TEMP_PREFIX):
            raise _refuse(url, "a path segment looks like a cache temp file")
    if len("/".join([host, *segments]).encode("utf-8")) > _MAX_PATH_BYTES:
        raise _refuse(url, f"the path is longer than {_MAX_PATH_BYTES} bytes")
    return host, segments


def url_to_path(root: str | Path, url: str) -> Path:
    """Where the page for ``url`` is stored under the corpus folder ``root``.

    Raises :class:`UnsafeURLError` (an ``InputError`` and a ``ValueError``) for any URL
    that is not http(s) or could name a file outside ``root/pages``.
    """
    host, segments = _cache_parts(url)
    base = (Path(root) / PAGES_DIR).resolve()
    path = base.joinpath(host, *segments)
    # Belt and braces: nothing above should let this fail.
    if not path.resolve().is_relative_to(base):
        raise _refuse(url, "path escapes the cache folder")
    return path


def path_to_url(root: str | Path, path: str | Path) -> str | None:
    """The canonical URL of the page a cached file holds, or None when the file is not
    under ``root/pages``.

    The scheme is not kept on disk: https is assumed, except for IP addresses and
    ``localhost`` (local test servers), which get http.
    """
    base = (Path(root) / PAGES_DIR).resolve()
    try:
        rel = Path(path).resolve().relative_to(base)
    except ValueError:
        return None
    parts = rel.parts
    if len(parts) < 2:
        return None
    return _url_from_parts(parts[0], list(parts[1:]))


def _written_url(host_dir: str, segments: list[str]) -> str:
    """The URL a file name spells, as written (a legacy name keeps its tracking parameters)."""
    host, port = host_dir, ""
    m = re.match(r"^(.*)_(\d+)$", host_dir)
    if m:
        host, port = m.group(1), m.group(2)
    netloc = host + (f":{port}" if port else "")
    last = segments[-1]
    query = ""
    if QUERY_MARK in last:
        last, query = last.split(QUERY_MARK, 1)
        query = query.replace("%2F", "/")
    segments = segments[:-1] + [last]
    return f"http://{netloc}/" + "/".join(segments) + (f"?{query}" if query else "")


def _url_from_parts(host_dir: str, segments: list[str]) -> str:
    """The canonical URL of a file in the cache; the name as written when it has none."""
    written = _written_url(host_dir, segments)
    try:
        return canonical_url(written)
    except UnsafeURLError:
        return written


def guess_url(path: str | Path) -> str | None:
    """The URL of a file that sits in some corpus folder's page cache (``.../pages/<host>/...``)."""
    parts = Path(path).resolve().parts
    for i in range(len(parts) - 3, 0, -1):
        if parts[i] == PAGES_DIR and "." in parts[i + 1]:
            return _url_from_parts(parts[i + 1], list(parts[i + 2 :]))
    return None


class PageCache:
    """Pages stored under ``root/pages`` by URL (see the module notes for the layout)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        # folder -> {canonical file name: legacy file}, built on the first miss in a folder
        self._legacy: dict[Path, dict[str, Path]] = {}

    def __repr__(self) -> str:
        return f"PageCache({str(self.root)!r})"

    @property
    def pages_dir(self) -> Path:
        return self.root / PAGES_DIR

    def path(self, url: str) -> Path:
        """The file that holds ``url``: its canonical file, else a legacy one (see the module
        notes), else the canonical file it would be stored in (which does not exist yet)."""
        canonical = url_to_path(self.root, url)
        if _is_file(canonical):
            return canonical
        return self._legacy_file(canonical) or canonical

    def has(self, url: str) -> bool:
        return _is_file(self.path(url))

    def get(self, url: str) -> bytes | None:
        """The cached bytes of ``url``, or None when it is not cached."""
        path = self.path(url)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as exc:
            raise InputError(str(path), f"cannot read cached page: {exc.strerror or exc}") from None

    def put(self, url: str, data: bytes | str) -> Path:
        """Store ``data`` for ``url`` atomically (temp file, fsync, rename); returns the path.

        Raises :class:`CacheWriteError` when the page cannot be written (the disk is full,
        no permission); nothing is left behind then, not even a temporary file.
        """
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = url_to_path(self.root, url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        except OSError as exc:
            raise CacheWriteError(str(path), f"cannot write to the page cache: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise CacheWriteError(str(path), f"cannot write to the page cache: {exc.strerror or exc}") from None
            raise
        return path

    def discard(self, url: str) -> None:
        """Remove the page stored for ``url`` (its canonical file), if there is one."""
        try:
            url_to_path(self.root, url).unlink(missing_ok=True)
        except OSError as exc:
            raise CacheWriteError(str(url), f"cannot remove the cached page: {exc.strerror or exc}") from None

    def iter_pages(self, host_prefix: str | None = None) -> Iterator[tuple[str, Path]]:
        """(canonical url, path) of every cached page, sorted by path, each page once; only
        hosts starting with ``host_prefix`` when given. Temp files of interrupted writes
        are skipped; of a page stored under several legacy names, :meth:`path`'s is given."""
        base = self.pages_dir.resolve()
        if not base.is_dir():
            return
        prefix = (host_prefix or "").lower()
        seen: set[str] = set()
        for host_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            if not host_dir.name.startswith(prefix):
                continue
            for path in sorted(host_dir.rglob("*")):
                if not path.is_file() or path.name.startswith(TEMP_PREFIX) or path.name.startswith("."):
                    continue
                rel = path.relative_to(host_dir).parts
                url = _url_from_parts(host_dir.name, list(rel))
                if url not in seen:
                    seen.add(url)
                    yield url, path

    def _legacy_file(self, canonical: Path) -> Path | None:
        folder = canonical.parent
        if folder not in self._legacy:
            self._legacy[folder] = self._index_legacy(folder)
        return self._legacy[folder].get(canonical.name)

    def _index_legacy(self, folder: Path) -> dict[str, Path]:
        """The files of ``folder`` whose names spell a URL non-canonically (``1.html@_fr=mt1``),
        by the canonical name of their page; the first in sorted order wins."""
        base = self.pages_dir.resolve()
        try:
            rel = folder.relative_to(base).parts
            names = sorted(
                e.name
                for e in os.scandir(folder)
                if QUERY_MARK in e.name and not e.name.startswith(".") and e.is_file()
            )
        except (OSError, ValueError):
            return {}
        index: dict[str, Path] = {}
        for name in names:
            try:
                canonical = url_to_path(self.root, _written_url(rel[0], [*rel[1:], name]))
            except UnsafeURLError:
                continue
            if canonical.name != name and canonical.parent == folder:
                index.setdefault(canonical.name, folder / name)
        return index


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError as exc:  # is_file() passes some errors on (a name too long, an I/O error)
        raise InputError(str(path), f"cannot look in the page cache: {exc.strerror or exc}") from None
