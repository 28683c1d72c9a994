"""Exports of stored events: JSON Lines, CSV, Parquet, PLOVER/POLECAT JSON, GDELT 2.0 TSV.

``jsonl`` writes the stored articles with their full results (the contract);
the others write one row per merged event. This module only formats: every read
is a store query (``detente.store``), streamed row by row.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import logging
import sys
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from .data import read_table
from .errors import DetenteError
from .outputs import atomic_output, is_terminal
from .store import Database, Filters, SourcedEvent
from .terminal import TerminalWriter, printable

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "parquet", "plover", "gdelt")

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


def export(db: Database, fmt: str, output: str | None, filters: Filters | None = None) -> ExportSummary:
    """Write ``db``'s matching events (articles, for jsonl) to ``output`` (None or '-': stdout).

    A file is written whole or not at all (``detente.outputs.atomic_output``): an existing
    one is replaced only once the export has succeeded.
    """
    filters = filters or Filters()
    if fmt not in FORMATS:
        raise DetenteError(f"unknown export format '{fmt}': use one of {', '.join(FORMATS)}")
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


_WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "plover": _write_plover, "gdelt": _write_gdelt}
