"""The analysis commands: ``trends``, ``alerts``, ``network``, ``plot``.

``add_commands(sub)`` registers them on the ``detente`` parser's subcommands; each opens
the store read-only, calls the library and prints. ``--format json`` writes JSON Lines
(one object a period or an alert), NaN as null.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import sys
from typing import TYPE_CHECKING, Any

from ..cliargs import EXIT_OK, iso_date, positive_int
from ..errors import DetenteError
from ..store.series import PERIODS
from ..terminal import printable

if TYPE_CHECKING:
    import pandas as pd

    from .alerts import Alert

logger = logging.getLogger(__name__)

TREND_TABLE = ("period", "start", "events", "stories", "outlets", "quad", "intensity",
               "goldstein", "share", "index", "baseline", "z")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``trends``, ``alerts``, ``network`` and ``plot`` on ``sub``."""
    _add_trends(sub)
    _add_alerts(sub)
    _add_network(sub)
    _add_plot(sub)


def _common(cmd: argparse.ArgumentParser, *, by: bool = True) -> None:
    cmd.add_argument("--db", default="detente.db", help="database file (default: ./detente.db), or postgresql://USER@HOST/DB")
    if by:
        cmd.add_argument("--by", choices=PERIODS, default="week", help="period size (default: week)")
    cmd.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="from this day")
    cmd.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="to this day (inclusive)")


def _dyad(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--actor", default="*", help="actor code, e.g. RUS (default: * any)")
    cmd.add_argument("--recipient", default="*", help="recipient code, e.g. UKR (default: * any)")


def _add_trends(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("trends", help="a dyad's series: one row a period, with the escalation index")
    _common(cmd)
    _dyad(cmd)
    cmd.add_argument("--actor-sector", help="actor sector, e.g. GOV")
    cmd.add_argument("--recipient-sector", help="recipient sector, e.g. MIL")
    cmd.add_argument("--format", choices=("table", "csv", "json"), default="table")
    cmd.add_argument("--all", action="store_true", dest="include_unreal",
                     help="include negated, hypothetical, future and denied events")
    cmd.set_defaults(func=cmd_trends)


def _add_alerts(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("alerts", help="escalation and de-escalation alerts, with their evidence")
    _common(cmd)
    cmd.add_argument("--format", choices=("table", "json"), default="table")
    cmd.add_argument("--threshold", type=float, default=3.5, help="|z| to alert at (default 3.5)")
    cmd.add_argument("--min-stories", type=positive_int, default=3,
                     help="independent stories an alert needs (default 3)")
    cmd.add_argument("--min-outlets", type=positive_int, default=2,
                     help="distinct outlets an alert needs (default 2)")
    cmd.set_defaults(func=cmd_alerts)


def _add_network(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("network", help="the actor network, for Gephi (GraphML or GEXF)")
    _common(cmd, by=False)
    cmd.add_argument("-o", "--output", required=True, metavar="FILE.graphml|FILE.gexf")
    cmd.set_defaults(func=cmd_network)


def _add_plot(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("plot", help="a chart of a dyad's series with its alerts marked")
    _common(cmd)
    _dyad(cmd)
    cmd.add_argument("-o", "--output", required=True, metavar="FILE.png|FILE.svg")
    cmd.set_defaults(func=cmd_plot)


def _check_range(args: argparse.Namespace) -> None:
    if args.since and args.until and args.since > args.until:
        raise DetenteError(f"--since {args.since} is after --until {args.until}: swap them")


def cmd_trends(args: argparse.Namespace) -> int:
    from ..store import open as open_db
    from .series import trends

    _check_range(args)
    with open_db(args.db, read_only=True) as db:
        frame = trends(db, args.actor, args.recipient, by=args.by, since=args.since,
                       until=args.until, factual=not args.include_unreal,
                       actor_sector=args.actor_sector, recipient_sector=args.recipient_sector)
    sys.stdout.write(format_trends(frame, args.format))
    return EXIT_OK


def format_trends(frame: pd.DataFrame, kind: str) -> str:
    """A trends frame as a terminal table, CSV or JSON Lines."""
    if kind == "json":
        return "".join(json.dumps(_clean(r), ensure_ascii=False) + "\n"
                       for r in frame.to_dict(orient="records"))
    if kind == "csv":
        out = io.StringIO()
        frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, float_format="%.6g")
        return out.getvalue()
    if frame.empty:
        return "no events for this dyad\n"
    from ..store.table import Column, render

    columns = [Column(c, max(len(c), 8 if c != "start" else 10)) for c in TREND_TABLE]
    rows = [[_short(r[c]) for c in TREND_TABLE] for r in frame.to_dict(orient="records")]
    return render(columns, rows, width=200) + "\n"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe: NaN as null, numpy scalars as Python numbers."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if hasattr(value, "item"):
            value = value.item()
        out[key] = None if isinstance(value, float) and math.isnan(value) else value
    return out


def cmd_alerts(args: argparse.Namespace) -> int:
    from ..store import open as open_db
    from .alerts import AlertSettings, alerts

    _check_range(args)
    settings = AlertSettings(threshold=args.threshold, min_stories=args.min_stories,
                             min_outlets=args.min_outlets)
    with open_db(args.db, read_only=True) as db:
        found = alerts(db, since=args.since, until=args.until, by=args.by, settings=settings)
    sys.stdout.write(format_alerts(found, args.format))
    return EXIT_OK


def format_alerts(found: list[Alert], kind: str) -> str:
    """Alerts as JSON Lines or, for the terminal, one block an alert with its evidence."""
    if kind == "json":
        return "".join(json.dumps(_clean(a.to_dict()), ensure_ascii=False) + "\n" for a in found)
    if not found:
        return "no alerts\n"
    lines = []
    for a in found:
        lines.append(f"{a.period}  {a.actor} -> {a.recipient}  {a.direction.upper()}  "
                     f"z={a.z:+.1f}  index={a.index:.3g} (baseline {a.baseline:.3g})  "
                     f"{a.stories} stories, {a.outlets} outlets")
        for e in a.evidence:
            lines.append(printable(f"    {e.date}  {e.type:<9} {e.sentence}  [{e.title}] {e.url}"))
    return "\n".join(lines) + "\n"


def cmd_network(args: argparse.Namespace) -> int:
    from ..store import open as open_db
    from .network import network, write

    _check_range(args)
    with open_db(args.db, read_only=True) as db:
        graph = network(db, args.since, args.until)
    out = write(graph, args.output)
    print(f"detente: wrote {graph.number_of_nodes()} actors and {graph.number_of_edges()} "
          f"edges to {printable(out)}", file=sys.stderr)
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from ..store import open as open_db
    from .plot import plot

    _check_range(args)
    with open_db(args.db, read_only=True) as db:
        out = plot(db, args.actor, args.recipient, args.by, args.output,
                   since=args.since, until=args.until)
    print(f"detente: wrote the chart to {printable(out)}", file=sys.stderr)
    return EXIT_OK
