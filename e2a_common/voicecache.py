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
