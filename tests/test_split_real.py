"""e2a-split on real books: the sample EPUB through the real extractor (a
shell pipe), and corpus books in several languages when the corpus is present."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from e2a_common.plugins import new_plugin_manager
from e2a_split import split

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "aesop.epub"


def _corpus() -> Path | None:
    env = os.environ.get("E2A_CORPUS")
    base = Path(env) if env else ROOT.parent / "shared" / "corpus"
    return base if base.is_dir() else None


def _alnum(s: str) -> str:
    return "".join(c for c in s if c.isalnum())



@pytest.mark.skipif(not SAMPLE.exists(), reason="sample book missing")
def test_extract_pipe_split_on_sample_book(tmp_path):
    env = dict(os.environ, E2A_PLUGINS="epub,piper")
    py = sys.executable
    blocks = subprocess.run([py, "-c", "from e2a_extract.cli import main; main()", str(SAMPLE)],
                            capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert blocks.returncode == 0, blocks.stderr
    p = subprocess.run(f'"{py}" -c "from e2a_extract.cli import main; main()" "{SAMPLE}" | '
                       f'"{py}" -c "from e2a_split.cli import main; main()"',
                       shell=True, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    inp = [json.loads(x) for x in blocks.stdout.splitlines()]
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r for r in out if r["kind"] != "sentence"] == [r for r in inp if r["kind"] != "block"]
    sents = [r for r in out if r["kind"] == "sentence"]
    assert _alnum("".join(b["text"] for b in inp if b["kind"] == "block")) == \
        _alnum("".join(s["original"] for s in sents))
    assert all(0 < len(s["text"]) <= 400 for s in sents)  # piper's max_chars
    chapters = [r["index"] for r in inp if r["kind"] == "chapter"]
    for ch in chapters:
        mine = [s for s in sents if s["chapter"] == ch]
        assert mine[0]["pause"] == "heading" and mine[-1]["pause"] == "chapter"
        assert [s["position"] for s in mine] == list(range(len(mine)))


@pytest.mark.corpus
@pytest.mark.parametrize("name,limit", [
    ("fr_degouges_esclavage-des-noirs_epub2_handmade-drama.epub", 200),
    ("de_pandoc_epub2_indesign-style_picture.epub", 120),
    ("ar_idpf_regime-anticancer_rtl.epub", 150),
    ("en_se_frost_north-of-boston_poetry.epub", 300),
])
def test_corpus_books_split_cleanly(name, limit):
    corpus = _corpus()
    if corpus is None or not (corpus / name).exists():
        pytest.skip("corpus not present")
    from e2a_extract import extract
    recs = list(extract(corpus / name))
    out = list(split(iter(recs), max_chars=limit, pm=new_plugin_manager(load_entrypoints=False)))
    sents = [r for r in out if r["kind"] == "sentence"]
    assert sents
    assert _alnum("".join(r["text"] for r in recs if r["kind"] == "block")) == \
        _alnum("".join(s["original"] for s in sents))
    assert all(0 < len(s["text"]) <= limit for s in sents)
    assert not any(re.search(r"\d", s["text"]) for s in sents)
    lang = next(r["language"] for r in recs if r["kind"] == "book")
    assert all(s["language"] == lang for s in sents)
