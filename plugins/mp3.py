"""MP3 (LAME) with ID3v2.3 tags, chapter frames (CHAP) and a table of
contents (CTOC), and the cover as an APIC front-cover picture."""
from __future__ import annotations

from e2a_common import BindJob, OutputFormat, hookimpl
from e2a_common import ffmpeg


def id3_tags(job: BindJob) -> dict:
    """Tags as ffmpeg's ID3v2 writer names them; keys it does not know become
    TXXX frames (narrator, ISBN, description)."""
    tags = ffmpeg.common_tags(job)
    m = job.metadata
    tags.pop("comment", None)
    for key, value in (("narrator", m.get("narrator")), ("ISBN", m.get("isbn")),
                       ("description", m.get("description"))):
        if value:
            tags[key] = value
    return tags


class MP3(OutputFormat):
    name = "mp3"
    description = "MP3 with ID3v2 chapters (CHAP/CTOC), tags and cover"
    extension = "mp3"
    chapters_in_container = True  # bind checks the chapters ffprobe reads back
    duration_from = "decoded"   # LAME's gapless info is honoured when decoding

    def write(self, job: BindJob) -> None:
        bitrate = str(job.options.get("bitrate") or "64k")
        ffmpeg.encode(job, codec_args=["-c:a", "libmp3lame", "-b:a", bitrate, "-ac", "1"],
                      muxer="mp3", tags=id3_tags(job),
                      output_args=["-id3v2_version", "3", "-write_xing", "1"],
                      what="encoding mp3")


@hookimpl
def register_formats(register):
    register(MP3())
