"""Every output format, per-chapter files, parts, subtitles and loudness, all
through real ffmpeg and checked with ffprobe."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import plugins.flac
import plugins.m4b
import plugins.mp3
import plugins.ogg
import plugins.wav
from e2a_bind import bind
from e2a_bind.core import measure_loudness
from e2a_bind.synth import book_records, tone
from e2a_common import InputError
from e2a_common.plugins import new_plugin_manager, set_plugin_manager
from e2a_common.workdir import audio_relpath

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
RATE = 22050
FORMATS = ["m4b", "m4a", "mp3", "ogg", "opus", "flac", "wav"]
TITLES = ["Prologue: the Start", "Chapitre 2 — « L'été »", "Three/Four?"]


@pytest.fixture(autouse=True)
def only_builtin_formats():
    pm = new_plugin_manager(load_entrypoints=False)
    for mod in (plugins.m4b, plugins.mp3, plugins.ogg, plugins.flac, plugins.wav):
        pm.register(mod, name=mod.__name__.rsplit(".", 1)[1])
    set_plugin_manager(pm)
    yield
    set_plugin_manager(None)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """3 chapters of tones of odd lengths; returns (workdir, records, cover)."""
    w = tmp_path_factory.mktemp("book")
    cover = w / "cover.jpg"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=green:s=48x64",
                    "-frames:v", "1", str(cover)], check=True)
    recs = [book_records(title="The Test Book", authors=["Ann Author", "Bo Writer"],
                         language="fr-FR", cover=str(cover), date="2001-05-06",
                         description="A book of tones.", publisher="Pub",
                         identifiers={"isbn": "9782070360024", "uuid": "x"})]
    recs += [{"kind": "chapter", "index": i, "title": t, "role": "body"}
             for i, t in enumerate(TITLES)]
    recs.append({"kind": "audio", "workdir": str(w), "engine": "synthetic",
                 "voice": "fr_FR-test-medium", "sample_rate": RATE})
    lengths = [[1.013, 0.517, 0.771], [0.333, 1.211], [0.919, 0.45, 0.6, 0.8]]
    for c, chapter in enumerate(lengths):
        for p, secs in enumerate(chapter):
            rel = audio_relpath(f"c{c}p{p}")
            (w / rel).parent.mkdir(parents=True, exist_ok=True)
            sf.write(str(w / rel), tone(secs, RATE, 300 + 50 * p + 200 * c), RATE,
                     format="FLAC", subtype="PCM_16")
            pause = "chapter" if p == len(chapter) - 1 else ("paragraph" if p == 1 else "sentence")
            recs.append({"kind": "spoken", "id": f"c{c}-s{p}", "chapter": c, "position": p,
                         "text": f"spoken {c}.{p}", "original": f"Sentence {c}.{p} <b>&</b>",
                         "pause": pause, "language": "fr", "audio": rel,
                         "duration": round(secs, 2), "sample_rate": RATE})
    return w, recs, cover


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams",
                          "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def all_tags(info: dict) -> dict:
    """Format tags plus the audio stream's (Ogg keeps its comments on the stream)."""
    tags = {k.lower(): v for k, v in (info["format"].get("tags") or {}).items()}
    for s in info["streams"]:
        if s["codec_type"] == "audio":
            tags.update({k.lower(): v for k, v in (s.get("tags") or {}).items()})
    return tags


def decoded_seconds(path: Path) -> tuple[float, str]:
    proc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "null",
                           "-progress", "pipe:1", "-"], capture_output=True, text=True)
    us = [int(x) for x in re.findall(r"out_time_us=(\d+)", proc.stdout)]
    return us[-1] / 1e6, proc.stderr.strip()


