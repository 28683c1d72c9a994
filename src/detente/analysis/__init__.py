"""Analysis of the store: dyad series, the escalation index, alerts, movers, the network, charts.

Each function takes an open ``Database`` (``detente.open(path, read_only=True)``)::

    from detente.analysis import trends, movers, busiest
    from detente.analysis.alerts import alerts
    from detente.analysis.network import network
    from detente.analysis.plot import plot
    frame = trends(db, "RUS", "UKR", by="week")          # a pandas DataFrame, one row a period
    for alert in alerts(db, since="2023-01-01"): print(alert.to_dict())
    movers(db, "2023-W20"); busiest(db, "2023-05-15", "2023-05-21")
    network(db, "2023-01-01", "2023-12-31")               # a networkx.DiGraph
    plot(db, "RUS", "UKR", "week", "rus-ukr.svg")

``alerts``, ``network`` and ``plot`` are imported from their modules: they share their
modules' names, and the package attribute of a submodule is the module once it is imported.

The index, baseline and alert rules are written out in ``docs/analysis.md``.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .alerts import (
        Alert,
        AlertSettings,
        Busy,
        Evidence,
        Mover,
        busiest,
        evidence,
        movers,
    )
    from .index import IndexSettings
    from .series import panel, trends

logger = logging.getLogger(__name__)

__all__ = [
    "Alert", "AlertSettings", "Busy", "Evidence", "IndexSettings", "Mover", "busiest",
    "evidence", "movers", "panel", "trends",
]

# Imported when first asked for: pandas, networkx and matplotlib take seconds, and the
# command line registers these commands at every start.
_FROM_ALERTS = frozenset(("Alert", "AlertSettings", "Busy", "Evidence", "Mover", "busiest",
                          "evidence", "movers"))


def __getattr__(name: str) -> Any:
    module: ModuleType
    if name in _FROM_ALERTS:
        from . import alerts as module
    elif name in ("panel", "trends"):
        from . import series as module
    elif name == "IndexSettings":
        from . import index as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value
