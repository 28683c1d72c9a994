"""Sources -> raw documents: files (text dumps, HTML, gzip), stdin, JSON Lines."""

from .sources import ErrorRecord, read_jsonl, read_path, read_stdin, validate

__all__ = ["ErrorRecord", "read_jsonl", "read_path", "read_stdin", "validate"]
