"""Checks on input files shared by every command: one clear reason why a
path cannot be read as a file (missing, a symbolic link loop, a broken link,
a directory), instead of a generic "no such file"."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import InputError


def input_stat(path: str | Path, what: str = "ebook file", *,
               regular: bool = False) -> os.stat_result:
    """``os.stat`` of ``path`` (links followed), or InputError saying what is
    wrong. ``regular``: refuse anything but a regular file (a device such as
    /dev/zero, a FIFO, a socket), whose size ``stat`` cannot tell, so no size
    limit could hold for it."""
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(_why(path, exc), path=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"is a directory, not an {what}" if what[0] in "aeiou"
                         else f"is a directory, not a {what}", path=path)
    if regular and not stat.S_ISREG(st.st_mode):
        raise InputError(f"not a regular file ({file_kind(st.st_mode)}): refused", path=path)
    return st


def file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO or pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a plain file"


def _why(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (too many levels of symbolic links)"
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return f"broken symbolic link to {target}"
        return "no such file"
    if exc.errno == errno.ENOTDIR:
        return "no such file (a parent of it is not a directory)"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"
