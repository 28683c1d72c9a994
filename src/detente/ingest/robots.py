"""Politeness for the fetcher: robots.txt per site, and a pause between requests to a host.

robots.txt is read once per origin (scheme, host and port, as RFC 9309 scopes it)
through the fetcher's own guarded client, and its answer is cached for the run:

- 2xx: the rules apply (parsed by :mod:`urllib.robotparser`);
- 4xx (no robots.txt): everything is allowed;
- 5xx, or the site cannot be reached: nothing is allowed (RFC 9309, section 2.3.1.4).

A ``Crawl-delay`` line for detente (or ``*``) lengthens the pause between requests to
that host, up to a cap.
"""

from __future__ import annotations

import logging
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

__all__ = ["AGENT_TOKEN", "HostPacer", "RobotsAnswer", "RobotsCache", "origin_of"]

# The product token robots.txt groups are matched against (``User-agent: detente``).
AGENT_TOKEN = "detente"


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching a robots.txt gave: an HTTP status and its text, or no answer."""

    status: int | None  # None: the site could not be reached
    text: str = ""
    error: str = ""  # why it could not be reached


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased: the scope of one robots.txt."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rpartition('@')[2]}"


class RobotsCache:
    """Asks each origin's robots.txt (once) whether detente may fetch a URL."""

    def __init__(self, fetch: Callable[[str], RobotsAnswer], agent: str = AGENT_TOKEN) -> None:
        self._fetch = fetch
        self._agent = agent
        self._parsers: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._answers: dict[str, RobotsAnswer] = {}

    def allowed(self, url: str) -> bool:
        return self._parser(url).can_fetch(self._agent, url)

    def why_not(self, url: str) -> str:
        """Why ``url`` is not allowed, in words (after ``allowed`` said so)."""
        origin = origin_of(url)
        answer = self._answers.get(origin, RobotsAnswer(200))
        if answer.status is None:
            return (f"robots.txt of {origin} could not be read ({answer.error}), so nothing "
                    "there is fetched (RFC 9309)")
        if answer.status >= 500:
            return (f"robots.txt of {origin} answered HTTP {answer.status}, so nothing there "
                    "is fetched (RFC 9309)")
        return f"robots.txt of {origin} disallows it for {self._agent}"

    def crawl_delay(self, url: str) -> float | None:
        """The site's ``Crawl-delay`` for detente in seconds, if it sets one."""
        delay = self._parser(url).crawl_delay(self._agent)
        return float(delay) if delay is not None else None

    def _parser(self, url: str) -> urllib.robotparser.RobotFileParser:
        origin = origin_of(url)
        parser = self._parsers.get(origin)
        if parser is None:
            answer = self._answers[origin] = self._fetch(origin + "/robots.txt")
            parser = self._parsers[origin] = _parse(answer)
            logger.debug("robots.txt of %s read", origin)
        return parser


def _parse(answer: RobotsAnswer) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    if answer.status is None or answer.status >= 500:
        parser.disallow_all = True  # type: ignore[attr-defined]
    elif 200 <= answer.status < 300:
        parser.parse(answer.text.splitlines())
    else:
        parser.allow_all = True  # type: ignore[attr-defined]
    return parser


class HostPacer:
    """Waits so that two requests to one host are at least ``delay_s`` apart."""

    def __init__(
        self,
        delay_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay_s = delay_s
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str, delay_s: float | None = None) -> None:
        """Pause until ``host`` may be asked again (``delay_s`` overrides the default)."""
        delay = self.delay_s if delay_s is None else delay_s
        host = host.lower()
        last = self._last.get(host)
        if last is not None:
            pause = last + delay - self._clock()
            if pause > 0:
                self._sleep(pause)
        self._last[host] = self._clock()
