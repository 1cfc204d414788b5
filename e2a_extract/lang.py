"""A small, dependency-free language guesser for books without language
metadata: the writing system first, then the most frequent short words.

Good enough to pick a voice for a whole book (thousands of words); not meant
for single sentences.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

_STOP = {
    "en": "the of and to a in that is was he it for his with as i had you be on not at by but her which",
    "fr": "le la les de des et un une du que qui est il dans pas pour sur au ne se en plus elle avec je",
    "de": "der die und das ist nicht ein eine ich sie er zu den mit es sich auf dem des war von auch",
    "es": "el la de que y los las en un una por con no se del al es lo su para como más pero",
    "it": "il di che la e un una per non del della è le si con gli da al sono ma come anche",
    "pt": "o a de que e do da em um uma não os as para com se no na por mais ao dos",
    "nl": "de het een en van in is dat op te zijn niet met voor hij ze er die aan maar",
    "sv": "och att det som en på är av för med till den har de inte om ett var jag",
    "da": "og i at det en den til er som på de med han af for ikke der var mig",
    "no": "og i det som en på er til av at de for med han ikke den var seg har",
    "pl": "i w nie na się z do że to jest jak co o po tak ale jego przez",
    "cs": "a v se na je že to s z do o jako by ale jsem ve jeho pro k",
    "fi": "ja on ei se että hän oli mutta kun niin olla ovat tämä myös joka",
    "hu": "a az és hogy nem is egy meg volt de csak ez van már mint",
    "ro": "și de la în nu că cu pe o un se a fost din mai sunt care",
    "tr": "ve bir bu da de için ile ne çok gibi daha o ama var olarak",
    "la": "et in est non ad cum ut quod sed qui quae esse enim per",
    "ca": "el la de i que els les en un una per no es amb del com",
    "eo": "la kaj de en al estas ne mi li ŝi por kun sed tio",
}
_STOPSETS = {k: set(v.split()) for k, v in _STOP.items()}
_WORD = re.compile(r"[^\W\d_]+", re.U)

_SCRIPTS = [  # (unicode name prefix, language)
    ("ARABIC", "ar"), ("HEBREW", "he"), ("HIRAGANA", "ja"), ("KATAKANA", "ja"),
    ("HANGUL", "ko"), ("CJK", "zh"), ("THAI", "th"), ("DEVANAGARI", "hi"),
    ("GREEK", "el"), ("CYRILLIC", "ru"), ("ARMENIAN", "hy"), ("GEORGIAN", "ka"),
    ("BENGALI", "bn"), ("TAMIL", "ta"),
]


def _script_language(text: str) -> str | None:
    counts: Counter = Counter()
    letters = 0
    for ch in text[:20000]:
        if not ch.isalpha():
            continue
        letters += 1
        if ord(ch) < 0x250:
            continue
        try:
            name = unicodedata.name(ch)
        except ValueError:
            continue
        for prefix, lang in _SCRIPTS:
            if name.startswith(prefix):
                counts[lang] += 1
                break
    if not letters or not counts:
        return None
    lang, n = counts.most_common(1)[0]
    if n / letters < 0.3:
        return None
    if lang == "zh" and (counts["ja"] > letters * 0.05):
        return "ja"
    if lang == "ru":
        if re.search(r"[їєґі]", text[:20000]):
            return "uk"
        if re.search(r"[ђћџ]", text[:20000]):
            return "sr"
        if re.search(r"[ъ]", text[:20000]) and not re.search(r"[ыэ]", text[:20000]):
            return "bg"
    return lang


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when unsure."""
    if not text or len(text) < 20:
        return None
    by_script = _script_language(text)
    if by_script:
        return by_script
    words = [w.lower() for w in _WORD.findall(text[:50000])]
    if len(words) < 5:
        return None
    freq = Counter(words)
    scores = {lang: sum(freq[w] for w in stop) for lang, stop in _STOPSETS.items()}
    best = max(scores, key=scores.get)
    total = len(words)
    if scores[best] >= max(3, total * 0.05):
        return best
    # a short text (a note, a poem, a test file): few stop words, but trust
    # them when they are a good share of the words and clearly one language's
    runner_up = max(v for k, v in scores.items() if k != best)
    if total < 60 and scores[best] >= 2 and scores[best] >= 2 * runner_up \
            and scores[best] >= total * 0.15:
        return best
    return None
