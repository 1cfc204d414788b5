"""Every format plugin on a small file built in the test; sniffing by content."""
from __future__ import annotations

import importlib
import struct
import zipfile
from pathlib import Path

import pytest

from e2a_common import ExtractOptions, InputError
from e2a_common.plugins import new_plugin_manager
from e2a_extract import choose_extractor, extract

FORMATS = ("epub", "txt", "html", "markdown", "fb2", "docx", "odt", "pdf", "mobi")


@pytest.fixture(scope="module")
def pm():
    m = new_plugin_manager(load_entrypoints=False)
    for name in FORMATS:
        m.register(importlib.import_module(f"plugins.{name}"), name=name)
    return m


def run(path, pm, **kw):
    recs = list(extract(path, ExtractOptions(**kw), pm=pm))
    chs = []
    for r in recs:
        if r["kind"] == "chapter":
            chs.append([r["title"]])
        elif r["kind"] == "block":
            chs[-1].append(r["text"])
    return recs[0], chs


def test_entry_points_declare_every_builtin_extractor():
    from importlib.metadata import entry_points
    names = {ep.name: ep.value for ep in entry_points(group="e2a")}
    for name in FORMATS:
        assert names.get(name) == f"plugins.{name}"


# ------------------------------------------------------------------ HTML

def test_html(tmp_path, pm):
    p = tmp_path / "page.weird"
    p.write_text("<!DOCTYPE html><html lang='de'><head><title>Ein Buch</title>"
                 "<meta name='author' content='A. Autor'></head><body><h1>Ein Buch</h1>"
                 "<h2>Erstes</h2><p>Der&nbsp;erste <b>Teil</b>.</p><h2>Zweites</h2><p>Der zweite.</p>"
                 "<script>alert(1)</script></body></html>", encoding="utf-8")
    assert choose_extractor(p, pm=pm).name == "html"
    book, chs = run(p, pm)
    assert (book["title"], book["authors"], book["language"]) == ("Ein Buch", ["A. Autor"], "de")
    assert chs == [["Erstes", "Ein Buch", "Erstes", "Der erste Teil."], ["Zweites", "Zweites", "Der zweite."]]


# ------------------------------------------------------------------ Markdown

def test_markdown(tmp_path, pm):
    p = tmp_path / "b.md"
    p.write_text("---\ntitle: Notes\nauthor: Me\nlang: en\n---\n\n# One\n\nSome *emphasis* and a "
                 "[link](http://x).[^1]\n\n```\ncode()\n```\n\nTwo\n===\n\n> quoted\n\n"
                 "[^1]: The note.\n", encoding="utf-8")
    book, chs = run(p, pm)
    assert book["title"] == "Notes" and book["authors"] == ["Me"]
    assert chs == [["One", "One", "Some emphasis and a link."], ["Two", "Two", "quoted"]]
    assert run(p, pm, notes="end")[1][0] == ["One", "One", "Some emphasis and a link.", "The note."]


# ------------------------------------------------------------------ FB2

FB2 = """<?xml version="1.0" encoding="utf-8"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:l="http://www.w3.org/1999/xlink">
<description><title-info><genre>prose</genre><author><first-name>Anna</first-name><last-name>Ivanova</last-name></author>
<book-title>Kniga</book-title><lang>ru</lang><sequence name="Saga" number="2"/>
<coverpage><image l:href="#cover.png"/></coverpage></title-info>
<publish-info><publisher>Pub</publisher><year>1901</year><isbn>978-3-16-148410-0</isbn></publish-info></description>
<body><title><p>Kniga</p></title>
<section id="c1"><title><p>Chapter One</p></title><p>First text<a l:href="#n1" type="note">1</a>.</p>
<poem><stanza><v>Line one</v><v>Line two</v></stanza></poem></section>
<section id="c2"><title><p>Chapter Two</p></title><p>Second text.</p></section>
</body>
<body name="notes"><section id="n1"><title><p>1</p></title><p>The note text.</p></section></body>
<binary id="cover.png" content-type="image/png">iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAAAAgAB4iG8MwAAAABJRU5ErkJggg==</binary>
</FictionBook>"""


