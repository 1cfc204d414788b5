"""The objects plugins hand to ``register``. Subclass these (or duck-type them).

A plugin module looks like::

    from e2a_common import hookimpl, Engine, Voice

    class MyEngine(Engine):
        name = "mine"
        ...

    @hookimpl
    def register_engines(register):
        register(MyEngine())
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # numpy is imported by engines, not by every command
    import numpy as np


# ---------------------------------------------------------------- extractors
@dataclass
class ExtractOptions:
    assets_dir: Path | None = None      # where the cover image is written
    keep_front_matter: bool = False     # keep title page, imprint, TOC, licence...
    notes: str = "skip"                 # "skip" or "end" (read at the end of the chapter)
    image_alt: bool = False             # read images' alt text
    extra: dict[str, Any] = field(default_factory=dict)


class Extractor:
    name: str = ""
    description: str = ""
    extensions: tuple[str, ...] = ()

    def sniff(self, path: Path, head: bytes) -> int:
        """How sure this extractor is that it reads ``path`` (0 = not mine).
        ``head`` holds the file's first 4 KiB. Content beats extension."""
        return 0

    def extract(self, path: Path, options: ExtractOptions) -> Iterator[dict]:
        """Yield one book record, then chapter records each followed by its
        block records (see docs/records.md)."""
        raise NotImplementedError


# ------------------------------------------------------------------- engines
@dataclass
class VoiceInfo:
    engine: str
    name: str
    language: str
    installed: bool
    description: str = ""


class Voice:
    """A loaded voice. ``identity`` plus ``settings`` must cover everything that
    changes the audio: they go into every sentence's cache key."""

    engine: str = ""
    identity: str = ""          # e.g. "en_US-joe-medium@<sha of model>"
    language: str = ""
    sample_rate: int = 22050
    settings: dict[str, Any] = {}

    # Optional batching: how many texts one synthesize_batch() call takes well
    # (1 = the voice cannot batch; e2a-speak then calls synthesize()).
    batch_size: int = 1

    def synthesize(self, text: str) -> np.ndarray:
        """Return mono float32 samples in [-1, 1] at ``sample_rate``.

        A voice that makes 16-bit PCM natively may also offer
        ``synthesize_pcm16(text) -> int16 array``; e2a-speak then writes those
        samples to FLAC as they are (espeak-ng does)."""
        raise NotImplementedError

    def synthesize_batch(self, texts: list[str]) -> list[np.ndarray]:
        """One array per text, in order, each what ``synthesize(text)`` returns.
        Override to speak several texts in one pass (a GPU's speed path); this
        default speaks them one at a time."""
        return [self.synthesize(t) for t in texts]

    def close(self) -> None:
        pass


class Engine:
    name: str = ""
    description: str = ""
    languages: tuple[str, ...] = ()   # ISO 639-1 codes; empty = any
    max_chars: int = 400              # longest text one synthesize() call takes well
    # Optional, read by e2a-split: a token limit besides max_chars (declare
    # max_tokens and a method count_tokens(text) -> int), and how synthesize()
    # takes inline IPA phonemes, as a format string (Piper: "[[ {} ]]").
    max_tokens: int | None = None
    phoneme_markup: str | None = None
    supports_gpu: bool = False
    supports_batch: bool = False      # some voices have batch_size > 1 (Voice.synthesize_batch)

    def load_voice(self, voice: str | None = None, *, language: str | None = None,
                   gpu: bool = False, settings: dict[str, Any] | None = None) -> Voice:
        raise NotImplementedError

    def list_voices(self, language: str | None = None) -> list[VoiceInfo]:
        return []


# ------------------------------------------------------------------- formats
@dataclass
class ChapterMark:
    index: int
    title: str
    start_ms: int
    end_ms: int


@dataclass
class BindJob:
    audio: Path                    # the whole book as one mono FLAC
    sample_rate: int
    duration_ms: int
    chapters: list[ChapterMark]
    metadata: dict[str, Any]       # title, authors, language, narrator, ...
    cover: Path | None
    output: Path                   # write here (a temporary name; bind renames it)
    options: dict[str, Any] = field(default_factory=dict)


class OutputFormat:
    name: str = ""
    description: str = ""
    extension: str = ""

    def write(self, job: BindJob) -> None:
        raise NotImplementedError
