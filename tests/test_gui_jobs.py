"""The web interface's job manager (e2a.jobs) over the real e2a.pipeline.convert.

The four stages are replaced by small fakes here (this file is about queueing,
cancel, resume and persistence, not about speech); the real stages run in
tests/test_gui_browser.py."""
from __future__ import annotations

import json
import sys
import threading
import time
import types
from pathlib import Path

import pluggy
import pytest

from e2a import jobs as J
from e2a import session as S
from e2a_common import hookspecs, plugins
from e2a_common.interfaces import OutputFormat
from e2a_common.workdir import atomic_path


class FakeFormat(OutputFormat):
    name = "fake"
    extension = "fake"


class FakeStages:
    """extract/split/speak/bind with the real record shapes; speak sleeps a
    little per sentence and can be held on a gate."""

    def __init__(self, chapters=3, per_chapter=4, delay=0.01):
        self.chapters, self.per_chapter, self.delay = chapters, per_chapter, delay
        self.spoken_texts: list[str] = []
        self.extract_options = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail_at: int | None = None

    def extract(self, book, options):
        self.extract_options.append(options)
        wanted = options.extra.get("chapters")
        yield {"kind": "book", "title": f"Title of {Path(book).stem}", "authors": ["A"], "language": "en"}
        for c in range(self.chapters):
            if wanted is not None and c not in wanted:
                continue
            yield {"kind": "chapter", "index": c, "title": f"Chapter {c + 1}", "role": "body"}
            for b in range(self.per_chapter):
                yield {"kind": "block", "chapter": c, "index": b, "type": "paragraph",
                       "text": f"Sentence {b} of chapter {c}."}

    def split(self, records, **kw):
        for r in records:
            if r["kind"] == "block":
                yield {"kind": "sentence", "id": f"c{r['chapter']:04d}-s{r['index']:05d}",
                       "chapter": r["chapter"], "position": r["index"], "text": r["text"],
                       "original": r["text"], "pause": "sentence", "language": "en"}
            else:
                yield r

    def speak(self, records, workdir, **kw):
        workdir = Path(workdir)
        yield {"kind": "audio", "workdir": str(workdir), "engine": "fake", "voice": "v", "sample_rate": 8000}
        n = 0
        for r in records:
            if r["kind"] != "sentence":
                yield r
                continue
            flac = workdir / "audio" / f"{r['id']}.flac"
            if not flac.exists():
                self.gate.wait(10)
                time.sleep(self.delay)
                if self.fail_at is not None and n == self.fail_at:
                    raise RuntimeError("engine exploded")
                with atomic_path(flac) as tmp:
                    tmp.write_bytes(b"x")
                self.spoken_texts.append(r["text"])
            n += 1
            yield {**r, "kind": "spoken", "audio": f"audio/{r['id']}.flac", "duration": 1.5,
                   "sample_rate": 8000}

    def bind(self, records, output, *, workdir=None, fmt=None, **kw):
        spoken = [r for r in records if r["kind"] == "spoken"]
        with atomic_path(output) as tmp:
            tmp.write_text("\n".join(r["text"] for r in spoken), encoding="utf-8")
        return output


@pytest.fixture
def stages(monkeypatch, e2a_home):
    st = FakeStages()
    for mod, attr in (("e2a_extract", "extract"), ("e2a_split", "split"),
                      ("e2a_speak", "speak"), ("e2a_bind", "bind")):
        m = types.ModuleType(mod)
        setattr(m, attr, getattr(st, attr))
        monkeypatch.setitem(sys.modules, mod, m)
    pm = pluggy.PluginManager("e2a")
    pm.add_hookspecs(hookspecs)

    class P:
        @hookspecs.hookimpl
        def register_formats(self, register):
            register(FakeFormat())
    pm.register(P())
    plugins.set_plugin_manager(pm)
    yield st
    plugins.set_plugin_manager(None)


def _book(tmp_path, name="my book.epub", content=b"PK fake book"):
    p = tmp_path / name
    p.write_bytes(content)
    return p


