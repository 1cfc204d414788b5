"""e2a-bind OUT: read the record stream on stdin, write the audiobook."""
from __future__ import annotations

import click

from e2a_common.console import cli_entry, set_quiet
from e2a_common.errors import InputError
from e2a_common.jsonl import read_records

from . import DEFAULT_PAUSES, bind


def _pause_option(values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        key, sep, val = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected HINT=SECONDS, e.g. paragraph=0.8",
                                     param_hint="--pause")
        out[key.strip()] = val.strip()
    return out


@cli_entry("e2a-bind")
@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "-f", "fmt", metavar="NAME",
              help="Output format (default: from OUTPUT's extension).")
@click.option("--workdir", "-w", type=click.Path(file_okay=False),
              help="Where the sentence audio is (default: the audio record's workdir).")
@click.option("--pause", "pauses", multiple=True, metavar="HINT=SECONDS",
              help="Silence after a pause hint, repeatable. Defaults: "
              + ", ".join(f"{k}={v}" for k, v in DEFAULT_PAUSES.items()) + ".")
@click.option("--bitrate", metavar="RATE", help="Audio bitrate for lossy formats, e.g. 64k.")
@click.option("--no-trim", is_flag=True, help="Keep each sentence's leading/trailing silence.")
@click.option("--keep-intermediate", is_flag=True,
              help="Keep the whole-book FLAC in WORKDIR/bind/.")
@click.option("--no-verify", is_flag=True, help="Skip the check after writing.")
@click.option("--quiet", "-q", is_flag=True, help="No log lines on stderr.")
def main(output, fmt, workdir, pauses, bitrate, no_trim, keep_intermediate, no_verify, quiet):
    """Bind the spoken sentences read on stdin into the audiobook OUTPUT.

    \b
    e2a-extract b.epub | e2a-split | e2a-speak --workdir W | e2a-bind b.m4b

    Exit codes: 0 success, 1 bad input or encoder failure, 2 usage error,
    130 interrupted. No partial file is ever left under OUTPUT's name.
    """
    set_quiet(quiet)
    bind(read_records(), output, workdir=workdir, fmt=fmt, pauses=_pause_option(pauses),
         trim_db=None if no_trim else -50.0, bitrate=bitrate,
         keep_intermediate=keep_intermediate, verify=not no_verify)
