"""Pronunciation lexicons: TSV, W3C PLS (user's and the EPUB's), ssml:ph hints."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from e2a_common import hookimpl
from e2a_common.errors import InputError
from e2a_common.interfaces import Engine
from e2a_common.plugins import new_plugin_manager
from e2a_split import split
from e2a_split.lexicon import load, parse_pls, parse_tsv

NO_PLUGINS = new_plugin_manager(load_entrypoints=False)
PLS = """<?xml version="1.0" encoding="utf-8"?>
<lexicon version="1.0" alphabet="ipa" xml:lang="en"
         xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">
  <lexeme><grapheme>Georgia</grapheme><grapheme>GA</grapheme><phoneme>ˈdʒɔrdʒə</phoneme></lexeme>
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
  <lexeme><grapheme>tomato</grapheme><phoneme alphabet="x-sampa">t@"mA:t@U</phoneme></lexeme>
</lexicon>"""


class _PhonemeEngine(Engine):
    name = "ph"
    max_chars = 300
    phoneme_markup = "[[ {} ]]"


class _Plugin:
    @hookimpl
    def register_engines(self, register):
        register(_PhonemeEngine())


def _pm():
    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(_Plugin(), name="ph")
    return pm


def texts(records, **kw):
    kw.setdefault("pm", NO_PLUGINS)
    kw.setdefault("max_chars", 300)
    return [r["text"] for r in split(iter(records), **kw) if r["kind"] == "sentence"]


def block(text, **extra):
    return {"kind": "block", "chapter": 0, "index": 0, "type": "paragraph", "text": text, **extra}


def test_tsv_whole_words_only(tmp_path):
    f = tmp_path / "lex.tsv"
    f.write_text("# names\nHermione\tHer-my-oh-nee\nSt\tStreet\n", encoding="utf-8")
    out = texts([block("Hermione and Hermiones walked down the Stone St with Hermione-like ease.")],
                lexicon=str(f))
    assert out == ["Her-my-oh-nee and Hermiones walked down the Stone Street with "
                   "Hermione-like ease."]


def test_lowercase_entry_matches_sentence_start():
    lex = parse_tsv("gif\tjif\n")
    assert texts([block("Gif or gif? No gifs.")], lexicon=lex) == ["Jif or jif? No gifs."]


def test_pls_alias_always_phonemes_only_when_engine_takes_them():
    lex = parse_pls(PLS)
    assert set(lex.entries) == {"Georgia", "GA", "W3C"}  # x-sampa is not IPA: skipped
    plain = texts([block("The W3C met in Georgia.")], lexicon=lex)
    assert plain == ["The World Wide Web Consortium met in Georgia."]
    ph = texts([block("The W3C met in Georgia.")], lexicon=lex, engine="ph", pm=_pm())
    assert ph == ["The World Wide Web Consortium met in [[ ˈdʒɔrdʒə ]]."]


def test_user_lexicon_wins_over_the_books(tmp_path):
    pls = tmp_path / "book.pls"
    pls.write_text(PLS, encoding="utf-8")
    user = parse_tsv("W3C\tthe consortium\n")
    recs = [{"kind": "book", "language": "en", "lexicons": [str(pls)]},
            block("The W3C met in Georgia.")]
    assert texts(recs, lexicon=user, engine="ph", pm=_pm()) == [
        "The the consortium met in [[ ˈdʒɔrdʒə ]]."]
    assert texts(recs) == ["The World Wide Web Consortium met in Georgia."]


def test_ssml_ph_hints_from_block_field():
    b = block("It was 30° north.", phonemes=[{"text": "30°", "ph": "ˈθɜrti dɪˈgriz"}])
    assert texts([b], engine="ph", pm=_pm()) == ["It was [[ ˈθɜrti dɪˈgriz ]] north."]
    assert texts([b]) == ["It was thirty degrees north."]


def test_bad_lexicons_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such lexicon"):
        load(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("just-one-column\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        load(bad)
    xml = tmp_path / "bad.pls"
    xml.write_text("<lexicon><lexeme>", encoding="utf-8")
    with pytest.raises(InputError, match="not a well-formed PLS"):
        load(xml)
    bomb = tmp_path / "bomb.pls"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                    '<lexicon xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">'
                    '<lexeme><grapheme>x</grapheme><alias>&b;</alias></lexeme></lexicon>',
                    encoding="utf-8")
    lex = load(bomb)  # entities are not expanded
    assert "aaaaaaaaaa" not in (lex.lookup("x").alias if lex.lookup("x") else "")


def test_cli_lexicon_option(tmp_path):
    f = tmp_path / "lex.tsv"
    f.write_text("Nguyen\tWin\n", encoding="utf-8")
    env = dict(os.environ, E2A_PLUGINS="")
    cmd = [sys.executable, "-c", "from e2a_split.cli import main; main()"]
    p = subprocess.run(cmd + ["--lexicon", str(f), "--max-chars", "100"],
                       input=json.dumps(block("Mr. Nguyen came home.")) + "\n",
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["text"] == "Mister Win came home."
    p = subprocess.run(cmd + ["--lexicon", str(tmp_path / "nope.pls")], input="",
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 1
    assert p.stderr.strip() == f"e2a-split: error: {tmp_path / 'nope.pls'}: no such lexicon file"


def _corpus() -> Path | None:
    env = os.environ.get("E2A_CORPUS")
    base = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    return base if base.is_dir() else None


@pytest.mark.corpus
def test_real_epub_pls_lexicon_parses():
    corpus = _corpus()
    if corpus is None or not (corpus / "en_idpf_georgia_pls-ssml.epub").exists():
        pytest.skip("corpus not present")
    with zipfile.ZipFile(corpus / "en_idpf_georgia_pls-ssml.epub") as z:
        lex = parse_pls(z.read("EPUB/lexicon/en.pls"))
    assert len(lex) > 50 and lex.lookup("Alabama").phonemes == "ˌæləˈbæmə"
    assert texts([block("They went to Alabama.")], lexicon=lex, engine="ph", pm=_pm()) == [
        "They went to [[ ˌæləˈbæmə ]]."]


def test_phoneme_markup_is_spoken_by_the_real_piper_voice():
    """The text split writes for an engine with phoneme_markup "[[ {} ]]" is
    what the real Piper voice reads: the phonemes are voiced, not dropped."""
    pytest.importorskip("piper")
    from plugins.piper import PiperEngine

    class PiperWithPhonemes(PiperEngine):
        phoneme_markup = "[[ {} ]]"

    class _P:
        @hookimpl
        def register_engines(self, register):
            register(PiperWithPhonemes())

    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(_P(), name="piper-ph")
    lex = parse_tsv("Alabama\t\tˌæləˈbæmə\n")
    [text] = texts([block("They went to Alabama.")], lexicon=lex, engine="piper", pm=pm)
    assert text == "They went to [[ ˌæləˈbæmə ]]."
    voice = PiperWithPhonemes().load_voice()
    with_word = voice.synthesize(text)
    without = voice.synthesize("They went to.")
    assert len(with_word) > len(without) + 0.2 * voice.sample_rate
    assert abs(with_word).max() > 0.1
