import io
import json
import os
import subprocess
import sys

import pytest

from e2a_common import hookimpl, plugins, read_records, write_record
from e2a_common.errors import LockedError, PluginError, RecordError
from e2a_common.interfaces import Engine
from e2a_common.workdir import atomic_path, audio_relpath, is_partial
from e2a.compat import translate_legacy_args
from e2a.languages import normalize_language
from e2a import session as S


def test_read_records_lazy_and_skips_blank_lines():
    stream = io.StringIO('{"kind":"a","x":1}\n\n  \n{"kind":"b"}\n')
    it = read_records(stream)
    first = next(it)
    assert first["kind"] == "a" and first["x"] == 1
    # the second line has not been consumed yet: reading is lazy
    assert stream.tell() < len(stream.getvalue())
    assert [r["kind"] for r in it] == ["b"]


@pytest.mark.parametrize("bad,msg", [('{"kind": "a"', "not valid JSON"), ('[1,2]', "JSON object"),
                                     ('{"x": 1}', "kind")])
def test_bad_record_names_line(bad, msg):
    stream = io.StringIO('{"kind":"ok"}\n' + bad + "\n")
    with pytest.raises(RecordError) as ei:
        list(read_records(stream, source="in.jsonl"))
    assert "in.jsonl:2" in str(ei.value) and msg in str(ei.value)


def test_write_record_compact_unicode_and_private_fields_dropped():
    out = io.StringIO()
    write_record({"kind": "sentence", "text": "Ça va ?", "_line": 3}, out)
    assert out.getvalue() == '{"kind":"sentence","text":"Ça va ?"}\n'


def test_atomic_path_never_leaves_partial_final(tmp_path):
    final = tmp_path / "a" / "x.flac"
    with pytest.raises(RuntimeError):
        with atomic_path(final) as tmp:
            tmp.write_bytes(b"half")
            assert is_partial(tmp) and tmp.suffix == ".flac"
            raise RuntimeError("crash")
    assert not final.exists()
    assert list((tmp_path / "a").iterdir()) == []
    with atomic_path(final) as tmp:
        tmp.write_bytes(b"whole")
    assert final.read_bytes() == b"whole"
    assert audio_relpath("abcdef") == "audio/ab/abcdef.flac"


def test_plugin_registry_third_party_overrides_builtin_and_unknown_is_clear():
    class Builtin(Engine):
        name = "demo"
    Builtin.__module__ = "plugins.demo"

    class Third(Engine):
        name = "demo"

    class BuiltinPlugin:
        __name__ = "plugins.demo"

        @hookimpl
        def register_engines(self, register):
            register(Builtin())

    class ThirdParty:
        @hookimpl
        def register_engines(self, register):
            register(Third())

    pm = plugins.new_plugin_manager(load_entrypoints=False)
    pm.register(BuiltinPlugin(), name="builtin")
    pm.register(ThirdParty(), name="third")
    assert isinstance(plugins.get_engine("demo", pm), Third)
    with pytest.raises(PluginError, match="unknown engine 'nope'"):
        plugins.get_engine("nope", pm)


def test_builtins_load_through_entry_points():
    pm = plugins.new_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"epub", "piper", "m4b"} <= names
    for name, plugin in pm.list_name_plugin():
        if name in {"epub", "piper", "m4b"}:
            assert plugin.__name__.startswith("plugins.")


def test_e2a_plugins_env_limits_loading(monkeypatch):
    monkeypatch.setenv("E2A_PLUGINS", "")
    pm = plugins.new_plugin_manager()
    assert pm.list_name_plugin() == []


@pytest.mark.parametrize("code,want", [("fr", "fr"), ("fra", "fr"), ("fre", "fr"), ("FR", "fr"),
                                       ("fr_FR", "fr-FR"), ("deu", "de"), ("eng", "en"), (None, None)])
def test_normalize_language(code, want):
    assert normalize_language(code) == want


def test_legacy_ebook2audiobook_args():
    argv = ["--headless", "--ebook", "b.epub", "--language", "fra", "--tts_engine", "XTTSv2",
            "--output_format", "m4b", "--session", "s1", "--force_restart"]
    assert translate_legacy_args(argv) == ["pipeline", "b.epub", "--language", "fr", "--engine", "coqui",
                                           "--voice", "xtts_v2", "--output-format", "m4b",
                                           "--session", "s1", "--force-restart"]
    assert translate_legacy_args(["pipeline", "b.epub"]) == ["pipeline", "b.epub"]


