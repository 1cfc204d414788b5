"""Does the speech say the text, in the text's language? A Whisper "base" speech
recogniser (tests/asr.py, a dev extra) listens to what e2a made. Thresholds are
low on purpose: the recogniser is small and espeak-ng robotic; what must not
happen is silence, noise, the wrong language or the wrong sentence."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import asr

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "E2A_PLUGINS": "epub,piper,espeak-ng,m4b"}

pytestmark = [pytest.mark.skipif(not asr.available(), reason="faster-whisper not installed"),
              pytest.mark.slow]

ENGLISH = ("The fox saw some fine bunches of grapes hanging from a vine that was trained "
           "along a high trellis.")
FRENCH = ("Bonjour, je m'appelle Renard. Il fait très beau aujourd'hui, et nous allons "
          "nous promener dans la forêt.")


def test_piper_says_the_english_sentence():
    from plugins import piper
    v = piper.PiperEngine().load_voice(None, language="en")
    lang, heard = asr.transcribe(v.synthesize(ENGLISH), v.sample_rate)
    assert lang == "en"
    assert asr.recall(ENGLISH, heard) >= 0.7, heard


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_speaks_french_as_french_and_english_as_english():
    """espeak-ng's French is robotic: the small recogniser hears French (p ~0.45,
    the next language ~0.15) but few of the words, so only the language is
    asserted for French."""
    from plugins import espeak
    eng = espeak.EspeakEngine()
    fr = eng.load_voice(language="fr")
    en = eng.load_voice(language="en")
    try:
        lang, heard, probs = asr.listen(fr.synthesize(FRENCH), fr.sample_rate)
        assert lang == "fr" and probs["fr"] > 2 * probs["en"], (heard, probs["fr"], probs["en"])
        lang, heard = asr.transcribe(en.synthesize(ENGLISH), en.sample_rate)
        assert lang == "en" and asr.recall(ENGLISH, heard) >= 0.5, heard
    finally:
        fr.close()
        en.close()


def test_the_bound_audiobook_says_its_chapters_in_order(tmp_path):
    """The bundled sample through the whole pipeline: the start of each chapter
    of the .m4b is heard saying that chapter's title (the chapters are bound in
    the book's order, under the right marks)."""
    out = tmp_path / "aesop.m4b"
    env = {**ENV, "E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    res = subprocess.run([sys.executable, "-c", "from e2a.cli import main; main()", "pipeline",
                          str(ROOT / "samples" / "aesop.epub"), "--engine", "espeak-ng",
                          "-o", str(out)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json",
                                       str(out)], capture_output=True, text=True).stdout)
    chapters = probe["chapters"]
    assert len(chapters) >= 3
    for ch in chapters:
        title = ch["tags"]["title"]
        start = float(ch["start_time"])
        pcm = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{start:.3f}", "-t", "4", "-i",
                              str(out), "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
                             capture_output=True, check=True).stdout
        lang, heard = asr.transcribe(np.frombuffer(pcm, dtype="<f4"), 16000, language="en")
        assert asr.recall(title, heard) >= 0.5, (title, heard)
