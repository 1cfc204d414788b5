"""Coqui TTS (``pip install -e '.[coqui]' in the e2a source folder``): any Coqui model by name or local path.

Voices (``--voice``):
  * a model name from Coqui's catalogue (``tts_models/fr/css10/vits``,
    ``tts_models/multilingual/multi-dataset/xtts_v2``): downloaded on first use
    into ``$XDG_CACHE_HOME/e2a/voices/coqui`` (Coqui's ``TTS_HOME``), a clear
    error when offline;
  * a local folder holding ``config.json`` and the checkpoint (``model.pth``,
    ``model_file.pth``, ``best_model.pth``; XTTS: the whole folder), or a
    ``.pth`` file with ``config.json`` beside it.
  * none: XTTS v2 when ``--speaker-wav`` is given and the language is one of
    XTTS's, else the catalogue's VITS model for the language.

XTTS v2 clones the voice in ``speaker_wav`` (a WAV/FLAC path, or several) and
speaks one of its languages (the book's, or ``--language``). Settings
(``--set KEY=VALUE``): speaker, speaker_wav, speed, temperature, length_penalty,
repetition_penalty, top_k, top_p. torch and TTS are imported only when a Coqui
voice is loaded (~2 s).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from e2a_common import Engine, EngineError, InputError, Voice, VoiceInfo, hookimpl
from e2a_common.voicecache import file_digest, voice_cache_dir

XTTS_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "pl", "tr", "ru", "nl", "cs", "ar",
                  "zh-cn", "hu", "ko", "ja", "hi")
XTTS_V2 = "tts_models/multilingual/multi-dataset/xtts_v2"
CHECKPOINTS = ("model.pth", "model_file.pth", "best_model.pth", "model.pth.tar",
               "model_file.pth.tar", "checkpoint.pth")
SETTINGS = ("speaker", "speaker_wav", "speed", "temperature", "length_penalty",
            "repetition_penalty", "top_k", "top_p")
BATCH_MODELS = ("vits",)   # config.json "model" values synthesize_batch() batches
DEFAULT_BATCH = 8           # sentences per forward pass on a GPU (bench/speak_coqui.py)
INSTALL = ("pip install -e '.[coqui]' in the e2a source folder (torch==2.13.0, coqui-tts[codec]==0.28.0, "
           "torchaudio==2.11.1, six; see docs/engines.md)")


def cache_dir() -> Path:
    return voice_cache_dir() / "coqui"


def import_tts():
    """Import TTS.api with the CPU torchaudio shim; EngineError when absent."""
    os.environ.setdefault("TTS_HOME", str(cache_dir()))
    os.environ.setdefault("COQUI_TOS_AGREED", "1")   # else XTTS asks on stdin (our stdin is JSON)
    try:
        from . import coqui_compat
        coqui_compat.ensure_torchaudio()
        import TTS.api  # noqa: F401
    except ImportError as exc:
        raise EngineError(f"coqui: Coqui TTS is not installed ({exc}); {INSTALL}") from None
    except OSError as exc:
        raise EngineError(f"coqui: Coqui TTS cannot load: {exc}") from None
    logging.getLogger("TTS").setLevel(logging.ERROR)
    return TTS.api


def catalogue() -> list[str]:
    """Model names Coqui can fetch (read from the packaged list; no network)."""
    import_tts()
    from TTS.utils.manage import ModelManager
    return list(ModelManager(progress_bar=False).list_tts_models())


def xtts_language(lang: str | None) -> str | None:
    if not lang:
        return None
    lang = lang.lower().replace("_", "-")
    if lang in XTTS_LANGUAGES:
        return lang
    base = lang.split("-")[0]
    if base == "zh":
        return "zh-cn"
    return base if base in XTTS_LANGUAGES else None


def batches_by_name(name: str) -> bool:
    """Whether a catalogue model is VITS-family (speaks a batch in one forward
    pass) going by its name; once loaded, its config.json decides."""
    arch = name.split("/")[-1]
    return arch.startswith("vits") or arch in ("your_tts", "jenny")


def _looks_like_path(voice: str) -> bool:
    return (os.sep in voice or voice.startswith(".") or voice.endswith((".pth", ".tar", ".json"))
            or Path(voice).expanduser().exists()) and not voice.startswith("tts_models/")


def local_model(path: Path) -> tuple[Path, Path, dict]:
    """(checkpoint or folder, config.json, config) for a local model path."""
    path = path.expanduser()
    if not path.exists():
        raise InputError("Coqui model not found", path=path)
    folder = path if path.is_dir() else path.parent
    cfg_path = folder / "config.json"
    if path.suffix == ".json":
        cfg_path, folder = path, path.parent
    if not cfg_path.is_file():
        raise InputError("config.json is missing beside the Coqui model", path=folder)
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            raise ValueError("not an object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not a Coqui model config ({exc})", path=cfg_path) from None
    if config.get("model") == "xtts":
        if not (folder / "model.pth").is_file():
            raise InputError("XTTS folder has no model.pth", path=folder)
        return folder, cfg_path, config
    if path.is_file() and path.suffix != ".json":
        return path, cfg_path, config
    for name in CHECKPOINTS:
        if (folder / name).is_file():
            return folder / name, cfg_path, config
    raise InputError(f"no checkpoint ({', '.join(CHECKPOINTS[:3])}) beside config.json",
                     path=folder)


def _model_files(model: Path) -> list[Path]:
    if model.is_dir():
        return sorted(p for p in model.iterdir()
                      if p.is_file() and p.suffix in (".pth", ".json", ".tar", ".npy"))
    return [model]


@contextlib.contextmanager
def _masked_decoder(model):
    """Make a batched VITS waveform decoder give each text the audio it gives
    alone. The decoder (HiFi-GAN) has no masks: alone, every convolution sees
    zeros past the end of the text (its padding); in a batch it sees what the
    previous layer made of the padding frames (biases, speaker conditioning),
    which changes the last few hundred samples. Here every Conv1d and
    ConvTranspose1d input is zeroed past each text's own length (its frames
    times the layer's upsampling factor); upsampling_z is wrapped to learn the
    lengths. For a batch of one the masks are all ones."""
    import torch

    state: dict[str, Any] = {}
    original = model.upsampling_z

    def upsampling_z(*args, **kwargs):
        res = original(*args, **kwargs)
        y_mask = res[3]                                   # [B, 1, T_dec]
        used = min(y_mask.shape[-1], model.max_inference_len or y_mask.shape[-1])
        state["frames"] = y_mask[:, 0, :used].sum(-1)
        state["T0"] = used
        return res

    def pre(module, args):
        if "frames" not in state or not args:
            return None
        x = args[0]
        t0, frames = state["T0"], state["frames"]
        t = x.shape[-1]
        if x.dim() != 3 or x.shape[0] != frames.shape[0] or t < t0 or t % t0:
            return None                                   # e.g. the speaker vector [B, C, 1]
        valid = frames.to(x.device) * (t // t0)
        mask = (torch.arange(t, device=x.device)[None, :] < valid[:, None]).to(x.dtype)
        return (x * mask.unsqueeze(1), *args[1:])

    handles = [m.register_forward_pre_hook(pre) for m in model.waveform_decoder.modules()
               if isinstance(m, (torch.nn.Conv1d, torch.nn.ConvTranspose1d))]
    model.upsampling_z = upsampling_z
    try:
        yield state
    finally:
        del model.upsampling_z                            # the class's method again
        for h in handles:
            h.remove()


class CoquiVoice(Voice):
    engine = "coqui"

    def __init__(self, *, name: str, model: Path | None, config_path: Path, config: dict,
                 model_name: str | None, language: str | None, gpu: bool,
                 settings: dict[str, Any], vocoder: tuple[Path, Path] | None = None):
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise EngineError(f"coqui: unknown setting(s) {', '.join(unknown)} "
                              f"(known: {', '.join(SETTINGS)})")
        self.name = name
        self.model = model
        self.config_path = config_path
        self.model_name = model_name
        self.vocoder = vocoder
        self.gpu = gpu
        self.threads: int | None = None
        self.kind = str(config.get("model", "?"))
        self.xtts = self.kind == "xtts"
        # VITS-family models (VITS, YourTTS) speak a padded batch in one forward
        # pass; e2a-speak groups this many sentences per synthesize_batch() call
        # on a GPU (--batch-size overrides it). Everything else: one at a time.
        self.batchable = self.kind in BATCH_MODELS
        self.batch_size = DEFAULT_BATCH if self.batchable else 1
        audio = config.get("audio") or {}
        rate = audio.get("output_sample_rate") or audio.get("sample_rate") or 22050
        self.sample_rate = int(rate)
        multilingual = self.xtts or bool((config.get("model_args") or {}).get("use_language_embedding"))
        self.multilingual = multilingual
        self.language = language or ""
        wavs = settings.get("speaker_wav")
        if isinstance(wavs, (str, os.PathLike)):
            wavs = [wavs]
        self.speaker_wav = [str(Path(w).expanduser()) for w in (wavs or [])]
        for w in self.speaker_wav:
            if not Path(w).is_file():
                raise InputError("speaker WAV not found", path=w)
            import soundfile as sf
            try:
                sf.info(w)
            except Exception:  # soundfile raises several types
                raise InputError("speaker WAV is not readable audio", path=w) from None
        self.speaker = settings.get("speaker")
        lang_arg = None
        if self.xtts:
            lang_arg = xtts_language(language or "en")
            if lang_arg is None:
                raise EngineError(f"coqui: XTTS v2 does not speak {language!r} "
                                  f"(it speaks {', '.join(XTTS_LANGUAGES)})")
            if not self.speaker_wav and not self.speaker:
                raise EngineError("coqui: XTTS needs a voice to clone: --speaker-wav FILE.wav "
                                  "(or --set speaker=NAME for a built-in speaker)")
            self.language = lang_arg
        elif multilingual:
            lang_arg = language
        self.lang_arg = lang_arg
        self.extra = {k: settings[k] for k in SETTINGS
                      if k not in ("speaker", "speaker_wav") and k in settings}
        # a catalogue model is pinned by its name and checkpoint (Coqui rewrites
        # paths inside its config.json); a local model also by its config
        files = (_model_files(model) if model_name else [config_path, *_model_files(model)])
        if vocoder:
            files.append(vocoder[0])
        self.identity = f"{name}@{file_digest(*files)}"
        self.spec = str(model) if model_name is None else model_name
        self.settings = {
            "speaker": self.speaker,
            "speaker_wav": [file_digest(Path(w)) for w in self.speaker_wav],
            "language": self.lang_arg,
            **self.extra,
            "sample_rate": self.sample_rate,
        }
        self._tts = None

    def set_threads(self, n: int | None) -> None:
        self.threads = n

    def _load(self):
        if self._tts is not None:
            return self._tts
        api = import_tts()
        import torch
        if self.threads:
            torch.set_num_threads(int(self.threads))
        try:
            kw = {}
            if self.vocoder:
                kw = {"vocoder_path": str(self.vocoder[0]),
                      "vocoder_config_path": str(self.vocoder[1])}
            tts = api.TTS(model_path=str(self.model), config_path=str(self.config_path),
                          progress_bar=False, **kw)
        except Exception as exc:  # torch/TTS raise anything from KeyError to RuntimeError
            where = self.model_name or self.model
            raise InputError(f"cannot load Coqui model: {type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}",
                             path=str(where)) from None
        if self.gpu:
            tts = tts.to("cuda")
        out_rate = int(getattr(tts.synthesizer, "output_sample_rate", self.sample_rate))
        self._native_rate = out_rate
        self._tts = tts
        return tts

    def _kwargs(self) -> dict[str, Any]:
        """What synthesize() hands to ``TTS.tts()`` besides the text."""
        kwargs: dict[str, Any] = dict(self.extra)
        if self.lang_arg:
            kwargs["language"] = self.lang_arg
        if self.speaker_wav:
            kwargs["speaker_wav"] = self.speaker_wav if len(self.speaker_wav) > 1 \
                else self.speaker_wav[0]
        if self.speaker:
            kwargs["speaker"] = self.speaker
        return kwargs

    def _finish(self, wav) -> np.ndarray:
        audio = np.asarray(wav, dtype=np.float32).reshape(-1)
        # the Synthesizer appends 10,000 zero samples after each sentence: bind adds pauses
        nz = np.flatnonzero(audio)
        audio = audio[: nz[-1] + 1] if nz.size else audio[:0]
        if self._native_rate != self.sample_rate:
            from e2a_common.audio import resample
            audio = resample(audio, self._native_rate, self.sample_rate)
        return audio

    def synthesize(self, text: str) -> np.ndarray:
        tts = self._load()
        wav = tts.tts(text=text, split_sentences=False, **self._kwargs())
        return self._finish(wav)

    # ------------------------------------------------------------ batching
    def batch_model(self):
        """The loaded model when it can speak several texts in one forward pass
        (a VITS-family model: Vits, YourTTS; no separate vocoder), else None:
        XTTS's autoregressive GPT, Tacotron, Glow-TTS... speak one at a time."""
        if not self.batchable:
            return None
        tts = self._load()
        synth = getattr(tts, "synthesizer", None)
        model = getattr(synth, "tts_model", None)
        try:
            from TTS.tts.models.base_tts import BaseTTS
            from TTS.tts.models.vits import Vits
        except ImportError:  # pragma: no cover - TTS moved its modules
            return None
        if not isinstance(model, Vits) or getattr(synth, "vocoder_model", None) is not None:
            return None
        # a subclass that synthesises its own way is not batched by our copy of the path
        if type(model).synthesize is not BaseTTS.synthesize or type(model).inference is not Vits.inference:
            return None
        return model

    def synthesize_batch(self, texts: list[str]) -> list[np.ndarray]:
        """Several texts in one forward pass of a VITS model (see batch_model);
        one at a time for every other model. Each text is tokenised exactly as
        ``TTS.tts()`` does (the model's cleaner, phonemizer, blanks, BOS/EOS), the
        token sequences are padded, and each waveform is cut to its own length."""
        texts = list(texts)
        model = self.batch_model() if len(texts) > 1 else None
        if model is None:
            return [self.synthesize(t) for t in texts]
        return [self._finish(w) for w in self._vits_batch(self._tts, model, texts)]

    def _vits_batch(self, tts, model, texts: list[str]) -> list[np.ndarray]:
        import torch

        kwargs = self._kwargs()
        tts._check_arguments(**kwargs)        # the same checks TTS.tts() makes
        synth = tts.synthesizer
        language = kwargs.get("language")
        # from here on: TTS.tts.models.base_tts.BaseTTS.synthesize, for B texts
        language_id = model._get_language_id(language)
        if language is None and model.language_manager.num_languages == 1:
            language = model.language_manager.language_names[0]
        ids = [model.tokenizer.text_to_ids(t, language=language) for t in texts]
        speaker_id, d_vector = model._get_speaker_id_or_dvector(
            kwargs.get("speaker"), kwargs.get("speaker_wav"), synth.voice_dir)
        device = model.device
        n = len(ids)
        pad = model.tokenizer.pad_id if model.tokenizer.pad_id is not None else 0
        x = torch.full((n, max(len(i) for i in ids)), int(pad), dtype=torch.long, device=device)
        for row, seq in enumerate(ids):
            x[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long, device=device)
        aux = {
            "x_lengths": torch.tensor([len(i) for i in ids], device=device),
            "speaker_ids": None if speaker_id is None else speaker_id.reshape(-1)[:1].expand(n),
            "d_vectors": None if d_vector is None else d_vector.expand(n, -1),
            "language_ids": (None if language_id is None
                             else torch.full((n,), int(language_id), device=device)),
        }
        with _masked_decoder(model):
            outputs = model.inference(x, aux_input=aux)
        y_mask = outputs["y_mask"]                   # [B, 1, T_dec] (after upsampling_z)
        frames = y_mask[:, 0].sum(-1).long().tolist()
        used = min(y_mask.shape[-1], model.max_inference_len or y_mask.shape[-1])
        wav = outputs["model_outputs"][:, 0].detach().float().cpu().numpy()   # [B, T_wav], one copy
        hop = wav.shape[-1] // used
        out = []
        trim = bool(synth.tts_config.audio.get("do_trim_silence"))
        for row in range(n):
            w = wav[row, : min(frames[row], used) * hop].copy()
            if trim:   # as Synthesizer.tts does
                w = w[: model.ap.find_endpoint(w)]
            out.append(w)
        return out

    def close(self) -> None:
        self._tts = None


