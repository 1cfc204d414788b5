"""Written text -> text a narrator reads aloud, per language.

``speakable(text, language)`` is the one entry point. It expands, in order:
URLs and e-mail addresses, abbreviations (whole tokens only), dates, times,
currencies, percentages, units, ordinals, Roman numerals used as numbers,
years, other numbers (with the language's decimal mark and thousands
separators), symbols; then it tidies the punctuation that trips engines
(quotes, ellipses, dashes). It never raises: a rule that fails on some input
leaves that input as written.
"""
from __future__ import annotations

import functools
import re
import sys

from . import langdata as L
from .numbers import (cardinal, cardinal_int, decimal, ordinal_int, plural_form,
                      roman_value, year)

_WS = re.compile(r"\s+")
_APOS = re.compile(r"(?<=\w)[’‘ʼ`´](?=\w)")
_QUOTES = re.compile(r"[\"“”„‟«»‹›「」『』〝〞〟＂]|(?<!\w)['‘’]|['‘’](?!\w)")
_ELLIPSIS = re.compile(r"…+|\.\s?\.\s?\.(?:\s?\.)*")
_DASH = re.compile(r"\s*[—―–]\s*|\s+-{1,2}\s+|(?<=\w)--(?=\w)|^-\s*")
_LEAD = re.compile(r"^[\s,;:.!?…\-—–)\]،，、；：。！？؟）]+")
_SPACE_PUNCT = re.compile(r"\s+([,;:.!?…])")
_TERMINAL = re.compile(r"[.!?。！？…؟]$")
_DIGIT_MAP = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_SPACES = re.compile(r"[\u00a0\u202f\u2009\u2007\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000]")
_CJK = {"zh", "ja"}


def _join(lang: str, *parts: str) -> str:
    sep = "" if lang in _CJK else " "
    return sep.join(p for p in parts if p)


# ------------------------------------------------------------------ numbers
@functools.lru_cache(maxsize=64)
def _num_pattern(lang: str) -> str:
    """A number as written in ``lang``: groups int, frac."""
    if lang in L.DECIMAL_COMMA:
        group = r"[. ]" if lang in L.SPACE_GROUPS else r"[.\u00a0]"
        group = r"(?:\.|\u00a0| )" if lang in L.SPACE_GROUPS else r"(?:\.|\u00a0)"
        return rf"(?P<int>\d{{1,3}}(?:{group}\d{{3}})+(?!\d)|\d+)(?:,(?P<frac>\d+))?"
    return r"(?P<int>\d{1,3}(?:[,\u00a0]\d{3})+(?!\d)|\d+)(?:\.(?P<frac>\d+))?"


def _lb(lang: str) -> str:
    """'not preceded by a letter, digit or decimal mark' (CJK text has no
    spaces, so there only Latin letters and digits count)."""
    return r"(?<![0-9A-Za-z.,])" if lang in _CJK else r"(?<![\w.,])"


def _int_of(s: str) -> str:
    return re.sub(r"\D", "", s)


def _ru_accusative(out: str, m: re.Match) -> str:
    """'заплатил тысяча' -> 'заплатил тысячу' (after a past-tense verb or a
    preposition that takes the accusative)."""
    if not out.startswith("тысяча"):
        return out
    before = m.string[:m.start()].split()
    prev = before[-1].lower() if before else ""
    if prev.endswith(("ил", "ал", "ел", "ила", "ала", "ела", "или", "али", "ели")) \
            or prev in ("за", "на", "про", "через", "в"):
        return "тысячу" + out[len("тысяча"):]
    return out


def _number(m: re.Match, lang: str) -> str:
    i, f = _int_of(m.group("int")), m.group("frac")
    out = decimal(i, f, lang) if f else cardinal(i, lang)
    if lang == "ru":
        out = _ru_accusative(out, m)
    if "sign" in m.re.groupindex and m.group("sign"):
        out = _join(lang, L.words(lang)["minus"], out)
    return out


_SIGN = r"(?P<sign>[-−](?=\d))?"


def _value(m: re.Match) -> float:
    i, f = _int_of(m.group("int")), m.group("frac")
    return float(f"{i}.{f}") if f else float(i)


