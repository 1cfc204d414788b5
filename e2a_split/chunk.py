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
    boundaries (recursively, strongest first); pieces are stripped and never
    empty."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    at = _cut_point(text, limit)
    return cut(text[:at], limit) + cut(text[at:], limit)


def merge_short(pieces: list[str], limit: int, min_chars: int, sep: str = " ") -> list[str]:
    """Join a piece shorter than ``min_chars`` (letters and digits) to its
    neighbour when the result still fits in ``limit``."""
    def weight(s: str) -> int:
        return sum(ch.isalnum() for ch in s)

    out: list[str] = []
    for p in pieces:
        if out and (weight(p) < min_chars or weight(out[-1]) < min_chars) \
                and len(out[-1]) + len(sep) + len(p) <= limit:
            out[-1] = out[-1] + sep + p
        else:
            out.append(p)
    return out
