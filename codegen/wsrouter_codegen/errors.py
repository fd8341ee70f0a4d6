"""Errors that name the spec location they come from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a spec, located by a JSON pointer."""

    source: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}#{self.pointer}: {self.message}"


class SpecError(Exception):
    """Every problem found in the specs; raised once, after collecting them all."""

    def __init__(self, errors: list[Problem]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


class ErrorCollector:
    """Collects :class:`Problem`s for one source so a run reports all of them."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[Problem] = []

    def add(self, pointer: str, message: str) -> None:
        """Record a problem at ``pointer``."""
        self.errors.append(Problem(self.source, pointer, message))

    def raise_if_any(self) -> None:
        """Raise :class:`SpecError` when anything was recorded."""
        if self.errors:
            raise SpecError(self.errors)


def escape_pointer_token(token: str) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    """Undo :func:`escape_pointer_token`."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *tokens: str | int) -> str:
    """``join_pointer("/a", "b/c", 0)`` is ``"/a/b~1c/0"``."""
    return base + "".join("/" + escape_pointer_token(str(token)) for token in tokens)
