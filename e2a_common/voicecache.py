"""Where downloaded voices live: ``$E2A_VOICES`` if set, else
``$XDG_CACHE_HOME/e2a/voices`` (``~/.cache/e2a/voices``), one folder per engine."""
from __future__ import annotations

import os
from pathlib import Path


def voice_cache_dir() -> Path:
    explicit = os.environ.get("E2A_VOICES")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "e2a" / "voices"


def file_digest(*paths: Path, length: int = 16) -> str:
    """sha256 prefix over the files' bytes, memoised on disk by path, size and
    mtime (voice models are large; every run and every worker needs the digest)."""
    import hashlib
    import json

    from .workdir import atomic_write_text

    stats = [(str(Path(p).resolve()), Path(p).stat().st_size, Path(p).stat().st_mtime_ns)
             for p in paths]
    memo_key = json.dumps(stats)
    memo_file = voice_cache_dir() / "digests.json"
    try:
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    if memo_key in memo:
        return memo[memo_key][:length]
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()
    if sum(s[1] for s in stats) > 8 << 20:        # only worth remembering for big files
        memo[memo_key] = digest
        try:
            atomic_write_text(memo_file, json.dumps(memo))
        except OSError:
            pass
    return digest[:length]
