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


@needs_lib
def test_a_helper_that_dies_while_it_answers_never_gives_cut_audio(engine):
    """A helper killed (OOM killer, kill -9, Ctrl-C) while it writes a reply leaves
    fewer bytes than its header announced: that is a dead helper, never a shorter
    sentence (a cut FLAC under a final name would be reused on every resume)."""
    import subprocess
    import sys
    v = engine.load_voice(language="en")
    try:
        text = "This sentence must come out whole."
        whole = v._run_program(text)
        # a stand-in helper: announces 100000 bytes of audio, sends 1000, dies
        fake = ("import sys, struct; sys.stdin.buffer.read(4); "
                "sys.stdout.buffer.write(b'A' + struct.pack('<I', 100000) + bytes(1000))")
        helper = espeak._Helper.__new__(espeak._Helper)
        helper.proc = subprocess.Popen([sys.executable, "-c", fake], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE)
        with pytest.raises(EngineError, match="helper"):
            helper.speak(text)
        helper.close()
        helper.proc = subprocess.Popen([sys.executable, "-c", fake], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE)
        with v._lock:
            v._helper = helper
        got = v.synthesize_pcm16(text)          # the program speaks it, whole
        assert np.array_equal(got, whole) and v.mode == "program"
    finally:
        v.close()


@needs_lib
def test_a_sentence_that_crashes_espeak_keeps_library_mode(engine):
    """espeak-ng 1.51 crashes (SIGSEGV) on a long [[phoneme]] string. Library and
    program must agree on such a sentence (same error, or same audio), and the
    sentences after it are still spoken by the helper: one bad sentence must not
    turn the rest of the book over to the (twice as costly) program."""
    v = engine.load_voice(language="en")
    try:
        assert v.mode == "library"
        bad = "[[" + "a" * 1000 + "]]"
        results = []
        for fn in (v._run_program, v.synthesize_pcm16):
            try:
                results.append(fn(bad))
            except EngineError as exc:
                results.append(str(exc))
        if isinstance(results[0], str):
            assert results[1] == results[0]
        else:
            assert np.array_equal(results[0], results[1])
        assert v.mode == "library"
        helper = v._helper
        ok = v.synthesize_pcm16("And on we go.")
        assert v._helper is helper and np.array_equal(ok, v._run_program("And on we go."))
    finally:
        v.close()


@needs_lib
def test_an_interrupted_exchange_never_hands_one_sentence_the_audio_of_another(engine):
    """Ctrl-C (KeyboardInterrupt) between sending a sentence and reading its audio:
    a caller that goes on (inline synthesis in a GUI or a notebook) must get the
    audio of its next sentence, not the late reply to the interrupted one."""
    v = engine.load_voice(language="en")
    try:
        v.synthesize_pcm16("Warm up.")
        real = v._helper.proc.stdout

        class InterruptOnce:
            fired = False

            def read(self, n):
                if not self.fired:
                    self.fired = True
                    raise KeyboardInterrupt
                return real.read(n)

            def close(self):
                real.close()

        v._helper.proc.stdout = InterruptOnce()
        with pytest.raises(KeyboardInterrupt):
            v.synthesize_pcm16("The interrupted sentence, which is rather long, is this one.")
        nxt = v.synthesize_pcm16("Next.")
        assert np.array_equal(nxt, v._run_program("Next."))
    finally:
        v.close()


@needs_lib
def test_a_helper_killed_mid_book_warns_once_and_the_audio_stays_the_same(engine, capsys,
                                                                          monkeypatch):
    import os
    import signal
    from e2a_common import console
    monkeypatch.setattr(console, "_quiet", False)   # another test may have run a CLI with -q
    v = engine.load_voice(language="en")
    try:
        texts = [f"Sentence {i} of a book." for i in range(4)]
        before = [v.synthesize_pcm16(t) for t in texts]
        os.kill(v._helper.proc.pid, signal.SIGKILL)
        after = [v.synthesize_pcm16(t) for t in texts]
        assert all(np.array_equal(a, b) for a, b in zip(before, after))
        err = capsys.readouterr().err
        assert err.count("warning:") == 1 and "helper process died" in err, err
        assert "espeak-ng program" in err and v.mode == "program"
    finally:
        v.close()


