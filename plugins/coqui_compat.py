"""Make coqui-tts importable on a CPU-only torch when PyPI's torchaudio is a CUDA build.

Background (2026-12): PyPI's only torchaudio for torch>=2.11 is torchaudio 2.11.1
(py3-none, Requires-Dist torch>=2.11). Its native libraries (torchaudio/lib/*.so) link
libtorch_cuda.so / libc10_cuda.so / libcudart.so.13, so with the CPU torch wheel
(torch==2.13.0+cpu) ``import torchaudio`` raises
``OSError: Could not load this library: .../torchaudio/lib/_torchaudio.so``.
The same holds for PyPI's torchcodec (0.8 .. 0.17 all link libtorch_cuda.so).

coqui-tts only uses torchaudio's *pure-Python/pure-torch* parts
(functional.resample, transforms.MelSpectrogram/Resample/Vad) plus torchaudio.load
(-> torchcodec) for reading reference wavs.  torchaudio itself supports running
without its native extension: ``torchaudio._extension._load_lib`` returns False
when the .so is absent and then sets ``_IS_TORCHAUDIO_EXT_AVAILABLE = False``.

``ensure_torchaudio()`` tries the real import first (works on CUDA torch), and
only on OSError re-imports torchaudio with a stub ``torchaudio._extension`` that
reports "no native extension".  If torchcodec cannot load either, it replaces
``torchaudio.load`` with a soundfile-based loader (soundfile is a coqui-tts
dependency), returning the same (float32 [channels, frames], sample_rate) shape.

Call ``ensure_torchaudio()`` before ``import TTS.api`` (or any TTS model module).
"""

from __future__ import annotations

import sys
import types

_NATIVE_AUDIO_OK: bool | None = None


def _stub_extension() -> types.ModuleType:
    stub = types.ModuleType("torchaudio._extension")
    stub.__doc__ = "CPU stub: torchaudio native extension not loadable (CUDA-only wheel)."
    stub._IS_TORCHAUDIO_EXT_AVAILABLE = False
    stub._IS_ALIGN_AVAILABLE = False

    def _load_lib(lib: str) -> bool:  # same contract as torchaudio._extension.utils._load_lib
        return False

    def fail_if_no_align(func):
        def wrapped(*args, **kwargs):
            raise RuntimeError(
                "torchaudio forced alignment needs the native extension, "
                "which cannot load with a CPU-only torch"
            )

        return wrapped

    def _check_cuda_version():
        return None

    stub._load_lib = _load_lib
    stub.fail_if_no_align = fail_if_no_align
    stub._check_cuda_version = _check_cuda_version
    return stub


def _soundfile_load(uri, frame_offset=0, num_frames=-1, normalize=True,
                    channels_first=True, format=None, buffer_size=4096, backend=None):
    import soundfile as sf
    import torch

    frames = -1 if num_frames is None or num_frames < 0 else num_frames
    data, sr = sf.read(uri, start=frame_offset, frames=frames, dtype="float32", always_2d=True)
    wav = torch.from_numpy(data)  # [frames, channels]
    if channels_first:
        wav = wav.transpose(0, 1).contiguous()
    return wav, sr


def ensure_torchaudio():
    """Import torchaudio, degrading to its pure-Python part if the native libs can't load."""
    global _NATIVE_AUDIO_OK
    try:
        import torchaudio  # noqa: F401

        _NATIVE_AUDIO_OK = True
    except OSError:
        for name in [m for m in sys.modules if m == "torchaudio" or m.startswith("torchaudio.")]:
            del sys.modules[name]
        sys.modules["torchaudio._extension"] = _stub_extension()
        import torchaudio  # noqa: F401

        _NATIVE_AUDIO_OK = False

    import torchaudio

    _NATIVE_AUDIO_OK = bool(getattr(torchaudio._extension, "_IS_TORCHAUDIO_EXT_AVAILABLE", False))
    try:
        import torchcodec.decoders  # noqa: F401  (what torchaudio.load needs)
    except (OSError, ImportError, RuntimeError):
        for name in [m for m in sys.modules if m == "torchcodec" or m.startswith("torchcodec.")]:
            del sys.modules[name]
        torchaudio.load = _soundfile_load
    return torchaudio
