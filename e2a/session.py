"""Sessions: one workdir per (session, book), a checkpoint you can read, a lock
that a crashed run never leaves stuck.

    $E2A_HOME/tmp/proc-{session}/{book_hash}/
        checkpoint.json      stage, counts, times (human-readable, atomic)
        sentences.jsonl      the book's records after extract + split
        audio/               one FLAC per sentence (see e2a_common.workdir)
        assets/              cover image
        bind/                bind's intermediate files
        .lock                held (flock) while a run works here

Every path stored inside is relative to the workdir, so the folder can be copied
to another machine or mounted elsewhere and resumed there.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from e2a_common.errors import LockedError
from e2a_common.workdir import atomic_write_text

CHECKPOINT = "checkpoint.json"
RECORDS = "sentences.jsonl"
LOCK = ".lock"
STAGES = ("new", "extract", "split", "speak", "bind", "done")


def home() -> Path:
    return Path(os.environ.get("E2A_HOME") or ".").expanduser()


def sessions_root(base: Path | None = None) -> Path:
    return (base or home()) / "tmp"


def safe_session_name(name: str) -> str:
    """Session names become folder names: keep them tame."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    if not cleaned:
        raise ValueError(f"unusable session name {name!r}")
    return cleaned[:100]


def workdir_for(session: str, book_hash: str, base: Path | None = None) -> Path:
    return sessions_root(base) / f"proc-{safe_session_name(session)}" / book_hash


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class Checkpoint:
    path: Path
    data: dict[str, Any]

    @classmethod
    def load(cls, workdir: Path) -> "Checkpoint":
        p = Path(workdir) / CHECKPOINT
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (FileNotFoundError, json.JSONDecodeError, OSError):
            data = {}
        return cls(p, data)

    @property
    def exists(self) -> bool:
        return bool(self.data)

    def update(self, **fields: Any) -> None:
        self.data.update(fields)
        self.data["updated"] = now_iso()
        self.data.setdefault("created", self.data["updated"])
        atomic_write_text(self.path, json.dumps(self.data, indent=2, ensure_ascii=False) + "\n")


class SessionLock:
    """An exclusive flock on WORKDIR/.lock. The kernel drops it when the process
    dies, so a crashed or killed run never leaves a stuck lock."""

    def __init__(self, workdir: Path):
        self.path = Path(workdir) / LOCK
        self.fh = None

    def acquire(self) -> "SessionLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            raise LockedError(f"another e2a run is working on this session ({holder or 'pid unknown'}); "
                              "wait for it, or use another --session",
                              path=str(self.path.parent)) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {now_iso()}\n")
        fh.flush()
        self.fh = fh
        return self

    def release(self) -> None:
        if self.fh:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
            self.fh.close()
            self.fh = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def is_locked(workdir: Path) -> bool:
    p = Path(workdir) / LOCK
    if not p.exists():
        return False
    with open(p, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def count_audio(workdir: Path) -> int:
    audio = Path(workdir) / "audio"
    if not audio.is_dir():
        return 0
    return sum(1 for p in audio.rglob("*.flac") if not p.name.startswith("."))


@dataclass
class SessionInfo:
    name: str
    workdir: Path
    checkpoint: dict[str, Any]
    size: int
    locked: bool
    mtime: float

    def to_dict(self) -> dict[str, Any]:
        cp = self.checkpoint
        return {"session": self.name, "workdir": str(self.workdir), "book": cp.get("book"),
                "title": cp.get("title"), "stage": cp.get("stage", "new"),
                "sentences_total": cp.get("sentences_total"),
                "sentences_spoken": cp.get("sentences_spoken"),
                "engine": cp.get("engine"), "voice": cp.get("voice"),
                "output": cp.get("output"), "error": cp.get("error"),
                "updated": cp.get("updated"), "running": self.locked, "bytes": self.size}


def list_sessions(base: Path | None = None) -> list[SessionInfo]:
    root = sessions_root(base)
    out = []
    if not root.is_dir():
        return out
    for sdir in sorted(root.glob("proc-*")):
        for wd in sorted(p for p in sdir.iterdir() if p.is_dir()):
            cp = Checkpoint.load(wd).data
            try:
                mtime = max((wd / CHECKPOINT).stat().st_mtime, wd.stat().st_mtime)
            except OSError:
                mtime = wd.stat().st_mtime
            out.append(SessionInfo(sdir.name[len("proc-"):], wd, cp, dir_size(wd), is_locked(wd), mtime))
    return out


def remove_workdir(workdir: Path) -> None:
    workdir = Path(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    parent = workdir.parent
    if parent.name.startswith("proc-"):
        try:
            parent.rmdir()  # only when empty
        except OSError:
            pass


def parse_age(text: str) -> float:
    """'7d', '12h', '30m', '90s' -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise ValueError(f"not an age: {text!r} (use e.g. 7d, 12h, 30m)")
    n, unit = float(m.group(1)), m.group(2) or "s"
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]


def age_seconds(info: SessionInfo) -> float:
    return time.time() - info.mtime
