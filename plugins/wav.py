"""WAV (16-bit PCM; RF64 past 4 GiB): RIFF INFO tags from ffmpeg, plus an
``id3 `` chunk holding ID3v2 chapter frames (CHAP/CTOC), all tags and the
cover, which ffmpeg, foobar2000, MusicBee and others read."""
from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from e2a_common import BindJob, FormatError, OutputFormat, hookimpl
from e2a_common import ffmpeg

from .mp3 import id3_tags


def id3_block(job: BindJob) -> bytes:
    """ID3v2.3 bytes with tags, chapters and cover, made by ffmpeg's own ID3
    writer (an MP3 of 50 ms of silence whose tag is all we keep)."""
    folder = Path(job.audio).parent
    fd, name = tempfile.mkstemp(prefix=".id3.", suffix=".mp3", dir=folder)
    os.close(fd)
    tmp = Path(name)
    # chapters past the end of ffmpeg's output are dropped, so no -t here: a
    # tiny silent input instead (the chapter times come from the metadata)
    silence = tmp.with_suffix(".flac")
    try:
        sf.write(str(silence), np.zeros(1152, dtype=np.int16), 22050, format="FLAC")
        silent = BindJob(audio=silence, sample_rate=22050, duration_ms=50,
                         chapters=job.chapters, metadata=job.metadata, cover=job.cover,
                         output=tmp, options=job.options)
        ffmpeg.encode(silent, codec_args=["-c:a", "libmp3lame"], muxer="mp3",
                      tags=id3_tags(job), output_args=["-id3v2_version", "3",
                                                       "-write_xing", "0"],
                      what="writing the wav's ID3 chunk")
        with open(tmp, "rb") as fh:
            head = fh.read(10)
            if head[:3] != b"ID3":
                raise FormatError("ffmpeg wrote no ID3 tag", path=str(job.output))
            s = head[6:10]
            size = (s[0] << 21) | (s[1] << 14) | (s[2] << 7) | s[3]
            return head + fh.read(size)
    finally:
        tmp.unlink(missing_ok=True)
        silence.unlink(missing_ok=True)


def append_chunk(path: Path, chunk_id: bytes, data: bytes) -> None:
    """Append a RIFF chunk and fix the RIFF (or RF64 ds64) size."""
    pad = b"\0" if len(data) % 2 else b""
    with open(path, "r+b") as fh:
        magic = fh.read(4)
        fh.seek(0, os.SEEK_END)
        fh.write(chunk_id + struct.pack("<I", len(data)) + data + pad)
        total = fh.tell()
        if magic == b"RIFF":
            if total - 8 > 0xFFFFFFFF:
                raise FormatError("WAV too large for its tag chunk", path=str(path))
            fh.seek(4)
            fh.write(struct.pack("<I", total - 8))
        elif magic == b"RF64":
            fh.seek(12)
            if fh.read(4) != b"ds64":
                raise FormatError("RF64 file without a ds64 chunk", path=str(path))
            fh.seek(20)
            fh.write(struct.pack("<Q", total - 8))
        else:
            raise FormatError("not a RIFF/RF64 file", path=str(path))


class Wav(OutputFormat):
    name = "wav"
    description = "WAV (PCM) with INFO tags and an ID3 chunk (chapters, cover)"
    extension = "wav"
    chapters_in_container = True  # bind checks the chapters ffprobe reads back
    duration_from = "container"

    def write(self, job: BindJob) -> None:
        tags = ffmpeg.common_tags(job)
        ffmpeg.encode(job, codec_args=["-c:a", "pcm_s16le"], muxer="wav", tags=tags,
                      chapters=False, cover=False, output_args=["-rf64", "auto"],
                      what="encoding wav")
        append_chunk(Path(job.output), b"id3 ", id3_block(job))


@hookimpl
def register_formats(register):
    register(Wav())
