"""The `e2a` command. Thin click wiring over e2a.pipeline and e2a.session."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from e2a_common import plugins
from e2a_common.console import cli_entry, set_quiet
from e2a_common.errors import E2AError, EngineError, EXIT_ERROR, InputError

from . import __version__
from . import session as S
from .compat import translate_legacy_args
from .pipeline import PipelineOptions, convert_many
from e2a_speak import check_batch_size
from e2a_speak.cli import _settings as engine_settings_option

EBOOK_SUFFIXES = {".epub", ".mobi", ".azw", ".azw3", ".fb2", ".docx", ".odt", ".pdf", ".html",
                  ".htm", ".xhtml", ".md", ".markdown", ".txt", ".zip"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="e2a")
def cli():
    """e2a: turn ebooks into audiobooks with neural text-to-speech.

    \b
    e2a pipeline book.epub              convert one book (resumable)
    e2a pipeline ebooks/*.epub          convert many, one session each
    e2a sessions list                   what is in progress
    e2a plugins                         installed engines, formats, readers

    The stages also run alone and exchange JSON Lines:
    e2a-extract book.epub | e2a-split | e2a-speak --workdir W | e2a-bind out.m4b
    """


def _key_value(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"expected KEY=VALUE, got {text!r}", param_hint=option)
    return key.strip(), value.strip()


def _books(paths: tuple[str, ...], ebooks_dir: str | None) -> list[Path]:
    books = [Path(p) for p in paths]
    if ebooks_dir:
        d = Path(ebooks_dir)
        if not d.is_dir():
            raise InputError("not a directory", path=d)
        books += sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in EBOOK_SUFFIXES)
    return books


@cli.command()
@click.argument("books", nargs=-1, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (one book only).")
@click.option("--output-format", "output_format", help="Output format plugin (m4b, mp3, ...). Default: from -o, else m4b.")
@click.option("--audiobooks-dir", type=click.Path(file_okay=False), help="Where outputs go (default $E2A_HOME/audiobooks).")
@click.option("--ebooks-dir", type=click.Path(file_okay=False), help="Convert every ebook in this folder.")
@click.option("--workdir", type=click.Path(file_okay=False), help="Use this workdir instead of the session's.")
@click.option("--session", help="Session name (default: from the book's content hash).")
@click.option("--language", help="Language (ISO 639-1 or 639-3; default: the book's).")
@click.option("--engine", help="TTS engine plugin (default: piper; espeak-ng for a language with no Piper voice).")
@click.option("--voice", help="Voice name or path (default: the engine's default for the language).")
@click.option("--gpu", is_flag=True, help="Use a CUDA GPU (error if there is none).")
@click.option("--workers", "-j", type=click.IntRange(min=1), metavar="N", help="Synthesis workers (default: the engine's measured best).")
@click.option("--batch-size", type=click.IntRange(min=1), metavar="N", help="[speak] Sentences per synthesis call for voices that batch (Coqui VITS); default 8 with --gpu, else 1.")
@click.option("--force-restart", is_flag=True, help="Discard the session's work and start again.")
@click.option("--keep-workdir", is_flag=True, help="Keep the workdir after success.")
@click.option("--keep-front-matter", is_flag=True, help="[extract] Also read title page, imprint, TOC, licence...")
@click.option("--notes", type=click.Choice(["skip", "end"]), help="[extract] Footnotes: leave out (default) or read at the end of their chapter.")
@click.option("--image-alt", is_flag=True, help="[extract] Read images' alternative text.")
@click.option("--chapters", metavar="RANGES", help="[extract] Only these chapters (see e2a-extract --list): 3-12, 0,2,5-7.")
@click.option("--skip-chapters", metavar="RANGES", help="[extract] Leave out these chapters.")
@click.option("--max-chars", type=click.IntRange(min=20), help="[split] Longest text per sentence (default: the engine's limit).")
@click.option("--lexicon", multiple=True, type=click.Path(exists=True, dir_okay=False), help="[split] Pronunciation lexicon (TSV or W3C PLS); repeatable.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", callback=engine_settings_option, help="[speak] Engine setting, e.g. length_scale=1.1; repeatable.")
@click.option("--speaker-wav", multiple=True, type=click.Path(exists=True, dir_okay=False), help="[speak] Voice to clone (Coqui XTTS v2); repeatable.")
@click.option("--sample-rate", type=click.IntRange(8000, 192000), help="[speak] Resample all audio to this rate.")
@click.option("--pause", "pauses", multiple=True, metavar="HINT=SECONDS", help="[bind] Silence after sentence/paragraph/heading/chapter, e.g. chapter=2.5.")
@click.option("--per-chapter", is_flag=True, help="[bind] Also write one file per chapter.")
@click.option("--max-part-hours", type=float, help="[bind] Split into parts of at most H hours, between chapters.")
@click.option("--subtitles", multiple=True, type=click.Choice(["srt", "vtt"]), help="[bind] Sentence subtitles beside the audio.")
@click.option("--loudness", type=float, metavar="LUFS", help="[bind] Normalise to this EBU R128 loudness, e.g. -18.")
@click.option("--bitrate", help="[bind] Bitrate for lossy formats, e.g. 64k.")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: on a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def pipeline(books, output, output_format, audiobooks_dir, ebooks_dir, workdir, session, language,
             engine, voice, gpu, workers, batch_size, force_restart, keep_workdir, keep_front_matter, notes,
             image_alt, chapters, skip_chapters, max_chars, lexicon, settings, speaker_wav, sample_rate,
             pauses, per_chapter, max_part_hours, subtitles, loudness, bitrate, progress, quiet):
    """Convert ebooks to audiobooks: extract, split, speak, bind.

    Rerunning the same command resumes where it stopped: no finished sentence is
    spoken again. Exit code 1 if any book failed.
    """
    set_quiet(quiet)
    paths = _books(books, ebooks_dir)
    if not paths:
        raise click.UsageError("give at least one ebook (or --ebooks-dir)")
    if output and len(paths) > 1:
        raise click.UsageError("-o/--output takes one book; use --audiobooks-dir for many")
    if workdir and len(paths) > 1:
        raise click.UsageError("--workdir takes one book; sessions keep many books apart")
    if engine:
        plugins.get_engine(engine)  # an unknown name is a usage error before any work
    try:
        check_batch_size(batch_size, workers)    # the library's rule, as a usage error
    except EngineError as exc:
        raise click.UsageError(str(exc)) from None
    from e2a_extract.book import parse_selection
    for value, name in ((chapters, "--chapters"), (skip_chapters, "--skip-chapters")):
        try:
            parse_selection(value)
        except (ValueError, E2AError) as exc:
            raise click.BadParameter(str(exc), param_hint=name) from None
    extract = {k: v for k, v in {"keep_front_matter": keep_front_matter, "notes": notes,
                                  "image_alt": image_alt, "chapters": chapters,
                                  "skip_chapters": skip_chapters}.items() if v}
    split = {k: v for k, v in {"max_chars": max_chars, "lexicon": list(lexicon)}.items() if v}
    engine_settings = dict(settings)
    if speaker_wav:
        engine_settings["speaker_wav"] = list(speaker_wav) if len(speaker_wav) > 1 else speaker_wav[0]
    speak = {k: v for k, v in {"settings": engine_settings, "sample_rate": sample_rate}.items() if v}
    bind = {k: v for k, v in {"pauses": {k: float(v) for k, v in (_key_value(p, "--pause") for p in pauses)},
                              "per_chapter": per_chapter, "max_part_hours": max_part_hours,
                              "subtitles": list(subtitles), "loudness": loudness,
                              "bitrate": bitrate}.items() if v}
    opts = PipelineOptions(
        output=Path(output) if output else None, output_format=output_format,
        audiobooks_dir=Path(audiobooks_dir) if audiobooks_dir else None,
        workdir=Path(workdir) if workdir else None, session=session, language=language,
        engine=engine, voice=voice, gpu=gpu, workers=workers, batch_size=batch_size,
        force_restart=force_restart,
        keep_workdir=keep_workdir, progress=progress,
        extract=extract, split=split, speak=speak, bind=bind,
    )
    if len(paths) == 1:
        from .pipeline import convert
        convert(paths[0], opts)
        return
    results = convert_many(paths, opts)
    failed = [r for r in results if r[2]]
    click.echo(f"e2a: {len(results) - len(failed)} converted, {len(failed)} failed", err=True)
    for book, res, err in results:
        status = f"ok -> {res.output}" if res else f"FAILED: {err}"
        click.echo(f"  {book}: {status}", err=True)
    if failed:
        sys.exit(EXIT_ERROR)


@cli.command("plugins")
def plugins_cmd():
    """List loaded plugins and what they provide, as JSON."""
    info = {"plugins": plugins.describe(),
            "engines": sorted(plugins.engines()),
            "formats": sorted(plugins.formats()),
            "extractors": sorted(plugins.extractors())}
    click.echo(json.dumps(info, indent=2))


@cli.command()
@click.option("--engine", "-e", help="Only this engine.")
@click.option("--language", "-l", help="Only voices for this language (fr, fra, fr-FR).")
@click.option("--installed", is_flag=True, help="Only installed voices (no catalogue look-up).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--download", "fetch", metavar="NAME", help="Fetch this voice into the cache (needs --engine).")
def voices(engine, language, installed, as_json, fetch):
    """Voices: what is installed and what can be fetched.

    \b
    e2a voices --language fr
    e2a voices --engine piper --download fr_FR-siwis-medium
    """
    from . import voices as V
    if fetch:
        if not engine:
            raise click.UsageError("--download needs --engine")
        files = V.download(engine, fetch)
        click.echo(f"e2a: {engine} voice {fetch} is in the cache ({files})", err=True)
        return
    rows, warnings = V.list_voices(engine, language, fetchable=not installed)
    for w in warnings:
        click.echo(f"e2a: warning: {w}", err=True)
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
    else:
        click.echo(V.format_table(rows))


@cli.group()
def sessions():
    """Sessions in progress under $E2A_HOME/tmp."""


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@sessions.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def sessions_list(as_json):
    """What is in progress, how far, how much disk."""
    infos = S.list_sessions()
    if as_json:
        for i in infos:
            click.echo(json.dumps(i.to_dict(), ensure_ascii=False))
        return
    if not infos:
        click.echo("no sessions", err=True)
        return
    click.echo(f"{'SESSION':<24} {'STAGE':<8} {'SPOKEN':>13} {'SIZE':>9}  {'UPDATED':<25} BOOK")
    for i in infos:
        d = i.to_dict()
        spoken = f"{d['sentences_spoken'] or 0}/{d['sentences_total'] or '?'}"
        stage = d["stage"] + ("*" if d["running"] else "")
        click.echo(f"{i.name:<24} {stage:<8} {spoken:>13} {_human(i.size):>9}  {d['updated'] or '-':<25} {d['book'] or '-'}")


@sessions.command("show")
@click.argument("name")
def sessions_show(name):
    """Details of one session (JSON)."""
    found = [i for i in S.list_sessions() if i.name == name]
    if not found:
        raise E2AError(f"no session named {name!r} (see `e2a sessions list`)")
    for i in found:
        click.echo(json.dumps({**i.to_dict(), "checkpoint": i.checkpoint,
                               "audio_files": S.count_audio(i.workdir)}, indent=2, ensure_ascii=False))


@sessions.command("clean")
@click.argument("name", required=False)
@click.option("--older-than", help="Only sessions idle this long (e.g. 7d, 12h).")
@click.option("--all", "all_", is_flag=True, help="Every session that is not running.")
def sessions_clean(name, older_than, all_):
    """Delete sessions' workdirs (never one that is running)."""
    if not (name or older_than or all_):
        raise click.UsageError("name a session, or give --older-than or --all")
    limit = S.parse_age(older_than) if older_than else None
    removed = 0
    for i in S.list_sessions():
        if name and i.name != name:
            continue
        if limit is not None and S.age_seconds(i) < limit:
            continue
        if i.locked:
            click.echo(f"skipped {i.name}: running", err=True)
            continue
        S.remove_workdir(i.workdir)
        removed += 1
        click.echo(f"removed {i.name} ({i.workdir}, {_human(i.size)})", err=True)
    click.echo(f"{removed} session(s) removed", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="E2A_GUI_HOST",
              help="Address to listen on (0.0.0.0: every interface, as in Docker).")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535), envvar="E2A_GUI_PORT")
@click.option("--auth", envvar="E2A_GUI_AUTH", metavar="USER:PASSWORD",
              help="Require this login (or set E2A_GUI_AUTH, which keeps it out of `ps`).")
@click.option("--max-jobs", default=1, show_default=True, type=click.IntRange(1, 64), envvar="E2A_GUI_MAX_JOBS",
              help="Conversions running at the same time; more wait in a queue.")
@click.option("--max-upload-mb", default=200, show_default=True, type=click.IntRange(1, 100000),
              help="Largest ebook upload accepted.")
@click.option("--no-resume", is_flag=True, help="Do not restart the jobs that were running when the server stopped.")
def gui(host, port, auth, max_jobs, max_upload_mb, no_resume):
    """Web interface on http://127.0.0.1:7860: upload, convert, follow, download.

    Jobs run in the server: closing the browser stops nothing, and a restarted
    server lists the same sessions and resumes the unfinished ones. Folders:
    $E2A_HOME/ebooks (uploads), $E2A_HOME/audiobooks, $E2A_HOME/tmp (sessions).
    """
    from .gui import serve

    serve(host=host, port=port, auth=auth, max_jobs=max_jobs, max_upload_mb=max_upload_mb,
          resume=not no_resume)


@cli_entry("e2a")
def _main(args=None, **kw):
    return cli.main(args=args, prog_name="e2a", **kw)


def main(argv: list[str] | None = None):
    argv = list(sys.argv[1:] if argv is None else argv)
    return _main(translate_legacy_args(argv))