def test_fb2(tmp_path, pm):
    p = tmp_path / "b.fb2"
    p.write_text(FB2, encoding="utf-8")
    book, chs = run(p, pm, assets_dir=tmp_path / "a")
    assert book["title"] == "Kniga" and book["authors"] == ["Anna Ivanova"]
    assert book["language"] == "ru" and book["series"] == "Saga" and book["series_index"] == "2"
    assert book["identifiers"] == {"isbn": "978-3-16-148410-0"} and book["publisher"] == "Pub"
    assert Path(book["cover"]).read_bytes().startswith(b"\x89PNG")
    assert [c[0] for c in chs] == ["Chapter One", "Chapter Two"]
    # the body title (the book's title) is title-page matter
    assert chs[0][1:] == ["Chapter One", "First text.", "Line one\nLine two"]
    _, chs = run(p, pm, notes="end")
    assert chs[0][-1] == "The note text."


def test_fb2_zip_and_hostile_fb2(tmp_path, pm):
    z = tmp_path / "b.fb2.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("b.fb2", FB2)
    assert choose_extractor(z, pm=pm).name == "fb2"
    assert [c[0] for c in run(z, pm)[1]] == ["Chapter One", "Chapter Two"]
    x = tmp_path / "x.fb2"
    x.write_text(FB2.replace('<?xml version="1.0" encoding="utf-8"?>',
                             '<?xml version="1.0"?><!DOCTYPE FictionBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
                 encoding="utf-8")
    with pytest.raises(InputError, match="entit"):
        run(x, pm)


# ------------------------------------------------------------------ DOCX

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(path: Path, paras: str, footnotes: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", f"<w:document {W}><w:body>{paras}</w:body></w:document>")
        z.writestr("word/styles.xml", f'<w:styles {W}><w:style w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style></w:styles>')
        if footnotes:
            z.writestr("word/footnotes.xml", f"<w:footnotes {W}>{footnotes}</w:footnotes>")
        z.writestr("docProps/core.xml", '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                   'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Doc Title</dc:title>'
                   '<dc:creator>Writer</dc:creator><dc:language>en-GB</dc:language></cp:coreProperties>')
    return path


def test_docx(tmp_path, pm):
    def h(t):
        return f'<w:p><w:pPr><w:pStyle w:val="berschrift1"/></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>'

    def p(t, extra=""):
        return f'<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r>{extra}</w:p>'
    ref = '<w:r><w:footnoteReference w:id="2"/></w:r>'
    paras = (h("First") + p("Hello ", ref + '<w:r><w:t>world.</w:t></w:r>')
             + '<w:p><w:del><w:r><w:delText>deleted</w:delText></w:r></w:del><w:r><w:t>Kept.</w:t></w:r></w:p>'
             + "<w:tbl><w:tr><w:tc>" + p("JACK") + "</w:tc><w:tc>" + p("Hello.") + "</w:tc></w:tr></w:tbl>"
             + h("Second") + p("More."))
    notes = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:t>---</w:t></w:r></w:p></w:footnote>'
             '<w:footnote w:id="2"><w:p><w:r><w:t>A footnote.</w:t></w:r></w:p></w:footnote>')
    d = make_docx(tmp_path / "d.docx", paras, notes)
    book, chs = run(d, pm)
    assert (book["title"], book["authors"], book["language"]) == ("Doc Title", ["Writer"], "en-GB")
    assert chs == [["First", "First", "Hello world.", "Kept.", "JACK: Hello."], ["Second", "Second", "More."]]
    assert run(d, pm, notes="end")[1][0][-1] == "A footnote."


def test_encrypted_docx_is_refused(tmp_path, pm):
    p = tmp_path / "locked.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputError, match="password-protected"):
        run(p, pm)


# ------------------------------------------------------------------ ODT

def make_odt(path: Path, body: str) -> Path:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", f"<office:document-content {ns}><office:body><office:text>{body}"
                                  "</office:text></office:body></office:document-content>")
        z.writestr("meta.xml", '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                               'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>Odt Book</dc:title>'
                               '<dc:language>fr</dc:language></office:meta></office:document-meta>')
    return path


