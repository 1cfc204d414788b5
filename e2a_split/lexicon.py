"""Pronunciation lexicons: a user's TSV or W3C PLS file, an EPUB's PLS, and
per-block phoneme hints (``ssml:ph``).

Entries apply to whole words only (never inside a word), case-sensitively,
except that an all-lower-case entry also matches its capitalised form at a
sentence start. An entry may give an *alias* (text to say instead) and/or
*phonemes* (IPA). Phonemes are used only when the engine declares how it
takes them (``Engine.phoneme_markup``, e.g. ``"[[ {} ]]"`` for Piper);
otherwise the alias is used, and an entry with phonemes only is skipped.

TSV format (UTF-8, ``#`` starts a comment line)::

    grapheme<TAB>alias[<TAB>ipa]
    Hermione	Her-my-oh-nee
    Nguyen		wɪn

PLS: https://www.w3.org/TR/pronunciation-lexicon/ (``<lexeme>`` with one or
more ``<grapheme>``, and ``<alias>`` and/or ``<phoneme>``; ``alphabet`` other
than IPA is ignored for phonemes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from e2a_common.errors import InputError

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
_MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Entry:
    alias: str | None = None
    phonemes: str | None = None


@dataclass
class Lexicon:
    entries: dict[str, Entry] = field(default_factory=dict)
    _rx: re.Pattern | None = field(default=None, repr=False, compare=False)

    def add(self, grapheme: str, alias: str | None = None, phonemes: str | None = None) -> None:
        g = " ".join(grapheme.split())
        if not g or not (alias or phonemes):
            return
        self.entries[g] = Entry(alias or None, phonemes or None)
        if g[:1].islower():
            cap = g[0].upper() + g[1:]
            self.entries.setdefault(cap, Entry(alias[:1].upper() + alias[1:] if alias else None,
                                               phonemes or None))
        self._rx = None

    def merge(self, other: "Lexicon | None") -> "Lexicon":
        if other:
            for g, e in other.entries.items():
                self.entries.setdefault(g, e)
            self._rx = None
        return self

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def pattern(self) -> re.Pattern | None:
        if self._rx is None and self.entries:
            alts = [re.escape(g).replace(r"\ ", r"\s+")
                    for g in sorted(self.entries, key=len, reverse=True)]
            self._rx = re.compile(r"(?<![\w\-])(?:" + "|".join(alts) + r")(?![\w\-])")
        return self._rx

    def lookup(self, word: str) -> Entry | None:
        return self.entries.get(" ".join(word.split()))


# ---------------------------------------------------------------- loading
def load(path: str | Path) -> Lexicon:
    """Read a TSV or PLS lexicon (by content: a file starting with '<' is
    PLS). Raises InputError naming the file when it cannot be used."""
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise InputError("lexicon larger than 20 MiB", path=p)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such lexicon file", path=p) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a lexicon file", path=p) from None
    except OSError as exc:
        raise InputError(f"cannot read lexicon: {exc.strerror}", path=p) from None
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return parse_pls(data, source=str(p))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("lexicon is not UTF-8 text", path=p) from None
    return parse_tsv(text, source=str(p))


def parse_tsv(text: str, source: str = "<lexicon>") -> Lexicon:
    lex = Lexicon()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) < 2 or not cols[0].strip() or not any(c.strip() for c in cols[1:3]):
            raise InputError(f"line {n}: expected 'word<TAB>alias[<TAB>ipa]'", path=source)
        alias = cols[1].strip() or None
        ipa = cols[2].strip() if len(cols) > 2 and cols[2].strip() else None
        lex.add(cols[0].strip(), alias, ipa)
    return lex


def parse_pls(data: bytes | str, source: str = "<lexicon>") -> Lexicon:
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        root = etree.fromstring(data.encode() if isinstance(data, str) else data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not a well-formed PLS lexicon ({exc})", path=source) from None
    if etree.QName(root).localname != "lexicon":
        raise InputError("not a PLS lexicon (root element is not <lexicon>)", path=source)
    ns = etree.QName(root).namespace or ""
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    default_alpha = (root.get("alphabet") or "ipa").lower()
    lex = Lexicon()
    for lexeme in root.iter(q("lexeme")):
        graphemes = [(g.text or "").strip() for g in lexeme.iter(q("grapheme"))]
        alias = next(((a.text or "").strip() for a in lexeme.iter(q("alias")) if (a.text or "").strip()), None)
        ph = None
        for p in lexeme.iter(q("phoneme")):
            if (p.get("alphabet") or default_alpha).lower() == "ipa" and (p.text or "").strip():
                ph = p.text.strip()
                break
        for g in graphemes:
            if g:
                lex.add(g, alias, ph)
    return lex


def from_hints(hints: Iterable[dict] | None) -> Lexicon | None:
    """Block ``phonemes`` field: [{"text": "Tomato", "ph": "təˈmɑːtəʊ",
    "alphabet": "ipa"}, ...] (from ``ssml:ph`` in an EPUB)."""
    if not hints or not isinstance(hints, list):
        return None
    lex = Lexicon()
    for h in hints:
        if isinstance(h, dict) and isinstance(h.get("text"), str) and isinstance(h.get("ph"), str):
            if (h.get("alphabet") or "ipa").lower() in ("ipa", "x-ipa"):
                lex.add(h["text"], None, h["ph"])
    return lex or None


# ----------------------------------------------------------------- apply
_SENT_OPEN, _SENT_CLOSE = "\ue000", "\ue001"


def protect(text: str, lex: Lexicon | None, markup: str | None) -> tuple[str, list[str]]:
    """Replace lexicon words by placeholders that normalisation leaves alone;
    returns the text and what each placeholder becomes."""
    if not lex or lex.pattern is None:
        return text, []
    spoken: list[str] = []

    def repl(m: re.Match) -> str:
        e = lex.lookup(m.group(0))
        if e is None:
            return m.group(0)
        if e.phonemes and markup:
            out = markup.format(e.phonemes)
        elif e.alias:
            out = e.alias
        else:
            return m.group(0)
        spoken.append(out)
        return f"{_SENT_OPEN}{chr(0xE100 + len(spoken) - 1)}{_SENT_CLOSE}"

    if len(lex.entries) > 4000:  # one regex over thousands of words is slow: look words up
        out = re.sub(r"(?<![\w\-])[\w'’\-]+(?![\w\-])", repl, text)
    else:
        out = lex.pattern.sub(repl, text)
    return out, spoken[:0x1000]


def restore(text: str, spoken: list[str]) -> str:
    if not spoken:
        return text
    return re.sub(f"{_SENT_OPEN}(.){_SENT_CLOSE}",
                  lambda m: spoken[ord(m.group(1)) - 0xE100] if ord(m.group(1)) - 0xE100 < len(spoken) else "",
                  text)
