"""Written text -> text a narrator reads aloud (per language).

``speakable(text, language)`` is the one entry point; it never raises on odd
input and never returns text longer than needed.
"""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")
# apostrophes between letters become the straight one engines know
_APOS = re.compile(r"(?<=\w)[’‘ʼ`´](?=\w)")
# quotation marks: dropped from the spoken text (a quote closing a sentence
# makes neural engines babble); apostrophes inside words survive above
_QUOTES = re.compile(r"[\"“”„‟«»‹›「」『』〝〞〟＂]|(?<!\w)['‘’]|['‘’](?!\w)")
_ELLIPSIS = re.compile(r"…|\.\s?\.\s?\.")
_DASH = re.compile(r"\s*[—―–]\s*|\s+-{1,2}\s+|(?<=\w)--(?=\w)")
_LEAD = re.compile(r"^[\s,;:.!?…\-—–)\]]+")
_SPACE_PUNCT = re.compile(r"\s+([,;:.!?])")
_TERMINAL = re.compile(r"[.!?。！？…؟]$")


def clean_punctuation(text: str) -> str:
    text = _APOS.sub("'", text)
    text = _QUOTES.sub(" ", text)
    text = _ELLIPSIS.sub("…", text)
    text = _DASH.sub(", ", text)
    text = _WS.sub(" ", text).strip()
    text = _SPACE_PUNCT.sub(r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)  # ", ," left by dashes
    text = re.sub(r",\s*([.!?…])", r"\1", text)
    text = _LEAD.sub("", text)
    return text.strip()


def speakable(text: str, language: str = "en", *, heading: bool = False) -> str:
    """The text an engine should say for ``text`` (one sentence or piece).
    Returns "" when nothing in it can be spoken (e.g. "* * *")."""
    out = clean_punctuation(text)
    if not any(ch.isalnum() for ch in out):
        return ""
    if heading and not _TERMINAL.search(out):
        out += "。" if language in ("zh", "ja") else "."
    return out
