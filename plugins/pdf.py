"""PDF extractor for PDFs with a text layer (built-in plugin, entry point ``pdf``),
through pypdf (BSD-3-Clause, pure Python).

Text in content-stream order page by page; running headers and footers
(lines repeated at the top or bottom of many pages, digits ignored) and page
numbers removed; words hyphenated at line ends rejoined; lines joined into
paragraphs (a short line ending a sentence, or a new speaker in caps, starts a
new one); letter-spaced small caps ("D RAMATIS P ERSONAE") repaired. Chapters
from the PDF outline when present, else from headings found as in plain
text. A scanned PDF without a text layer is refused with a clear message;
so is a password-protected one."""
from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from e2a_common import ExtractOptions, InputError, hookimpl
from e2a_common.console import warn

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item, TocEntry
from e2a_extract.htmlblocks import ParsedDoc, normalize_ws
from e2a_extract.safety import read_limited

from .txt import _heading_kind

MAX_PDF_BYTES = 512 * 1024 * 1024
MAX_PAGES = 20_000
_PAGENUM = re.compile(r"^\s*(\d{1,4}|[ivxlcdm]{1,7}|page \d+( of \d+)?|- ?\d+ ?-)\s*$", re.I)
_SPEAKER = re.compile(r"^([A-Z][A-Z’'\-]{2,}(?: [A-Z][A-Z’'\-]{2,})?)(?=[ .:]|$)")
_SMALLCAPS = re.compile(r"\b([A-Z]) ([A-Z]{2,})\b")
_END = re.compile(r"[.!?:;…”’\"')\]]$")


