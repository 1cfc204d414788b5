"""e2a-bind OUT: read the record stream on stdin, write the audiobook."""
from __future__ import annotations

import click

from e2a_common.console import cli_entry, set_quiet
from e2a_common.jsonl import read_records

from . import DEFAULT_PAUSES, bind


def _pause_option(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, val = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected HINT=SECONDS, e.g. paragraph=0.8",
                                     param_hint="--pause")
        out[key.strip()] = val.strip()
    return out


@cli_entry("e2a-bind")
@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--format", "-f", "fmt", metavar="NAME",
              help="Output format: m4b, m4a, mp3, ogg, opus, flac, wav or a plugin's "
                   "(default: from OUTPUT's extension).")
@click.option("--workdir", "-w", type=click.Path(file_okay=False),
              help="Where the sentence audio is (default: the audio record's workdir).")
@click.option("--pause", "pauses", multiple=True, metavar="HINT=SECONDS",
              help="Silence after a pause hint, repeatable. Defaults: "
              + ", ".join(f"{k}={v}" for k, v in DEFAULT_PAUSES.items()) + ".")
@click.option("--per-chapter", is_flag=True,
              help="Also write one file per chapter into the folder OUTPUT without its "
                   "extension ('NN - Title.ext', track tags).")
@click.option("--no-single", is_flag=True,
              help="With --per-chapter: write only the chapter files.")
@click.option("--max-part-hours", type=float, metavar="H",
              help="Split the single file into parts of at most H hours, between "
                   "chapters (OUTPUT-part1.ext, ...).")
@click.option("--subtitles", "subtitles", multiple=True, type=click.Choice(["srt", "vtt"]),
              help="Write sentence subtitles beside each audio file (repeatable).")
@click.option("--loudness", type=float, metavar="LUFS",
              help="Normalise the whole book to this EBU R128 loudness, e.g. -18.")
@click.option("--true-peak", type=float, default=-1.0, show_default=True, metavar="DBTP",
              help="Highest true peak allowed by --loudness.")
@click.option("--bitrate", metavar="RATE", help="Bitrate for lossy formats, e.g. 64k.")
@click.option("--aac-coder", type=click.Choice(["fast", "twoloop"]), default="fast",
              show_default=True, help="AAC coder for m4b/m4a: twoloop is better and ~6x slower.")
@click.option("--no-trim", is_flag=True, help="Keep each sentence's leading/trailing silence.")
@click.option("--keep-intermediate", is_flag=True,
              help="Keep the whole-book FLAC in WORKDIR/bind/.")
@click.option("--no-verify", is_flag=True, help="Skip the check after writing.")
@click.option("--quiet", "-q", is_flag=True, help="No log lines on stderr.")
def main(output, fmt, workdir, pauses, per_chapter, no_single, max_part_hours, subtitles,
         loudness, true_peak, bitrate, aac_coder, no_trim, keep_intermediate, no_verify, quiet):
    """Bind the spoken sentences read on stdin into the audiobook OUTPUT.

    \b
    e2a-extract b.epub | e2a-split | e2a-speak --workdir W | e2a-bind b.m4b

    Each file is written under a temporary name, checked (duration, clean
    decode) and renamed: no partial file is ever left under a final name.
    Exit codes: 0 success, 1 bad input or encoder failure, 2 usage error,
    130 interrupted.
    """
    set_quiet(quiet)
    if no_single and not per_chapter:
        raise click.UsageError("--no-single needs --per-chapter")
    bind(read_records(), output, workdir=workdir, fmt=fmt, pauses=_pause_option(pauses),
         trim_db=None if no_trim else -50.0, bitrate=bitrate, per_chapter=per_chapter,
         single=not no_single, max_part_hours=max_part_hours, subtitles=subtitles,
         loudness=loudness, true_peak=true_peak, keep_intermediate=keep_intermediate,
         verify=not no_verify, options={"aac_coder": aac_coder})
