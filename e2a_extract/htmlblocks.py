"""(X)HTML content documents to text blocks.

One walk over an lxml tree gives:

- ``blocks``: headings, paragraphs, verse (one line per line, stanzas as
  blocks), table rows (cells in order: speaker then speech), list items,
  definition terms and descriptions; text with whitespace normalised;
- ``anchors``: element id -> index of the block it starts in, so a table of
  contents entry ``file.xhtml#id`` can start a chapter mid-file;
- ``notes``: footnote/endnote bodies by id, never in the flow;
- ``noterefs``: (block index, target href) of the note references dropped
  from the flow, so notes can be read at the end of their chapter.

Never read: <head>, scripts, styles, <nav>, ruby annotations (<rt>, <rp>),
note references, backlinks, page-break markers, SVG; MathML gives its alttext.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


from .safety import localname

EPUB_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SSML_NS = "http://www.w3.org/2001/10/synthesis"
LS = "\u2028"  # a hard line break (<br/>) inside a block, while walking

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "main", "blockquote", "li",
    "ul", "ol", "dl", "dt", "dd", "pre", "figure", "figcaption", "table", "thead",
    "tbody", "tfoot", "caption", "address", "center", "body", "aside", "hr", "details",
    "summary", "html", "form", "fieldset", "legend", "menu", "dir", "option", "title-page",
    "switch", "case", "default",
}
SKIP_TAGS = {"head", "script", "style", "template", "nav", "rt", "rp", "noscript",
             "object", "embed", "iframe", "video", "audio", "canvas", "map", "input",
             "button", "select", "textarea", "link", "meta", "title", "annotation-xml",
             "svg", "default"}
NOTE_TYPES = {"footnote", "endnote", "rearnote", "note", "annotation"}
NOTE_LIST_TYPES = {"footnotes", "endnotes", "rearnotes"}
NOTEREF_TYPES = {"noteref", "annoref"}
DROP_TYPES = {"pagebreak", "backlink", "page-list", "z3998:line-number", "line-number"}
# line numbers of poems, page numbers left in the text
DROP_CLASS = re.compile(r"\b(lnum|linenum|line-?num(ber)?|pagenum|page-?number|pageno|page-?break)\b", re.I)
VERSE_TYPES = {"z3998:poem", "z3998:verse", "z3998:song", "z3998:hymn", "z3998:lyrics"}
VERSE_CLASS = re.compile(r"\b(poem|poetry|verse|stanza|lyric|linegroup|line-group|lg)s?\b", re.I)
NOTEREF_CLASS = re.compile(r"\b(noteref|footnote-?ref|fnref|footnote-?link|note-?ref|endnote-?ref)\b", re.I)
NOTEREF_HREF = re.compile(r"(^|[#_-])(fn|ftn|footnote|endnote|note|en|rn)[-_]?\d", re.I)
NOTE_MARK = re.compile(r"^\s*[\[\(]?\s*(\d{1,4}|[*†‡§¶]+|[a-z]|[ivxlc]{1,6})\s*[\]\)]?\s*$", re.I)
BACKLINK_TEXT = re.compile(r"^\s*(↩︎?|↑|\^|back|return)\s*$", re.I)
_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f]")
_ROLES = {"doc-noteref": "noteref", "doc-footnote": "footnote", "doc-endnote": "endnote",
          "doc-endnotes": "endnotes", "doc-footnotes": "footnotes", "doc-pagebreak": "pagebreak",
          "doc-backlink": "backlink", "doc-toc": "toc", "doc-cover": "cover",
          "doc-colophon": "colophon", "doc-index": "index", "doc-rearnote": "rearnote"}


def normalize_ws(text: str, keep_lines: bool = True) -> str:
    """Collapse runs of whitespace; hard line breaks (LS) survive as '\\n' when
    ``keep_lines`` (poetry), else become spaces. Invisible marks are dropped."""
    text = _INVISIBLE.sub("", text)
    lines = [_WS.sub(" ", part).strip() for part in text.split(LS)]
    lines = [ln for ln in lines if ln]
    return ("\n" if keep_lines else " ").join(lines)


def epub_types(el) -> set[str]:
    val = el.get(f"{{{EPUB_NS}}}type") or el.get("epub:type") or ""
    types = set(val.split())
    role = el.get("role")
    if role:
        for r in role.split():
            if r in _ROLES:
                types.add(_ROLES[r])
    return types


@dataclass
class ParsedDoc:
    blocks: list[dict] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    noterefs: list[tuple[int, str]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)      # epub:type of body / top section
    title: str = ""                                    # <title>
    images: int = 0
    svg: int = 0
    lang: str = ""
    direction: str = ""
    svg_text: list[str] = field(default_factory=list)   # text laid out in inline SVG


class _Walker:
    def __init__(self, image_alt: bool = False):
        self.doc = ParsedDoc()
        self.buf: list[str] = []
        self.image_alt = image_alt
        self.verse_depth = 0
        self.heading: int | None = None   # level while inside a heading
        self.quote_depth = 0
        self.hints: list[dict] = []       # ssml:ph phoneme hints in the current block
        self.langs: list[str] = []        # xml:lang of the enclosing elements

    # -- output
    def flush(self, btype: str | None = None, **extra) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf = []
        if btype is None:
            btype = "verse" if self.verse_depth else "paragraph"
        text = normalize_ws(raw, keep_lines=(btype == "verse"))
        if not text:
            return
        block = {"type": btype, "text": text}
        block.update(extra)
        if self.hints:
            block["phonemes"] = self.hints
            self.hints = []
        if self.langs and self.langs[-1]:
            block["language"] = self.langs[-1]
        self.doc.blocks.append(block)

    def add(self, text: str | None) -> None:
        if text:
            self.buf.append(text)

    @property
    def pos(self) -> int:
        return len(self.doc.blocks)

    # -- walk
    def walk(self, el) -> None:
        if not isinstance(el.tag, str):          # comment, PI, entity
            self.add(el.tail)
            return
        tag = localname(el.tag)
        types = epub_types(el)
        eid = el.get("id")

        if (tag in SKIP_TAGS or el.get("hidden") is not None or types & DROP_TYPES
                or (el.get("class") and DROP_CLASS.search(el.get("class"))
                    and len("".join(el.itertext())) < 12)):
            if eid:
                self.doc.anchors.setdefault(eid, self.pos)
            if tag == "svg":
                self.doc.svg += 1
                self.doc.svg_text.extend(svg_texts(el))
            self.add(el.tail)
            return
        if eid:
            self.doc.anchors.setdefault(eid, self.pos)
        ph = el.get(f"{{{SSML_NS}}}ph") or el.get("ssml:ph")
        if ph:
            said = normalize_ws("".join(el.itertext()), keep_lines=False)
            if said:
                self.hints.append({"text": said, "ph": ph.strip(), "alphabet": (
                    el.get(f"{{{SSML_NS}}}alphabet") or el.get("ssml:alphabet") or "ipa")})
        lang = el.get(XML_LANG) or el.get("lang")
        if lang is not None:
            self.langs.append(lang)
            try:
                self._dispatch(el, tag, types)
            finally:
                self.langs.pop()
            return
        self._dispatch(el, tag, types)

    def _dispatch(self, el, tag: str, types: set[str]) -> None:
        if types & NOTE_LIST_TYPES or (types & NOTE_TYPES and tag != "a"):
            self._collect_notes(el, types)
            self.add(el.tail)
            return
        if tag == "a" and self._is_noteref(el, types):
            self.doc.noterefs.append((self.pos, el.get("href") or ""))
            self.add(el.tail)
            return
        if tag == "sup" and self._sup_is_noteref(el):
            for a in el.iter():
                if isinstance(a.tag, str) and localname(a.tag) == "a":
                    self.doc.noterefs.append((self.pos, a.get("href") or ""))
            self.add(el.tail)
            return
        if tag == "br":
            self.add(" " if self.heading else LS)
            self.add(el.tail)
            return
        if tag == "img" or tag == "image":
            self.doc.images += 1
            alt = (el.get("alt") or "").strip()
            if self.image_alt and alt:
                self.add(f" {alt} ")
            self.add(el.tail)
            return
        if tag == "math":
            alt = el.get("alttext") or el.get("alt") or ""
            if alt.strip():
                self.add(f" {alt.strip()} ")
            self.add(el.tail)
            return
        if tag == "switch":            # epub:switch: read the fallback only
            for child in el:
                if localname(child.tag) == "default":
                    self._children(child)
            self.add(el.tail)
            return

        if self.heading is not None:      # everything inside a heading is inline
            self._children(el)
            self.add(el.tail)
            return

        if tag in HEADINGS:
            self.flush()
            self.heading = HEADINGS[tag]
            self._children(el)
            self.heading = None
            self.flush("heading", level=HEADINGS[tag])
            self.add(el.tail)
            return
        if tag == "hgroup":
            self.flush()
            parts = []
            level = 2
            for child in el:
                if not isinstance(child.tag, str):
                    continue
                cid = child.get("id")
                if cid:
                    self.doc.anchors.setdefault(cid, self.pos)
                level = min(level, HEADINGS.get(localname(child.tag), 6))
                sub = _Walker(self.image_alt)
                sub.heading = 1
                sub._children(child)
                t = normalize_ws("".join(sub.buf), keep_lines=False)
                if t:
                    parts.append(t)
            if parts:
                text = parts[0]
                for p in parts[1:]:
                    text += (" " if text[-1:] in ".:;!?" else ": ") + p
                self.buf = [text]
                self.flush("heading", level=level)
            self.add(el.tail)
            return
        if tag == "tr":
            self.flush()
            cells = []
            for cell in el:
                if localname(cell.tag) not in ("td", "th"):
                    continue
                sub = _Walker(self.image_alt)
                sub.heading = 1   # cells are inline; keep noteref/anchor logic
                sub._children(cell)
                for k, v in sub.doc.anchors.items():
                    self.doc.anchors.setdefault(k, self.pos)
                self.doc.noterefs.extend((self.pos, h) for _, h in sub.doc.noterefs)
                self.doc.notes.update(sub.doc.notes)
                t = normalize_ws("".join(sub.buf), keep_lines=False)
                if t:
                    cells.append(t)
            if cells:
                self.buf = [_join_cells(cells)]
                self.flush("paragraph")
            self.add(el.tail)
            return

        verse = bool(types & VERSE_TYPES) or bool(VERSE_CLASS.search(el.get("class") or ""))
        if self.verse_depth and tag in ("div", "p", "span") and not verse and not any(
                isinstance(c.tag, str) and localname(c.tag) in BLOCK_TAGS for c in el) \
                and self._line_group(el):
            # a verse line written as its own <div> inside a line group
            self._children(el)
            self.add(LS)
            self.add(el.tail)
            return
        if tag in BLOCK_TAGS or tag in ("td", "th", "tr", "dt", "dd"):
            self.flush()
            if verse:
                self.verse_depth += 1
            self._children(el)
            self.flush()
            if verse:
                self.verse_depth -= 1
            self.add(el.tail)
            return
        # inline element
        if verse:
            self.verse_depth += 1
        self._children(el)
        if verse:
            self.verse_depth -= 1
        self.add(el.tail)

    @staticmethod
    def _line_group(el) -> bool:
        """Is ``el`` one line among sibling lines (every sibling a short div)?"""
        parent = el.getparent()
        if parent is None:
            return False
        sibs = [c for c in parent if isinstance(c.tag, str)]
        return len(sibs) >= 2 and all(localname(c.tag) == localname(el.tag) for c in sibs) \
            and localname(el.tag) == "div"

    def _children(self, el) -> None:
        self.add(el.text)
        for child in el:
            self.walk(child)

    # -- notes
    def _is_noteref(self, el, types: set[str]) -> bool:
        if types & NOTEREF_TYPES:
            return True
        href = el.get("href") or ""
        text = "".join(el.itertext())
        if NOTEREF_CLASS.search(el.get("class") or ""):
            return True
        if "#" in href and NOTE_MARK.match(text or ""):
            parent = el.getparent()
            in_sup = parent is not None and localname(parent.tag) in ("sup", "small") or any(
                localname(c.tag) == "sup" for c in el if isinstance(c.tag, str))
            if in_sup or NOTEREF_HREF.search(href):
                return True
        if "#" in href and BACKLINK_TEXT.match(text or ""):
            return True   # a backlink left in the text ("↩")
        return False

    def _sup_is_noteref(self, el) -> bool:
        links = [c for c in el.iter() if isinstance(c.tag, str) and localname(c.tag) == "a"]
        if not links:
            return False
        return all("#" in (a.get("href") or "") for a in links) and NOTE_MARK.match(
            "".join(el.itertext()) or "") is not None

    def _collect_notes(self, el, types: set[str]) -> None:
        """Keep note bodies by id; the flow never sees them."""
        found = False
        for sub in el.iter():
            if sub is el or not isinstance(sub.tag, str):
                continue
            st = epub_types(sub)
            sid = sub.get("id")
            if sid and (st & NOTE_TYPES or (localname(sub.tag) == "li" and types & NOTE_LIST_TYPES)):
                self.doc.notes[sid] = _note_text(sub)
                found = True
        eid = el.get("id")
        if eid and types & NOTE_TYPES:
            self.doc.notes[eid] = _note_text(el)
            found = True
        if not found and eid:
            self.doc.notes[eid] = _note_text(el)


def _note_text(el) -> str:
    w = _Walker()
    w.heading = 1
    w.doc.notes = {}
    w._children(el)
    text = normalize_ws("".join(w.buf), keep_lines=False)
    return text


def _join_cells(cells: list[str]) -> str:
    out = cells[0]
    for c in cells[1:]:
        out += (" " if out[-1:] in ".:;!?,—–-" else ": " if len(out) <= 40 else ". ") + c
    return out


def svg_texts(svg) -> list[str]:
    """The text of an SVG picture: one string per <text> element (fixed-layout
    pages lay their words out this way)."""
    out = []
    for t in svg.iter():
        if isinstance(t.tag, str) and localname(t.tag) == "text":
            # runs on one line (same y) join as they are; a new line adds a space
            buf, last_y = [t.text or ""], None
            for span in t:
                if not isinstance(span.tag, str):
                    continue
                y = span.get("y")
                if buf and y is not None and last_y is not None and y != last_y:
                    buf.append(" ")
                last_y = y if y is not None else last_y
                buf.append("".join(span.itertext()))
                buf.append(span.tail or "")
            s = normalize_ws("".join(buf), keep_lines=False)
            # letters spaced out one tspan each ("C h a p t e r") stay readable
            if s:
                out.append(s)
    return out


def use_svg_text(doc: ParsedDoc) -> bool:
    """A page with no HTML text but words in its SVG (fixed layout): read them."""
    if doc.blocks or not doc.svg_text:
        return False
    for t in doc.svg_text:
        doc.blocks.append({"type": "paragraph", "text": t})
    return True


def parse_content(root, image_alt: bool = False) -> ParsedDoc:
    """Walk a parsed (X)HTML document (lxml root) into blocks, anchors and notes.
    lxml refuses documents nested deeper than 256 levels; the walk takes about
    three Python frames a level, so the recursion limit must allow ~800."""
    import sys
    if sys.getrecursionlimit() < 4000:
        sys.setrecursionlimit(4000)
    w = _Walker(image_alt)
    doc = w.doc
    body = None
    for el in root.iter():
        if isinstance(el.tag, str):
            name = localname(el.tag)
            if name == "title" and not doc.title:
                doc.title = normalize_ws("".join(el.itertext()), keep_lines=False)
            elif name == "body":
                body = el
                break
    if body is None:
        body = root
    doc.types |= epub_types(body)
    # the epub:type of a lone top-level section describes the whole document
    tops = [c for c in body if isinstance(c.tag, str)]
    if tops and localname(tops[0].tag) in ("section", "article", "div"):
        doc.types |= epub_types(tops[0])
    doc.lang = (root.get(XML_LANG) or root.get("lang") or body.get(XML_LANG)
                or body.get("lang") or "")
    doc.direction = root.get("dir") or body.get("dir") or ""
    if localname(root.tag) == "svg":          # an SVG document in the spine
        doc.svg = 1
        doc.svg_text = svg_texts(root)
        return doc
    w.add(body.text)
    for child in body:
        w.walk(child)
    w.flush()
    return doc
