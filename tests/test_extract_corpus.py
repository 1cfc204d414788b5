"""Every corpus book either extracts to the pinned chapter plan or fails with
its pinned one-line message. The golden files were reviewed by hand against
each book's table of contents; regenerate with E2A_UPDATE_GOLDEN=1 and review
the diff."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from e2a_common import E2AError, ExtractOptions
from e2a_common.plugins import new_plugin_manager
from e2a_extract import plan

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("E2A_CORPUS") or ROOT.parent / "shared" / "corpus")
GOLDEN = ROOT / "tests" / "fixtures" / "extract" / "golden"
BUILTIN = ("epub", "txt", "html", "markdown", "fb2", "docx", "odt", "pdf", "mobi")

books = sorted(p for p in CORPUS.glob("*") if p.is_file() and p.suffix.lower() not in (".md", ".tsv")) \
    if CORPUS.is_dir() else []


@pytest.fixture(scope="module")
def pm():
    import importlib
    m = new_plugin_manager(load_entrypoints=False)
    for name in BUILTIN:
        try:
            mod = importlib.import_module(f"plugins.{name}")
        except ImportError:
            continue
        m.register(mod, name=name)
    return m


def snapshot(path: Path, pm) -> dict:
    try:
        rows = plan(path, ExtractOptions(), pm=pm)
    except E2AError as exc:
        return {"error": str(exc).replace(str(path), "<book>")}
    return {"chapters": [[r["index"], r["title"], r["type"], r["role"]] for r in rows],
            "read": sum(1 for r in rows if r["index"] is not None),
            "words_read": sum(r["words"] for r in rows if r["index"] is not None)}


@pytest.mark.corpus
@pytest.mark.skipif(not books, reason="../shared/corpus not present")
@pytest.mark.parametrize("book", books, ids=lambda p: p.name)
def test_corpus_book_matches_golden(book, pm):
    got = snapshot(book, pm)
    gold = GOLDEN / f"{book.name}.json"
    if os.environ.get("E2A_UPDATE_GOLDEN") or not gold.exists():
        gold.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not os.environ.get("E2A_UPDATE_GOLDEN"):
            pytest.fail(f"no golden file yet: wrote {gold.name}; review it and commit it")
    want = json.loads(gold.read_text(encoding="utf-8"))
    if "error" in want:
        assert got == want
        return
    assert got.get("chapters") == want["chapters"]
    # word counts may move a little with text fixes; chapters may not
    assert abs(got["words_read"] - want["words_read"]) <= max(50, want["words_read"] // 100)
