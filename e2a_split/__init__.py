"""e2a-split: text blocks -> sentences an engine can speak.

``split(records)`` is a generator: it consumes ``block`` records and yields
``sentence`` records in their place; every other record passes through
untouched and in order. It reads lazily: each block's sentences come out as
soon as the block is read, except the block's last sentence, which waits for
the next record (or the end of the stream) so that its pause can say whether
the chapter ended there.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from e2a_common.errors import PluginError, RecordError
from e2a_common.records import BLOCK, BOOK, CHAPTER, PAUSES, SENTENCE

from e2a_common.console import warn

from .chunk import cut, merge_short
from .lexicon import Lexicon, from_hints
from .lexicon import load as load_lexicon
from .normalize import speakable
from .segment import base_language, sentences

__all__ = ["split", "split_block", "resolve_max_chars", "sentence_id", "load_lexicon",
           "Lexicon", "DEFAULT_MAX_CHARS", "MIN_CHARS"]

DEFAULT_MAX_CHARS = 400
MIN_CHARS = 8          # a sentence with fewer letters/digits joins a neighbour
DEFAULT_ENGINE = "piper"
_BLOCK_FIELDS = {"kind", "chapter", "index", "type", "text", "language", "phonemes"}


UNKNOWN_LANGUAGE = "und"      # BCP 47 "undetermined"
NEUTRAL_LANGUAGE = "en"       # rules used for a book whose language is unknown
_UNKNOWN_TAGS = {"und", "mul", "zxx", "mis", "-"}


def known_language(tag) -> str | None:
    """``tag`` stripped, or None when it says nothing: missing, not a string,
    empty, or one of BCP 47's non-languages (``und`` undetermined, ``mul``,
    ``zxx``, ``mis``). A sentence of a book whose language is unknown keeps
    ``language: "und"`` (so that e2a-speak knows), and is segmented and
    normalised with the neutral default rules."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    tag = tag.strip()
    return None if tag.lower() in _UNKNOWN_TAGS else tag


def sentence_id(chapter: int, position: int) -> str:
    return f"c{chapter:04d}-s{position:05d}"


def _engine(engine: str | None, pm=None):
    """The named engine (an unknown name is a PluginError), else the default
    engine if installed, else None."""
    from e2a_common import plugins
    if engine:
        return plugins.get_engine(engine, pm)
    try:
        return plugins.get_engine(DEFAULT_ENGINE, pm)
    except PluginError:
        return None


def resolve_max_chars(max_chars: int | None = None, engine: str | None = None,
                      pm=None) -> int:
    """The longest ``text`` a sentence may have: ``max_chars`` if given, else
    the named engine's ``max_chars`` (an unknown engine is an error), else the
    default engine's if it is installed, else 400."""
    if max_chars is not None:
        if max_chars < 1:
            raise ValueError("max_chars must be positive")
        return max_chars
    eng = _engine(engine, pm)
    return int(getattr(eng, "max_chars", DEFAULT_MAX_CHARS) or DEFAULT_MAX_CHARS)


def _user_lexicon(lexicon) -> Lexicon | None:
    if lexicon is None or isinstance(lexicon, Lexicon):
        return lexicon
    paths = [lexicon] if isinstance(lexicon, (str, bytes)) or hasattr(lexicon, "__fspath__") \
        else list(lexicon)
    lex = Lexicon()
    for p in paths:
        lex.merge(load_lexicon(p))
    return lex


def _book_lexicon(book: dict) -> Lexicon | None:
    """PLS files the extractor found in the EPUB: book field ``lexicons``, a
    list of paths (or of {"path": ...} objects)."""
    items = book.get("lexicons") or []
    if not isinstance(items, list):
        return None
    lex = Lexicon()
    for item in items:
        path = item.get("path") if isinstance(item, dict) else item
        if not isinstance(path, str):
            continue
        try:
            lex.merge(load_lexicon(path))
        except Exception as exc:  # the book's own lexicon must not stop the run
            warn(f"ignoring the book's lexicon: {exc}")
    return lex or None