# ------------------------------------------------------------- every format
@pytest.mark.parametrize("fmt", FORMATS)
def test_format_chapters_tags_cover_duration(tmp_path, book, fmt):
    w, recs, _ = book
    out = tmp_path / f"book.{fmt}"
    r = bind(iter(recs), out)
    assert r.format == fmt and r.outputs == [out]
    info = ffprobe(out)

    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == TITLES
    for got, want in zip(chapters, r.chapters):
        assert abs(float(got["start_time"]) * 1000 - want.start_ms) <= 1
    assert r.chapters[0].start_ms == 0
    assert r.chapters[1].start_ms == r.chapters[0].end_ms

    tags = all_tags(info)
    assert tags["title"] == "The Test Book"
    assert tags["album"] == "The Test Book"
    assert tags["artist"] == "Ann Author, Bo Writer"
    assert tags["genre"] == "Audiobook"
    assert tags["date"].startswith("2001")
    if fmt != "wav":   # WAV's INFO list has no album artist or composer; its ID3 chunk does
        assert tags["album_artist"] == "Ann Author, Bo Writer"
        assert tags["composer"] == "fr_FR-test-medium"
    if fmt in ("mp3", "ogg", "opus", "flac"):
        assert tags["narrator"] == "fr_FR-test-medium"
        assert tags["isbn"] == "9782070360024"
    if fmt in ("m4b", "m4a"):
        assert tags["comment"] == "ISBN 9782070360024"
        assert tags["description"] == "A book of tones."
    if fmt in ("m4b", "m4a", "mp3", "wav"):
        assert tags["language"] == "fra"
    else:
        assert tags["language"] == "fr-FR"

    pics = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert len(pics) == 1 and pics[0]["disposition"]["attached_pic"] == 1
    assert pics[0]["width"] == 48 and pics[0]["height"] == 64

    seconds, errors = decoded_seconds(out)
    assert errors == ""
    if fmt in ("m4b", "m4a"):   # AAC decoders keep the last frame's padding; MP4 says
        seconds = float(info["format"]["duration"])
    assert abs(seconds * 1000 - r.duration_ms) <= 50


def test_m4b_is_an_audiobook(tmp_path, book):
    w, recs, _ = book
    info = ffprobe(bind(iter(recs), tmp_path / "a.m4b").output)
    tags = info["format"]["tags"]
    assert tags["major_brand"] == "M4B " and tags["media_type"] == "2"


# ------------------------------------------------------------- per chapter, parts
def test_per_chapter_beside_the_single_file(tmp_path, book):
    w, recs, _ = book
    out = tmp_path / "book.mp3"
    r = bind(iter(recs), out, per_chapter=True, subtitles=["srt"])
    assert r.outputs[0] == out and out.exists()
    names = [p.name for p in r.chapter_files]
    assert names == ["01 - Prologue the Start.mp3", "02 - Chapitre 2 — « L'été ».mp3",
                     "03 - Three Four.mp3"]
    assert all(p.parent == tmp_path / "book" for p in r.chapter_files)
    total = 0.0
    for i, (path, mark) in enumerate(zip(r.chapter_files, r.chapters), start=1):
        tags = all_tags(ffprobe(path))
        assert tags["track"] == f"{i}/3"
        assert tags["title"] == TITLES[i - 1]
        assert tags["album"] == "The Test Book"
        seconds, errors = decoded_seconds(path)
        assert errors == ""
        assert abs(seconds * 1000 - (mark.end_ms - mark.start_ms)) <= 50
        total += seconds
        assert path.with_suffix(".srt").exists()
    assert abs(total * 1000 - r.duration_ms) <= 3 * 50
    assert (tmp_path / "book.srt").exists()


def test_per_chapter_alone(tmp_path, book):
    w, recs, _ = book
    out = tmp_path / "book.flac"
    r = bind(iter(recs), out, per_chapter=True, single=False)
    assert not out.exists()
    assert len(r.chapter_files) == 3 and r.outputs == r.chapter_files
    assert sorted(p.name for p in (tmp_path / "book").iterdir()) == \
        [p.name for p in r.chapter_files]


def test_max_part_hours_splits_between_chapters(tmp_path, book):
    w, recs, _ = book
    out = tmp_path / "book.m4b"
    # chapters last ~5.4, ~3.9 and ~4.2 s: parts of at most 10 s -> [1, 2], [3]
    r = bind(iter(recs), out, max_part_hours=10 / 3600, subtitles=["vtt"])
    assert not out.exists()
    assert [p.name for p in r.parts] == ["book-part1.m4b", "book-part2.m4b"]
    one, two = (ffprobe(p) for p in r.parts)
    assert [c["tags"]["title"] for c in one["chapters"]] == TITLES[:2]
    assert [c["tags"]["title"] for c in two["chapters"]] == TITLES[2:]
    assert float(two["chapters"][0]["start_time"]) == 0.0
    assert one["format"]["tags"]["title"] == "The Test Book (Part 1 of 2)"
    assert one["format"]["tags"]["track"] == "1/2"
    assert two["format"]["tags"]["disc"] == "2/2"
    d1, d2 = (float(i["format"]["duration"]) * 1000 for i in (one, two))
    assert abs(d1 - r.chapters[1].end_ms) <= 50
    assert abs(d2 - (r.chapters[2].end_ms - r.chapters[2].start_ms)) <= 50
    vtt = (tmp_path / "book-part2.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> ")   # times restart in each part


