"""Exports of stored events: JSON Lines, CSV, Parquet, PLOVER/POLECAT JSON, GDELT 2.0 TSV.

``jsonl`` writes the stored articles with their full results (the contract);
the others write one row per merged event. This module only formats: every read
is a store query (``detente.store``), streamed row by row.

``parquet`` with a ``partition`` (``day`` or ``month``) writes a Parquet *lake*: a
hive-partitioned folder that DuckDB, pandas, Polars and Spark read as is::

    DIR/day=2022-01-28/part-0.parquet      (--partition day)
    DIR/month=2022-01/part-0.parquet       (--partition month)

One string partition column, ``day`` or ``month``: the event's ``date`` cut to that
length, so an event known only to the month sits in ``day=2022-01``, one known only to
the year in ``day=2022`` (or ``month=2022``), and an undated one in ``day=unknown``
(``month=unknown``). Not ``__HIVE_DEFAULT_PARTITION__``: pyarrow, and so
``pandas.read_parquet``, cannot read a null partition beside others ("Cannot yet unify
dictionaries with nulls"). The files hold the columns of the flat parquet export. Rows
are streamed from the store a chunk at a time into at most ``LAKE_OPEN_FILES`` open
files, each buffering at most ``LAKE_GROUP_ROWS`` rows: memory does not grow with the
store. The folder is written whole or not at all: into a hidden temporary folder beside
it, renamed into place once complete; an existing folder is refused unless empty.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import logging
import os
import re
import shutil
import stat
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .data import read_table
from .errors import DetenteError
from .outputs import atomic_output, is_terminal, sync_folder
from .store import Database, Filters, SourcedEvent
from .terminal import TerminalWriter, printable

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "parquet", "plover", "gdelt")
PARTITIONS = ("day", "month")

_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
GDELT_COLUMNS: tuple[str, ...] = (
    ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate")
    + tuple(f"Actor1{c}" for c in _ACTOR) + tuple(f"Actor2{c}" for c in _ACTOR)
    + ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
       "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone")
    + tuple(f"Actor1Geo_{c}" for c in _GEO) + tuple(f"Actor2Geo_{c}" for c in _GEO)
    + tuple(f"ActionGeo_{c}" for c in _GEO) + ("DATEADDED", "SOURCEURL")
)
assert len(GDELT_COLUMNS) == 61


@dataclass(frozen=True)
class ExportSummary:
    format: str
    rows: int
    path: str


def export(
    db: Database, fmt: str, output: str | None, filters: Filters | None = None,
    *, partition: str | None = None,
) -> ExportSummary:
    """Write ``db``'s matching events (articles, for jsonl) to ``output`` (None or '-': stdout).

    A file is written whole or not at all (``detente.outputs.atomic_output``): an existing
    one is replaced only once the export has succeeded. With ``partition`` (parquet only),
    ``output`` is the folder of a hive-partitioned dataset (:func:`write_lake`).
    """
    filters = filters or Filters()
    if fmt not in FORMATS:
        raise DetenteError(f"unknown export format '{fmt}': use one of {', '.join(FORMATS)}")
    if partition is not None:
        if fmt != "parquet":
            raise DetenteError(f"--partition {partition} writes a Parquet dataset: use it with "
                               "--format parquet")
        if output in (None, "-"):
            raise DetenteError("a partitioned export is a folder: give it with -o DIR")
        return write_lake(db, str(output), partition, filters)
    if fmt == "parquet":
        if output in (None, "-"):
            raise DetenteError("parquet is binary: give an output file with -o FILE.parquet")
        return ExportSummary(fmt, _write_parquet(db, filters, str(output)), str(output))
    if output in (None, "-"):
        return ExportSummary(fmt, _WRITERS[fmt](db, filters, _stdout(fmt)), "-")
    with atomic_output(str(output), what=f"the {fmt} export") as out:
        rows = _WRITERS[fmt](db, filters, out)
    return ExportSummary(fmt, rows, str(output))


def _stdout(fmt: str) -> IO[str]:
    """stdout; on a terminal, with the stored text's control characters shown, not sent."""
    if not is_terminal(sys.stdout):
        return sys.stdout
    return TerminalWriter(sys.stdout, json=fmt in ("jsonl", "plover"))  # type: ignore[return-value]


