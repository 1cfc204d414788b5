"""JSON Lines in and out: lazy reading, one flushed compact object per line."""
from __future__ import annotations

import json
import re
import sys
from typing import IO, Iterable, Iterator

from .errors import RecordError

# a JSON escape of a surrogate code point (paired or lone): only then can a
# parsed string hold a lone surrogate, which no UTF-8 text can carry
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(obj) -> str | None:
    """The first lone surrogate in any string of ``obj`` (keys too), or None."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return exc.object[exc.start:exc.end]


def read_records(stream: IO | None = None, source: str = "<stdin>") -> Iterator[dict]:
    """Yield one dict per non-blank line, lazily. A bad line (not UTF-8, not
    JSON, nested too deep, not an object, a lone surrogate such as ``"\\ud800"``
    in a string, no ``kind``) raises RecordError naming
    the source and line number. ``stream`` may be text or binary; stdin is read
    as bytes and decoded strictly, so no bad byte is silently replaced."""
    stream = sys.stdin.buffer if stream is None else stream
    lineno = 0
    while True:
        try:
            line = stream.readline()
        except UnicodeDecodeError as exc:
            raise RecordError(f"not UTF-8 text ({exc.reason})", source=source, line=lineno + 1) from None
        if not line:
            return
        lineno += 1
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise RecordError(f"not UTF-8 text (byte 0x{line[exc.start]:02x} at column {exc.start + 1})",
                                  source=source, line=lineno) from None
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})",
                              source=source, line=lineno) from None
        except RecursionError:
            raise RecordError("JSON nested too deeply", source=source, line=lineno) from None
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            raise RecordError(f"unreadable JSON ({str(exc).split(';')[0]})", source=source,
                              line=lineno) from None
        if not isinstance(obj, dict):
            raise RecordError("a record must be a JSON object", source=source, line=lineno)
        if _SURROGATE_ESCAPE.search(line):
            bad = _lone_surrogate(obj)
            if bad is not None:
                raise RecordError(f"a string holds a lone surrogate \\u{ord(bad[0]):04x} "
                                  f"(not Unicode text)", source=source, line=lineno)
        if not isinstance(obj.get("kind"), str):
            raise RecordError("record has no \"kind\" field", source=source, line=lineno)
        obj.setdefault("_line", lineno)
        yield obj


def dumps(record: dict) -> str:
    return json.dumps({k: v for k, v in record.items() if not k.startswith("_")},
                      ensure_ascii=False, separators=(",", ":"))


def write_record(record: dict, stream: IO[str] | None = None) -> None:
    stream = sys.stdout if stream is None else stream
    stream.write(dumps(record) + "\n")
    stream.flush()


def write_records(records: Iterable[dict], stream: IO[str] | None = None) -> int:
    n = 0
    for rec in records:
        write_record(rec, stream)
        n += 1
    return n
