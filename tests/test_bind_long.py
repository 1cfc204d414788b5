"""A 20-hour book: chapter marks exact (found in the decoded audio, no drift)
and peak memory flat. Cheap: 4 kHz, three sentence FLACs (tone bursts around
digital silence) referenced ~1,500 times, WAV output. ~40 s on 2 shared cores."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from e2a_bind.synth import long_book

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")]
RATE = 4000
ENV = {**os.environ, "E2A_PLUGINS": "wav,flac,m4b"}


def run_book(tmp: Path, hours: float, name: str, work: Path) -> dict:
    out = tmp / name
    proc = subprocess.run([sys.executable, "-m", "e2a_bind.synth", str(out), "--hours",
                           str(hours), "--rate", str(RATE), "--workdir", str(work)],
                          capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def expected_chapter_starts(work: Path, hours: float) -> tuple[list[int], int]:
    """Chapter starts and total length in samples, summed independently from the
    records: each sentence's frames, 0.35 s after sentences, 2 s between chapters."""
    starts, t, prev = [], 0, None
    spoken = [r for r in long_book(work, hours=hours, rate=RATE) if r["kind"] == "spoken"]
    frames = {}
    for i, r in enumerate(spoken):
        if r["chapter"] != prev:
            starts.append(t)
            prev = r["chapter"]
        if r["audio"] not in frames:
            frames[r["audio"]] = sf.info(str(work / r["audio"])).frames
        t += frames[r["audio"]]
        if i + 1 < len(spoken):
            t += int(round((2.0 if r["pause"] == "chapter" else 0.35) * RATE))
    return starts, t


def test_twenty_hour_book_exact_marks_flat_memory(tmp_path):
    work = tmp_path / "work"
    small = run_book(tmp_path, 0.5, "small.wav", work)
    (tmp_path / "small.wav").unlink()
    big = run_book(tmp_path, 20, "big.wav", work)
    out = tmp_path / "big.wav"
    assert big["audio_hours"] > 19.5

    # memory: under 300 MB and not growing with the length of the book
    assert big["peak_rss_mb"] < 300 and big["peak_ffmpeg_rss_mb"] < 300
    assert big["peak_rss_mb"] - small["peak_rss_mb"] < 20

    # marks: equal to the independent sum of the parts, to the millisecond
    starts, total = expected_chapter_starts(work, 20)
    assert [c[0] for c in big["chapters"]] == [s * 1000 // RATE for s in starts]
    assert big["chapters"][-1][1] == total * 1000 // RATE
    info = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(out)],
        capture_output=True, text=True, check=True).stdout)
    assert [int(c["start"]) for c in info["chapters"]] == [c[0] for c in big["chapters"]]
    assert abs(float(info["format"]["duration"]) * RATE - total) <= 1

    # no drift: in the decoded audio every chapter starts with its first burst
    # exactly where the sum says, after two seconds of silence
    with sf.SoundFile(str(out)) as f:
        assert f.frames == total
        for s in starts[1:]:
            f.seek(s - 2 * RATE)
            x = f.read(2 * RATE + 8, dtype="int16")
            assert not np.any(x[:2 * RATE]), f"sound before the chapter at sample {s}"
            assert np.any(x[2 * RATE:2 * RATE + 4]), f"no burst at the chapter at sample {s}"
