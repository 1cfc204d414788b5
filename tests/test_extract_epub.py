"""e2a-extract on small EPUBs built in the test, and on the corpus when present."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2a_common import ExtractOptions, InputError
from e2a_common.plugins import new_plugin_manager
from e2a_extract import extract, plan
from e2a_extract.epubmaker import PNG_1PX, Doc, make_epub

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("E2A_CORPUS") or ROOT.parent / "shared" / "corpus")


@pytest.fixture()
def pm():
    import plugins.epub
    m = new_plugin_manager(load_entrypoints=False)
    m.register(plugins.epub, name="epub")
    return m


def run(path, pm, **opts):
    return list(extract(path, ExtractOptions(**opts), pm=pm))


def chapters_of(records):
    out = []
    for r in records:
        if r["kind"] == "chapter":
            out.append((r["title"], []))
        elif r["kind"] == "block":
            out[-1][1].append((r["type"], r["text"]))
    return out


def basic_docs():
    return [
        Doc("title.xhtml", '<section epub:type="titlepage"><h1>Test Book</h1><p>Ann Author</p></section>',
            toc="Title Page", body_type="frontmatter"),
        Doc("c1.xhtml", "<h1>The   First\n Chapter</h1><p>It  was a\n\tdark night.</p>"
            "<p>Second <em>paragraph</em> here.</p>", toc="Chapter One"),
        Doc("c2.xhtml", "<h2>Two</h2><p>More text.</p>", toc="Chapter Two"),
    ]


def test_epub3_records_in_order_with_metadata_and_cover(tmp_path, pm):
    book = make_epub(tmp_path / "b.epub", basic_docs(), cover=PNG_1PX,
                     extra_meta="<dc:publisher>Pub</dc:publisher><dc:date>1851</dc:date>"
                                "<dc:identifier>urn:isbn:9780142437247</dc:identifier>")
    assets = tmp_path / "assets"
    recs = run(book, pm, assets_dir=assets)
    assert [r["kind"] for r in recs][:2] == ["book", "chapter"]
    b = recs[0]
    assert b["title"] == "Test Book" and b["authors"] == ["Ann Author"]
    assert b["language"] == "en" and b["publisher"] == "Pub" and b["date"] == "1851"
    assert b["identifiers"] == {"uuid": "12345678-1234-1234-1234-123456789abc",
                                "isbn": "9780142437247"}
    assert b["source"] == str(book) and len(b["book_hash"]) == 16
    cover = Path(b["cover"])
    assert cover.is_absolute() and cover.parent == assets.resolve()
    assert cover.read_bytes() == PNG_1PX
    chs = chapters_of(recs)
    # the title page is front matter: skipped; chapter titles from the nav
    assert [t for t, _ in chs] == ["Chapter One", "Chapter Two"]
    assert chs[0][1] == [("heading", "The First Chapter"), ("paragraph", "It was a dark night."),
                         ("paragraph", "Second paragraph here.")]
    # chapter and block indices
    cidx = [r["index"] for r in recs if r["kind"] == "chapter"]
    assert cidx == [0, 1]
    assert [r["index"] for r in recs if r["kind"] == "block" and r["chapter"] == 0] == [0, 1, 2]


def test_front_matter_kept_on_request(tmp_path, pm):
    book = make_epub(tmp_path / "b.epub", basic_docs())
    chs = chapters_of(run(book, pm, keep_front_matter=True))
    assert [t for t, _ in chs] == ["Title Page", "Chapter One", "Chapter Two"]
    recs = run(book, pm, keep_front_matter=True)
    roles = [r["role"] for r in recs if r["kind"] == "chapter"]
    assert roles == ["front", "body", "body"]


def test_epub2_ncx_titles(tmp_path, pm):
    book = make_epub(tmp_path / "b.epub", basic_docs(), version=2, cover=PNG_1PX)
    recs = run(book, pm, assets_dir=tmp_path / "a")
    assert [t for t, _ in chapters_of(recs)] == ["Chapter One", "Chapter Two"]
    assert Path(recs[0]["cover"]).read_bytes() == PNG_1PX


def test_nav_in_spine_is_never_read(tmp_path, pm):
    book = make_epub(tmp_path / "b.epub", basic_docs(), nav_in_spine=True)
    text = " ".join(r.get("text", "") for r in run(book, pm, keep_front_matter=True))
    assert "Contents" not in text and "Chapter Two" not in text   # nav labels
    assert "More text." in text


def test_title_falls_back_to_first_heading(tmp_path, pm):
    docs = [Doc("a.xhtml", "<h1>Alpha</h1><p>One.</p>"), Doc("b.xhtml", "<h1>Beta</h1><p>Two.</p>")]
    book = make_epub(tmp_path / "b.epub", docs, with_toc=False)
    assert [t for t, _ in chapters_of(run(book, pm))] == ["Alpha", "Beta"]


def test_nonlinear_spine_items_are_not_read(tmp_path, pm):
    docs = basic_docs() + [Doc("popup.xhtml", "<p>Popup answer.</p>", linear=False)]
    book = make_epub(tmp_path / "b.epub", docs)
    text = " ".join(r.get("text", "") for r in run(book, pm))
    assert "Popup answer" not in text


def test_multi_file_chapter_and_anchor_chapters(tmp_path, pm):
    docs = [
        Doc("one.xhtml", '<h1 id="a">Part A</h1><p>A text.</p><h1 id="b">Part B</h1><p>B text.</p>'),
        Doc("one-cont.xhtml", "<p>B continues in a second file.</p>"),
        Doc("two.xhtml", "<h1>C</h1><p>C text.</p>"),
    ]
    book = make_epub(tmp_path / "b.epub", docs, nav_entries=[
        ("A", "one.xhtml#a"), ("B", "one.xhtml#b"), ("C", "two.xhtml")])
    chs = chapters_of(run(book, pm))
    assert [t for t, _ in chs] == ["A", "B", "C"]
    assert [x for _, x in chs[1][1]] == ["Part B", "B text.", "B continues in a second file."]


def test_not_a_zip_is_one_clear_error(tmp_path, pm):
    bad = tmp_path / "bad.epub"
    bad.write_bytes(b"this is not a zip file at all" * 10)
    with pytest.raises(InputError) as ei:
        run(bad, pm)
    assert str(bad) in str(ei.value) and "ZIP" in str(ei.value)


def test_empty_file_and_missing_file(tmp_path, pm):
    empty = tmp_path / "empty.epub"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        run(empty, pm)
    with pytest.raises(InputError, match="no such file"):
        run(tmp_path / "nope.epub", pm)


def test_plan_lists_every_chapter(tmp_path, pm):
    book = make_epub(tmp_path / "b.epub", basic_docs())
    rows = plan(book, ExtractOptions(), pm=pm)
    assert [(r["index"], r["title"], r["type"], r["role"]) for r in rows] == [
        (None, "Title Page", "titlepage", "front"), (0, "Chapter One", "chapter", "body"),
        (1, "Chapter Two", "chapter", "body")]
    assert rows[1]["words"] == 11


# ------------------------------------------------------------------ the CLI

def cli(*args, **kw):
    env = dict(os.environ, E2A_PLUGINS="epub")
    return subprocess.run([sys.executable, "-m", "e2a_extract.cli", *map(str, args)],
                          capture_output=True, text=True, env=env, **kw)


def test_cli_streams_jsonl(tmp_path):
    book = make_epub(tmp_path / "b.epub", basic_docs(), cover=PNG_1PX)
    p = cli(book, "--assets-dir", tmp_path / "assets")
    assert p.returncode == 0, p.stderr
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    assert recs[0]["kind"] == "book" and recs[1]["kind"] == "chapter"
    assert recs[0]["cover"] == str((tmp_path / "assets" / "cover.png").resolve())


def test_cli_default_assets_dir_is_the_xdg_cache(tmp_path):
    book = make_epub(tmp_path / "b.epub", basic_docs(), cover=PNG_1PX)
    env = dict(os.environ, E2A_PLUGINS="epub", XDG_CACHE_HOME=str(tmp_path / "cache"))
    p = subprocess.run([sys.executable, "-m", "e2a_extract.cli", str(book)], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0, p.stderr
    b = json.loads(p.stdout.splitlines()[0])
    assert b["cover"] == str(tmp_path / "cache" / "e2a" / "assets" / b["book_hash"] / "cover.png")


def test_cli_error_is_one_line_exit_1(tmp_path):
    bad = tmp_path / "bad.epub"
    bad.write_bytes(b"not a zip" * 20)
    p = cli(bad)
    assert p.returncode == 1
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("e2a-extract: error: ") and str(bad) in lines[0]
    assert "Traceback" not in p.stderr


def test_cli_list(tmp_path):
    book = make_epub(tmp_path / "b.epub", basic_docs())
    p = cli(book, "--list")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["title"] for r in rows] == ["Title Page", "Chapter One", "Chapter Two"]


def test_cli_head_closes_pipe_quietly(tmp_path):
    book = make_epub(tmp_path / "b.epub", basic_docs() * 1)
    p = subprocess.run(f'"{sys.executable}" -m e2a_extract.cli "{book}" | head -1', shell=True,
                       capture_output=True, text=True, env=dict(os.environ, E2A_PLUGINS="epub"))
    assert p.returncode == 0 and "Traceback" not in p.stderr and p.stdout.count("\n") == 1


# ------------------------------------------------------------------ corpus

corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


@pytest.mark.corpus
@corpus
def test_corpus_moby_dick_chapters(pm, tmp_path):
    recs = run(CORPUS / "en_se_melville_moby-dick.epub", pm, assets_dir=tmp_path)
    chs = [r for r in recs if r["kind"] == "chapter"]
    titles = [c["title"] for c in chs]
    assert titles[:4] == ["Dedication", "Etymology", "Extracts", "I: Loomings"]
    assert titles[-1] == "Epilogue"
    assert sum(1 for t in titles if ":" in t) == 135
    assert recs[0]["authors"] == ["Herman Melville"] and recs[0]["language"] == "en-US"
    text = " ".join(r["text"] for r in recs if r["kind"] == "block")
    assert "Table of Contents" not in text and "Uncopyright" not in text
    assert "Call me Ishmael." in text