def _wait(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def _manager(home, **kw):
    m = J.JobManager(home, **kw)
    m.start()
    return m


def test_job_runs_through_convert_and_is_saved_next_to_checkpoint(stages, e2a_home, tmp_path):
    m = _manager(e2a_home)
    try:
        job = m.submit(_book(tmp_path), {"output_format": "fake", "language": "en"})
        assert _wait(lambda: job.status == J.DONE), (job.status, job.error)
        out = Path(job.output)
        assert out == e2a_home / "audiobooks" / "my book.fake"
        assert out.read_text().count("Sentence") == 12
        wd = Path(job.workdir)
        assert wd.parent.name == f"proc-{job.id}"
        saved = json.loads((wd / J.JOB_FILE).read_text())
        assert saved["status"] == "done" and saved["options"]["language"] == "en"
        cp = json.loads((wd / S.CHECKPOINT).read_text())
        assert cp["stage"] == "done" and cp["sentences_total"] == 12
        # the audio is freed, the small files stay so the job stays listed
        assert sorted(p.name for p in wd.iterdir() if p.name != S.LOCK) == [S.CHECKPOINT, J.JOB_FILE]
        row = m.describe(job)
        assert row["done"] == row["total"] == 12 and row["title"] == "Title of my book"
        assert m.download_path(job.id) == out.resolve()
        # `e2a sessions clean` removes it behind the server's back: it leaves the list
        S.remove_workdir(wd)
        assert m.rows() == []
    finally:
        m.stop()


def test_same_book_same_options_is_the_same_job(stages, e2a_home, tmp_path):
    stages.gate.clear()
    m = _manager(e2a_home)
    try:
        book = _book(tmp_path)
        a = m.submit(book, {"output_format": "fake"})
        b = m.submit(book, {"output_format": "fake"})
        c = m.submit(book, {"output_format": "fake", "extract": {"chapters": [0]}})
        assert a is b and c.id != a.id
        assert Path(c.output).name == "my book (2).fake"
        stages.gate.set()
        assert _wait(lambda: a.status == J.DONE and c.status == J.DONE)
        # the chapter selection reached the extractor
        assert any(o.extra.get("chapters") == [0] for o in stages.extract_options)
        assert Path(c.output).read_text().count("Sentence") == 4
    finally:
        m.stop()


def test_max_jobs_limits_parallel_runs(stages, e2a_home, tmp_path):
    stages.gate.clear()
    m = _manager(e2a_home, max_jobs=1)
    try:
        a = m.submit(_book(tmp_path, "a.epub", b"a"), {"output_format": "fake"})
        b = m.submit(_book(tmp_path, "b.epub", b"b"), {"output_format": "fake"})
        assert _wait(lambda: a.status == J.RUNNING)
        time.sleep(0.2)
        assert b.status == J.QUEUED
        stages.gate.set()
        assert _wait(lambda: b.status == J.DONE)
    finally:
        m.stop()


def test_cancel_stops_between_sentences_and_resume_reuses_audio(stages, e2a_home, tmp_path):
    stages.delay = 0.3    # the pipeline reports progress every 2 s: 12 sentences take 3.6 s
    m = _manager(e2a_home)
    try:
        job = m.submit(_book(tmp_path), {"output_format": "fake"})
        assert _wait(lambda: job.progress.get("done", 0) >= 1 or job.status == J.DONE)
        # the pipeline reports progress every 2 s; cancel is checked at each report
        m.cancel(job.id)
        assert _wait(lambda: job.status == J.CANCELLED, 15), job.status
        spoken_before = len(stages.spoken_texts)
        assert 0 < spoken_before < 12
        assert not list((e2a_home / "audiobooks").glob("*.fake"))   # no partial output
        assert json.loads((Path(job.workdir) / J.JOB_FILE).read_text())["status"] == "cancelled"
        assert not S.is_locked(Path(job.workdir))
        m.resume(job.id)
        assert _wait(lambda: job.status == J.DONE, 15)
        # nothing spoken twice
        assert len(stages.spoken_texts) == 12 == len(set(stages.spoken_texts))
    finally:
        m.stop()


def test_restart_lists_and_resumes_unfinished_jobs(stages, e2a_home, tmp_path):
    stages.gate.clear()
    m1 = _manager(e2a_home)
    job = m1.submit(_book(tmp_path), {"output_format": "fake"})
    assert _wait(lambda: job.status == J.RUNNING)
    saved = json.loads((Path(job.workdir) / J.JOB_FILE).read_text())
    assert saved["status"] == "running"       # what a killed server leaves behind
    # a server shut down cleanly (Ctrl-C) stops the run and saves it as queued
    m1.stop(timeout=0.1)                     # the run is still held on the gate...
    stages.gate.set()                        # ...and stops at its next progress report
    assert _wait(lambda: not S.is_locked(Path(job.workdir)) and job.status == J.QUEUED)
    assert json.loads((Path(job.workdir) / J.JOB_FILE).read_text())["status"] == "queued"
    spoken_before = len(stages.spoken_texts)
    assert spoken_before < 12

    m2 = J.JobManager(e2a_home)
    requeued = m2.start()
    try:
        assert requeued == [job.id]
        assert [r["session"] for r in m2.rows()] == [job.id]
        j2 = m2.get(job.id)
        assert _wait(lambda: j2.status == J.DONE, 15), (j2.status, j2.error)
        assert len(stages.spoken_texts) == len(set(stages.spoken_texts)) == 12
    finally:
        m2.stop()

    # a killed server leaves "running": that is resumed too, unless --no-resume
    def killed():
        saved = json.loads((Path(j2.workdir) / J.JOB_FILE).read_text())
        (Path(j2.workdir) / J.JOB_FILE).write_text(json.dumps({**saved, "status": "running"}))
    killed()
    m3 = J.JobManager(e2a_home)
    try:
        assert m3.start() == [job.id]
        assert _wait(lambda: m3.get(job.id).status == J.DONE)
    finally:
        m3.stop()
    killed()
    m4 = J.JobManager(e2a_home)
    assert m4.start(resume=False) == []
    try:
        assert m4.get(job.id).status == J.CANCELLED
        assert m4.get(job.id).error == "server restarted (not resumed)"
    finally:
        m4.stop()


def test_failure_is_reported_and_resumable(stages, e2a_home, tmp_path):
    stages.fail_at = 5
    m = _manager(e2a_home)
    try:
        job = m.submit(_book(tmp_path), {"output_format": "fake"})
        assert _wait(lambda: job.status == J.FAILED)
        assert "engine exploded" in job.error
        assert "engine exploded" in json.loads((Path(job.workdir) / S.CHECKPOINT).read_text())["error"]
        stages.fail_at = None
        m.resume(job.id)
        assert _wait(lambda: job.status == J.DONE)
        assert len(stages.spoken_texts) == 12 == len(set(stages.spoken_texts))
    finally:
        m.stop()


def test_bad_book_fails_with_a_clear_message(stages, e2a_home, tmp_path):
    def broken_extract(book, options):
        from e2a_common.errors import InputError
        raise InputError("not a zip archive", path=book)
        yield  # pragma: no cover
    sys.modules["e2a_extract"].extract = broken_extract
    m = _manager(e2a_home)
    try:
        job = m.submit(_book(tmp_path, "bad.epub", b"garbage"), {"output_format": "fake"})
        assert _wait(lambda: job.status == J.FAILED)
        assert job.error.endswith("bad.epub: not a zip archive")
    finally:
        m.stop()


def test_delete_refuses_running_and_removes_workdir_and_output(stages, e2a_home, tmp_path):
    stages.gate.clear()
    m = _manager(e2a_home)
    try:
        job = m.submit(_book(tmp_path), {"output_format": "fake"})
        assert _wait(lambda: job.status == J.RUNNING)
        with pytest.raises(J.JobError, match="running"):
            m.delete(job.id)
        stages.gate.set()
        assert _wait(lambda: job.status == J.DONE)
        out = Path(job.output)
        m.delete(job.id, output=True)
        assert not out.exists() and not Path(job.workdir).exists()
        assert m.rows() == []
        with pytest.raises(J.JobError):
            m.get(job.id)
    finally:
        m.stop()


def test_download_refuses_outputs_outside_the_audiobooks_folder(stages, e2a_home, tmp_path):
    m = J.JobManager(e2a_home)
    job = J.Job(id="x", book=str(tmp_path / "b.epub"), book_hash="h", workdir=str(tmp_path / "wd"),
                options={}, status=J.DONE, output="/etc/passwd")
    m._jobs["x"] = job
    with pytest.raises(J.JobError, match="outside"):
        m.download_path("x")
    job.output = str(e2a_home / "audiobooks" / ".." / ".." / "etc.m4b")
    with pytest.raises(J.JobError, match="outside"):
        m.download_path("x")


def test_cli_sessions_are_listed_and_can_be_adopted(stages, e2a_home, tmp_path):
    from e2a.pipeline import PipelineOptions, convert
    book = _book(tmp_path)
    stages.fail_at = 3
    with pytest.raises(RuntimeError):
        convert(book, PipelineOptions(session="cli-run", output_format="fake", progress=False))
    stages.fail_at = None
    m = _manager(e2a_home)
    try:
        rows = m.rows()
        assert [(r["session"], r["status"], r["managed"]) for r in rows] == [("cli-run", "stopped", False)]
        job = m.resume("cli-run")
        assert _wait(lambda: job.status == J.DONE)
        assert len(stages.spoken_texts) == 12 == len(set(stages.spoken_texts))
    finally:
        m.stop()


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("/abs/path/book.epub", "book.epub"),
    (".hidden.epub", "hidden.epub"),
    ("..", "book"),
    ("", "book"),
    ("a\x00b\nc.epub", "abc.epub"),
    ("Les Misérables — tome 1.epub", "Les Misérables _ tome 1.epub"),
    ("x" * 300 + ".epub", "x" * 115 + ".epub"),
    ("a..b.epub", "a.b.epub"),
    ("$(rm -rf ~);.epub", "_(rm -rf _)_.epub"),
])
def test_sanitize_filename(raw, safe):
    assert J.sanitize_filename(raw) == safe
    assert "/" not in safe and not safe.startswith(".")


