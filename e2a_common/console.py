"""stderr logging, progress and the edge where errors become exit codes."""
from __future__ import annotations

import functools
import os
import sys
import time
from typing import Callable

import click

from .errors import E2AError, EXIT_INTERRUPTED

_prog = "e2a"
_quiet = False


def set_prog(name: str) -> None:
    global _prog
    _prog = name


def set_quiet(q: bool) -> None:
    global _quiet
    _quiet = q


def log(msg: str) -> None:
    if not _quiet:
        print(f"{_prog}: {msg}", file=sys.stderr, flush=True)


def warn(msg: str) -> None:
    """A warning on stderr; -q/--quiet (only errors) hides it too."""
    if _quiet:
        return
    print(f"{_prog}: warning: {msg}", file=sys.stderr, flush=True)


def _fmt_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Progress on stderr: done/total, audio made, ETA. Draws in place on a
    terminal; otherwise silent unless ``force`` (then one line per ``every`` s)."""

    def __init__(self, total: int | None, label: str, *, force: bool | None = None,
                 every: float = 5.0, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.label = label
        self.done = 0
        self.skipped = 0
        self.audio_s = 0.0
        self.start = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        env = os.environ.get("E2A_PROGRESS")
        if force is None:
            force = env == "1" if env is not None else False
        self.enabled = (self.tty or force) and not _quiet and env != "0"
        self.every = 0.2 if self.tty else every
        self._last = 0.0

    def update(self, n: int = 1, *, audio_s: float = 0.0, skipped: bool = False) -> None:
        self.done += n
        self.audio_s += audio_s
        if skipped:
            self.skipped += n
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.every or self.done == self.total):
            self._last = now
            self._draw(now)

    def line(self, now: float | None = None) -> str:
        now = now or time.monotonic()
        elapsed = now - self.start
        total = f"/{self.total}" if self.total else ""
        parts = [f"{self.label} {self.done}{total}"]
        if self.skipped:
            parts.append(f"{self.skipped} already done")
        if self.audio_s:
            parts.append(f"{self.audio_s / 3600:.2f} h audio")
        worked = self.done - self.skipped
        if self.total and worked > 0 and self.done < self.total:
            eta = elapsed / worked * (self.total - self.done)
            parts.append(f"ETA {_fmt_duration(eta)}")
        parts.append(f"elapsed {_fmt_duration(elapsed)}")
        return f"{_prog}: " + ", ".join(parts)

    def _draw(self, now: float) -> None:
        end = "\r" if self.tty else "\n"
        self.stream.write("\x1b[2K" + self.line(now) + end if self.tty else self.line(now) + end)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def cli_entry(prog: str) -> Callable:
    """Wrap a click command's main: E2AError -> one line on stderr and its exit
    code; broken pipe -> quiet; Ctrl-C -> 130. E2A_DEBUG=1 re-raises."""

    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def main(*args, **kwargs):
            set_prog(prog)
            try:
                return fn(*args, standalone_mode=False, **kwargs)
            except click.exceptions.Exit as exc:
                sys.exit(exc.exit_code)
            except click.ClickException as exc:
                exc.show()
                sys.exit(exc.exit_code)
            except click.exceptions.Abort:
                print(f"{prog}: interrupted", file=sys.stderr)
                sys.exit(EXIT_INTERRUPTED)
            except E2AError as exc:
                if os.environ.get("E2A_DEBUG"):
                    raise
                print(f"{prog}: error: {exc}", file=sys.stderr)
                _exit_now(exc.exit_code)
            except BrokenPipeError:
                _quiet_broken_pipe()
                sys.exit(0)
            except SystemExit as exc:
                # click turns EPIPE into sys.exit(1) after wrapping stdout in
                # its PacifyFlushWrapper: a closed stdout must end with 0
                if exc.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
                    _quiet_broken_pipe()
                    sys.exit(0)
                raise
            except KeyboardInterrupt:
                print(f"\n{prog}: interrupted", file=sys.stderr)
                sys.exit(EXIT_INTERRUPTED)
        return main
    return deco


def _exit_now(code: int) -> None:
    """Exit after an error without interpreter shutdown: a daemon thread may be
    blocked reading stdin (e2a-speak reads ahead), and CPython aborts when
    shutdown cannot take stdin's lock. Cleanup has already run: the error
    unwound every ``finally`` on its way here."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _quiet_broken_pipe() -> None:
    # Python flushes stdout at exit; point it at devnull so that flush is silent.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