def _write_parquet(db: Database, filters: Filters, output: str) -> int:
    import pyarrow as pa

    frame = _flat_events(db, filters)
    try:
        with atomic_output(output, binary=True, what="the parquet export") as out:
            frame.to_parquet(out, index=False)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise DetenteError(f"{printable(output)}: could not write Parquet ({printable(exc)}); "
                           "any file that was there is unchanged") from exc
    return len(frame)


def _flat_events(db: Database, filters: Filters) -> Any:
    frame = db.events(**_as_kwargs(filters))
    for column in ("context", "actor_codes", "recipient_codes"):
        frame[column] = frame[column].map(lambda v: ";".join(json.loads(v)) if v else "")
    return frame


def _as_kwargs(filters: Filters) -> dict[str, Any]:
    return {k: v for k, v in vars(filters).items() if v is not None}


def _write_jsonl(db: Database, filters: Filters, out: IO[str]) -> int:
    count = 0
    for line in db.results(filters):
        out.write(line + "\n")
        count += 1
    return count


def _write_csv(db: Database, filters: Filters, out: IO[str]) -> int:
    frame = _flat_events(db, filters)
    frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
    return len(frame)


def _write_plover(db: Database, filters: Filters, out: IO[str]) -> int:
    count = 0
    for event in db.sourced_events(filters):
        out.write(json.dumps(plover_record(event), ensure_ascii=False) + "\n")
        count += 1
    return count


def plover_record(event: SourcedEvent) -> dict[str, Any]:
    """One event as a PLOVER/POLECAT-style record (snake_case POLECAT field names)."""
    row = event.row
    return {
        "event_id": f"detente-{row['event_id']}", "event_date": row["date"],
        "event_date_precision": row["date_precision"], "event_type": row["type"],
        "event_mode": row["mode"], "event_intensity": row["intensity"], "quad_code": row["quad"],
        "contexts": json.loads(row["context"] or "[]"),
        "actor_name": row["actor_name"], "actor_country": row["actor_code"],
        "actor_sector": row["actor_sector"], "actor_codes": json.loads(row["actor_codes"]),
        "recipient_name": row["recipient_name"], "recipient_country": row["recipient_code"],
        "recipient_sector": row["recipient_sector"],
        "recipient_codes": json.loads(row["recipient_codes"]),
        "negated": bool(row["negated"]), "modality": row["modality"],
        "placename": row["location_name"], "country": row["location_country"],
        "latitude": row["lat"], "longitude": row["lon"], "cameo": row["cameo"],
        "confidence": row["confidence"], "story_cluster": row["cluster_id"],
        "num_mentions": row["num_mentions"], "num_articles": row["num_articles"],
        "num_sources": row["num_sources"],
        "sources": [
            {"url": s.url, "publisher": s.publisher, "publication_date": s.published,
             "sentence": s.sentence}
            for s in event.sources
        ],
        "language": "en", "version": "detente-PLOVER-0.8",
    }


def _write_gdelt(db: Database, filters: Filters, out: IO[str]) -> int:
    # GDELT has no column for negation or modality: only factual events go there.
    count = 0
    for row in db.event_rows(dataclasses.replace(filters, factual=True)):
        values = gdelt_row(row)
        out.write("\t".join(_cell(values.get(c)) for c in GDELT_COLUMNS) + "\n")
        count += 1
    return count


