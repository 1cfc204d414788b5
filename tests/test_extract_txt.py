"""Plain-text extraction: encodings, Gutenberg boilerplate, headings, wrapping."""
from __future__ import annotations

import pytest

from e2a_common import ExtractOptions, InputError
from e2a_common.plugins import new_plugin_manager
from e2a_extract import extract, plan


@pytest.fixture()
def pm():
    import plugins.epub
    import plugins.txt
    m = new_plugin_manager(load_entrypoints=False)
    m.register(plugins.epub, name="epub")
    m.register(plugins.txt, name="txt")
    return m


def chapters(path, pm, **kw):
    out = []
    recs = list(extract(path, ExtractOptions(**kw), pm=pm))
    for r in recs:
        if r["kind"] == "chapter":
            out.append([r["title"]])
        elif r["kind"] == "block":
            out[-1].append(r["text"])
    return recs[0], out


PG = """\ufeffThe Project Gutenberg eBook of A Test\r
\r
This ebook is for the use of anyone anywhere in the United States and\r
most other parts of the world at no cost.\r
\r
Title: A Test Book\r
\r
Author: Jane Doe\r
\r
Language: French\r
\r
*** START OF THE PROJECT GUTENBERG EBOOK A TEST ***\r
\r
A TEST BOOK\r
\r
by Jane Doe\r
\r
Contents\r
\r
 CHAPTER I.     The Start\r
 CHAPTER II.    The End\r
\r
\r
CHAPTER I.\r
The Start\r
\r
Il \u00e9tait une fois un roi qui avait une fille, et cette phrase est\r
coup\u00e9e en deux lignes par le retour \u00e0 la ligne.\r
\r
CHAPTER II.\r
The End\r
\r
Et ce fut la fin de l'histoire du roi.\r
\r
*** END OF THE PROJECT GUTENBERG EBOOK A TEST ***\r
\r
Section 1. General Terms of Use and Redistributing Project Gutenberg License\r
"""


def test_gutenberg_bom_crlf_wrap_contents(tmp_path, pm):
    p = tmp_path / "pg.txt"
    p.write_bytes(PG.encode("utf-8"))
    book, chs = chapters(p, pm)
    assert book["title"] == "A Test Book" and book["authors"] == ["Jane Doe"]
    assert book["language"] == "fr"
    assert [c[0] for c in chs] == ["CHAPTER I. The Start", "CHAPTER II. The End"]
    assert chs[0][2] == ("Il \u00e9tait une fois un roi qui avait une fille, et cette phrase est "
                         "coup\u00e9e en deux lignes par le retour \u00e0 la ligne.")
    text = " ".join(" ".join(c) for c in chs)
    assert "Gutenberg" not in text and "License" not in text and "Contents" not in text
    rows = plan(p, ExtractOptions(), pm=pm)
    assert [(r["type"], r["read"]) for r in rows] == [("titlepage", False), ("toc", False),
                                                      ("chapter", True), ("chapter", True)]


def test_cp1252_and_localised_headings(tmp_path, pm):
    body = ("Kapitel 1\n\nDer erste Teil der Geschichte f\u00e4ngt hier an und geht weiter.\n\n"
            "Kapitel 2\n\nDer zweite Teil der Geschichte ist k\u00fcrzer.\n")
    p = tmp_path / "de.txt"
    p.write_bytes(body.encode("cp1252"))
    book, chs = chapters(p, pm)
    assert [c[0] for c in chs] == ["Kapitel 1", "Kapitel 2"]
    assert "f\u00e4ngt" in chs[0][2]
    assert book["language"] == "de"      # detected from the text


def test_bare_roman_numerals_in_sequence_only(tmp_path, pm):
    body = ("OEUVRES COMPL\u00c8TES\n\nXIX\n\nROMAN II\n\nI\n\nLe premier chapitre est ici, avec du texte.\n\n"
            "II\n\nLe deuxi\u00e8me chapitre est l\u00e0, avec encore du texte.\n")
    p = tmp_path / "fr.txt"
    p.write_text(body, encoding="utf-8")
    _, chs = chapters(p, pm)
    assert [c[0] for c in chs] == ["I", "II"]


def test_capitulo_heading_wrapped_over_two_lines(tmp_path, pm):
    body = ("Cap\u00edtulo primero. Que trata de la condici\u00f3n y ejercicio del famoso\n"
            "hidalgo don Quijote de la Mancha\n\nEn un lugar de la Mancha, de cuyo nombre no quiero "
            "acordarme, no ha mucho tiempo que viv\u00eda un hidalgo.\n\n"
            "Cap\u00edtulo II. Que trata de la primera salida\n\nY as\u00ed sali\u00f3 al campo.\n")
    p = tmp_path / "es.txt"
    p.write_text(body, encoding="utf-8")
    _, chs = chapters(p, pm)
    assert chs[0][0] == ("Cap\u00edtulo primero. Que trata de la condici\u00f3n y ejercicio del "
                         "famoso hidalgo don Quijote de la Mancha")
    assert len(chs) == 2


def test_chapter_word_in_running_text_is_not_a_heading(tmp_path, pm):
    body = ("Chapter 1\n\nShe read chapter 3 of the book.\n\n"
            "Chapter 2 was where it all went wrong for him.\n\nChapter 2\n\nMore text here.\n")
    p = tmp_path / "en.txt"
    p.write_text(body, encoding="utf-8")
    _, chs = chapters(p, pm)
    assert [c[0] for c in chs] == ["Chapter 1", "Chapter 2"]


