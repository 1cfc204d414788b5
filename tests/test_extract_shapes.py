"""Structures from ../shared/corpus/TRICKY.md and notes/pitfalls.md, each on a
small EPUB built in the test."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from e2a_common import ExtractOptions, InputError
from e2a_common.plugins import new_plugin_manager
from e2a_extract import extract, plan
from e2a_extract.epubmaker import Doc, make_epub


@pytest.fixture()
def pm():
    import plugins.epub
    import plugins.txt
    m = new_plugin_manager(load_entrypoints=False)
    m.register(plugins.epub, name="epub")
    m.register(plugins.txt, name="txt")
    return m


def blocks(path, pm, **kw):
    return [(r["type"], r["text"]) for r in extract(path, ExtractOptions(**kw), pm=pm)
            if r["kind"] == "block"]


def titles(path, pm, **kw):
    return [r["title"] for r in extract(path, ExtractOptions(**kw), pm=pm) if r["kind"] == "chapter"]


def one(tmp_path, body, **kw):
    return make_epub(tmp_path / "b.epub", [Doc("c.xhtml", body, toc="C")], **kw)


def test_poetry_one_line_per_line_stanzas_as_blocks(tmp_path, pm):
    book = one(tmp_path, '<div epub:type="z3998:poem"><p><span>Something there is</span><br/>'
                         '<span>that doesn\u2019t  love a wall,</span></p><p><span>Second stanza.</span></p>'
                         '</div><p>Prose after.</p>')
    assert blocks(book, pm) == [("verse", "Something there is\nthat doesn\u2019t love a wall,"),
                                ("verse", "Second stanza."), ("paragraph", "Prose after.")]


def test_ruby_reads_base_text_only(tmp_path, pm):
    book = one(tmp_path, "<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rt>じ</rt></ruby>です。</p>")
    assert blocks(book, pm) == [("paragraph", "漢字です。")]


def test_definition_lists(tmp_path, pm):
    book = one(tmp_path, "<dl><dt><dfn>Whale</dfn></dt><dd>A large sea animal.</dd>"
                         "<dt>Ship</dt><dd>A boat.</dd></dl>")
    assert blocks(book, pm) == [("paragraph", "Whale"), ("paragraph", "A large sea animal."),
                                ("paragraph", "Ship"), ("paragraph", "A boat.")]


def test_mathml_alttext_or_nothing(tmp_path, pm):
    book = one(tmp_path, '<p>Energy is <math xmlns="http://www.w3.org/1998/Math/MathML" '
                         'alttext="E equals m c squared"><mi>E</mi><mo>=</mo><mi>m</mi>'
                         '<msup><mi>c</mi><mn>2</mn></msup></math> here.</p>'
                         '<p>Silent <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>.</p>')
    assert blocks(book, pm) == [("paragraph", "Energy is E equals m c squared here."),
                                ("paragraph", "Silent .")]


def test_drama_table_speaker_then_speech(tmp_path, pm):
    book = one(tmp_path, "<table><tr><td>ALGERNON</td><td>How are you, my dear Ernest?</td></tr>"
                         "<tr><td>JACK</td><td>Oh, pleasure, pleasure!</td></tr></table>")
    assert blocks(book, pm) == [("paragraph", "ALGERNON: How are you, my dear Ernest?"),
                                ("paragraph", "JACK: Oh, pleasure, pleasure!")]


NOTES = [
    Doc("c1.xhtml", '<h1>One</h1><p>Whales<a href="endnotes.xhtml#n1" epub:type="noteref">1</a> swim'
                    '<sup><a href="endnotes.xhtml#n2">2</a></sup>.</p>', toc="One"),
    Doc("c2.xhtml", '<h1>Two</h1><p>Sharks too<a href="#fn3" class="footnote-ref">3</a>.</p>'
                    '<aside epub:type="footnote" id="fn3"><p>A footnote.</p></aside>', toc="Two"),
    Doc("endnotes.xhtml", '<section epub:type="endnotes"><h2>Endnotes</h2><ol>'
                          '<li id="n1" epub:type="endnote"><p>First note. <a href="c1.xhtml" '
                          'epub:type="backlink">↩</a></p></li>'
                          '<li id="n2" epub:type="endnote"><p>Second note.</p></li></ol></section>',
        toc="Endnotes", body_type="backmatter"),
]


def test_notes_never_read_inline_and_skipped_by_default(tmp_path, pm):
    book = make_epub(tmp_path / "n.epub", NOTES)
    assert titles(book, pm) == ["One", "Two"]
    assert blocks(book, pm) == [("heading", "One"), ("paragraph", "Whales swim."),
                                ("heading", "Two"), ("paragraph", "Sharks too.")]


def test_notes_at_the_end_of_their_chapter(tmp_path, pm):
    book = make_epub(tmp_path / "n.epub", NOTES)
    assert blocks(book, pm, notes="end") == [
        ("heading", "One"), ("paragraph", "Whales swim."), ("note", "First note."),
        ("note", "Second note."), ("heading", "Two"), ("paragraph", "Sharks too."),
        ("note", "A footnote.")]


def test_page_numbers_and_line_numbers_are_not_read(tmp_path, pm):
    book = one(tmp_path, '<p>Before<span epub:type="pagebreak" id="p7" title="7">7</span> after.</p>'
                         '<div class="poem"><div>A line of verse,<span class="lnum">10</span></div></div>')
    assert blocks(book, pm) == [("paragraph", "Before after."), ("verse", "A line of verse,")]


def test_images_alt_text_on_request(tmp_path, pm):
    book = one(tmp_path, '<p>See <img src="x.png" alt="a whale"/> here.</p>')
    assert blocks(book, pm) == [("paragraph", "See here.")]
    assert blocks(book, pm, image_alt=True) == [("paragraph", "See a whale here.")]


def test_text_after_an_image_is_kept(tmp_path, pm):
    book = one(tmp_path, '<p><img src="x.png" alt=""/></p><p>Text after the image.</p>')
    assert blocks(book, pm) == [("paragraph", "Text after the image.")]


def test_svg_only_page_is_skipped_with_a_warning(tmp_path, pm, capsys):
    docs = [Doc("pic.xhtml", '<svg xmlns="http://www.w3.org/2000/svg"><image href="a.jpg"/></svg>',
                toc="Picture"), Doc("c.xhtml", "<p>Real text.</p>", toc="Text")]
    book = make_epub(tmp_path / "s.epub", docs)
    assert titles(book, pm) == ["Text"]
    rows = plan(book, ExtractOptions(), pm=pm)
    assert rows[0]["title"] == "Picture" and rows[0]["index"] is None and rows[0]["words"] == 0


def test_rtl_language_detected_when_metadata_lacks_it(tmp_path, pm):
    book = make_epub(tmp_path / "ar.epub", [Doc("c.xhtml", '<p dir="rtl">' + "هذا نص عربي طويل بما يكفي لاكتشاف اللغة. " * 5 + "</p>",
                                                toc="فصل")], language=None)
    rec = next(iter(extract(book, ExtractOptions(), pm=pm)))
    assert rec["language"] == "ar"


def test_french_detected(tmp_path, pm):
    text = "Il était une fois un roi qui vivait dans un château avec sa fille et le peuple. " * 4
    book = make_epub(tmp_path / "fr.epub", [Doc("c.xhtml", f"<p>{text}</p>", toc="Un")], language=None)
    assert next(iter(extract(book, ExtractOptions(), pm=pm)))["language"] == "fr"


def test_non_ascii_file_names(tmp_path, pm):
    docs = [Doc("xhtml/一.xhtml", "<p>第一章の本文。</p>", toc="一"),
            Doc("xhtml/二.xhtml", "<p>第二章の本文。</p>", toc="二")]
    book = make_epub(tmp_path / "ja.epub", docs, language="ja")
    assert titles(book, pm) == ["一", "二"]


def test_heading_only_file_opens_the_next_chapter(tmp_path, pm):
    docs = [Doc("part1.xhtml", "<h1>Part One</h1>", toc="Part One"),
            Doc("c1.xhtml", "<h2>Chapter 1</h2><p>Text.</p>", toc="Chapter 1")]
    book = make_epub(tmp_path / "p.epub", docs)
    recs = list(extract(book, ExtractOptions(), pm=pm))
    assert [r["title"] for r in recs if r["kind"] == "chapter"] == ["Chapter 1"]
    assert [r["text"] for r in recs if r["kind"] == "block"] == ["Part One", "Chapter 1", "Text."]


def test_no_toc_one_file_chapters_from_headings(tmp_path, pm):
    body = "".join(f"<h1>Book</h1>" if i == 0 else "" for i in range(1)) + "".join(
        f"<h2>Chapter {i}</h2><p>Text {i}.</p>" for i in range(1, 4))
    book = make_epub(tmp_path / "h.epub", [Doc("all.xhtml", body)], with_toc=False)
    assert titles(book, pm) == ["Chapter 1", "Chapter 2", "Chapter 3"]


def test_toc_nested_parts_and_sections(tmp_path, pm):
    """Children in other files are chapters; children inside one file stay sections."""
    docs = [Doc("story.xhtml", '<h1>Story</h1><h2 id="s1">I</h2><p>One.</p><h2 id="s2">II</h2><p>Two.</p>',
                toc="Story", children=[("I", "#s1"), ("II", "#s2")]),
            Doc("next.xhtml", "<h1>Next</h1><p>More.</p>", toc="Next")]
    book = make_epub(tmp_path / "t.epub", docs)
    assert titles(book, pm) == ["Story", "Next"]


def test_chapter_selection(tmp_path, pm):
    docs = [Doc(f"c{i}.xhtml", f"<p>Text {i}.</p>", toc=f"C{i}") for i in range(6)]
    book = make_epub(tmp_path / "s.epub", docs)
    sel = list(extract(book, ExtractOptions(extra={"chapters": "1-2,4"}), pm=pm))
    assert [(r["index"], r["title"]) for r in sel if r["kind"] == "chapter"] == [
        (1, "C1"), (2, "C2"), (4, "C4")]
    skip = list(extract(book, ExtractOptions(extra={"skip_chapters": "0,5"}), pm=pm))
    assert [r["index"] for r in skip if r["kind"] == "chapter"] == [1, 2, 3, 4]
    with pytest.raises(InputError, match="bad chapter"):
        list(extract(book, ExtractOptions(extra={"chapters": "x-y"}), pm=pm))
    with pytest.raises(InputError, match="no chapter matches"):
        list(extract(book, ExtractOptions(extra={"chapters": "40-50"}), pm=pm))


def test_cli_chapters_and_keep_front_matter(tmp_path):
    docs = [Doc("cover.xhtml", '<section epub:type="cover"><img src="c.png" alt="Cover"/></section>'
                               "<p>Cover words here.</p>", toc="Cover"),
            Doc("c1.xhtml", "<p>One.</p>", toc="One"), Doc("c2.xhtml", "<p>Two.</p>", toc="Two")]
    book = make_epub(tmp_path / "b.epub", docs)
    env = dict(os.environ, E2A_PLUGINS="epub")
    p = subprocess.run([sys.executable, "-m", "e2a_extract.cli", str(book), "--chapters", "1"],
                       capture_output=True, text=True, env=env)
    recs = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["title"] for r in recs if r["kind"] == "chapter"] == ["Two"]
    p = subprocess.run([sys.executable, "-m", "e2a_extract.cli", str(book), "--keep-front-matter"],
                       capture_output=True, text=True, env=env)
    recs = [json.loads(x) for x in p.stdout.splitlines()]
    assert [(r["title"], r["role"]) for r in recs if r["kind"] == "chapter"] == [
        ("Cover", "front"), ("One", "body"), ("Two", "body")]


def test_content_beats_extension(tmp_path, pm):
    book = one(tmp_path, "<p>Hello.</p>")
    renamed = tmp_path / "book.zip"
    renamed.write_bytes(book.read_bytes())
    assert blocks(renamed, pm) == [("paragraph", "Hello.")]
    text = tmp_path / "notes.epub"
    text.write_text("Just some plain text that claims to be an EPUB.", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid EPUB"):
        list(extract(text, ExtractOptions(), pm=pm))


def test_tts_hints_ssml_phonemes_pls_lexicon_and_block_language(tmp_path, pm):
    pls = ('<?xml version="1.0"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
           'alphabet="ipa" xml:lang="en"><lexeme><grapheme>Savannah</grapheme><phoneme>səˈvænə</phoneme>'
           '</lexeme></lexicon>')
    raw = ('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" '
           'xmlns:ssml="http://www.w3.org/2001/10/synthesis" xml:lang="en"><head><title>t</title></head>'
           '<body><p>It is <span ssml:ph="ˈθɜrti dɪˈgriz">30°</span> north.</p>'
           '<blockquote xml:lang="la"><p>Arma virumque cano.</p></blockquote>'
           '<p><i xml:lang="fr">bon mot</i> in English.</p></body></html>')
    book = make_epub(tmp_path / "t.epub", [Doc("c.xhtml", "", raw=raw, toc="C")],
                     extra_files={"OEBPS/lexicon/en.pls": pls})
    import re
    import zipfile
    with zipfile.ZipFile(book) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["OEBPS/content.opf"] = re.sub(
        rb"</manifest>", b'<item id="pls" href="lexicon/en.pls" media-type="application/pls+xml"/></manifest>',
        files["OEBPS/content.opf"])
    with zipfile.ZipFile(book, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    recs = list(extract(book, ExtractOptions(assets_dir=tmp_path / "a"), pm=pm))
    lex = recs[0]["lexicons"]
    assert len(lex) == 1 and "Savannah" in open(lex[0], encoding="utf-8").read()
    bl = [r for r in recs if r["kind"] == "block"]
    assert bl[0]["text"] == "It is 30° north."
    assert bl[0]["phonemes"] == [{"text": "30°", "ph": "ˈθɜrti dɪˈgriz", "alphabet": "ipa"}]
    assert bl[1].get("language") == "la" and "language" not in bl[2]


def test_fixed_layout_text_in_svg_is_read(tmp_path, pm, capsys):
    page = ('<div class="page"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
            '<text><tspan y="10">Il en avait</tspan><tspan y="10"> souvent rêvé</tspan>'
            '<tspan y="20">, au moins.</tspan></text></svg></div>')
    docs = [Doc(f"p{i}.xhtml", page) for i in range(3)]
    book = make_epub(tmp_path / "fxl.epub", docs, with_toc=False)
    recs = list(extract(book, ExtractOptions(), pm=pm))
    assert [r["kind"] for r in recs].count("chapter") == 1     # pages run on: one chapter
    assert [r["text"] for r in recs if r["kind"] == "block"] == ["Il en avait souvent rêvé , au moins."] * 3
    assert "SVG" in capsys.readouterr().err


def test_svg_cover_is_rasterised(tmp_path, pm):
    import shutil
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg not installed")
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" height="60">'
           b'<rect width="40" height="60" fill="#336699"/></svg>')
    book = make_epub(tmp_path / "c.epub", [Doc("c.xhtml", "<p>Text.</p>", toc="C")], cover=svg,
                     cover_name="images/cover.svg", cover_type="image/svg+xml")
    rec = next(iter(extract(book, ExtractOptions(assets_dir=tmp_path / "a"), pm=pm)))
    data = open(rec["cover"], "rb").read()
    assert rec["cover"].endswith("cover.jpg") and data.startswith(b"\xff\xd8\xff")


def test_gutenberg_footer_inside_the_last_chapter_is_cut(tmp_path, pm):
    body = ("<h1>Chapter XII</h1><p>The end of the story.</p><p>THE END</p>"
            "<p>*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***</p>"
            "<p>Updated editions will replace the previous one.</p>")
    book = make_epub(tmp_path / "pg.epub", [Doc("c.xhtml", body, toc="Chapter XII")])
    assert [t for _, t in blocks(book, pm)] == ["Chapter XII", "The end of the story.", "THE END"]


def test_hgroup_heading_and_epub_switch_fallback(tmp_path, pm):
    body = ('<hgroup><h2 epub:type="ordinal">I</h2><p epub:type="title">Loomings</p></hgroup>'
            '<epub:switch><epub:case required-namespace="http://www.xml-cml.org/schema">'
            '<chem>H2O</chem></epub:case><epub:default><p>Water.</p></epub:default></epub:switch>')
    book = one(tmp_path, body)
    assert blocks(book, pm) == [("heading", "I: Loomings"), ("paragraph", "Water.")]


def test_jpeg_cover_declared_as_png_is_written_as_jpeg(tmp_path, pm):
    jpeg = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
    book = one(tmp_path, "<p>Text.</p>", cover=jpeg, cover_type="image/png", cover_name="images/c.png")
    rec = next(iter(extract(book, ExtractOptions(assets_dir=tmp_path / "a"), pm=pm)))
    assert rec["cover"].endswith("cover.jpg") and open(rec["cover"], "rb").read() == jpeg


def test_zip_directory_entries_and_several_rootfiles(tmp_path, pm):
    container = ('<?xml version="1.0"?><container version="1.0" '
                 'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                 '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                 '<rootfile full-path="OTHER/other.opf" media-type="application/oebps-package+xml"/>'
                 '</rootfiles></container>')
    book = make_epub(tmp_path / "r.epub", [Doc("c.xhtml", "<p>First rootfile.</p>", toc="C")],
                     container=container)
    import zipfile
    with zipfile.ZipFile(book, "a") as z:
        z.writestr(zipfile.ZipInfo("OEBPS/images/"), b"")     # a directory entry
    assert blocks(book, pm) == [("paragraph", "First rootfile.")]


def test_duplicate_spine_items_are_read_once(tmp_path, pm, capsys):
    book = one(tmp_path, "<p>Only once.</p>")
    import re
    import zipfile
    with zipfile.ZipFile(book) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["OEBPS/content.opf"] = re.sub(rb'(<itemref idref="d0"/>)', rb"\1\1\1", files["OEBPS/content.opf"])
    with zipfile.ZipFile(book, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    assert blocks(book, pm) == [("paragraph", "Only once.")]
    assert "more than once" in capsys.readouterr().err