class CoquiEngine(Engine):
    name = "coqui"
    description = "Coqui TTS: XTTS v2 (voice cloning, 17 languages), VITS and other models"
    languages = ()          # depends on the model
    max_chars = 250         # XTTS: 400 tokens; VITS is happiest with short inputs
    supports_gpu = True
    supports_batch = True   # VITS-family models: CoquiVoice.synthesize_batch (batch_size 8)
    parallel = "process"

    def default_workers(self, cores: int) -> int:
        # torch already spreads one model over all cores; two copies only add memory
        return 1

    def default_model(self, language: str | None, speaker_wav: bool) -> str:
        lang = (language or "en").lower().replace("_", "-")
        if speaker_wav and xtts_language(lang):
            return XTTS_V2
        names = catalogue()
        base = lang.split("-")[0]
        for pick in (lambda n: n.split("/")[1] == base and n.endswith("/vits"),
                     lambda n: n.split("/")[1] == base):
            found = [n for n in names if pick(n)]
            if found:
                return found[0]
        raise EngineError(f"coqui: no Coqui model for language {language!r}; XTTS v2 speaks "
                          f"{', '.join(XTTS_LANGUAGES)} (give --speaker-wav)")

    def load_voice(self, voice: str | None = None, *, language: str | None = None,
                   gpu: bool = False, settings: dict[str, Any] | None = None) -> Voice:
        settings = dict(settings or {})
        import_tts()
        if gpu:
            import torch
            if not torch.cuda.is_available():
                raise EngineError(f"--gpu: torch {torch.__version__} sees no CUDA GPU "
                                  "(CPU-only build, or no NVIDIA driver); drop --gpu")
        if voice and _looks_like_path(voice):
            model, cfg, config = local_model(Path(voice))
            name = (model if model.is_dir() else model.parent).name
            return CoquiVoice(name=name, model=model, config_path=cfg, config=config,
                              model_name=None, language=language, gpu=gpu, settings=settings)
        name = voice or self.default_model(language, bool(settings.get("speaker_wav")))
        model, cfg, vocoder = self.download(name)
        config = json.loads(Path(cfg).read_text(encoding="utf-8"))
        return CoquiVoice(name=name, model=model, config_path=cfg, config=config,
                          model_name=name, language=language, gpu=gpu, settings=settings,
                          vocoder=vocoder)

    def model_folder(self, name: str) -> Path:
        return Path(os.environ.get("TTS_HOME", str(cache_dir()))) / "tts" / name.replace("/", "--")

    def download(self, name: str) -> tuple[Path, Path, tuple[Path, Path] | None]:
        """Fetch a catalogue model (and its default vocoder) into the cache;
        nothing is fetched when it is already there. Returns (checkpoint or
        folder, config, (vocoder, vocoder config) or None)."""
        import_tts()
        from TTS.utils.manage import ModelManager
        if name not in catalogue():
            raise EngineError(f"coqui: unknown model {name!r} (see `e2a voices --engine coqui`)")
        mgr = ModelManager(output_prefix=os.environ["TTS_HOME"], progress_bar=False)
        folder = self.model_folder(name)
        if not (folder / "config.json").is_file():
            try:
                mgr.download_model(name)
            except Exception as exc:  # requests/huggingface errors: offline, 404, disk full
                raise EngineError(f"coqui: cannot download {name} into {folder.parent}: "
                                  f"{type(exc).__name__} (offline?)") from None
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            if config.get("model") == "xtts":
                model, cfg = folder, folder / "config.json"
            else:
                model, cfg = mgr._find_files(folder)
        except (OSError, ValueError) as exc:
            raise InputError(f"incomplete Coqui model download ({exc}); delete the folder "
                             "and try again", path=folder) from None
        vocoder = None
        item = mgr.models_dict
        for part in name.split("/"):
            item = item.get(part, {}) if isinstance(item, dict) else {}
        voc_name = item.get("default_vocoder") if isinstance(item, dict) else None
        if voc_name:
            vfolder = self.model_folder(voc_name)
            if not (vfolder / "config.json").is_file():
                try:
                    mgr.download_model(voc_name)
                except Exception as exc:
                    raise EngineError(f"coqui: cannot download vocoder {voc_name}: "
                                      f"{type(exc).__name__} (offline?)") from None
            vocoder = mgr._find_files(vfolder)
        return Path(model), Path(cfg), vocoder

    def catalogue(self, language: str | None = None) -> list[VoiceInfo]:
        """Every model Coqui can fetch (its packaged list; no network), marked
        installed when it is in the cache."""
        out = []
        base = language.lower().replace("_", "-").split("-")[0] if language else None
        for n in catalogue():
            lang = n.split("/")[1]
            if base and lang != base:
                if lang != "multilingual" or (n == XTTS_V2 and not xtts_language(language)):
                    continue
            out.append(VoiceInfo(engine=self.name, name=n, language=lang,
                                 installed=(self.model_folder(n) / "config.json").is_file(),
                                 description=n.split("/")[-1]
                                 + (", batched" if batches_by_name(n) else "")))
        return out

    def list_voices(self, language: str | None = None) -> list[VoiceInfo]:
        """The catalogue models already downloaded (nothing when Coqui TTS is not
        installed)."""
        try:
            return [v for v in self.catalogue(language) if v.installed]
        except EngineError:
            return []


@hookimpl
def register_engines(register):
    register(CoquiEngine())
