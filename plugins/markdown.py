"""Markdown extractor (built-in plugin, entry point ``markdown``).

A small CommonMark-ish reader, enough for books: ATX and setext headings
(chapters), paragraphs, lists, block quotes, YAML front matter (title,
author, lang), emphasis/links/images reduced to their text, footnote
references dropped and footnote definitions kept as notes, code blocks
skipped. No dependency beyond lxml."""
from __future__ import annotations

import html
import re
from pathlib import Path

from e2a_common import ExtractOptions, InputError, hookimpl

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item
from e2a_extract.htmlblocks import parse_content
from e2a_extract.safety import parse_xml, read_limited

from .html import html_meta
from .txt import decode_text, looks_like_text

MAX_MD_BYTES = 64 * 1024 * 1024
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST = re.compile(r"^\s*([-*+]|\d{1,3}[.)])\s+")
_FOOTDEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\[\^([^\]]+)\]",                                               # footnote refs
                  lambda m: f'<a href="#fn-{m.group(1)}" epub:type="noteref">*</a>', text)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r'<img alt="\1"/>', text)           # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)                         # links
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"  +\n|\\\n", "<br/>", text)
    return text


def markdown_to_xhtml(text: str) -> tuple[str, dict]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta: dict = {}
    fm = re.match(r"^---\n(.*?)\n(---|\.\.\.)\n", text, re.S)
    if fm:
        for line in fm.group(1).splitlines():
            m = re.match(r"^(\w+):\s*[\"']?(.*?)[\"']?\s*$", line)
            if m:
                meta[m.group(1).lower()] = m.group(2)
        text = text[fm.end():]
    out: list[str] = []
    notes: list[str] = []
    para: list[str] = []
    in_code = False

    def flush():
        if para:
            joined = "\n".join(para)
            if all(_LIST.match(p) for p in para[:1]):
                items = re.split(r"\n(?=\s*(?:[-*+]|\d{1,3}[.)])\s+)", joined)
                out.append("<ul>" + "".join(f"<li>{_inline(_LIST.sub('', it))}</li>" for it in items)
                           + "</ul>")
            elif para[0].lstrip().startswith(">"):
                inner = "\n".join(re.sub(r"^\s*>\s?", "", p) for p in para)
                out.append(f"<blockquote><p>{_inline(inner)}</p></blockquote>")
            else:
                out.append(f"<p>{_inline(joined)}</p>")
            para.clear()

    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            flush()
            in_code = not in_code
            i += 1
            continue
        if in_code:
            i += 1
            continue
        m = _ATX.match(line)
        fd = _FOOTDEF.match(line)
        if m:
            flush()
            n = len(m.group(1))
            out.append(f"<h{n}>{_inline(m.group(2))}</h{n}>")
        elif fd:
            flush()
            notes.append(f'<li id="fn-{html.escape(fd.group(1))}">{_inline(fd.group(2))}</li>')
        elif para and re.match(r"^(=+|-+)\s*$", line) and not _LIST.match(para[0]):
            n = 1 if line.strip().startswith("=") else 2
            title = " ".join(para)
            para.clear()
            out.append(f"<h{n}>{_inline(title)}</h{n}>")
        elif re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):
            flush()
        elif not line.strip():
            flush()
        elif line.startswith("    ") and not para:
            pass   # indented code block
        else:
            para.append(line)
        i += 1
    flush()
    if notes:
        out.append('<section epub:type="footnotes"><ol>' + "".join(notes) + "</ol></section>")
    title = html.escape(meta.get("title", ""))
    lang = html.escape(meta.get("lang") or meta.get("language") or "")
    author = html.escape(meta.get("author", ""))
    doc = ('<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
           + (f' lang="{lang}"' if lang else "") + f"><head><title>{title}</title>"
           + (f'<meta name="author" content="{author}"/>' if author else "")
           + "</head><body>" + "\n".join(out) + "</body></html>")
    return doc, meta


class MarkdownExtractor(BookExtractor):
    name = "markdown"
    description = "Markdown (.md, .markdown); chapters from headings"
    extensions = (".md", ".markdown", ".mdown", ".mkd")

    def sniff(self, path: Path, head: bytes) -> int:
        if not looks_like_text(head):
            return 0
        if path.suffix.lower() in self.extensions:
            return 60
        if re.search(rb"(?m)^#{1,3} \S", head[:2048]) and re.search(rb"(?m)^\S", head):
            return 20
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        if path.stat().st_size > MAX_MD_BYTES:
            raise InputError(f"Markdown file is larger than {MAX_MD_BYTES} bytes", path=path)
        xhtml, fm = markdown_to_xhtml(decode_text(read_limited(path, MAX_MD_BYTES, "Markdown file"), path))
        root = parse_xml(xhtml.encode("utf-8"), path.name, path, html_fallback=True)
        doc = parse_content(root, image_alt=options.image_alt)
        if not doc.blocks:
            raise InputError("the book is empty: no text", path=path)
        meta = html_meta(root)
        if not meta.get("title"):
            meta.pop("title", None)
            heads = [b["text"] for b in doc.blocks if b["type"] == "heading"]
            if heads:
                meta["title"] = heads[0]
        return BookModel(path=path, meta=meta, items=[Item(path.name, doc)], toc=[],
                         heading_split=True, format="markdown")


@hookimpl
def register_extractors(register):
    register(MarkdownExtractor())
