"""Plain-text extractor (built-in plugin, entry point ``txt``).

Encoding detection (BOM, UTF-8, then charset-normalizer for the script, and for
Latin text cp1252 or cp1250/ISO-8859-2 by language and letters: e2a_extract/encoding.py), CRLF,
hard-wrapped lines rejoined into paragraphs (short-line stanzas kept as verse),
chapter headings found ("Chapter 1", "CHAPTER I.", bare Roman numerals,
"Chapitre", "Kapitel", "Capítulo", "Primera parte"...), a contents list before
the first chapter recognised and skipped, and the Project Gutenberg header,
footer and licence removed (their Title/Author/Language lines become metadata).
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from e2a_common import ExtractOptions, InputError, hookimpl

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item, TocEntry
from e2a_extract.htmlblocks import ParsedDoc, normalize_ws
from e2a_extract.safety import read_limited

MAX_TXT_BYTES = 64 * 1024 * 1024

_NUM_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
              r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|first|second|third|fourth|fifth|"
              r"last|final|premier|premi[eè]re|deuxi[eè]me|troisi[eè]me|second|seconde|dernier|"
              r"erste[rs]?|zweite[rs]?|dritte[rs]?|primero|primera|segundo|segunda|tercero|tercera|"
              r"primo|secondo|terzo|único|unique")
_NUMBER = rf"(\d{{1,4}}|[IVXLCDM]{{1,8}}|{_NUM_WORDS})"
_KEY_NUMBERED = (r"chapter|chap\.|chapitre|kapitel|cap[ií]tulo|capitolo|hoofdstuk|rozdzia[lł]|"
                 r"глава|part|partie|teil|parte|book|livre|buch|libro|volume|tome|band|act|acte|"
                 r"akt|acto|atto|scene|sc[eè]ne|szene|escena|section|letter|lettre|brief|canto|"
                 r"stave|fit|tale")
_KEY_ALONE = (r"prologue|prolog|pr[óo]logo|epilogue|[ée]pilogue|epilog|ep[íi]logo|preface|"
              r"pr[ée]face|vorwort|prefacio|introduction|einleitung|introducci[óo]n|conclusion|"
              r"afterword|nachwort|foreword|avant-propos|postface|dedication|d[ée]dicace")
RX_NUMBERED = re.compile(rf"^({_KEY_NUMBERED})\s+{_NUMBER}\b\.?(\s*([-—–.:]\s*)?(?P<sub>.*))?$", re.I)
RX_NUMBER_FIRST = re.compile(rf"^{_NUMBER}\.?\s+({_KEY_NUMBERED})\b.*$", re.I)   # "Primera parte ..."
RX_ALONE = re.compile(rf"^({_KEY_ALONE})\b[.:]?(\s+.{{0,60}})?$", re.I)
RX_BARE = re.compile(r"^([IVXLCDM]{1,8}|\d{1,3})\s*\.?$")
RX_CHAPTER = re.compile(r"^(chapter|chapitre|kapitel|cap[ií]tulo|capitolo|hoofdstuk)\s", re.I)
RX_PART = re.compile(r"^(part|partie|teil|parte|book|livre|buch|libro|volume|tome|band)\b", re.I)
RX_CONTENTS = re.compile(r"^(contents|table of contents|table des mati[èe]res|inhalt|"
                         r"inhaltsverzeichnis|[ií]ndice|sommaire)\.?$", re.I)

PG_START = re.compile(r"^\s*\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
PG_END = re.compile(r"^\s*(\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG|End of (the )?Project "
                    r"Gutenberg'?s? |\*\*\*END OF THE PROJECT GUTENBERG)", re.I | re.M)
PG_SMALLPRINT_END = re.compile(r"^\s*\*END\*THE SMALL PRINT.*$", re.I | re.M)
LANG_NAMES = {"english": "en", "french": "fr", "german": "de", "spanish": "es",
              "italian": "it", "portuguese": "pt", "dutch": "nl", "swedish": "sv",
              "danish": "da", "norwegian": "no", "finnish": "fi", "polish": "pl",
              "russian": "ru", "latin": "la", "greek": "el", "chinese": "zh", "japanese": "ja",
              "hungarian": "hu", "czech": "cs", "catalan": "ca", "esperanto": "eo"}


def decode_text(data: bytes, path: Path) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
                     (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from e2a_extract.encoding import is_latin, latin_family
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:2_000_000]).best()
        if best is not None and best.encoding:
            text = data.decode(best.encoding, errors="replace")
            if not is_latin(text):      # Cyrillic, Greek, CJK...: its strength
                return text
    except Exception:  # charset-normalizer missing or confused: fall through
        pass
    # Latin script: Western (cp1252) unless the language or the letters say
    # Central European (charset-normalizer confuses the two: "naïve" -> "naďve")
    return data.decode(latin_family(data), errors="replace")


def looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    sample = head[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:   # not just a character cut at the end
            text = sample.decode("cp1252", errors="replace")
        else:
            text = sample[:exc.start].decode("utf-8", errors="replace")
    bad = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f")
    return bad <= len(text) * 0.01


class TxtExtractor(BookExtractor):
    name = "txt"
    description = "Plain text (.txt), any encoding; Project Gutenberg texts cleaned"
    extensions = (".txt", ".text")

    def sniff(self, path: Path, head: bytes) -> int:
        if not looks_like_text(head):
            return 0
        low = head[:512].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
        if low.startswith((b"<?xml", b"<!doctype", b"<html")):
            return 0
        if path.suffix.lower() in self.extensions:
            return 40
        return 5

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_TXT_BYTES:
            raise InputError(f"text file is {size} bytes (limit {MAX_TXT_BYTES})", path=path)
        text = decode_text(read_limited(path, MAX_TXT_BYTES, "text file"), path)
        return text_model(text, path, options)


def strip_gutenberg(text: str) -> tuple[str, dict]:
    """Remove the Project Gutenberg header, footer and licence; return the
    metadata found in the header."""
    meta: dict = {}
    m = PG_START.search(text)
    if m:
        header = text[:m.start()]
        text = text[m.end():]
        for key, rx in (("title", r"^Title:\s*(.+)$"), ("author", r"^Author:\s*(.+)$"),
                        ("language", r"^Language:\s*(.+)$"), ("date", r"^Release date:\s*(.+)$"),
                        ("translator", r"^Translator:\s*(.+)$")):
            mm = re.search(rx, header, re.M | re.I)
            if mm:
                meta[key] = mm.group(1).strip()
        eb = re.search(r"\[e(?:Book|Text) #(\d+)\]", header, re.I)
        if eb:
            meta["pg"] = eb.group(1)
    else:
        m2 = PG_SMALLPRINT_END.search(text)
        if m2 and m2.start() < len(text) // 3:
            text = text[m2.end():]
    e = PG_END.search(text)
    if e:
        text = text[:e.start()]
    return text, meta


def _paragraphs(text: str) -> list[list[str]]:
    paras, cur = [], []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def _heading_kind(lines: list[str]) -> tuple[int, str] | None:
    """(level, title) when this paragraph is a chapter heading."""
    stripped = [ln.strip() for ln in lines]
    first = stripped[0]
    joined = " ".join(stripped)
    if len(stripped) > 4 or len(joined) > 320:
        return None
    m = RX_NUMBERED.match(first)
    if m and (len(stripped) <= 3 and len(joined) <= 200 or RX_CHAPTER.match(first)):
        sub = (m.group("sub") or "").strip()
        # "Chapter 1 was..." in running text: a subtitle must not read like a sentence
        if sub and sub[:1].islower() and not re.match(r"^[-—–.:]", first[m.end(2):].lstrip()):
            return None
        level = 1 if RX_PART.match(first) else 2
        return level, joined
    if len(stripped) > 3 or len(joined) > 200:
        return None
    m = RX_NUMBER_FIRST.match(first)
    if m and len(stripped) <= 2:
        return (1 if RX_PART.search(first) else 2), joined
    if len(stripped) == 1 and RX_ALONE.match(first) and len(first.split()) <= 8:
        return 2, first
    if RX_BARE.match(first):
        return 2, joined
    return None


def text_model(text: str, path: Path, options: ExtractOptions, fmt: str = "txt") -> BookModel:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text, pg = strip_gutenberg(text)
    paras = _paragraphs(text)
    if not paras:
        raise InputError("the book is empty: no text", path=path)
    lengths = sorted(len(ln) for p in paras for ln in p)
    wrap = lengths[int(len(lengths) * 0.9)] if lengths else 80

    blocks: list[dict] = []
    anchors: dict[str, int] = {}
    toc: list[TocEntry] = []
    heads: list[int] = []           # paragraph index of each heading candidate
    kinds: dict[int, tuple[int, str]] = {}
    last_bare = 0
    for k, p in enumerate(paras):
        hk = _heading_kind(p)
        if hk and RX_BARE.match(p[0].strip()):
            # bare numerals count only in sequence (I, II, III...): a lone "XIX"
            # in a title block is a volume number, not a chapter
            n = _numeral(p[0].strip().rstrip("."))
            if n not in (1, last_bare + 1):
                hk = None
            else:
                last_bare = n
        if hk:
            kinds[k] = hk
            heads.append(k)
    # a contents list: three or more headings in a row with no text between
    toc_paras: set[int] = set()
    run: list[int] = []
    for k in range(len(paras) + 1):
        if k < len(paras) and (k in kinds or _is_contents_block(paras[k])
                               or RX_CONTENTS.match(paras[k][0].strip())):
            run.append(k)
            continue
        if len(run) >= 3:
            # the last heading of the run is followed by text: a real heading
            toc_paras.update(run[:-1] if run[-1] in kinds else run)
        run = []
    for k, p in enumerate(paras):
        if len(p) > 1 and _is_contents_block(p):
            toc_paras.add(k)
    contents_at = None
    for k, p in enumerate(paras):
        first = p[0].strip()
        if k in toc_paras or (RX_CONTENTS.match(first) and len(p) == 1 and (
                k + 1 in toc_paras or (k + 1 < len(paras) and _is_contents_block(paras[k + 1])))):
            if contents_at is None:
                contents_at = len(blocks)
                anchors["contents"] = len(blocks)
                toc.append(TocEntry("Contents", "text", "contents"))
            blocks.append({"type": "paragraph", "text": normalize_ws(" ".join(p), keep_lines=False)})
            continue
        if k in kinds:
            level, title = kinds[k]
            title = normalize_ws(title, keep_lines=False)
            aid = f"h{k}"
            anchors[aid] = len(blocks)
            toc.append(TocEntry(title, "text", aid))
            blocks.append({"type": "heading", "text": title, "level": level})
            continue
        blocks.append(_block(p, wrap))
    lead_words = sum(len(b["text"].split()) for b in blocks[:toc and anchors[toc[0].fragment] or 0])
    if toc and anchors[toc[0].fragment] > 0:
        anchors["start"] = 0
        toc.insert(0, TocEntry("Title page" if lead_words < 200 else "Opening", "text", "start"))
    if not toc:
        toc = _parts(blocks, anchors)
    meta = {"title": pg.get("title") or _guess_title(paras) or path.stem,
            "authors": [a.strip() for a in re.split(r"\s+and\s+|;", pg["author"])] if pg.get("author") else [],
            "identifiers": {"gutenberg": pg["pg"]} if pg.get("pg") else {}}
    if pg.get("language"):
        lang = pg["language"].split(",")[0].strip().lower()
        meta["language"] = LANG_NAMES.get(lang, lang if len(lang) <= 3 else "")
    if pg.get("translator"):
        meta["contributors"] = [{"name": pg["translator"], "role": "trl"}]
    doc = ParsedDoc(blocks=blocks, anchors=anchors)
    return BookModel(path=path, meta=meta, items=[Item("text", doc)], toc=toc, format=fmt)


def _numeral(s: str) -> int:
    if s.isdigit():
        return int(s)
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(s.upper()):
        v = vals.get(ch, 0)
        nxt = vals.get(s.upper()[i + 1], 0) if i + 1 < len(s) else 0
        total += -v if v < nxt else v
    return total


def _is_contents_block(lines: list[str]) -> bool:
    hits = sum(1 for ln in lines if _heading_kind([ln.strip()[:80].split("   ")[0]]) or
               re.search(r"\s{2,}\d+\s*$|\.{4,}\s*\d+\s*$", ln))
    return len(lines) >= 3 and hits >= 0.6 * len(lines)


def _block(lines: list[str], wrap: int) -> dict:
    stripped = [ln.strip() for ln in lines]
    if len(lines) >= 2 and max(len(ln) for ln in lines[:-1]) < 0.7 * wrap \
            and sum(1 for ln in stripped if ln[:1].isupper()) >= 0.8 * len(stripped):
        return {"type": "verse", "text": "\n".join(normalize_ws(s, keep_lines=False) for s in stripped)}
    out = stripped[0]
    for ln in stripped[1:]:
        if out.endswith("-") and not out.endswith("--") and ln[:1].islower() and len(out) > 1 \
                and out[-2].isalpha():
            out = out[:-1] + ln          # a word hyphenated at the line end
        else:
            out += " " + ln
    return {"type": "paragraph", "text": normalize_ws(out, keep_lines=False)}


def _guess_title(paras: list[list[str]]) -> str:
    for p in paras[:5]:
        t = " ".join(x.strip() for x in p)
        if 2 <= len(t) <= 80 and not t.startswith("[") and not _heading_kind(p):
            return t
    return ""


def _parts(blocks: list[dict], anchors: dict[str, int], size: int = 6000) -> list[TocEntry]:
    """No headings at all: cut the text into parts of about ``size`` words at
    paragraph ends, so no chapter is one enormous block."""
    toc, words, n = [], 0, 0
    for k, b in enumerate(blocks):
        if k == 0 or words >= size:
            n += 1
            anchors[f"part{n}"] = k
            toc.append(TocEntry(f"Part {n}", "text", f"part{n}"))
            words = 0
        words += len(b["text"].split())
    if len(toc) == 1:
        toc[0].title = ""
    return toc


@hookimpl
def register_extractors(register):
    register(TxtExtractor())
