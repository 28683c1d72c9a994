"""Folders -> the files ingest reads, in a stable order."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from .sources import HTML_SUFFIXES

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".txt.gz")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz")
DOCUMENT_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES


def kind_of(path: Path) -> str:
    """'jsonl', 'warc' or 'document' (a text dump or an HTML page) by file name."""
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return "document"


def walk(folder: Path) -> Iterator[Path]:
    """Every ingestible file under ``folder``, sorted; hidden files and folders are skipped.

    A file counts when its name ends in a text, HTML, JSONL or WARC suffix, or has
    no suffix at all (text dumps are often saved without one). Whatever the names
    say, the reader opens only regular files: a FIFO, device or socket found here is
    reported and skipped there. Links to folders are not followed; a folder that
    cannot be listed is logged (a warning) and passed over.
    """
    for root, dirs, files in os.walk(folder, onerror=_unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            lower = name.lower()
            if lower.endswith(DOCUMENT_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES) or "." not in name:
                yield Path(root) / name


def _unreadable(error: OSError) -> None:
    logger.warning("%s: cannot list the folder (%s); its files were skipped",
                   error.filename, error.strerror or error)
