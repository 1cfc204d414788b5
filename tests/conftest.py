import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "aesop.epub"


def corpus_dir() -> Path:
    env = os.environ.get("E2A_CORPUS")
    return Path(env) if env else ROOT.parent / "shared" / "corpus"


@pytest.fixture
def corpus():
    d = corpus_dir()
    if not d.is_dir():
        pytest.skip("shared corpus not present")
    return d


@pytest.fixture
def sample_book() -> Path:
    return SAMPLE


@pytest.fixture
def e2a_home(tmp_path, monkeypatch):
    """An isolated E2A_HOME (sessions, audiobooks) per test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("E2A_HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return home


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None
