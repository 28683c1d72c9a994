"""The weekly digest as Markdown, self-contained HTML (fit for email) and JSON.

Page text is hostile input (titles and quotes can carry markup), so both templates are
safe by default: the HTML one with Jinja's autoescape, the Markdown one with a
``finalize`` hook that escapes every value it prints (markup characters become entities,
Markdown punctuation is backslash-escaped, line breaks are flattened), so no value can
open a tag, a link or a heading. Links are written only for ``http(s)`` URLs.

The HTML has no external resource at all: CSS in one ``<style>`` element, the chart as
inline SVG (:mod:`detente.analysis.svg`), no script, no web font; article links are plain
``<a href>``. It is well-formed XML as well as HTML.
"""

from __future__ import annotations

import json
import logging
import math
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .digest import Digest
from .svg import Series, stacked_bars

logger = logging.getLogger(__name__)

FORMATS = ("md", "html", "json")
# Quad classes: name and colour (cooperation blue/green, conflict orange/red).
QUADS = (("verbal cooperation", "#2e86c1"), ("material cooperation", "#17a589"),
         ("verbal conflict", "#e67e22"), ("material conflict", "#c0392b"))

# Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What can start emphasis, code, a link, a table cell or strike-through inside a line.
_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")


class MarkdownSafe(str):
    """Text already fit for the Markdown template (a checked URL): printed as it is."""


def clean(text: str) -> str:
    """Text without the control characters XML cannot carry."""
    return _NOT_XML.sub("", text)


def md_escape(value: Any) -> str:
    """Any value -> inert Markdown text: one line, markup and punctuation escaped."""
    if value is None:
        return ""
    if isinstance(value, MarkdownSafe):
        return str(value)
    text = " ".join(clean(str(value)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCT.sub(r"\\\1", text)


def web_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) address, else None (never a javascript: link)."""
    if not isinstance(value, str):
        return None
    url = clean(value.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url


def md_url(url: Any) -> MarkdownSafe:
    """An http(s) URL fit for ``[text](url)``, or '' when there is none."""
    checked = web_url(url)
    if checked is None:
        return MarkdownSafe("")
    for char, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C")):
        checked = checked.replace(char, code)
    return MarkdownSafe(checked)


def md_source(item: Any) -> MarkdownSafe:
    """An evidence item or quote's article as ``[title](url)``, or its title alone."""
    title = md_escape(_get(item, "title") or f"article {_get(item, 'article_id')}")
    url = md_url(_get(item, "url"))
    return MarkdownSafe(f"[{title}]({url})" if url else title)


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _html_finalize(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return "" if value is None else value


def number(value: Any, places: int = 2) -> str:
    """A score for people: rounded, '-' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{places}f}"
    return str(value)


def counted(n: int, one: str, many: str) -> str:
    """``1 story``, ``2 stories``."""
    return f"{n} {one if n == 1 else many}"


def weekday(day: str) -> str:
    """``2022-01-24`` -> ``Mon 24``."""
    when = date.fromisoformat(day)
    return f"{when.strftime('%a')} {when.day}"


def _environment(markdown: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("detente", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("md.j2",)),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        finalize=md_escape if markdown else _html_finalize,
    )
    env.filters.update(counted=counted, md_source=md_source, num=number, weekday=weekday, web_url=web_url, md_url=md_url)
    return env


_ENVIRONMENTS: dict[bool, Environment] = {}


def _template(name: str) -> Any:
    markdown = name.endswith(".md.j2")
    if markdown not in _ENVIRONMENTS:
        _ENVIRONMENTS[markdown] = _environment(markdown)
    return _ENVIRONMENTS[markdown].get_template(name)


def chart(found: Digest) -> str:
    """The week's events a day by quad class, as inline SVG."""
    labels = [weekday(d.day) for d in found.daily]
    series = [Series(name, colour, [d.quads[i] for d in found.daily])
              for i, (name, colour) in enumerate(QUADS)]
    return stacked_bars(labels, series, title=f"Events a day by quad class, {found.week}")


def render_markdown(found: Digest) -> str:
    return str(_template("digest.md.j2").render(d=found, quads=QUADS))


def render_html(found: Digest) -> str:
    return str(_template("digest.html.j2").render(d=found, quads=QUADS, chart=Markup(chart(found))))


def render_json(found: Digest) -> str:
    return json.dumps(_plain(found.to_dict()), ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    """JSON values only: NaN and infinities as null, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def render(found: Digest, form: str) -> str:
    """The digest in ``form``: one of :data:`FORMATS`."""
    if form == "md":
        return render_markdown(found)
    if form == "html":
        return render_html(found)
    if form == "json":
        return render_json(found)
    raise ValueError(f"unknown digest format {form!r}: use one of {', '.join(FORMATS)}")
