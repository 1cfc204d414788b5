"""e2a-split: blocks -> sentences (segmentation, chunking, ids, pauses, CLI)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from e2a_common import hookimpl
from e2a_common.errors import PluginError, RecordError
from e2a_common.interfaces import Engine
from e2a_common.plugins import new_plugin_manager
from e2a_split import resolve_max_chars, split
from e2a_split.chunk import cut
from e2a_split.segment import sentences

NO_PLUGINS = new_plugin_manager(load_entrypoints=False)


def run(records, **kw):
    kw.setdefault("pm", NO_PLUGINS)
    return list(split(iter(records), **kw))


def book(lang="en"):
    return {"kind": "book", "title": "T", "language": lang}


def chapter(i, title="C"):
    return {"kind": "chapter", "index": i, "title": title, "role": "body"}


def block(ch, i, text, type="paragraph"):
    return {"kind": "block", "chapter": ch, "index": i, "type": type, "text": text}


def sents(out):
    return [r for r in out if r["kind"] == "sentence"]


# ------------------------------------------------------------- segmentation
def test_sentences_english_abbreviations_and_decimals():
    got = sentences("Mr. Smith paid $3.50 on Jan. 5th. He left at 10 p.m. sharp. "
                    "“Is it hot?” she asked. Dr. Who nodded.", "en")
    assert got == ["Mr. Smith paid $3.50 on Jan. 5th.", "He left at 10 p.m. sharp.",
                   "“Is it hot?” she asked.", "Dr. Who nodded."]


def test_sentences_french_guillemets():
    got = sentences("M. Dupont est arrivé. « Bonjour ! » dit-il. Mme Durand aussi.", "fr-FR")
    assert got == ["M. Dupont est arrivé.", "« Bonjour ! » dit-il.", "Mme Durand aussi."]


def test_sentences_chinese_closing_quote_stays_with_its_sentence():
    got = sentences("他说：“你好。”然后走了。今天天气很好！是吗？", "zh")
    assert got == ["他说：“你好。”然后走了。", "今天天气很好！", "是吗？"]


def test_sentences_titles_initials_and_german_ordinals():
    assert sentences("J.-P. Sartre est né en 1905. Il est mort en 1980.", "fr") == [
        "J.-P. Sartre est né en 1905.", "Il est mort en 1980."]
    assert sentences("Das geschah im 19. Jahrhundert. Heute nicht.", "de") == [
        "Das geschah im 19. Jahrhundert.", "Heute nicht."]
    assert sentences("O Sr. Silva chegou. Disse olá.", "pt") == ["O Sr. Silva chegou.", "Disse olá."]
    assert sentences("“Stop!” he said. Nobody listened.", "en") == [
        "“Stop!” he said.", "Nobody listened."]


def test_sentences_german_quotes_open_with_guillemet_pointing_right():
    got = sentences("Rasch um den Arzt. Hast du ihn gehört?« »Das war eine Tierstimme«, "
                    "sagte der Prokurist.", "de")
    assert got == ["Rasch um den Arzt.", "Hast du ihn gehört?«",
                   "»Das war eine Tierstimme«, sagte der Prokurist."]


def test_sentences_japanese():
    got = sentences("「こんにちは。」と彼は言った。今日は良い天気です！本当？", "ja")
    assert got == ["「こんにちは。」と彼は言った。", "今日は良い天気です！", "本当？"]


@pytest.mark.parametrize("which", ["sentencex", "pysbd"])
@pytest.mark.parametrize("lang", ["en", "fr", "de", "zh", "ja", "ar", "xx"])
def test_sentences_never_lose_text(which, lang):
    text = "One. Two!  Three? «Four.» Five… six... — seven; eight 。九！十？「十一。」と"
    got = sentences(text, lang, which=which)
    assert re.sub(r"\s+", "", "".join(got)) == re.sub(r"\s+", "", text)
    assert all(s.strip() == s and s for s in got)


# ----------------------------------------------------------------- chunking
def test_cut_prefers_clause_boundaries_and_never_cuts_words():
    text = ("The night was long and the road was longer still; the travellers, "
            "tired and cold, pressed on: nobody spoke — nobody dared, for the wolves "
            "were near and the fire had died an hour before")
    pieces = cut(text, 60)
    assert all(0 < len(p) <= 60 for p in pieces)
    assert " ".join(pieces).split() == text.split()  # no word cut or lost
    assert pieces[0].endswith(";")


def test_cut_keeps_numbers_and_times_whole():
    pieces = cut("It cost 3,50 euros at 10:30 and then, well, nothing happened at all.", 30)
    assert "3,50" in " ".join(pieces) and "10:30" in " ".join(pieces)
    assert all(len(p) <= 30 for p in pieces)


def test_cut_script_without_spaces():
    text = "这是一个很长的句子" * 30
    pieces = cut(text, 50)
    assert all(0 < len(p) <= 50 for p in pieces)
    assert "".join(pieces) == text


def test_cut_prefers_sentence_end_inside_long_cjk_run():
    text = "甲" * 30 + "。" + "乙" * 30
    assert cut(text, 40) == ["甲" * 30 + "。", "乙" * 30]


def test_long_sentence_in_records_is_cut_below_limit():
    long = ", ".join(f"clause number {i} of a very long sentence" for i in range(30)) + "."
    out = sents(run([book(), chapter(0), block(0, 0, long)], max_chars=120))
    assert len(out) > 1
    assert all(len(s["text"]) <= 120 for s in out)
    assert " ".join(s["original"] for s in out).split() == long.split()
    assert [s["pause"] for s in out[:-1]] == ["none"] * (len(out) - 1)
    assert out[-1]["pause"] == "chapter"


# --------------------------------------------------------- records and ids
def test_records_pass_through_in_order_and_ids_are_stable():
    recs = [book(), {"kind": "mystery", "x": 1}, chapter(0),
            block(0, 0, "Chapter One", "heading"),
            block(0, 1, "It was a dark night. The rain fell."),
            {"kind": "note", "y": 2},
            block(0, 2, "Then came morning."),
            chapter(1), block(1, 0, "Another chapter starts here.")]
    a, b = run(recs, max_chars=400), run(recs, max_chars=400)
    assert a == b
    kinds = [r["kind"] for r in a]
    assert kinds == ["book", "mystery", "chapter", "sentence", "sentence", "sentence",
                     "note", "sentence", "chapter", "sentence"]
    s = sents(a)
    assert [x["id"] for x in s] == ["c0000-s00000", "c0000-s00001", "c0000-s00002",
                                    "c0000-s00003", "c0001-s00000"]
    assert [x["position"] for x in s] == [0, 1, 2, 3, 0]
    assert [x["pause"] for x in s] == ["heading", "sentence", "paragraph", "chapter", "chapter"]
    assert all(x["language"] == "en" for x in s)
    assert s[0]["original"] == "Chapter One" and s[0]["text"] == "Chapter One."


def test_heading_without_full_stop_never_runs_into_next_sentence():
    out = sents(run([book(), chapter(0), block(0, 0, "The Fox and the Grapes", "heading"),
                     block(0, 1, "One hot summer's day a Fox was strolling.")]))
    assert out[0]["original"] == "The Fox and the Grapes"
    assert out[0]["pause"] == "heading"
    assert out[1]["original"].startswith("One hot")


def test_no_empty_sentences():
    recs = [book(), chapter(0), block(0, 0, ""), block(0, 1, "   "), block(0, 2, "* * *"),
            block(0, 3, "…"), block(0, 4, "Real words here."), block(0, 5, "—")]
    out = sents(run(recs))
    assert [s["original"] for s in out] == ["Real words here."]
    assert out[0]["pause"] == "chapter"


def test_language_from_book_and_override():
    recs = [book("fr-FR"), chapter(0), block(0, 0, "M. Dupont arrive. Il pleut beaucoup.")]
    out = sents(run(recs))
    assert [s["original"] for s in out] == ["M. Dupont arrive.", "Il pleut beaucoup."]
    assert {s["language"] for s in out} == {"fr-FR"}
    assert {s["language"] for s in sents(run(recs, language="de"))} == {"de"}


def test_unknown_block_fields_pass_through():
    b = block(0, 0, "Hello there world. Good night moon.")
    b["x_custom"] = {"x": "y"}
    out = sents(run([b]))
    assert all(s["x_custom"] == {"x": "y"} for s in out)


def test_block_without_text_is_a_record_error():
    with pytest.raises(RecordError, match="no text"):
        run([{"kind": "block", "chapter": 0, "_line": 7}])


def test_streams_lazily():
    seen = []

    def source():
        for i in range(3):
            seen.append(i)
            yield block(0, i, f"First sentence of block {i}. Second sentence of block {i}.")

    gen = split(source(), max_chars=400, pm=NO_PLUGINS)
    first = next(gen)
    assert first["original"] == "First sentence of block 0." and seen == [0]
    second = next(gen)  # the last sentence of a block waits for the next record
    assert second["original"] == "Second sentence of block 0." and seen == [0, 1]


# ------------------------------------------------------------ engine limits
class _TinyEngine(Engine):
    name = "tiny"
    max_chars = 50


class _TinyPlugin:
    @hookimpl
    def register_engines(self, register):
        register(_TinyEngine())


def test_max_chars_from_named_engine():
    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(_TinyPlugin(), name="tiny")
    assert resolve_max_chars(None, "tiny", pm) == 50
    assert resolve_max_chars(70, "tiny", pm) == 70
    assert resolve_max_chars(None, None, NO_PLUGINS) == 400
    with pytest.raises(PluginError, match="unknown engine 'nope'"):
        resolve_max_chars(None, "nope", pm)
    text = "word " * 40
    out = sents(run([block(0, 0, text)], engine="tiny", pm=pm))
    assert all(len(s["text"]) <= 50 for s in out) and len(out) >= 4


# ---------------------------------------------------------------------- CLI
def _cli(args, stdin):
    env = dict(os.environ, E2A_PLUGINS="")
    return subprocess.run([sys.executable, "-c", "from e2a_split.cli import main; main()", *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_cli_splits_and_flushes_json_lines():
    stdin = "\n".join(json.dumps(r) for r in [
        book(), chapter(0), block(0, 0, "Title", "heading"),
        block(0, 1, "A first sentence. A second sentence.")]) + "\n\n"
    p = _cli(["--max-chars", "100"], stdin)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["kind"] for r in lines] == ["book", "chapter", "sentence", "sentence", "sentence"]
    assert "_line" not in p.stdout


def test_cli_malformed_line_is_one_line_error():
    p = _cli([], '{"kind":"book","language":"en"}\nnot json\n')
    assert p.returncode == 1
    assert p.stderr.strip().splitlines()[-1].startswith("e2a-split: error: <stdin>:2: not valid JSON")
    assert "Traceback" not in p.stderr


def test_cli_unknown_engine_is_one_line_error():
    p = _cli(["--engine", "nope"], "")
    assert p.returncode == 2  # an unknown name is a usage error
    assert "unknown engine 'nope'" in p.stderr and "Traceback" not in p.stderr


def test_cli_usage_error():
    p = _cli(["--max-chars", "5"], "")
    assert p.returncode == 2


class _TokenEngine(Engine):
    """Declares a token limit: 12 tokens, one per word or digit group."""
    name = "tok"
    max_chars = 400
    max_tokens = 12

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+", text))


class _TokenPlugin:
    @hookimpl
    def register_engines(self, register):
        register(_TokenEngine())


def test_token_limit_from_engine():
    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(_TokenPlugin(), name="tok")
    text = ("In 1998 the committee, after long and bitter debate, paid $1,250.75 for the "
            "house on the hill; nobody, not even the mayor, thought it was worth it.")
    out = sents(run([block(0, 0, text)], engine="tok", pm=pm))
    eng = _TokenEngine()
    assert len(out) > 2
    assert all(eng.count_tokens(s["text"]) <= 12 for s in out)
    assert " ".join(s["original"] for s in out).split() == text.split()


def test_short_sentences_merge_without_growing_into_one_chunk():
    from e2a_split.chunk import merge_short
    assert merge_short(["The end.", "Oh.", "Yes!"], 400, 8) == ["The end. Oh. Yes!"]
    got = merge_short(["A long sentence about the weather today.", "Oh.",
                       "Another long sentence about the sea.", "Yes.", "No."], 400, 8)
    assert got == ["A long sentence about the weather today.",
                   "Oh. Another long sentence about the sea.", "Yes. No."] or \
        got == ["A long sentence about the weather today.",
                "Oh. Another long sentence about the sea. Yes. No."]
    many = merge_short(["Yes."] * 200, 400, 8)
    assert all(len(p) <= 400 for p in many) and " ".join(many) == " ".join(["Yes."] * 200)
    assert merge_short(["これは文です。"] * 5, 400, 4, sep="") == ["これは文です。"] * 5


def test_huge_blocks_do_not_overflow_the_stack():
    # a book with no paragraphs, no spaces or no sentence ends (time is linear; not asserted)
    for text in ("a" * 40_000, "这是一个很长的句子" * 4_000, "这是句子。" * 6_000,
                 "This is it. " * 3_000):
        out = sents(run([block(0, 0, text)], max_chars=400))
        assert all(0 < len(s["text"]) <= 400 for s in out)
        assert "".join(s["original"] for s in out).replace(" ", "") == text.replace(" ", "")


def test_cli_closed_stdout_ends_quietly_with_0():
    # `e2a-split < book.jsonl | head -1`: many times, since the race varies
    stdin = "".join(json.dumps(block(0, i, f"Sentence number {i} of the book. And another one.")) + "\n"
                    for i in range(3000))
    env = dict(os.environ, E2A_PLUGINS="")
    for _ in range(3):
        p = subprocess.Popen([sys.executable, "-c", "from e2a_split.cli import main; main()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, text=True)
        def feed(p=p):
            try:
                p.stdin.write(stdin)
                p.stdin.close()
            except BrokenPipeError:
                pass
        import threading
        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        assert json.loads(p.stdout.readline())["kind"] == "sentence"
        p.stdout.close()
        assert p.wait(timeout=60) == 0
        feeder.join(timeout=10)
        assert p.stderr.read() == ""


@pytest.mark.parametrize("rec, msg", [
    ({"kind": "block", "index": 0, "type": "paragraph", "text": "Hello there."}, "no chapter"),
    ({"kind": "block", "chapter": None, "index": 0, "text": "Hello there."}, "no chapter"),
    ({"kind": "block", "chapter": 0, "index": 0, "type": "paragraph"}, "no text"),
    ({"kind": "block", "chapter": 0, "text": None}, "no text"),
    ({"kind": "block", "chapter": 0, "text": 5}, "bad text"),
    ({"kind": "block", "chapter": "zero", "text": "Hi."}, "bad chapter: 'zero'"),
    ({"kind": "block", "chapter": True, "text": "Hi."}, "bad chapter: True"),
    ({"kind": "block", "chapter": -1, "text": "Hi."}, "bad chapter: -1"),
])
def test_block_required_fields_are_checked_and_the_line_named(rec, msg):
    recs = [{"kind": "chapter", "index": 0, "title": "One", "_line": 2}, dict(rec, _line=3)]
    with pytest.raises(RecordError, match=msg) as info:
        run(recs)
    assert str(info.value).startswith("<stdin>:3: block record has ")


def test_cli_block_without_chapter_exits_1_naming_the_line():
    import subprocess
    import sys
    stream = ('{"kind":"book","title":"T","authors":[],"language":"en"}\n'
              '{"kind":"chapter","index":0,"title":"Chapter 1","role":"body"}\n'
              '{"kind": "block", "index": 0, "type": "paragraph", "text": "Hello there."}\n')
    proc = subprocess.run([sys.executable, "-c", "from e2a_split.cli import main; main()"], input=stream,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith("error: <stdin>:3: block record has no chapter")


@pytest.mark.parametrize("book_lang", ["und", "UND", "mul", "zxx", "", None, 5, "missing"])
def test_unknown_book_language_is_split_with_neutral_rules_and_stays_unknown(book_lang, capsys):
    book = {"kind": "book", "title": "T", "source": "tiny.txt"}
    if book_lang != "missing":
        book["language"] = book_lang
    recs = [book, {"kind": "chapter", "index": 0, "title": "One"},
            block(0, 0, "Dr. Smith paid $5 on 3 May. Then he left the house.")]
    out = sents(run(recs))
    assert [s["original"] for s in out] == ["Dr. Smith paid $5 on 3 May.",
                                            "Then he left the house."]
    assert out[0]["text"] == "Doctor Smith paid five dollars on the third of May."
    assert {s["language"] for s in out} == {"und"}     # speak must know it is unknown
    err = capsys.readouterr().err
    assert "tiny.txt: the book's language is unknown" in err and "--language" in err
    assert err.count("\n") == 1


def test_known_language_wins_over_unknown_block_language():
    recs = [{"kind": "book", "title": "T", "language": "fr"},
            {"kind": "chapter", "index": 0, "title": "Un"},
            dict(block(0, 0, "M. Dupont est parti."), language="und")]
    out = sents(run(recs))
    assert {s["language"] for s in out} == {"fr"}
    assert out[0]["text"].startswith("Monsieur Dupont")
    # --language overrides an unknown book language
    recs[0]["language"] = "und"
    assert {s["language"] for s in sents(run(recs, language="fr"))} == {"fr"}