def test_inside(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_text("x")
    (tmp_path / "a" / "link").symlink_to("/etc/passwd")
    assert J.inside(tmp_path / "a" / "f", tmp_path / "a")
    assert not J.inside(tmp_path / "a" / ".." / "f", tmp_path / "a")
    assert not J.inside(tmp_path / "a" / "link", tmp_path / "a")


def test_format_progress():
    row = {"status": "running", "done": 50, "total": 200, "audio_seconds": 3725, "eta_seconds": 90}
    assert J.format_progress(row) == "50/200 sentences (25%) · 1:02:05 of audio · ETA 1:30"
    assert J.format_progress({"status": "queued", "done": 0, "total": None}) == ""


def test_eta_uses_recent_speed_not_the_burst_of_resumed_sentences(e2a_home, tmp_path, monkeypatch):
    clock = {"t": 0.0}
    monkeypatch.setattr(J.time, "monotonic", lambda: clock["t"])
    seen = []

    def fake_convert(book, opts, on_event=None):
        for t, done in ((0, 50), (1, 100), (70, 101), (130, 102)):
            clock["t"] = t
            on_event({"stage": "speak", "done": done, "total": 200, "audio_seconds": done * 2.0,
                      "chapter": 3})
            seen.append(dict(job.progress))
        raise J.E2AError("stop here")

    m = J.JobManager(e2a_home, convert=fake_convert)
    job = J.Job(id="j", book=str(_book(tmp_path)), book_hash="h", workdir=str(tmp_path / "wd"), options={})
    m._jobs["j"] = job
    m._run(job)
    assert job.status == J.FAILED and job.error == "stop here"
    assert seen[0].get("eta_seconds") is None
    assert seen[1]["eta_seconds"] == pytest.approx(100 / 50)          # (200-100) / 50 per s
    assert seen[3]["eta_seconds"] == pytest.approx(98 * 60)           # 1 sentence a minute now
    assert seen[3]["audio_seconds"] == 204 and seen[3]["chapter"] == 3
