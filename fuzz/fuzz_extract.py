"""Fuzz target (atheris/libFuzzer): the text-dump and HTML extraction paths.

Each input's first byte picks the path (``T``: a text dump, ``H``: an HTML page;
any other byte: its low bit), the rest is the document, decoded as UTF-8 with
replacement. Extraction may refuse an input with ``InputError``; any other exception
is a crash. Run it by hand for as long as you like::

    .venv/bin/python fuzz/fuzz_extract.py -max_total_time=600 /tmp/corpus fuzz/corpus

(libFuzzer adds what it finds to the first folder named: give a scratch copy, not
``fuzz/corpus``). ``tests/test_fuzz.py`` runs it for a bounded time in CI.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["detente"]):
    from detente.errors import InputError
    from detente.extract import extract_article
    from detente.model import RawDocument


def raw_document(data: bytes) -> RawDocument:
    """The document an input stands for (see the module's docstring)."""
    head = data[:1]
    html = head == b"H" or (head not in (b"", b"T") and head[0] & 1 == 1)
    text = data[1:].decode("utf-8", errors="replace")
    return RawDocument(id="fuzz", html=text, source="<fuzz>") if html else \
        RawDocument(id="fuzz", text=text, source="<fuzz>")


def TestOneInput(data: bytes) -> None:  # the name atheris expects
    raw = raw_document(data)
    try:
        article = extract_article(raw)
    except InputError:
        return
    if not isinstance(article.body, str) or not isinstance(article.language, str):
        raise TypeError(f"extraction returned a malformed article: {article!r:.200}")


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