# --------------------------------------------------------- URLs and e-mails
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"“”«»]+[^\s<>\"“”«».,;:!?)\]]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def _spell_address(addr: str, lang: str) -> str:
    w = L.words(lang)
    addr = re.sub(r"^https?://", "", addr).split("?")[0].split("#")[0].rstrip("/")
    names = {".": w["dot"], "/": w["slash"], "@": w["at"], "-": w["dash"], "_": w["underscore"]}
    out = []
    for tok in re.findall(r"[./@\-_]|[^./@\-_]+", addr):
        if tok in names:
            out.append(names[tok])
        elif tok.lower() == "www":
            out.append("W W W")
        elif tok.isdigit():
            out.append(cardinal(tok, lang))
        else:
            out.append(tok)
    return " ".join(out)


# ------------------------------------------------------------ abbreviations
@functools.lru_cache(maxsize=64)
def _abbr_table(lang: str):
    entries: dict[str, list[tuple[str, str]]] = {}
    for written, spoken, cond in L.ABBREVIATIONS.get(lang, []):
        entries.setdefault(written, []).append((spoken, cond))
        if written[:1].islower():  # "dhr." also as "Dhr." at a sentence start
            cap = written[0].upper() + written[1:]
            if cap not in entries or cap == written:
                entries.setdefault(cap, []).append((spoken[:1].upper() + spoken[1:], cond))
    if not entries:
        return None, entries
    alts = []
    for w in sorted(entries, key=len, reverse=True):
        esc = re.escape(w).replace(r"\ ", r"\s?")
        alts.append(esc if w.endswith("-") else esc + (r"(?!\w)" if w[-1].isalnum() or w[-1] == "." else ""))
    return re.compile(r"(?<![\w.\-])(?:" + "|".join(alts) + ")"), entries


# nobiliary particles: "Mme de Gouges", "Hr. von Trotta", "dhr. van Dijk"
_PARTICLE = re.compile(r"\s+(?:de|d'|d’|du|des|la|le|von|van|der|den|di|da|dos|del|della|ter|ten)\s*[A-ZÀ-ÖØ-Þ]")


def _abbreviations(text: str, lang: str) -> str:
    rx, entries = _abbr_table(lang)
    if rx is None:
        return text

    def repl(m: re.Match) -> str:
        written = m.group(0)
        key = written if written in entries else re.sub(r"\s", " ", written)
        if key not in entries:
            key = next((k for k in entries if k.replace(" ", "") == written.replace(" ", "")), None)
            if key is None:
                return written
        after = text[m.end():]
        nxt = after.lstrip()[:1]
        name_next = nxt.isupper() or bool(_PARTICLE.match(after))
        for spoken, cond in entries[key]:
            if cond == "name" and not name_next:
                continue
            if cond == "num" and not nxt.isdigit():
                continue
            if cond == "end" and nxt.isupper():
                continue
            if written[:1].isupper() and spoken[:1].islower() and not m.start():
                spoken = spoken[0].upper() + spoken[1:]
            if key.endswith(".") and not after.strip():
                return spoken + "."  # the abbreviation's full stop also ended the sentence
            return spoken
        return written

    return rx.sub(repl, text)


# ---------------------------------------------------------------- ordinals
def _fem(word: str, lang: str) -> str:
    if lang == "it":
        return re.sub(r"o\b", "a", word)
    return re.sub(r"o\b", "a", word)


def _pl_case(ordinal: str, case: str) -> str:
    """Polish ordinal (nominative masculine from num2words) -> 'gen'/'loc'/'fem'."""
    words_ = ordinal.split()
    for i in range(max(0, len(words_) - 2), len(words_)):
        w = words_[i]
        if w.endswith(("y", "i")) and not w.endswith(("trzy", "cztery")):
            stem, last = w[:-1], w[-1]
            if case == "gen":
                words_[i] = stem + ("ego" if last == "y" else "iego")
            elif case == "loc":
                words_[i] = w + "m"
            elif case == "fem":
                words_[i] = stem + ("a" if last == "y" else "ia")
            elif case == "fem_loc":
                words_[i] = stem + ("ej" if last == "y" else "iej")
    return " ".join(words_)


_RU_SUFFIX = {"й": ("n", "m"), "ый": ("n", "m"), "ий": ("n", "m"), "ой": ("n", "m"),
              "я": ("n", "f"), "ая": ("n", "f"), "е": ("n", "n"), "ое": ("n", "n"),
              "го": ("g", "m"), "ого": ("g", "m"), "му": ("d", "m"), "ому": ("d", "m"),
              "м": ("p", "m"), "ом": ("p", "m"), "ым": ("i", "m"), "х": ("g", "m"),
              "ых": ("g", "m"), "ю": ("a", "f"), "ую": ("a", "f")}


