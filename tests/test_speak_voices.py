"""Voices: listing installed and fetchable ones, fetching a Piper voice into the
cache from a local HTTP server laid out like Piper's voice repository, and the
errors when offline or when a download is corrupt."""
from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest

import plugins.espeak as espeak_plugin
import plugins.piper as piper_plugin
from e2a import voices
from e2a_common.errors import EngineError
from e2a_common.plugins import new_plugin_manager, set_plugin_manager
from e2a_common.workdir import is_partial
from e2a_speak import speak

NAME = "fr_FR-renard-medium"


@pytest.fixture(autouse=True)
def engines(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("E2A_VOICES", raising=False)
    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(piper_plugin, name="piper")
    if shutil.which("espeak-ng"):
        pm.register(espeak_plugin, name="espeak-ng")
    set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(None)


def make_repository(root: Path) -> Path:
    """voices.json plus one voice, at the paths Piper's repository uses."""
    model, cfg = piper_plugin.bundled_voice()
    folder = root / "fr" / "fr_FR" / "renard" / "medium"
    folder.mkdir(parents=True)
    shutil.copy(model, folder / f"{NAME}.onnx")
    config = json.loads(Path(cfg).read_text())
    config["espeak"]["voice"] = "fr"
    config["language"] = {"code": "fr_FR", "family": "fr", "region": "FR"}
    (folder / f"{NAME}.onnx.json").write_text(json.dumps(config))
    files = {}
    for p in folder.iterdir():
        data = p.read_bytes()
        files[str(p.relative_to(root))] = {"size_bytes": len(data),
                                           "md5_digest": hashlib.md5(data).hexdigest()}
    catalogue = {NAME: {"key": NAME, "name": "renard", "quality": "medium",
                        "language": {"code": "fr_FR", "family": "fr"}, "files": files},
                 "de_DE-nobody-low": {"key": "de_DE-nobody-low", "quality": "low",
                                      "language": {"code": "de_DE", "family": "de"},
                                      "files": {}}}
    (root / "voices.json").write_text(json.dumps(catalogue))
    return folder


@contextlib.contextmanager
def serve(root: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def test_list_installed_and_fetchable(tmp_path, monkeypatch):
    make_repository(tmp_path / "repo")
    with serve(tmp_path / "repo") as url:
        monkeypatch.setenv("E2A_PIPER_VOICES_URL", url)
        rows, warnings = voices.list_voices(language="fr")
    assert warnings == []
    piper_rows = [r for r in rows if r["engine"] == "piper"]
    assert [(r["name"], r["installed"], r["fetchable"]) for r in piper_rows] == \
        [(NAME, False, True)]
    if shutil.which("espeak-ng"):
        assert any(r["engine"] == "espeak-ng" and r["installed"] for r in rows)
    assert all(r["language"].startswith("fr") for r in rows)
    table = voices.format_table(rows)
    assert NAME in table and "fetchable" in table
    # the bundled voice is listed as installed for English
    en, _ = voices.list_voices(engine="piper", language="en", fetchable=False)
    assert [(r["name"], r["installed"]) for r in en] == [("en_US-joe-medium", True)]


def test_download_into_the_cache_then_speak_by_name(tmp_path, monkeypatch):
    make_repository(tmp_path / "repo")
    with serve(tmp_path / "repo") as url:
        monkeypatch.setenv("E2A_PIPER_VOICES_URL", url)
        model, cfg = voices.download("piper", NAME)
    cache = tmp_path / "cache" / "e2a" / "voices" / "piper"
    assert model == cache / f"{NAME}.onnx" and cfg == cache / f"{NAME}.onnx.json"
    assert model.stat().st_size == (tmp_path / "repo" / "fr/fr_FR/renard/medium" /
                                    f"{NAME}.onnx").stat().st_size
    assert not [p for p in cache.iterdir() if is_partial(p)]
    # offline now: the voice is installed, listing falls back to the cached catalogue
    monkeypatch.setenv("E2A_PIPER_VOICES_URL", closed_port_url())
    rows, warnings = voices.list_voices(engine="piper", language="fr")
    assert [(r["name"], r["installed"]) for r in rows] == [(NAME, True)]
    assert warnings == []
    recs = [{"kind": "book", "title": "T", "language": "fr"},
            {"kind": "sentence", "id": "s0", "chapter": 0, "position": 0, "pause": "none",
             "text": "Bonjour, maître renard.", "original": "", "language": "fr"}]
    out = list(speak(recs, tmp_path / "w", voice=NAME, progress=False, workers=1))
    assert [(r["engine"], r["voice"]) for r in out if r["kind"] == "audio"] == [("piper", NAME)]
    assert out[-1]["duration"] > 0.5


def test_speaking_with_an_absent_voice_fetches_it(tmp_path, monkeypatch):
    make_repository(tmp_path / "repo")
    recs = [{"kind": "sentence", "id": "s0", "chapter": 0, "position": 0, "pause": "none",
             "text": "Bonjour.", "original": "", "language": "fr"}]
    with serve(tmp_path / "repo") as url:
        monkeypatch.setenv("E2A_PIPER_VOICES_URL", url)
        out = list(speak(recs, tmp_path / "w", voice=NAME, progress=False, workers=1))
    assert out[0]["voice"] == NAME
    assert (tmp_path / "cache" / "e2a" / "voices" / "piper" / f"{NAME}.onnx").is_file()


def test_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("E2A_PIPER_VOICES_URL", closed_port_url())
    with pytest.raises(EngineError, match=r"piper: cannot fetch the voice list from http://127\.0\.0\.1:\d+ \(offline\?"):
        voices.download("piper", NAME)
    recs = [{"kind": "sentence", "id": "s0", "chapter": 0, "position": 0, "pause": "none",
             "text": "Bonjour.", "original": "", "language": "fr"}]
    with pytest.raises(EngineError, match=f"voice '{NAME}' is not installed and cannot be fetched"):
        list(speak(recs, tmp_path / "w", voice=NAME, progress=False))
    rows, warnings = voices.list_voices(engine="piper")
    assert [r["name"] for r in rows] == ["en_US-joe-medium"]       # installed ones still listed
    assert len(warnings) == 1 and "offline?" in warnings[0]


def test_corrupt_or_missing_download_leaves_nothing(tmp_path, monkeypatch):
    folder = make_repository(tmp_path / "repo")
    data = (folder / f"{NAME}.onnx").read_bytes()
    (folder / f"{NAME}.onnx").write_bytes(data[:1000] + b"\0" * (len(data) - 1000))
    cache = tmp_path / "cache" / "e2a" / "voices" / "piper"
    with serve(tmp_path / "repo") as url:
        monkeypatch.setenv("E2A_PIPER_VOICES_URL", url)
        with pytest.raises(EngineError, match="corrupt"):
            voices.download("piper", NAME)
        assert not (cache / f"{NAME}.onnx").exists()
        assert not [p for p in cache.iterdir() if is_partial(p)]
        with pytest.raises(EngineError, match="cannot download .*de_DE-nobody-low.onnx: HTTP 404"):
            voices.download("piper", "de_DE-nobody-low")      # listed, but the file is missing
        with pytest.raises(EngineError, match="no voice 'it_IT-nobody-low' in the catalogue"):
            voices.download("piper", "it_IT-nobody-low")
        with pytest.raises(EngineError, match="not a Piper voice name"):
            voices.download("piper", "../../etc/passwd")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_has_nothing_to_download():
    with pytest.raises(EngineError, match="installed with the engine"):
        voices.download("espeak-ng", "fr")