# ------------------------------------------------------------- subtitles
def test_subtitles_follow_sentence_timings(tmp_path, book):
    w, recs, _ = book
    out = tmp_path / "book.ogg"
    r = bind(iter(recs), out, subtitles=["srt", "vtt"], trim_db=None,
             pauses={"sentence": 0.2, "paragraph": 0.5, "chapter": 1.0})
    assert sorted(p.name for p in r.subtitles) == ["book.srt", "book.vtt"]
    srt = (tmp_path / "book.srt").read_text()
    cues = srt.strip().split("\n\n")
    assert len(cues) == 9
    assert cues[0].splitlines() == ["1", "00:00:00,000 --> 00:00:01,013",
                                    "Sentence 0.0 <b>&</b>"]
    # second sentence starts after the first (1.013 s) and a sentence pause (0.2 s)
    assert cues[1].splitlines()[1] == "00:00:01,213 --> 00:00:01,730"
    # chapter 2's first sentence starts exactly at its chapter mark
    start = cues[3].splitlines()[1].split(" --> ")[0]
    ms = r.chapters[1].start_ms
    assert start == f"00:00:{ms // 1000:02d},{ms % 1000:03d}"
    vtt = (tmp_path / "book.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.013\nSentence 0.0 &lt;b&gt;&amp;")
    assert vtt.count(" --> ") == 9


def test_unknown_subtitle_format(tmp_path, book):
    with pytest.raises(InputError, match="unknown subtitle format"):
        bind(iter(book[1]), tmp_path / "x.m4b", subtitles=["ass"])


# ------------------------------------------------------------- loudness
def test_loudness_is_one_gain_for_the_whole_book(tmp_path):
    """Two chapters 6 dB apart: normalised to -20 LUFS as a whole, still 6 dB apart."""
    w = tmp_path / "w"
    recs = [book_records(), {"kind": "audio", "workdir": str(w), "voice": "v",
                             "sample_rate": RATE}]
    for c, amp in enumerate((0.02, 0.04)):
        rel = audio_relpath(f"loud{c}")
        (w / rel).parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(w / rel), tone(4.0, RATE, 1000, amp=amp), RATE, format="FLAC")
        for p in range(2):
            recs.append({"kind": "spoken", "chapter": c, "position": p, "audio": rel,
                         "pause": "sentence", "text": "x"})
    r = bind(iter(recs), tmp_path / "b.flac", loudness=-20.0, per_chapter=True)
    assert r.loudness["input_lufs"] < -30
    whole, _ = measure_loudness(r.output)
    assert abs(whole - -20.0) < 0.5
    (l1, _), (l2, _) = (measure_loudness(p) for p in r.chapter_files)
    assert abs((l2 - l1) - 6.0) < 0.5
    plain = bind(iter(recs), tmp_path / "p.flac")
    assert plain.loudness is None
    assert measure_loudness(plain.output)[0] < -30


def test_loudness_respects_the_true_peak(tmp_path, capsys):
    w = tmp_path / "w"
    rel = audio_relpath("peaky")
    (w / rel).parent.mkdir(parents=True, exist_ok=True)
    x = tone(2.0, RATE, 500, amp=0.01)
    x[RATE] = 0.5                                  # one loud click
    sf.write(str(w / rel), x, RATE, format="FLAC")
    recs = [{"kind": "audio", "workdir": str(w), "voice": "v", "sample_rate": RATE},
            {"kind": "spoken", "chapter": 0, "position": 0, "audio": rel, "pause": "none"}]
    r = bind(iter(recs), tmp_path / "b.wav", loudness=-16.0, true_peak=-1.0)
    assert "the true peak allows" in capsys.readouterr().err
    _, peak = measure_loudness(r.output)
    assert peak <= -0.5
    data, _ = sf.read(str(r.output))
    assert np.abs(data).max() < 1.0
