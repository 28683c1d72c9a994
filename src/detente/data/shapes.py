"""The shapes a data file can declare, checked on the parsed YAML node tree.

A shape both checks a node and builds its value, so an error can name the line: YAML
1.1 reads an unquoted ``on``, ``off``, ``yes``, ``no``, ``true``, ``null`` or ``1`` as a
boolean, null or number, and in a word list such a value is a silent bug (``on`` is then
no trim word), so a word must be a YAML string. Lists come back as tuples, mappings as
dicts (shared by every caller: read, never change them).

    Record({"months": MapOf(Integer()), "trim_words": Words()}, optional={"note": Text()})
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import DataError

logger = logging.getLogger(__name__)

_TAG = "tag:yaml.org,2002:"
_KINDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean",
          "null": "null", "timestamp": "a date", "binary": "binary data"}
_QUOTE_ADVICE = ("YAML reads unquoted on/off/yes/no/true/false as booleans, null/~ as null "
                 "and digits as numbers: quote it")


def line_of(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def _found(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kind = _KINDS.get(node.tag.removeprefix(_TAG), node.tag)
    return f"{kind} {node.value!r}"


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> Any:
    """A scalar node's value, typed by its resolved tag (int, float, bool, None, str, date)."""
    return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)


class Shape:
    """What one node must be; :meth:`read` checks it and returns its value."""

    what = "a value"

    def read(self, node: yaml.Node, source: str) -> Any:
        raise NotImplementedError

    def fail(self, node: yaml.Node, source: str, advice: str = "") -> DataError:
        problem = f"expected {self.what}, found {_found(node)}"
        return DataError(source, line_of(node), f"{problem} ({advice})" if advice else problem)


def _is(node: yaml.Node, kind: str) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _TAG + kind


@dataclass(frozen=True)
class Text(Shape):
    """A string (quoted or not): never a boolean, null, number or date read from bare text."""

    what: str = "a string"
    nonempty: bool = True

    def read(self, node: yaml.Node, source: str) -> str:
        if not _is(node, "str"):
            advice = _QUOTE_ADVICE if isinstance(node, yaml.ScalarNode) else ""
            raise self.fail(node, source, advice)
        value = str(node.value)
        if self.nonempty and not value.strip():
            raise DataError(source, line_of(node), f"expected {self.what}, found an empty string")
        return value


