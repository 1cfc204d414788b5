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
        tags = ffmpeg.common_tags(job)
        m = job.metadata
        for key, value in (("NARRATOR", m.get("narrator")), ("ISBN", m.get("isbn")),
                           ("DESCRIPTION", m.get("description")),
                           ("LANGUAGE", m.get("language"))):
            if value:
                tags[key] = value
        tags.pop("language", None)
        tags.pop("description", None)
        tags.update(ffmpeg.chapter_comments(job.chapters))
        ffmpeg.encode(job, codec_args=["-c:a", "flac", "-compression_level", "5"],
                      muxer="flac", tags=tags, chapters=False, what="encoding flac")


@hookimpl
def register_formats(register):
    register(Flac())