def test_odt(tmp_path, pm):
    body = ('<text:h text:outline-level="1">Un</text:h><text:p>Bonjour<text:s text:c="2"/>le'
            '<text:note text:id="ftn1"><text:note-citation>1</text:note-citation><text:note-body>'
            '<text:p>La note.</text:p></text:note-body></text:note> monde.</text:p>'
            '<text:list><text:list-item><text:p>Point.</text:p></text:list-item></text:list>'
            '<text:h text:outline-level="1">Deux</text:h><text:p>Fin<text:line-break/>ligne.</text:p>')
    o = make_odt(tmp_path / "o.odt", body)
    book, chs = run(o, pm)
    assert book["title"] == "Odt Book" and book["language"] == "fr"
    assert chs == [["Un", "Un", "Bonjour le monde.", "Point."], ["Deux", "Deux", "Fin ligne."]]
    assert run(o, pm, notes="end")[1][0][-1] == "La note."


# ------------------------------------------------------------------ PDF

def make_pdf(path: Path, pages: list[list[str]], title: str = "A PDF Book",
             outline: list[tuple[str, int]] | None = None) -> Path:
    """A minimal PDF with a text layer (Helvetica), one text line per string."""
    objs: list[bytes] = []

    def add(b: bytes) -> int:
        objs.append(b)
        return len(objs)
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    page_ids, content_ids = [], []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        for ln in lines:
            esc = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content_ids.append(add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"))
        page_ids.append(add(b""))   # filled below
    pages_id = add(b"")
    for pid, cid in zip(page_ids, content_ids):
        objs[pid - 1] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                         b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, cid, font))
    objs[pages_id - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids)
                          + b"] /Count %d >>" % len(page_ids))
    extra = b""
    if outline:
        out_id = add(b"")
        items = []
        for title_, page in outline:
            items.append(add(b""))
        for k, (title_, page) in enumerate(outline):
            d = b"<< /Title (%s) /Parent %d 0 R /Dest [%d 0 R /Fit]" % (title_.encode(), out_id, page_ids[page])
            if k > 0:
                d += b" /Prev %d 0 R" % items[k - 1]
            if k + 1 < len(items):
                d += b" /Next %d 0 R" % items[k + 1]
            objs[items[k] - 1] = d + b" >>"
        objs[out_id - 1] = b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (
            items[0], items[-1], len(items))
        extra = b" /Outlines %d 0 R" % out_id
    cat = add(b"<< /Type /Catalog /Pages %d 0 R /Lang (en-US)%s >>" % (pages_id, extra))
    info = add(b"<< /Title (%s) /Author (Pat Writer) >>" % title.encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, cat, info, xref)
    path.write_bytes(bytes(out))
    return path


PROSE = ["It was a bright cold day in April, and the clocks were strik-",
         "ing thirteen. Winston Smith slipped quickly through the glass",
         "doors of Victory Mansions, though not quickly.",
         "A second paragraph starts here and goes on for a while to fill",
         "the line with words."]
NAMES = ["apples", "pears", "plums", "cherries", "lemons"]
MONTHS = ["April", "May", "June", "July", "August"]


def prose(k: int) -> list[str]:
    """PROSE whose last line differs from page to page (as real pages do)."""
    return ([PROSE[0].replace("April", MONTHS[k]), PROSE[1].replace("Winston", NAMES[k])]
            + PROSE[2:-1] + [f"the line with {NAMES[k]}."])


