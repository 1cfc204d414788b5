"""Ogg Vorbis (.ogg) and Opus (.opus): tags and chapters as Vorbis comments
(CHAPTER001=HH:MM:SS.mmm, CHAPTER001NAME=...), the cover as a
METADATA_BLOCK_PICTURE comment."""
from __future__ import annotations

from e2a_common import BindJob, OutputFormat, hookimpl
from e2a_common import ffmpeg


def comment_tags(job: BindJob) -> dict:
    tags = ffmpeg.vorbis_comments(job)
    if job.metadata.get("track"):
        tags["TRACKNUMBER"] = tags.pop("track")
    if job.cover is not None:
        tags["METADATA_BLOCK_PICTURE"] = ffmpeg.picture_block(job.cover)
    return tags


class OggVorbis(OutputFormat):
    name = "ogg"
    description = "Ogg Vorbis with chapter comments, tags and cover"
    extension = "ogg"
    chapters_in_container = 999  # Vorbis comments: CHAPTER001..CHAPTER999
    duration_from = "container"

    def write(self, job: BindJob) -> None:
        quality = str(job.options.get("quality") or "3")
        codec = ["-c:a", "libvorbis", "-ac", "1"]
        codec += (["-b:a", str(job.options["bitrate"])] if job.options.get("bitrate")
                  else ["-q:a", quality])
        ffmpeg.encode(job, codec_args=codec, muxer="ogg", tags=comment_tags(job),
                      chapters=False, cover=False, what="encoding ogg")


class Opus(OutputFormat):
    name = "opus"
    description = "Opus in Ogg with chapter comments, tags and cover (small files)"
    extension = "opus"
    chapters_in_container = 999  # Vorbis comments: CHAPTER001..CHAPTER999
    duration_from = "container"

    def write(self, job: BindJob) -> None:
        bitrate = str(job.options.get("bitrate") or "32k")
        # libopus takes 8/12/16/24/48 kHz; players decode at 48 kHz anyway
        ffmpeg.encode(job, codec_args=["-c:a", "libopus", "-b:a", bitrate, "-ac", "1",
                                       "-ar", "48000", "-application", "voip"],
                      muxer="ogg", tags=comment_tags(job), chapters=False, cover=False,
                      what="encoding opus")


@hookimpl
def register_formats(register):
    register(OggVorbis())
    register(Opus())
