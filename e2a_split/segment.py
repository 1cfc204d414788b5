"""Sentence segmentation: text of one block -> sentences as written.

The segmenter is sentencex (Wikimedia; rule-based, ~300 languages, written in
Rust, no model), chosen by measurement: see ``bench/split_segmenters.py`` and
docs/split.md. pysbd is the fallback (``E2A_SEGMENTER=pysbd``). Either
output is then corrected by the same few rules (a closing quote never starts a
sentence, a lower-case start continues the previous sentence, a title such as
"Dr." or "M." never ends one), and mapped back onto the input by position, so
no character is ever lost or changed.
"""
from __future__ import annotations

import functools
import os
import re

from .langdata import titles

# pysbd lacks these; borrow the rules of a close language
_PYSBD_BORROW = {"pt": "es", "ca": "es", "gl": "es", "uk": "ru", "be": "ru", "cs": "sk",
                 "no": "da", "nb": "da", "nn": "da", "sv": "da", "af": "nl"}

# Characters that close a quotation or bracket: they belong to the sentence
# before a boundary, never at the start of the next one.
CLOSERS = "”’»」』）)]》〉›】〕"
_LOWER_START = re.compile(r"^[\s\"'«»„“”‘’‚‹›(\[—–-]*([^\W\d_])")
_HIRAGANA_START = re.compile(r"^[\u3041-\u309f]")
_CJK_TERMINAL = re.compile(r"[。！？!?…]+[" + re.escape(CLOSERS) + r"]*")
_LAST_TOKEN = re.compile(r"(\S+)\s*$")
_INITIAL = re.compile(r"(?:^|[\s(\-])[A-ZÀ-ÖØ-ÞА-ЯЁ]\.$|^[A-ZÀ-ÖØ-ÞА-ЯЁ]\.$")
_CJK_OPENERS = "“‘「『（《〈【"
_UNIT_END = re.compile(r"(?<=°[CF]\.)\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ])|(?<=[°%]\.)\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ])")


def base_language(language: str | None) -> str:
    """'fr-FR' -> 'fr', 'zh_Hans' -> 'zh', None/'' -> 'en'."""
    if not language:
        return "en"
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower() or "en"


def backend() -> str:
    name = os.environ.get("E2A_SEGMENTER", "sentencex")
    if name == "sentencex":
        try:
            import sentencex  # noqa: F401
        except ImportError:
            return "pysbd"
    return name if name in ("sentencex", "pysbd") else "sentencex"


@functools.lru_cache(maxsize=32)
def _pysbd(lang: str):
    import pysbd
    import pysbd.languages
    lang = _PYSBD_BORROW.get(lang, lang)
    if lang not in pysbd.languages.LANGUAGE_CODES:
        lang = "en"
    return pysbd.Segmenter(language=lang, clean=False)


def raw_segments(text: str, lang: str, which: str | None = None) -> list[str]:
    which = which or backend()
    if which == "sentencex":
        import sentencex
        return list(sentencex.segment(lang, text))
    return _pysbd(lang).segment(text)


_WINDOW = 8000  # segmenters slow down more than linearly on huge blocks
_HARD_END = re.compile(r"[.!?。！？][\"'”’»」』）)]*(?:\s+|(?=[^\s\"'”’»」』）)]))")


def sentences(text: str, language: str | None = None, *, which: str | None = None) -> list[str]:
    """Split ``text`` into sentences as written (stripped, never empty).
    A huge block (a book with no paragraphs) is first cut into windows at a
    sentence end, so the time stays linear in its length."""
    text = text.strip()
    if len(text) <= _WINDOW:
        return _sentences(text, language, which)
    out: list[str] = []
    while text:
        if len(text) <= _WINDOW:
            out.extend(_sentences(text, language, which))
            break
        window = text[:_WINDOW]
        ends = [m.end() for m in _HARD_END.finditer(window, _WINDOW // 2)]
        if not ends:
            spaces = [m.end() for m in re.finditer(r"\s+", window)]
            ends = spaces or [_WINDOW]
        at = ends[-1]
        out.extend(_sentences(text[:at], language, which))
        text = text[at:].strip()
    return out


def _sentences(text: str, language: str | None, which: str | None) -> list[str]:
    text = text.strip()
    if not text:
        return []
    lang = base_language(language)
    try:
        segs = raw_segments(text, lang, which)
    except Exception:  # a segmenter bug must never lose text
        segs = [text]
    starts = _starts(text, segs)
    if starts is None:  # the segmenter changed the text: keep the block whole
        starts = [0]
    starts = _fix_starts(text, starts, lang)
    out = []
    for i, st in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        piece = text[st:end].strip()
        if piece:
            out.append(piece)
    if lang in ("zh", "ja"):
        out = [p for s in out for p in _cjk_split(s)]
    else:  # a full stop after a unit symbol ("-3 °C. Then") ends a sentence
        out = [p.strip() for s in out for p in _UNIT_END.split(s) if p.strip()]
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


def closers(lang: str) -> str:
    """German (and Danish) quote »like this«: there » opens and « closes."""
    if lang in ("de", "da"):
        return CLOSERS.replace("»", "«").replace("›", "‹")
    return CLOSERS


def _fix_starts(text: str, starts: list[int], lang: str) -> list[int]:
    """Correct the segmenter's boundaries with rules that hold in every
    language we speak."""
    ttl = titles(lang)
    close = closers(lang)
    fixed = [starts[0]]
    for st in starts[1:]:
        # closing quotes/brackets go back to the sentence they close
        while st < len(text) and (text[st] in close or text[st].isspace()):
            st += 1
        if st >= len(text):
            continue
        before = text[fixed[-1]:st].rstrip()
        rest = text[st:]
        m = _LOWER_START.match(rest)
        if m and m.group(1).islower() and lang not in ("zh", "ja", "ar"):
            continue  # '"Stop!" he said.' / '« Arrête ! » cria-t-il.'
        if lang in ("zh", "ja") and before[-1:] in close and rest[:1] not in _CJK_OPENERS:
            continue  # 「止まれ！」と彼は言った。 / “谢谢你！”然后离开了。
        last = _LAST_TOKEN.search(before)
        if last:
            tok = last.group(1)
            if tok in ttl:
                continue  # "Dr." / "M." / "Sr." never end a sentence
            if _INITIAL.search(tok) and (rest[:1] == "-" or rest[:1].isupper()) \
                    and not (lang == "en" and tok.endswith("I.")):
                continue  # "J.-P. Sartre", "J. R. R. Tolkien"
            if lang == "de" and re.search(r"(?:^|\s)\d{1,2}\.$", before):
                continue  # "im 19. Jahrhundert", "am 3. Mai"
        fixed.append(st)
    return fixed


def _cjk_split(sentence: str) -> list[str]:
    """Split after each CJK terminal mark outside quotes, in case the
    segmenter left several sentences together; a terminal followed by a
    closing quote ends the sentence only if a new quotation opens next."""
    out, start, depth = [], 0, 0
    i = 0
    while i < len(sentence):
        ch = sentence[i]
        if ch in _CJK_OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "。！？":
            m = _CJK_TERMINAL.match(sentence, i)
            end = m.end() if m else i + 1
            closed = sentence[end - 1] in CLOSERS
            if end < len(sentence) and (not closed or sentence[end] in _CJK_OPENERS):
                out.append(sentence[start:end].strip())
                start = end
            i = end
            continue
        i += 1
    out.append(sentence[start:].strip())
    return [s for s in out if s]
