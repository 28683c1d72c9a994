"""Adapters between the pages and ``detente.analysis`` (alerts, movers, day, digest).

The analysis functions take a ``Database``; these adapters hand them the app's
read-only store and turn what they return into plain records for the templates and
the API. Their results are kept per store state (the latest article and event ids), so
a page asked again while nothing was added is not computed again. The codebook's
office-holders are read here too.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from ..store.pages import Record
from .stores import Store

logger = logging.getLogger(__name__)

T = TypeVar("T")
_MEMO: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_MEMO_LOCK = threading.Lock()
MEMO_SIZE = 256


def _memo(store: Store, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, remembered while the store holds the same articles and events."""
    full = (str(store.path), store.stamp(), *key)
    with _MEMO_LOCK:
        if full in _MEMO:
            _MEMO.move_to_end(full)
            found: T = _MEMO[full]
            return found
    value = compute()
    with _MEMO_LOCK:
        _MEMO[full] = value
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return value


def _dicts(items: Any) -> list[Record]:
    return [item.to_dict() for item in items]


def alerts(store: Store, since: str, until: str, by: str = "week") -> list[Record]:
    """Alerts whose period lies between two dates, strongest first, with their evidence."""
    from ..analysis.alerts import alerts as find

    return _memo(store, ("alerts", since, until, by),
                 lambda: _dicts(find(store.database(), since=since, until=until, by=by)))


def movers(store: Store, period: str, by: str = "week", limit: int = 10) -> list[Record]:
    """Dyads whose escalation index changed most into ``period``."""
    from ..analysis.alerts import movers as find

    return _memo(store, ("movers", period, by, limit),
                 lambda: _dicts(find(store.database(), period, by=by, limit=limit)))


def busiest(store: Store, since: str, until: str, limit: int = 10) -> list[Record]:
    """Coded dyads with the most independent stories between two dates."""
    from ..analysis.alerts import busiest as find

    return _memo(store, ("busiest", since, until, limit),
                 lambda: _dicts(find(store.database(), since, until, limit)))


def _panel(store: Store, by: str, factual: bool) -> Any:
    """Every coded dyad's series and scores (``detente.analysis.panel``), once per store state."""
    from ..analysis.series import panel

    return _memo(store, ("panel", by, factual), lambda: panel(store.database(), by=by, factual=factual))


def dyad_scores(store: Store, actor: str, recipient: str, by: str, factual: bool) -> dict[str, Record]:
    """Per period label of one dyad: its escalation index, baseline, score and alert.

    A coded dyad's rows come from the corpus-wide panel (what ``alerts`` scores, so the
    chart marks exactly the alerts the home page lists), computed once for all dyads; a
    wildcard dyad (``*``) has its own series (``trends``).
    """
    from ..analysis.alerts import alert_rows
    from ..analysis.series import trends

    def compute() -> dict[str, Record]:
        if "*" in (actor, recipient):
            frame = trends(store.database(), None if actor == "*" else actor,
                           None if recipient == "*" else recipient, by=by, factual=factual)
        else:
            every = _panel(store, by, factual)
            frame = every[(every["actor"] == actor) & (every["recipient"] == recipient)]
        if frame.empty:
            return {}
        directions = {str(row.period): "escalation" if row.z > 0 else "de-escalation"
                      for row in alert_rows(frame).itertuples(index=False)}
        return {
            str(row.period): {"index": _number(row.index), "baseline": _number(row.baseline),
                              "z": _number(row.z), "alert": directions.get(str(row.period))}
            for row in frame.itertuples(index=False)
        }

    return _memo(store, ("dyad", actor, recipient, by, factual), compute)


def warm(store: Store, tasks: list[Callable[[], Any]]) -> None:
    """Compute ahead what the first visitors ask for (the home page, the latest digest)."""
    def weekly_panel() -> Any:
        return _panel(store, "week", True)

    for task in [*tasks, weekly_panel]:
        try:
            task()
        except Exception:  # a warm-up only: the page itself will report the problem
            logger.exception("warming the web app's analyses failed")


def _number(value: Any) -> float | None:
    number = float(value)
    return None if number != number else round(number, 3)  # NaN: no score yet


def day(store: Store, when: str) -> Record:
    """The daily archive of ``when``: stories (with their copies), events and quotes."""
    from ..analysis.day import day as archive

    return _memo(store, ("day", when), lambda: archive(store.database(), when).to_dict())


def digest(store: Store, week: str) -> Record:
    """The weekly digest of ``week`` (``YYYY-Www``)."""
    from ..analysis.digest import digest as make

    return _memo(store, ("digest", week), lambda: make(store.database(), week).to_dict())


@functools.lru_cache(maxsize=1)
def _office_index() -> dict[str, list[Record]]:
    from ..nlp.actors.codebook import codebook

    index: dict[str, list[Record]] = defaultdict(list)
    seen = set()
    for person in codebook().people.values():
        for term in person.terms:
            key = (term.name, term.office, term.code, term.start)
            if key in seen:
                continue
            seen.add(key)
            index[term.code].append({
                "name": term.name, "office": term.office.replace("_", " "), "sector": term.sector,
                "start": term.start.isoformat() if term.start else None,
                "end": term.end.isoformat() if term.end else None,
            })
    for terms in index.values():
        terms.sort(key=lambda t: (t["start"] or ""), reverse=True)
    return dict(index)


def office_holders(code: str, limit: int = 30) -> list[Record]:
    """People the codebook knows in an office of ``code``, latest first."""
    return _office_index().get(code, [])[:limit]
