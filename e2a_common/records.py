"""The record contract shared by every stage (see docs/records.md).

Records are plain JSON objects with a ``kind`` field. Each stage reads the
kinds it knows, adds fields or new records, and passes every other record and
every unknown field through untouched, so stages compose and plugins can add
fields. The TypedDicts below are the one definition of each kind.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, TypedDict

from .errors import RecordError

BOOK = "book"
CHAPTER = "chapter"
BLOCK = "block"
SENTENCE = "sentence"
SPOKEN = "spoken"
AUDIO = "audio"  # emitted once by e2a-speak: where the workdir is, the sample rate

# Pause hints, from shortest to longest. e2a-bind turns them into silence.
PAUSES = ("none", "sentence", "paragraph", "heading", "chapter")


class Book(TypedDict, total=False):
    kind: str            # "book"
    title: str
    authors: list[str]
    language: str        # BCP 47, e.g. "en", "fr-FR"
    cover: str | None    # absolute path of the extracted cover image
    identifiers: dict[str, str]
    source: str          # the ebook's path as given
    book_hash: str       # sha256 prefix of the ebook's bytes


class Chapter(TypedDict, total=False):
    kind: str            # "chapter"
    index: int           # 0-based reading order among emitted chapters
    title: str
    role: str            # "body", "front" or "back"


class Block(TypedDict, total=False):
    kind: str            # "block"
    chapter: int
    index: int           # 0-based within the chapter
    type: str            # "heading" or "paragraph" (plugins may add others)
    text: str


class Sentence(TypedDict, total=False):
    kind: str            # "sentence"
    id: str              # stable: same book, same ids
    chapter: int
    position: int        # 0-based within the chapter
    text: str            # what the engine speaks
    original: str        # the text as written in the book
    pause: str           # one of PAUSES: silence after this sentence
    language: str


class Spoken(Sentence, total=False):
    # kind "spoken": a sentence plus its audio
    audio: str           # path relative to the workdir
    duration: float      # seconds
    sample_rate: int


class Audio(TypedDict, total=False):
    kind: str            # "audio"
    workdir: str
    engine: str
    voice: str
    sample_rate: int


def require(record: dict, fields: Iterable[str]) -> dict:
    """Raise RecordError when a record lacks a required field."""
    missing = [f for f in fields if f not in record]
    if missing:
        raise RecordError(f"{record.get('kind')} record lacks field(s): {', '.join(missing)}",
                          line=record.get("_line"))
    return record


def strip_private(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def of_kind(records: Iterable[dict], kind: str) -> Iterator[dict]:
    return (r for r in records if r.get("kind") == kind)


def make(kind: str, **fields: Any) -> dict:
    return {"kind": kind, **fields}
