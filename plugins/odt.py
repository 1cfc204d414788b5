"""OpenDocument text extractor (built-in plugin, entry point ``odt``).

text:h outline levels give headings (chapters from the repeated level),
lists and tables become paragraphs and rows, text:note bodies are notes
(never read inline; at the end of the chapter on request), tracked changes,
annotations and soft page breaks are skipped. Metadata from meta.xml.
Encrypted documents (a manifest with encryption data) are refused."""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from e2a_common import ExtractOptions, InputError, hookimpl

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item
from e2a_extract.htmlblocks import EPUB_NS, parse_content
from e2a_extract.safety import MAX_ENTRY_BYTES, SafeZip, localname, parse_xml, read_limited

from .docx import _append, office_core

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MIMES = (b"application/vnd.oasis.opendocument.text", b"application/vnd.oasis.opendocument.text-master")


class OdtExtractor(BookExtractor):
    name = "odt"
    description = "OpenDocument text (.odt, .fodt)"
    extensions = (".odt", ".fodt", ".ott")

    def sniff(self, path: Path, head: bytes) -> int:
        if head.startswith(b"PK\x03\x04") and any(m in head[:200] for m in MIMES):
            return 100
        if b"<office:document" in head[:2048] and b"opendocument.text" in head[:4096]:
            return 90   # flat XML .fodt
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        with open(path, "rb") as fh:
            flat = fh.read(4) != b"PK\x03\x04"
        if flat:
            root = parse_xml(read_limited(path, MAX_ENTRY_BYTES, "flat ODT file"), path.name, path)
            meta = {"authors": [], "identifiers": {}}
            content = root
        else:
            with SafeZip(path, "ODT") as z:
                if "META-INF/manifest.xml" in z and b"encryption-data" in z.read("META-INF/manifest.xml"):
                    raise InputError("the document is password-protected (encrypted); save it "
                                     "without a password", path=path)
                if "content.xml" not in z:
                    raise InputError("not an OpenDocument text: no content.xml", path=path)
                content = parse_xml(z.read("content.xml"), "content.xml", path)
                meta = office_core(z, path, "meta.xml")
        office_text = next((e for e in content.iter() if isinstance(e.tag, str)
                            and localname(e.tag) == "text" and e.getparent() is not None
                            and localname(e.getparent().tag) == "body"), None)
        if office_text is None:
            raise InputError("the document has no text body (not a text document?)", path=path)
        html = etree.Element("html", nsmap={None: "http://www.w3.org/1999/xhtml", "epub": EPUB_NS})
        body = etree.SubElement(html, "body")
        self.notes = etree.Element("aside")
        self.notes.set(f"{{{EPUB_NS}}}type", "footnotes")
        self.n = 0
        self._blocks(office_text, body)
        body.append(self.notes)
        doc = parse_content(html, image_alt=options.image_alt)
        if not doc.blocks:
            raise InputError("the book is empty: no text", path=path)
        return BookModel(path=path, meta=meta, items=[Item("content", doc)], toc=[],
                         heading_split=True, format="odt")

    def _blocks(self, src, dst) -> None:
        for el in src:
            if not isinstance(el.tag, str):
                continue
            n = localname(el.tag)
            if n == "h":
                lvl = el.get(f"{{{TEXT}}}outline-level") or "1"
                h = etree.SubElement(dst, f"h{max(1, min(6, int(lvl) if lvl.isdigit() else 1))}")
                self._inline(el, h)
            elif n == "p":
                p = etree.SubElement(dst, "p")
                self._inline(el, p)
            elif n in ("list", "section", "list-item", "list-header", "index-body",
                       "table-row-group", "table-header-rows", "table-rows"):
                self._blocks(el, etree.SubElement(dst, "div") if n == "list-item" else dst)
            elif n == "table":
                t = etree.SubElement(dst, "table")
                for row in el.iter("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-row"):
                    tr = etree.SubElement(t, "tr")
                    for cell in row:
                        if isinstance(cell.tag, str) and localname(cell.tag) == "table-cell":
                            self._blocks(cell, etree.SubElement(tr, "td"))
            # tracked-changes, sequence-decls, table-of-content, annotations: skipped

    def _inline(self, src, out) -> None:
        _append(out, src.text or "")
        for el in src:
            if not isinstance(el.tag, str):
                continue
            n = localname(el.tag)
            if n == "s":
                c = el.get(f"{{{TEXT}}}c") or "1"
                _append(out, " " * (int(c) if c.isdigit() else 1))
            elif n == "tab":
                _append(out, " ")
            elif n == "line-break":
                etree.SubElement(out, "br")
            elif n == "note":
                self.n += 1
                nid = el.get(f"{{{TEXT}}}id") or f"note{self.n}"
                a = etree.SubElement(out, "a", href=f"#{nid}")
                a.set(f"{{{EPUB_NS}}}type", "noteref")
                a.text = "*"
                div = etree.SubElement(self.notes, "div", id=nid)
                div.set(f"{{{EPUB_NS}}}type", "footnote")
                nb = next((c for c in el if isinstance(c.tag, str) and localname(c.tag) == "note-body"), None)
                if nb is not None:
                    self._blocks(nb, div)
            elif n in ("annotation", "annotation-end", "soft-page-break", "bookmark-end",
                       "reference-mark-end", "change", "change-start", "change-end"):
                pass
            elif n in ("bookmark", "bookmark-start", "reference-mark") and el.get(f"{{{TEXT}}}name"):
                etree.SubElement(out, "span", id=re.sub(r"\W", "_", el.get(f"{{{TEXT}}}name")))
            elif n == "frame":
                alt = " ".join(t for c in el.iter() if isinstance(c.tag, str)
                               and localname(c.tag) in ("title", "desc") for t in [c.text or ""])
                if alt.strip():
                    etree.SubElement(out, "img", alt=alt.strip())
            else:
                self._inline(el, out)   # span, a, ruby...
                if len(out):
                    out[-1].tail = (out[-1].tail or "") + (el.tail or "")
                else:
                    _append(out, el.tail or "")
                continue
            if len(out):
                out[-1].tail = (out[-1].tail or "") + (el.tail or "")
            else:
                _append(out, el.tail or "")


@hookimpl
def register_extractors(register):
    register(OdtExtractor())
