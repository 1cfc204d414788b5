"""e2a-bind with hostile input: unwritable outputs, wrong field types, audio
paths leaving the workdir, metadata text that FFMETADATA cannot carry as is.
Real ffmpeg/ffprobe, tone books written by the test."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import plugins.flac
import plugins.m4b
import plugins.mp3
import plugins.ogg
import plugins.wav
from e2a_bind import bind
from e2a_bind.core import verify_chapters
from e2a_bind.synth import tone_book
from e2a_common import ChapterMark, E2AError, FormatError, InputError, RecordError
from e2a_common import ffmpeg
from e2a_common.plugins import new_plugin_manager, set_plugin_manager

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
ENV = {**os.environ, "E2A_PLUGINS": "m4b,mp3,ogg,flac,wav"}


@pytest.fixture(autouse=True)
def only_builtin_formats():
    pm = new_plugin_manager(load_entrypoints=False)
    for mod in (plugins.m4b, plugins.mp3, plugins.ogg, plugins.flac, plugins.wav):
        pm.register(mod, name=mod.__name__.rsplit(".", 1)[1])
    set_plugin_manager(pm)
    yield
    set_plugin_manager(None)


def tones(w: Path, chapters: int = 2) -> list[dict]:
    recs = list(tone_book(w, chapters=chapters, sentences_per_chapter=1, sentence_s=0.3))
    for n, r in enumerate(recs, start=1):
        r["_line"] = n
    return recs


def run_cli(args, records, cwd):
    stdin = "".join(json.dumps({k: v for k, v in r.items() if k != "_line"}) + "\n"
                    for r in records)
    return subprocess.run([sys.executable, "-c", "from e2a_bind.cli import main; main()",
                           *args], input=stdin, capture_output=True, text=True, env=ENV,
                          cwd=cwd)


def one_line_error(proc) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("e2a-bind: error: "), proc.stderr
    return lines[0]


def no_partials(directory: Path) -> bool:
    return not [p for p in directory.rglob("*") if ".part" in p.name]


# ------------------------------------------------------------------ F4: unwritable output
def untouched(recs):
    """Records that fail the test if bind reads any: the output is checked first."""
    for r in recs:
        raise AssertionError("bind read the records before checking the output")
        yield r


@pytest.mark.parametrize("per_chapter", [False, True])
def test_output_under_a_file_fails_before_reading_records(tmp_path, per_chapter):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "sub" / "book.m4b"
    with pytest.raises(InputError, match=r"book(\.m4b)?: cannot write the output here: .*afile "
                                         r"is not a folder"):
        bind(untouched(tones(tmp_path / "w")), out, per_chapter=per_chapter,
             single=not per_chapter)


def test_chapter_folder_that_is_a_file_fails_first(tmp_path):
    (tmp_path / "book").write_text("x")
    with pytest.raises(InputError, match="book: cannot write the output here: .*not a folder"):
        bind(untouched(tones(tmp_path / "w")), tmp_path / "book.m4b", per_chapter=True)
    assert not (tmp_path / "book.m4b").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_cli_output_in_proc_is_one_line(tmp_path):
    line = one_line_error(run_cli(["/proc/e2a_test_out.m4b"], tones(tmp_path / "w"),
                                  tmp_path))
    assert "/proc/e2a_test_out.m4b: cannot write the output here: " in line


def test_cli_output_under_a_file_is_one_line(tmp_path):
    (tmp_path / "tiny.txt").write_text("x")
    line = one_line_error(run_cli(["tiny.txt/out.m4b"], tones(tmp_path / "w"), tmp_path))
    assert "tiny.txt/out.m4b: cannot write the output here: tiny.txt is not a folder" in line


def test_oserror_while_writing_a_chapter_file_is_an_e2a_error(tmp_path):
    # the chapter file's name is taken by a folder: the rename fails
    (tmp_path / "book" / "01 - Chapter 1.m4b").mkdir(parents=True)
    with pytest.raises(E2AError, match=r"01 - Chapter 1.m4b: cannot write the output: "):
        bind(iter(tones(tmp_path / "w")), tmp_path / "book.m4b", per_chapter=True)
    assert no_partials(tmp_path)


def test_oserror_while_writing_subtitles_is_an_e2a_error(tmp_path):
    (tmp_path / "book.srt").mkdir()
    with pytest.raises(E2AError, match=r"book.srt: cannot write the subtitles: "):
        bind(iter(tones(tmp_path / "w")), tmp_path / "book.m4b", subtitles=["srt"])
    assert no_partials(tmp_path)


def test_unwritable_bind_folder_in_workdir_is_an_e2a_error(tmp_path):
    recs = tones(tmp_path / "w")
    (tmp_path / "w" / "bind").write_text("not a folder")
    with pytest.raises(InputError, match=r"w/bind: cannot write bind's temporary files"):
        bind(iter(recs), tmp_path / "book.m4b")


# ------------------------------------------------------------------ F5: field types
BAD_TYPES = [
    ("audio", "workdir", 5, "'workdir' must be a string"),
    ("audio", "sample_rate", "22050", "'sample_rate' must be an integer"),
    ("book", "cover", ["x"], "'cover' must be a string"),
    ("book", "title", 42, "'title' must be a string"),
    ("book", "authors", "Aesop", "'authors' must be a list of strings"),
    ("book", "authors", [1, 2], "'authors' must be a list of strings"),
    ("book", "language", 7, "'language' must be a string"),
    ("book", "identifiers", ["isbn"], "'identifiers' must be an object"),
    ("chapter", "index", "0", "'index' must be an integer"),
    ("chapter", "index", True, "'index' must be an integer"),
    ("chapter", "title", 3.5, "'title' must be a string"),
    ("spoken", "duration", "0.3", "'duration' must be a number"),
    ("spoken", "chapter", "0", "'chapter' must be an integer"),
    ("spoken", "position", [0], "'position' must be an integer"),
    ("spoken", "pause", ["chapter"], "'pause' must be a string"),
    ("spoken", "audio", {"p": 1}, "'audio' must be a string"),
    ("spoken", "text", 5, "'text' must be a string"),
]


@pytest.mark.parametrize("kind,name,value,message", BAD_TYPES)
def test_wrong_field_type_is_a_record_error_naming_the_line(tmp_path, kind, name, value,
                                                            message):
    recs = tones(tmp_path / "w")
    rec = next(r for r in recs if r["kind"] == kind)
    rec[name] = value
    with pytest.raises(RecordError, match=message) as exc:
        bind(iter(recs), tmp_path / "x.m4b")
    assert str(exc.value).startswith(f"<stdin>:{rec['_line']}: ")
    assert not (tmp_path / "x.m4b").exists()


def test_missing_chapter_index_is_a_record_error(tmp_path):
    recs = tones(tmp_path / "w")
    rec = next(r for r in recs if r["kind"] == "chapter")
    del rec["index"]
    with pytest.raises(RecordError, match="chapter record has no 'index'"):
        bind(iter(recs), tmp_path / "x.m4b")


def test_cli_wrong_types_are_one_line_errors(tmp_path):
    recs = tones(tmp_path / "w")
    recs[0]["cover"] = ["x"]
    assert "<stdin>:1: book record field 'cover' must be a string" in \
        one_line_error(run_cli(["y.m4b"], recs, tmp_path))
    recs = tones(tmp_path / "w")
    audio = next(n for n, r in enumerate(recs) if r["kind"] == "audio")
    recs[audio]["workdir"] = 5
    assert f"<stdin>:{audio + 1}: audio record field 'workdir' must be a string" in \
        one_line_error(run_cli(["x.m4b"], recs, tmp_path))
    assert not list(tmp_path.glob("*.m4b"))


def test_null_optional_fields_are_accepted(tmp_path):
    recs = tones(tmp_path / "w")
    recs[0].update(cover=None, title=None, authors=None, language=None)
    r = bind(iter(recs), tmp_path / "n.m4b")
    assert r.metadata["title"] == "Untitled"


# ------------------------------------------------------------------ F15: audio paths
def _first_spoken(recs):
    return next(r for r in recs if r["kind"] == "spoken")


@pytest.mark.parametrize("bad", ["../../../../etc/passwd", "/etc/passwd", "audio/../../x.flac",
                                 "audio/\x00.flac"])
def test_audio_path_outside_the_workdir_is_refused(tmp_path, bad):
    recs = tones(tmp_path / "w")
    rec = _first_spoken(recs)
    rec["audio"] = bad
    with pytest.raises(RecordError, match=r"(absolute|outside the workdir|NUL)") as exc:
        bind(iter(recs), tmp_path / "e.m4b")
    assert str(exc.value).startswith(f"<stdin>:{rec['_line']}: ")


def test_audio_path_outside_even_with_a_real_audio_file_there(tmp_path):
    recs = tones(tmp_path / "w")
    rec = _first_spoken(recs)
    outside = tmp_path / "elsewhere.flac"
    shutil.copy(tmp_path / "w" / rec["audio"], outside)
    rec["audio"] = "../elsewhere.flac"
    with pytest.raises(RecordError, match="outside the workdir"):
        bind(iter(recs), tmp_path / "e.m4b")
    rec["audio"] = str(outside)
    with pytest.raises(RecordError, match="absolute"):
        bind(iter(recs), tmp_path / "e.m4b")


def test_symlink_leading_out_of_the_workdir_is_refused(tmp_path):
    recs = tones(tmp_path / "w")
    rec = _first_spoken(recs)
    outside = tmp_path / "elsewhere.flac"
    shutil.copy(tmp_path / "w" / rec["audio"], outside)
    (tmp_path / "w" / "audio" / "ln.flac").symlink_to(outside)
    rec["audio"] = "audio/ln.flac"
    with pytest.raises(RecordError, match="outside the workdir"):
        bind(iter(recs), tmp_path / "e.m4b")
    # a link that stays inside is fine, and so is a workdir reached through a link
    (tmp_path / "w" / "audio" / "in.flac").symlink_to(tmp_path / "w" / _first_spoken(
        tones(tmp_path / "w"))["audio"])
    rec["audio"] = "audio/in.flac"
    (tmp_path / "wl").symlink_to(tmp_path / "w")
    assert bind(iter(recs), tmp_path / "ok.m4b", workdir=tmp_path / "wl").sentences == 2


def test_cli_escaping_audio_path_is_one_line(tmp_path):
    recs = tones(tmp_path / "w")
    _first_spoken(recs)["audio"] = "../../../../etc/passwd"
    line = one_line_error(run_cli(["e.m4b"], recs, tmp_path))
    assert "outside the workdir" in line and "<stdin>:" in line


# ------------------------------------------------------------------ F17: metadata text
SPECIAL = ["One\\", "back\\slash", "a=b", "semi;colon", "#hash", ";lead", "two\nlines",
           "cr\rhere", "tail\\\\", "\\\nmix\\", "[CHAPTER]", "nul\x00byte", "x\\=\\;\\#"]


def roundtrip(tags: dict, chapters: list[ChapterMark], tmp_path: Path) -> dict:
    src = tmp_path / "a.flac"
    if not src.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=3", "-ac", "1",
                        str(src)], check=True)
    meta = tmp_path / "meta.txt"
    meta.write_text(ffmpeg.ffmetadata(tags, chapters), encoding="utf-8")
    out = tmp_path / "o.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-f", "ffmetadata", "-i",
                    str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                    "-c:a", "aac", str(out)], check=True)
    return ffmpeg.probe(out)


def test_every_special_character_survives_ffmetadata(tmp_path):
    """Each title ends a chapter and is followed by another one and by more
    tags: ffprobe must read every chapter and tag back, with the text that
    metadata_text() promises."""
    chapters = [ChapterMark(i, t, i * 200, (i + 1) * 200) for i, t in enumerate(SPECIAL)]
    chapters.append(ChapterMark(len(SPECIAL), "Last", len(SPECIAL) * 200, 2900))
    for value in SPECIAL:
        info = roundtrip({"title": value, "album": "Album", "artist": "Artist"}, chapters,
                         tmp_path)
        tags = info["format"]["tags"]
        assert tags.get("title") == ffmpeg.metadata_text(value)
        assert tags.get("album") == "Album" and tags.get("artist") == "Artist"
    got = [c.get("tags", {}).get("title", "") for c in info["chapters"]]
    assert got == [ffmpeg.metadata_text(c.title) for c in chapters]
    # only NUL and trailing backslashes are changed
    assert [ffmpeg.metadata_text(v) for v in SPECIAL[:3]] == ["One", "back\\slash", "a=b"]
    assert ffmpeg.metadata_text("cr\rhere") == "cr\rhere"


@pytest.mark.parametrize("out", ["b.m4b", "b.mp3"])
def test_titles_ending_in_a_backslash_keep_every_chapter_and_tag(tmp_path, out):
    recs = tones(tmp_path / "w", chapters=3)
    recs[0].update(title="A\\", authors=["B;=#\\"])
    chapters = [r for r in recs if r["kind"] == "chapter"]
    for r, t in zip(chapters, ["One\\", "Two\n#x", "Three=;"]):
        r["title"] = t
    bind(iter(recs), tmp_path / out)
    info = ffmpeg.probe(tmp_path / out)
    assert [c["tags"]["title"] for c in info["chapters"]] == ["One", "Two\n#x", "Three=;"]
    tags = {k.lower(): v for k, v in info["format"]["tags"].items()}
    assert tags["title"] == "A" and tags["artist"] == "B;=#"


def test_verification_catches_lost_or_renamed_chapters(tmp_path):
    recs = tones(tmp_path / "w", chapters=3)
    r = bind(iter(recs), tmp_path / "v.m4b")
    verify_chapters(tmp_path / "v.m4b", r.chapters)
    with pytest.raises(FormatError, match="has 3 chapter.*expected 4"):
        verify_chapters(tmp_path / "v.m4b", r.chapters + [ChapterMark(3, "Four", 0, 1)])
    renamed = [ChapterMark(c.index, c.title + "!", c.start_ms, c.end_ms) for c in r.chapters]
    with pytest.raises(FormatError, match="chapter 1 is titled 'Chapter 1'"):
        verify_chapters(tmp_path / "v.m4b", renamed)


def test_bind_fails_when_the_container_drops_a_chapter(tmp_path, monkeypatch):
    """The check runs inside bind: a format that loses a chapter is an error and
    leaves no output (here ffmetadata is made to emit the 5.1 bug's shape)."""
    real = ffmpeg.ffmetadata

    def lossy(tags, chapters=()):
        return real(tags, chapters).replace("title=Chapter 1\n", "title=Chapter 1\\\\\n", 1)
    monkeypatch.setattr(ffmpeg, "ffmetadata", lossy)
    with pytest.raises(FormatError, match=r"l.m4b: verification failed: the output has 2 "
                                          r"chapter\(s\), expected 3"):
        bind(iter(tones(tmp_path / "w", chapters=3)), tmp_path / "l.m4b")
    assert not (tmp_path / "l.m4b").exists() and no_partials(tmp_path)


@pytest.mark.parametrize("out", ["c.ogg", "c.flac", "c.wav"])
def test_other_formats_check_their_chapters_too(tmp_path, out, monkeypatch):
    real = ffmpeg.ffmetadata

    def lossy(tags, chapters=()):
        text = real(tags, chapters)
        # Vorbis formats carry chapters as tags: the 5.1 bug swallows the next one
        return text.replace("CHAPTER001NAME=Chapter 1\n", "CHAPTER001NAME=Chapter 1\\\\\n") \
            .replace("title=Chapter 1\n", "title=Chapter 1\\\\\n")
    monkeypatch.setattr(ffmpeg, "ffmetadata", lossy)
    with pytest.raises(FormatError, match="verification failed: (the output has|chapter)"):
        bind(iter(tones(tmp_path / "w", chapters=3)), tmp_path / out)
    assert not (tmp_path / out).exists()


def test_vorbis_formats_verify_their_first_999_chapters(tmp_path):
    recs = list(tone_book(tmp_path / "w", chapters=1001, sentences_per_chapter=1,
                          sentence_s=0.01))
    zero = {k: 0 for k in ("sentence", "paragraph", "heading", "chapter")}
    r = bind(iter(recs), tmp_path / "many.ogg", pauses=zero, trim_db=None)
    assert len(r.chapters) == 1001
    assert len(ffmpeg.probe(tmp_path / "many.ogg")["chapters"]) == 999