def _ru_ordinal(n: int, case: str = "n", gender: str = "m", plural: bool = False) -> str:
    return ordinal_int(n, "ru", case=case, gender=gender, plural=plural)


def _de_ordinal(n: int, before: str, after: str) -> str:
    base = ordinal_int(n, "de")  # "dritte"
    prev = before.split()[-1].lower() if before.split() else ""
    if prev in ("am", "im", "vom", "zum", "beim", "dem", "den", "des", "einem", "zur", "der") \
            and not (prev == "der" and not re.match(r"\s*(Jahrhunderts|[a-zäöüß]+en\b)", after)):
        return base + "n"
    if prev in ("der", "die", "das", "ein", "eine"):
        return base
    if after and after.strip().split(" ")[0] in L.months("de"):
        return base + "r"
    return base


# ------------------------------------------------------------------ Roman
@functools.lru_cache(maxsize=64)
def _roman_context(lang: str) -> frozenset[str]:
    return frozenset(w.lower() for w in L.ROMAN_CARDINAL_BEFORE.get(lang, "").split())


_CENTURY = {"en": r"century|centuries", "fr": r"siècles?", "de": r"Jahrhunderts?",
            "it": r"secolo|secoli", "nl": r"eeuw", "pl": r"wieku?|wiekach",
            "ru": r"век[аеу]?|веках|векам", "es": r"", "pt": r""}


_DE_DAT = {"unter", "mit", "von", "bei", "nach", "seit", "zu", "aus", "vor", "gegenüber"}
_DE_ACC = {"für", "durch", "gegen", "ohne", "um", "über"}
_RU_CASE = {"при": "p", "о": "p", "об": "p", "у": "g", "от": "g", "до": "g", "из": "g",
            "для": "g", "без": "g", "после": "g", "около": "g", "к": "d", "по": "d",
            "с": "i", "со": "i", "перед": "i", "под": "i", "над": "i"}
_PL_CASE = {"za": "gen", "od": "gen", "do": "gen", "u": "gen", "dla": "gen", "bez": "gen",
            "podczas": "gen", "wobec": "gen", "przy": "loc", "o": "loc", "po": "loc"}


def _regnal(v: int, lang: str, before: str = "") -> str:
    words_before = before.split()
    prep = words_before[-2].lower() if len(words_before) >= 2 else ""
    name = words_before[-1] if words_before else ""
    if lang == "de":
        o = ordinal_int(v, lang).capitalize()
        if prep in _DE_DAT:
            return "dem " + o + "n"
        if prep in _DE_ACC:
            return "den " + o + "n"
        return "der " + o
    if lang == "ru":
        case = _RU_CASE.get(prep)
        if case:
            return _ru_ordinal(v, case)
        return _ru_ordinal(v, "n", "f" if name.endswith(("а", "я")) else "m")
    if lang == "pl":
        case = _PL_CASE.get(prep)
        o = ordinal_int(v, lang)
        if case:
            return _pl_case(o, case)
        return _pl_case(o, "fem") if name.endswith("a") else o
    if lang == "en":
        return "the " + ordinal_int(v, lang)
    if lang == "fr":
        return "premier" if v == 1 else cardinal_int(v, lang)
    if lang == "nl":
        return "de " + ordinal_int(v, lang)
    if lang in ("es", "pt"):
        return ordinal_int(v, lang) if v <= 10 else cardinal_int(v, lang)
    if lang == "it":
        return ordinal_int(v, lang)
    return cardinal_int(v, lang)


