"""M4B (and M4A): AAC in an MP4 container with chapters, tags and a cover.

ffmpeg's native ``aac`` encoder; chapters and tags come from an FFMETADATA
file given as a second input (``-map_metadata 1 -map_chapters 1``); the cover is
an ``attached_pic`` video stream. Built with a plain argument list because
ffmpeg-python cannot add a stream-less input.
"""
from __future__ import annotations

from pathlib import Path

from e2a_common import BindJob, OutputFormat, hookimpl
from e2a_common import ffmpeg


def cover_args(job: BindJob, input_index: int, *, allowed=("mjpeg", "png")) -> tuple[list, list]:
    """(input args, output args) that add ``job.cover`` as an attached picture."""
    if job.cover is None:
        return [], []
    codec = ffmpeg.cover_codec(job.cover)
    if codec is None:
        return [], []
    out = ["-map", f"{input_index}:v:0", "-disposition:v:0", "attached_pic"]
    out += ["-c:v", "copy"] if codec in allowed else ["-c:v", "mjpeg", "-q:v", "3",
                                                     "-pix_fmt", "yuvj420p"]
    return ["-i", str(job.cover)], out


class M4B(OutputFormat):
    name = "m4b"
    description = "M4B audiobook: AAC with chapters, tags and cover (Apple Books, most players)"
    extension = "m4b"
    muxer = "ipod"
    media_type = 2           # iTunes "stik": 2 = audiobook

    def write(self, job: BindJob) -> None:
        bitrate = str(job.options.get("bitrate") or "64k")
        meta = Path(str(job.output) + ".ffmeta")
        tags = ffmpeg.common_tags(job)
        lang = tags.pop("language", None)
        if self.media_type is not None:
            tags["media_type"] = self.media_type
        if job.metadata.get("isbn"):
            tags.setdefault("comment", f"ISBN {job.metadata['isbn']}")
        meta.write_text(ffmpeg.ffmetadata(tags, job.chapters), encoding="utf-8")
        try:
            cov_in, cov_out = cover_args(job, 2)
            args = ["-i", str(job.audio), "-f", "ffmetadata", "-i", str(meta), *cov_in,
                    "-map", "0:a:0", *cov_out,
                    "-map_metadata", "1", "-map_chapters", "1",
                    "-c:a", "aac", "-b:a", bitrate, "-ac", "1"]
            if lang:
                args += ["-metadata:s:a:0", f"language={lang}"]
            args += ["-movflags", "+faststart", "-f", self.muxer, str(job.output)]
            ffmpeg.run(args, what=f"encoding {self.name}", output=job.output)
        finally:
            meta.unlink(missing_ok=True)


class M4A(M4B):
    name = "m4a"
    description = "M4A: AAC in MP4 with chapters, tags and cover (music players)"
    extension = "m4a"
    media_type = None


@hookimpl
def register_formats(register):
    register(M4B())
    register(M4A())