def test_session_lock_refuses_second_run_and_frees_on_death(tmp_path):
    wd = tmp_path / "wd"
    with S.SessionLock(wd):
        assert S.is_locked(wd)
        with pytest.raises(LockedError, match="another e2a run"):
            S.SessionLock(wd).acquire()
    assert not S.is_locked(wd)
    # a killed holder leaves no stuck lock
    code = ("import sys, os, time; sys.path.insert(0, %r); from e2a.session import SessionLock; "
            "lk = SessionLock(%r).acquire(); print('locked', flush=True); time.sleep(60)") % (
        os.getcwd(), str(wd))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    assert S.is_locked(wd)
    p.kill()
    p.wait()
    assert not S.is_locked(wd)
    S.SessionLock(wd).acquire().release()


def test_checkpoint_atomic_and_readable(tmp_path):
    cp = S.Checkpoint.load(tmp_path)
    assert not cp.exists
    cp.update(stage="speak", sentences_total=10)
    data = json.loads((tmp_path / "checkpoint.json").read_text())
    assert data["stage"] == "speak" and data["sentences_total"] == 10 and data["updated"]
    assert S.parse_age("7d") == 7 * 86400
    with pytest.raises(ValueError):
        S.parse_age("soon")


@pytest.mark.parametrize("line,msg", [
    (b'{"kind":"a","t":"\xff\xfe"}', "not UTF-8 text (byte 0xff at column 18)"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    (b'{"kind":"a","n":' + b"9" * 5000 + b"}", "unreadable JSON"),
])
def test_unreadable_lines_are_record_errors_with_line_numbers(line, msg):
    stream = io.BytesIO(b'{"kind":"ok"}\n' + line + b"\n")
    with pytest.raises(RecordError) as ei:
        list(read_records(stream))
    assert "<stdin>:2" in str(ei.value) and msg in str(ei.value)


def test_non_utf8_stdin_is_refused_by_a_stage_not_replaced():
    p = subprocess.run([sys.executable, "-m", "e2a_speak", "--workdir", "/tmp/never-used"],
                       input=b'{"kind":"book","title":"caf\xe9"}\n', capture_output=True)
    assert p.returncode == 1
    assert b"<stdin>:1: not UTF-8 text" in p.stderr and b"Traceback" not in p.stderr


def test_finished_files_get_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "x.flac") as tmp:
            tmp.write_bytes(b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "x.flac").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("name, shown", [
    ("new\nline.epub", "new\\nline.epub"),
    ("a\rb\tc\x1b[31m.txt", "a\\rb\\tc\\x1b[31m.txt"),
    ("del\x7f\x85.txt", "del\\x7f\\x85.txt"),
    ("sep\u2028x.txt", "sep\\u2028x.txt"),
    ("with space é 書.epub", "with space é 書.epub"),   # printable: kept as is
])
def test_error_message_escapes_control_characters_in_the_path(name, shown):
    from e2a_common.errors import InputError, RecordError
    err = InputError("not a valid EPUB", path=name)
    assert str(err) == f"{shown}: not a valid EPUB"
    assert "\n" not in str(err) and "\r" not in str(err)
    assert err.path == name                      # the raw path stays available
    assert str(RecordError("bad", source="x\ny", line=3)) == "x\\ny:3: bad"


def test_cli_error_for_a_file_name_with_a_newline_is_one_line(tmp_path):
    import subprocess
    import sys
    bad = tmp_path / "new\nline_bad.epub"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    proc = subprocess.run([sys.executable, "-m", "e2a_extract.cli", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "new\\nline_bad.epub" in proc.stderr


def test_write_flac_keeps_16_bit_samples_exactly_and_scales_floats(tmp_path):
    import numpy as np
    import soundfile as sf
    from e2a_common.audio import verify_flac, write_flac

    pcm = np.array([0, 1, -1, 32767, -32768, 1234, -4321] * 50, dtype=np.int16)
    info = write_flac(tmp_path / "a.flac", pcm, 22050)
    assert info.frames == pcm.size and verify_flac(tmp_path / "a.flac") == info
    back, rate = sf.read(tmp_path / "a.flac", dtype="int16")
    assert rate == 22050 and np.array_equal(back, pcm)
    # floats (and 2-D, and empty) still go through the float path
    write_flac(tmp_path / "b.flac", np.full((100, 2), 0.5, dtype=np.float64), 16000)
    b, _ = sf.read(tmp_path / "b.flac")
    assert b.shape == (100,) and np.allclose(b, 0.5, atol=1e-4)
    assert write_flac(tmp_path / "c.flac", np.zeros(0, dtype=np.int16), 8000).frames == 1
