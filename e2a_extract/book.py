"""The format-independent middle of e2a-extract.

An extractor plugin turns its file into a :class:`BookModel` (metadata, the
reading-order items each parsed into blocks with anchors and notes, and the
table of contents); :func:`plan_chapters` turns that into chapters (from the
TOC, else from headings), classifies front and back matter, and
:func:`records` streams the book, chapter and block records.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from e2a_common import ExtractOptions
from e2a_common.console import warn

from .htmlblocks import ParsedDoc
from .lang import detect_language

# ------------------------------------------------------------------ the model


@dataclass
class Item:
    name: str                     # path inside the container (or a label)
    doc: ParsedDoc
    linear: bool = True


@dataclass
class TocEntry:
    title: str
    target: str | None = None     # item name
    fragment: str | None = None
    children: list["TocEntry"] = field(default_factory=list)
    hidden: bool = False


@dataclass
class BookModel:
    path: Path
    meta: dict
    items: list[Item]
    toc: list[TocEntry] = field(default_factory=list)
    landmarks: dict[str, str] = field(default_factory=dict)   # item name -> type
    cover: tuple[bytes, str] | None = None                    # (data, extension)
    heading_split: bool = False   # no TOC: split items at their top headings
    format: str = ""
    lexicons: list[tuple[str, bytes]] = field(default_factory=list)   # PLS files (name, data)


@dataclass
class Chapter:
    title: str
    blocks: list[dict]
    type: str = "chapter"         # chapter, titlepage, imprint, toc, dedication...
    role: str = "body"            # body, front, back
    first_item: str = ""
    noterefs: list[tuple[str, str]] = field(default_factory=list)  # (item, href)
    from_toc: bool = False
    at_item_start: bool = True    # starts at the top of its file (file-level signals apply)
    is_part: bool = False         # its TOC entry holds other chapters (a part heading)
    index: int | None = None      # in the output; None when skipped
    notes: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(b["text"].split()) for b in self.blocks)


# ------------------------------------------------------- front/back matter

LONG_CHAPTER_WORDS = 12000

# types whose chapters are not read by default
SKIP_TYPES = {"cover", "titlepage", "halftitlepage", "copyright-page", "imprint", "toc",
              "colophon", "license", "uncopyright", "index", "boilerplate", "notes",
              "loi", "lot", "landmarks", "bibliography", "errata", "other-credits",
              "seriespage", "contributors", "frontispiece"}
_TYPE_ALIASES = {
    "copyright": "copyright-page", "title-page": "titlepage", "half-title": "halftitlepage",
    "halftitle": "halftitlepage", "footnotes": "notes", "endnotes": "notes",
    "rearnotes": "notes", "text": "chapter", "bodymatter": "chapter",
    "acknowledgements": "acknowledgments", "foreword": "foreword", "preface": "preface",
    "introduction": "introduction", "prologue": "prologue", "epilogue": "epilogue",
    "afterword": "afterword", "appendix": "appendix", "dedication": "dedication",
    "epigraph": "epigraph", "glossary": "glossary", "part": "part", "volume": "part",
    "chapter": "chapter", "conclusion": "conclusion",
}
_KNOWN_TYPES = SKIP_TYPES | set(_TYPE_ALIASES.values())

_TITLE_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(table of contents|contents|toc|table des mati[eè]res|sommaire|"
                r"inhalt|inhaltsverzeichnis|[ií]ndice|[ií]ndice general|sumario|indice|"
                r"the contents|list of (illustrations|figures|tables))$", re.I), "toc"),
    (re.compile(r"^(un)?copyright( page| notice)?$|^uncopyright$", re.I), "copyright-page"),
    (re.compile(r"^(imprint|impressum|colophon|achevé d.imprimer|mentions l[ée]gales|"
                r"about this (e-?)?book|about the publisher|credits)$", re.I), "imprint"),
    (re.compile(r"^(title ?page|titlepage|half[- ]?title( page)?|page de titre|cover|"
                r"couverture|front cover|titelseite|portada)$", re.I), "titlepage"),
    (re.compile(r"^(licen[cs]e|licence|lizenz|full license|the full project gutenberg license)$",
                re.I), "license"),
    (re.compile(r"^(index|register)$", re.I), "index"),
    (re.compile(r"^((end|foot)?notes|notes de fin|anmerkungen|notas)$", re.I), "notes"),
    (re.compile(r"^(bibliography|bibliographie|references|bibliograf[ií]a)$", re.I),
     "bibliography"),
    (re.compile(r"^(dedication|d[ée]dicace|widmung|dedicatoria)$", re.I), "dedication"),
    (re.compile(r"^(epigraph|[ée]pigraphe)$", re.I), "epigraph"),
    (re.compile(r"^(preface|pr[ée]face|vorwort|pr[óo]logo|foreword)$", re.I), "preface"),
    (re.compile(r"^(introduction|einleitung|introducci[óo]n)$", re.I), "introduction"),
    (re.compile(r"^(acknowledge?ments|remerciements|danksagung)$", re.I), "acknowledgments"),
]
_NAME_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(^|[/_-])(cover|wrap0000|couverture)([._-]|$)", re.I), "cover"),
    (re.compile(r"(^|[/_-])(half-?title(page)?)([._-]|$)", re.I), "halftitlepage"),
    (re.compile(r"(^|[/_-])(title-?page|titlepage|title|titel)([._-]|$)", re.I), "titlepage"),
    (re.compile(r"(^|[/_-])(uncopyright)([._-]|$)", re.I), "uncopyright"),
    (re.compile(r"(^|[/_-])(copyright|copyright-?page|rights|legal)([._-]|$)", re.I),
     "copyright-page"),
    (re.compile(r"(^|[/_-])(imprint|impressum|colophon)([._-]|$)", re.I), "imprint"),
    (re.compile(r"(^|[/_-])(toc|contents|nav|sommaire)([._-]|$)", re.I), "toc"),
    (re.compile(r"(^|[/_-])(licen[cs]e)([._-]|$)", re.I), "license"),
    (re.compile(r"(^|[/_-])(endnotes|footnotes|notes)([._-]|$)", re.I), "notes"),
]
_PG_END = re.compile(r"^\W*(\*{3}\s*)?end of (the |this )?project gutenberg", re.I)
_PG = re.compile(r"project gutenberg|gutenberg\.org|\*\*\* ?(start|end) of (the|this) project", re.I)


def _type_from_epub(types: set[str]) -> str | None:
    for t in types:
        t = t.split(":")[-1].lower()
        t = _TYPE_ALIASES.get(t, t)
        if t in _KNOWN_TYPES and t not in ("chapter",):
            return t
    return None


def classify(ch: Chapter, model: BookModel, items: dict[str, Item]) -> str:
    """The chapter's type: what it is (titlepage, imprint, chapter, preface...)."""
    item = items.get(ch.first_item)
    title = (ch.title or "").strip().strip(".:").strip()
    # 1. the book's own semantics: epub:type / landmarks / guide (these describe
    #    a whole file: they apply to the chapter that starts the file)
    if item is not None and ch.at_item_start:
        t = _type_from_epub(item.doc.types)
        if t:
            return t
    lm = model.landmarks.get(ch.first_item) if ch.at_item_start else None
    if lm:
        t = _type_from_epub({lm})
        if t:
            return t
    # 2. what it holds: a list of chapter titles is a contents page
    if model.format in ("txt", "pdf") and _looks_like_contents(ch):
        return "toc"
    # 3. the title
    for rx, t in _TITLE_RULES:
        if rx.match(title):
            return t
    if not ch.blocks and re.match(r"(end|foot)?notes\b", title, re.I):
        return "notes"
    full = model.meta.get("title") or ""
    names = {re.sub(r"\W+", " ", t).strip().lower() for t in (full, full.split(":")[0]) if t}
    if re.sub(r"\W+", " ", title).strip().lower() in names - {""} and ch.words < 60 \
            and model.format not in ("txt",):
        return "titlepage"
    # 3. Project Gutenberg boilerplate (header, licence)
    text = " ".join(b["text"] for b in ch.blocks[:60])
    if _PG.search(text) and (len(_PG.findall(text)) >= 2 or ch.words < 400):
        if not re.search(r"\bchapter\b", title, re.I) or ch.words < 400:
            return "boilerplate"
    # 4. the file name, when the title says nothing
    if item is not None and not ch.from_toc and ch.at_item_start:
        base = posixpath.basename(item.name)
        for rx, t in _NAME_RULES:
            if rx.search(base):
                return t
    if item is not None and item.doc.types & {"frontmatter"} and ch.words < 40 and not ch.from_toc \
            and ch.at_item_start:
        return "titlepage"
    return "chapter"


