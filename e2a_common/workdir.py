"""Workdir layout and atomic file writes.

    WORKDIR/
      audio/ab/abcdef....flac   one FLAC per sentence, named by its cache key
      assets/                   cover image and other files from the ebook
      bind/                     bind's intermediate files

Every path stored in a record is relative to the workdir, so a workdir can be
moved or mounted elsewhere and still be used.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

AUDIO_DIR = "audio"
ASSETS_DIR = "assets"
BIND_DIR = "bind"
PART_SUFFIX = ".part"


def audio_relpath(key: str, ext: str = "flac") -> str:
    return f"{AUDIO_DIR}/{key[:2]}/{key}.{ext}"


def ensure(workdir: str | Path) -> Path:
    w = Path(workdir)
    (w / AUDIO_DIR).mkdir(parents=True, exist_ok=True)
    return w


@contextlib.contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final`` (``.NAME.XXXX.part.EXT``: hidden,
    marked partial, same extension so writers pick the same format). On success
    it is fsynced and renamed to ``final`` atomically; on any error it is
    removed. No partial file ever has the final name."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f"{PART_SUFFIX}{final.suffix}",
                               dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o666 & ~current_umask())  # mkstemp makes 0600; be a normal file
        os.replace(tmp_path, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def current_umask() -> int:
    """The process umask, read without changing it (Linux), else via os.umask."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def is_partial(path: str | Path) -> bool:
    name = Path(path).name
    return name.startswith(".") and PART_SUFFIX in name


def atomic_write_text(final: str | Path, text: str) -> None:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
