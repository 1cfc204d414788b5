"""Which legacy 8-bit code page a text file (not UTF-8, no BOM) is in.

charset-normalizer is good at telling scripts apart (Cyrillic, Greek, CJK...),
but between the Latin code pages it often picks the wrong one: Latin-1 French
"naïve" comes out as Central-European "naďve" (cp1250), because byte 0xEF is a
letter in both. Most books in these files are Western (English, French,
German, Spanish...), so for Latin text we choose between the Western (cp1252,
a superset of Latin-1's printable characters) and the Central-European
(cp1250, ISO-8859-2) code pages ourselves:

1. the declared language (a Project Gutenberg ``Language:`` line) or the one
   the stop words give, when it is clearly of one family, decides;
2. otherwise the characters do: each code page reads the bytes above 0x7F as
   some characters, and we score how common those are in the languages that
   code page is for (``ç``, ``é``, ``ß`` are everyday Western letters, ``ď``
   is rare even in Czech; ``³`` or a C1 control inside a word is nobody's
   letter). Western wins ties and near-ties: it is by far the likelier.
"""
from __future__ import annotations

import math
import re
import unicodedata

from .lang import detect_language

WESTERN = "cp1252"
CENTRAL = ("cp1250", "iso8859_2")

WESTERN_LANGS = {"en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "nb", "nn",
                 "fi", "ca", "la", "eo", "is", "ga", "gl", "eu", "af", "br", "oc", "lb"}
CENTRAL_LANGS = {"pl", "cs", "sk", "hu", "sl", "hr", "bs", "ro", "sq", "hsb", "dsb"}

# Rough frequency (per mille of letters) of non-ASCII letters in the
# languages each code page family serves (upper case counts a fifth).
_WESTERN_FREQ = {
    "é": 15, "è": 3, "à": 4, "ê": 2, "ç": 1.5, "â": 0.6, "î": 0.3, "ô": 0.5, "û": 0.3,
    "ù": 0.3, "ë": 0.3, "ï": 0.3, "ü": 3, "ö": 3, "ä": 4, "ß": 1.5, "ñ": 2.5, "á": 4,
    "í": 5, "ó": 6, "ú": 1.5, "ã": 2, "õ": 0.5, "å": 3, "æ": 1, "ø": 2, "ì": 0.3, "ò": 0.4,
    "œ": 0.3, "ý": 0.1, "ð": 0.2, "þ": 0.2, "ÿ": 0.05,
}
_CENTRAL_FREQ = {
    "á": 10, "é": 5, "í": 8, "ó": 5, "ú": 1, "ý": 5, "č": 10, "ď": 1, "ě": 10, "ň": 1,
    "ř": 8, "š": 7, "ť": 1, "ů": 4, "ž": 7, "ą": 9, "ę": 9, "ł": 15, "ń": 2, "ś": 6,
    "ź": 1, "ż": 8, "ć": 4, "ő": 4, "ű": 1, "ö": 4, "ü": 2, "ă": 8, "â": 3, "î": 3,
    "ş": 6, "ţ": 5, "ș": 6, "ț": 5, "ĺ": 0.5, "ľ": 1, "ŕ": 0.5, "ô": 1, "ä": 1, "đ": 2,
}
# typography both families use: neutral evidence
_PUNCT = set("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00ab\u00bb\u00a0"
             "\u00bf\u00a1\u00b0\u00a7\u00b7\u2022\u00a9\u00ae\u2122\u00d7\u20ac\u00a3")
_EPS = 0.02
_PRIOR_WESTERN = math.log(4.0)

_GUTENBERG_LANG = re.compile(rb"^Language:\s*([A-Za-z]+)", re.M)
_LANG_NAMES = {"english": "en", "french": "fr", "german": "de", "spanish": "es",
               "italian": "it", "portuguese": "pt", "dutch": "nl", "swedish": "sv",
               "danish": "da", "norwegian": "no", "finnish": "fi", "latin": "la",
               "catalan": "ca", "esperanto": "eo", "polish": "pl", "czech": "cs",
               "slovak": "sk", "hungarian": "hu", "slovenian": "sl", "croatian": "hr",
               "romanian": "ro"}


def _freq(table: dict, ch: str) -> float:
    if ch in table:
        return table[ch]
    low = ch.lower()
    if low != ch and low in table:
        return table[low] / 5
    return 0.0


def _score(text: str, table: dict) -> float:
    """Log-likelihood of the non-ASCII characters of ``text`` under ``table``."""
    total = 0.0
    for ch in text:
        if ord(ch) < 0x80:
            continue
        if ch in _PUNCT:
            total += math.log(5.0)
        elif ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cn"):
            total += math.log(_EPS) * 3          # undefined byte or C1 control: implausible
        else:
            total += math.log(_freq(table, ch) + _EPS)
    return total


def declared_language(data: bytes) -> str | None:
    m = _GUTENBERG_LANG.search(data[:30000])
    return _LANG_NAMES.get(m.group(1).decode("ascii").lower()) if m else None


def latin_family(data: bytes, language: str | None = None) -> str:
    """The code page for Latin-script ``data``: cp1252 unless the declared or
    detected language, or the characters, say Central European."""
    sample = data[:2_000_000]
    decoded = {enc: sample.decode(enc, errors="replace") for enc in (WESTERN, *CENTRAL)}
    lang = (language or declared_language(sample) or detect_language(decoded[WESTERN])
            or detect_language(decoded["cp1250"]))
    lang = (lang or "").split("-")[0].lower()
    scores = {WESTERN: _score(decoded[WESTERN], _WESTERN_FREQ) + _PRIOR_WESTERN}
    for enc in CENTRAL:
        scores[enc] = _score(decoded[enc], _CENTRAL_FREQ)
    if lang in WESTERN_LANGS and "\ufffd" not in decoded[WESTERN]:
        return WESTERN
    if lang in CENTRAL_LANGS:
        return max(CENTRAL, key=scores.get)
    return max(scores, key=scores.get)


def is_latin(text: str) -> bool:
    """Are the non-ASCII letters of ``text`` mostly Latin script?"""
    latin = other = 0
    for ch in text[:200_000]:
        if ord(ch) < 0x80 or not ch.isalpha():
            continue
        if unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
        else:
            other += 1
    return latin >= 4 * other
