"""e2a-bind: real speech (espeak-ng) and tones bound with real ffmpeg, checked with ffprobe."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import plugins.flac
import plugins.m4b
import plugins.mp3
import plugins.ogg
import plugins.wav
from e2a_bind import DEFAULT_PAUSES, bind
from e2a_bind.synth import book_records, espeak_flac, tone_book
from e2a_common import FormatError, InputError, RecordError
from e2a_common.plugins import new_plugin_manager, set_plugin_manager

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "E2A_PLUGINS": "m4b,mp3,ogg,flac,wav"}

SENTENCES = [
    # (chapter, text, pause)
    (0, "The Fox and the Grapes.", "heading"),
    (0, "One hot summer's day a Fox was strolling through an orchard.", "sentence"),
    (0, "He saw a bunch of grapes.", "chapter"),
    (1, "The Crow and the Pitcher.", "heading"),
    (1, "A Crow, half dead with thirst, came upon a pitcher.", "paragraph"),
    (1, "Little by little the water rose.", "chapter"),
    (2, "Le Renard et la Cigogne.", "heading"),
    (2, "Le renard invita la cigogne à dîner.", "chapter"),
]
TITLES = ["The Fox and the Grapes", "The Crow and the Pitcher", "Le Renard et la Cigogne"]


@pytest.fixture(autouse=True)
def only_builtin_formats():
    pm = new_plugin_manager(load_entrypoints=False)
    for mod in (plugins.m4b, plugins.mp3, plugins.ogg, plugins.flac, plugins.wav):
        pm.register(mod, name=mod.__name__.rsplit(".", 1)[1])
    set_plugin_manager(pm)
    yield
    set_plugin_manager(None)


@pytest.fixture(scope="module")
def cover(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cover") / "cover.png"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x96",
                    "-frames:v", "1", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def speech_workdir(tmp_path_factory) -> Path:
    w = tmp_path_factory.mktemp("speech")
    for _, text, _ in SENTENCES:
        espeak_flac(w, text, voice="fr" if "Renard" in text or "renard" in text else "en")
    return w


def speech_records(w: Path, cover: Path | None) -> list[dict]:
    recs = [book_records(title="Fables; a = test #1", authors=["Aesop", "V. S. Vernon Jones"],
                         language="en", cover=str(cover) if cover else None,
                         description="Short fables.", date="1912-01-01",
                         identifiers={"isbn": "9780000000002"})]
    recs += [{"kind": "chapter", "index": i, "title": t, "role": "body"}
             for i, t in enumerate(TITLES)]
    recs.append({"kind": "audio", "workdir": str(w), "engine": "espeak-ng", "voice": "en+fr",
                 "sample_rate": 22050})
    pos = {}
    for n, (c, text, pause) in enumerate(SENTENCES):
        rel = espeak_flac(w, text, voice="fr" if "enard" in text else "en")
        info = sf.info(str(w / rel))
        p = pos[c] = pos.get(c, -1) + 1
        recs.append({"kind": "spoken", "id": f"c{c:04d}-s{p:05d}", "chapter": c, "position": p,
                     "text": text, "original": text, "pause": pause, "language": "en",
                     "audio": rel, "duration": info.frames / info.samplerate,
                     "sample_rate": info.samplerate})
    return recs


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams",
                          "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def decodes_cleanly(path: Path) -> bool:
    proc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a",
                           "-f", "null", "-"], capture_output=True, text=True)
    return proc.returncode == 0 and proc.stderr.strip() == ""


def expected_starts(w: Path, recs: list[dict], pauses=DEFAULT_PAUSES) -> tuple[list, float]:
    """Chapter starts and total duration (s) computed from the untrimmed parts."""
    spoken = [r for r in recs if r["kind"] == "spoken"]
    t, starts, prev = 0.0, [], None
    for i, r in enumerate(spoken):
        if r["chapter"] != prev:
            starts.append(t)
            prev = r["chapter"]
        t += sf.info(str(w / r["audio"])).duration
        nxt = spoken[i + 1] if i + 1 < len(spoken) else None
        if nxt is not None:
            p = pauses[r["pause"]]
            if nxt["chapter"] != r["chapter"]:
                p = max(p, pauses["chapter"])
            t += p
    return starts, t


def no_partials(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if ".part" in p.name]


# ------------------------------------------------------------------ the m4b
def test_m4b_real_speech_chapters_tags_cover(tmp_path, speech_workdir, cover):
    recs = speech_records(speech_workdir, cover)
    out = tmp_path / "fables.m4b"
    result = bind(iter(recs), out, trim_db=None)
    info = ffprobe(out)

    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == TITLES
    starts, total = expected_starts(speech_workdir, recs)
    for ch, want in zip(chapters, starts):
        assert abs(float(ch["start_time"]) - want) < 0.003
    for a, b in zip(chapters, chapters[1:]):
        assert a["end_time"] == b["start_time"]
    assert abs(float(chapters[-1]["end_time"]) - total) < 0.003
    assert abs(float(info["format"]["duration"]) - total) < 0.050
    assert abs(result.duration_ms / 1000 - total) < 0.002

    tags = info["format"]["tags"]
    assert tags["title"] == "Fables; a = test #1"
    assert tags["album"] == "Fables; a = test #1"
    assert tags["artist"] == "Aesop, V. S. Vernon Jones"
    assert tags["album_artist"] == "Aesop, V. S. Vernon Jones"
    assert tags["genre"] == "Audiobook"
    assert tags["composer"] == "en+fr"            # the narrator: the voice
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    assert audio[0]["tags"]["language"] == "eng"
    assert int(audio[0]["channels"]) == 1
    pics = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert len(pics) == 1 and pics[0]["disposition"]["attached_pic"] == 1
    assert pics[0]["codec_name"] == "png" and pics[0]["width"] == 64
    assert decodes_cleanly(out)
    assert no_partials(tmp_path)
    assert not list((speech_workdir / "bind").glob("*.flac"))   # intermediate removed


def test_pauses_are_configurable_and_longer_after_chapters(tmp_path):
    w = tmp_path / "w"
    recs = list(tone_book(w, chapters=2, sentences_per_chapter=3, sentence_s=1.0))
    pauses = {"sentence": 0.1, "paragraph": 0.5, "chapter": 3.0}
    result = bind(iter(recs), tmp_path / "a.m4b", pauses=pauses, trim_db=None)
    # chapter 1: 3 x 1 s + 2 sentence pauses + the chapter pause
    assert result.chapters[1].start_ms == 3000 + 200 + 3000
    assert result.duration_ms == 2 * 3000 + 2 * 200 + 3000
    with pytest.raises(InputError, match="unknown pause"):
        bind(iter(recs), tmp_path / "b.m4b", pauses={"verse": 1})


def test_leading_and_trailing_silence_is_trimmed(tmp_path):
    w = tmp_path / "w"
    # each tone has 0.4 s of silence before and 0.6 s after it
    recs = list(tone_book(w, chapters=1, sentences_per_chapter=4, sentence_s=1.0,
                          lead=0.4, tail=0.6))
    trimmed = bind(iter(recs), tmp_path / "t.m4b", pauses={"sentence": 0.25, "paragraph": 0.25})
    untrimmed = bind(iter(recs), tmp_path / "u.m4b", pauses={"sentence": 0.25},
                     trim_db=None)
    assert abs(untrimmed.duration_ms - (4 * 2000 + 3 * 250)) <= 1
    # 4 x 1 s of tone + 3 pauses, within the 5 ms guard kept on each side
    assert abs(trimmed.duration_ms - (4000 + 750)) <= 4 * 10 + 1


def test_result_and_marks_are_sample_exact(tmp_path):
    w = tmp_path / "w"
    recs = list(tone_book(w, chapters=5, sentences_per_chapter=7, sentence_s=0.733,
                          rate=24000))
    r = bind(iter(recs), tmp_path / "x.m4b", trim_db=None)
    per_chapter = 7 * round(0.733 * 24000) + 5 * round(0.35 * 24000) + round(0.75 * 24000) \
        + round(2.0 * 24000)
    for i, ch in enumerate(r.chapters):
        assert ch.start_ms == (i * per_chapter) * 1000 // 24000
    info = ffprobe(tmp_path / "x.m4b")
    assert [int(round(float(c["start_time"]) * 1000)) for c in info["chapters"]] == \
        [c.start_ms for c in r.chapters]


# ------------------------------------------------------------------ errors
def test_missing_flac_is_a_one_line_error_and_no_output(tmp_path, speech_workdir):
    recs = speech_records(speech_workdir, None)
    recs[-1] = {**recs[-1], "audio": "audio/zz/missing.flac"}
    out = tmp_path / "book.m4b"
    with pytest.raises(InputError, match="missing.flac: audio file is missing"):
        bind(iter(recs), out)
    assert not out.exists() and no_partials(tmp_path)


def test_corrupt_flac_is_reported(tmp_path, speech_workdir):
    w = tmp_path / "w"
    shutil.copytree(speech_workdir, w)
    recs = speech_records(w, None)
    (w / recs[-1]["audio"]).write_bytes(b"fLaC not really")
    with pytest.raises(InputError, match="cannot read audio"):
        bind(iter(recs), tmp_path / "book.m4b")
    assert not (tmp_path / "book.m4b").exists()


def test_out_of_order_records_are_refused(tmp_path):
    recs = list(tone_book(tmp_path / "w", chapters=2, sentences_per_chapter=2, sentence_s=0.2))
    spoken = [r for r in recs if r["kind"] == "spoken"]
    head = [r for r in recs if r["kind"] != "spoken"]
    with pytest.raises(RecordError, match="out of order"):
        bind(iter(head + [spoken[0], spoken[2], spoken[1]]), tmp_path / "o.m4b")
    with pytest.raises(RecordError, match="out of order"):
        bind(iter(head + [spoken[1], spoken[0]]), tmp_path / "o.m4b")
    assert not (tmp_path / "o.m4b").exists()


def test_nothing_to_bind(tmp_path):
    with pytest.raises(InputError, match="no spoken records"):
        bind(iter([book_records()]), tmp_path / "e.m4b")
    with pytest.raises(FormatError, match="cannot tell the output format"):
        bind(iter([book_records()]), tmp_path / "e.xyz")


def test_broken_cover_is_skipped_with_a_warning(tmp_path, capsys):
    bad = tmp_path / "cover.jpg"
    bad.write_bytes(b"\xff\xd8 not a jpeg")
    recs = list(tone_book(tmp_path / "w", chapters=1, sentences_per_chapter=2, sentence_s=0.3))
    recs[0]["cover"] = str(bad)
    bind(iter(recs), tmp_path / "c.m4b")
    assert "cover is not a readable image" in capsys.readouterr().err
    assert not [s for s in ffprobe(tmp_path / "c.m4b")["streams"] if s["codec_type"] == "video"]


# ------------------------------------------------------------------ the CLI
def run_cli(args, records, tmp_path):
    stdin = "".join(json.dumps(r) + "\n" for r in records)
    return subprocess.run([sys.executable, "-c", "from e2a_bind.cli import main; main()",
                           *args], input=stdin, capture_output=True, text=True, env=ENV,
                          cwd=tmp_path)


def test_cli_binds_stdin(tmp_path, speech_workdir, cover):
    recs = speech_records(speech_workdir, cover)
    proc = run_cli(["out.m4b"], recs, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    info = ffprobe(tmp_path / "out.m4b")
    assert len(info["chapters"]) == 3


def test_cli_missing_flac_exit_1_one_line(tmp_path, speech_workdir):
    recs = speech_records(speech_workdir, None)
    recs[-2] = {**recs[-2], "audio": "audio/zz/gone.flac"}
    proc = run_cli(["out.m4b"], recs, tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("e2a-bind: error: ")
    assert "gone.flac: audio file is missing" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.m4b").exists() and no_partials(tmp_path)


def test_cli_ffmpeg_failure_exit_1_no_output(tmp_path, speech_workdir):
    recs = speech_records(speech_workdir, None)
    proc = run_cli(["out.m4b", "--bitrate", "lots"], recs, tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "ffmpeg failed while encoding m4b" in lines[0]
    assert "out.m4b: " in lines[0] and ".part" not in lines[0]
    assert not (tmp_path / "out.m4b").exists() and no_partials(tmp_path)


def test_cli_malformed_line(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from e2a_bind.cli import main; main()",
                           "o.m4b"], input='{"kind":"book"}\n{oops\n', capture_output=True,
                          text=True, env=ENV, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("e2a-bind: error: <stdin>:2: not valid JSON")


# ------------------------------------------------------------------ odd inputs
def _spoken(rel, chapter, position, pause="sentence"):
    return {"kind": "spoken", "chapter": chapter, "position": position, "audio": rel,
            "pause": pause, "text": "x"}


def test_mixed_sample_rates_and_stereo_are_converted(tmp_path):
    from e2a_bind.synth import tone
    w = tmp_path / "w"
    (w / "audio").mkdir(parents=True)
    sf.write(str(w / "audio/a.flac"), tone(1.0, 22050), 22050, format="FLAC")
    sf.write(str(w / "audio/b.flac"), tone(1.0, 16000), 16000, format="FLAC")
    stereo = np.stack([tone(0.5, 22050), tone(0.5, 22050)], axis=1)
    sf.write(str(w / "audio/c.flac"), stereo, 22050, format="FLAC")
    recs = [{"kind": "audio", "workdir": str(w), "voice": "v", "sample_rate": 22050},
            _spoken("audio/a.flac", 0, 0), _spoken("audio/b.flac", 0, 1),
            _spoken("audio/c.flac", 0, 2)]
    r = bind(iter(recs), tmp_path / "m.m4b", trim_db=None, pauses={"sentence": 0.0})
    assert abs(r.duration_ms - 2500) <= 1
    info = ffprobe(tmp_path / "m.m4b")
    assert int(info["streams"][0]["sample_rate"]) == 22050
    assert int(info["streams"][0]["channels"]) == 1


def test_a_very_long_sentence_file_is_streamed_and_trimmed(tmp_path):
    """Over 5 minutes: copied in blocks (two passes), silence trimmed at both ends."""
    from e2a_bind.synth import tone
    rate = 8000
    w = tmp_path / "w"
    (w / "audio").mkdir(parents=True)
    x = tone(301.0, rate, 300, lead=3.0, tail=4.0)
    sf.write(str(w / "audio/long.flac"), x, rate, format="FLAC")
    recs = [{"kind": "audio", "workdir": str(w), "voice": "v", "sample_rate": rate},
            _spoken("audio/long.flac", 0, 0, "none")]
    r = bind(iter(recs), tmp_path / "l.flac")
    assert abs(r.duration_ms - 301_000) <= 10


def test_existing_output_is_replaced_without_asking(tmp_path):
    recs = list(tone_book(tmp_path / "w", chapters=1, sentences_per_chapter=2, sentence_s=0.3))
    out = tmp_path / "o.mp3"
    out.write_bytes(b"old")
    bind(iter(recs), out)
    assert out.read_bytes()[:3] == b"ID3"


def test_cli_per_chapter_subtitles_and_options(tmp_path, speech_workdir):
    recs = speech_records(speech_workdir, None)
    proc = run_cli(["book.opus", "--per-chapter", "--no-single", "--subtitles", "srt",
                    "--pause", "chapter=1.5", "-q"], recs, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    files = sorted(p.name for p in (tmp_path / "book").iterdir())
    assert files == ["01 - The Fox and the Grapes.opus", "01 - The Fox and the Grapes.srt",
                     "02 - The Crow and the Pitcher.opus", "02 - The Crow and the Pitcher.srt",
                     "03 - Le Renard et la Cigogne.opus", "03 - Le Renard et la Cigogne.srt"]
    assert not (tmp_path / "book.opus").exists()
    srt = (tmp_path / "book" / "03 - Le Renard et la Cigogne.srt").read_text()
    assert "Le renard invita la cigogne à dîner." in srt


def test_cli_usage_errors_exit_2(tmp_path):
    proc = run_cli(["book.m4b", "--no-single"], [], tmp_path)
    assert proc.returncode == 2 and "--no-single needs --per-chapter" in proc.stderr
    proc = run_cli(["book.m4b", "--pause", "long"], [], tmp_path)
    assert proc.returncode == 2


def test_output_without_extension_is_a_folder_for_chapter_files(tmp_path):
    recs = list(tone_book(tmp_path / "w", chapters=2, sentences_per_chapter=2, sentence_s=0.3))
    r = bind(iter(recs), tmp_path / "out", fmt="mp3", per_chapter=True)
    assert r.output == tmp_path / "out.mp3"
    assert [p.relative_to(tmp_path).as_posix() for p in r.chapter_files] == \
        ["out/01 - Chapter 1.mp3", "out/02 - Chapter 2.mp3"]


def test_a_chapter_without_audio_gets_no_chapter_file(tmp_path, capsys):
    w = tmp_path / "w"
    recs = list(tone_book(w, chapters=1, sentences_per_chapter=2, sentence_s=0.3))
    (w / "audio" / "silent.flac").parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(w / "audio" / "silent.flac"), np.zeros(2000, np.int16), 22050, format="FLAC")
    recs.append({"kind": "chapter", "index": 1, "title": "Blank", "role": "body"})
    recs.append({"kind": "spoken", "chapter": 1, "position": 0, "audio": "audio/silent.flac",
                 "pause": "chapter", "text": "..."})
    r = bind(iter(recs), tmp_path / "b.flac", per_chapter=True, single=False)
    assert [p.name for p in r.chapter_files] == ["01 - Chapter 1.flac"]
    assert "chapter 2 (Blank) has no audio" in capsys.readouterr().err


# ------------------------------------------------------------------ verification, kills
class _Truncating:
    """A format plugin whose encoder 'forgets' the second half of the book."""
    name = "half"
    extension = "half.wav"
    description = "test"

    def write(self, job):
        data, rate = sf.read(str(job.audio), dtype="int16")
        sf.write(str(job.output), data[: len(data) // 2], rate, format="WAV")


def test_verification_refuses_a_short_output(tmp_path):
    from e2a_common import hookimpl
    from e2a_common.plugins import set_plugin_manager

    class Plugin:
        @hookimpl
        def register_formats(self, register):
            register(_Truncating())

    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(Plugin(), name="half")
    set_plugin_manager(pm)
    recs = list(tone_book(tmp_path / "w", chapters=1, sentences_per_chapter=3, sentence_s=0.5))
    out = tmp_path / "x.wav"
    with pytest.raises(FormatError, match=r"x.wav: verification failed: duration 1\.\d+ s, "
                                          r"expected 2\.\d+ s"):
        bind(iter(recs), out, fmt="half")
    assert not out.exists() and no_partials(tmp_path)


def test_killed_while_encoding_leaves_no_final_file(tmp_path):
    import signal
    import time
    from e2a_bind.synth import long_book
    recs = list(long_book(tmp_path / "w", hours=0.5, rate=22050, chapters=3))
    stdin = "".join(json.dumps(r) + "\n" for r in recs)
    (tmp_path / "in.jsonl").write_text(stdin)
    with open(tmp_path / "in.jsonl") as fin:
        proc = subprocess.Popen([sys.executable, "-c", "from e2a_bind.cli import main; main()",
                                 "book.mp3"], stdin=fin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=ENV, cwd=tmp_path,
                                start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if list(tmp_path.glob(".book.*.part.mp3")):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)        # bind and its ffmpeg
        proc.wait()
    assert not (tmp_path / "book.mp3").exists()
