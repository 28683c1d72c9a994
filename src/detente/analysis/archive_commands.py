"""The archive commands: ``detente digest`` (the weekly digest) and ``detente day``.

``add_commands(sub)`` registers them on the ``detente`` parser's subcommands. Both open
the store read-only, build the records (:mod:`detente.analysis.digest`,
:mod:`detente.analysis.day`) and print or write them::

    detente digest --db DB --week 2022-W04 [--format md|html|json] [-o FILE]
    detente day --db DB 2022-01-28 [--format table|json]

``-o FILE`` is written whole or not at all (a temporary file beside it, then a rename).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from ..cliargs import EXIT_OK, iso_date, iso_week
from ..errors import DetenteError
from ..outputs import atomic_output, is_terminal
from ..terminal import json_for_terminal, printable

logger = logging.getLogger(__name__)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``digest`` and ``day`` on ``sub``."""
    digest = sub.add_parser("digest", help="the weekly digest: alerts, busiest dyads, movers, quotes")
    digest.add_argument("--db", default="detente.db", help="database file (default: ./detente.db), or postgresql://USER@HOST/DB")
    digest.add_argument("--week", required=True, type=iso_week, metavar="YYYY-Www",
                        help="the ISO week, e.g. 2022-W04")
    digest.add_argument("--format", choices=("md", "html", "json"), default="md",
                        help="Markdown (default), self-contained HTML fit for email, or JSON")
    digest.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    digest.set_defaults(func=cmd_digest)

    day = sub.add_parser("day", help="the daily archive: a day's stories with their events and quotes")
    day.add_argument("--db", default="detente.db", help="database file (default: ./detente.db), or postgresql://USER@HOST/DB")
    day.add_argument("date", type=iso_date, metavar="YYYY-MM-DD",
                     help="the day, by true publication date")
    day.add_argument("--format", choices=("table", "json"), default="table")
    day.set_defaults(func=cmd_day)


def _existing(path: str) -> str:
    if "://" not in path and not Path(path).is_file():
        raise DetenteError(f"{printable(path)}: no such database; create it with "
                           f"'detente ingest --db {printable(path)} ...'")
    return path


def cmd_digest(args: argparse.Namespace) -> int:
    from ..store import open as open_db
    from .digest import digest
    from .digest_render import render

    with open_db(_existing(args.db), read_only=True) as db:
        text = render(digest(db, args.week), args.format)
    if args.output and args.output != "-":
        with atomic_output(args.output, what="the digest") as fh:
            fh.write(text)
        print(f"detente: wrote the {args.week} digest to {printable(args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(_for_stdout(text, args.format))
    return EXIT_OK


def cmd_day(args: argparse.Namespace) -> int:
    from ..store import open as open_db
    from .day import day, format_day

    with open_db(_existing(args.db), read_only=True) as db:
        found = day(db, args.date)
    if args.format == "json":
        sys.stdout.write(_for_stdout(json.dumps(found.to_dict(), ensure_ascii=False, indent=2), "json"))
    else:
        sys.stdout.write("\n".join(printable(line) for line in format_day(found).split("\n")) + "\n")
    return EXIT_OK


def _for_stdout(text: str, form: str) -> str:
    """What goes to a terminal shows control characters instead of obeying them."""
    if not is_terminal():
        return text if text.endswith("\n") else text + "\n"
    if form == "json":
        return json_for_terminal(text) + ("" if text.endswith("\n") else "\n")
    return "\n".join(printable(line) for line in text.rstrip("\n").split("\n")) + "\n"
