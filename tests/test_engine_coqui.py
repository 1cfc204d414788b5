"""The Coqui engine plugin with a tiny randomly initialised VITS built here and
loaded through the same code path users use (a local model folder), plus the
XTTS v2 wiring as far as it goes without the real weights.

Skipped when Coqui TTS is not installed (pip install -e '.[coqui]' in the e2a source folder)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytestmark = pytest.mark.skipif(importlib.util.find_spec("TTS") is None,
                                reason="Coqui TTS is not installed (pip install -e '.[coqui]' in the e2a source folder)")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def coqui():
    import plugins.coqui as coqui
    coqui.import_tts()
    return coqui


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory, coqui):
    """A 0.4 M-parameter VITS with random weights: speaks noise, of the right length."""
    from vits import build_random_vits
    return build_random_vits(tmp_path_factory.mktemp("tiny_vits"))


@pytest.fixture
def engines_with_coqui(coqui):
    import plugins.espeak
    import plugins.piper
    from e2a_common.plugins import new_plugin_manager, set_plugin_manager
    pm = new_plugin_manager(load_entrypoints=False)
    for name, mod in (("piper", plugins.piper), ("espeak-ng", plugins.espeak),
                      ("coqui", coqui)):
        pm.register(mod, name=name)
    set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(None)


def test_tiny_vits_loads_by_path_and_speaks(coqui, tiny_vits):
    engine = coqui.CoquiEngine()
    voice = engine.load_voice(str(tiny_vits))
    assert voice.sample_rate == 22050 and voice.name == tiny_vits.name
    assert voice.identity.startswith(f"{tiny_vits.name}@")
    short = voice.synthesize("Hello there.")
    long = voice.synthesize("Hello there, this is a much longer sentence than the first one.")
    assert short.dtype == np.float32 and np.isfinite(short).all()
    assert len(short) > 0.1 * 22050 and len(long) > 0.1 * 22050
    assert short[-1] != 0 and long[-1] != 0  # the Synthesizer's 10,000-sample pad is removed
    assert np.abs(long).max() > 0.01        # noise from random weights, not silence
    # the checkpoint given directly works too, and is the same voice
    assert engine.load_voice(str(tiny_vits / "model.pth")).identity == voice.identity


def test_tiny_vits_through_speak(tmp_path, tiny_vits, engines_with_coqui):
    from e2a_common.audio import verify_flac
    from e2a_speak import speak

    recs = [{"kind": "book", "title": "T", "language": "en"}] + [
        {"kind": "sentence", "id": f"s{i}", "chapter": 0, "position": i, "text": t,
         "original": t, "pause": "sentence", "language": "en"}
        for i, t in enumerate(["One fox.", "Two foxes ran away."])]
    out = list(speak(recs, tmp_path, engine="coqui", voice=str(tiny_vits), sample_rate=24000,
                     progress=False))
    assert [r["kind"] for r in out] == ["book", "audio", "spoken", "spoken"]
    assert out[1]["engine"] == "coqui" and out[1]["sample_rate"] == 24000
    for r in out[2:]:
        info = verify_flac(tmp_path / r["audio"])
        assert info.sample_rate == 24000 and info.duration == pytest.approx(r["duration"])
    again = list(speak(recs, tmp_path, engine="coqui", voice=str(tiny_vits), sample_rate=24000,
                       progress=False))
    assert again == out


def test_cli_with_tiny_vits(tmp_path, tiny_vits):
    line = json.dumps({"kind": "sentence", "id": "s0", "chapter": 0, "position": 0,
                       "text": "A tiny model.", "original": "", "pause": "none",
                       "language": "en"})
    res = subprocess.run([sys.executable, "-m", "e2a_speak", "-w", str(tmp_path), "-e", "coqui",
                          "-v", str(tiny_vits)], input=line + "\n", capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "E2A_PLUGINS": "coqui"})
    assert res.returncode == 0, res.stderr
    spoken = json.loads(res.stdout.splitlines()[-1])
    assert sf.info(tmp_path / spoken["audio"]).samplerate == 22050


def test_local_model_errors(coqui, tmp_path):
    engine = coqui.CoquiEngine()
    from e2a_common.errors import E2AError
    with pytest.raises(E2AError, match="Coqui model not found"):
        engine.load_voice(str(tmp_path / "missing"))
    (tmp_path / "m").mkdir()
    with pytest.raises(E2AError, match="config.json is missing"):
        engine.load_voice(str(tmp_path / "m"))
    (tmp_path / "m" / "config.json").write_text("{")
    with pytest.raises(E2AError, match="not a Coqui model config"):
        engine.load_voice(str(tmp_path / "m"))
    (tmp_path / "m" / "config.json").write_text('{"model": "vits", "audio": {}}')
    with pytest.raises(E2AError, match="no checkpoint"):
        engine.load_voice(str(tmp_path / "m"))
    (tmp_path / "m" / "model.pth").write_bytes(b"garbage")
    voice = engine.load_voice(str(tmp_path / "m"))
    with pytest.raises(E2AError, match="cannot load Coqui model"):
        voice.synthesize("hello")


def test_unknown_model_name_and_offline_download(coqui, tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "cache"))
    engine = coqui.CoquiEngine()
    from e2a_common.errors import EngineError
    with pytest.raises(EngineError, match="unknown model 'tts_models/xx/nothing/vits'"):
        engine.load_voice("tts_models/xx/nothing/vits")
    # a catalogue model that is not downloaded: a clear error here (no network)
    if os.environ.get("E2A_ONLINE") != "1":
        with pytest.raises(EngineError, match=r"cannot download tts_models/en/ljspeech/vits .*offline"):
            engine.load_voice("tts_models/en/ljspeech/vits")


def test_catalogue_lists_xtts_for_french(coqui, tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "cache"))
    engine = coqui.CoquiEngine()
    cat = engine.catalogue("fr")
    names = {v.name for v in cat}
    assert coqui.XTTS_V2 in names
    assert any(n.startswith("tts_models/fr/") for n in names)
    assert "tts_models/de/thorsten/vits" not in names
    assert not any(v.installed for v in cat) and engine.list_voices("fr") == []
    assert coqui.XTTS_V2 not in {v.name for v in engine.catalogue("sv")}
    # a model present in the cache is installed
    folder = engine.model_folder("tts_models/fr/css10/vits")
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    assert [v.name for v in engine.list_voices("fr")] == ["tts_models/fr/css10/vits"]


# -------------------------------------------------------------- XTTS wiring
def fake_xtts_folder(tmp_path: Path) -> Path:
    """An XTTS v2 folder laid out like the real one, with the real config class's
    defaults but a placeholder checkpoint (the 1.8 GB weights cannot be fetched here)."""
    from TTS.tts.configs.xtts_config import XttsConfig
    folder = tmp_path / "xtts_v2"
    folder.mkdir()
    XttsConfig().save_json(str(folder / "config.json"))
    (folder / "model.pth").write_bytes(b"placeholder")
    (folder / "vocab.json").write_text("{}")
    return folder


def speaker_wav(tmp_path: Path, name="me.wav", seconds=1.0) -> Path:
    t = np.arange(int(22050 * seconds)) / 22050
    sf.write(tmp_path / name, 0.3 * np.sin(2 * np.pi * 220 * t), 22050)
    return tmp_path / name


def test_xtts_needs_a_speaker_and_a_language_it_speaks(coqui, tmp_path):
    from e2a_common.errors import E2AError
    engine = coqui.CoquiEngine()
    folder = fake_xtts_folder(tmp_path)
    with pytest.raises(E2AError, match="XTTS needs a voice to clone: --speaker-wav"):
        engine.load_voice(str(folder), language="fr")
    wav = speaker_wav(tmp_path)
    with pytest.raises(E2AError, match="XTTS v2 does not speak 'sv'"):
        engine.load_voice(str(folder), language="sv", settings={"speaker_wav": str(wav)})
    with pytest.raises(E2AError, match="nope.wav: speaker WAV not found"):
        engine.load_voice(str(folder), language="fr", settings={"speaker_wav": str(tmp_path / "nope.wav")})
    (tmp_path / "bad.wav").write_bytes(b"RIFFjunk")
    with pytest.raises(E2AError, match="bad.wav: speaker WAV is not readable audio"):
        engine.load_voice(str(folder), language="fr", settings={"speaker_wav": str(tmp_path / "bad.wav")})
    v = engine.load_voice(str(folder), language="fr-FR", settings={"speaker_wav": str(wav)})
    assert v.xtts and v.language == "fr" and v.sample_rate == 24000
    zh = engine.load_voice(str(folder), language="zh", settings={"speaker_wav": str(wav)})
    assert zh.language == "zh-cn"


def test_xtts_cache_key_covers_the_speaker_recording(coqui, tmp_path):
    engine = coqui.CoquiEngine()
    folder = fake_xtts_folder(tmp_path)
    a = speaker_wav(tmp_path, "a.wav", 1.0)
    b = speaker_wav(tmp_path, "b.wav", 1.5)
    va = engine.load_voice(str(folder), language="fr", settings={"speaker_wav": str(a)})
    vb = engine.load_voice(str(folder), language="fr", settings={"speaker_wav": str(b)})
    ven = engine.load_voice(str(folder), language="en", settings={"speaker_wav": str(a)})
    assert va.identity == vb.identity
    assert len({json.dumps(v.settings, sort_keys=True) for v in (va, vb, ven)}) == 3
    # the recording's content counts, not its name
    a2 = tmp_path / "copy.wav"
    a2.write_bytes(a.read_bytes())
    va2 = engine.load_voice(str(folder), language="fr", settings={"speaker_wav": str(a2)})
    assert va2.settings == va.settings


def test_xtts_synthesize_passes_speaker_wav_and_language(coqui, tmp_path):
    """Wiring only (the real XTTS weights are not available offline): the loaded
    model is replaced by a recorder; what reaches TTS.tts() is checked."""
    engine = coqui.CoquiEngine()
    folder = fake_xtts_folder(tmp_path)
    wav = speaker_wav(tmp_path)
    v = engine.load_voice(str(folder), language="de",
                          settings={"speaker_wav": str(wav), "temperature": 0.6})
    calls = []

    class Recorder:
        class synthesizer:
            output_sample_rate = 24000

        def tts(self, **kw):
            calls.append(kw)
            return [0.1] * 2400 + [0.0] * 10000

    v._tts, v._native_rate = Recorder(), 24000
    audio = v.synthesize("Guten Tag.")
    assert calls == [{"text": "Guten Tag.", "split_sentences": False, "language": "de",
                      "speaker_wav": str(wav), "temperature": 0.6}]
    assert len(audio) == 2400                       # trailing pad removed
    with pytest.raises(Exception, match="cannot load Coqui model"):
        engine.load_voice(str(folder), language="de",
                          settings={"speaker_wav": str(wav)}).synthesize("x")


def test_gpu_refused_without_cuda(coqui):
    import torch
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    from e2a_common.errors import EngineError
    with pytest.raises(EngineError, match="--gpu: torch .* sees no CUDA GPU"):
        coqui.CoquiEngine().load_voice("/nonexistent", gpu=True)
