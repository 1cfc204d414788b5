"""espeak-ng: every language it has (~130), robotic but tiny and very fast.

The offline default for a language with no neural voice installed. Voices: a
language code (``fr``, ``fr-be``, ``en-gb``) or an espeak voice file (``roa/fr``),
optionally with a variant (``fr+f3``).

Two ways to run it, giving the same audio sample for sample:

- **library** (default when ``libespeak-ng`` loads): a small helper process
  (plugins/espeak_zygote.py) loads the library and the voice once and forks a
  child per sentence, so every sentence starts from the same pristine state
  (libespeak-ng's wave generator keeps state between calls; a fork does not) —
  about twice as fast as starting the program per sentence;
- **program**: the ``espeak-ng`` program once per sentence, text on stdin, WAV on
  stdout. Used when the library cannot be loaded, when its version differs from
  the program's, or when ``E2A_ESPEAK=program``.
"""
from __future__ import annotations

import ctypes.util
import functools
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path
from dataclasses import dataclass
from typing import Any

import numpy as np

from e2a_common import Engine, EngineError, Voice, VoiceInfo, hookimpl
from e2a_common.console import warn

PROGRAM = "espeak-ng"
SETTINGS = {"speed": 175, "pitch": 50, "amplitude": 100, "word_gap": 0}
LIMITS = {"speed": (80, 500), "pitch": (0, 99), "amplitude": (0, 200), "word_gap": (0, 100)}


@dataclass(frozen=True)
class EspeakVoiceEntry:
    language: str     # "fr-fr"
    name: str         # "French_(France)"
    file: str         # "roa/fr"
    priority: int
    other: tuple[str, ...]


def _program() -> str:
    path = shutil.which(PROGRAM)
    if not path:
        raise EngineError("espeak-ng is not installed (Debian/Ubuntu: apt-get install "
                          "espeak-ng; macOS: brew install espeak-ng)")
    return path


@functools.lru_cache(maxsize=1)
def version() -> str:
    out = subprocess.run([_program(), "--version"], capture_output=True, text=True).stdout
    # "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/..."
    parts = out.split(":", 1)[-1].split()
    return parts[0] if parts else "unknown"