def _roman(text: str, lang: str, heading: bool) -> str:
    if lang in _CJK or lang == "ar":
        return text
    if heading:
        m = re.fullmatch(r"\s*([IVXLCDM]+)\s*\.?\s*", text)
        if m and roman_value(m.group(1)):
            return cardinal_int(roman_value(m.group(1)), lang)
    ctx = _roman_context(lang)
    century = _CENTURY.get(lang) or None
    rx = re.compile(r"(?<![\w'’\-])([IVXLCDM]+)(er|re|e|ème|eme|ᵉʳ|ᵉ)?(?![\w'’\-])")
    if lang == "de":  # "Ludwig XIV. regierte": the full stop marks the ordinal
        text = re.sub(r"(?<=[a-zäöüß]) ([IVXLCDM]+)\.(?=\s+[a-zäöüß]|,)", r" \1", text)

    def repl(m: re.Match) -> str:
        numeral, suf = m.group(1), m.group(2)
        v = roman_value(numeral)
        if not v:
            return m.group(0)
        before = text[:m.start()].rstrip()
        prev = before.split()[-1] if before.split() else ""
        after = text[m.end():]
        if suf:
            if lang != "fr" or numeral in ("L", "C", "D", "M"):
                return m.group(0)  # "Le", "Ce", "De", "Me" are words
            if suf in ("er", "ᵉʳ"):
                return "premier"
            if suf == "re":
                return "première"
            return ordinal_int(v, lang)
        if century and re.match(rf"\s+(?:{century})\b", after):
            if lang == "ru":
                w = re.match(r"\s+(\w+)", after).group(1)
                case = {"век": "n", "века": "g", "веке": "p", "веку": "d"}.get(w, "n")
                return _ru_ordinal(v, case)
            if lang == "pl":
                w = re.match(r"\s+(\w+)", after).group(1)
                base = ordinal_int(v, lang)
                if w == "wieku":
                    return _pl_case(base, "loc" if prev.lower() in ("w", "we") else "gen")
                return base
            return ordinal_int(v, lang)
        if prev.rstrip(".,:;").lower() in ctx or prev.lower() in ctx:
            return cardinal_int(v, lang)
        allowed = L.ROMAN_WORDS - ({"V", "X"} if lang == "en" else {"V", "X", "I"})
        if prev[:1].isupper() and prev[-1:].isalpha() and numeral not in allowed \
                and (numeral != "I" or len(before.split()) > 1) \
                and not before.endswith((".", "!", "?")):
            return _regnal(v, lang, before)
        return m.group(0)

    return rx.sub(repl, text)


# ------------------------------------------------------------------- times
def _time(h: int, mi: int, lang: str) -> str:
    c = lambda n: cardinal_int(n, lang)  # noqa: E731
    if lang == "en":
        if h == 0 and mi == 0:
            return "midnight"
        if mi == 0:
            return f"{c(h)} o'clock"
        return f"{c(h)} oh {c(mi)}" if mi < 10 else f"{c(h)} {c(mi)}"
    if lang == "fr":
        if h == 0 and mi == 0:
            return "minuit"
        hh = "une heure" if h == 1 else ("vingt et une heures" if h == 21 else
                                        ("zéro heure" if h == 0 else f"{c(h)} heures"))
        return f"{hh} {c(mi)}" if mi else hh
    if lang == "de":
        hh = "ein Uhr" if h == 1 else f"{c(h)} Uhr"
        return f"{hh} {c(mi)}" if mi else hh
    if lang == "es":
        hh = "una" if h == 1 else ("cero horas" if h == 0 else c(h))
        if mi == 0:
            return f"{hh} en punto" if h else hh
        tail = {15: "y cuarto", 30: "y media"}.get(mi, f"y {c(mi)}")
        return f"{hh} {tail}"
    if lang == "it":
        hh = "l'una" if h == 1 else c(h)
        return f"{hh} e {c(mi)}" if mi else hh
    if lang == "pt":
        fem = {1: "uma", 2: "duas", 21: "vinte e uma", 22: "vinte e duas"}
        hh = fem.get(h, c(h))
        if mi == 0:
            return f"{hh} hora" if h == 1 else f"{hh} horas"
        return f"{hh} e {c(mi)}"
    if lang == "nl":
        if h == 0 and mi == 0:
            return "middernacht"
        return f"{c(h)} uur {c(mi)}" if mi else f"{c(h)} uur"
    if lang == "pl":
        if h == 0 and mi == 0:
            return "północ"
        hh = "zero" if h == 0 else _pl_case(ordinal_int(h, lang), "fem")
        if mi == 0:
            return hh
        return f"{hh} zero {c(mi)}" if mi < 10 else f"{hh} {c(mi)}"
    if lang == "ru":
        if h == 0 and mi == 0:
            return "полночь"
        if mi == 0:
            return f"{c(h)} {plural_form(h, ('час', 'часа|часов'), 'ru')}"
        return f"{c(h)} ноль {c(mi)}" if mi < 10 else f"{c(h)} {c(mi)}"
    if lang == "zh":
        hh = "两" if h == 2 else c(h)
        return f"{hh}点{c(mi)}分" if mi else f"{hh}点"
    if lang == "ja":
        return f"{c(h)}時{c(mi)}分" if mi else f"{c(h)}時"
    if lang == "ar":
        return f"{c(h)} و {c(mi)} دقيقة" if mi else f"{c(h)}"
    return f"{c(h)} {c(mi)}" if mi else c(h)


