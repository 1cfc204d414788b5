"""The web interface's server side without a browser: uploads, the chapter
plan from the real extractor, the chapter selection reaching the pipeline, the
voice preview with the real Piper voice, the sessions table, the command line."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from e2a import gui as G
from e2a import jobs as J

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "aesop.epub"


@pytest.fixture
def backend(e2a_home, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-upload"))
    m = J.JobManager(e2a_home)
    return G.Backend(m, home=e2a_home, max_upload_bytes=1024 * 1024)


def _upload(tmp_path, name, data):
    # what Gradio hands over: a temporary copy of the upload
    p = tmp_path / "gradio-upload"
    p.mkdir(exist_ok=True)
    f = p / "upload.bin"
    f.write_bytes(data)
    return f


def test_upload_is_stored_in_ebooks_under_a_safe_name(backend, tmp_path, e2a_home):
    data = SAMPLE.read_bytes()
    tmp = _upload(tmp_path, "x", data)
    name = backend.store_upload(tmp, "../../../etc/Aesop's fables.epub")
    assert name == "Aesop_s fables.epub"
    assert (e2a_home / "ebooks" / name).read_bytes() == data
    assert not tmp.exists()                   # Gradio's copy is not kept
    # the same content again: stored once; other content, same name: a new name
    assert backend.store_upload(_upload(tmp_path, "x", data), "../../../etc/Aesop's fables.epub") == name
    assert backend.store_upload(_upload(tmp_path, "x", data + b"x"), "Aesop's fables.epub") == \
        "Aesop_s fables (2).epub"
    assert backend.list_ebooks() == ["Aesop_s fables (2).epub", "Aesop_s fables.epub"]
    assert not list((e2a_home / "ebooks").glob(".*"))   # no partial files left


def test_a_file_outside_the_upload_cache_is_never_removed(backend, tmp_path, e2a_home):
    # the page's API can be called directly: a path that is not Gradio's upload
    # copy (here: an audiobook) is read at most, never moved or deleted
    book = e2a_home / "audiobooks" / "precious.m4b"
    book.parent.mkdir()
    book.write_bytes(b"audio")
    with pytest.raises(G.GuiError, match="not an ebook"):
        backend.store_upload(book, "precious.m4b")
    assert book.read_bytes() == b"audio"
    other = tmp_path / "elsewhere.epub"
    other.write_bytes(SAMPLE.read_bytes())
    assert backend.store_upload(other, "elsewhere.epub") == "elsewhere.epub"
    assert other.exists()


@pytest.mark.parametrize("name, data, message", [
    ("big.epub", b"x" * (1024 * 1024 + 1), "over the upload limit of 1 MB"),
    ("empty.epub", b"", "the file is empty"),
    ("script.sh", b"#!/bin/sh\n", "not an ebook file type"),
])
def test_bad_uploads_are_refused_with_a_clear_message(backend, tmp_path, e2a_home, name, data, message):
    tmp = _upload(tmp_path, name, data)
    with pytest.raises(G.GuiError, match=message):
        backend.store_upload(tmp, name)
    assert not tmp.exists()
    assert backend.list_ebooks() == []


@pytest.mark.parametrize("name", ["../secret.epub", "/etc/passwd", "..", "", "sub/book.epub",
                                  ".hidden.epub", "missing.epub"])
def test_ebook_path_never_leaves_the_ebooks_folder(backend, e2a_home, name):
    (e2a_home / "secret.epub").write_bytes(b"x")
    (e2a_home / "ebooks" / "sub").mkdir(parents=True)
    (e2a_home / "ebooks" / "sub" / "book.epub").write_bytes(b"x")
    (e2a_home / "ebooks" / ".hidden.epub").write_bytes(b"x")
    with pytest.raises(G.GuiError):
        backend.ebook_path(name)


def test_symlink_out_of_the_ebooks_folder_is_refused(backend, e2a_home, tmp_path):
    (e2a_home / "ebooks").mkdir()
    (tmp_path / "outside.epub").write_bytes(SAMPLE.read_bytes())
    (e2a_home / "ebooks" / "link.epub").symlink_to(tmp_path / "outside.epub")
    with pytest.raises(G.GuiError):
        backend.ebook_path("link.epub")


def test_plan_of_the_sample_book(backend, e2a_home):
    (e2a_home / "ebooks").mkdir()
    (e2a_home / "ebooks" / "aesop.epub").write_bytes(SAMPLE.read_bytes())
    plan = backend.plan("aesop.epub")
    assert plan["title"] == "Three Fables of Aesop" and plan["language"] == "en"
    assert [(c["title"], c["role"]) for c in plan["chapters"]][-3:] == [
        ("The Fox and the Grapes", "body"), ("The Tortoise and the Hare", "body"),
        ("The Crow and the Pitcher", "body")]
    assert all(c["words"] > 0 for c in plan["chapters"])
    assert plan["preview_text"].startswith("One hot summer's day a Fox")


def test_start_passes_the_chapter_selection_to_the_pipeline(backend, e2a_home):
    (e2a_home / "ebooks").mkdir()
    (e2a_home / "ebooks" / "aesop.epub").write_bytes(SAMPLE.read_bytes())
    plan = backend.plan("aesop.epub")
    body = [c["index"] for c in plan["chapters"] if c["role"] == "body"]
    # default selection: no extract options at all (the pipeline's defaults)
    a = backend.start("aesop.epub", body, "en", "piper", "", "m4b")
    assert "extract" not in a.options and a.options["language"] == "en"
    # one fable unticked: exactly the others are read, numbered as in the plan
    b = backend.start("aesop.epub", body[:2], "en", "piper", "", "m4b")
    assert b.options["extract"] == {"keep_front_matter": True, "chapters": body[:2]}
    import e2a_extract
    recs = list(e2a_extract.extract(Path(b.book), {**b.options["extract"], "no_cover": True}))
    assert [r["title"] for r in recs if r["kind"] == "chapter"] == [
        "The Fox and the Grapes", "The Tortoise and the Hare"]
    assert b.id != a.id and Path(b.output).name == "Three Fables of Aesop (2).m4b"
    with pytest.raises(G.GuiError, match="at least one chapter"):
        backend.start("aesop.epub", [], "en", "piper", "", "m4b")
    with pytest.raises(G.GuiError):
        backend.start("../aesop.epub", body, "en", "piper", "", "m4b")


@pytest.mark.parametrize("engine, voice, language, fmt, message", [
    ("nope", "", "en", "m4b", "unknown engine"),
    ("piper", "/etc/passwd", "en", "m4b", "no voice"),
    ("piper", "", "en'; rm -rf /", "m4b", "not a language code"),
    ("piper", "", "en", "exe", "unknown output format"),
])
def test_only_offered_choices_are_accepted(backend, e2a_home, engine, voice, language, fmt, message):
    (e2a_home / "ebooks").mkdir()
    (e2a_home / "ebooks" / "aesop.epub").write_bytes(SAMPLE.read_bytes())
    with pytest.raises(G.GuiError, match=message):
        backend.start("aesop.epub", [2, 3, 4], language, engine, voice, fmt)
    if fmt == "m4b":
        with pytest.raises(G.GuiError, match=message):
            backend.preview(engine, voice, language, "Hello.")
    assert backend.manager.jobs() == []
    # what the page offers is accepted
    assert backend.checked_choices("piper", "en_US-joe-medium", "eng", "m4b") == ("piper", "en_US-joe-medium", "en")


def test_engines_formats_and_voices_come_from_the_plugins(backend):
    assert backend.engines()[0] == "piper"
    assert backend.formats()[0] == "m4b"
    voices = backend.voices("piper", "en")
    assert voices[0] == ("default for the language", "")
    assert any(v == "en_US-joe-medium" for _, v in voices)
    assert backend.voices("no-such-engine", "en") == [("default for the language", "")]
    assert backend.engine_for("en") == "piper"
    if "espeak-ng" in backend.engines():        # no French Piper voice is installed here
        assert backend.engine_for("fr") == "espeak-ng"


@pytest.mark.slow
def test_preview_speaks_with_the_real_voice(backend):
    rate, samples = backend.preview("piper", "", "en", "The quick brown fox jumps over the lazy dog.")
    assert rate == 22050 and samples.dtype.name == "int16"
    assert 1.0 < len(samples) / rate < 6.0
    assert abs(samples).max() > 1000              # not silence
    with pytest.raises(G.GuiError):
        backend.preview("piper", "", "en", "   ")


def test_sessions_table_escapes_what_it_shows():
    rows = [{"session": "s1", "title": "<script>alert(1)</script>", "status": "failed", "stage": "speak",
             "done": 3, "total": 10, "audio_seconds": 12.0, "chapter": None, "eta_seconds": None,
             "output": None, "error": "book.epub: <b>bad</b>", "updated": "2026-01-01T00:00:00+00:00"},
            {"session": "s2", "title": "T", "status": "running", "stage": "speak", "done": 5, "total": 10,
             "audio_seconds": 75.0, "chapter": "Chapter <1>", "eta_seconds": 30, "output": None,
             "error": None, "updated": None}]
    html = G.render_sessions(rows)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>bad" not in html
    assert "data-session='s1' data-status='failed'" in html
    assert "running (speaking)" in html and "Chapter &lt;1&gt;" in html
    assert "5/10 sentences (50%) · 1:15 of audio · ETA 0:30" in html
    assert "<progress max='10' value='5'>" in html
    assert "No sessions yet" in G.render_sessions([])


@pytest.mark.parametrize("value, ok", [("me:pw", ("me", "pw")), ("me:p:w", ("me", "p:w")),
                                       (None, None), ("", None)])
def test_parse_auth(value, ok):
    assert G.parse_auth(value) == ok


@pytest.mark.parametrize("value", ["nocolon", ":pw", "me:"])
def test_parse_auth_refuses_half_logins(value):
    with pytest.raises(G.InputError):
        G.parse_auth(value)


def test_theme_uses_system_fonts_only():
    pytest.importorskip("gradio")
    import gradio as gr
    theme = G.theme()
    fonts = list(theme._font) + list(theme._font_mono)
    assert not any(isinstance(f, gr.themes.GoogleFont) for f in fonts)
    assert "fonts.googleapis" not in theme._get_theme_css()


def _e2a(*args, **kw):
    return subprocess.run([sys.executable, "-c", "import sys; from e2a.cli import main; main(sys.argv[1:])",
                        *args], capture_output=True, text=True, timeout=120, **kw)


def test_cli_gui_help():
    p = _e2a("gui", "--help")
    assert p.returncode == 0
    for opt in ("--host", "--port", "--auth", "--max-jobs", "--max-upload-mb", "127.0.0.1", "7860"):
        assert opt in p.stdout


def test_cli_gui_bad_auth_is_one_line_exit_1(e2a_home):
    p = _e2a("gui", "--auth", "justauser")
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0 and "USER:PASSWORD" in p.stderr
    assert "Traceback" not in p.stderr


def test_cli_gui_port_in_use_is_one_line_exit_1(e2a_home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = _e2a("gui", "--port", str(port))
    assert p.returncode == 1, p.stderr
    assert f"127.0.0.1:{port}" in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0
