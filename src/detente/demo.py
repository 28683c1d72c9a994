"""``make demo``: ingest the bundled sample corpus, show what the store holds, write the
weekly digest of its busiest week (Markdown and email-safe HTML) beside the database, then
serve the web app over the store on 127.0.0.1 and print its URL (Ctrl-C stops it).

    python -m detente.demo [--db demo.db] [-j N] [--port 8765] [--no-serve]

Re-running is quick: the articles already stored are skipped by content hash.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .analysis.digest import busiest_week, digest
from .analysis.digest_render import render
from .data import data_path
from .ingest.runner import Failure, IngestOptions, ingest
from .outputs import atomic_output
from .store import Database, Filters
from .store import open as open_db
from .store.table import event_table, pairs_table

logger = logging.getLogger(__name__)


def sample_files() -> list[Path]:
    """The bundled corpus: re3d's openly licensed documents (JSONL) and the seed page."""
    names = ("sample/re3d.jsonl", "sample/seed-courthouse-2022-01-28.txt")
    return [Path(str(data_path(name))) for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m detente.demo", description=__doc__)
    parser.add_argument("--db", default="detente-demo.db", help="database file to fill")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="worker processes")
    parser.add_argument("--port", type=int, default=8765, help="the web app's port")
    parser.add_argument("--no-serve", action="store_true",
                        help="stop after the ingest and the digest (no web app)")
    args = parser.parse_args(argv)

    def report(failure: Failure) -> None:
        print(f"skipped {failure.reason}", file=sys.stderr)

    options = IngestOptions(paths=sample_files(), jobs=args.jobs, progress=sys.stderr.isatty())
    with open_db(args.db) as db:
        summary = ingest(options, db, report=report)
        print(f"ingest: {summary.line()}\n")
        counts = db.counts()
        print(f"{args.db}: " + ", ".join(f"{n} {t}" for t, n in counts.items()) + "\n")
        print("Busiest actor -> recipient pairs")
        print(pairs_table(db, Filters(limit=10)) + "\n")
        print("Latest events")
        print(event_table(db, Filters(limit=15)) + "\n")
        written = write_digest(db, Path(args.db))
    print(f"Explore: detente query --db {args.db} --actor USA   |   "
          f"detente export --db {args.db} --format csv -o events.csv")
    if written:
        print(f"\nThe digest of the busiest week: {written[0]}\n  (and as Markdown: {written[1]})")
    if args.no_serve:
        return 0
    print()
    return serve(args.db, args.port)


def serve(db_path: str, port: int) -> int:
    """The web app over the demo store, on this machine only, until Ctrl-C."""
    from .web.commands import cmd_serve

    try:
        return cmd_serve(argparse.Namespace(db=db_path, host="127.0.0.1", port=port))
    except KeyboardInterrupt:
        return 0


def write_digest(db: Database, db_path: Path) -> list[Path]:
    """The busiest week's digest as HTML and Markdown beside the database: their paths."""
    week = busiest_week(db)
    if week is None:
        print("No dated events yet: no digest to write.")
        return []
    found = digest(db, week)
    paths = []
    for form, suffix in (("html", ".html"), ("md", ".md")):
        path = db_path.with_name(f"{db_path.stem}-digest-{week}{suffix}")
        with atomic_output(path, what="the digest") as fh:
            fh.write(render(found, form))
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
