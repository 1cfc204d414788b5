"""Small helpers shared by tests: run the installed commands, probe media."""
import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def cmd(name: str) -> str:
    p = BIN / name
    return str(p) if p.exists() else name


def run(args, *, input=None, env=None, check=True, timeout=600, cwd=None):
    full_env = {**os.environ, **(env or {})}
    p = subprocess.run([cmd(args[0]), *map(str, args[1:])], input=input, capture_output=True,
                       text=True, env=full_env, timeout=timeout, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"{args} exited {p.returncode}\nstderr:\n{p.stderr}")
    return p


def ffprobe(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                          "-show_streams", "-show_chapters", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def decodes_cleanly(path) -> bool:
    p = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
                       capture_output=True, text=True)
    return p.returncode == 0 and not p.stderr.strip()


def flac_state(workdir) -> dict:
    """{relative path: (inode, mtime_ns)} of every finished sentence FLAC."""
    audio = Path(workdir) / "audio"
    return {str(p.relative_to(workdir)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in audio.rglob("*.flac") if not p.name.startswith(".")} if audio.exists() else {}
