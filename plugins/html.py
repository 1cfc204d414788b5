"""HTML extractor (built-in plugin, entry point ``html``): one (X)HTML file;
chapters from its headings, metadata from <title>, <meta name=author>,
lang. Parsed with no network and no entity expansion."""
from __future__ import annotations

import re
from pathlib import Path

from lxml import html as lxml_html

from e2a_common import ExtractOptions, InputError, hookimpl
from e2a_common.console import warn

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item
from e2a_extract.htmlblocks import normalize_ws, parse_content
from e2a_extract.safety import decode_markup, localname, parse_xml, read_limited, refuse_entities

MAX_HTML_BYTES = 64 * 1024 * 1024


def html_root(data: bytes, name: str, path: Path):
    """XHTML through the safe XML parser; HTML (or broken XHTML) through
    lxml's HTML parser, which never loads DTDs or fetches anything."""
    refuse_entities(data, name, path)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if head.startswith(b"<?xml") or b'xmlns="http://www.w3.org/1999/xhtml"' in data[:4096]:
        return parse_xml(data, name, path, html_fallback=True, warn=warn)
    text = decode_markup(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml_html.document_fromstring(text, parser=parser)
    except Exception as exc:  # lxml raises ParserError on empty documents
        raise InputError(f"cannot parse HTML ({exc})", path=path) from None


def html_meta(root) -> dict:
    meta: dict = {"authors": [], "identifiers": {}}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        n = localname(el.tag)
        if n == "title" and not meta.get("title"):
            meta["title"] = normalize_ws("".join(el.itertext()), keep_lines=False)
        elif n == "meta":
            name = (el.get("name") or el.get("property") or "").lower()
            content = (el.get("content") or "").strip()
            if not content:
                continue
            if name in ("author", "dc.creator", "dcterms.creator", "book:author"):
                meta["authors"].append(content)
            elif name in ("dc.language", "dcterms.language", "language"):
                meta.setdefault("language", content)
            elif name in ("description", "dc.description"):
                meta.setdefault("description", content)
            elif name in ("dc.publisher", "publisher"):
                meta.setdefault("publisher", content)
            elif name in ("dc.date", "dcterms.date", "date"):
                meta.setdefault("date", content)
        elif n == "body":
            break
    lang = root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("lang")
    if lang:
        meta.setdefault("language", lang)
    return meta


class HtmlExtractor(BookExtractor):
    name = "html"
    description = "HTML and XHTML files (.html, .htm, .xhtml); chapters from headings"
    extensions = (".html", ".htm", ".xhtml")

    def sniff(self, path: Path, head: bytes) -> int:
        low = head[:2048].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
        if low.startswith((b"<!doctype html", b"<html")) or (
                low.startswith(b"<?xml") and b"<html" in low):
            return 80
        if path.suffix.lower() in self.extensions and b"<" in head[:512]:
            return 30
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        if path.stat().st_size > MAX_HTML_BYTES:
            raise InputError(f"HTML file is larger than {MAX_HTML_BYTES} bytes", path=path)
        root = html_root(read_limited(path, MAX_HTML_BYTES, "HTML file"), path.name, path)
        doc = parse_content(root, image_alt=options.image_alt)
        if not doc.blocks:
            raise InputError("the book is empty: no text in the HTML body", path=path)
        meta = html_meta(root)
        return BookModel(path=path, meta=meta, items=[Item(path.name, doc)], toc=[],
                         heading_split=True, format="html")


@hookimpl
def register_extractors(register):
    register(HtmlExtractor())
