"""URL identity: when two links name the same article, and the one spelling that says so.

One article, one document: the page cache, the fetch manifest (``pairs.jsonl``), the run
and the corpus database all key an article by :func:`canonical_url` (or :func:`page_key`,
which never raises), so each rule below is written here and nowhere else.

* A fragment (``#comments``) never names another document.
* Tracking parameters say where a link was clicked, not what it shows: the Hankyoreh
  adds ``_fr=mt1`` (front page slot) and ``_ns=t1`` (news stand) to its own links, and
  shared links carry ``utm_*``, ``fbclid``, ``gclid`` and the like. They are dropped;
  every other parameter is kept as written, in its order.
* http and https are one page (the Hankyoreh links its originals with both); the
  canonical scheme is https, or http for IP addresses and ``localhost`` (test servers).
* The host is lowercased and loses a trailing dot; a port is kept.
* Path segments are percent-decoded and re-encoded in one form, so ``%41`` and ``A`` are
  one page; empty segments carry no name, and a path ending in "/" (or no path) names
  its ``index.html``.
* A URL that has no such identity (not http(s), user info, a bad host, ``..``, an
  encoded slash, backslash or NUL, control characters) raises :class:`UnsafeURLError`:
  it could name a file outside the page cache, so it names no page at all.

:func:`article_url` applies the first two rules only (the scheme and host stay as
written): it is what the fetcher asks for and what the manifest records.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from aligner.errors import InputError

INDEX_NAME = "index.html"
#: Parameters dropped from article URLs (compared in lower case); see the module notes.
TRACKING_PARAMS = frozenset(
    {
        "_fr",
        "_ns",  # the Hankyoreh's own links
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Characters left as they are in a path segment; everything else is percent-encoded.
_SEGMENT_SAFE = "-._~!$&'()*+,;=:"
_QUERY_SAFE = "-._~!$&'()*+,;=:/?%"
_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
_PORT_THEN_PATH = re.compile(r"[0-9]+(?:[/?#]|$)")


class UnsafeURLError(InputError, ValueError):
    """A URL that is not http(s) or whose path could escape the cache folder."""


def _refuse(url: str, why: str) -> UnsafeURLError:
    return UnsafeURLError(url, f"refused as a cache key: {why}")


# -- tracking parameters and fragments -------------------------------------------------------


def is_tracking_param(name: str) -> bool:
    """``_fr``, ``utm_source``, ``fbclid``...: a parameter that names no content."""
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def without_fragment(url: str) -> str:
    """``url`` trimmed and without its ``#fragment`` (plain string work: never raises)."""
    return url.strip().split("#", 1)[0]


def article_url(url: str) -> str:
    """``url`` without its fragment and tracking parameters, otherwise as written.

    ``https://www.hani.co.kr/arti/1.html?_fr=mt1#top`` -> ``https://www.hani.co.kr/arti/1.html``.
    Plain string work, so it never raises, whatever the link holds.
    """
    text = without_fragment(url)
    base, mark, query = text.partition("?")
    if not mark:
        return text
    pieces = query.split("&")
    kept = [p for p in pieces if not is_tracking_param(p.split("=", 1)[0])]
    if len(kept) == len(pieces):
        return text
    kept = [p for p in kept if p]
    return base + ("?" + "&".join(kept) if kept else "")


def has_scheme(url: str) -> bool:
    """True for "https://...", "javascript:..."; False for "localhost:8000/..." (a host and port)."""
    m = _SCHEME.match(url)
    return m is not None and not _PORT_THEN_PATH.match(m.group(2))


def normalize_url(url: str, default_scheme: str = "https") -> str:
    """A URL as given by a person: trimmed, a scheme added to "english.hani.co.kr/..."
    forms, then :func:`article_url` (no fragment, no tracking parameters).

    A URL that already has a scheme keeps it, with or without "//" ("javascript:...",
    "mailto:..."), so the fetcher refuses it for its scheme.
    """
    url = url.strip()
    if url and "://" not in url and not url.startswith("/") and not has_scheme(url):
        url = f"{default_scheme}://{url}"
    return article_url(url)


