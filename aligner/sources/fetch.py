"""The polite fetcher, and the fetch job that turns English-edition URLs into cached pairs.

Politeness is not optional here: the pages belong to a newspaper, and a corpus run may
ask for thousands of them. So every request goes through one ``Fetcher`` that

* waits its turn per host (about one request a second by default, longer if robots.txt
  sets a Crawl-delay), and honours robots.txt for our user agent;
* sends a user agent that says what we are;
* fetches only http/https URLs on the allowed hosts, and follows redirects itself, one
  hop at a time, so a redirect can never lead it off those hosts (nor round in a loop);
* retries what may pass (429 with its Retry-After, 5xx, timeouts, dropped connections)
  with exponential backoff, and gives up at once on what will not (404, wrong type);
* streams bodies and stops at a size cap that counts decoded bytes (gzip and deflate are
  undone here, a bounded piece at a time, so a small compressed "bomb" stops at the cap
  instead of filling memory), gives a body a total time limit (a server that trickles a
  byte at a time cannot hold a run for ever), and notices truncated bodies;
* never asks twice: pages already in the cache are served from it, and ``offline``
  uses the cache alone.

``fetch_articles`` is the job: for each English article, fetch it, parse it, follow its
"original Korean article" link, fetch that, keep both raw pages in the corpus folder's
cache and append the pair to the manifest ``pairs.jsonl``. One bad item is reported
with a one-line reason and skipped; an interrupted run picks up where it stopped.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from aligner import __version__
from aligner.errors import AlignerError, FetchError, InputError, LanguageError
from aligner.sources.cache import PageCache
from aligner.sources.decode import decode_html
from aligner.sources.robots import RobotsAnswer, RobotsCache
from aligner.text.langcheck import check_language

DEFAULT_HOSTS: frozenset[str] = frozenset({"english.hani.co.kr", "www.hani.co.kr", "hani.co.kr"})
DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT_TOKEN = "aligner"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MANIFEST_NAME = "pairs.jsonl"
FAILURES_NAME = "fetch-failures.jsonl"
ENGLISH_LAYOUT = "hani-en"
#: Longer URLs are refused before any request: no article URL is near this, and httpx
#: itself stops at 64 kB with an error of its own.
MAX_URL_CHARS = 4096
#: Most bytes one decompression step may return: a compressed body expands to the size
#: cap piece by piece, never in one go.
DECODE_PIECE = 64 * 1024


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


class Fetcher:
    """A polite HTTP client with a page cache (see the module notes for the rules).

    ``rate`` is requests per second per host (0 means no limit: tests only). ``retries``
    is how many more tries a transient failure gets; waits grow as ``backoff * 2**n``
    (capped at ``max_wait``), and a Retry-After longer than ``max_wait`` makes it give up.
    ``timeout`` bounds each wait for the server; ``max_seconds`` bounds a whole response,
    body included (checked as the body arrives, so it may overrun by one ``timeout``).
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
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._client: httpx.Client | None = None
        self._trust_env = trust_env
        self.robots = RobotsCache(self._load_robots, USER_AGENT_TOKEN)
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
                    "Accept-Encoding": "gzip, deflate",  # the two this module decodes itself
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

    # -- checks -------------------------------------------------------------------

    def check_url(self, url: str, item: str | None = None) -> None:
        """Refuse non-http(s) URLs and hosts outside the allowed set (before any request)."""
        if len(url) > MAX_URL_CHARS:
            raise FetchError(item or url[:200] + "...", f"URL is {len(url)} characters long (more than {MAX_URL_CHARS})")
        if any(ord(c) < 32 or ord(c) == 127 for c in url):
            raise FetchError(item or repr(url), "control character in the URL")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as exc:
            raise FetchError(item or url, f"malformed URL ({exc})") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(item or url, f"only http and https URLs are fetched, not {parts.scheme or 'a bare path'!r}")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise FetchError(item or url, "no host in the URL")
        if parts.username or parts.password:
            raise FetchError(item or url, "user info in the URL")
        if not self.host_allowed(host, parts.port or DEFAULT_PORTS[parts.scheme.lower()]):
            allowed = ", ".join(sorted(self.allowed_hosts or ()))
            raise FetchError(item or url, f"host {host_key(host, parts.port)} is not one of the allowed hosts ({allowed})")

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
        url = urldefrag(url.strip())[0]
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
                raise FetchError(url, self.robots.rules(current).why_not(current))
            resp = self._request(current, url, expect_html)
            if resp.status not in REDIRECT_STATUSES:
                ctype = resp.headers.get("content-type")
                return FetchResult(url, current, resp.status, resp.data, False, ctype, chain)
            location = resp.headers.get("location")
            if not location:
                raise FetchError(url, f"HTTP {resp.status} redirect without a Location header")
            target = urldefrag(urljoin(current, location.strip()))[0]
            if target in seen:
                raise FetchError(url, f"redirect loop ({' -> '.join(chain + [target])})")
            if len(chain) >= self.max_redirects:
                raise FetchError(url, f"more than {self.max_redirects} redirects")
            try:
                self.check_url(target)
            except FetchError as exc:
                raise FetchError(url, f"redirects to {target}: {exc.problem}") from None
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
                raise FetchError(item, f"{last_problem}; the server asks to wait {delay:.0f} s (more than {self.max_wait:.0f} s)")
            self._sleep(max(0.0, delay))
        tries = self.retries + 1
        raise FetchError(item, f"{last_problem} (gave up after {tries} {'try' if tries == 1 else 'tries'})")

    def _send(self, url: str, item: str, expect_html: bool) -> _Response:
        self._wait_turn(url)
        self.requests += 1
        started = time.monotonic()
        try:
            with self.client.stream("GET", url) as resp:
                status = resp.status_code
                if status in RETRY_STATUSES or 500 <= status < 600:
                    raise _Retry(f"HTTP {status} {resp.reason_phrase}".rstrip(), _retry_after(resp.headers))
                if status in REDIRECT_STATUSES:
                    return _Response(status, resp.headers, b"")
                if status >= 400:
                    raise FetchError(item, f"HTTP {status} {resp.reason_phrase}".rstrip() + _at(url, item))
                if not 200 <= status < 300:
                    raise FetchError(item, f"unexpected HTTP {status}" + _at(url, item))
                ctype = resp.headers.get("content-type", "")
                mime = ctype.split(";")[0].strip().lower()
                if expect_html and mime and mime not in HTML_TYPES:
                    raise FetchError(item, f"not an HTML page (Content-Type {mime})" + _at(url, item))
                declared = _content_length(resp.headers)
                if declared is not None and declared > self.max_bytes:
                    raise FetchError(item, f"page is {declared} bytes, over the {self.max_bytes}-byte cap" + _at(url, item))
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
            raise _Retry(f"protocol error ({text})") from None
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({exc.__class__.__name__}: {exc})".replace(": )", ")")) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # not worth retrying
            raise FetchError(item, f"{exc.__class__.__name__}: {exc}") from None

    def _read_body(self, resp: httpx.Response, url: str, item: str, started: float) -> bytes:
        """The decoded body, refused once it passes the size cap (raw or decoded) or the time limit."""
        decoder = _BodyDecoder(resp.headers.get_list("content-encoding", split_commas=True), item, url)
        chunks: list[bytes] = []
        raw = size = 0
        for chunk in resp.iter_raw():
            raw += len(chunk)
            for piece in decoder.feed(chunk):
                size += len(piece)
                if size > self.max_bytes:
                    how = f" (decoded from {decoder.names} after {raw} bytes)" if decoder.layers else ""
                    raise FetchError(item, f"page is over the {self.max_bytes}-byte cap{how}" + _at(url, item))
                chunks.append(piece)
            if raw > self.max_bytes:
                raise FetchError(item, f"compressed page is over the {self.max_bytes}-byte cap" + _at(url, item))
            if time.monotonic() - started > self.max_seconds:
                raise FetchError(item, f"page still arriving after {self.max_seconds:g} s ({size} bytes so far); "
                                       "gave up" + _at(url, item))
        decoder.finish()
        return b"".join(chunks)

    # -- politeness -----------------------------------------------------------------

    def _wait_turn(self, url: str) -> None:
        """Sleep until this host's next request slot (per host; robots.txt Crawl-delay wins)."""
        host = urlsplit(url).netloc.lower()
        interval = 1.0 / self.rate if self.rate and self.rate > 0 else 0.0
        if self.respect_robots and not url.endswith("/robots.txt"):
            delay = self.robots.crawl_delay(url)
            if delay is not None:
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
                current = urljoin(current, resp.headers["location"])
                continue
            return RobotsAnswer(resp.status, resp.data.decode("utf-8", errors="replace"))
        return RobotsAnswer(None, problem="too many redirects")


