"""examples/Makefile: one target per stage; make resumes at the right stage."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from helpers import ffprobe, flac_state

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")


def _make(tmp_path, *targets):
    args = ["make", "-f", str(ROOT / "examples" / "Makefile"), f"BOOK={SAMPLE}",
            f"W={tmp_path / 'w'}", f"OUT={tmp_path / 'out.m4b'}",
            f"E2A={Path(sys.executable).parent}/", "SPEAK_ARGS=--engine espeak-ng", *targets]
    p = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    return p


def test_makefile_stages_and_resume(tmp_path):
    _make(tmp_path)
    info = ffprobe(tmp_path / "out.m4b")
    assert len(info["chapters"]) == 3
    flacs = flac_state(tmp_path / "w")
    assert flacs

    again = _make(tmp_path)
    assert "e2a-" not in again.stdout          # nothing to redo

    (tmp_path / "w" / "spoken.jsonl").unlink()  # lose the speak stage's output
    redo = _make(tmp_path)
    assert "e2a-speak" in redo.stdout and "e2a-bind" in redo.stdout
    assert "e2a-extract" not in redo.stdout and "e2a-split" not in redo.stdout
    assert flac_state(tmp_path / "w") == flacs   # every sentence was already spoken