def gdelt_row(row: dict[str, Any]) -> dict[str, Any]:
    """GDELT 2.0 event columns detente can fill; missing ones stay empty."""
    cameo = row["cameo"] or default_cameo().get(row["type"])
    values: dict[str, Any] = {
        "GLOBALEVENTID": row["event_id"], "IsRootEvent": row["is_root"] or 0,
        "QuadClass": row["quad"], "NumMentions": row["num_mentions"],
        "NumSources": row["num_sources"], "NumArticles": row["num_articles"],
        "SOURCEURL": row["source_url"], "DATEADDED": _dateadded(row["added_at"]),
    }
    if cameo:
        values.update(EventCode=cameo, EventBaseCode=cameo[:3], EventRootCode=cameo[:2],
                      GoldsteinScale=goldstein().get(cameo, goldstein().get(cameo[:3])))
    values.update(_gdelt_dates(row["date"], row["date_precision"]))
    for n, prefix in ((1, "actor"), (2, "recipient")):
        code, sector = row[f"{prefix}_code"], row[f"{prefix}_sector"]
        if code:
            values[f"Actor{n}Code"] = code + (sector or "")
            values[f"Actor{n}Name"] = (row[f"{prefix}_name"] or "").upper()
            values[f"Actor{n}CountryCode"] = code if len(code) == 3 and code.isalpha() else None
            values[f"Actor{n}Type1Code"] = sector
    if row["location_name"] or row["lat"] is not None:
        values.update(ActionGeo_FullName=row["location_name"], ActionGeo_Lat=row["lat"],
                      ActionGeo_Long=row["lon"])
    return values


def _gdelt_dates(value: str | None, precision: str | None) -> dict[str, Any]:
    if not value:
        return {}
    day = date.fromisoformat(value[:10] if precision == "day" else (value + "-01-01")[:10])
    fraction = day.year + (day.timetuple().tm_yday / 365.0)
    return {"SQLDATE": day.strftime("%Y%m%d"), "MonthYear": day.strftime("%Y%m"),
            "Year": day.year, "FractionDate": f"{fraction:.4f}"}


def _dateadded(stamp: str | None) -> str | None:
    if not stamp:
        return None
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y%m%d%H%M%S")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\t", " ").replace("\n", " ")


@functools.lru_cache(maxsize=1)
def goldstein() -> dict[str, float]:
    """CAMEO code -> Goldstein scale (GDELT's lookup table, data/store/goldstein.tsv)."""
    return {row["CAMEOEVENTCODE"].strip(): float(row["GOLDSTEINSCALE"])
            for row in read_table("store/goldstein.tsv")
            if row["CAMEOEVENTCODE"].strip() and row["GOLDSTEINSCALE"].strip()}


@functools.lru_cache(maxsize=1)
def default_cameo() -> dict[str, str]:
    """PLOVER type -> the CAMEO code the GDELT export uses when an event has none."""
    return {row["type"]: row["cameo"] for row in read_table("store/plover_cameo.csv")}


# -- the Parquet lake ------------------------------------------------------------

LAKE_CHUNK_ROWS = 5_000  # rows read from the store at a time
LAKE_GROUP_ROWS = 50_000  # rows a partition file buffers before writing a row group
LAKE_OPEN_FILES = 4  # partition files open at once (least recently used closed first)
UNKNOWN_DATE = "unknown"
_DATE_PREFIX = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_LIST_COLUMNS = ("context", "actor_codes", "recipient_codes")
_INT_COLUMNS = ("event_id", "quad", "negated", "cluster_id", "num_mentions", "num_articles",
                "num_sources", "is_root")
_FLOAT_COLUMNS = ("lat", "lon", "intensity", "confidence")
# The columns of the flat export (``events_sql``), for the schema of an empty dataset.
LAKE_COLUMNS = (
    "event_id", "date", "date_precision", "type", "quad", "cameo", "mode", "context",
    "actor_code", "actor_name", "actor_sector", "actor_codes", "recipient_code",
    "recipient_name", "recipient_sector", "recipient_codes", "negated", "modality",
    "location_name", "location_country", "lat", "lon", "intensity", "confidence",
    "cluster_id", "added_at", "num_mentions", "num_articles", "num_sources", "is_root",
    "sentence", "source_url", "source_title", "source_publisher", "source_published",
)


