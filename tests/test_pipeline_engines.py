"""`e2a pipeline` with each engine: espeak-ng, Coqui (a tiny random VITS loaded
through the user path), and a voice change on resume reusing nothing stale."""
import importlib.util
import os

import pytest

from helpers import ffprobe, flac_state, run

SAMPLE_TITLES = ["The Fox and the Grapes", "The Tortoise and the Hare", "The Crow and the Pitcher"]


def _env(tmp_path):
    return {"E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_pipeline_with_espeak_and_a_voice_change_reuses_nothing(tmp_path, sample_book):
    env = _env(tmp_path)
    w = tmp_path / "w"
    base = ["e2a", "pipeline", sample_book, "--engine", "espeak-ng", "--workdir", w, "--keep-workdir"]
    run(base + ["--voice", "en-us", "-o", tmp_path / "us.m4b"], env=env)
    first = flac_state(w)
    assert first
    info = ffprobe(tmp_path / "us.m4b")
    assert [c["tags"]["title"] for c in info["chapters"]] == SAMPLE_TITLES

    r = run(base + ["--voice", "en-gb", "-o", tmp_path / "gb.m4b"], env=env)
    assert "audio of the old voice is not reused" in r.stderr
    second = flac_state(w)
    new = set(second) - set(first)
    assert len(new) == len(first)                     # every sentence spoken again
    assert all(second[k] == v for k, v in first.items())  # old audio untouched, not reused
    info = ffprobe(tmp_path / "gb.m4b")
    assert [c["tags"]["title"] for c in info["chapters"]] == SAMPLE_TITLES


needs_coqui = pytest.mark.skipif(importlib.util.find_spec("TTS") is None,
                                 reason="Coqui TTS is not installed (pip install -e '.[coqui]' in the e2a source folder)")

if importlib.util.find_spec("TTS") is not None:
    from test_engine_coqui import coqui, tiny_vits  # noqa: F401  (fixtures)


@needs_coqui
def test_pipeline_with_coqui_tiny_vits(tmp_path, sample_book, tiny_vits):
    out = tmp_path / "coqui.m4b"
    run(["e2a", "pipeline", sample_book, "--engine", "coqui", "--voice", tiny_vits, "-o", out,
         "--chapters", "0"], env=_env(tmp_path))
    info = ffprobe(out)
    assert [c["tags"]["title"] for c in info["chapters"]] == SAMPLE_TITLES[:1]
    assert float(info["format"]["duration"]) > 1.0


@pytest.mark.corpus
@pytest.mark.parametrize("name,chapters,language", [
    ("en_pg_carroll_alice_epub2.epub", "0-1", "en"),
    ("fr_degouges_esclavage-des-noirs_epub2_handmade-drama.epub", "1", "fr"),
])
def test_pipeline_on_real_corpus_books(tmp_path, corpus, name, chapters, language):
    """Real books written by others, through every stage (espeak-ng keeps it fast):
    the chapters are the table of contents' and the language is the book's."""
    import json
    book = corpus / name
    plan = [json.loads(l) for l in run(["e2a-extract", book, "--list", "--json"]).stdout.splitlines()]
    want = [p["title"] for p in plan if p["index"] is not None]
    lo, _, hi = chapters.partition("-")
    want = want[int(lo):int(hi or lo) + 1]
    out = tmp_path / "book.m4b"
    run(["e2a", "pipeline", book, "--engine", "espeak-ng", "--chapters", chapters, "-o", out],
            env=_env(tmp_path))
    info = ffprobe(out)
    assert [c["tags"]["title"] for c in info["chapters"]] == want
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["tags"]["language"] == {"en": "eng", "fr": "fra"}[language]
    tags = {k.lower(): v for k, v in info["format"]["tags"].items()}
    assert tags["composer"].startswith(language)      # the narrator: an espeak-ng voice of that language


def test_changed_options_are_never_answered_with_old_audio(tmp_path, sample_book):
    """Same session, other chapters: extract again (spoken sentences reused);
    same request again: nothing to do; another voice: converted again."""
    env = _env(tmp_path)
    out = tmp_path / "a.m4b"
    base = ["e2a", "pipeline", sample_book, "--engine", "espeak-ng", "--session", "s", "-o", out]
    run(base + ["--chapters", "0", "--keep-workdir"], env=env)
    assert [c["tags"]["title"] for c in ffprobe(out)["chapters"]] == SAMPLE_TITLES[:1]
    r = run(base + ["--chapters", "2"], env=env)
    assert "chapter selection or text options changed" in r.stderr
    assert [c["tags"]["title"] for c in ffprobe(out)["chapters"]] == SAMPLE_TITLES[2:]
    r = run(base + ["--chapters", "2"], env=env)
    assert "already converted with these options" in r.stderr
    r = run(base + ["--chapters", "2", "--voice", "en-gb"], env=env)
    assert "already converted" not in r.stderr and "wrote" in r.stderr
    assert ffprobe(out)["format"]["tags"]["composer"] == "en-gb"
    assert not list(tmp_path.glob("tmp/proc-*"))   # every workdir removed after success