_ENDS_SENTENCE = re.compile(r"[.!?…:;»\"”’)\]]$")


def _looks_like_contents(ch: Chapter) -> bool:
    """A list of chapter titles (an untyped contents page, a Gutenberg contents
    list): many short lines that are not sentences."""
    lines = [b["text"] for b in ch.blocks if b["type"] in ("paragraph", "verse")]
    if len(lines) < 10:
        return False
    if sum(1 for b in ch.blocks if b["type"] == "verse") > 0.5 * len(lines):
        return False    # a poem
    short = [t for t in lines if len(t) < 160 and not _ENDS_SENTENCE.search(t.strip())]
    return len(short) >= 0.85 * len(lines) and sum(map(len, lines)) / len(lines) < 120


# --------------------------------------------------------- TOC -> chapters

def flatten_toc(nodes: list[TocEntry], force: bool = False) -> list[TocEntry]:
    """The TOC entries that start chapters. A node is opened (its children
    become chapters) when it has no target, when its children lead to other
    files, or when they have children of their own (a part holding chapters);
    children that only split one file into sections stay inside their chapter."""
    out: list[TocEntry] = []
    for node in nodes:
        kids = [k for k in node.children if not k.hidden]
        if not kids:
            if node.target:
                out.append(node)
            continue
        other_file = any(_first_target(k) not in (None, node.target) for k in kids)
        deep = any(k.children for k in kids)
        if node.target is None or other_file or deep or force:
            if node.target:
                out.append(node)
            out.extend(flatten_toc(kids))
        else:
            out.append(node)
    return out


