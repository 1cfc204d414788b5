"""The espeak-ng engine plugin, for real (the espeak-ng program must be installed)."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from e2a_common.errors import EngineError
from plugins import espeak

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def engine():
    return espeak.EspeakEngine()


def test_every_language_listed(engine):
    langs = engine.languages
    assert {"en", "fr", "de", "es", "it", "ru", "pl"} <= set(langs)
    assert len(langs) > 60
    assert not any(v.description.endswith("(mb/") for v in engine.list_voices())
    fr = engine.list_voices("fr")
    assert fr and all(v.language.startswith("fr") and v.installed for v in fr)


@pytest.mark.parametrize("lang, expected", [("fr", "fr-fr"), ("fr-FR", "fr-fr"),
                                            ("fr_BE", "fr-be"), ("en", "en-us"),
                                            ("en-GB", "en-gb"), ("de", "de"),
                                            ("zh", "cmn"), ("no", "nb")])
def test_language_to_voice(engine, lang, expected):
    assert engine.load_voice(language=lang).language == expected


def test_voice_by_name_file_and_variant(engine):
    assert engine.load_voice("fr-be").language == "fr-be"
    v = engine.load_voice("roa/fr+f3")
    assert v.identity.endswith("/roa/fr+f3") and v.name == "fr-fr+f3"
    assert engine.load_voice("French_(France)").language == "fr-fr"
    with pytest.raises(EngineError, match="no voice 'no-such-voice'"):
        engine.load_voice("no-such-voice")
    with pytest.raises(EngineError, match="no voice for language 'xx'"):
        engine.load_voice(language="xx")


def test_french_speech_is_deterministic_audio(engine):
    v = engine.load_voice(language="fr")
    a = v.synthesize("Bonjour, je m'appelle Renard. « Drôle » de journée !")
    b = v.synthesize("Bonjour, je m'appelle Renard. « Drôle » de journée !")
    assert a.dtype == np.float32 and a.ndim == 1
    assert 1.5 < len(a) / v.sample_rate < 8
    assert np.abs(a).max() > 0.1
    assert np.array_equal(a, b)


def test_text_that_looks_like_options_is_spoken(engine):
    v = engine.load_voice(language="en")
    assert len(v.synthesize("--help -v fr")) > v.sample_rate * 0.3


def test_settings_are_validated_and_change_audio(engine):
    slow = engine.load_voice(language="en", settings={"speed": 100})
    fast = engine.load_voice(language="en", settings={"speed": 300})
    text = "The quick brown fox jumps over the lazy dog."
    assert len(slow.synthesize(text)) > 1.5 * len(fast.synthesize(text))
    assert slow.settings != fast.settings
    with pytest.raises(EngineError, match="unknown setting"):
        engine.load_voice(language="en", settings={"sped": 100})
    with pytest.raises(EngineError, match="out of range"):
        engine.load_voice(language="en", settings={"speed": 5})


def test_gpu_is_refused(engine):
    with pytest.raises(EngineError, match="--gpu: espeak-ng runs on the CPU only"):
        engine.load_voice(language="en", gpu=True)


def test_parse_wav_rejects_garbage():
    with pytest.raises(EngineError, match="did not write a WAV"):
        espeak.parse_wav(b"not a wav at all")


# ------------------------------------------------------------ library mode
needs_lib = pytest.mark.skipif(espeak.library_path() is None, reason="libespeak-ng not found")

TEXTS = ["Bonjour, je m'appelle Renard. « Drôle » de journée !",
         "It is a truth universally acknowledged, that a single man must be in want of a wife.",
         "Say [[h@'loU]] twice.", "Ünïcödé ☃ 123 456.", "A\0B nul inside.", "x"]


@needs_lib
@pytest.mark.parametrize("spec, lang, settings", [
    (None, "en", {}), ("roa/fr+f3", None, {}),
    (None, "fr", {"speed": 300, "pitch": 20, "amplitude": 150, "word_gap": 5}), (None, "de", {})])
def test_library_mode_is_the_program_sample_for_sample(engine, spec, lang, settings):
    """The helper forks per sentence, so what was spoken before never changes a
    sentence (libespeak-ng alone carries state from call to call): the same
    samples as the espeak-ng program, in any order, twice over."""
    v = engine.load_voice(spec, language=lang, settings=settings)
    try:
        assert v.mode == "library"
        order = TEXTS + TEXTS[::-1]
        lib = [v.synthesize_pcm16(t) for t in order]
        prog = [v._run_program(t.replace("\0", " ")) for t in order]
        for t, a, b in zip(order, lib, prog):
            assert a.dtype == np.int16 and a.size > 1000, t
            assert np.array_equal(a, b), t
        assert np.array_equal(v.synthesize(TEXTS[0]), lib[0].astype(np.float32) / 32768.0)
    finally:
        v.close()


@needs_lib
def test_a_dead_helper_falls_back_to_the_program(engine):
    v = engine.load_voice(language="en")
    first = v.synthesize_pcm16("The helper is alive.")
    helper = v._helper
    helper.proc.kill()
    helper.proc.wait()
    again = v.synthesize_pcm16("The helper is alive.")     # no error: the program speaks it
    assert np.array_equal(first, again) and v.mode == "program"
    v.close()


@needs_lib
def test_helper_ends_with_its_voice_and_with_its_parent(engine, tmp_path):
    import subprocess
    import sys
    import time
    v = engine.load_voice(language="en")
    v.synthesize_pcm16("hello")
    proc = v._helper.proc
    v.close()
    assert proc.poll() is not None
    # a parent killed outright: the helper sees its input close and leaves
    code = ("import sys; sys.path.insert(0, '.'); from plugins import espeak; "
            "v = espeak.EspeakEngine().load_voice(language='en'); v.synthesize_pcm16('hi'); "
            "print(v._helper.proc.pid, flush=True); import time; time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(") ")[1][0] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the espeak-ng helper outlived its parent")


def test_program_mode_by_environment(engine, monkeypatch):
    monkeypatch.setenv("E2A_ESPEAK", "program")
    v = engine.load_voice(language="en")
    assert v.mode == "program"
    assert v.synthesize_pcm16("Plain program.").size > 1000
    v.close()