def test_verse_keeps_its_lines(tmp_path, pm):
    prose = ("This is a long line of prose that goes on and on to the usual width of a "
             "hard-wrapped\ntext file so that the wrap width can be measured properly here.\n\n")
    body = prose * 5 + "Whose woods these are\nI think I know.\nHis house is in the village\n\n" + prose
    p = tmp_path / "v.txt"
    p.write_text(body, encoding="utf-8")
    recs = list(extract(p, ExtractOptions(), pm=pm))
    verse = [r for r in recs if r.get("type") == "verse"]
    assert verse and verse[0]["text"] == "Whose woods these are\nI think I know.\nHis house is in the village"


def test_no_headings_gives_parts_not_one_huge_chapter(tmp_path, pm):
    para = " ".join(["word"] * 100) + ".\n\n"
    p = tmp_path / "long.txt"
    p.write_text(para * 150, encoding="utf-8")   # 15,000 words
    _, chs = chapters(p, pm)
    assert [c[0] for c in chs] == ["Part 1", "Part 2", "Part 3"]


def test_empty_and_binary_text(tmp_path, pm):
    p = tmp_path / "blank.txt"
    p.write_text("\n\n   \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        list(extract(p, ExtractOptions(), pm=pm))
    b = tmp_path / "bin.txt"
    b.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="unsupported|unrecognised"):
        list(extract(b, ExtractOptions(), pm=pm))


def test_unsure_language_is_und_with_a_warning(tmp_path, pm, capsys):
    """'is' and 'a' are English and Hungarian stop words alike: too little to
    tell. The book record says 'und' (BCP 47 undetermined), and says why."""
    p = tmp_path / "tiny.txt"
    p.write_text("Hello there. This is a tiny test.\n")
    book, chs = chapters(p, pm)
    assert book["language"] == "und"
    err = capsys.readouterr().err
    assert "tiny.txt: cannot tell the book's language" in err and "--language" in err


def test_short_text_with_clear_stop_words_is_detected(tmp_path, pm, capsys):
    p = tmp_path / "note.txt"
    p.write_text("Bonjour. Il est là, et elle est partie avec le chien.\n")
    book, _ = chapters(p, pm)
    assert book["language"] == "fr"
    assert "cannot tell" not in capsys.readouterr().err


ENCODED = [  # (name, text, how it is stored on disk)
    ("latin-1 French", "Café au lait, naïve façade. Jürgen sagte: 'Grüße'.", "latin-1"),
    ("latin-1 French prose", "Il était une fois, à la fenêtre où l'on voyait le château, un "
                             "garçon naïf qui ne savait pas être sage. Déjà l'été s'achevait.",
     "latin-1"),
    ("cp1252 English curly quotes", "\u201cWell,\u201d she said \u2014 \u2018quite so\u2019\u2026 "
                                    "It\u2019s the end of the day.", "cp1252"),
    ("cp1252 German", "Größe, Übermaß und Fußgänger: schön!", "cp1252"),
    ("cp1252 Spanish", "¿Qué pasó? El niño comió la piña en el año pasado, señor.", "cp1252"),
    ("cp1250 Czech", "Příliš žluťoučký kůň úpěl ďábelské ódy. Tohle je český text.", "cp1250"),
    ("cp1250 Czech short", "Dobrý večer, pane řediteli.", "cp1250"),
    ("cp1250 Polish", "Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.", "cp1250"),
    ("iso-8859-2 Polish", "Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.",
     "iso8859_2"),
    ("cp1250 Hungarian", "Árvíztűrő tükörfúrógép. Ez egy magyar szöveg, és nem is rossz.",
     "cp1250"),
    ("cp1251 Russian", "Привет, как дела? Это русский текст, и он довольно длинный.", "cp1251"),
    ("UTF-16 LE with BOM", "Café naïve — «Bonjour» 書", "utf-16"),
    ("UTF-16 BE with BOM", "Café naïve — «Bonjour» 書", "BOM+utf-16-be"),
    ("UTF-8 with BOM", "Café naïve — «Bonjour» 書", "utf-8-sig"),
]


@pytest.mark.parametrize("name, text, enc", ENCODED, ids=[c[0] for c in ENCODED])
def test_encoding_is_detected_right(name, text, enc):
    import codecs
    from pathlib import Path
    from plugins.txt import decode_text
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be") if enc == "BOM+utf-16-be" \
        else text.encode(enc)
    assert decode_text(data, Path("x.txt")) == text


def test_latin1_book_is_read_as_latin1_not_central_european(tmp_path, pm):
    """The attack input of F7: 'naïve' came out as 'naďve' (cp1250 chosen)."""
    p = tmp_path / "latin1.txt"
    p.write_bytes("Chapter One\n\nCafé au lait, naïve façade. Jürgen sagte: 'Grüße'.\n\n"
                  "The end of the story.\n".encode("latin-1"))
    _, chs = chapters(p, pm)
    text = " ".join(b for ch in chs for b in ch[1:])
    assert "naïve façade" in text and "Grüße" in text and "ď" not in text


def test_declared_gutenberg_language_decides_the_code_page():
    from e2a_extract.encoding import latin_family
    body = "Title: X\nLanguage: Czech\n\nDobrý den. ".encode("cp1250") + bytes([0xEF]) * 3
    assert latin_family(body) == "cp1250"
    body = "Title: X\nLanguage: French\n\nBon. ".encode("cp1252") + bytes([0xEF]) * 3
    assert latin_family(body) == "cp1252"
