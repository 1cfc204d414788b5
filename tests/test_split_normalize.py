"""Normalisation: what a narrator would read, per language; never crashes."""
from __future__ import annotations

import pytest

from e2a_split.normalize import speakable
from e2a_split.numbers import roman_value, zh_cardinal

LANGS = ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja", "cs", "xx"]


@pytest.mark.parametrize("text,lang,want", [
    ("Mr. Smith arrived.", "en", "Mister Smith arrived."),
    ("The drôle Dr. Who.", "en", "The drôle Doctor Who."),
    ("C'est drôle, Dr Martin.", "fr", "C'est drôle, docteur Martin."),
    ("Mme Durand et M. Dupont.", "fr", "Madame Durand et Monsieur Dupont."),
    ("Hommes, femmes, etc.", "fr", "Hommes, femmes, et cetera."),
    ("Das ist z. B. gut.", "de", "Das ist zum Beispiel gut."),
    ("Baker St. is long.", "en", "Baker Street is long."),
    ("St. Paul is here.", "en", "Saint Paul is here."),
    ("It is 10:30 now.", "en", "It is ten thirty now."),
    ("At 00:00 exactly.", "en", "At midnight exactly."),
    ("Il est 00:00.", "fr", "Il est minuit."),
    ("Um 10:30 Uhr.", "de", "Um zehn Uhr dreißig."),
    ("A las 10:30.", "es", "A las diez y media."),
    ("Chapter XII", "en", "Chapter twelve"),
    ("Louis XIV was king.", "en", "Louis the fourteenth was king."),
    ("After World War II ended.", "en", "After World War two ended."),
    ("I said MIX it, and CD too.", "en", "I said MIX it, and CD too."),
    ("Louis XIV et le XIXe siècle.", "fr", "Louis quatorze et le dix-neuvième siècle."),
    ("Byl v Praze i v Brně.", "cs", "Byl v Praze i v Brně."),
    ("He paid $3.50.", "en", "He paid three dollars and fifty cents."),
    ("Il a payé 3,50 €.", "fr", "Il a payé trois euros et cinquante centimes."),
    ("Er zahlte 1.000 Euro.", "de", "Er zahlte eintausend Euro."),
    ("It rose 12%.", "en", "It rose twelve percent."),
    ("Pi is 3.14.", "en", "Pi is three point one four."),
    ("Pi vaut 3,14.", "fr", "Pi vaut trois virgule quatorze."),
    ("We walked 5 km.", "en", "We walked five kilometres."),
    ("On the 1st of May.", "en", "On the first of May."),
    ("Le 1er mai.", "fr", "Le premier mai."),
    ("Am 3. Mai.", "de", "Am dritten Mai."),
    ("В 1812 году.", "ru", "В тысяча восемьсот двенадцатом году."),
    ("W 1999 roku.", "pl", "W tysiąc dziewięćset dziewięćdziesiątym dziewiątym roku."),
    ("In 1984.", "en", "In nineteen eighty-four."),
    ("Write to me@example.org.", "en", "Write to me at example dot org."),
    ("“Stop!” he said.", "en", "Stop! he said."),
    ("He waited… and waited...", "en", "He waited… and waited…"),
    ("It was—no, it wasn’t.", "en", "It was, no, it wasn't."),
    ("He said: “Go home.”", "en", "He said: Go home."),
    ("10:30花了$3.50，约12%。", "zh", "十点三十分花了三点五美元，约百分之十二。"),
    ("3,500円を払った。", "ja", "三千五百円を払った。"),
    ("١٢ كتاباً", "ar", "اثنا عشر كتاباً"),
])
def test_speakable(text, lang, want):
    assert speakable(text, lang) == want


def test_abbreviations_never_inside_words():
    for lang in LANGS:
        for word in ("drôle", "Mrs", "Drake", "Stone", "Mister", "summary", "Mmeh", "ulica"):
            assert word in speakable(f"The {word} here.", lang)


def test_roman_numerals_only_where_they_are_numbers():
    assert speakable("Then I went home.", "en") == "Then I went home."
    assert speakable("Mix it. MIX it. DC and MD.", "en") == "Mix it. MIX it. DC and MD."
    assert speakable("XII", "en", heading=True) == "twelve."
    assert speakable("Le roi et Ce livre.", "fr") == "Le roi et Ce livre."
    assert speakable("I ragazzi giocano.", "it") == "I ragazzi giocano."


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_that_converters_cannot_handle_never_crash(lang):
    for text in ["10" * 60, "-7", "0", "-3.75", "1e99", "3,5,7", "12:99", "99:30", "1.2.3.4",
                 "٣٤٥", "١٢٫٥", "$-4", "%%%", "2020-13-45", "XXXXX", "MMMMCMXCIX", "0th", "-0",
                 "1st 2nd 3ème 1º 2ª 5-й 3. Mai", "١٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠"]:
        out = speakable(f"Value {text} here.", lang)
        assert out and "Value" in out


def test_heading_gets_a_full_stop_but_sentences_keep_theirs():
    assert speakable("The Fox and the Grapes", "en", heading=True) == "The Fox and the Grapes."
    assert speakable("Who goes there?", "en", heading=True) == "Who goes there?"
    assert speakable("第一章", "zh", heading=True) == "第一章。"


def test_nothing_speakable_is_empty():
    for t in ("* * *", "…", "—", "“”", "  ", "***", "§"):
        assert speakable(t, "en") in ("", "section")


def test_zh_cardinal_and_roman_value():
    assert [zh_cardinal(n) for n in (10, 15, 101, 1010, 10001, 20020, 123456789)] == [
        "十", "十五", "一百零一", "一千零一十", "一万零一", "二万零二十", "一亿二千三百四十五万六千七百八十九"]
    assert roman_value("XIV") == 14 and roman_value("IIII") is None and roman_value("ABC") is None
