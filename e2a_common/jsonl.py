"""JSON Lines in and out: lazy reading, one flushed compact object per line."""
from __future__ import annotations

import json
import sys
from typing import IO, Iterable, Iterator

from .errors import RecordError


def read_records(stream: IO[str] | None = None, source: str = "<stdin>") -> Iterator[dict]:
    """Yield one dict per non-blank line, lazily. A bad line raises RecordError
    naming the source and line number."""
    stream = sys.stdin if stream is None else stream
    for lineno, line in enumerate(iter(stream.readline, ""), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})",
                              source=source, line=lineno) from None
        if not isinstance(obj, dict):
            raise RecordError("a record must be a JSON object", source=source, line=lineno)
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