def _first_target(node: TocEntry) -> str | None:
    if node.target:
        return node.target
    for k in node.children:
        t = _first_target(k)
        if t:
            return t
    return None


def plan_chapters(model: BookModel, options: ExtractOptions) -> list[Chapter]:
    items: list[Item] = []
    seen: set[str] = set()
    for it in model.items:
        if not it.linear:
            continue
        if it.name in seen:
            warn(f"{model.path}: {it.name} appears more than once in the reading order; "
                 "read once")
            continue
        seen.add(it.name)
        items.append(it)
    by_name = {it.name: it for it in items}
    index_of = {it.name: i for i, it in enumerate(items)}

    # TOC entries -> (item index, block index)
    starts: dict[tuple[int, int], TocEntry] = {}
    entries = flatten_toc(model.toc)
    if len(entries) <= 1:
        # one article with its sections (a TOC of one entry and its children):
        # the sections are the chapters
        more = flatten_toc(model.toc, force=True)
        if len(more) >= 3:
            entries = more
    def pos(e: TocEntry) -> tuple[int, int] | None:
        if e.target not in index_of:
            return None
        i = index_of[e.target]
        return i, (by_name[e.target].doc.anchors.get(e.fragment, 0) if e.fragment else 0)

    # a very long chapter whose TOC entry has sections (the acts of a play in
    # a one-file PDF) is cut at its sections
    cum = [0]
    for it in items:
        for bl in it.doc.blocks:
            cum.append(cum[-1] + len(bl["text"].split()))
    offset = {}
    acc = 0
    for i, it in enumerate(items):
        offset[i] = acc
        acc += len(it.doc.blocks)
    flat: list[tuple[tuple[int, int], TocEntry]] = sorted(
        ((p, e) for e in entries if (p := pos(e)) is not None), key=lambda x: x[0])
    expanded: list[TocEntry] = []
    for k, (p, e) in enumerate(flat):
        expanded.append(e)
        kids = [c for c in e.children if not c.hidden and pos(c) is not None]
        if not kids:
            continue
        end = flat[k + 1][0] if k + 1 < len(flat) else (len(items) - 1, len(items[-1].doc.blocks))
        a = offset[p[0]] + p[1]
        b = offset[end[0]] + end[1]
        if cum[min(b, len(cum) - 1)] - cum[min(a, len(cum) - 1)] > LONG_CHAPTER_WORDS:
            expanded.extend(flatten_toc(kids, force=True) or kids)
    for e in expanded:
        p = pos(e)
        if p is not None:
            starts.setdefault(p, e)
    use_toc = len(starts) >= 1 and not (len(starts) == 1 and len(items) > 1)
    if not use_toc and model.toc:
        warn(f"{model.path}: the table of contents is unusable; chapters from headings")

    chapters: list[Chapter] = []
    cur: Chapter | None = None
    for i, it in enumerate(items):
        blocks = it.doc.blocks
        cuts = sorted(b for (ii, b) in starts if ii == i) if use_toc else []
        if not use_toc:
            cuts = [0] + _heading_cuts(it) if (model.heading_split or not model.toc) else [0]
            cuts = sorted(set(cuts))
            if cuts == [0] and cur is not None and blocks and not _is_matter(it, model) \
                    and not any(b["type"] == "heading" for b in blocks[:3]) \
                    and cur.type == "chapter":
                # no TOC: a file that does not open with a heading continues the
                # chapter before it (fixed-layout pages, a chapter split in files)
                _Seg(it, 0, len(blocks)).into(cur)
                continue
        # what comes before the first cut
        first = cuts[0] if cuts else len(blocks)
        lead = _Seg(it, 0, first)
        if first > 0 or not cuts:
            standalone = cur is None or _is_matter(it, model)
            if standalone:
                cur = Chapter(title="", blocks=[], first_item=it.name)
                chapters.append(cur)
            lead.into(cur)
        for k, b in enumerate(cuts):
            end = cuts[k + 1] if k + 1 < len(cuts) else len(blocks)
            e = starts.get((i, b)) if use_toc else None
            cur = Chapter(title=(e.title if e else ""), blocks=[], first_item=it.name,
                          from_toc=e is not None, at_item_start=(b == 0),
                          is_part=bool(e and e.children))
            chapters.append(cur)
            _Seg(it, b, end).into(cur)

    # Project Gutenberg's end marker: what follows it is licence text
    pg_tail = set()
    for n, ch in enumerate(chapters):
        for k, b in enumerate(ch.blocks):
            if _PG_END.match(b["text"]):
                if k < 3:
                    pg_tail.add(n)     # the whole chapter is the Gutenberg footer
                else:
                    ch.blocks = ch.blocks[:k]
                break
    # titles and types
    for n, ch in enumerate(chapters):
        if not ch.title:
            ch.title = _first_heading(ch) or by_name[ch.first_item].doc.title or ""
        ch.type = "boilerplate" if n in pg_tail else classify(ch, model, by_name)
    # scraps before the first real chapter ("THE MILLENNIUM FULCRUM EDITION 3.0",
    # a half title without markup) are title-page matter
    first_real = next((k for k, ch in enumerate(chapters)
                       if ch.type not in SKIP_TYPES and ch.words >= 200), None)
    if first_real is not None:
        for ch in chapters[:first_real]:
            if ch.type == "chapter" and ch.words < 20 and not ch.is_part and not any(
                    b["type"] == "verse" for b in ch.blocks):
                ch.type = "titlepage"
    # roles: skipped matter before the first body chapter is front, after is back
    body_idx = [k for k, ch in enumerate(chapters) if ch.type not in SKIP_TYPES and ch.blocks]
    last_body = body_idx[-1] if body_idx else -1
    for k, ch in enumerate(chapters):
        if ch.type in SKIP_TYPES:
            ch.role = "back" if k > last_body else "front"
    # a chapter that is only a heading ("Part II", "II") opens the next one
    merged: list[Chapter] = []
    pending: list[dict] = []
    for k, ch in enumerate(chapters):
        if pending and ch.role == "body" and ch.blocks:
            ch.blocks = pending + ch.blocks
            pending = []
        if ch.role == "body" and _heading_only(ch) and any(
                c.role == "body" and c.blocks for c in chapters[k + 1:]):
            pending = pending + ch.blocks
            continue
        merged.append(ch)
    chapters = merged
    # untitled chapters
    n = 0
    for ch in chapters:
        if ch.role == "body":
            n += 1
        if not ch.title:
            ch.title = f"Chapter {n}" if ch.role == "body" else ch.type.capitalize()
    # notes at the end of their chapter
    if options.notes == "end":
        notes = {}
        for it in items:
            for nid, text in it.doc.notes.items():
                notes[(it.name, nid)] = text
        for it in model.items:
            for nid, text in it.doc.notes.items():
                notes.setdefault((it.name, nid), text)
        for ch in chapters:
            done = set()
            for item_name, href in ch.noterefs:
                key = _resolve(item_name, href)
                if key in done:
                    continue
                done.add(key)
                text = notes.get(key)
                if text:
                    ch.notes.append(text)
    return chapters


