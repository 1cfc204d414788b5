"""e2a-extract: an ebook in, JSON Lines (book, chapter, block records) out."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from e2a_common import ExtractOptions
from e2a_common.console import cli_entry, set_quiet
from e2a_common.jsonl import write_record

from . import extract, plan


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("ebook", type=click.Path(path_type=Path, dir_okay=True, exists=False))
@click.option("--assets-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the cover image [default: "
                   "$XDG_CACHE_HOME/e2a/assets/<book_hash>/, i.e. ~/.cache/e2a/assets/...].")
@click.option("--keep-front-matter", is_flag=True,
              help="Also read front and back matter (title page, imprint, table of contents, "
                   "colophon, licence, index...), which is skipped by default.")
@click.option("--notes", type=click.Choice(["skip", "end"]), default="skip", show_default=True,
              help="Footnotes and endnotes: leave out, or read at the end of their chapter. "
                   "Note numbers are never read inline.")
@click.option("--image-alt", is_flag=True, help="Read images' alternative text.")
@click.option("--list", "list_only", is_flag=True,
              help="Print the chapter plan (index, title, words, type, role) instead of the "
                   "text, as a table on a terminal or as JSON Lines in a pipe.")
@click.option("--chapters", metavar="RANGES",
              help="Only these chapters, by index as --list shows them: 3-12, 0,2,5-7, 10-.")
@click.option("--skip-chapters", metavar="RANGES", help="Leave out these chapters.")
@click.option("--extractor", metavar="NAME",
              help="Use this extractor plugin instead of sniffing the file's format.")
@click.option("--json", "as_json", is_flag=True, help="With --list: JSON Lines even on a terminal.")
@click.option("-q", "--quiet", is_flag=True, help="Fewer messages on stderr (warnings are still shown).")
def _main(ebook: Path, assets_dir, keep_front_matter, notes, image_alt, list_only, chapters,
          skip_chapters, extractor, as_json, quiet):
    """Read EBOOK (EPUB, MOBI/AZW3, FB2, DOCX, ODT, HTML, Markdown, TXT, PDF) and write
    one book record, then each chapter record followed by its block records, as
    JSON Lines on stdout. The format is found from the file's content.

    Exit codes: 0 success, 1 unreadable, hostile or empty input, 2 usage error."""
    set_quiet(quiet)
    opts = ExtractOptions(assets_dir=assets_dir, keep_front_matter=keep_front_matter,
                          notes=notes, image_alt=image_alt)
    if chapters:
        opts.extra["chapters"] = chapters
    if skip_chapters:
        opts.extra["skip_chapters"] = skip_chapters
    if list_only:
        rows = plan(ebook, opts, extractor=extractor)
        if sys.stdout.isatty() and not as_json:
            _print_table(rows)
        else:
            for row in rows:
                write_record(row)
        return
    for record in extract(ebook, opts, extractor=extractor):
        write_record(record)


def _print_table(rows: list[dict]) -> None:
    click.echo(f"{'index':>5}  {'words':>7}  {'type':<16} {'role':<5}  title")
    for r in rows:
        idx = "-" if r["index"] is None else str(r["index"])
        click.echo(f"{idx:>5}  {r['words']:>7}  {r['type']:<16} {r['role']:<5}  {r['title']}")
    read = [r for r in rows if r["index"] is not None]
    click.echo(f"{len(read)} chapters read, {sum(r['words'] for r in read)} words; "
               f"{len(rows) - len(read)} skipped ('-')")


main = cli_entry("e2a-extract")(_main)


if __name__ == "__main__":
    main()
