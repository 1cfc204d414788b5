"""The one plugin manager. Built-in engines, formats and extractors are
registered through the same entry-point group ("e2a") as third-party ones.

E2A_PLUGINS=name1,name2 loads only those entry points (empty: none), so a
broken plugin never blocks the tool.
"""
from __future__ import annotations

import importlib.metadata
import os
import sys
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError, UnknownPluginError

GROUP = "e2a"
BUILTIN_PREFIX = "plugins."

_pm: pluggy.PluginManager | None = None


def new_plugin_manager(load_entrypoints: bool = True) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    if load_entrypoints:
        _load_entrypoints(pm)
    pm.check_pending()
    return pm


def _load_entrypoints(pm: pluggy.PluginManager) -> None:
    wanted = os.environ.get("E2A_PLUGINS")
    names = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    eps = sorted(importlib.metadata.entry_points(group=GROUP),
                 key=lambda ep: (not ep.value.startswith(BUILTIN_PREFIX), ep.name))
    for ep in eps:  # built-ins first: pluggy calls the last registered first
        if names is not None and ep.name not in names:
            continue
        if pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the tool down
            print(f"e2a: warning: plugin {ep.name!r} failed to load: {exc}", file=sys.stderr)
            continue
        pm.register(plugin, name=ep.name)


def get_plugin_manager() -> pluggy.PluginManager:
    global _pm
    if _pm is None:
        _pm = new_plugin_manager()
    return _pm


def set_plugin_manager(pm: pluggy.PluginManager | None) -> None:
    """For tests: use this manager (None: rebuild from entry points on next use)."""
    global _pm
    _pm = pm


def _collect(hook_name: str, pm: pluggy.PluginManager | None) -> dict[str, Any]:
    pm = pm or get_plugin_manager()
    found: dict[str, Any] = {}
    origin: dict[str, str] = {}

    def register(obj: Any) -> None:
        name = getattr(obj, "name", None)
        if not name or not isinstance(name, str):
            raise PluginError(f"{hook_name}: registered object {obj!r} has no name")
        mod = type(obj).__module__
        if name in found:
            # hooks run newest-registered first, so the first one seen wins;
            # built-ins load first, so a third-party plugin overrides them.
            if not origin[name].startswith(BUILTIN_PREFIX) and not mod.startswith(BUILTIN_PREFIX):
                print(f"e2a: warning: two plugins register {name!r}; using {origin[name]}",
                      file=sys.stderr)
            return
        found[name] = obj
        origin[name] = mod

    getattr(pm.hook, hook_name)(register=register)
    return found


def engines(pm: pluggy.PluginManager | None = None) -> dict[str, Any]:
    return _collect("register_engines", pm)


def extractors(pm: pluggy.PluginManager | None = None) -> dict[str, Any]:
    return _collect("register_extractors", pm)


def formats(pm: pluggy.PluginManager | None = None) -> dict[str, Any]:
    return _collect("register_formats", pm)


def _pick(kind: str, table: dict[str, Any], name: str) -> Any:
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table)) or "none installed"
        raise UnknownPluginError(f"unknown {kind} {name!r} (available: {known})") from None


def get_engine(name: str, pm=None):
    return _pick("engine", engines(pm), name)


def get_format(name: str, pm=None):
    return _pick("output format", formats(pm), name)


def get_extractor(name: str, pm=None):
    return _pick("extractor", extractors(pm), name)


def describe(pm: pluggy.PluginManager | None = None) -> list[dict]:
    """What is loaded: one entry per plugin with its hooks (for `e2a plugins`)."""
    pm = pm or get_plugin_manager()
    out = []
    for name, plugin in pm.list_name_plugin():
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        out.append({"name": name, "module": getattr(plugin, "__name__", repr(plugin)),
                    "builtin": getattr(plugin, "__name__", "").startswith(BUILTIN_PREFIX),
                    "hooks": hooks})
    return out