def partition_value(value: str | None, partition: str) -> str:
    """The lake partition of an event dated ``value``: its date cut to a day or a month."""
    match = _DATE_PREFIX.match(value or "")
    if not match:
        return UNKNOWN_DATE
    return match.group()[: 10 if partition == "day" else 7]


def write_lake(db: Database, output: str, partition: str, filters: Filters | None = None) -> ExportSummary:
    """Write matching events as a hive-partitioned Parquet dataset in the folder ``output``."""
    import pyarrow as pa

    if partition not in PARTITIONS:
        raise DetenteError(f"unknown partition '{partition}': use one of {', '.join(PARTITIONS)}")
    shown = printable(output)
    try:
        with _new_folder(Path(output), shown) as folder:
            rows = _fill_lake(folder, partition, db.event_rows(filters or Filters()))
    except (OSError, pa.ArrowException) as exc:
        raise DetenteError(f"{shown}: could not write the Parquet dataset ({_why(exc)}); "
                           "nothing was left there") from exc
    logger.info("wrote %d events to the %s-partitioned dataset %s", rows, partition, shown)
    return ExportSummary("parquet", rows, output)


def _why(exc: BaseException) -> str:
    return printable((exc.strerror if isinstance(exc, OSError) else None) or str(exc)
                     or type(exc).__name__)


def _fill_lake(folder: Path, partition: str, rows: Iterator[dict[str, Any]]) -> int:
    """Stream ``rows`` into partition files under ``folder``; returns how many were written."""
    written = 0
    writer: _LakeWriter | None = None
    while chunk := list(islice(rows, LAKE_CHUNK_ROWS)):
        if writer is None:
            writer = _LakeWriter(folder, partition, _lake_schema(chunk))
        writer.add(chunk)
        written += len(chunk)
    if writer is None:
        _write_empty(folder, partition)
    else:
        writer.close()
    return written


def _lake_schema(rows: list[dict[str, Any]]) -> pa.Schema:
    """Column types: integers and floats where the store has them, text otherwise."""
    import pyarrow as pa

    return pa.schema([pa.field(name, _arrow_type(name, [row[name] for row in rows]))
                      for name in rows[0]])


def _arrow_type(name: str, values: list[Any]) -> pa.DataType:
    import pyarrow as pa

    if name in _INT_COLUMNS:
        return pa.int64()
    if name in _FLOAT_COLUMNS:
        return pa.float64()
    if name in _LIST_COLUMNS or name in LAKE_COLUMNS:
        return pa.string()
    # A column this module does not know yet: typed by what the first chunk holds.
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


def _arrow_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    import pyarrow as pa

    return pa.table([_arrow_column(f, [row.get(f.name) for row in rows]) for f in schema],
                    schema=schema)


