"""Batched synthesis for Coqui VITS models (the GPU speed path), on a tiny
randomly initialised VITS built here and loaded through the user path (a local
model folder), with the noise scales at 0 so that audio is deterministic.

Skipped when Coqui TTS is not installed (pip install -e '.[coqui]')."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

needs_coqui = pytest.mark.skipif(importlib.util.find_spec("TTS") is None,
                                 reason="Coqui TTS is not installed (pip install -e '.[coqui]')")

if importlib.util.find_spec("TTS") is not None:
    from test_engine_coqui import coqui, engines_with_coqui, fake_xtts_folder, speaker_wav  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]

TEXTS = ["Hello there.",
         "Hello there, this is a much longer sentence than the first one, isn't it?",
         "Mid length text, here.",
         "A"]


def build_tiny_vits(folder: Path, *, use_sdp: bool = True, seed: int = 0) -> Path:
    """A 0.4 M-parameter VITS with random weights and no sampling noise: the
    same text always gives the same samples."""
    from vits import build_random_vits
    return build_random_vits(folder, use_sdp=use_sdp, quiet=True, seed=seed)


@pytest.fixture(scope="module")
def quiet_vits(tmp_path_factory, coqui):
    return build_tiny_vits(tmp_path_factory.mktemp("quiet_vits"))


@pytest.fixture
def voice(coqui, quiet_vits):
    v = coqui.CoquiEngine().load_voice(str(quiet_vits))
    yield v
    v.close()


# ------------------------------------------------------------ the voice
@needs_coqui
def test_batch_equals_one_at_a_time(voice):
    """Lengths are equal and samples agree to float32 rounding. Measured
    difference: ~4e-8 (the batched matrix products and the padded attention
    add in another order); 1e-5 is 300x that and far below one 16-bit FLAC step
    (3e-5), so the written files are the same."""
    assert voice.batch_size == 8 and voice.batch_model() is not None
    alone = [voice.synthesize(t) for t in TEXTS]
    batched = voice.synthesize_batch(TEXTS)
    assert [len(a) for a in batched] == [len(a) for a in alone]
    assert len({len(a) for a in alone}) == len(TEXTS)          # really different lengths
    for a, b in zip(alone, batched):
        assert b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)
    # order follows the input, not the lengths
    rev = voice.synthesize_batch(TEXTS[::-1])
    for a, b in zip(alone[::-1], rev):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)
    assert voice.synthesize_batch([]) == []
    np.testing.assert_allclose(voice.synthesize_batch([TEXTS[0]])[0], alone[0], atol=1e-5)


@needs_coqui
def test_unmasked_decoder_changes_the_tail(voice):
    """Why plugins.coqui masks the decoder: without it the HiFi-GAN decoder of
    a batch sees what its layers made of the padding frames, and the last few
    hundred samples of every shorter text differ from the text spoken alone."""
    import torch
    voice.synthesize("warm up")
    model = voice.batch_model()
    ids = [model.tokenizer.text_to_ids(t) for t in TEXTS[:2]]
    x = torch.zeros(2, max(map(len, ids)), dtype=torch.long)
    for i, s in enumerate(ids):
        x[i, :len(s)] = torch.tensor(s)
    out = model.inference(x, aux_input={"x_lengths": torch.tensor([len(s) for s in ids])})
    hop = out["model_outputs"].shape[-1] // out["y_mask"].shape[-1]
    short = out["model_outputs"][0, 0, : int(out["y_mask"][0].sum()) * hop].numpy()
    alone = model.inference(torch.tensor([ids[0]]))["model_outputs"][0, 0].numpy()
    assert len(short) == len(alone)
    diff = np.abs(short - alone)
    assert diff[: len(alone) // 2].max() < 1e-5      # the start is the same...
    assert diff[-hop:].max() > 1e-3                  # ...the tail is not


@needs_coqui
def test_batch_with_sdp_off_and_a_resampled_rate(coqui, tmp_path):
    """A second model shape (deterministic duration predictor) and a voice whose
    model rate differs from its declared rate (the resample runs per text)."""
    folder = build_tiny_vits(tmp_path / "m", use_sdp=False, seed=3)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["audio"]["output_sample_rate"] = 16000         # what the voice declares
    (folder / "config.json").write_text(json.dumps(cfg))
    v = coqui.CoquiEngine().load_voice(str(folder))
    assert v.sample_rate == 16000
    alone = [v.synthesize(t) for t in TEXTS[:3]]
    batched = v.synthesize_batch(TEXTS[:3])
    assert v._native_rate == 22050
    assert [len(a) for a in batched] == [len(a) for a in alone]
    for a, b in zip(alone, batched):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)


@needs_coqui
def test_batch_with_speakers_and_languages(coqui, tmp_path):
    """A multi-speaker, multilingual VITS (speaker and language embeddings, like
    YourTTS or VCTK): the speaker id and language id of --set speaker / the
    language reach every text of the batch."""
    import torch
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    folder = tmp_path / "multi"
    folder.mkdir()
    (folder / "speakers.json").write_text(json.dumps({"ann": 0, "bob": 1}))
    (folder / "language_ids.json").write_text(json.dumps({"en": 0, "fr": 1}))
    torch.manual_seed(1)
    args = VitsArgs(hidden_channels=32, hidden_channels_ffn_text_encoder=64,
                    num_heads_text_encoder=2, num_layers_text_encoder=2,
                    num_layers_posterior_encoder=2, num_layers_flow=2,
                    resblock_type_decoder="2", resblock_kernel_sizes_decoder=[3],
                    resblock_dilation_sizes_decoder=[[1, 3]],
                    upsample_initial_channel_decoder=32, use_sdp=True, init_discriminator=False,
                    inference_noise_scale=0.0, inference_noise_scale_dp=0.0,
                    use_speaker_embedding=True, speaker_embedding_channels=16,
                    speakers_file=str(folder / "speakers.json"),
                    use_language_embedding=True, embedded_language_dim=4,
                    language_ids_file=str(folder / "language_ids.json"))
    config = VitsConfig(model_args=args, text_cleaner="multilingual_cleaners",
                        use_phonemes=False, add_blank=True)
    config.audio.sample_rate = 22050
    model = Vits(config)
    torch.save({"model": model.state_dict(), "config": model.config.to_dict()},
               folder / "model.pth")
    model.config.save_json(str(folder / "config.json"))

    texts = ["Bonjour.", "Une phrase bien plus longue que la premi\u00e8re, voil\u00e0.",
             "Trois mots ici."]
    v = coqui.CoquiEngine().load_voice(str(folder), language="fr", settings={"speaker": "bob"})
    assert v.multilingual and v.batch_model() is not None
    alone = [v.synthesize(t) for t in texts]
    batched = v.synthesize_batch(texts)
    assert [len(a) for a in batched] == [len(a) for a in alone]
    for a, b in zip(alone, batched):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)
    # another speaker and language give other audio (the ids really reach the model)
    other = coqui.CoquiEngine().load_voice(str(folder), language="en",
                                           settings={"speaker": "ann"}).synthesize_batch(texts)
    assert any(len(a) != len(b) or np.abs(a - b).max() > 1e-3 for a, b in zip(other, batched))


@needs_coqui
def test_models_that_cannot_batch_speak_one_at_a_time(coqui, voice, tmp_path, monkeypatch):
    # XTTS v2 (autoregressive GPT): declared unbatchable from its config, no weights needed
    wav = speaker_wav(tmp_path)
    xtts = coqui.CoquiEngine().load_voice(str(fake_xtts_folder(tmp_path)), language="fr",
                                          settings={"speaker_wav": str(wav)})
    assert xtts.batch_size == 1 and xtts.batch_model() is None
    calls = []

    class Recorder:
        class synthesizer:
            output_sample_rate = 24000

        def tts(self, **kw):
            calls.append(kw["text"])
            return [0.1] * (100 * len(kw["text"])) + [0.0] * 10

    xtts._tts, xtts._native_rate = Recorder(), 24000
    out = xtts.synthesize_batch(["Bonjour.", "Au revoir, mes amis."])
    assert calls == ["Bonjour.", "Au revoir, mes amis."]
    assert [len(a) for a in out] == [800, 2000]

    # a model class e2a does not know (here: a Vits subclass with its own synthesize)
    voice.synthesize("warm up")
    from TTS.tts.models.vits import Vits

    class OtherVits(Vits):
        def synthesize(self, *a, **kw):
            return super().synthesize(*a, **kw)

    model = voice._tts.synthesizer.tts_model
    monkeypatch.setattr(model, "__class__", OtherVits)
    assert voice.batch_model() is None
    seen = []
    real = type(voice).synthesize
    monkeypatch.setattr(type(voice), "synthesize", lambda self, t: seen.append(t) or real(self, t))
    out = voice.synthesize_batch(TEXTS[:2])
    assert seen == TEXTS[:2] and len(out) == 2
    monkeypatch.undo()
    # a separate vocoder: not batched either
    voice._tts.synthesizer.vocoder_model = object()
    assert voice.batch_model() is None
    voice._tts.synthesizer.vocoder_model = None
    assert voice.batch_model() is not None


@needs_coqui
def test_catalogue_says_which_models_batch(coqui, tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "cache"))
    rows = {v.name: v.description for v in coqui.CoquiEngine().catalogue("en")}
    assert rows["tts_models/en/ljspeech/vits"] == "vits, batched"
    assert rows[coqui.XTTS_V2] == "xtts_v2"
    assert rows["tts_models/en/ljspeech/tacotron2-DDC"] == "tacotron2-DDC"


# ------------------------------------------------------------ e2a-speak
def sentences(texts):
    return [{"kind": "book", "title": "T", "language": "en"}] + [
        {"kind": "sentence", "id": f"s{i}", "chapter": 0, "position": i, "text": t,
         "original": t, "pause": "sentence", "language": "en"}
        for i, t in enumerate(texts)]


BOOK = ["One fox.", "Two foxes ran away into the dark wood.", "Three.",
        "One fox.",                      # the same text again: spoken once
        "Four foxes, five foxes, and six foxes sat down.", "Seven?", "Eight foxes at last."]


def _count_batches(monkeypatch, coqui):
    calls = []
    real = coqui.CoquiVoice.synthesize_batch

    def recording(self, texts):
        calls.append(list(texts))
        return real(self, texts)

    monkeypatch.setattr(coqui.CoquiVoice, "synthesize_batch", recording)
    return calls


@needs_coqui
def test_speak_in_batches_resumes_and_matches_one_at_a_time(tmp_path, coqui, quiet_vits,
                                                             engines_with_coqui, monkeypatch):
    from e2a_common.audio import verify_flac
    from e2a_speak import speak

    calls = _count_batches(monkeypatch, coqui)
    w = tmp_path / "batched"
    out = list(speak(sentences(BOOK), w, engine="coqui", voice=str(quiet_vits), batch_size=3,
                     progress=False))
    assert [r["kind"] for r in out] == ["book", "audio"] + ["spoken"] * len(BOOK)
    spoken = out[2:]
    assert [r["id"] for r in spoken] == [f"s{i}" for i in range(len(BOOK))]
    assert spoken[0]["audio"] == spoken[3]["audio"]
    # 6 distinct texts in batches of at most 3 (2 unless the machine stalls for
    # half a second between two sentences), in input order
    assert [t for c in calls for t in c] == [t for i, t in enumerate(BOOK) if i != 3]
    assert max(len(c) for c in calls) == 3 and len(calls) <= 3
    for r in spoken:
        info = verify_flac(w / r["audio"])
        assert info and info.duration == pytest.approx(r["duration"], abs=1e-6)

    # the same FLACs (names: the cache key is unchanged; samples) as one at a time
    one = tmp_path / "single"
    before = len(calls)
    single = list(speak(sentences(BOOK), one, engine="coqui", voice=str(quiet_vits),
                        progress=False))
    assert len(calls) == before                  # batch_size 1 on CPU: no batch call
    assert [r["audio"] for r in single[2:]] == [r["audio"] for r in spoken]
    for r in spoken:
        a, _ = sf.read(w / r["audio"], dtype="int16")
        b, _ = sf.read(one / r["audio"], dtype="int16")
        assert len(a) == len(b) and np.abs(a.astype(int) - b).max() <= 1

    # a rerun speaks nothing
    calls.clear()
    again = list(speak(sentences(BOOK), w, engine="coqui", voice=str(quiet_vits), batch_size=3,
                       progress=False))
    assert again == out and calls == []

    # lost files (and a truncated one) are spoken again, only those
    (w / spoken[1]["audio"]).unlink()
    (w / spoken[5]["audio"]).unlink()
    data = (w / spoken[6]["audio"]).read_bytes()
    (w / spoken[6]["audio"]).write_bytes(data[: len(data) // 2])
    redo = list(speak(sentences(BOOK), w, engine="coqui", voice=str(quiet_vits), batch_size=3,
                      progress=False))
    assert redo == out
    assert [t for c in calls for t in c] == [BOOK[1], BOOK[5], BOOK[6]]
    assert len(calls[0]) > 1


@needs_coqui
def test_a_failing_batch_is_spoken_one_at_a_time(tmp_path, coqui, quiet_vits,
                                                 engines_with_coqui, monkeypatch, capsys):
    from e2a_common.errors import EngineError
    from e2a_speak import speak

    def broken(self, texts):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(coqui.CoquiVoice, "synthesize_batch", broken)
    out = list(speak(sentences(BOOK[:3]), tmp_path / "a", engine="coqui",
                     voice=str(quiet_vits), batch_size=4, progress=False))
    assert [r["id"] for r in out if r["kind"] == "spoken"] == ["s0", "s1", "s2"]
    assert "batch synthesis failed (RuntimeError: CUDA out of memory)" in capsys.readouterr().err
    # then a sentence that fails alone is named
    real = coqui.CoquiVoice.synthesize

    def fails_on_two(self, text):
        if text.startswith("Two"):
            raise RuntimeError("bad text")
        return real(self, text)

    monkeypatch.setattr(coqui.CoquiVoice, "synthesize", fails_on_two)
    with pytest.raises(EngineError, match="sentence s1: synthesis failed: RuntimeError: bad text"):
        list(speak(sentences(BOOK[:3]), tmp_path / "b", engine="coqui", voice=str(quiet_vits),
                   batch_size=4, progress=False))
    # the sentence before it was written, and no partial file stands anywhere
    files = list((tmp_path / "b").rglob("*.flac"))
    assert files and all(".part" not in f.name for f in files)


@needs_coqui
def test_slow_input_does_not_hold_back_a_partial_batch(tmp_path, coqui, quiet_vits,
                                                       engines_with_coqui):
    """Sentences that trickle in (a pipe) are spoken after half a second
    without waiting for a full batch or for the end of the input."""
    from e2a_speak import speak

    first_out = threading.Event()

    def trickle():
        recs = sentences(BOOK[:3])
        yield from recs[:2]                      # book + one sentence, then the input stalls
        assert first_out.wait(timeout=30), "the first sentence waited for the input"
        yield from recs[2:]

    got = []
    for rec in speak(trickle(), tmp_path, engine="coqui", voice=str(quiet_vits), batch_size=8,
                     progress=False):
        got.append(rec)
        if rec["kind"] == "spoken":
            first_out.set()
    assert [r["id"] for r in got if r["kind"] == "spoken"] == ["s0", "s1", "s2"]


@needs_coqui
def test_batch_size_choice(coqui, quiet_vits, engines_with_coqui):
    from e2a_speak import pick_batch_size

    v = coqui.CoquiEngine().load_voice(str(quiet_vits))
    plan = SimpleNamespace(voice=v, gpu=False, engine=coqui.CoquiEngine(), voice_name="q")
    assert pick_batch_size(plan, None, None) == 1            # CPU: one at a time unless asked
    assert pick_batch_size(plan, None, 5) == 5
    plan.gpu = True
    assert pick_batch_size(plan, None, None) == 8            # GPU: the voice's batch size
    assert pick_batch_size(plan, 2, None) == 1               # GPU with -j 2: workers, no batches
    assert pick_batch_size(plan, None, 2) == 2


def test_batch_size_with_a_voice_that_cannot_batch(tmp_path, capsys):
    """espeak-ng speaks one sentence at a time: --batch-size is ignored with a
    warning, and the sentences are spoken as usual."""
    import plugins.espeak
    from e2a_common.plugins import new_plugin_manager, set_plugin_manager
    from e2a_speak import speak

    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(plugins.espeak, name="espeak-ng")
    set_plugin_manager(pm)
    try:
        out = list(speak(sentences(["One.", "Two."]), tmp_path, engine="espeak-ng",
                         voice="en-us", batch_size=4, progress=False))
    finally:
        set_plugin_manager(None)
    assert [r["id"] for r in out if r["kind"] == "spoken"] == ["s0", "s1"]
    assert "speaks one sentence at a time (it cannot batch); ignoring --batch-size" \
        in capsys.readouterr().err


def test_bad_batch_size_is_refused(tmp_path):
    from e2a_common.errors import EngineError
    from e2a_speak import speak

    for bad in (0, -2, 1.5, True):
        with pytest.raises(EngineError, match="--batch-size"):
            list(speak([], tmp_path, engine="espeak-ng", batch_size=bad))
    with pytest.raises(EngineError, match="give only one of them"):
        list(speak([], tmp_path, engine="espeak-ng", batch_size=2, workers=2))


@pytest.mark.parametrize("argv", [["-m", "e2a_speak", "-w", "W", "--batch-size", "0"],
                                  ["-m", "e2a_speak", "-w", "W", "--batch-size", "-3"],
                                  ["-m", "e2a_speak", "-w", "W", "--batch-size", "2", "-j", "2"],
                                  ["-c", "from e2a.cli import main; main()", "pipeline", "book.epub",
                                   "--batch-size", "0"]])
def test_cli_batch_size_usage_errors(tmp_path, argv):
    argv = [a if a != "W" else str(tmp_path / "w") for a in argv]
    res = subprocess.run([sys.executable, *argv], input="", capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "E2A_PLUGINS": "espeak-ng"}, timeout=120)
    assert res.returncode == 2, res.stderr
    assert "--batch-size" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""
    assert not (tmp_path / "w").exists()


@needs_coqui
def test_pipeline_passes_batch_size_to_speak(tmp_path, sample_book, quiet_vits):
    """`e2a pipeline --batch-size 3` speaks a chapter in batches (the log says
    so) and binds it (that batched and unbatched runs share their files is
    tested on e2a-speak above)."""
    from helpers import ffprobe, flac_state, run

    env = {"E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    w = tmp_path / "w"
    r = run(["e2a", "pipeline", sample_book, "--engine", "coqui", "--voice", quiet_vits,
             "--batch-size", "3", "--chapters", "0", "--workdir", w, "--keep-workdir",
             "-o", tmp_path / "b.m4b"], env=env)
    assert "coqui: 3 sentences per batch, one model" in r.stderr
    assert len(ffprobe(tmp_path / "b.m4b")["chapters"]) == 1
    assert len(flac_state(w)) > 3
