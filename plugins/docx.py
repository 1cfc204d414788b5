"""Word .docx extractor (built-in plugin, entry point ``docx``).

Paragraph styles give headings (Heading 1-9, Title, localised names through
styles.xml, outline levels), so chapters come from the repeated heading level;
tables become rows, footnote/endnote references are never read and the notes
(word/footnotes.xml, word/endnotes.xml) are read at the end of their chapter
on request; deleted text and field codes are skipped; images give their
description with --image-alt. Metadata from docProps/core.xml. Password-
protected files (an OLE container) are refused with a clear message."""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from e2a_common import ExtractOptions, InputError, hookimpl

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item
from e2a_extract.htmlblocks import EPUB_NS, normalize_ws, parse_content
from e2a_extract.safety import SafeZip, localname, parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ln(el) -> str:
    """The exact local name (WordprocessingML is camelCase)."""
    return etree.QName(el).localname


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def office_core(z: SafeZip, path: Path, name: str = "docProps/core.xml") -> dict:
    meta: dict = {"authors": [], "identifiers": {}}
    if name not in z:
        return meta
    root = parse_xml(z.read(name), name, path)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        n, text = localname(el.tag), normalize_ws("".join(el.itertext()), keep_lines=False)
        if not text:
            continue
        if n == "title":
            meta["title"] = text
        elif n in ("creator", "initial-creator") and text not in meta["authors"]:
            meta["authors"].append(text)
        elif n == "language":
            meta["language"] = text
        elif n == "description":
            meta["description"] = text
        elif n in ("subject", "keywords", "keyword"):
            meta.setdefault("subjects", []).append(text)
        elif n == "identifier":
            meta["identifiers"]["id"] = text
    return meta


