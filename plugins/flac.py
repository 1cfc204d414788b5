"""FLAC (lossless): tags and chapters as Vorbis comments, the cover as a
PICTURE block."""
from __future__ import annotations

from e2a_common import BindJob, OutputFormat, hookimpl
from e2a_common import ffmpeg


class Flac(OutputFormat):
    name = "flac"
    description = "FLAC (lossless) with chapter comments, tags and cover"
    extension = "flac"
    chapters_in_container = 999  # Vorbis comments: CHAPTER001..CHAPTER999
    duration_from = "container"

    def write(self, job: BindJob) -> None:
        tags = ffmpeg.vorbis_comments(job)
        ffmpeg.encode(job, codec_args=["-c:a", "flac", "-compression_level", "5"],
                      muxer="flac", tags=tags, chapters=False, what="encoding flac")


@hookimpl
def register_formats(register):
    register(Flac())
