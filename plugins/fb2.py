"""FictionBook 2 extractor (built-in plugin, entry point ``fb2``): ``.fb2``
and ``.fb2.zip``. Sections become chapters (nested sections as the TOC),
<body name="notes"> becomes notes, note links are never read, poems keep
their lines, the cover comes from the <binary> the coverpage names."""
from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from lxml import etree

from e2a_common import ExtractOptions, InputError, hookimpl

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item, TocEntry
from e2a_extract.htmlblocks import EPUB_NS, normalize_ws, parse_content
from e2a_extract.safety import SafeZip, localname, parse_xml, read_limited

XLINK = "{http://www.w3.org/1999/xlink}href"
MAX_FB2_BYTES = 128 * 1024 * 1024
_MAP = {"p": "p", "v": "span", "subtitle": "h3", "text-author": "p", "emphasis": "em",
        "strong": "strong", "style": "span", "strikethrough": "span", "sub": "sub", "sup": "sup",
        "code": "span", "table": "table", "tr": "tr", "td": "td", "th": "th", "cite": "blockquote",
        "epigraph": "blockquote", "annotation": "div", "date": "p"}


def _href(el) -> str:
    return el.get(XLINK) or el.get("href") or el.get("{http://www.w3.org/1999/xlink}href") or ""


class Fb2Extractor(BookExtractor):
    name = "fb2"
    description = "FictionBook 2 (.fb2, .fb2.zip)"
    extensions = (".fb2", ".fb2.zip")

    def sniff(self, path: Path, head: bytes) -> int:
        if b"<FictionBook" in head:
            return 90
        if head.startswith(b"PK\x03\x04") and b".fb2" in head[:200].lower():
            return 90
        if path.name.lower().endswith((".fb2", ".fb2.zip")):
            return 30
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        with open(path, "rb") as fh:
            magic = fh.read(4)
        if magic == b"PK\x03\x04":
            with SafeZip(path, "FB2 zip") as z:
                names = [n for n in z.names if n.lower().endswith(".fb2")]
                if not names:
                    raise InputError("zip archive holds no .fb2 file", path=path)
                data = z.read(names[0], limit=MAX_FB2_BYTES)
        else:
            if path.stat().st_size > MAX_FB2_BYTES:
                raise InputError(f"FB2 file is larger than {MAX_FB2_BYTES} bytes", path=path)
            data = read_limited(path, MAX_FB2_BYTES, "FB2 file")
        root = parse_xml(data, path.name, path, html_fallback=False)
        if localname(root.tag) != "fictionbook":
            raise InputError("not a FictionBook document (root element is not <FictionBook>)",
                             path=path)
        return _Fb2(path, root, options).model()