class DocxExtractor(BookExtractor):
    name = "docx"
    description = "Microsoft Word documents (.docx)"
    extensions = (".docx",)

    def sniff(self, path: Path, head: bytes) -> int:
        if head.startswith(b"PK\x03\x04") and (b"word/" in head or b"[Content_Types].xml" in head):
            return 70 if b"word/" in head else 40
        if head.startswith(OLE) and path.suffix.lower() == ".docx":
            return 40   # encrypted .docx: say so
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        with open(path, "rb") as fh:
            if fh.read(8) == OLE:
                raise InputError("the document is password-protected (encrypted OOXML) or an old "
                                 "binary .doc; save it as an unprotected .docx", path=path)
        with SafeZip(path, "DOCX") as z:
            if "word/document.xml" not in z:
                raise InputError("not a Word document: no word/document.xml", path=path)
            styles = self._styles(z, path)
            html = etree.Element("html", nsmap={None: "http://www.w3.org/1999/xhtml", "epub": EPUB_NS})
            body = etree.SubElement(html, "body")
            root = parse_xml(z.read("word/document.xml"), "word/document.xml", path)
            wbody = root.find(_w("body"))
            if wbody is None:
                raise InputError("word/document.xml has no body", path=path)
            self._blocks(wbody, body, styles)
            for part, prefix in (("word/footnotes.xml", "fn"), ("word/endnotes.xml", "en")):
                if part in z:
                    notes = parse_xml(z.read(part), part, path)
                    aside = etree.SubElement(body, "aside")
                    aside.set(f"{{{EPUB_NS}}}type", "footnotes")
                    for note in notes:
                        if not isinstance(note.tag, str) or localname(note.tag) not in ("footnote", "endnote"):
                            continue
                        if note.get(_w("type")) in ("separator", "continuationSeparator",
                                                    "continuationNotice"):
                            continue
                        div = etree.SubElement(aside, "div", id=f"{prefix}-{note.get(_w('id'))}")
                        div.set(f"{{{EPUB_NS}}}type", "footnote")
                        self._blocks(note, div, styles)
            meta = office_core(z, path)
        doc = parse_content(html, image_alt=options.image_alt)
        if not doc.blocks:
            raise InputError("the book is empty: no text", path=path)
        return BookModel(path=path, meta=meta, items=[Item("document", doc)], toc=[],
                         heading_split=True, format="docx")

    def _styles(self, z: SafeZip, path: Path) -> dict[str, int]:
        """styleId -> heading level (0 = title)."""
        levels: dict[str, int] = {}
        if "word/styles.xml" not in z:
            return levels
        root = parse_xml(z.read("word/styles.xml"), "word/styles.xml", path)
        for st in root.iter(_w("style")):
            sid = st.get(_w("styleId")) or ""
            name_el = st.find(_w("name"))
            name = (name_el.get(_w("val")) if name_el is not None else "") or ""
            m = re.match(r"^heading\s*(\d)$", name, re.I)
            if m:
                levels[sid] = int(m.group(1))
            elif name.lower() == "title":
                levels[sid] = 0
            else:
                ol = st.find(f"{_w('pPr')}/{_w('outlineLvl')}")
                if ol is not None and (ol.get(_w("val")) or "").isdigit() and int(ol.get(_w("val"))) < 9:
                    levels[sid] = int(ol.get(_w("val"))) + 1
        return levels

    def _blocks(self, src, dst, styles) -> None:
        for el in src:
            if not isinstance(el.tag, str):
                continue
            n = _ln(el)
            if n == "p":
                self._para(el, dst, styles)
            elif n == "tbl":
                table = etree.SubElement(dst, "table")
                for tr in el.iter(_w("tr")):
                    row = etree.SubElement(table, "tr")
                    for tc in tr.iter(_w("tc")):
                        cell = etree.SubElement(row, "td")
                        self._blocks(tc, cell, styles)
            elif n in ("sdt", "sdtContent", "customXml", "ins", "smartTag"):
                self._blocks(el, dst, styles)

    def _para(self, p, dst, styles) -> None:
        level = None
        ppr = p.find(_w("pPr"))
        if ppr is not None:
            ps = ppr.find(_w("pStyle"))
            if ps is not None:
                sid = ps.get(_w("val")) or ""
                level = styles.get(sid)
                if level is None:
                    m = re.match(r"^(heading|berschrift|titre|t[ií]tulo|kop)\s*(\d)$", sid, re.I)
                    level = int(m.group(2)) if m else (0 if sid.lower() == "title" else None)
            ol = ppr.find(_w("outlineLvl"))
            if level is None and ol is not None and (ol.get(_w("val")) or "").isdigit() \
                    and int(ol.get(_w("val"))) < 9:
                level = int(ol.get(_w("val"))) + 1
        tag = "p" if level is None else f"h{max(1, min(6, level if level else 1))}"
        out = etree.SubElement(dst, tag)
        self._runs(p, out)

    def _runs(self, src, out) -> None:
        for el in src:
            if not isinstance(el.tag, str):
                continue
            n = _ln(el)
            if n in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText", "proofErr",
                     "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "commentReference"):
                continue
            if n == "t":
                _append(out, el.text or "")
            elif n == "tab":
                _append(out, " ")
            elif n in ("br", "cr"):
                if el.get(_w("type")) not in ("page", "column"):
                    etree.SubElement(out, "br")
            elif n in ("footnoteReference", "endnoteReference"):
                prefix = "fn" if n.startswith("foot") else "en"
                a = etree.SubElement(out, "a", href=f"#{prefix}-{el.get(_w('id'))}")
                a.set(f"{{{EPUB_NS}}}type", "noteref")
                a.text = "*"
            elif n == "bookmarkStart" and el.get(_w("name")):
                etree.SubElement(out, "span", id=re.sub(r"\W", "_", el.get(_w("name"))))
            elif n == "docPr":
                alt = el.get("descr") or el.get("title") or ""
                if alt:
                    etree.SubElement(out, "img", alt=alt)
            elif n == "fldChar":
                continue
            else:
                self._runs(el, out)   # r, hyperlink, ins, smartTag, drawing...


def _append(el, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


@hookimpl
def register_extractors(register):
    register(DocxExtractor())
