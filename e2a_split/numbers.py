"""Numbers as words, per language, never raising.

num2words does the work where it can; Chinese has its own small converter;
anything a converter cannot handle (huge numbers, a missing language, a bug)
is read digit by digit, and if even that fails the digits stay as written.
"""
from __future__ import annotations

import functools
import re

from num2words import CONVERTER_CLASSES, num2words

_ZH_DIGITS = "零一二三四五六七八九"
_MAX_DIGITS = 15  # longer integers are read digit by digit


def n2w_lang(lang: str) -> str | None:
    return lang if lang in CONVERTER_CLASSES else None


def _zh_under_10000(n: int) -> str:
    out, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out.append("零")
            out.append(_ZH_DIGITS[d] + unit)
            zero = False
        elif out:
            zero = True
    return "".join(out)


def zh_cardinal(n: int) -> str:
    if n == 0:
        return "零"
    if n < 0:
        return "负" + zh_cardinal(-n)
    parts, units, i, lower = [], ["", "万", "亿", "万亿"], 0, None
    while n:
        n, chunk = divmod(n, 10000)
        if i >= len(units):
            raise OverflowError
        if chunk:
            if lower is not None and 0 < lower < 1000 or lower == 0 and parts:
                parts.append("零")
            parts.append(_zh_under_10000(chunk) + units[i])
        lower = chunk
        i += 1
    text = "".join(reversed(parts)).rstrip("零")
    text = re.sub("零+", "零", text)
    if text.startswith("一十"):
        text = text[1:]
    return text


def digits(s: str, lang: str) -> str:
    """'2048' -> 'two zero four eight' (each digit as a word)."""
    sep = "" if lang in ("zh", "ja") else " "
    return sep.join(cardinal_int(int(ch), lang) if ch.isdigit() else ch for ch in s)


@functools.lru_cache(maxsize=4096)
def cardinal_int(n: int, lang: str) -> str:
    try:
        if lang == "zh":
            return zh_cardinal(n)
        if len(str(abs(n))) > _MAX_DIGITS:
            raise OverflowError
        code = n2w_lang(lang)
        if code is None:
            code = "en"
        if n < 0:
            from .langdata import words
            return words(lang)["minus"] + " " + cardinal_int(-n, lang)
        out = num2words(n, lang=code)
        if code == "en":
            out = out.replace(",", "")  # "one thousand, two hundred": no pause when said
        if code == "ru" and out.startswith("одна тысяча"):
            out = out[5:]  # "тысяча двести", as said
        return out
    except Exception:
        if abs(n) < 10:
            return str(n)
        return digits(str(n), lang)


def cardinal(s: str, lang: str) -> str:
    """Cardinal of an integer written as plain digits ('0042' -> 'forty-two')."""
    return cardinal_int(int(s), lang)


@functools.lru_cache(maxsize=4096)
def ordinal_int(n: int, lang: str, **kw) -> str:
    try:
        if lang == "zh":
            return "第" + zh_cardinal(n)
        if lang == "ja":
            return num2words(n, lang="ja") + "番目"
        code = n2w_lang(lang) or "en"
        if n <= 0 or len(str(n)) > _MAX_DIGITS:
            raise ValueError
        return num2words(n, lang=code, to="ordinal", **kw)
    except Exception:
        return cardinal_int(n, lang)


@functools.lru_cache(maxsize=1024)
def year(n: int, lang: str) -> str:
    try:
        if lang in ("en", "de", "nl") and 1100 <= n <= 1999 or lang == "en" and 2010 <= n <= 2099:
            return num2words(n, lang=lang, to="year")
        if lang == "zh":
            return "".join(_ZH_DIGITS[int(d)] for d in str(n)).replace("零", "〇")
    except Exception:
        pass
    return cardinal_int(n, lang)


def decimal(int_part: str, frac: str, lang: str) -> str:
    """'3', '50' -> 'three point five zero' (en) / 'trois virgule cinquante' (fr)."""
    from .langdata import words
    whole = cardinal(int_part or "0", lang)
    point = words(lang)["point"]
    if lang in ("en", "zh", "ja", "ar") or len(frac) > 3:
        tail = digits(frac, lang)
    else:
        zeros = len(frac) - len(frac.lstrip("0"))
        rest = frac.lstrip("0")
        tail = " ".join([cardinal_int(0, lang)] * zeros + ([cardinal(rest, lang)] if rest else []))
    if lang in ("zh", "ja"):
        return f"{whole}{point}{tail.replace(' ', '')}"
    return f"{whole} {point} {tail}"


def plural_form(n: int, forms: tuple[str, str], lang: str) -> str:
    """forms = (one, other); for pl/ru other = 'few|many'."""
    one, other = forms
    if "|" in other:
        few, many = other.split("|")
        if n == 1:
            return one
        if lang == "ru" and n % 10 == 1 and n % 100 != 11:
            return one
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return few
        return many
    return one if n == 1 else other


# ------------------------------------------------------------ Roman numerals
_ROMAN = re.compile(r"^M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_RV = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(s: str) -> int | None:
    if not s or not _ROMAN.match(s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = _RV[ch]
        total += -v if i + 1 < len(s) and _RV[s[i + 1]] > v else v
    return total or None