@dataclass
class _Seg:
    item: Item
    start: int
    end: int

    def into(self, ch: Chapter) -> None:
        ch.blocks.extend(self.item.doc.blocks[self.start:self.end])
        ch.noterefs.extend((self.item.name, href) for (b, href) in self.item.doc.noterefs
                           if self.start <= b < self.end
                           or (self.end == len(self.item.doc.blocks) and b >= self.end))


def _resolve(item_name: str, href: str) -> tuple[str, str]:
    from urllib.parse import unquote
    path, _, frag = href.partition("#")
    if not path:
        return item_name, frag
    base = posixpath.dirname(item_name)
    return posixpath.normpath(posixpath.join(base, unquote(path))), frag


def _heading_cuts(it: Item) -> list[int]:
    """Where to cut one document into chapters: at every heading of the highest
    level that occurs at least twice (a lone <h1> book title stays a heading)."""
    heads = [(k, b.get("level", 6)) for k, b in enumerate(it.doc.blocks) if b["type"] == "heading"]
    if len(heads) < 2:
        return []
    for level in sorted({lv for _, lv in heads}):
        cuts = [k for k, lv in heads if lv == level]
        if len(cuts) >= 2:
            break
    else:
        return []
    out = []
    for k in cuts:
        # a heading right after a heading of a higher level (h1 "Part I" + h2
        # "Chapter 1") starts its chapter there
        start = k
        while start > 0 and it.doc.blocks[start - 1]["type"] == "heading" and \
                it.doc.blocks[start - 1].get("level", 6) < it.doc.blocks[k].get("level", 6):
            start -= 1
        if out and start <= out[-1] + 1 and k == out[-1] + 1:
            continue
        out.append(start)
    return out


