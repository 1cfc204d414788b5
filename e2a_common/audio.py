"""Sentence audio on disk: FLAC written atomically, verified by decoding, resampled.

A FLAC only counts as done when it decodes to the end with as many frames as its
header promises: a file cut short by a full disk or a crash is detected and redone.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf

from .workdir import atomic_path

FLAC_SUBTYPE = "PCM_16"


@dataclass(frozen=True)
class AudioInfo:
    frames: int
    sample_rate: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def as_mono_float32(samples) -> np.ndarray:
    """Any array-like of samples (1-D, or 2-D frames x channels) as mono float32
    in [-1, 1]; integer PCM is scaled."""
    a = np.asarray(samples)
    if a.ndim == 2:
        a = a.mean(axis=1) if a.shape[1] <= a.shape[0] else a.mean(axis=0)
    elif a.ndim != 1:
        a = a.reshape(-1)
    if np.issubdtype(a.dtype, np.integer):
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max + 1)
    a = a.astype(np.float32, copy=False)
    if a.size and not np.all(np.isfinite(a)):
        a = np.nan_to_num(a, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(a, -1.0, 1.0)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Band-limited polyphase resampling (scipy). Same rate: returned as is."""
    if src_rate == dst_rate or samples.size == 0:
        return samples
    from scipy.signal import resample_poly  # imported lazily: ~0.2 s

    g = gcd(int(src_rate), int(dst_rate))
    out = resample_poly(samples.astype(np.float64), dst_rate // g, src_rate // g)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def write_flac(final: str | Path, samples: np.ndarray, sample_rate: int) -> AudioInfo:
    """Write mono samples as 16-bit FLAC under a temporary name, then rename it to
    ``final``. Empty audio becomes one silent frame (FLAC cannot hold zero).
    1-D int16 samples are written exactly; anything else goes through
    ``as_mono_float32``."""
    samples = np.asarray(samples)
    if not (samples.ndim == 1 and samples.dtype == np.int16):
        samples = as_mono_float32(samples)
    if samples.size == 0:
        samples = np.zeros(1, dtype=samples.dtype)
    with atomic_path(final) as tmp:
        sf.write(str(tmp), samples, int(sample_rate), subtype=FLAC_SUBTYPE, format="FLAC")
    return AudioInfo(frames=int(samples.size), sample_rate=int(sample_rate))


def verify_flac(path: str | Path) -> AudioInfo | None:
    """Decode ``path`` fully. Return its frames and rate, or None when it is
    missing, empty, truncated or unreadable."""
    try:
        with sf.SoundFile(str(path)) as f:
            if f.format != "FLAC" or f.frames <= 0 or f.samplerate <= 0:
                return None
            expected = f.frames
            got = 0
            for block in f.blocks(blocksize=1 << 16, dtype="float32"):
                got += len(block)
            if got != expected:
                return None
            return AudioInfo(frames=expected, sample_rate=int(f.samplerate))
    except (OSError, RuntimeError, ValueError, sf.LibsndfileError):
        return None


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(str(path), dtype="float32", always_2d=False)
    return as_mono_float32(data), int(rate)
