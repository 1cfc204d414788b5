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