# --------------------------------------------------------------- the rules
def _dates(text: str, lang: str) -> str:
    months = L.months(lang)
    # ISO 8601: 2020-03-12
    def iso(m):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return m.group(0)
        return _date(d, mo, y, lang)
    text = re.sub(r"(?<![\d\-])(\d{4})-(\d{2})-(\d{2})(?![\d\-])", iso, text)
    if lang == "zh":
        text = re.sub(r"(\d{2,4})(?=\s?年)", lambda m: year(int(m.group(1)), "zh"), text)
        return text
    if lang == "ja":
        return text
    mon = "|".join(months + ([m[:3] for m in months] if lang == "en" else []))
    if lang == "en":
        text = re.sub(rf"(\b[Tt]he\s+)?\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({mon})\b",
                      lambda m: f"{m.group(1) or 'the '}{ordinal_int(int(m.group(2)), lang)} of {m.group(3)}"
                      if 1 <= int(m.group(2)) <= 31 else m.group(0), text)
        text = re.sub(rf"\b({mon})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![\d:,.]\d)",
                      lambda m: f"{m.group(1)} {ordinal_int(int(m.group(2)), lang)}"
                      if 1 <= int(m.group(2)) <= 31 else m.group(0), text)
    elif lang == "de":
        pass  # "3. Mai" is handled with the other German ordinals
    elif lang in ("pl", "ru"):
        def dm(m):
            d = int(m.group(1))
            if not 1 <= d <= 31:
                return m.group(0)
            o = _ru_ordinal(d, "g", "n") if lang == "ru" else _pl_case(ordinal_int(d, lang), "gen")
            return f"{o} {m.group(2)}"
        text = re.sub(rf"(?<![\d.,])(\d{{1,2}})\s+({mon})\b", dm, text)
    elif lang in ("it", "pt"):
        text = re.sub(rf"(?<![\d.,])1\s+((?:de\s+)?(?:{mon}))\b",
                      lambda m: f"{ordinal_int(1, lang)} {m.group(1)}", text)
    return text


def _date(d: int, mo: int, y: int, lang: str) -> str:
    month = L.months(lang)[mo - 1] if lang in L.MONTHS else str(mo)
    yy = year(y, lang)
    if lang == "en":
        return f"{month} {ordinal_int(d, lang)}, {yy}"
    if lang == "fr":
        return f"{'premier' if d == 1 else cardinal_int(d, lang)} {month} {yy}"
    if lang == "de":
        return f"{ordinal_int(d, lang)}r {month} {yy}"
    if lang in ("es", "pt"):
        day = ordinal_int(1, lang) if d == 1 and lang == "pt" else cardinal_int(d, lang)
        return f"{day} de {month} de {yy}"
    if lang == "it":
        return f"{ordinal_int(1, lang) if d == 1 else cardinal_int(d, lang)} {month} {yy}"
    if lang == "pl":
        return f"{_pl_case(ordinal_int(d, lang), 'gen')} {month} {_pl_case(ordinal_int(y, lang), 'gen')} roku"
    if lang == "ru":
        return f"{_ru_ordinal(d, 'g', 'n')} {month} {_ru_ordinal(y, 'g')} года"
    if lang == "zh":
        return f"{year(y, lang)}年{cardinal_int(mo, lang)}月{cardinal_int(d, lang)}日"
    if lang == "ja":
        return f"{cardinal_int(y, lang)}年{cardinal_int(mo, lang)}月{cardinal_int(d, lang)}日"
    return f"{cardinal_int(d, lang)} {month} {yy}"


