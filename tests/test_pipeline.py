"""The main job end to end, with the real Piper voice and real ffmpeg."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import cmd, decodes_cleanly, ffprobe, flac_state, run

SAMPLE_TITLES = ["The Fox and the Grapes", "The Tortoise and the Hare", "The Crow and the Pitcher"]


def _spoken_total(records_path: Path) -> int:
    return sum(1 for line in records_path.read_text().splitlines()
               if line.strip() and json.loads(line)["kind"] == "sentence")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """One real conversion of the sample book, shared by the checks below."""
    from conftest import SAMPLE
    home = tmp_path_factory.mktemp("home")
    out = home / "aesop.m4b"
    p = run(["e2a", "pipeline", SAMPLE, "-o", out, "--keep-workdir", "--workdir", home / "w"],
            env={"E2A_HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")})
    return {"out": out, "home": home, "workdir": home / "w", "stderr": p.stderr}


def test_pipeline_makes_chaptered_m4b(converted):
    info = ffprobe(converted["out"])
    titles = [c["tags"]["title"] for c in info["chapters"]]
    assert titles == SAMPLE_TITLES
    tags = {k.lower(): v for k, v in info["format"]["tags"].items()}
    assert tags["title"] == "Three Fables of Aesop"
    assert "Aesop" in tags.get("artist", "")
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert audio and audio[0]["codec_name"] == "aac"
    cover = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert cover and cover[0]["disposition"]["attached_pic"] == 1
    assert decodes_cleanly(converted["out"])


def test_chapters_are_contiguous_and_duration_matches_parts(converted):
    info = ffprobe(converted["out"])
    chapters = info["chapters"]
    assert float(chapters[0]["start_time"]) == 0
    for a, b in zip(chapters, chapters[1:]):
        assert abs(float(a["end_time"]) - float(b["start_time"])) < 0.002
    duration = float(info["format"]["duration"])
    assert abs(float(chapters[-1]["end_time"]) - duration) < 0.5
    # sum of parts: every sentence's audio plus the pauses (at least the audio)
    workdir = converted["workdir"]
    spoken = sum(float(json.loads(l)["duration"]) for l in
                 run(["e2a-speak", "--workdir", workdir],
                     input=(workdir / "sentences.jsonl").read_text()).stdout.splitlines()
                 if json.loads(l)["kind"] == "spoken")
    assert spoken > 20
    assert spoken <= duration <= spoken + 0.9 * len(flac_state(workdir)) + 6


def test_shell_pipeline_gives_same_chapters(converted, tmp_path):
    from conftest import SAMPLE
    env = {**os.environ, "E2A_HOME": str(converted["home"]), "XDG_CACHE_HOME": str(converted["home"] / "cache")}
    w = converted["workdir"]  # same workdir: every sentence is already spoken
    out = tmp_path / "piped.m4b"
    sh = (f"{cmd('e2a-extract')} {SAMPLE} | {cmd('e2a-split')} | "
          f"{cmd('e2a-speak')} --workdir {w} | {cmd('e2a-bind')} {out}")
    p = subprocess.run(["bash", "-o", "pipefail", "-c", sh], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    a, b = ffprobe(converted["out"]), ffprobe(out)
    assert [c["tags"]["title"] for c in a["chapters"]] == [c["tags"]["title"] for c in b["chapters"]]
    assert [round(float(c["start_time"]), 2) for c in a["chapters"]] == \
           [round(float(c["start_time"]), 2) for c in b["chapters"]]


def _kill_when(proc, workdir: Path, n_flacs: int, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if len(flac_state(workdir)) >= n_flacs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return
        if proc.poll() is not None:
            raise AssertionError("finished before it could be killed:\n" + proc.stderr.read())
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("no audio appeared in time")


def test_sigkill_mid_speak_then_rerun_respeaks_nothing(tmp_path):
    from conftest import SAMPLE
    env = {**os.environ, "E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    w1 = tmp_path / "w1"
    args = [cmd("e2a"), "pipeline", str(SAMPLE), "-o", str(tmp_path / "out.m4b"), "--keep-workdir"]
    p = subprocess.Popen(args + ["--workdir", str(w1)], env=env, stderr=subprocess.PIPE, text=True)
    _kill_when(p, w1, 4)
    before = flac_state(w1)
    assert len(before) >= 4 and not (tmp_path / "out.m4b").exists()
    assert not [f for f in w1.rglob("*") if f.is_file() and f.suffix == ".flac" and f.stat().st_size == 0]
    # the workdir moves to another folder and resumes there
    w2 = tmp_path / "moved" / "w2"
    w2.parent.mkdir()
    shutil.move(str(w1), str(w2))
    before = flac_state(w2)
    r = subprocess.run(args + ["--workdir", str(w2)], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "resuming" in r.stderr
    after = flac_state(w2)
    for rel, stamp in before.items():  # not one finished sentence was synthesised again
        assert after[rel] == stamp, rel
    total = _spoken_total(w2 / "sentences.jsonl")
    assert len(after) == total
    info = ffprobe(tmp_path / "out.m4b")
    assert [c["tags"]["title"] for c in info["chapters"]] == SAMPLE_TITLES


def test_session_lock_second_run_refused(tmp_path):
    from conftest import SAMPLE
    env = {**os.environ, "E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = [cmd("e2a"), "pipeline", str(SAMPLE), "--session", "s1"]
    p = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.time()
        while not list(tmp_path.glob("tmp/proc-s1/*/checkpoint.json")) and time.time() - t0 < 60:
            time.sleep(0.05)
        r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 3, r.stderr
        assert "another e2a run" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    finally:
        p.kill()
        p.wait()


def test_batch_continues_past_a_bad_book_and_exits_1(tmp_path):
    from conftest import SAMPLE
    books = tmp_path / "ebooks"
    books.mkdir()
    shutil.copy(SAMPLE, books / "good.epub")
    (books / "bad.epub").write_bytes(b"this is not a zip file")
    env = {"E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = run(["e2a", "pipeline", "--ebooks-dir", books], env=env, check=False)
    assert r.returncode == 1
    assert "1 converted, 1 failed" in r.stderr
    assert "bad.epub" in r.stderr
    assert (tmp_path / "audiobooks" / "Three Fables of Aesop.m4b").exists()
    assert not list((tmp_path / "tmp").glob("proc-*/*/audio"))  # good book's workdir removed
    # rerunning the batch: the finished book is not redone, the bad one fails again
    r2 = run(["e2a", "pipeline", "--ebooks-dir", books], env=env, check=False)
    assert r2.returncode == 1 and "already converted" in r2.stderr
    assert "1 converted, 1 failed" in r2.stderr


def test_missing_book_is_one_line_error(tmp_path):
    r = run(["e2a", "pipeline", tmp_path / "nope.epub"], check=False)
    assert r.returncode == 1
    assert r.stderr.strip() == f"e2a: error: {tmp_path / 'nope.epub'}: no such file"


def test_legacy_headless_spelling_runs_pipeline(tmp_path):
    r = run(["e2a", "--headless", "--ebook", tmp_path / "nope.epub", "--language", "eng"], check=False)
    assert r.returncode == 1 and "no such file" in r.stderr


def test_refused_book_leaves_no_phantom_session(tmp_path):
    bad = tmp_path / "bad.epub"
    bad.write_bytes(b"PK\x03\x04 definitely not a whole zip")
    env = {"E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = run(["e2a", "pipeline", bad], env=env, check=False)
    errors = [l for l in r.stderr.splitlines() if "error" in l]
    assert r.returncode == 1 and len(errors) == 1 and "bad.epub: not a valid EPUB" in errors[0]
    assert "no sessions" in run(["e2a", "sessions", "list"], env=env).stderr
    assert not list(tmp_path.glob("tmp/proc-*"))


@pytest.mark.parametrize("target,code,msg", [("/proc/e2a-test.m4b", 1, "cannot write the output there"),
                                             ("DIR", 2, "is a directory")])
def test_unwritable_output_fails_before_speaking(tmp_path, target, code, msg):
    from conftest import SAMPLE
    out = tmp_path if target == "DIR" else target
    env = {"E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = run(["e2a", "pipeline", SAMPLE, "-o", out, "--engine", "espeak-ng", "--keep-workdir"],
            env=env, check=False)
    assert r.returncode == code and msg in r.stderr and "Traceback" not in r.stderr
    assert not list(tmp_path.glob("tmp/proc-*/*/audio/*/*.flac"))  # nothing was spoken


def test_unknown_engine_is_a_usage_error(tmp_path):
    from conftest import SAMPLE
    r = run(["e2a", "pipeline", SAMPLE, "--engine", "nosuch"], env={"E2A_HOME": str(tmp_path)},
            check=False)
    assert r.returncode == 2 and "unknown engine 'nosuch'" in r.stderr


def test_a_run_that_failed_before_speaking_does_not_confuse_the_next(tmp_path):
    """--gpu without a GPU fails before any sentence is spoken; the next run of the
    same book resumes that session without claiming an old engine/voice of 'None'."""
    from conftest import SAMPLE
    env = {**os.environ, "E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = [cmd("e2a"), "pipeline", str(SAMPLE), "-o", str(tmp_path / "out.m4b")]
    r = subprocess.run(args + ["--gpu"], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "--gpu" in r.stderr
    r = subprocess.run(args + ["--engine", "espeak-ng"], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert "None/None" not in r.stderr and "changed from" not in r.stderr


def test_converting_other_chapters_never_overwrites_the_first_part(tmp_path):
    """--chapters 0 then --chapters 1 of one book: two audiobooks, named by their
    selection, each with its own chapter (nothing lost)."""
    from conftest import SAMPLE
    env = {**os.environ, "E2A_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    base = [cmd("e2a"), "pipeline", str(SAMPLE), "--engine", "espeak-ng"]
    for sel in ("0", "1"):
        r = subprocess.run(base + ["--chapters", sel], env=env, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in (tmp_path / "audiobooks").iterdir())
    assert made == ["Three Fables of Aesop (chapters 0).m4b", "Three Fables of Aesop (chapters 1).m4b"]
    for sel, title in (("0", SAMPLE_TITLES[0]), ("1", SAMPLE_TITLES[1])):
        info = ffprobe(tmp_path / "audiobooks" / f"Three Fables of Aesop (chapters {sel}).m4b")
        assert [c["tags"]["title"] for c in info["chapters"]] == [title]
