"""Domain errors and the documented exit codes.

Exit codes (every e2a command):
  0  success
  1  runtime or data error (bad input file, malformed record, engine failure)
  2  usage error (unknown option, missing argument) -- click's default
  3  refused: another run holds the session lock
  130 interrupted (Ctrl-C)
A closed stdout (``e2a-extract book.epub | head -1``) ends quietly with 0.
"""
from __future__ import annotations

import re

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable_path(path: str) -> str:
    """``path`` with its control characters (newline, tab, ESC, DEL, C1, line
    separators) escaped as Python does (``\\n``, ``\\x1b``), so that a hostile
    file name can never split an error message or drive the terminal;
    everything else, spaces and non-ASCII letters included, is kept as is."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], path)


class E2AError(Exception):
    """An error the user can act on. Printed as one line, never a traceback."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, path: str | None = None):
        self.path = str(path) if path is not None else None
        super().__init__(message)

    def __str__(self) -> str:  # "book.epub: not a zip archive"
        msg = super().__str__()
        return f"{printable_path(self.path)}: {msg}" if self.path else msg


class InputError(E2AError):
    """The input file (ebook, voice, audio) is missing, corrupt, hostile or unsupported."""


class RecordError(E2AError):
    """A JSON Lines record is malformed or lacks a required field."""

    def __init__(self, message: str, *, source: str = "<stdin>", line: int | None = None):
        where = f"{source}:{line}" if line is not None else source
        super().__init__(message, path=where)
        self.line = line


class EngineError(E2AError):
    """A text-to-speech engine or voice failed or is unavailable."""


class FormatError(E2AError):
    """An output format failed (encoder error, verification failed)."""


class PluginError(E2AError):
    """A plugin is missing, broken, or clashes with another."""


class UnknownPluginError(PluginError):
    """A name given on the command line (engine, format, extractor) that no
    installed plugin provides: a usage error."""

    exit_code = EXIT_USAGE


class LockedError(E2AError):
    exit_code = EXIT_LOCKED