def _times(text: str, lang: str) -> str:
    def hm(m):
        h, mi = int(m.group("h")), int(m.group("m") or 0)
        if h > 24 or mi > 59:
            return m.group(0)
        return _time(h, mi, lang)
    if lang == "de":
        text = re.sub(r"(?<![\d:.,])(?P<h>[01]?\d|2[0-4])(?:[.:](?P<m>[0-5]\d))?\s+Uhr\b", hm, text)
    if lang == "pl":  # "o 10:30" -> "o dziesiątej trzydzieści"
        def pl_o(m):
            h, mi = int(m.group("h")), int(m.group("m"))
            if h > 24 or mi > 59:
                return m.group(0)
            if h == 0 and mi == 0:
                return f"{m.group('o')} północy"
            hh = "zero" if h == 0 else _pl_case(ordinal_int(h, lang), "fem_loc")
            tail = "" if mi == 0 else (f" zero {cardinal_int(mi, lang)}" if mi < 10 else f" {cardinal_int(mi, lang)}")
            return f"{m.group('o')} {hh}{tail}"
        text = re.sub(r"(?P<o>\b[oO]d?|\b[oO]koło|\bpo|\bprzed) (?P<h>[01]?\d|2[0-4]):(?P<m>[0-5]\d)(?![\d:])", pl_o, text)
    text = re.sub(r"(?<![\d:.,])(?P<h>[01]?\d|2[0-4]):(?P<m>[0-5]\d)(?![\d:]|[.,]\d)", hm, text)
    if lang in ("fr", "pt", "es", "it"):
        text = re.sub(r"(?<![\d:.,])(?P<h>[01]?\d|2[0-4])\s?h\s?(?P<m>[0-5]\d)?(?![\w])", hm, text)
    if lang in ("zh", "ja"):
        pass  # "10时30分" / "10時30分": plain numbers, handled below
    return text


def _currency(text: str, lang: str) -> str:
    num = _num_pattern(lang)
    syms = sorted(L.CURRENCIES, key=len, reverse=True)
    alt = "|".join(re.escape(s) for s in syms)
    table = L.CURRENCY_WORDS.get(lang, L.CURRENCY_WORDS["en"])

    def say(m):
        code = L.CURRENCIES[m.group("cur")]
        one, many, cent1, cents = table.get(code, L.CURRENCY_WORDS["en"][code])
        i, f = int(_int_of(m.group("int"))), m.group("frac")
        if lang in _CJK:
            f = (f or "").rstrip("0")
            amount = decimal(str(i), f, lang) if f else cardinal_int(i, lang)
            return amount + one
        if f and len(f) == 2 and cent1:
            c = int(f)
            amount = _ru_accusative(cardinal_int(i, lang), m) if lang == "ru" else cardinal_int(i, lang)
            main = f"{amount} {plural_form(i, (one, many), lang)}" if i else ""
            tail = f"{cardinal_int(c, lang)} {plural_form(c, (cent1, cents), lang)}" if c else ""
            if main and tail:
                return f"{main} {L.words(lang)['and_']} {tail}"
            return main or tail or f"{cardinal_int(0, lang)} {many.split('|')[-1]}"
        if f:
            return f"{decimal(str(i), f, lang)} {many.split('|')[-1]}"
        return f"{cardinal_int(i, lang)} {plural_form(i, (one, many), lang)}"

    lb = _lb(lang)
    text = re.sub(rf"{lb}(?P<cur>{alt})\s?{num}(?![\d])", say, text)
    text = re.sub(rf"{lb}{num}\s?(?P<cur>{alt})(?![A-Za-z])", say, text)
    return text


def _percent_units(text: str, lang: str) -> str:
    num = _num_pattern(lang)
    w = L.words(lang)

    def pct(m):
        n = _number(m, lang)
        if lang == "zh":
            return w["percent"] + n
        if lang == "ru":
            v = _value(m)
            word = "процента" if m.group("frac") else plural_form(int(v), ("процент", "процента|процентов"), "ru")
            return f"{n} {word}"
        return _join(lang, n, w["percent"])
    lb = _lb(lang)
    text = re.sub(rf"{lb}{_SIGN}{num}\s?%", pct, text)
    units = L.UNITS.get(lang, L.UNITS["en"])
    aliases = L.UNIT_ALIASES.get(lang, {})
    alt = "|".join(re.escape(u) for u in sorted(list(L.UNIT_KEYS) + list(aliases), key=len, reverse=True))

    def unit(m):
        key = aliases.get(m.group("unit"), m.group("unit"))
        forms = units[key]
        n = _number(m, lang)
        if m.group("frac"):
            word = forms[1].split("|")[-1] if lang not in ("ru", "pl") else forms[1].split("|")[0]
        else:
            word = plural_form(int(_int_of(m.group("int"))), forms, lang)
        return _join(lang, n, word)
    text = re.sub(rf"{lb}{_SIGN}{num}\s?(?P<unit>{alt})(?![^\W\d_]|/)", unit, text)
    text = re.sub(rf"{lb}{_SIGN}{num}\s?°(?![A-Za-z])", lambda m: _join(lang, _number(m, lang), w["degrees"]), text)
    return text


