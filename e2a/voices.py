"""The library behind `e2a voices`: which voices are installed, which can be
fetched, and fetching one into the voice cache.

Every engine plugin lists its installed voices (``Engine.list_voices``); an
engine that can fetch voices also has ``catalogue(language)`` (what can be
fetched, as VoiceInfo with ``installed`` set) and ``download(name)``. The cache is
``$XDG_CACHE_HOME/e2a/voices/<engine>/`` (``E2A_VOICES`` overrides it).
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from e2a_common.errors import E2AError, EngineError
from e2a_common.plugins import engines as all_engines
from e2a_common.plugins import get_engine
from e2a_common.voicecache import voice_cache_dir

__all__ = ["list_voices", "download", "format_table", "cache_dir"]


def cache_dir():
    return voice_cache_dir()


def _norm(lang: str | None) -> str | None:
    if not lang:
        return None
    try:
        from e2a.languages import normalize_language
        return normalize_language(lang)
    except ImportError:  # pragma: no cover - the lead's module is always there
        return lang


def list_voices(engine: str | None = None, language: str | None = None, *,
                fetchable: bool = True) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows ``{engine, name, language, installed, fetchable, description}`` for
    the installed voices and (when ``fetchable``) those the engines can fetch,
    plus warnings for engines whose catalogue could not be read (offline)."""
    language = _norm(language)
    table = {engine: get_engine(engine)} if engine else all_engines()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    warnings: list[str] = []
    for name in sorted(table):
        eng = table[name]
        try:
            installed = eng.list_voices(language) or []
        except E2AError as exc:
            warnings.append(f"{name}: {exc}")
            installed = []
        for v in installed:
            row = asdict(v)
            row.update(installed=True, fetchable=False)
            rows[(v.engine, v.name)] = row
        cat = getattr(eng, "catalogue", None)
        if not fetchable or not callable(cat):
            continue
        try:
            for v in cat(language) or []:
                key = (v.engine, v.name)
                if key in rows:
                    rows[key]["fetchable"] = True
                    continue
                row = asdict(v)
                row["fetchable"] = True
                rows[key] = row
        except E2AError as exc:
            warnings.append(str(exc))
    out = sorted(rows.values(), key=lambda r: (r["engine"], r["language"], r["name"]))
    return out, warnings


def download(engine: str, name: str):
    """Fetch voice ``name`` of ``engine`` into the cache (nothing when already
    there). Returns what the engine returns (the files). EngineError offline."""
    eng = get_engine(engine)
    fn = getattr(eng, "download", None)
    if not callable(fn):
        raise EngineError(f"{engine}: voices are installed with the engine; "
                          "there is nothing to download")
    return fn(name)


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain text table: ENGINE LANGUAGE NAME STATUS DESCRIPTION."""
    if not rows:
        return "no voices found"
    head = ("ENGINE", "LANGUAGE", "VOICE", "STATUS", "DESCRIPTION")
    body = [(r["engine"], r["language"], r["name"],
             "installed" if r["installed"] else "fetchable", r.get("description", ""))
            for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(4)]
    lines = []
    for row in [head, *body]:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4])
    return "\n".join(line.rstrip() for line in lines)