class _Fb2:
    def __init__(self, path, root, options):
        self.path, self.root, self.options = path, root, options
        self.n = 0

    def model(self) -> BookModel:
        meta, cover_id = self.metadata()
        bodies = [b for b in self.root if isinstance(b.tag, str) and localname(b.tag) == "body"]
        if not bodies:
            raise InputError("the book is empty: no <body>", path=self.path)
        html = etree.Element("html", nsmap={None: "http://www.w3.org/1999/xhtml", "epub": EPUB_NS})
        body = etree.SubElement(html, "body")
        toc: list[TocEntry] = []
        for b in bodies:
            name = (b.get("name") or "").lower()
            if name in ("notes", "comments", "footnotes"):
                aside = etree.SubElement(body, "aside")
                aside.set(f"{{{EPUB_NS}}}type", "footnotes")
                for sec in b.iter():
                    if isinstance(sec.tag, str) and localname(sec.tag) == "section" and sec.get("id"):
                        li = etree.SubElement(aside, "div", id=sec.get("id"))
                        li.set(f"{{{EPUB_NS}}}type", "footnote")
                        li.text = normalize_ws(" ".join(
                            t for t in sec.itertext()), keep_lines=False)
                        li.text = re.sub(r"^\s*\S{1,4}\s+", "", li.text) if _title_is_number(sec) else li.text
                continue
            toc.extend(self.convert(b, body, depth=1))
        doc = parse_content(html, image_alt=self.options.image_alt)
        if not doc.blocks:
            raise InputError("the book is empty: no text", path=self.path)
        model = BookModel(path=self.path, meta=meta, items=[Item("fb2", doc)], toc=toc,
                          heading_split=not toc, format="fb2")
        model.cover = self.cover(cover_id)
        return model

    def convert(self, src, dst, depth: int) -> list[TocEntry]:
        """Copy FB2 content into XHTML under ``dst``; return the TOC of its sections."""
        entries: list[TocEntry] = []
        for child in src:
            if not isinstance(child.tag, str):
                continue
            name = localname(child.tag)
            if name == "section":
                self.n += 1
                sid = child.get("id") or f"s{self.n}"
                sec = etree.SubElement(dst, "section", id=sid)
                title_el = next((c for c in child if isinstance(c.tag, str)
                                 and localname(c.tag) == "title"), None)
                title = normalize_ws(" ".join(
                    " ".join(p.itertext()) for p in title_el), keep_lines=False) if title_el is not None else ""
                if title_el is None:
                    title = _strong_title(child)
                kids = self.convert(child, sec, depth + 1)
                entries.append(TocEntry(title, "fb2", sid, kids))
            elif name == "title":
                h = etree.SubElement(dst, f"h{min(depth, 6)}")
                h.text = normalize_ws(" ".join(" ".join(p.itertext()) for p in child
                                               if isinstance(p.tag, str)), keep_lines=False)
            elif name in ("poem", "stanza"):
                div = etree.SubElement(dst, "div", attrib={"class": "poem" if name == "poem" else "stanza"})
                if name == "stanza":
                    p = etree.SubElement(div, "p")
                    for v in child:
                        if isinstance(v.tag, str) and localname(v.tag) == "v":
                            span = etree.SubElement(p, "span")
                            span.text = "".join(v.itertext())
                            etree.SubElement(p, "br")
                        elif isinstance(v.tag, str) and localname(v.tag) == "title":
                            t = etree.SubElement(div, "h5")
                            t.text = " ".join(v.itertext())
                else:
                    self.convert(child, div, depth)
            elif name == "a":
                a = etree.SubElement(dst, "a", href=_href(child))
                if (child.get("type") or "") == "note" or re.match(r"^#", _href(child)) and \
                        re.match(r"^\W*\d{1,4}\W*$", "".join(child.itertext()) or ""):
                    a.set(f"{{{EPUB_NS}}}type", "noteref")
                a.text = child.text
                self.convert(child, a, depth)
                a.tail = child.tail
                continue
            elif name == "image":
                img = etree.SubElement(dst, "img", alt=child.get("alt") or child.get("title") or "")
                img.tail = child.tail
                continue
            elif name == "empty-line":
                etree.SubElement(dst, "br")
            elif name in _MAP:
                el = etree.SubElement(dst, _MAP[name])
                el.text = child.text
                self.convert(child, el, depth)
            else:
                continue
            dst[-1].tail = child.tail if len(dst) else None
        return entries

    def metadata(self) -> tuple[dict, str | None]:
        meta: dict = {"authors": [], "identifiers": {}}
        desc = next((e for e in self.root if isinstance(e.tag, str)
                     and localname(e.tag) == "description"), None)
        cover_id = None
        if desc is None:
            return meta, None

        def find(el, *names):
            for n in names:
                el = next((c for c in el if isinstance(c.tag, str) and localname(c.tag) == n), None) \
                    if el is not None else None
            return el

        ti = find(desc, "title-info")
        if ti is not None:
            t = find(ti, "book-title")
            if t is not None:
                meta["title"] = normalize_ws("".join(t.itertext()), keep_lines=False)
            for a in [c for c in ti if isinstance(c.tag, str) and localname(c.tag) == "author"]:
                parts = [normalize_ws("".join(find(a, n).itertext()), keep_lines=False)
                         for n in ("first-name", "middle-name", "last-name") if find(a, n) is not None]
                name = " ".join(p for p in parts if p) or (
                    normalize_ws("".join(find(a, "nickname").itertext()), keep_lines=False)
                    if find(a, "nickname") is not None else "")
                if name:
                    meta["authors"].append(name)
            lang = find(ti, "lang")
            if lang is not None and (lang.text or "").strip():
                meta["language"] = lang.text.strip()
            ann = find(ti, "annotation")
            if ann is not None:
                meta["description"] = normalize_ws(" ".join(ann.itertext()), keep_lines=False)
            seq = find(ti, "sequence")
            if seq is not None and seq.get("name"):
                meta["series"] = seq.get("name")
                if seq.get("number"):
                    meta["series_index"] = seq.get("number")
            d = find(ti, "date")
            if d is not None:
                meta["date"] = d.get("value") or (d.text or "").strip()
            img = find(ti, "coverpage", "image")
            if img is not None:
                cover_id = _href(img).lstrip("#") or None
            genres = [g.text.strip() for g in ti if isinstance(g.tag, str)
                      and localname(g.tag) == "genre" and g.text]
            if genres:
                meta["subjects"] = genres
        pi = find(desc, "publish-info")
        if pi is not None:
            for key, tag in (("publisher", "publisher"), ("date", "year")):
                el = find(pi, tag)
                if el is not None and (el.text or "").strip():
                    meta.setdefault(key, el.text.strip())
            isbn = find(pi, "isbn")
            if isbn is not None and (isbn.text or "").strip():
                meta["identifiers"]["isbn"] = isbn.text.strip()
        di = find(desc, "document-info")
        if di is not None:
            did = find(di, "id")
            if did is not None and (did.text or "").strip():
                meta["identifiers"]["fb2"] = did.text.strip()
        return meta, cover_id

    def cover(self, cover_id: str | None):
        if not cover_id:
            return None
        for b in self.root:
            if isinstance(b.tag, str) and localname(b.tag) == "binary" and b.get("id") == cover_id:
                try:
                    data = base64.b64decode("".join((b.text or "").split()), validate=False)
                except (binascii.Error, ValueError):
                    return None
                ct = (b.get("content-type") or "").lower()
                return data, {"image/jpeg": "jpg", "image/png": "png",
                              "image/svg+xml": "svg"}.get(ct, "jpg")
        return None


def _strong_title(sec) -> str:
    """calibre's flattened FB2: no <title>, the heading is a first paragraph
    that is all <strong>. That paragraph becomes the section's title."""
    first = next((c for c in sec if isinstance(c.tag, str)
                  and localname(c.tag) != "empty-line"), None)
    if first is None or localname(first.tag) != "p":
        return ""
    kids = [c for c in first if isinstance(c.tag, str)]
    if (first.text or "").strip() or not kids or any(localname(k.tag) != "strong" for k in kids) \
            or any((k.tail or "").strip() for k in kids):
        return ""
    text = normalize_ws(" ".join(first.itertext()), keep_lines=False)
    if not text or len(text.split()) > 15:
        return ""
    first.tag = first.tag.replace("}p", "}subtitle") if "}" in first.tag else "subtitle"
    return text


def _title_is_number(sec) -> bool:
    t = next((c for c in sec if isinstance(c.tag, str) and localname(c.tag) == "title"), None)
    return t is not None and bool(re.match(r"^\W*\d{1,4}\W*$", "".join(t.itertext())))


@hookimpl
def register_extractors(register):
    register(Fb2Extractor())