def _ordinals(text: str, lang: str) -> str:
    if lang == "en":
        return re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", lambda m: ordinal_int(int(m.group(1)), lang), text)
    if lang == "fr":
        def fr(m):
            n, suf = int(m.group(1)), m.group(2)
            if suf in ("er", "ᵉʳ"):
                return "premier" if n == 1 else ordinal_int(n, lang)
            if suf in ("re", "ère"):
                return "première" if n == 1 else ordinal_int(n, lang)
            o = ordinal_int(n, lang)
            return o + "s" if suf in ("es", "èmes") else o
        return re.sub(r"\b(\d+)(ères|ère|èmes|ème|eme|er|re|es|e|ᵉʳ|ᵉ)(?!\w)", fr, text)
    if lang in ("es", "it", "pt"):
        def rom(m):
            o = ordinal_int(int(m.group(1)), lang)
            return " ".join(_fem(x, lang) for x in o.split()) if m.group(2) == "ª" else o
        return re.sub(r"\b(\d+)\.?([ºª])", rom, text)
    if lang == "nl":
        return re.sub(r"\b(\d+)(?:ste|de|e)\b", lambda m: ordinal_int(int(m.group(1)), lang), text)
    if lang == "ru":
        def ru(m):
            case, gender = _RU_SUFFIX[m.group(2)]
            return _ru_ordinal(int(m.group(1)), case, gender, plural=m.group(2) in ("х", "ых"))
        alt = "|".join(sorted(_RU_SUFFIX, key=len, reverse=True))
        return re.sub(rf"\b(\d+)-({alt})\b", ru, text)
    if lang == "de":
        months = "|".join(L.months("de"))
        nouns = r"Jahrhunderts?|Jahrtausends?|Mal|Male|Geburtstag|Stock|Kapitel|Platz|Klasse|Auflage|Jahrestag|Tag|Teil|Band|Satz|Akt|Buch|Weltkrieg|Runde|Etage"
        return re.sub(rf"(?<![\d.,])(\d{{1,3}})\.(?=\s+(?:{months}|{nouns}|[a-zäöüß]))",
                      lambda m: _de_ordinal(int(m.group(1)), text[:m.start()], text[m.end():]), text)
    return text


def _years(text: str, lang: str) -> str:
    if lang == "ru":
        def ru(m):
            case = {"году": "p", "года": "g", "г.": "g", "год": "a", "годом": "i"}[m.group(2)]
            word = "года" if m.group(2) == "г." else m.group(2)
            return f"{_ru_ordinal(int(m.group(1)), case)} {word}"
        return re.sub(r"(?<![\d.,])(\d{1,4})\s+(году|года|годом|год|г\.)(?!\w)", ru, text)
    if lang == "pl":
        def pl(m):
            before = text[:m.start()].split()
            case = "loc" if before and before[-1].lower() in ("w", "we") else "gen"
            return f"{_pl_case(ordinal_int(int(m.group(1)), lang), case)} roku"
        return re.sub(r"(?<![\d.,])(\d{1,4})\s+(roku|r\.)(?!\w)", pl, text)
    if lang in ("en", "de", "nl"):
        return re.sub(r"(?<![\d.,:\-/])(1[1-9]\d\d|20\d\d)(?![\d]|[.,:]\d|\s?%)",
                      lambda m: year(int(m.group(1)), lang), text)
    return text


def _numbers(text: str, lang: str) -> str:
    num = _num_pattern(lang)
    if lang not in _CJK:  # "221B" -> "221 B"
        text = re.sub(r"(?<=\d)(?=[^\W\d_])", " ", text)
    w = L.words(lang)

    def say(m):
        sign = m.group("sign")
        out = _number(m, lang)
        return _join(lang, w["minus"], out) if sign else out
    lb = _lb(lang)
    text = re.sub(rf"(?:(?P<sign>{lb}[-−])|{lb})(?<![\d]){num}(?![\d])", say, text)
    # anything digit-like left ("221B", "B12"): digits as a number, apart
    if lang in _CJK:
        return re.sub(r"\d+", lambda m: cardinal(m.group(0), lang), text)
    return re.sub(r"\d+", lambda m: f" {cardinal(m.group(0), lang)} ", text)