def _is_matter(it: Item, model: BookModel) -> bool:
    """Does this item (not in the TOC) stand on its own as front/back matter?"""
    t = _type_from_epub(it.doc.types) or _type_from_epub(
        {model.landmarks.get(it.name, "")})
    if t and t != "chapter":
        return True
    base = posixpath.basename(it.name)
    if any(rx.search(base) for rx, _ in _NAME_RULES):
        return True
    text = " ".join(b["text"] for b in it.doc.blocks[:40])
    return bool(_PG.search(text))


def _first_heading(ch: Chapter) -> str:
    """The chapter's own heading: of a run of headings at its start ("Part
    One", "Chapter 1"), the last; else the first heading near its start."""
    run = []
    for b in ch.blocks:
        if b["type"] != "heading":
            break
        run.append(b["text"])
    if run:
        return run[-1]
    for b in ch.blocks[:8]:
        if b["type"] == "heading":
            return b["text"]
    return ""


def _heading_only(ch: Chapter) -> bool:
    if not ch.blocks or len(ch.blocks) > 3:
        return False
    return all(b["type"] == "heading" for b in ch.blocks) and ch.words <= 16


# ------------------------------------------------------------------ records

def parse_selection(spec: str | None) -> set[int] | None:
    """'3-12', '0,2,5-7' -> a set of chapter indices (None: no selection)."""
    if spec is None or spec == "":
        return None
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d+)?\s*-\s*(\d+)?|(\d+)", part)
        if not m:
            raise ValueError(f"bad chapter selection {part!r} (use e.g. 3-12 or 0,2,5-7)")
        if m.group(3) is not None:
            out.add(int(m.group(3)))
        else:
            lo = int(m.group(1)) if m.group(1) else 0
            hi = int(m.group(2)) if m.group(2) else 10**6
            if hi < lo:
                raise ValueError(f"bad chapter range {part!r}")
            out.update(range(lo, min(hi, lo + 10**6) + 1))
    return out


