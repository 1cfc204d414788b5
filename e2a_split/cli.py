"""e2a-split: JSON Lines blocks on stdin -> sentence records on stdout."""
from __future__ import annotations

import click

from e2a_common.console import cli_entry
from e2a_common.jsonl import read_records, write_record

from . import split
from .lexicon import Lexicon, load


def load_lexicons(paths) -> Lexicon:
    lex = Lexicon()
    for p in paths:
        lex.merge(load(p))
    return lex


@cli_entry("e2a-split")
@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--language", metavar="BCP47",
              help="Language of the text (default: the book record's, else en).")
@click.option("--max-chars", type=click.IntRange(min=20), metavar="N",
              help="Longest text per sentence (default: the engine's limit, else 400).")
@click.option("--engine", metavar="NAME",
              help="Engine whose input limit applies (default: piper if installed).")
@click.option("--lexicon", "lexicons", multiple=True, metavar="FILE",
              help="Pronunciation lexicon: TSV (word<TAB>alias[<TAB>ipa]) or W3C PLS; "
                   "repeatable, the first wins.")
def main(language, max_chars, engine, lexicons):
    """Cut text blocks into sentences an engine can speak.

    Reads e2a records (JSON Lines) on stdin, replaces each `block` record by
    `sentence` records and passes every other record through. Exit codes: 0
    success, 1 bad input, 2 usage error.
    """
    lex = load_lexicons(lexicons) if lexicons else None  # bad file: one-line error, exit 1
    for rec in split(read_records(), language=language, max_chars=max_chars, engine=engine,
                     lexicon=lex):
        write_record(rec)