# -- identity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageId:
    """What identifies a page: host, port, canonical path segments and query."""

    host: str  # lower case, no trailing dot; an IPv6 address without brackets
    port: int | None
    segments: tuple[str, ...]  # percent-encoded in one form; never empty
    query: str  # tracking parameters removed; "" for none

    @property
    def is_local(self) -> bool:
        """An IP address or localhost: served over http (test servers), not https."""
        if self.host == "localhost":
            return True
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True

    @property
    def url(self) -> str:
        """The canonical spelling (see the module notes)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        netloc = host + (f":{self.port}" if self.port else "")
        scheme = "http" if self.is_local else "https"
        return f"{scheme}://{netloc}/" + "/".join(self.segments) + (f"?{self.query}" if self.query else "")


def page_id(url: str) -> PageId:
    """The identity of ``url`` (see the module notes); raises :class:`UnsafeURLError`."""
    if not isinstance(url, str) or not url.strip():
        raise _refuse(str(url), "empty URL")
    url = url.strip()
    if any(ord(c) < 32 for c in url):
        raise _refuse(url, "control character in the URL")
    try:
        parts = urlsplit(article_url(url))
        port = parts.port
    except ValueError as exc:
        raise _refuse(url, f"malformed URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _refuse(url, "only http and https URLs are cached")
    if "@" in parts.netloc:
        raise _refuse(url, "user info in the URL")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise _refuse(url, "no host")
    if not _HOST_RE.match(host):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise _refuse(url, f"bad host name {host!r}") from None
    segments = _segments(url, parts.path)
    if not segments or parts.path.endswith("/"):
        segments.append(INDEX_NAME)
    query = quote(parts.query, safe=_QUERY_SAFE) if parts.query else ""
    return PageId(host, port or None, tuple(segments), query)


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


def canonical_url(url: str) -> str:
    """The one spelling of ``url``: two URLs are the same page exactly when they share it.

    ``http://WWW.hani.co.kr/arti/%31.html?_fr=mt1#x`` -> ``https://www.hani.co.kr/arti/1.html``.
    Raises :class:`UnsafeURLError` for a URL with no identity (see the module notes).
    """
    return page_id(url).url


def page_key(key: str) -> str:
    """:func:`canonical_url` when ``key`` has one, else ``key`` unchanged (a file path,
    or a link with no identity): a dictionary key for pages that never raises."""
    try:
        return canonical_url(key)
    except UnsafeURLError:
        return key


def same_page(a: str, b: str) -> bool:
    """Whether two URLs name one page (by :func:`page_key`)."""
    return page_key(a) == page_key(b)


# -- allowed hosts ------------------------------------------------------------------------------


def host_key(host: str, port: int | None = None) -> str:
    """How an allowed host is written: "host" or "host:port" (IPv6 in brackets), lower case."""
    host = host.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"


def parse_host(spec: str) -> str:
    """An allowed host as given ("example.org", "127.0.0.1:8000", "[::1]:8000") in ``host_key`` form.

    Refuses URLs, paths and bad ports, so a typo cannot quietly allow nothing (or more).
    """
    text = spec.strip()
    if not text or any(c in text for c in "/?#@") or any(c.isspace() for c in text):
        raise InputError(spec, "not a host name: give HOST or HOST:PORT, without a scheme or path")
    try:
        parts = urlsplit("//" + text)
        port = parts.port
    except ValueError as exc:
        raise InputError(spec, f"not a host name ({exc})") from None
    if not parts.hostname or not parts.hostname.rstrip("."):
        raise InputError(spec, "not a host name: give HOST or HOST:PORT")
    return host_key(parts.hostname, port)
