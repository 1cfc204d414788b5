"""e2a-speak edge cases found by attacking it: unknown language codes, unknown
engine names."""
import json
import subprocess
import sys

from e2a_speak import _normalize_language


def test_undetermined_language_codes_mean_unknown():
    for code in ("und", "zxx", "mul", "und-Latn", None, ""):
        assert _normalize_language(code) is None
    assert _normalize_language("fra") == "fr"


def _speak(args, lines):
    return subprocess.run([sys.executable, "-m", "e2a_speak", *args],
                          input="".join(json.dumps(l) + "\n" for l in lines),
                          capture_output=True, text=True, timeout=300)


def test_book_in_undetermined_language_is_spoken_with_the_default_voice(tmp_path):
    lines = [{"kind": "book", "title": "T", "language": "und"},
             {"kind": "sentence", "id": "c0000-s00000", "chapter": 0, "position": 0,
              "text": "Hello there.", "original": "Hello there.", "pause": "chapter"}]
    p = _speak(["--workdir", str(tmp_path / "w")], lines)
    assert p.returncode == 0, p.stderr
    assert "language is unknown" in p.stderr and "--language" in p.stderr
    out = [json.loads(l) for l in p.stdout.splitlines()]
    assert [r["kind"] for r in out] == ["book", "audio", "spoken"]
    assert out[1]["engine"] == "piper"


def test_unknown_engine_fails_before_writing_any_record(tmp_path):
    p = _speak(["--workdir", str(tmp_path / "w"), "--engine", "nosuch"],
               [{"kind": "book", "title": "T"}])
    assert p.returncode == 2 and p.stdout == ""
    assert "unknown engine 'nosuch'" in p.stderr


def test_sentence_without_id_or_chapter_is_refused_with_its_line(tmp_path):
    base = {"kind": "sentence", "id": "c0000-s00000", "chapter": 0, "position": 0,
            "text": "Hi.", "original": "Hi.", "pause": "chapter"}
    for drop, msg in (("id", "has no id"), ("chapter", "has no chapter number")):
        bad = {k: v for k, v in base.items() if k != drop}
        p = _speak(["--workdir", str(tmp_path / "w"), "--engine", "espeak-ng"],
                   [{"kind": "book", "title": "T", "language": "en"}, bad])
        assert p.returncode == 1
        assert f"<stdin>:2: sentence record {msg}" in p.stderr and "Traceback" not in p.stderr