class PdfExtractor(BookExtractor):
    name = "pdf"
    description = "PDF with a text layer (.pdf); scanned PDFs need OCR first"
    extensions = (".pdf",)

    def sniff(self, path: Path, head: bytes) -> int:
        if b"%PDF-" in head[:1024]:
            return 100
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        if path.stat().st_size > MAX_PDF_BYTES:
            raise InputError(f"PDF is larger than {MAX_PDF_BYTES} bytes", path=path)
        try:
            from pypdf import PdfReader
            from pypdf.errors import PdfReadError
        except ImportError:
            raise InputError("reading PDF needs the pypdf package (pip install pypdf)",
                             path=path) from None
        import logging
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        data = read_limited(path, MAX_PDF_BYTES, "PDF")
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except Exception:
                    ok = 0
                if not ok:
                    raise InputError("the PDF is password-protected; e2a reads only unprotected "
                                     "PDFs", path=path)
            pages = reader.pages
            n = len(pages)
        except InputError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
            raise InputError(f"not a readable PDF ({str(exc)[:160] or type(exc).__name__})",
                             path=path) from None
        if n == 0:
            raise InputError("the PDF has no pages", path=path)
        if n > MAX_PAGES:
            raise InputError(f"the PDF has {n} pages (limit {MAX_PAGES})", path=path)
        texts: list[list[str]] = []
        for i in range(n):
            try:
                t = pages[i].extract_text() or ""
            except Exception as exc:  # one bad page must not lose the book
                warn(f"{path}: page {i + 1} could not be read ({str(exc)[:80]}); skipped")
                t = ""
            texts.append([ln.rstrip() for ln in t.replace("\r", "\n").split("\n")])
        if sum(len("".join(p).strip()) for p in texts) < 20:
            raise InputError("the PDF has no text layer (scanned pages?): run OCR first, "
                             "e.g. ocrmypdf", path=path)
        texts = strip_running(texts)
        toc = self.outline(reader, n)
        hard = set()

        def targets(entries):
            for e in entries:
                if e.fragment and e.fragment.startswith("page"):
                    hard.add(int(e.fragment[4:]))
                targets(e.children)
        targets(toc)
        blocks, anchors = paragraphs(texts, hard)
        meta = self.metadata(reader)
        doc = ParsedDoc(blocks=blocks, anchors=anchors)
        first = next((e for e in toc if e.fragment), None)
        if first is not None and anchors.get(first.fragment, 0) > 0:
            # what comes before the first outline entry: a title page, or an opening
            lead = sum(len(b["text"].split()) for b in blocks[:anchors[first.fragment]])
            anchors["start"] = 0
            toc.insert(0, TocEntry("Title page" if lead < 200 else "Opening", "pdf", "start"))
        if not toc:   # headings found in the text, as for plain text
            for k, b in enumerate(blocks):
                if b["type"] == "heading":
                    anchors[f"h{k}"] = k
                    toc.append(TocEntry(b["text"], "pdf", f"h{k}"))
            if toc and anchors[toc[0].fragment] > 0:
                anchors["start"] = 0
                toc.insert(0, TocEntry("", "pdf", "start"))
        if not blocks:
            raise InputError("the book is empty: no text", path=path)
        return BookModel(path=path, meta=meta, items=[Item("pdf", doc)], toc=toc,
                         heading_split=not toc, format="pdf")

    def outline(self, reader, n: int) -> list[TocEntry]:
        try:
            outline = reader.outline
        except Exception:
            return []

        def walk(items) -> list[TocEntry]:
            out: list[TocEntry] = []
            for it in items:
                if isinstance(it, list):
                    if out:
                        out[-1].children.extend(walk(it))
                    else:
                        out.extend(walk(it))
                    continue
                try:
                    page = reader.get_destination_page_number(it)
                except Exception:
                    page = None
                title = normalize_ws(str(getattr(it, "title", "") or ""), keep_lines=False)
                if page is None or not (0 <= page < n):
                    out.append(TocEntry(title, None, None))
                else:
                    out.append(TocEntry(title, "pdf", f"page{page}"))
            return out

        try:
            return walk(outline)
        except RecursionError:
            return []

    def metadata(self, reader) -> dict:
        meta: dict = {"authors": [], "identifiers": {}}
        try:
            info = reader.metadata or {}
        except Exception:
            info = {}
        title = str(info.get("/Title") or "").strip()
        if title:
            meta["title"] = title
            if ": " in title:
                meta["title"], meta["subtitle"] = title.split(": ", 1)
        author = str(info.get("/Author") or "").strip()
        if author:
            meta["authors"] = [a.strip() for a in re.split(r";|\s+and\s+|&", author) if a.strip()]
        if info.get("/Subject"):
            meta["description"] = str(info.get("/Subject"))
        if info.get("/Keywords"):
            meta["subjects"] = [k.strip() for k in str(info.get("/Keywords")).split(",") if k.strip()]
        try:
            lang = reader.trailer["/Root"].get("/Lang")
            if lang:
                meta["language"] = str(lang)
        except Exception:
            pass
        return meta


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_running(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top or bottom of many pages."""
    def edges(lines):
        body = [ln for ln in lines if ln.strip()]
        return body[:2] + body[-2:]
    counts = Counter(_norm(ln) for p in pages for ln in set(edges(p)))
    many = max(3, len(pages) // 4)
    running = {k for k, c in counts.items() if c >= many and len(k) < 120}
    out = []
    for p in pages:
        lines = [ln for ln in p if ln.strip()]
        edge = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        keep = [ln for i, ln in enumerate(lines)
                if not (i in edge and (_PAGENUM.match(ln) or _norm(ln) in running))]
        out.append(keep)
    return out


def paragraphs(pages: list[list[str]], hard: set[int] | None = None) -> tuple[list[dict], dict[str, int]]:
    """Lines to paragraphs. ``hard``: pages that start a chapter (outline
    targets): a paragraph never runs into them."""
    hard = hard or set()
    lengths = sorted(len(ln) for p in pages for ln in p if ln.strip())
    full = lengths[int(len(lengths) * 0.8)] if lengths else 60
    blocks: list[dict] = []
    anchors: dict[str, int] = {}
    cur: list[str] = []

    def flush():
        if cur:
            text = cur[0]
            for ln in cur[1:]:
                if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and ln[:1].islower():
                    text = text[:-1] + ln
                else:
                    text += " " + ln
            text = normalize_ws(_SMALLCAPS.sub(r"\1\2", text), keep_lines=False)
            if text:
                blocks.append({"type": "paragraph", "text": text})
            cur.clear()

    def short_end(line: str) -> bool:
        # a line that stops well before the margin ends its paragraph (or is
        # an item of a list); one that stops a little early must end a sentence
        return len(line) < 0.6 * full or (bool(_END.search(line)) and len(line) < 0.85 * full)

    for i, page in enumerate(pages):
        if i in hard:
            flush()
        anchors[f"page{i}"] = len(blocks) + (1 if cur else 0)
        for ln in page:
            s = ln.strip()
            if not s:
                flush()
                continue
            fixed = _SMALLCAPS.sub(r"\1\2", s)
            hk = _heading_kind([fixed]) if len(fixed) <= 80 else None
            if hk is None and fixed.isupper() and 4 <= len(fixed) <= 80 \
                    and len(fixed.split()) <= 8 and not _END.search(fixed):
                hk = (3, fixed)     # a title set in capitals ("DRAMATIS PERSONAE")
            if hk and (not cur or _END.search(cur[-1]) or len(cur[-1]) < 0.85 * full):
                flush()
                if f"page{i}" in anchors and anchors[f"page{i}"] > len(blocks):
                    anchors[f"page{i}"] = len(blocks)
                blocks.append({"type": "heading", "text": normalize_ws(fixed, keep_lines=False),
                               "level": hk[0]})
                continue
            if cur and (short_end(cur[-1]) or _SPEAKER.match(s)
                        or (s.startswith("(") and _END.search(cur[-1]))):
                flush()
            cur.append(s)
        # a page that ends with a sentence ends its paragraph
        if cur and _END.search(cur[-1]) and (short_end(cur[-1]) or i + 1 in hard):
            flush()
    flush()
    n = len(blocks)
    for k, v in list(anchors.items()):
        anchors[k] = min(v, n)
    return blocks, anchors


@hookimpl
def register_extractors(register):
    register(PdfExtractor())
