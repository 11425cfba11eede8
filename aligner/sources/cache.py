"""The page cache: fetched pages stored on disk under a path made from their URL.

Layout: ``<root>/pages/<host>/<path>``, so a corpus folder can be browsed, copied and
committed like any other files, and a page URL tells where its file is without an index.

Rules (why they exist):

* Only ``http``/``https``; the two schemes share one entry, because the Hankyoreh links
  its Korean originals with both.
* The host is lowercased; a port becomes ``host_port`` (test servers on 127.0.0.1).
* Path segments are percent-decoded and re-encoded in one canonical form, so ``%41`` and
  ``A`` name the same file and no file name carries ``/``, ``\\`` or ``@``.
* A query string is folded into the file name after ``@`` (never used in a segment),
  so ``x.html?a=1`` is ``x.html@a=1`` and the URL can be rebuilt from the path.
* A URL that could climb out of the cache (``..``, ``%2F``, ``%5C``, backslashes, NUL,
  user info, an over-long name or path) is refused with :class:`UnsafeURLError`.
* Writes go to a temporary file in the same folder, then ``os.replace``: a crash never
  leaves half a page in the cache.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from aligner.errors import InputError

PAGES_DIR = "pages"
INDEX_NAME = "index.html"
QUERY_MARK = "@"
TEMP_PREFIX = ".tmp-"
# Characters left as they are in a file name; everything else is percent-encoded.
_SEGMENT_SAFE = "-._~!$&'()*+,;=:"
_QUERY_SAFE = "-._~!$&'()*+,;=:/?%"
_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_MAX_NAME_BYTES = 255
# Host and path under pages/, well inside PATH_MAX (4096) wherever the corpus folder is.
_MAX_PATH_BYTES = 1024


class UnsafeURLError(InputError, ValueError):
    """A URL that is not http(s) or whose path could escape the cache folder."""


def _refuse(url: str, why: str) -> UnsafeURLError:
    return UnsafeURLError(url, f"refused as a cache key: {why}")


def _host_dir(url: str, netloc: str, hostname: str | None, port: int | None) -> str:
    if "@" in netloc:
        raise _refuse(url, "user info in the URL")
    host = (hostname or "").lower().rstrip(".")
    if not host:
        raise _refuse(url, "no host")
    if not _HOST_RE.match(host):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise _refuse(url, f"bad host name {host!r}") from None
        if ":" in host:  # IPv6: keep the name a plain file name
            host = host.replace(":", "-")
    return f"{host}_{port}" if port else host


def _segments(url: str, path: str) -> list[str]:
    if "\\" in path or re.search(r"%(2f|5c|00)", path, re.IGNORECASE):
        raise _refuse(url, "encoded slash, backslash or NUL in the path")
    out: list[str] = []
    for raw in path.split("/"):
        if not raw:
            continue  # "//" and the leading "/" carry no name
        seg = unquote(raw)
        if seg in (".", ".."):
            raise _refuse(url, "'.' or '..' in the path")
        if any(ord(c) < 32 or ord(c) == 127 for c in seg):
            raise _refuse(url, "control character in the path")
        out.append(quote(seg, safe=_SEGMENT_SAFE))
    return out


def url_to_path(root: str | Path, url: str) -> Path:
    """Where the page for ``url`` lives under the corpus folder ``root``.

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


def canonical_url(url: str) -> str:
    """The one spelling of ``url`` that names its cache file: two URLs are the same page
    exactly when they share a cache file (http and https, ``%41`` and ``A``, host case).

    ``http://www.hani.co.kr/arti/1.html`` → ``https://www.hani.co.kr/arti/1.html`` (the
    scheme :func:`path_to_url` gives back). Raises :class:`UnsafeURLError` as
    :func:`url_to_path` does.
    """
    host, segments = _cache_parts(url)
    return _url_from_parts(host, segments)


def _cache_parts(url: str) -> tuple[str, list[str]]:
    """The host folder and file-name segments of ``url`` under ``pages/`` (see the module notes)."""
    if not isinstance(url, str) or not url.strip():
        raise _refuse(str(url), "empty URL")
    url = url.strip()
    if any(ord(c) < 32 for c in url):
        raise _refuse(url, "control character in the URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(url, f"malformed URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _refuse(url, "only http and https URLs are cached")
    host = _host_dir(url, parts.netloc, parts.hostname, port)
    segments = _segments(url, parts.path)
    if not segments or parts.path.endswith("/"):
        segments.append(INDEX_NAME)
    if parts.query:
        segments[-1] += QUERY_MARK + quote(parts.query, safe=_QUERY_SAFE).replace("/", "%2F")
    for seg in segments:
        if len(seg.encode("utf-8")) > _MAX_NAME_BYTES - 32:  # room for the temp suffix
            raise _refuse(url, "a path segment is too long for a file name")
        if seg.startswith(TEMP_PREFIX):
            raise _refuse(url, "a path segment looks like a cache temp file")
    if len("/".join([host, *segments]).encode("utf-8")) > _MAX_PATH_BYTES:
        raise _refuse(url, f"the path is longer than {_MAX_PATH_BYTES} bytes")
    return host, segments


def path_to_url(root: str | Path, path: str | Path) -> str | None:
    """The URL a cached file stands for, or None when the file is not under ``root/pages``.

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


def _url_from_parts(host_dir: str, segments: list[str]) -> str:
    host, port = host_dir, ""
    m = re.match(r"^(.*)_(\d+)$", host_dir)
    if m:
        host, port = m.group(1), m.group(2)
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    scheme = "http" if is_ip or host == "localhost" else "https"
    netloc = host + (f":{port}" if port else "")
    last = segments[-1]
    query = ""
    if QUERY_MARK in last:
        last, query = last.split(QUERY_MARK, 1)
        query = query.replace("%2F", "/")
    segments = segments[:-1] + [last]
    return f"{scheme}://{netloc}/" + "/".join(segments) + (f"?{query}" if query else "")


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

    def __repr__(self) -> str:
        return f"PageCache({str(self.root)!r})"

    @property
    def pages_dir(self) -> Path:
        return self.root / PAGES_DIR

    def path(self, url: str) -> Path:
        """The file for ``url`` (it may not exist)."""
        return url_to_path(self.root, url)

    def has(self, url: str) -> bool:
        path = self.path(url)
        try:
            return path.is_file()
        except OSError as exc:  # is_file() passes some errors on (a name too long, an I/O error)
            raise InputError(str(path), f"cannot look in the page cache: {exc.strerror or exc}") from None

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
        """Store ``data`` for ``url`` atomically (temp file, fsync, rename); returns the path."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        except OSError as exc:
            raise InputError(str(path), f"cannot write to the page cache: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path

    def iter_pages(self, host_prefix: str | None = None) -> Iterator[tuple[str, Path]]:
        """(url, path) of every cached page, sorted by path; only hosts starting with
        ``host_prefix`` when given. Temp files of interrupted writes are skipped."""
        base = self.pages_dir.resolve()
        if not base.is_dir():
            return
        prefix = (host_prefix or "").lower()
        for host_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            if not host_dir.name.startswith(prefix):
                continue
            for path in sorted(host_dir.rglob("*")):
                if not path.is_file() or path.name.startswith(TEMP_PREFIX) or path.name.startswith("."):
                    continue
                rel = path.relative_to(host_dir).parts
                yield _url_from_parts(host_dir.name, list(rel)), path
