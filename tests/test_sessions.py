"""`e2a sessions list | show | clean` over real workdir layouts."""
import json
import os
import time

from e2a import session as S
from helpers import run


def _make(home, name, book_hash, **cp):
    wd = S.workdir_for(name, book_hash, base=home)
    (wd / "audio" / "ab").mkdir(parents=True)
    (wd / "audio" / "ab" / "abc.flac").write_bytes(b"x" * 1000)
    S.Checkpoint.load(wd).update(**cp)
    return wd


def test_sessions_list_show_clean(e2a_home):
    old = _make(e2a_home, "old", "h1", book="a.epub", stage="speak", sentences_total=10, sentences_spoken=4)
    new = _make(e2a_home, "new", "h2", book="b.epub", stage="speak", sentences_total=5, sentences_spoken=1)
    past = time.time() - 10 * 86400
    for p in [old, old / "checkpoint.json"]:
        os.utime(p, (past, past))

    r = run(["e2a", "sessions", "list"])
    assert "old" in r.stdout and "4/10" in r.stdout and "a.epub" in r.stdout
    lines = [json.loads(l) for l in run(["e2a", "sessions", "list", "--json"]).stdout.splitlines()]
    assert {l["session"] for l in lines} == {"old", "new"}
    assert all(l["bytes"] >= 1000 for l in lines)

    shown = json.loads(run(["e2a", "sessions", "show", "new"]).stdout)
    assert shown["sentences_spoken"] == 1 and shown["audio_files"] == 1

    bad = run(["e2a", "sessions", "show", "nope"], check=False)
    assert bad.returncode == 1 and "no session named 'nope'" in bad.stderr

    r = run(["e2a", "sessions", "clean", "--older-than", "7d"])
    assert "1 session(s) removed" in r.stderr
    assert not old.exists() and new.exists()
    assert run(["e2a", "sessions", "clean"], check=False).returncode == 2


def test_clean_never_removes_a_running_session(e2a_home):
    wd = _make(e2a_home, "busy", "h3", stage="speak")
    with S.SessionLock(wd):
        r = run(["e2a", "sessions", "clean", "--all"])
        assert "skipped busy: running" in r.stderr
        assert wd.exists()
        listed = json.loads(run(["e2a", "sessions", "list", "--json"]).stdout)
        assert listed["running"] is True
