"""robots.txt, read once per host and obeyed.

``urllib.robotparser`` does the parsing; the file itself is fetched by the caller (the
fetcher's own client, with its rate limit and user agent), because robotparser's own
``read()`` would go around both. What an unreadable robots.txt means follows RFC 9309:
a 4xx answer means there are no rules (everything allowed), a 5xx or 429 answer (after
the fetcher's retries) or no answer at all means the site cannot tell us, so nothing is
fetched from it this run: a server that is throttling us must not be crawled at full
speed. Like Python's robotparser, and more cautious than RFC 9309, 401 and 403 are read
as "keep out".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser


@dataclass
class RobotsAnswer:
    """What fetching robots.txt gave: the status (None when unreachable) and the text."""

    status: int | None
    text: str = ""
    problem: str = ""  # why it was unreachable, for the error message


class RobotsRules:
    """The rules of one host."""

    def __init__(self, answer: RobotsAnswer) -> None:
        self.answer = answer
        self._parser = RobotFileParser()
        status = answer.status
        if status is not None and 200 <= status < 300:
            self._parser.parse(answer.text.splitlines())
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
            try:
                return float(delay)
            except (TypeError, ValueError):
                return None
        rate = self._parser.request_rate(user_agent)
        if rate is not None and rate.requests:
            return rate.seconds / rate.requests
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

    def __init__(self, load: Callable[[str], RobotsAnswer], user_agent: str) -> None:
        self._load = load
        self.user_agent = user_agent
        self._rules: dict[str, RobotsRules] = {}

    @staticmethod
    def origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc.lower()}"

    def rules(self, url: str) -> RobotsRules:
        origin = self.origin(url)
        if origin not in self._rules:
            self._rules[origin] = RobotsRules(self._load(origin + "/robots.txt"))
        return self._rules[origin]

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(self.user_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        return self.rules(url).crawl_delay(self.user_agent)
