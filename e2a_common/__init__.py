"""Shared pieces of e2a: records, JSON Lines, errors, plugins, workdir layout.

Plugins import everything they need from here (never from private modules).
"""
from .errors import (E2AError, EngineError, FormatError, InputError, LockedError,
                     PluginError, RecordError)
from .hookspecs import hookimpl, hookspec
from .interfaces import (BindJob, ChapterMark, Engine, ExtractOptions, Extractor,
                         OutputFormat, Voice, VoiceInfo)
from .jsonl import read_records, write_record, write_records

__all__ = [
    "E2AError", "EngineError", "FormatError", "InputError", "LockedError", "PluginError",
    "RecordError", "hookimpl", "hookspec", "BindJob", "ChapterMark", "Engine",
    "ExtractOptions", "Extractor", "OutputFormat", "Voice", "VoiceInfo",
    "read_records", "write_record", "write_records",
]
