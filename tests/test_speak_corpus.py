"""A French book from the shared corpus becomes French speech: with espeak-ng (the
offline default when no French neural voice is installed) and with a French
Piper voice given by path. Skipped when the corpus is absent."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2a_common.audio import verify_flac

ROOT = Path(__file__).resolve().parents[1]
BOOK = "fr_degouges_esclavage-des-noirs_epub2_handmade-drama.epub"
ENV = {**os.environ, "E2A_PLUGINS": "epub,piper,espeak-ng"}

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                 reason="espeak-ng is not installed")]


def corpus() -> Path:
    env = os.environ.get("E2A_CORPUS")
    return Path(env) if env else ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def french_sentences(tmp_path_factory):
    book = corpus() / BOOK
    if not book.is_file():
        pytest.skip("shared corpus not present")
    extract = subprocess.run([sys.executable, "-c", "from e2a_extract.cli import main; main()",
                              str(book)], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert extract.returncode == 0, extract.stderr
    split = subprocess.run([sys.executable, "-c", "from e2a_split.cli import main; main()"],
                           input=extract.stdout, capture_output=True, text=True, env=ENV,
                           cwd=ROOT)
    assert split.returncode == 0, split.stderr
    recs = [json.loads(line) for line in split.stdout.splitlines()]
    head = []
    n = 0
    for r in recs:                       # the book record, chapters, and the first sentences
        if r["kind"] == "sentence":
            if n >= 4:
                continue
            n += 1
        head.append(r)
    assert n == 4
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in head)


def speak_cli(wd: Path, stdin: str, *args):
    res = subprocess.run([sys.executable, "-m", "e2a_speak", "-w", str(wd), *args],
                         input=stdin, capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()], res.stderr


def test_french_book_with_espeak_by_default(tmp_path, french_sentences, monkeypatch):
    out, err = speak_cli(tmp_path, french_sentences)
    audio = [r for r in out if r["kind"] == "audio"]
    assert [(a["engine"], a["voice"]) for a in audio] == [("espeak-ng", "fr-fr")]
    assert "using espeak-ng" in err
    spoken = [r for r in out if r["kind"] == "spoken"]
    assert len(spoken) == 4 and all(r["language"].startswith("fr") for r in spoken)
    for r in spoken:
        assert verify_flac(tmp_path / r["audio"]).duration == pytest.approx(r["duration"])


def _french_voice(folder: Path) -> Path:
    import plugins.piper as piper_plugin
    model, cfg = piper_plugin.bundled_voice()
    folder.mkdir(parents=True, exist_ok=True)
    name = "fr_FR-renard-medium"
    (folder / f"{name}.onnx").symlink_to(model)
    config = json.loads(Path(cfg).read_text())
    config["espeak"]["voice"] = "fr"
    config["language"] = {"code": "fr_FR", "family": "fr", "region": "FR"}
    (folder / f"{name}.onnx.json").write_text(json.dumps(config))
    return folder / f"{name}.onnx"


def test_french_book_with_a_french_piper_voice_by_path(tmp_path, french_sentences):
    """A French Piper voice given by path (here the bundled model driven by French
    phonemes; a downloaded fr_FR voice is the same pair of files)."""
    voice = _french_voice(tmp_path / "voices")
    out, err = speak_cli(tmp_path / "w", french_sentences, "--voice", str(voice), "-j", "1")
    audio = [r for r in out if r["kind"] == "audio"]
    assert [(a["engine"], a["voice"]) for a in audio] == [("piper", "fr_FR-renard-medium")]
    assert "using espeak-ng" not in err
    spoken = [r for r in out if r["kind"] == "spoken"]
    assert len(spoken) == 4
    for r in spoken:
        info = verify_flac(tmp_path / "w" / r["audio"])
        assert info.sample_rate == 22050 and info.duration > 0.3
