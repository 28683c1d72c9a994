"""The actor network: who acts on whom over a period, as a weighted directed graph.

Nodes are actor codes; an edge ``A -> B`` carries ``events`` (distinct events),
``stories`` (independent story clusters), ``outlets``, ``intensity`` (summed, PLOVER scale),
``intensity_mean``, ``quad1`` .. ``quad4`` (events per quad class) and ``weight`` (=
``stories``, what Gephi sizes edges by). Nodes carry ``events_out``/``events_in`` and
``stories_out``/``stories_in``. ``write`` saves GraphML or GEXF by the file's suffix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from ..errors import DetenteError
from ..outputs import atomic_output
from ..store import series as sql
from ..store.series import Window
from . import periods

if TYPE_CHECKING:
    from ..store import Database

logger = logging.getLogger(__name__)

FORMATS = {".graphml": "graphml", ".gexf": "gexf"}


def network(
    db: Database, since: str | None = None, until: str | None = None, *, factual: bool = True
) -> nx.DiGraph:
    """The directed, weighted actor graph of coded events between ``since`` and ``until``."""
    for name, value in (("since", since), ("until", until)):
        if value:
            periods.parse_date(value, f"--{name}")
    window = Window("day", since, until, factual, sql.dialect_of(db))
    edges = sql.frame(db, sql.network_sql(window))
    means = sql.frame(db, sql.intensity_sql(window))
    edges = edges.merge(means, on=["actor", "recipient"], how="left")
    graph = nx.DiGraph(since=since or "", until=until or "")
    for row in edges.itertuples(index=False):
        graph.add_edge(
            row.actor, row.recipient, events=int(row.events), stories=int(row.stories),
            outlets=int(row.outlets), weight=int(row.stories),
            intensity=float(row.intensity or 0.0), intensity_mean=float(row.intensity_mean or 0.0),
            quad1=int(row.quad1), quad2=int(row.quad2), quad3=int(row.quad3), quad4=int(row.quad4),
        )
    for node in graph.nodes:
        graph.nodes[node].update(
            label=node,
            events_out=sum(d["events"] for _, _, d in graph.out_edges(node, data=True)),
            events_in=sum(d["events"] for _, _, d in graph.in_edges(node, data=True)),
            stories_out=sum(d["stories"] for _, _, d in graph.out_edges(node, data=True)),
            stories_in=sum(d["stories"] for _, _, d in graph.in_edges(node, data=True)),
        )
    logger.info("network: %d actors, %d edges", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def write(graph: nx.DiGraph, path: str | Path) -> Path:
    """Save ``graph`` as GraphML (``.graphml``) or GEXF (``.gexf``), by the suffix."""
    out = Path(path)
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise DetenteError(f"{out}: cannot tell the graph format; name it .graphml or .gexf")
    with atomic_output(out, binary=True, what="the graph") as fh:
        if kind == "graphml":
            nx.write_graphml(graph, fh)
        else:
            nx.write_gexf(graph, fh)
    return out