def test_pdf_headers_page_numbers_hyphens_and_headings(tmp_path, pm):
    pages = [["A Running Header", "Chapter 1"] + prose(0) + [str(1)],
             ["A Running Header"] + prose(1) + [str(2)],
             ["A Running Header", "Chapter 2"] + prose(2) + [str(3)],
             ["A Running Header"] + prose(3) + [str(4)]]
    p = make_pdf(tmp_path / "b.pdf", pages)
    book, chs = run(p, pm)
    assert book["title"] == "A PDF Book" and book["authors"] == ["Pat Writer"] and book["language"] == "en-US"
    assert [c[0] for c in chs] == ["Chapter 1", "Chapter 2"]
    text = " ".join(" ".join(c) for c in chs)
    assert "Running Header" not in text and " 3 " not in text
    assert "striking thirteen." in text
    assert chs[0][2] == ("It was a bright cold day in April, and the clocks were striking thirteen. "
                         "apples Smith slipped quickly through the glass doors of Victory Mansions, "
                         "though not quickly.")


def test_pdf_outline_gives_chapters(tmp_path, pm):
    pages = [["Title Page"], prose(0), prose(1), prose(2)]
    p = make_pdf(tmp_path / "o.pdf", pages, outline=[("Opening", 1), ("Middle", 2), ("Ending", 3)])
    _, chs = run(p, pm)
    assert [c[0] for c in chs] == ["Opening", "Middle", "Ending"]
    assert chs[0][1].startswith("It was a bright")


def test_pdf_without_text_layer_is_refused(tmp_path, pm):
    p = make_pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(InputError, match="no text layer"):
        run(p, pm)


def test_broken_pdf_is_refused(tmp_path, pm):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.4\n" + b"garbage " * 100)
    with pytest.raises(InputError) as ei:
        run(p, pm)
    assert str(p) in str(ei.value)


# ------------------------------------------------------------------ MOBI

def palmdb(encryption: int) -> bytes:
    head = bytearray(78)
    head[0:4] = b"Test"
    head[60:68] = b"BOOKMOBI"
    head[76:78] = struct.pack(">H", 1)
    rec0_off = 78 + 8 + 2
    rec = struct.pack(">I", rec0_off) + b"\0\0\0\0"
    rec0 = bytearray(256)
    rec0[0:2] = struct.pack(">H", 2)
    rec0[12:14] = struct.pack(">H", encryption)
    rec0[16:20] = b"MOBI"
    return bytes(head) + rec + b"\0\0" + bytes(rec0)


def test_mobi_with_drm_is_refused(tmp_path, pm):
    p = tmp_path / "drm.azw3"
    p.write_bytes(palmdb(encryption=2))
    assert choose_extractor(p, pm=pm).name == "mobi"
    with pytest.raises(InputError, match="Kindle DRM"):
        run(p, pm)


def test_damaged_mobi_is_one_clear_error(tmp_path, pm):
    p = tmp_path / "bad.mobi"
    p.write_bytes(palmdb(encryption=0))
    with pytest.raises(InputError) as ei:
        run(p, pm)
    assert str(p) in str(ei.value) and "MOBI" in str(ei.value)


def test_calibre_fallback_when_the_mobi_reader_fails(tmp_path, pm, monkeypatch):
    """calibre is not installed on these machines: a stand-in ebook-convert
    (which writes a real EPUB) checks the fallback's wiring and messages."""
    import os
    import sys as _sys
    from e2a_extract.epubmaker import Doc, make_epub
    epub = make_epub(tmp_path / "converted.epub", [Doc("c.xhtml", "<p>Converted by calibre.</p>", toc="C")])
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "ebook-convert"
    tool.write_text(f"#!{_sys.executable}\nimport shutil, sys\nshutil.copy({str(epub)!r}, sys.argv[2])\n")
    tool.chmod(0o755)
    bad = tmp_path / "bad.mobi"
    bad.write_bytes(palmdb(encryption=0))
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    book, chs = run(bad, pm)
    assert chs == [["C", "Converted by calibre."]]
    assert book["source"] == str(bad) and book["format"] in ("mobi", "azw3")
