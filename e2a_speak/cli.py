"""e2a-speak: click wiring only; the work is in ``e2a_speak.speak``."""
from __future__ import annotations

import json

import click

from e2a_common import read_records, write_records
from e2a_common.console import cli_entry

from . import check_batch_size, parse_shard, speak
from e2a_common.errors import E2AError, EngineError


def _shard(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_shard(value)
    except E2AError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1]) from None


def _settings(ctx, param, values):
    out = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


@cli_entry("e2a-speak")
@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workdir", "-w", required=True, type=click.Path(file_okay=False),
              help="Folder for the sentence FLACs (created; reused to resume).")
@click.option("--engine", "-e", default=None, metavar="NAME",
              help="TTS engine plugin (default: piper; espeak-ng for a language "
                   "with no Piper voice installed). See `e2a voices`.")
@click.option("--voice", "-v", default=None, metavar="NAME|PATH",
              help="Voice name or path (Piper: .onnx with its .onnx.json beside it).")
@click.option("--language", "-l", default=None, metavar="CODE",
              help="Language to speak (default: the book's).")
@click.option("--gpu", is_flag=True, help="Use a CUDA GPU; an error when there is none.")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Parallel synthesis workers (default: measured best for the engine).")
@click.option("--batch-size", "-b", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sentences per synthesis call, one process holding the model, for "
                   "voices that batch (Coqui VITS). Default: the voice's (8) with --gpu, "
                   "else 1.")
@click.option("--shard", default=None, metavar="I/N", callback=_shard,
              help="Speak only shard I of N (several machines on one shared workdir).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", callback=_settings,
              help="Engine setting, e.g. --set length_scale=1.1 (repeatable).")
@click.option("--speaker-wav", multiple=True, type=click.Path(dir_okay=False),
              help="Recording of the voice to clone (Coqui XTTS v2); repeatable.")
@click.option("--sample-rate", type=click.IntRange(8000, 192000), default=None,
              help="Resample all audio to this rate (default: the voice's).")
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr (default: only when stderr is a terminal).")
def main(workdir, engine, voice, language, gpu, workers, batch_size, shard, settings,
         speaker_wav, sample_rate, progress):
    """Speak `sentence` records (JSON Lines on stdin) into one FLAC per sentence
    under WORKDIR; write `spoken` records to stdout.

    Sentences already spoken (a complete FLAC with the same engine, voice,
    settings and text) are not spoken again, so an interrupted run resumes.
    """
    try:
        check_batch_size(batch_size, workers)    # the library's rule, as a usage error
    except EngineError as exc:
        raise click.UsageError(str(exc)) from None
    if speaker_wav:
        settings["speaker_wav"] = list(speaker_wav) if len(speaker_wav) > 1 else speaker_wav[0]
    write_records(speak(read_records(), workdir, engine=engine, voice=voice,
                        language=language, gpu=gpu, workers=workers, shard=shard,
                        progress=progress, settings=settings or None,
                        sample_rate=sample_rate, batch_size=batch_size))