def _fit(original: str, language: str, limit: int, heading: bool,
         say: dict, tokens: tuple | None = None) -> list[tuple[str, str]]:
    """(original, spoken) pieces of one sentence, each spoken text within the
    limit (characters, and tokens when ``tokens`` = (count, max_tokens))."""
    def overflow(spoken: str) -> float:
        """How many times too long ``spoken`` is (<= 1: it fits)."""
        ratio = len(spoken) / limit
        if tokens:
            count, max_tokens = tokens
            ratio = max(ratio, count(spoken) / max_tokens)
        return ratio

    out: list[tuple[str, str]] = []
    stack = [(p, limit) for p in reversed(cut(original, limit))]
    while stack:
        piece, lim = stack.pop()
        spoken = speakable(piece, language, heading=heading, **say)
        if not spoken:
            continue
        over = overflow(spoken)
        if over <= 1:
            out.append((piece, spoken))
            continue
        # the spoken form grew (numbers, abbreviations) or has too many tokens:
        # cut the written one finer
        smaller = max(1, int(min(lim, len(piece)) / over) - 1)
        parts = cut(piece, smaller) if smaller < len(piece) else [piece]
        if len(parts) > 1:
            stack.extend((p, smaller) for p in reversed(parts))
            continue
        # one word that speaks longer than the limit: cut the spoken text itself
        pending = cut(spoken, limit)
        first = True
        while pending:
            sp = pending.pop(0)
            if overflow(sp) > 1 and len(sp) > 1:
                pending[:0] = cut(sp, max(1, int(len(sp) / overflow(sp))))
                continue
            out.append((piece if first else "", sp))
            first = False
    return out


