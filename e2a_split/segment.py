"""Sentence segmentation: text of one block -> sentences as written.

pysbd (rule-based, per-language abbreviation lists, no model) does the work for
the languages it knows; a language it lacks borrows the rules of a close one
(see ``_BORROW``) and anything else falls back to English rules. Its output is
mapped back onto the input by position, so no character is ever lost or
changed: the sentences, joined with single spaces, are the block's text.
"""
from __future__ import annotations

import functools
import re

import pysbd
import pysbd.languages

# pysbd has no rules for these; borrow those of a close language.
_BORROW = {"pt": "es", "ca": "es", "gl": "es", "uk": "ru", "be": "ru", "cs": "sk",
           "no": "da", "nb": "da", "nn": "da", "sv": "da", "af": "nl"}

# Characters that close a quotation or bracket: they belong to the sentence
# before a boundary, never at the start of the next one.
CLOSERS = "\"'”’»」』）)]》〉›】〕"
_CJK_TERMINAL = re.compile(r"[。！？!?…]+[" + re.escape(CLOSERS) + r"]*")


def base_language(language: str | None) -> str:
    """'fr-FR' -> 'fr', 'zh_Hans' -> 'zh', None/'' -> 'en'."""
    if not language:
        return "en"
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower() or "en"


def segmenter_language(language: str | None) -> str:
    lang = base_language(language)
    lang = _BORROW.get(lang, lang)
    return lang if lang in pysbd.languages.LANGUAGE_CODES else "en"


@functools.lru_cache(maxsize=32)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang, clean=False)


def sentences(text: str, language: str | None = None) -> list[str]:
    """Split ``text`` into sentences as written (stripped, never empty)."""
    text = text.strip()
    if not text:
        return []
    lang = segmenter_language(language)
    try:
        segs = _segmenter(lang).segment(text)
    except Exception:  # a segmenter bug must never lose text
        segs = [text]
    starts = _starts(text, segs)
    if starts is None:  # pysbd changed the text: keep the block whole
        starts = [0]
    starts = _fix_starts(text, starts)
    out = []
    for i, st in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        piece = text[st:end].strip()
        if piece:
            out.append(piece)
    if lang in ("zh", "ja"):
        out = [p for s in out for p in _cjk_split(s)]
    return out


def _starts(text: str, segs: list[str]) -> list[int] | None:
    """Where each segment starts in ``text`` (the first is always 0)."""
    starts: list[int] = []
    cursor = 0
    for seg in segs:
        s = seg.strip()
        if not s:
            continue
        idx = text.find(s, cursor)
        if idx < 0:
            return None
        starts.append(idx)
        cursor = idx + len(s)
    if not starts:
        return None
    starts[0] = 0
    return starts


def _fix_starts(text: str, starts: list[int]) -> list[int]:
    """Drop a boundary that falls just before a closing quote or bracket
    ('他说：“你好。' + '”然后走了。' is one sentence): the closer belongs to
    the text before it."""
    fixed = [starts[0]]
    for st in starts[1:]:
        if text[st] in CLOSERS and _closes(text, st):
            continue
        fixed.append(st)
    return fixed


def _closes(text: str, i: int) -> bool:
    ch = text[i]
    if ch in "\"'":  # a straight quote closes when nothing but space follows it
        return i + 1 >= len(text) or text[i + 1].isspace()
    return True


def _cjk_split(sentence: str) -> list[str]:
    """pysbd sometimes leaves several CJK sentences together; split after
    each terminal mark (with its closing quotes) unless inside quotes."""
    out, start, depth = [], 0, 0
    opens, closes = "“‘「『（《〈【", "”’」』）》〉】"
    i = 0
    while i < len(sentence):
        ch = sentence[i]
        if ch in opens:
            depth += 1
        elif ch in closes:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "。！？":
            m = _CJK_TERMINAL.match(sentence, i)
            end = m.end() if m else i + 1
            if end < len(sentence):
                out.append(sentence[start:end].strip())
                start = end
            i = end
            continue
        i += 1
    out.append(sentence[start:].strip())
    return [s for s in out if s]
