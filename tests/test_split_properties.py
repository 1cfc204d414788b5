"""Property tests (hypothesis): whatever the text, e2a-split keeps every word
in order in the `original` fields, never emits an empty sentence or one over
the limit, and gives the same ids on every run."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2a_common.plugins import new_plugin_manager
from e2a_split import split

PM = new_plugin_manager(load_entrypoints=False)

TOKENS = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçôüßłż", min_size=1, max_size=12),
    st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщыэюя", min_size=1, max_size=10),
    st.text(alphabet="的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", min_size=1, max_size=25),
    st.text(alphabet="あいうえおかきくけこさしすせそアイウエオ漢字", min_size=1, max_size=20),
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=1, max_size=10),
    st.sampled_from(["Mr.", "Dr.", "M.", "Mme", "St.", "z. B.", "т. е.", "etc.", "e.g.", "I", "MIX",
                     "XIV", "Louis", "Chapter", "v", "i", "drôle", "1st", "2e", "3.", "1er", "5-й"]),
    st.sampled_from([".", "!", "?", "…", "...", ",", ";", ":", "—", "–", "-", "«", "»", "“", "”",
                     "\"", "'", "(", ")", "。", "！", "？", "，", "、", "* * *", "&", "%", "§", "°"]),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.sampled_from(["10:30", "00:00", "3,50", "3.50", "1,234.5", "1.234,5", "1 000", "$5", "5 €",
                     "12%", "5 km", "-3 °C", "2020-03-12", "٣٤٥", "10 h 30", "https://ex.com/a",
                     "a@b.org", "221B", "10" * 30]),
)
TEXTS = st.lists(TOKENS, min_size=0, max_size=60).map(" ".join)
LANGS = st.sampled_from(["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja", "cs"])
LIMITS = st.sampled_from([40, 80, 400])
BLOCK_TYPES = st.sampled_from(["paragraph", "heading", "verse", "note"])


def records(blocks, lang):
    yield {"kind": "book", "language": lang}
    chapter = -1
    for i, (text, btype, new_chapter) in enumerate(blocks):
        if new_chapter or chapter < 0:
            chapter += 1
            yield {"kind": "chapter", "index": chapter, "title": "t"}
        yield {"kind": "block", "chapter": chapter, "index": i, "type": btype, "text": text}


def alnum(s: str) -> list[str]:
    return [c for c in s if c.isalnum()]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(st.tuples(TEXTS, BLOCK_TYPES, st.booleans()), max_size=5),
       lang=LANGS, limit=LIMITS)
def test_split_properties(blocks, lang, limit):
    out = list(split(records(blocks, lang), max_chars=limit, pm=PM))
    again = list(split(records(blocks, lang), max_chars=limit, pm=PM))
    assert out == again  # same book, same ids (and same everything)
    sents = [r for r in out if r["kind"] == "sentence"]
    # every letter and digit of the input, in order, in the original fields
    assert alnum("".join(b[0] for b in blocks)) == alnum("".join(s["original"] for s in sents))
    for s in sents:
        assert s["text"].strip() and s["text"] == s["text"].strip()
        assert len(s["text"]) <= limit
        assert s["pause"] in ("none", "sentence", "paragraph", "heading", "chapter")
    # ids: unique, positions count from 0 in each chapter
    assert len({s["id"] for s in sents}) == len(sents)
    seen: dict[int, int] = {}
    for s in sents:
        assert s["position"] == seen.get(s["chapter"], 0)
        seen[s["chapter"]] = s["position"] + 1
        assert s["id"] == f"c{s['chapter']:04d}-s{s['position']:05d}"
    # other records pass through in order
    assert [r["kind"] for r in out if r["kind"] != "sentence"] == \
        [r["kind"] for r in records(blocks, lang) if r["kind"] != "block"]