def split_block(text: str, language: str, limit: int, *, heading: bool = False,
                min_chars: int = MIN_CHARS, lexicon: Lexicon | None = None,
                phoneme_markup: str | None = None,
                tokens: tuple | None = None) -> list[tuple[str, str, bool]]:
    """One block's text -> [(original, spoken, ends_sentence)], never empty
    strings in ``spoken``; ``ends_sentence`` is False for a clause piece cut
    from a longer sentence. Line breaks (verse) end sentences."""
    sep = "" if language in ("zh", "ja") else " "
    sents = [s for line in text.split("\n") for s in sentences(line, language)]
    if "\n" not in text:  # a CJK character carries a syllable or more: half the letters
        sents = merge_short(sents, limit, min_chars // 2 if sep == "" else min_chars, sep=sep)
    say = {"lexicon": lexicon, "phoneme_markup": phoneme_markup}
    out: list[tuple[str, str, bool]] = []
    for s in sents:
        pieces = _fit(s, language, limit, heading, say, tokens)
        for i, (orig, spoken) in enumerate(pieces):
            out.append((orig, spoken, i == len(pieces) - 1))
    return out


def _combine(*lexicons: Lexicon | None) -> Lexicon | None:
    present = [x for x in lexicons if x]
    if len(present) <= 1:
        return present[0] if present else None
    out = Lexicon()
    for x in present:  # earlier ones win
        out.merge(x)
    return out


def _longer(a: str, b: str) -> str:
    return a if PAUSES.index(a) >= PAUSES.index(b) else b


def _required(rec: dict) -> tuple[str, int]:
    """A block's ``text`` and ``chapter``, both required (docs/records.md): a
    block without its chapter is an error, never guessed (RecordError naming
    the input line)."""
    line = rec.get("_line")
    for name in ("text", "chapter"):
        if name not in rec or rec[name] is None:
            raise RecordError(f"block record has no {name}", line=line)
    text, ch = rec["text"], rec["chapter"]
    if not isinstance(text, str):
        raise RecordError(f"block record has a bad text (not a string): {_short(text)}", line=line)
    if not isinstance(ch, int) or isinstance(ch, bool) or ch < 0:
        raise RecordError(f"block record has a bad chapter: {_short(ch)}", line=line)
    return text, ch


def _short(value) -> str:
    r = repr(value)
    return r if len(r) <= 40 else r[:37] + "..."


def split(records: Iterable[dict], *, language: str | None = None,
          max_chars: int | None = None, engine: str | None = None,
          lexicon=None, min_chars: int = MIN_CHARS, pm=None) -> Iterator[dict]:
    """Blocks -> sentences (see the module docstring and docs/split.md).

    ``language`` overrides the book's; ``max_chars`` overrides the engine's
    limit; ``engine`` names the engine whose limit applies and whose
    ``phoneme_markup`` (if any) carries phonemes; ``lexicon`` is a path, a
    list of paths or a Lexicon (TSV or PLS), applied before the book's own.
    """
    eng = _engine(engine, pm)
    if max_chars is not None:
        limit = resolve_max_chars(max_chars)
    else:
        limit = int(getattr(eng, "max_chars", DEFAULT_MAX_CHARS) or DEFAULT_MAX_CHARS)
    markup = getattr(eng, "phoneme_markup", None) if eng is not None else None
    tokens = None
    if eng is not None and callable(getattr(eng, "count_tokens", None)) \
            and isinstance(getattr(eng, "max_tokens", None), int) and eng.max_tokens > 0:
        tokens = (eng.count_tokens, eng.max_tokens)
    if markup is not None and (not isinstance(markup, str) or "{}" not in markup):
        markup = None
    user_lex = _user_lexicon(lexicon)
    book_lex: Lexicon | None = None
    base_lex = user_lex
    book_tag: str | None = None       # the book's language as written (BCP 47)
    warned_unknown = False
    chapter = 0
    positions: dict[int, int] = {}
    held: dict | None = None          # the last sentence of the last block
    queue: list[dict] = []            # records that arrived after it

    def release(pause: str | None) -> Iterator[dict]:
        nonlocal held
        if held is not None:
            if pause:
                held["pause"] = _longer(held["pause"], pause)
            yield held
            held = None
        yield from queue
        queue.clear()

    for rec in records:
        kind = rec.get("kind")
        if kind == BOOK:
            yield from release("chapter")
            book_tag = known_language(rec.get("language"))
            if book_tag is None and not known_language(language) and not warned_unknown:
                warned_unknown = True
                src = rec.get("source") or rec.get("title") or "the book"
                warn(f"{src}: the book's language is unknown "
                     f"({rec.get('language')!r}); splitting with neutral ({NEUTRAL_LANGUAGE}) "
                     "rules; pass --language to choose")
            book_lex = _book_lexicon(rec)
            base_lex = _combine(user_lex, book_lex)
            yield rec
        elif kind == CHAPTER:
            yield from release("chapter")
            if isinstance(rec.get("index"), int):
                chapter = rec["index"]
            yield rec
        elif kind == BLOCK:
            text, ch = _required(rec)
            if ch != chapter:
                yield from release("chapter")
                chapter = ch
            tag = (known_language(language) or known_language(rec.get("language"))
                   or book_tag or UNKNOWN_LANGUAGE)
            lang = base_language(tag) if tag != UNKNOWN_LANGUAGE else NEUTRAL_LANGUAGE
            heading = rec.get("type") == "heading"
            hints = from_hints(rec.get("phonemes")) if markup else None
            lex = _combine(user_lex, hints, book_lex) if hints else base_lex
            pieces = split_block(text, lang, limit, heading=heading, min_chars=min_chars,
                                 lexicon=lex, phoneme_markup=markup, tokens=tokens)
            if not pieces:
                continue  # nothing speakable: the held sentence keeps waiting
            yield from release(None)
            extra = {k: v for k, v in rec.items() if k not in _BLOCK_FIELDS}
            for i, (orig, spoken, ends) in enumerate(pieces):
                pos = positions.get(ch, 0)
                positions[ch] = pos + 1
                last = i == len(pieces) - 1
                pause = ("heading" if heading else "paragraph") if last else \
                        ("sentence" if ends else "none")
                sent = {"kind": SENTENCE, "id": sentence_id(ch, pos), "chapter": ch,
                        "position": pos, "text": spoken, "original": orig,
                        "pause": pause, "language": tag, **extra}
                if last:
                    held = sent
                else:
                    yield sent
        else:
            if held is not None:
                queue.append(rec)
            else:
                yield rec
    yield from release("chapter")
