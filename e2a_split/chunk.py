"""Cut a sentence that is too long for the engine at clause boundaries, and
merge fragments too short to speak well.

Cut order of preference: ``;`` then ``:`` then dashes then ``,`` (and their
CJK/Arabic forms), then any space; for scripts written without spaces, any
boundary between two CJK characters. A word is never cut unless it alone is
longer than the limit (a 500-letter token has no other choice).
"""
from __future__ import annotations

import re

# Clause boundaries, strongest first; the cut goes after the match. Latin
# punctuation needs a space after it, so "10:30" and "3,50" are never cut.
_LEVELS = [
    re.compile(r";\s+|[；؛]\s*"),
    re.compile(r":\s+|：\s*"),
    re.compile(r"\s[—–]\s*|[—―]\s*|\s-\s+"),
    re.compile(r",\s+|[，、،]\s*"),
    re.compile(r"\s+"),
]
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_SOFT = re.compile(r"[。！？…]+[”’」』）》]*")


def _best(cands: list[int], n: int, limit: int) -> int:
    k = -(-n // limit)  # pieces needed at best
    target = n * (k // 2) / k
    return min(cands, key=lambda c: abs(c - target))


def _cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` (len > limit): the strongest clause boundary,
    nearest the middle, that leaves no piece shorter than a quarter limit."""
    n = len(text)
    floor = min(limit // 4, n // 4)
    levels = [_CJK_SOFT] + _LEVELS  # a sentence end inside a long CJK run first
    for level in levels:
        cands = [m.end() for m in level.finditer(text) if floor <= m.end() <= n - floor]
        if cands:
            return _best(cands, n, limit)
    cands = [m.end() for m in re.finditer(r"\s+", text) if 0 < m.start() and m.end() < n]
    if cands:
        return _best(cands, n, limit)
    # scripts without spaces: between two CJK characters, nearest the limit
    for i in range(min(limit, n - 1), 0, -1):
        if _CJK.match(text[i - 1]) or _CJK.match(text[i]):
            return i
    return limit  # one word longer than the limit: nothing else to do


def cut(text: str, limit: int) -> list[str]:
    """``text`` as pieces of at most ``limit`` characters, cut at clause
    boundaries (strongest first); pieces are stripped and never empty.
    Linear in the length of the text: a huge text is cut window by window."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    out: list[str] = []
    while len(text) > 4 * limit:
        window = text[: 2 * limit]
        at = _cut_point(window, limit)
        out.extend(_cut_small(text[:at], limit))
        text = text[at:].strip()
    out.extend(_cut_small(text, limit))
    return out


def _cut_small(text: str, limit: int) -> list[str]:
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    at = _cut_point(text, limit)
    return _cut_small(text[:at], limit) + _cut_small(text[at:], limit)


def merge_short(pieces: list[str], limit: int, min_chars: int, sep: str = " ") -> list[str]:
    """Join a piece with fewer than ``min_chars`` letters and digits to a
    neighbour when the result still fits in ``limit``: to the previous piece
    if that one is short too (under 3 x ``min_chars``), else to the next one,
    so that runs of short sentences do not grow into one long chunk."""
    def weight(s: str) -> int:
        return sum(ch.isalnum() for ch in s)

    def fits(a: str, b: str) -> bool:
        return len(a) + len(sep) + len(b) <= limit

    out: list[str] = []
    carry: str | None = None
    for p in pieces:
        if carry is not None:
            if fits(carry, p):
                p = carry + sep + p
            else:
                out.append(carry)
            carry = None
        if weight(p) < min_chars:
            if out and weight(out[-1]) < 3 * min_chars and fits(out[-1], p):
                out[-1] = out[-1] + sep + p
            else:
                carry = p
            continue
        if out and weight(out[-1]) < min_chars and fits(out[-1], p):
            out[-1] = out[-1] + sep + p
            continue
        out.append(p)
    if carry is not None:
        if out and fits(out[-1], carry):
            out[-1] = out[-1] + sep + carry
        else:
            out.append(carry)
    return out