def _symbols(text: str, lang: str) -> str:
    w = L.words(lang)
    text = re.sub(r"\s*&\s*", f" {w['and_']} ", text)
    text = text.replace("§", f" {w['section']} ")
    text = re.sub(r"(?<=\w)\s*½", f" {w['and_']} {w['half']}", text)
    text = text.replace("½", w["half"]).replace("¼", w["quarter"]).replace("¾", w["three_quarters"])
    text = re.sub(r"\s[+]\s", f" {w['plus']} ", text)
    text = re.sub(r"\s=\s", f" {w['equals']} ", text)
    text = re.sub(r"\s[×]\s", f" {w['times']} ", text)
    text = text.replace("%", f" {w['percent']} ").replace("°", f" {w['degrees']} ")
    return re.sub(r"[*_~|#^<>{}\[\]\\]", " ", text)


_COMMA = {"ar": "،", "fa": "،", "ur": "،", "zh": "，", "ja": "、"}


def clean_punctuation(text: str, lang: str = "en") -> str:
    comma = _COMMA.get(lang, ",")
    gap = "" if lang in _CJK else " "
    text = _APOS.sub("'", text)
    text = _QUOTES.sub(" ", text)
    text = _ELLIPSIS.sub("…", text)
    text = _DASH.sub(comma + " ", text)
    text = _WS.sub(" ", text).strip()
    text = re.sub(r"[(（]\s*", comma + " ", text)
    text = re.sub(r"\s*[)）]", comma, text)
    text = _SPACE_PUNCT.sub(r"\1", text)
    text = re.sub(r"\s+([،，、；：])", r"\1", text)
    text = re.sub(r"([,;:،，、；：؛])(?:\s*[,;:،，、；：؛])+", r"\1", text)  # ", ," left by dashes
    text = re.sub(r"[,،，、]\s*([.!?…。！？؟])", r"\1", text)
    text = _LEAD.sub("", text)
    if gap == "":
        text = re.sub(r"(?<=[，、。！？；：])\s+|\s+(?=[，、。！？；：])", "", text)
    return text.strip()


_warned: set[str] = set()
_ROMAN_HINT = re.compile(r"(?<![\w'’\-])[IVXLCDM]+")


def normalize(text: str, lang: str = "en", *, heading: bool = False) -> str:
    """Expand what a narrator would read differently from the letters."""
    text = _SPACES.sub("\u00a0", text.translate(_DIGIT_MAP))
    steps = [
        ("urls", lambda t: _URL.sub(lambda m: _spell_address(m.group(0), lang), t)),
        ("emails", lambda t: _EMAIL.sub(lambda m: _spell_address(m.group(0), lang), t)),
        ("abbreviations", lambda t: _abbreviations(t, lang)),
        ("dates", lambda t: _dates(t, lang)),
        ("times", lambda t: _times(t, lang)),
        ("currency", lambda t: _currency(t, lang)),
        ("percent", lambda t: _percent_units(t, lang)),
        ("ordinals", lambda t: _ordinals(t, lang)),
        ("roman", lambda t: _roman(t, lang, heading)),
        ("years", lambda t: _years(t, lang)),
        ("numbers", lambda t: _numbers(t, lang)),
        ("symbols", lambda t: _symbols(t, lang)),
    ]
    has_digit = any(ch.isdigit() for ch in text)
    skip = set() if has_digit else {"dates", "times", "currency", "percent", "ordinals",
                                     "years", "numbers"}
    if "@" not in text:
        skip.add("emails")
    if "www." not in text and "://" not in text:
        skip.add("urls")
    if not _ROMAN_HINT.search(text):
        skip.add("roman")
    for name, step in steps:
        if name in skip:
            continue
        try:
            text = step(text)
        except Exception as exc:  # a rule's bug must never stop a book
            key = f"{lang}:{name}"
            if key not in _warned:
                _warned.add(key)
                print(f"e2a-split: warning: {name} rule failed ({exc!r}); text left as written",
                      file=sys.stderr)
    return text.replace("\u00a0", " ")


def speakable(text: str, language: str = "en", *, heading: bool = False,
              lexicon=None, phoneme_markup: str | None = None) -> str:
    """The text an engine should say for ``text`` (one sentence or piece).
    ``lexicon`` (a ``lexicon.Lexicon``) replaces whole words first; phonemes
    are written with ``phoneme_markup`` (e.g. ``"[[ {} ]]"``) when given.
    Returns "" when nothing in it can be spoken (e.g. "* * *")."""
    from .lexicon import protect, restore
    text, spoken = protect(text, lexicon, phoneme_markup)
    out = clean_punctuation(normalize(text, language, heading=heading), language)
    out = " ".join(restore(out, spoken).split())
    if not any(ch.isalnum() for ch in out):
        return ""
    if heading and not _TERMINAL.search(out):
        out += "。" if language in _CJK else "."
    return out