def assign_indices(chapters: list[Chapter], options: ExtractOptions) -> list[Chapter]:
    """Number the chapters that are read (front/back matter only when kept)."""
    n = 0
    for ch in chapters:
        readable = (ch.role == "body" or options.keep_front_matter) and ch.type != "notes" \
            and ch.blocks
        if ch.role != "body" and ch.type == "notes" and options.keep_front_matter \
                and options.notes != "end" and ch.blocks:
            readable = True
        if readable:
            ch.index = n
            n += 1
        else:
            ch.index = None
    return chapters


def book_language(model: BookModel, chapters: list[Chapter]) -> str:
    lang = (model.meta.get("language") or "").strip()
    if lang and lang.lower() not in ("und", "mul", "zxx", "-"):
        return lang
    sample = []
    size = 0
    for ch in chapters:
        if ch.role != "body":
            continue
        for b in ch.blocks:
            sample.append(b["text"])
            size += len(b["text"])
            if size > 20000:
                break
        if size > 20000:
            break
    detected = detect_language(" ".join(sample))
    if detected:
        return detected
    # unsure: say so ("und", BCP 47 undetermined); e2a-split treats it as unknown
    warn(f"{model.path}: cannot tell the book's language (no language metadata, too little "
         "text to guess): it is 'und' (unknown); give it with --language "
         "(e2a-split, e2a-speak, e2a pipeline)")
    return "und"


def book_record(model: BookModel, language: str, cover: str | None, book_hash: str) -> dict:
    m = model.meta
    rec = {"kind": "book", "title": m.get("title") or model.path.stem,
           "authors": list(m.get("authors") or []), "language": language,
           "cover": cover, "identifiers": dict(m.get("identifiers") or {}),
           "source": str(model.path), "book_hash": book_hash}
    for k in ("subtitle", "publisher", "date", "description", "series", "series_index",
              "contributors", "subjects", "rights", "direction"):
        if m.get(k):
            rec[k] = m[k]
    if model.format:
        rec["format"] = model.format
    return rec


def _base(tag: str) -> str:
    return (tag or "").replace("_", "-").split("-")[0].lower()


def chapter_records(chapters: list[Chapter], options: ExtractOptions,
                    selection: set[int] | None, skip: set[int] | None,
                    language: str = "") -> Iterator[dict]:
    for ch in chapters:
        if ch.index is None:
            continue
        if selection is not None and ch.index not in selection:
            continue
        if skip is not None and ch.index in skip:
            continue
        yield {"kind": "chapter", "index": ch.index, "title": ch.title, "role": ch.role,
               "type": ch.type}
        k = 0
        for b in ch.blocks:
            rec = {"kind": "block", "chapter": ch.index, "index": k, "type": b["type"],
                   "text": b["text"]}
            if b.get("level"):
                rec["level"] = b["level"]
            if b.get("language") and _base(b["language"]) != _base(language):
                rec["language"] = b["language"]       # a passage in another language
            if b.get("phonemes"):
                rec["phonemes"] = b["phonemes"]       # ssml:ph hints: [{"text", "ph", "alphabet"}]
            yield rec
            k += 1
        for text in ch.notes:
            yield {"kind": "block", "chapter": ch.index, "index": k, "type": "note",
                   "text": text}
            k += 1


def plan_rows(chapters: list[Chapter]) -> Iterator[dict]:
    for ch in chapters:
        yield {"kind": "plan", "index": ch.index, "title": ch.title, "words": ch.words,
               "type": ch.type, "role": ch.role, "read": ch.index is not None}
