"""Analysis of the store: dyad series, the escalation index, alerts, movers, the network, charts.

Each function takes an open ``Database`` (``detente.open(path, read_only=True)``)::

    from detente.analysis import trends, alerts, movers, busiest, network, plot
    frame = trends(db, "RUS", "UKR", by="week")          # a pandas DataFrame, one row a period
    for alert in alerts(db, since="2023-01-01"): print(alert.to_dict())
    movers(db, "2023-W20"); busiest(db, "2023-05-15", "2023-05-21")
    network(db, "2023-01-01", "2023-12-31")               # a networkx.DiGraph
    plot(db, "RUS", "UKR", "week", "rus-ukr.svg")

The index, baseline and alert rules are written out in ``docs/analysis.md``.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .alerts import (
        Alert,
        AlertSettings,
        Busy,
        Evidence,
        Mover,
        alerts,
        busiest,
        evidence,
        movers,
    )
    from .index import IndexSettings
    from .network import network
    from .plot import plot
    from .series import panel, trends

logger = logging.getLogger(__name__)

__all__ = [
    "Alert", "AlertSettings", "Busy", "Evidence", "IndexSettings", "Mover", "alerts", "busiest",
    "evidence", "movers", "network", "panel", "plot", "trends",
]

# Imported when first asked for: pandas, networkx and matplotlib take seconds, and the
# command line registers these commands at every start.
_HOME = {
    **dict.fromkeys(("Alert", "AlertSettings", "Busy", "Evidence", "Mover", "alerts", "busiest",
                     "evidence", "movers"), "alerts"),
    "IndexSettings": "index", "network": "network", "plot": "plot", "panel": "series",
    "trends": "series",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