@dataclass(frozen=True)
class Literal(Shape):
    """One of a few fixed strings ("X" for a vague number)."""

    values: tuple[str, ...]

    @property
    def what(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(repr(v) for v in self.values)

    def read(self, node: yaml.Node, source: str) -> str:
        if not _is(node, "str") or node.value not in self.values:
            raise self.fail(node, source)
        return str(node.value)


@dataclass(frozen=True)
class Pattern(Shape):
    """A string that is a valid regular expression."""

    what: str = "a regular expression"

    def read(self, node: yaml.Node, source: str) -> str:
        value = Text(self.what).read(node, source)
        try:
            re.compile(value)
        except re.error as exc:
            raise DataError(source, line_of(node), f"not a valid regular expression ({exc})") from exc
        return value


@dataclass(frozen=True)
class Integer(Shape):
    what: str = "an integer"

    def read(self, node: yaml.Node, source: str) -> int:
        if not _is(node, "int"):
            raise self.fail(node, source)
        value: int = _scalar(node)
        return value


@dataclass(frozen=True)
class Number(Shape):
    """An integer or a decimal number (never a boolean)."""

    what: str = "a number"

    def read(self, node: yaml.Node, source: str) -> float:
        if not (_is(node, "int") or _is(node, "float")):
            raise self.fail(node, source)
        return float(_scalar(node))


@dataclass(frozen=True)
class Flag(Shape):
    """A boolean written true or false."""

    what: str = "true or false"

    def read(self, node: yaml.Node, source: str) -> bool:
        if not _is(node, "bool"):
            raise self.fail(node, source)
        return bool(_scalar(node))


@dataclass(frozen=True)
class Date(Shape):
    what: str = "a date (YYYY-MM-DD)"

    def read(self, node: yaml.Node, source: str) -> datetime.date:
        if not _is(node, "timestamp"):
            raise self.fail(node, source)
        value = _scalar(node)
        return value.date() if isinstance(value, datetime.datetime) else value  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Maybe(Shape):
    """``null`` (or ``~``, or nothing after the colon) or ``shape``."""

    shape: Shape

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"null or {self.shape.what}"

    def read(self, node: yaml.Node, source: str) -> Any:
        if _is(node, "null"):
            return None
        return self.shape.read(node, source)


@dataclass(frozen=True)
class OneOf(Shape):
    """The first of ``shapes`` that fits."""

    shapes: tuple[Shape, ...]

    @property
    def what(self) -> str:  # type: ignore[override]
        return " or ".join(s.what for s in self.shapes)

    def read(self, node: yaml.Node, source: str) -> Any:
        for shape in self.shapes:
            try:
                return shape.read(node, source)
            except DataError:
                continue
        raise self.fail(node, source)


@dataclass(frozen=True)
class ListOf(Shape):
    """A list (a tuple when read) whose items all have ``item``'s shape."""

    item: Shape
    nonempty: bool = False

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"a list of {self.item.what}"

    def read(self, node: yaml.Node, source: str) -> tuple[Any, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, source)
        if self.nonempty and not node.value:
            raise DataError(source, line_of(node), f"expected {self.what}, found an empty list")
        return tuple(self.item.read(child, source) for child in node.value)


def Words(nonempty: bool = False) -> ListOf:
    """A list of words or phrases: strings only (``[on, off]`` unquoted is an error)."""
    return ListOf(Text("a word (a string)"), nonempty=nonempty)


@dataclass(frozen=True)
class Row(Shape):
    """A list of fixed length whose items have the given shapes ("[12, 25]")."""

    items: tuple[Shape, ...]

    @property
    def what(self) -> str:  # type: ignore[override]
        return "[" + ", ".join(s.what for s in self.items) + "]"

    def read(self, node: yaml.Node, source: str) -> tuple[Any, ...]:
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != len(self.items):
            raise self.fail(node, source)
        return tuple(s.read(c, source) for s, c in zip(self.items, node.value, strict=True))


def _pairs(node: yaml.Node, source: str, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's (key, value) nodes; duplicate keys are an error (YAML keeps the last)."""
    if not isinstance(node, yaml.MappingNode):
        raise DataError(source, line_of(node), f"expected {what}, found {_found(node)}")
    seen: dict[str, int] = {}
    for key, _value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value in seen:
            raise DataError(source, line_of(key), f"key {key.value!r} repeats line {seen[key.value]}")
        if isinstance(key, yaml.ScalarNode):
            seen[key.value] = line_of(key)
    return list(node.value)


@dataclass(frozen=True)
class MapOf(Shape):
    """A mapping from keys of shape ``key`` (strings by default) to values of shape ``value``."""

    value: Shape
    key: Shape = Text("a key (a string)")

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"a mapping to {self.value.what}"

    def read(self, node: yaml.Node, source: str) -> dict[Any, Any]:
        return {self.key.read(k, source): self.value.read(v, source)
                for k, v in _pairs(node, source, self.what)}


@dataclass(frozen=True)
class Record(Shape):
    """A mapping with these keys, each of its own shape: an unknown or missing key is an
    error. ``optional`` keys may be left out (then absent from the value)."""

    fields: Mapping[str, Shape]
    optional: Mapping[str, Shape] = field(default_factory=dict)
    what: str = "a mapping"

    def read(self, node: yaml.Node, source: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in _pairs(node, source, self.what):
            name = Text("a key (a string)").read(key, source)
            shape = self.fields.get(name) or self.optional.get(name)
            if shape is None:
                known = ", ".join(sorted([*self.fields, *self.optional]))
                raise DataError(source, line_of(key), f"unknown key {name!r} (known: {known})")
            out[name] = shape.read(value, source)
        missing = [name for name in self.fields if name not in out]
        if missing:
            raise DataError(source, line_of(node), f"missing key(s) {', '.join(missing)}")
        return out


@dataclass(frozen=True)
class Anything(Shape):
    """Any value, unchecked: only for documents with a schema of their own (JSON Schema)."""

    what: str = "any value"

    def read(self, node: yaml.Node, source: str) -> Any:
        return yaml.constructor.SafeConstructor().construct_document(node)


@dataclass(frozen=True)
class Table:
    """A tab- or comma-separated table: a header with exactly these ``columns``, then one
    row per line (blank lines and lines opening with ``#`` are comments). Cells are
    strings; ``required`` columns may not be empty, ``numbers`` must parse as numbers and
    ``dates`` be empty or YYYY-MM-DD."""

    columns: tuple[str, ...]
    delimiter: str = "\t"
    required: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    comments: bool = True

    def check_cell(self, column: str, value: str, source: str, line: int) -> None:
        if column in self.required and not value.strip():
            raise DataError(source, line, f"column {column!r} is empty")
        if column in self.numbers:
            try:
                float(value)
            except ValueError:
                raise DataError(source, line, f"column {column!r}: {value!r} is not a number") from None
        if column in self.dates and value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise DataError(source, line, f"column {column!r}: {value!r} is not a date "
                                "(YYYY-MM-DD)") from None