def _arrow_column(column: pa.Field, values: list[Any]) -> pa.Array:
    """One column; lists joined with ';' as in the flat export. Values arrow does not take
    as they are (a PostgreSQL Decimal, a datetime) are converted to the column's type."""
    import pyarrow as pa

    if column.name in _LIST_COLUMNS:
        values = [";".join(json.loads(v)) if v else "" for v in values]
    try:
        return pa.array(values, type=column.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(_converted(column, values), type=column.type)


def _converted(column: pa.Field, values: list[Any]) -> list[Any]:
    import pyarrow as pa

    if column.type == pa.int64():
        return [None if v is None else int(v) for v in values]
    if column.type == pa.float64():
        return [None if v is None else float(v) for v in values]
    return [v if v is None or isinstance(v, str) else str(v) for v in values]


def _write_empty(folder: Path, partition: str) -> None:
    """No matching events: one empty file at the top, with every column and the partition's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = (*LAKE_COLUMNS, partition)
    schema = pa.schema([pa.field(n, _arrow_type(n, [])) for n in names])
    pq.write_table(schema.empty_table(), folder / "part-0.parquet")


@dataclass
class _PartFile:
    """One open partition file and the rows waiting for its next row group."""

    writer: pq.ParquetWriter
    pending: list[pa.Table] = field(default_factory=list)
    rows: int = 0


class _LakeWriter:
    """Partition files, a few open at a time; a partition met again after its file was
    closed (rows not grouped by date) continues in a new file ``part-1.parquet``, ..."""

    def __init__(self, folder: Path, partition: str, schema: pa.Schema) -> None:
        self.folder, self.partition, self.schema = folder, partition, schema
        self.open: OrderedDict[str, _PartFile] = OrderedDict()
        self.files: dict[str, int] = {}

    def add(self, rows: list[dict[str, Any]]) -> None:
        table = _arrow_table(rows, self.schema)
        for key, start, stop in _runs([partition_value(r.get("date"), self.partition) for r in rows]):
            self._append(key, table.slice(start, stop - start))

    def _append(self, key: str, table: pa.Table) -> None:
        part = self._file(key)
        part.pending.append(table)
        part.rows += table.num_rows
        if part.rows >= LAKE_GROUP_ROWS:
            _flush(part)

    def _file(self, key: str) -> _PartFile:
        import pyarrow.parquet as pq

        if key in self.open:
            self.open.move_to_end(key)
            return self.open[key]
        if len(self.open) >= LAKE_OPEN_FILES:
            _, oldest = self.open.popitem(last=False)
            _close(oldest)
        number = self.files.get(key, 0)
        self.files[key] = number + 1
        path = self.folder / f"{self.partition}={key}" / f"part-{number}.parquet"
        path.parent.mkdir(exist_ok=True)
        self.open[key] = _PartFile(pq.ParquetWriter(path, self.schema))
        return self.open[key]

    def close(self) -> None:
        while self.open:
            _close(self.open.popitem(last=False)[1])


def _runs(keys: list[str]) -> Iterator[tuple[str, int, int]]:
    """(key, start, stop) of each stretch of equal consecutive keys."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            yield keys[start], start, i
            start = i


def _flush(part: _PartFile) -> None:
    import pyarrow as pa

    if part.pending:
        part.writer.write_table(pa.concat_tables(part.pending), row_group_size=LAKE_GROUP_ROWS)
        part.pending.clear()
        part.rows = 0


def _close(part: _PartFile) -> None:
    _flush(part)
    part.writer.close()


@contextmanager
def _new_folder(target: Path, shown: str) -> Iterator[Path]:
    """A temporary folder beside ``target``, renamed to it once the block succeeds."""
    _check_folder(target, shown)
    try:
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    except OSError as exc:
        raise DetenteError(f"{shown}: cannot write a dataset in that folder ({_why(exc)}); "
                           "choose a folder you can write to") from exc
    try:
        yield tmp
        _sync_tree(tmp)
        tmp.chmod(_folder_mode())
        os.rename(tmp, target)  # over an empty folder only: one that filled meanwhile fails
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    sync_folder(target.parent)


def _check_folder(target: Path, shown: str) -> None:
    """Refuse a target that is a file, a folder with something in it, or has no parent."""
    try:
        info = target.stat()
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise DetenteError(f"{shown}: the folder {printable(str(target.parent))} does not "
                               "exist; create it first or choose another output") from None
        return
    if not stat.S_ISDIR(info.st_mode):
        raise DetenteError(f"{shown}: is not a folder; a partitioned export writes a folder: "
                           "give a new folder's name")
    if any(target.iterdir()):
        raise DetenteError(f"{shown}: the folder is not empty; detente writes a dataset whole "
                           "into a new or empty folder: remove it or choose another")


def _folder_mode() -> int:
    """What the umask gives a new folder (mkdtemp's are 0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _sync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder``, so the rename publishes durable data."""
    for parent, _, names in os.walk(folder):
        for name in names:
            fd = os.open(Path(parent) / name, os.O_RDONLY)
            try:
                os.fsync(fd)  # a failure here (EIO) fails the export
            finally:
                os.close(fd)
        sync_folder(Path(parent))


_WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "plover": _write_plover, "gdelt": _write_gdelt}