@functools.lru_cache(maxsize=1)
def voices() -> tuple[EspeakVoiceEntry, ...]:
    res = subprocess.run([_program(), "--voices"], capture_output=True, text=True)
    out = []
    for line in res.stdout.splitlines()[1:]:
        m = re.match(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$", line)
        if not m:
            continue
        pty, lang, _gender, name, file, rest = m.groups()
        if file.startswith("mb/"):   # MBROLA voices need the separate mbrola program
            continue
        other = tuple(code.lower() for code, _p in re.findall(r"\((\S+) (\d+)\)", rest))
        out.append(EspeakVoiceEntry(language=lang.lower(), name=name, file=file,
                                    priority=int(pty), other=other))
    return tuple(out)


def _norm(code: str) -> str:
    return code.strip().lower().replace("_", "-")


def find_voice(spec: str | None, language: str | None) -> tuple[EspeakVoiceEntry, str]:
    """(entry, variant) for a voice spec or a language. Raises EngineError."""
    table = voices()
    variant = ""
    if spec:
        spec, _, variant = spec.partition("+")
        want = _norm(spec)
        for e in table:
            if want in (e.language, e.file.lower()) or spec.lower() == e.name.lower():
                return e, variant
        if re.fullmatch(r"[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?", want):
            try:
                return find_voice(None, want)[0], variant
            except EngineError:
                pass
        raise EngineError(f"espeak-ng: no voice {spec!r} (try `e2a voices --engine espeak-ng`)")
    want = _norm(language or "en")
    base = want.split("-")[0]
    exact = [e for e in table if e.language == want]
    if not exact and want == "en":
        exact = [e for e in table if e.language == "en-us"]
    same_base = [e for e in table if e.language.split("-")[0] == base]
    others = [e for e in table if want in e.other] or [
        e for e in table if base in {o.split("-")[0] for o in e.other}]
    for group in (exact, same_base, others):
        if group:
            return min(group, key=lambda e: (e.priority, e.language not in (base, f"{base}-{base}"),
                                             e.language)), ""
    raise EngineError(f"espeak-ng: no voice for language {language!r}")


def parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """espeak-ng writes a streaming WAV whose sizes are placeholders: read the
    fmt chunk, then take everything after the data header as 16-bit PCM.
    Returns int16 samples (mono) and the rate."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("espeak-ng did not write a WAV stream")
    pos, rate, channels = 12, None, 1
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[pos + 8:pos + 16])
            bits = struct.unpack("<H", data[pos + 22:pos + 24])[0]
            if fmt != 1 or bits != 16:
                raise EngineError(f"espeak-ng wrote unexpected WAV format {fmt}/{bits} bit")
        if cid == b"data":
            pcm = data[pos + 8:]
            pcm = pcm[: len(pcm) - len(pcm) % (2 * channels)]
            samples = np.frombuffer(pcm, dtype="<i2")
            if channels > 1:
                samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
            if rate is None:
                raise EngineError("espeak-ng WAV has no fmt chunk")
            return samples, int(rate)
        pos += 8 + size + (size & 1)
    raise EngineError("espeak-ng WAV has no data")


class EspeakVoice(Voice):
    engine = "espeak-ng"
    sample_rate = 22050

    def __init__(self, entry: EspeakVoiceEntry, variant: str, settings: dict[str, Any]):
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise EngineError(f"espeak-ng: unknown setting(s) {', '.join(unknown)} "
                              f"(known: {', '.join(SETTINGS)})")
        resolved = {}
        for k, default in SETTINGS.items():
            try:
                v = int(settings.get(k, default))
            except (TypeError, ValueError):
                raise EngineError(f"espeak-ng: setting {k} must be a whole number") from None
            lo, hi = LIMITS[k]
            if not lo <= v <= hi:
                raise EngineError(f"espeak-ng: setting {k}={v} out of range {lo}..{hi}")
            resolved[k] = v
        self.entry = entry
        self.variant = variant
        self.voice_arg = entry.file + (f"+{variant}" if variant else "")
        self.name = entry.language + (f"+{variant}" if variant else "")
        self.language = entry.language
        self.identity = f"espeak-ng-{version()}/{self.voice_arg}"
        self.spec = self.voice_arg
        self.settings = {**resolved, "sample_rate": self.sample_rate}
        self._prog = _program()
        self._lock = threading.Lock()
        self._helper: _Helper | None = None
        self._helper_failed = False

    def synthesize(self, text: str) -> np.ndarray:
        return self.synthesize_pcm16(text).astype(np.float32) / 32768.0

    def synthesize_pcm16(self, text: str) -> np.ndarray:
        """16-bit samples exactly as espeak-ng makes them (e2a-speak writes these
        to FLAC without a float round trip)."""
        if not text:      # the program writes nothing at all for it: no audio
            return np.zeros(0, dtype=np.int16)
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise EngineError(f"espeak-ng: the text holds a lone surrogate "
                                  f"\\u{ord(text[exc.start]):04x} (not Unicode text)") from None
        with self._lock:
            helper = self._get_helper()
            if helper is not None:
                try:
                    return helper.speak(text)
                except _SentenceFailed:
                    pass      # this sentence only (espeak crashed on it): the helper goes on
                except EngineError as exc:
                    self._helper_failed = True
                    self._helper = None
                    helper.close()
                    warn(f"{exc}; espeak-ng voice {self.voice_arg} goes on with the espeak-ng "
                         f"program (the same audio, slower)")
        # the program says what is wrong, or speaks it: the same audio either way
        return self._run_program(text)

    def _get_helper(self) -> "_Helper | None":
        if self._helper is None and not self._helper_failed:
            try:
                self._helper = _Helper(self)
            except EngineError:
                self._helper_failed = True
        return self._helper

    def _run_program(self, text: str) -> np.ndarray:
        s = self.settings
        cmd = [self._prog, "-v", self.voice_arg, "-s", str(s["speed"]), "-p", str(s["pitch"]),
               "-a", str(s["amplitude"]), "-g", str(s["word_gap"]), "-b", "1", "-z",
               "--stdin", "--stdout"]
        res = subprocess.run(cmd, input=text.replace("\0", " ").encode("utf-8"),
                             capture_output=True)
        if res.returncode < 0:
            try:
                how = signal.Signals(-res.returncode).name
            except ValueError:
                how = f"signal {-res.returncode}"
            raise EngineError(f"espeak-ng crashed ({how}) on this text")
        if res.returncode != 0:
            msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineError(f"espeak-ng failed (exit {res.returncode}): "
                              f"{msg[-1] if msg else 'no message'}")
        samples, rate = parse_wav(res.stdout)
        if rate != self.sample_rate:
            from e2a_common.audio import resample
            floats = resample(samples.astype(np.float32) / 32768.0, rate, self.sample_rate)
            samples = np.round(floats * 32767).astype(np.int16)
        return samples

    @property
    def mode(self) -> str:
        """'library' or 'program': how the sentences are spoken (see the module doc)."""
        with self._lock:
            return "library" if self._get_helper() is not None else "program"

    def close(self) -> None:
        with self._lock:
            if self._helper is not None:
                self._helper.close()
                self._helper = None


@functools.lru_cache(maxsize=1)
def library_path() -> str | None:
    """libespeak-ng's file, or None (then only the program is used)."""
    for name in ("libespeak-ng.so.1", "libespeak-ng.1.dylib"):
        try:
            ctypes.CDLL(name)
            return name
        except OSError:
            continue
    return ctypes.util.find_library("espeak-ng")


class _SentenceFailed(EngineError):
    """The helper's child failed on one sentence; the helper itself is fine."""


STARTUP_TIMEOUT_S = 30.0
MODES = ("library", "program")


def wanted_mode() -> str:
    """E2A_ESPEAK: 'library' (default: the library when it loads) or 'program'."""
    mode = os.environ.get("E2A_ESPEAK", "").strip().lower() or "library"
    if mode not in MODES:
        raise EngineError(f"E2A_ESPEAK={os.environ['E2A_ESPEAK']!r}: expected "
                          f"{' or '.join(MODES)}")
    return mode


class _Helper:
    """One espeak_zygote.py process for one voice (see the module doc)."""

    def __init__(self, voice: EspeakVoice):
        if wanted_mode() == "program" or not hasattr(os, "fork"):
            raise EngineError("library mode off")
        lib = library_path()
        if not lib:
            raise EngineError("libespeak-ng not found")
        s = voice.settings
        script = Path(__file__).with_name("espeak_zygote.py")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(script), lib, voice.voice_arg, str(s["speed"]),
                 str(s["amplitude"]), str(s["pitch"]), str(s["word_gap"])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                close_fds=True)
        except OSError as exc:
            raise EngineError(f"cannot start the espeak-ng helper: {exc}") from None
        # a helper that never answers (a Python that is not one, a hung library)
        # must not hang the run: after STARTUP_TIMEOUT_S the program is used
        ready, _, _ = select.select([self.proc.stdout], [], [], STARTUP_TIMEOUT_S)
        raw = self.proc.stdout.readline() if ready else b""
        line = raw.decode("utf-8", "replace").split()
        # the library must be the program's version, or the cache key would lie
        if len(line) < 3 or line[0] != "READY" or line[1] != str(voice.sample_rate) or \
                line[2] != version():
            self.close()
            raise EngineError(f"espeak-ng helper not usable: {' '.join(line) or 'no answer'}")

    def speak(self, text: str) -> np.ndarray:
        data = text.encode("utf-8")
        try:
            self.proc.stdin.write(struct.pack("<I", len(data)) + data)
            self.proc.stdin.flush()
            head = self.proc.stdout.read(5)
            if len(head) != 5:
                raise EOFError
            size = struct.unpack("<I", head[1:])[0]
            body = self.proc.stdout.read(size)
            if len(body) != size:     # died while answering: never a cut sentence
                raise EOFError
        except (OSError, ValueError, EOFError, struct.error):
            raise EngineError("the espeak-ng helper process died") from None
        except BaseException:
            # interrupted between question and answer (Ctrl-C in this thread): the
            # next reply would belong to this sentence, so never ask this helper again
            self.close()
            raise
        if head[:1] == b"E":
            raise _SentenceFailed(f"espeak-ng failed: {body.decode('utf-8', 'replace')}")
        body = body[: len(body) - len(body) % 2]
        return np.frombuffer(body, dtype="<i2")

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class EspeakEngine(Engine):
    name = "espeak-ng"
    description = "eSpeak NG formant synthesis: ~130 languages, tiny and very fast"
    max_chars = 5000
    supports_gpu = False
    supports_batch = False
    sample_rate = 22050
    parallel = "thread"       # the work is in a helper process (or program) per worker

    def default_workers(self, cores: int) -> int:
        # a worker waits on its helper, then encodes the FLAC while the helper idles:
        # one more worker than cores keeps every core busy (bench/speak, docs/engines.md)
        return cores + 1

    @property
    def languages(self) -> tuple[str, ...]:  # type: ignore[override]
        try:
            return tuple(sorted({e.language.split("-")[0] for e in voices()}))
        except EngineError:
            return ()

    def has_voice_for(self, language: str) -> bool:
        try:
            find_voice(None, language)
            return True
        except EngineError:
            return False

    def load_voice(self, voice: str | None = None, *, language: str | None = None,
                   gpu: bool = False, settings: dict[str, Any] | None = None) -> Voice:
        if gpu:
            raise EngineError("--gpu: espeak-ng runs on the CPU only")
        wanted_mode()             # a mistyped E2A_ESPEAK is an error, not ignored
        entry, variant = find_voice(voice, language)
        return EspeakVoice(entry, variant, dict(settings or {}))

    def list_voices(self, language: str | None = None) -> list[VoiceInfo]:
        out = []
        want = _norm(language).split("-")[0] if language else None
        for e in voices():
            if want and e.language.split("-")[0] != want and \
                    want not in {o.split("-")[0] for o in e.other}:
                continue
            out.append(VoiceInfo(engine=self.name, name=e.language, language=e.language,
                                 installed=True, description=f"{e.name} ({e.file})"))
        return out


@hookimpl
def register_engines(register):
    register(EspeakEngine())