class _Retry(Exception):
    """A failure that may pass: try again after ``wait`` seconds (None: use the backoff)."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.wait = wait


class _Inflater:
    """One gzip or deflate layer, undone at most DECODE_PIECE bytes per step."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._z: zlib._Decompress | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            if not data:
                return
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            wbits = 16 + zlib.MAX_WBITS if self.name == "gzip" else (zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
            self._z = zlib.decompressobj(wbits)
        while data and not self._z.eof:  # bytes after the end of the stream are ignored, as browsers do
            out = self._z.decompress(data, DECODE_PIECE)
            if out:
                yield out
            data = self._z.unconsumed_tail
        while not self._z.eof:  # what zlib still holds back after the input ran out
            out = self._z.decompress(b"", DECODE_PIECE)
            if not out:
                break
            yield out

    def complete(self) -> bool:
        return self._z is not None and self._z.eof


class _BodyDecoder:
    """Undo a response's Content-Encoding layers (last applied, first undone) with bounded output.

    httpx would undo them too, but a whole network chunk at a time: 64 kB of gzip can
    become 64 MB in one call, and two gzip layers 64 GB, before any size check runs.
    """

    def __init__(self, encodings: list[str], item: str, url: str) -> None:
        names = [e.strip().lower() for e in encodings if e.strip() and e.strip().lower() != "identity"]
        unknown = [n for n in names if n not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise FetchError(item, f"unsupported Content-Encoding {', '.join(unknown)}" + _at(url, item))
        self.layers = [_Inflater("gzip" if n == "x-gzip" else n) for n in reversed(names)]
        self.names = ", ".join(names)
        self._item, self._url = item, url

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._through(0, data)
        except zlib.error as exc:
            raise FetchError(self._item, f"{self.names} body cannot be decoded ({exc})" + _at(self._url, self._item)) from None

    def _through(self, layer: int, data: bytes) -> Iterator[bytes]:
        if layer == len(self.layers):
            yield data
            return
        for piece in self.layers[layer].feed(data):
            yield from self._through(layer + 1, piece)

    def finish(self) -> None:
        """A compressed stream that stopped before its end is a truncated body."""
        if any(not layer.complete() for layer in self.layers):
            raise _Retry(f"truncated body ({self.names} stream ends early)")


def _at(url: str, item: str) -> str:
    return "" if url == item else f" at {url}"


def _status_in(problem: str) -> int | None:
    if problem.startswith("HTTP "):
        try:
            return int(problem.split()[1])
        except (IndexError, ValueError):
            return None
    return None


def _content_length(headers: httpx.Headers) -> int | None:
    try:
        value = int(headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None when absent."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


# -- the manifest -------------------------------------------------------------------------


@dataclass
class ManifestEntry:
    """One line of ``pairs.jsonl``: an English article and its Korean original.

    ``how`` says how the pair was found: "link" (the English page's original-article
    link), "content" (``aligner pair``), or "manual".
    """

    en_url: str
    ko_url: str
    how: str = "link"
    en_final_url: str | None = None
    ko_final_url: str | None = None
    en_title: str | None = None
    ko_title: str | None = None
    score: float | None = None
    fetched: str | None = None  # when the pair was recorded (UTC, ISO 8601)


def manifest_path(corpus_dir: str | Path) -> Path:
    return Path(corpus_dir) / MANIFEST_NAME


def read_manifest(corpus_dir: str | Path) -> list[ManifestEntry]:
    """The pairs recorded in a corpus folder, one per English URL (a later line wins).

    A torn last line (a run killed mid-write) and unknown keys are ignored.
    """
    path = manifest_path(corpus_dir)
    if not path.is_file():
        return []
    known = set(ManifestEntry.__dataclass_fields__)
    entries: dict[str, ManifestEntry] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or not record.get("en_url") or not record.get("ko_url"):
                continue
            entry = ManifestEntry(**{k: v for k, v in record.items() if k in known})
            entries.pop(entry.en_url, None)  # keep file order of the latest record
            entries[entry.en_url] = entry
    return list(entries.values())


def append_jsonl(path: Path, record: dict) -> None:
    """Append one JSON line and fsync it, so a killed run keeps every finished item."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    if _ends_mid_line(path):
        line = "\n" + line  # a torn last line from a killed run must not swallow this one
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def _ends_mid_line(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except FileNotFoundError:
        return False


def record_pair(corpus_dir: str | Path, entry: ManifestEntry) -> None:
    """Add (or supersede) a pair in the corpus folder's manifest."""
    if entry.fetched is None:
        entry.fetched = datetime.now(timezone.utc).isoformat(timespec="seconds")
    append_jsonl(manifest_path(corpus_dir), {k: v for k, v in asdict(entry).items() if v is not None})


# -- the fetch job -------------------------------------------------------------------------


@dataclass
class ItemOutcome:
    """What happened to one English URL: "paired", "done" (already paired before), "failed"."""

    en_url: str
    status: str
    ko_url: str | None = None
    reason: str = ""
    requests: int = 0


@dataclass
class FetchReport:
    """The fetch job's outcome per item, with the manifest it wrote."""

    items: list[ItemOutcome]
    manifest: Path
    requests: int = 0
    seconds: float = 0.0
    listing_problems: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        return {
            "paired": self.count("paired"),
            "already_done": self.count("done"),
            "failed": self.count("failed"),
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "manifest": str(self.manifest),
            "items": [asdict(i) for i in self.items],
            "listing_problems": list(self.listing_problems),
        }


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
_PORT_THEN_PATH = re.compile(r"\d+(?:[/?#]|$)")


def normalize_url(url: str, default_scheme: str = "https") -> str:
    """Trim, drop the #fragment, and add a scheme to "english.hani.co.kr/..." forms.

    A URL that already has a scheme keeps it, with or without "//" ("javascript:...",
    "mailto:..."), so the fetcher refuses it for its scheme; "localhost:8000/..." is a
    host and port, not a scheme.
    """
    url = url.strip()
    if url and "://" not in url and not url.startswith("/") and not _has_scheme(url):
        url = f"{default_scheme}://{url}"
    return urldefrag(url)[0]


def _has_scheme(url: str) -> bool:
    m = _SCHEME.match(url)
    return bool(m) and not _PORT_THEN_PATH.match(m.group(2))


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


def fetch_articles(
    urls: Iterable[str],
    cache: PageCache | str | Path,
    *,
    fetcher: Fetcher | None = None,
    offline: bool = False,
    progress: Callable[[ItemOutcome], None] | None = None,
    **fetcher_options,
) -> FetchReport:
    """Fetch each English article and its Korean original into the cache; record the pairs.

    ``cache`` is the corpus folder's PageCache (or the folder). An item already in the
    manifest with both pages cached is skipped without any request; any other item uses
    the cached pages it has and fetches the rest, so an interrupted run resumes. A page
    is stored only once it parsed as what it should be, so the cache never holds junk
    that ``aligner run`` would trip over.
    """
    cache = cache if isinstance(cache, PageCache) else PageCache(cache)
    own = fetcher is None
    fetcher = fetcher or Fetcher(cache, offline=offline, **fetcher_options)
    started = time.perf_counter()
    done = {e.en_url: e for e in read_manifest(cache.root)}
    items: list[ItemOutcome] = []
    try:
        for url in _unique(normalize_url(u) for u in urls if u and u.strip()):
            before = fetcher.requests
            outcome = _fetch_one(url, cache, fetcher, done)
            outcome.requests = fetcher.requests - before
            if outcome.status == "failed":
                append_jsonl(
                    cache.root / FAILURES_NAME,
                    {"en_url": url, "ko_url": outcome.ko_url, "reason": outcome.reason,
                     "when": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                )
            items.append(outcome)
            if progress:
                progress(outcome)
    finally:
        if own:
            fetcher.close()
    return FetchReport(items, manifest_path(cache.root), fetcher.requests, time.perf_counter() - started)


def _unique(urls: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for u in urls:
        if u not in seen:
            seen.add(u)
            yield u


def _fetch_one(url: str, cache: PageCache, fetcher: Fetcher, done: dict[str, ManifestEntry]) -> ItemOutcome:
    """One English URL; never raises for a bad item, says what went wrong instead."""
    from aligner.sources import parse_page

    entry = done.get(url)
    try:
        if entry is not None and cache.has(url) and cache.has(entry.ko_url):
            return ItemOutcome(url, "done", entry.ko_url)
    except InputError:
        pass
    ko_url: str | None = None
    try:
        en_page = fetcher.fetch(url, store=False)
        try:
            en = parse_page(en_page.data, url)
        except AlignerError as exc:
            return ItemOutcome(url, "failed", reason=f"not an article page: {exc.problem}")
        if en.lang != "en" or (en.layout != ENGLISH_LAYOUT and not en.original_url):
            return ItemOutcome(url, "failed", reason=f"not an English-edition article (read as a {en.layout} page, "
                                                     f"language {en.lang})")
        try:
            check_language(en.text, "en", url)  # the layout says English; the text may not
        except LanguageError as exc:
            return ItemOutcome(url, "failed", reason=exc.problem)
        if not en_page.from_cache:
            cache.put(url, en_page.data)
        if not en.original_url:
            return ItemOutcome(url, "failed", reason="no link to the Korean original on the page")
        ko_url = normalize_url(en.original_url)
        if ko_url.split("://", 1)[-1] == url.split("://", 1)[-1]:
            return ItemOutcome(url, "failed", ko_url, "the original-article link points back at this page")
        try:
            ko_page = fetcher.fetch(ko_url, store=False)
        except FetchError as exc:
            return ItemOutcome(url, "failed", ko_url, f"Korean original: {exc}")
        try:
            ko = parse_page(ko_page.data, ko_url)
        except AlignerError as exc:
            return ItemOutcome(url, "failed", ko_url, f"Korean original {ko_url}: {exc.problem}")
        if ko.lang != "ko":
            return ItemOutcome(url, "failed", ko_url, f"Korean original {ko_url} is not a Korean article (read as {ko.layout})")
        try:
            check_language(ko.text, "ko", ko_url)
        except LanguageError as exc:
            return ItemOutcome(url, "failed", ko_url, f"Korean original {ko_url}: {exc.problem}")
        if not ko_page.from_cache:
            cache.put(ko_url, ko_page.data)
        record_pair(
            cache.root,
            ManifestEntry(
                en_url=url, ko_url=ko_url, how="link",
                en_final_url=en_page.final_url if en_page.final_url != url else None,
                ko_final_url=ko_page.final_url if ko_page.final_url != ko_url else None,
                en_title=en.title or None, ko_title=ko.title or None,
            ),
        )
        return ItemOutcome(url, "paired", ko_url)
    except FetchError as exc:
        reason = exc.problem if exc.item == url else str(exc)
        return ItemOutcome(url, "failed", ko_url, reason)
    except AlignerError as exc:
        return ItemOutcome(url, "failed", ko_url, str(exc))


# -- the command ---------------------------------------------------------------------------


def fetch_command(
    corpus_dir: str | Path,
    urls: Iterable[str] = (),
    *,
    from_file: str | Path | None = None,
    section: str | None = None,
    limit: int | None = None,
    ids: str | None = None,
    id_section: str | None = None,
    id_template: str | None = None,
    offline: bool = False,
    rate: float = 1.0,
    allow_hosts: Iterable[str] = (),
    progress: Callable[[ItemOutcome], None] | None = None,
    fetcher: Fetcher | None = None,
    **fetcher_options,
) -> FetchReport:
    """``aligner fetch``: gather English URLs (arguments, ``from_file``, an ``ids`` range
    "A-B", then a ``section`` list page), take the first ``limit`` of them all, then fetch
    and pair them into ``corpus_dir`` (pages under ``corpus_dir/pages``, pairs in
    ``corpus_dir/pairs.jsonl``). ``allow_hosts`` ("HOST" or "HOST:PORT") are fetched from
    as well as the allowed hosts (by default the Hankyoreh ones).

    Raises an AlignerError (one line) when there is nothing to fetch or the section page
    itself cannot be read; problems with single articles are in the report instead.
    """
    from aligner.sources.listing import ID_TEMPLATE, collect_urls, list_section

    if limit is not None and limit < 1:
        raise InputError(f"limit {limit}", "must be 1 or more")
    root = Path(corpus_dir)
    if root.exists() and not root.is_dir():
        raise InputError(str(root), "not a folder")
    root.mkdir(parents=True, exist_ok=True)
    cache = PageCache(root)
    hosts = fetcher_options.pop("allowed_hosts", DEFAULT_HOSTS)
    hosts = None if hosts is None else {*hosts, *allow_hosts}  # None: any host (tests)
    own = fetcher is None
    fetcher = fetcher or Fetcher(cache, rate=rate, offline=offline, allowed_hosts=hosts, **fetcher_options)
    try:
        given = collect_urls(urls, from_file=from_file, ids=ids, id_section=id_section,
                             id_template=id_template or ID_TEMPLATE)
        wanted = list(_unique(normalize_url(u) for u in given))  # so --limit counts distinct articles
        problems: list[str] = []
        if section and fetcher.offline:
            raise FetchError(section, "a section list cannot be read offline (list pages are not cached)")
        if section and (limit is None or len(wanted) < limit):
            listing = list_section(fetcher, normalize_url(section), limit=limit)
            wanted += [u for u in listing.urls if u not in wanted]
            problems = listing.problems
        wanted = wanted[:limit]
        if not wanted:
            raise InputError(None, "no article URLs to fetch (give URLs, --from-file, --section or --ids)")
        report = fetch_articles(wanted, cache, fetcher=fetcher, progress=progress)
        report.listing_problems = problems
        return report
    finally:
        if own:
            fetcher.close()
