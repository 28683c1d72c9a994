"""detente's data files (lexicons, codebook, schema, sample corpus) and the one way to read them.

Every YAML, TSV, CSV and JSON file here declares its shape in :mod:`detente.data.files`;
:func:`read_yaml`, :func:`read_table` and :func:`read_json` read a file once per process
(cached), check it against that shape and raise :class:`~detente.errors.DataError`,
naming the file and the line, when it does not fit. A file without a declared shape
cannot be read. Other files (the line model, SQL migrations, the sample corpus) are
reached by name through :func:`data_path` / :func:`read_text`, so every module finds
its data the same way.

    lexicon = read_yaml("time/lexicon.yaml")    # a dict, checked against its Record
    rows = read_table("codebook/states.tsv")     # a tuple of {column: cell} dicts
"""

from __future__ import annotations

import csv
import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from ..errors import DataError
from .files import FILES
from .shapes import Shape, Table, line_of

logger = logging.getLogger(__name__)

__all__ = [
    "DataError", "data_folder", "data_path", "file_path", "parse_table", "parse_yaml", "read", "read_json",
    "read_table", "read_text", "read_yaml", "shape_of",
]

# libyaml's C parser reads the lexicons ~10x faster than the pure-Python one; every
# worker process loads them once, so this is start-up time on every ingest.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "yaml", ".tsv": "table", ".csv": "table"}


def data_path(name: str) -> Traversable:
    """The packaged data file ``name`` ("time/lexicon.yaml"), which must exist."""
    path = resources.files(__name__).joinpath(name)
    if not path.is_file():
        raise DataError(f"detente/data/{name}", None, "missing from the installation: reinstall detente")
    return path


def data_folder(name: str) -> Traversable:
    """The packaged data folder ``name`` ("store/migrations"), which must exist."""
    path = resources.files(__name__).joinpath(name)
    if not path.is_dir():
        raise DataError(f"detente/data/{name}", None, "missing from the installation: reinstall detente")
    return path


@contextmanager
def file_path(name: str) -> Iterator[Path]:
    """A real file-system path to ``name`` for libraries that need one (numpy.load)."""
    with resources.as_file(data_path(name)) as path:
        yield path


def read_text(name: str) -> str:
    """The text of a packaged file with no shape to check (SQL, samples, documentation)."""
    path = data_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), None, f"cannot be read ({exc}): reinstall detente") from exc


def shape_of(name: str) -> Shape | Table:
    """The shape ``name`` declares in :mod:`detente.data.files`."""
    shape: Shape | Table | None = FILES.get(name)
    if shape is None:
        raise DataError(f"detente/data/{name}", None,
                        "declares no shape: add it to FILES in detente/data/files.py")
    return shape


@functools.cache
def read_yaml(name: str) -> Any:
    """The YAML (or JSON) file ``name``, checked against its declared shape (cached)."""
    shape = shape_of(name)
    if not isinstance(shape, Shape):
        raise DataError(f"detente/data/{name}", None, "declares a table shape: use read_table")
    return parse_yaml(read_text(name), shape, str(data_path(name)))


read_json = read_yaml  # JSON is read with the YAML parser, for its line numbers


@functools.cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """The TSV/CSV table ``name``, checked against its declared columns (cached)."""
    table = shape_of(name)
    if not isinstance(table, Table):
        raise DataError(f"detente/data/{name}", None, "declares no table shape: use read_yaml")
    return parse_table(read_text(name), table, str(data_path(name)))


def read(name: str) -> Any:
    """Any declared data file, by its suffix (YAML and JSON: a value; TSV, CSV: rows)."""
    kind = _SUFFIXES.get(Path(name).suffix)
    if kind is None:
        raise DataError(f"detente/data/{name}", None, "is no YAML, JSON, TSV or CSV file")
    return read_yaml(name) if kind == "yaml" else read_table(name)


def parse_yaml(text: str, shape: Shape, source: str) -> Any:
    """``text`` parsed and checked against ``shape``; ``source`` names it in errors."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise DataError(source, line, f"not valid YAML ({exc.problem})") from exc
    except yaml.YAMLError as exc:
        raise DataError(source, None, f"not valid YAML ({exc})") from exc
    if node is None:
        raise DataError(source, None, "is empty")
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        raise DataError(source, line_of(node), "holds a bare string, not a document")
    return shape.read(node, source)


def parse_table(text: str, table: Table, source: str) -> tuple[dict[str, str], ...]:
    """``text`` as rows of ``table``'s columns; ``source`` names it in errors."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not (table.comments and line.startswith("#"))]
    if not numbered:
        raise DataError(source, None, "holds no header")
    lines = [line for _, line in numbered]
    cells = (csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE) if table.delimiter == "\t"
             else csv.reader(lines, delimiter=table.delimiter))
    header_line = numbered[0][0]
    header = tuple(next(cells))
    if header != table.columns:
        raise DataError(source, header_line,
                        f"header {list(header)} is not the declared {list(table.columns)}")
    rows = []
    for (number, _), row in zip(numbered[1:], cells, strict=True):
        if len(row) != len(header):
            raise DataError(source, number, f"{len(row)} cells, expected {len(header)}")
        for column, value in zip(header, row, strict=True):
            table.check_cell(column, value, source, number)
        rows.append(dict(zip(header, row, strict=True)))
    return tuple(rows)