@needs_lib
def test_ctrl_c_is_for_the_parent_not_the_helper(engine, capsys):
    """Ctrl-C in a terminal sends SIGINT to every process of the foreground group,
    helpers and their forked children included. The parent handles it (as the
    worker processes leave it to the parent); a helper killed by it would turn
    the in-flight sentences over to the program with a misleading warning."""
    import os
    import signal
    import time
    v = engine.load_voice(language="en")
    try:
        first = v.synthesize_pcm16("Before the interrupt.")
        helper = v._helper
        os.kill(helper.proc.pid, signal.SIGINT)
        time.sleep(0.3)
        assert helper.proc.poll() is None
        assert np.array_equal(v.synthesize_pcm16("Before the interrupt."), first)
        assert v._helper is helper and "warning" not in capsys.readouterr().err
    finally:
        v.close()


def test_a_lone_surrogate_is_an_engine_error_in_both_modes(engine, monkeypatch):
    """Library callers (the GUI, scripts) may hand over any str; one that no UTF-8
    can carry is a clear EngineError, not a UnicodeEncodeError from deep inside."""
    for mode in ("", "program"):
        monkeypatch.setenv("E2A_ESPEAK", mode)
        v = engine.load_voice(language="en")
        try:
            with pytest.raises(EngineError, match=r"lone surrogate \\ud800"):
                v.synthesize_pcm16("Hello \ud800 there.")
            with pytest.raises(EngineError, match="lone surrogate"):
                v.synthesize("x\udfff")
            assert v.synthesize_pcm16("Still fine \U0001F600.").size > 1000
        finally:
            v.close()


def test_empty_text_is_no_audio_in_both_modes(engine, monkeypatch):
    """The program writes nothing at all for empty input (not even a WAV header),
    and libespeak-ng made 154 samples of silence: the two modes must agree, and
    'did not write a WAV stream' is no answer to an empty string."""
    for mode in ("", "program"):
        monkeypatch.setenv("E2A_ESPEAK", mode)
        v = engine.load_voice(language="en")
        try:
            got = v.synthesize_pcm16("")
            assert got.dtype == np.int16 and got.size == 0, mode
            assert v.synthesize("").size == 0
        finally:
            v.close()


def test_a_mistyped_e2a_espeak_is_an_error(engine, monkeypatch):
    monkeypatch.setenv("E2A_ESPEAK", "progam")
    with pytest.raises(EngineError, match=r"E2A_ESPEAK='progam': expected library or program"):
        engine.load_voice(language="en")


@needs_lib
@pytest.mark.parametrize("script, why", [
    ("import time; time.sleep(120)", "no answer"),                # hangs: timed out
    ("print('READY twenty-two-k 1.51', flush=True)", "READY"),    # garbage rate
    ("print('READY 22050 0.0', flush=True)", "READY"),            # another version
])
def test_an_unusable_helper_means_the_program_speaks(engine, monkeypatch, tmp_path, script, why):
    fake = tmp_path / "espeak_zygote.py"
    fake.write_text(script + "\n")
    monkeypatch.setattr(espeak, "__file__", str(tmp_path / "espeak.py"))
    monkeypatch.setattr(espeak, "STARTUP_TIMEOUT_S", 1.0)
    v = engine.load_voice(language="en")
    import time
    t0 = time.monotonic()
    with pytest.raises(EngineError, match=why):
        espeak._Helper(v)
    assert time.monotonic() - t0 < 20          # never waits on a helper that hangs
    a = v.synthesize_pcm16("Still spoken.")
    assert v.mode == "program" and a.size > 1000
    assert np.array_equal(a, v._run_program("Still spoken."))
    v.close()
