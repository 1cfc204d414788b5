"""espeak-ng: every language it has (~130), robotic but tiny and very fast.

The offline default for a language with no neural voice installed. Runs the
``espeak-ng`` program (Debian package ``espeak-ng``) once per sentence, text on
stdin, WAV on stdout. Voices: a language code (``fr``, ``fr-be``, ``en-gb``) or an
espeak voice file (``roa/fr``), optionally with a variant (``fr+f3``).
"""
from __future__ import annotations

import functools
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from typing import Any

import numpy as np

from e2a_common import Engine, EngineError, Voice, VoiceInfo, hookimpl

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
    fmt chunk, then take everything after the data header as 16-bit PCM."""
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
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
            if channels > 1:
                samples = samples.reshape(-1, channels).mean(axis=1)
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

    def synthesize(self, text: str) -> np.ndarray:
        s = self.settings
        cmd = [self._prog, "-v", self.voice_arg, "-s", str(s["speed"]), "-p", str(s["pitch"]),
               "-a", str(s["amplitude"]), "-g", str(s["word_gap"]), "-b", "1", "-z",
               "--stdin", "--stdout"]
        res = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True)
        if res.returncode != 0:
            msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineError(f"espeak-ng failed (exit {res.returncode}): "
                              f"{msg[-1] if msg else 'no message'}")
        samples, rate = parse_wav(res.stdout)
        if rate != self.sample_rate:
            from e2a_common.audio import resample
            samples = resample(samples, rate, self.sample_rate)
        return samples


class EspeakEngine(Engine):
    name = "espeak-ng"
    description = "eSpeak NG formant synthesis: ~130 languages, tiny and very fast"
    max_chars = 5000
    supports_gpu = False
    supports_batch = False
    sample_rate = 22050
    parallel = "thread"       # each sentence is its own espeak-ng process

    def default_workers(self, cores: int) -> int:
        return cores          # measured by bench/speak: see docs/engines.md

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
