"""The `e2a` command's small subcommands and option checks."""
import json

from helpers import run


def test_plugins_lists_builtins_as_entry_point_plugins():
    info = json.loads(run(["e2a", "plugins"]).stdout)
    assert {"piper", "espeak-ng", "coqui"} <= set(info["engines"])
    assert {"m4b", "mp3", "ogg", "flac", "wav"} <= set(info["formats"])
    assert "epub" in info["extractors"]
    assert all(p["builtin"] for p in info["plugins"] if p["name"] in {"piper", "epub", "m4b"})


def test_voices_lists_installed_french_voices_offline(e2a_home):
    r = run(["e2a", "voices", "--language", "fra", "--installed", "--json"])
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    assert any(row["engine"] == "espeak-ng" and row["language"].startswith("fr") for row in rows)
    assert all(row["installed"] for row in rows)
    assert all(row["language"].lower().startswith("fr") for row in rows)


def test_voices_download_needs_engine():
    r = run(["e2a", "voices", "--download", "x"], check=False)
    assert r.returncode == 2 and "--download needs --engine" in r.stderr


def test_pipeline_option_errors_are_usage_errors(sample_book):
    r = run(["e2a", "pipeline", sample_book, "--pause", "chapter"], check=False)
    assert r.returncode == 2 and "KEY=VALUE" in r.stderr
    r = run(["e2a", "pipeline"], check=False)
    assert r.returncode == 2 and "at least one ebook" in r.stderr
    r = run(["e2a", "pipeline", sample_book, sample_book, "-o", "x.m4b"], check=False)
    assert r.returncode == 2
    for bad in ("-1", "0"):        # a usage error in one line, never a traceback
        r = run(["e2a", "pipeline", sample_book, "--workers", bad], check=False)
        assert r.returncode == 2 and "x>=1" in r.stderr and "Traceback" not in r.stderr
    r = run(["e2a", "pipeline", sample_book, "-j", "2", "--batch-size", "4"], check=False)
    assert r.returncode == 2 and "give only one of them above 1" in r.stderr
