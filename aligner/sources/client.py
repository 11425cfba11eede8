"""The polite HTTP client: one ``Fetcher`` through which every request goes.

Politeness is not optional here: the pages belong to a newspaper, and a corpus run may
ask for thousands of them. So the fetcher

* waits its turn per host (about one request a second by default, longer if robots.txt
  sets a Crawl-delay), and honours robots.txt for our user agent;
* sends a user agent that says what we are;
* fetches only http/https URLs on the allowed hosts, and follows redirects itself, one
  hop at a time, so a redirect can never lead it off those hosts (nor round in a loop);
* retries what may pass (429 with its Retry-After, 5xx, timeouts, dropped connections)
  with exponential backoff, and gives up at once on what will not (404, wrong type);
* streams bodies and stops at a size cap that counts decoded bytes (see
  :mod:`aligner.sources.compression`), gives a body a total time limit (a server that
  trickles a byte at a time cannot hold a run for ever), and notices truncated bodies;
* never asks twice: pages already in the cache are served from it, and ``offline``
  uses the cache alone.

A server's answer is untrusted. Its numbers (Retry-After, Content-Length, robots.txt
delays) are read as ASCII digits only (:mod:`aligner.sources.digits`); what does not
parse is ignored for a sane default or fails that one URL, never the run. No server
makes us wait longer than ``max_wait``: a longer Retry-After fails the URL, a longer
Crawl-delay is capped, and both are said (the failure's reason, or a line in
``notes``). Text a server chose (reason phrases, Content-Type, Location) is made
:func:`~aligner.display.visible` before it enters a message.
"""

from __future__ import annotations

import email.utils
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from aligner import __version__
from aligner.display import visible
from aligner.errors import FetchError, InputError
from aligner.sources.cache import PageCache
from aligner.sources.compression import BodyDecoder, BodyError
from aligner.sources.decode import decode_html
from aligner.sources.digits import ascii_int, ascii_seconds
from aligner.sources.robots import RobotsAnswer, RobotsCache
from aligner.sources.urls import host_key, parse_host, without_fragment

DEFAULT_HOSTS: frozenset[str] = frozenset({"english.hani.co.kr", "www.hani.co.kr", "hani.co.kr"})
DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT_TOKEN = "aligner"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Longer URLs are refused before any request: no article URL is near this, and httpx
#: itself stops at 64 kB with an error of its own.
MAX_URL_CHARS = 4096


def default_user_agent(contact: str | None = None) -> str:
    """``aligner/<version> (+contact)``; the contact comes from ALIGNER_CONTACT when not given."""
    contact = contact or os.environ.get("ALIGNER_CONTACT")
    what = "parallel-corpus builder; honours robots.txt"
    return f"{USER_AGENT_TOKEN}/{__version__} ({what}" + (f"; +{contact})" if contact else ")")


@dataclass
class FetchResult:
    """One fetched (or cached) page; ``final_url`` is where redirects ended."""

    url: str
    final_url: str
    status: int
    data: bytes
    from_cache: bool
    content_type: str | None = None
    redirects: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The page decoded with the sources' decoder (HTTP charset, meta, BOM, EUC-KR/CP949)."""
        return decode_html(self.data, self.url, self.content_type)


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    data: bytes


