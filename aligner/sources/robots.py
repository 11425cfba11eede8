"""robots.txt, read once per host and obeyed.

``urllib.robotparser`` does the parsing; the file itself is fetched by the caller (the
fetcher's own client, with its rate limit and user agent), because robotparser's own
``read()`` would go around both. What an unreadable robots.txt means follows RFC 9309:
a 4xx answer means there are no rules (everything allowed), a 5xx or 429 answer (after
the fetcher's retries) or no answer at all means the site cannot tell us, so nothing is
fetched from it this run: a server that is throttling us must not be crawled at full
speed. Like Python's robotparser, and more cautious than RFC 9309, 401 and 403 are read
as "keep out".

The file is the server's and is read as untrusted: robotparser itself raises on
``Crawl-delay: ²`` (``isdigit()`` is true, ``int()`` refuses), on ``Request-rate: 1/²``
and on an Allow/Disallow path it cannot split (``//[x``). So each such line is checked
first: a Crawl-delay or Request-rate that is not ASCII digits (a sign, ``nan``, ``inf``,
``²``, a number of 16 digits or more) is ignored, as a polite crawler ignores what it
cannot read, and the fetcher's own spacing applies; a Crawl-delay with a decimal part
("2.5") is rounded up to the whole seconds robotparser keeps; a path that does not parse
is left out. Each ignored line is one note naming robots.txt and its line number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse, urlsplit
from urllib.robotparser import RobotFileParser

from aligner.sources.digits import ascii_int, ascii_seconds

#: Longest Crawl-delay kept, in seconds (a day); the fetcher caps it further at its ``max_wait``.
MAX_DIRECTIVE_SECONDS = 86_400


@dataclass
class RobotsAnswer:
    """What fetching robots.txt gave: the status (None when unreachable) and the text."""

    status: int | None
    text: str = ""
    problem: str = ""  # why it was unreachable, for the error message


def checked_lines(text: str, where: str = "robots.txt") -> tuple[list[str], list[str]]:
    """The lines of a robots.txt that robotparser can take, and one note per line left
    out or changed (see the module notes)."""
    lines: list[str] = []
    notes: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        key, colon, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon:
            lines.append(line)
            continue
        if key == "crawl-delay":
            seconds = ascii_seconds(value)
            if seconds is None:
                notes.append(
                    f"{where} line {number}: Crawl-delay {value[:80]!r} is not a number of seconds; "
                    "ignored (the default spacing applies)"
                )
                continue
            whole = MAX_DIRECTIVE_SECONDS if seconds > MAX_DIRECTIVE_SECONDS else math.ceil(seconds)
            line = f"Crawl-delay: {whole}"
        elif key == "request-rate":
            requests, slash, period = value.partition("/")
            count, seconds_per = ascii_int(requests), ascii_int(period)
            if not slash or count is None or seconds_per is None:
                notes.append(
                    f"{where} line {number}: Request-rate {value[:80]!r} is not REQUESTS/SECONDS in "
                    "digits; ignored (the default spacing applies)"
                )
                continue
            line = f"Request-rate: {count}/{min(seconds_per, MAX_DIRECTIVE_SECONDS)}"
        elif key in ("allow", "disallow"):
            try:
                urlparse(value)
            except ValueError:
                notes.append(f"{where} line {number}: {key.capitalize()} path {value[:80]!r} does not parse; left out")
                continue
        lines.append(line)
    return lines, notes


class RobotsRules:
    """The rules of one host; ``notes`` has a line for each directive ignored."""

    def __init__(self, answer: RobotsAnswer, where: str = "robots.txt") -> None:
        self.answer = answer
        self.notes: list[str] = []
        self._parser = RobotFileParser()
        status = answer.status
        if status is not None and 200 <= status < 300:
            lines, self.notes = checked_lines(answer.text, where)
            try:
                self._parser.parse(lines)
            except Exception as exc:  # noqa: BLE001 - robotparser's own bugs must not stop a fetch
                self.answer = RobotsAnswer(None, problem=f"robots.txt does not parse ({type(exc).__name__})")
                self.mode = "unreachable"
                return
            self.mode = "rules"
        elif status in (401, 403):
            self.mode = "deny"
        elif status is not None and 400 <= status < 500 and status != 429:
            self.mode = "allow"
        else:
            self.mode = "unreachable"

    def allowed(self, user_agent: str, url: str) -> bool:
        if self.mode == "allow":
            return True
        if self.mode in ("deny", "unreachable"):
            return False
        return self._parser.can_fetch(user_agent, url)

    def crawl_delay(self, user_agent: str) -> float | None:
        """The host's Crawl-delay (or Request-rate) for us, in seconds, when it sets one."""
        if self.mode != "rules":
            return None
        delay = self._parser.crawl_delay(user_agent)
        if delay is not None:
            return float(min(int(delay), MAX_DIRECTIVE_SECONDS))  # checked_lines wrote it
        rate = self._parser.request_rate(user_agent)
        if rate is not None and rate.requests:
            return min(rate.seconds, MAX_DIRECTIVE_SECONDS) / rate.requests
        return None

    def why_not(self, url: str) -> str:
        """One line saying why ``url`` may not be fetched."""
        if self.mode == "deny":
            return f"robots.txt answered HTTP {self.answer.status}: the site asks crawlers to keep out"
        if self.mode == "unreachable":
            problem = self.answer.problem or (f"HTTP {self.answer.status}" if self.answer.status else "")
            why = f" ({problem})" if problem else ""
            return f"robots.txt could not be read{why}; not fetching from this host"
        return f"robots.txt disallows {urlsplit(url).path or '/'}"


class RobotsCache:
    """robots.txt rules per scheme://host:port, each fetched once with ``load``."""

    def __init__(
        self, load: Callable[[str], RobotsAnswer], user_agent: str, note: Callable[[str], None] | None = None
    ) -> None:
        self._load = load
        self.user_agent = user_agent
        self._note = note
        self._rules: dict[str, RobotsRules] = {}

    @staticmethod
    def origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc.lower()}"

    def rules(self, url: str) -> RobotsRules:
        origin = self.origin(url)
        if origin not in self._rules:
            robots_url = origin + "/robots.txt"
            rules = self._rules[origin] = RobotsRules(self._load(robots_url), robots_url)
            for line in rules.notes:
                if self._note is not None:
                    self._note(line)
        return self._rules[origin]

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(self.user_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        return self.rules(url).crawl_delay(self.user_agent)