class _Retry(Exception):
    """A failure that may pass: try again after ``wait`` seconds (None: use the backoff)."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem = visible(problem)
        self.wait = wait


def _fail(item: str, problem: str, url: str | None = None) -> FetchError:
    """A FetchError for ``item`` whose problem is one visible line (a server wrote part of it)."""
    return FetchError(item, visible(problem + ("" if url is None or url == item else f" at {url}")))


class Fetcher:
    """A polite HTTP client with a page cache (see the module notes for the rules).

    ``rate`` is requests per second per host (0 means no limit: tests only). ``retries``
    is how many more tries a transient failure gets; waits grow as ``backoff * 2**n``
    (capped at ``max_wait``), and a Retry-After longer than ``max_wait`` makes it give up.
    ``timeout`` bounds each wait for the server; ``max_seconds`` bounds a whole response,
    body included (checked as the body arrives, so it may overrun by one ``timeout``).
    ``notes`` collects one line for each server value that was ignored or capped.
    """

    def __init__(
        self,
        cache: PageCache | None = None,
        *,
        rate: float = 1.0,
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        max_bytes: int = 5_000_000,
        max_seconds: float = 120.0,
        allowed_hosts: Iterable[str] | None = DEFAULT_HOSTS,
        max_redirects: int = 5,
        user_agent: str | None = None,
        respect_robots: bool = True,
        offline: bool = False,
        trust_env: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.cache = cache
        self.rate = rate
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.allowed_hosts = None if allowed_hosts is None else frozenset(parse_host(h) for h in allowed_hosts)
        self.max_redirects = max_redirects
        self.user_agent = user_agent or default_user_agent()
        self.respect_robots = respect_robots
        self.offline = offline
        self.notes: list[str] = []
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._client: httpx.Client | None = None
        self._trust_env = trust_env
        self.robots = RobotsCache(self._load_robots, USER_AGENT_TOKEN, note=self.note)
        self.requests = 0  # HTTP requests actually sent (robots.txt included)

    # -- lifecycle ----------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                    "Accept-Language": "en,ko;q=0.8",
                    "Accept-Encoding": "gzip, deflate",  # the two compression.py decodes
                },
                trust_env=self._trust_env,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def note(self, line: str) -> None:
        """Keep one line about a server value that was ignored or capped (each once)."""
        line = visible(line)
        if line not in self.notes:
            self.notes.append(line)

    # -- checks -------------------------------------------------------------------

    def check_url(self, url: str, item: str | None = None) -> None:
        """Refuse non-http(s) URLs and hosts outside the allowed set (before any request)."""
        if len(url) > MAX_URL_CHARS:
            raise _fail(item or url[:200] + "...", f"URL is {len(url)} characters long (more than {MAX_URL_CHARS})")
        if any(ord(c) < 32 or ord(c) == 127 for c in url):
            raise _fail(item or repr(url), "control character in the URL")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as exc:
            raise _fail(item or url, f"malformed URL ({exc})") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise _fail(item or url, f"only http and https URLs are fetched, not {parts.scheme or 'a bare path'!r}")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise _fail(item or url, "no host in the URL")
        if parts.username or parts.password:
            raise _fail(item or url, "user info in the URL")
        if not self.host_allowed(host, parts.port or DEFAULT_PORTS[parts.scheme.lower()]):
            allowed = ", ".join(sorted(self.allowed_hosts or ()))
            raise _fail(item or url, f"host {host_key(host, parts.port)} is not one of the allowed hosts ({allowed})")

    def host_allowed(self, host: str, port: int) -> bool:
        """A bare allowed host admits any port on it; an allowed HOST:PORT only that port."""
        if self.allowed_hosts is None:
            return True
        return host_key(host) in self.allowed_hosts or host_key(host, port) in self.allowed_hosts

    # -- the public call ----------------------------------------------------------

    def fetch(self, url: str, *, use_cache: bool = True, store: bool = True, expect_html: bool = True) -> FetchResult:
        """The page at ``url``: from the cache when there, else from the network (then cached).

        Raises FetchError with a one-line reason naming the URL.
        """
        url = without_fragment(url)
        self.check_url(url)
        if use_cache and self.cache is not None:
            data = self._cached(url)
            if data is not None:
                return FetchResult(url, url, 200, data, True)
        if self.offline:
            raise FetchError(url, "not in the page cache (offline: nothing is fetched)")
        result = self._fetch_following(url, expect_html)
        if store and self.cache is not None:
            self.cache.put(url, result.data)
        return result

    def _cached(self, url: str) -> bytes | None:
        try:
            return self.cache.get(url) if self.cache is not None else None
        except InputError as exc:  # an unsafe cache key is a bad URL for us too
            raise FetchError(url, exc.problem) from None

    def _fetch_following(self, url: str, expect_html: bool) -> FetchResult:
        seen = {url}
        chain: list[str] = []
        current = url
        while True:
            if self.respect_robots and not self.robots.allowed(current):
                raise _fail(url, self.robots.rules(current).why_not(current))
            resp = self._request(current, url, expect_html)
            if resp.status not in REDIRECT_STATUSES:
                ctype = resp.headers.get("content-type")
                return FetchResult(url, current, resp.status, resp.data, False, ctype, chain)
            target = _location(current, resp)
            if target is None:
                raise _fail(
                    url,
                    f"HTTP {resp.status} redirect without a usable Location header "
                    f"({resp.headers.get('location', '')[:200]!r})",
                )
            if target in seen:
                raise _fail(url, f"redirect loop ({' -> '.join(chain + [target])})")
            if len(chain) >= self.max_redirects:
                raise _fail(url, f"more than {self.max_redirects} redirects")
            try:
                self.check_url(target)
            except FetchError as exc:
                raise _fail(url, f"redirects to {target[:300]}: {exc.problem}") from None
            seen.add(target)
            chain.append(target)
            current = target

    # -- one request, with retries -------------------------------------------------

    def _request(self, url: str, item: str, expect_html: bool) -> _Response:
        last_problem = ""
        for attempt in range(self.retries + 1):
            wait: float | None = None
            try:
                resp = self._send(url, item, expect_html)
            except _Retry as retry:
                last_problem = retry.problem
                wait = retry.wait
            else:
                return resp
            if attempt == self.retries:
                break
            delay = wait if wait is not None else min(self.max_wait, self.backoff * (2**attempt))
            if delay > self.max_wait:
                raise _fail(
                    item, f"{last_problem}; the server asks to wait {_seconds(delay)} (more than {self.max_wait:.0f} s)"
                )
            self._sleep(max(0.0, delay))
        tries = self.retries + 1
        raise _fail(item, f"{last_problem} (gave up after {tries} {'try' if tries == 1 else 'tries'})")

    def _send(self, url: str, item: str, expect_html: bool) -> _Response:
        self._wait_turn(url)
        self.requests += 1
        started = time.monotonic()
        try:
            with self.client.stream("GET", url) as resp:
                status = resp.status_code
                if status in RETRY_STATUSES or 500 <= status < 600:
                    raise _Retry(f"HTTP {status} {resp.reason_phrase}".rstrip(), self._retry_after(resp, url))
                if status in REDIRECT_STATUSES:
                    return _Response(status, resp.headers, b"")
                if status >= 400:
                    raise _fail(item, f"HTTP {status} {resp.reason_phrase}".rstrip(), url)
                if not 200 <= status < 300:
                    raise _fail(item, f"unexpected HTTP {status}", url)
                ctype = resp.headers.get("content-type", "")
                mime = ctype.split(";")[0].strip().lower()
                if expect_html and mime and mime not in HTML_TYPES:
                    raise _fail(item, f"not an HTML page (Content-Type {mime[:100]})", url)
                declared = ascii_int(resp.headers.get("content-length"))
                if declared is not None and declared > self.max_bytes:
                    raise _fail(item, f"page is {declared} bytes, over the {self.max_bytes}-byte cap", url)
                data = self._read_body(resp, url, item, started)
                # h11 notices a short body on a closed connection; this catches the rest.
                if declared is not None and resp.num_bytes_downloaded < declared:
                    raise _Retry(f"truncated body ({resp.num_bytes_downloaded} of {declared} bytes)")
                return _Response(status, resp.headers, data)
        except httpx.TimeoutException:
            raise _Retry(f"timed out after {self.timeout:g} s") from None
        except httpx.RemoteProtocolError as exc:
            text = str(exc)
            if "incomplete" in text or "complete message body" in text or "peer closed" in text:
                raise _Retry("truncated body (connection closed early)") from None
            raise _Retry(f"protocol error ({text[:300]})") from None
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({exc.__class__.__name__}: {exc})".replace(": )", ")")) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # not worth retrying
            raise _fail(item, f"{exc.__class__.__name__}: {exc}") from None

    def _read_body(self, resp: httpx.Response, url: str, item: str, started: float) -> bytes:
        """The decoded body, refused once it passes the size cap (raw or decoded) or the time limit."""
        chunks: list[bytes] = []
        raw = size = 0
        try:
            decoder = BodyDecoder(resp.headers.get_list("content-encoding", split_commas=True))
            for chunk in resp.iter_raw():
                raw += len(chunk)
                for piece in decoder.feed(chunk):
                    size += len(piece)
                    if size > self.max_bytes:
                        how = f" (decoded from {decoder.names} after {raw} bytes)" if decoder.layers else ""
                        raise _fail(item, f"page is over the {self.max_bytes}-byte cap{how}", url)
                    chunks.append(piece)
                if raw > self.max_bytes:
                    raise _fail(item, f"compressed page is over the {self.max_bytes}-byte cap", url)
                if time.monotonic() - started > self.max_seconds:
                    raise _fail(
                        item, f"page still arriving after {self.max_seconds:g} s ({size} bytes so far); gave up", url
                    )
            decoder.finish()
        except BodyError as exc:
            if exc.retry:
                raise _Retry(exc.problem) from None
            raise _fail(item, exc.problem, url) from None
        return b"".join(chunks)

    def _retry_after(self, resp: httpx.Response, url: str) -> float | None:
        """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when
        absent, or unreadable (then the backoff applies, and a note says so)."""
        value = resp.headers.get("retry-after")
        if value is None or not value.strip():
            return None
        seconds = retry_after_seconds(value)
        if seconds is None:
            self.note(f"{url}: Retry-After {value[:100]!r} is neither seconds nor an HTTP date; ignored")
        return seconds

    # -- politeness -----------------------------------------------------------------

    def _wait_turn(self, url: str) -> None:
        """Sleep until this host's next request slot (per host; robots.txt Crawl-delay wins,
        up to ``max_wait``)."""
        host = urlsplit(url).netloc.lower()
        interval = 1.0 / self.rate if self.rate and self.rate > 0 else 0.0
        if self.respect_robots and not url.endswith("/robots.txt"):
            delay = self.robots.crawl_delay(url)
            if delay is not None:
                if delay > self.max_wait:
                    self.note(
                        f"{self.robots.origin(url)}/robots.txt asks for {_seconds(delay)} between requests; "
                        f"waiting {self.max_wait:g} s instead (the most this fetcher waits)"
                    )
                interval = max(interval, min(delay, self.max_wait))
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + interval
        if slot > now:
            self._sleep(slot - now)

    def _load_robots(self, robots_url: str) -> RobotsAnswer:
        """Fetch robots.txt with our own client and rules (no redirects off-host, size cap)."""
        current = robots_url
        for _hop in range(self.max_redirects + 1):
            try:
                self.check_url(current)
                resp = self._request(current, robots_url, expect_html=False)
            except FetchError as exc:
                status = _status_in(exc.problem)
                # 429 is a server asking us to slow down, not a missing file: like 5xx,
                # the host cannot tell us its rules, so nothing is fetched from it.
                if status is not None and 400 <= status < 500 and status != 429:
                    return RobotsAnswer(status)
                return RobotsAnswer(None, problem=exc.problem)
            if resp.status in REDIRECT_STATUSES and resp.headers.get("location"):
                target = _location(current, resp)
                if target is None:
                    return RobotsAnswer(None, problem="redirect to a malformed Location")
                current = target
                continue
            return RobotsAnswer(resp.status, resp.data.decode("utf-8", errors="replace"))
        return RobotsAnswer(None, problem="too many redirects")


def _location(current: str, resp: _Response) -> str | None:
    """Where a redirect points, resolved against the URL asked for; None when it is unusable."""
    location = (resp.headers.get("location") or "").strip()
    if not location:
        return None
    try:
        return without_fragment(urljoin(current, location))
    except ValueError:  # "http://[::1" and the like
        return None


def retry_after_seconds(value: str) -> float | None:
    """A Retry-After value in seconds from now: ASCII delta-seconds or an HTTP date
    (a past date is 0); None when it is neither. May be ``math.inf``."""
    seconds = ascii_seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except OverflowError:
        return math.inf


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value < 1e15 else "more than 10^15 s"


def _status_in(problem: str) -> int | None:
    if problem.startswith("HTTP "):
        return ascii_int(problem.split()[1]) if len(problem.split()) > 1 else None
    return None
