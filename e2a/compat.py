"""ebook2audiobook's headless spellings, so commands from its docs run unchanged:

    e2a --headless --ebook book.epub --language fra --tts_engine XTTSv2 \\
        --output_format m4b --session s1 --force_restart

becomes ``e2a pipeline book.epub --language fr --engine coqui --voice xtts_v2 ...``.
"""
from __future__ import annotations

from .languages import normalize_language

_RENAMES = {
    "--ebooks_dir": "--ebooks-dir", "--output_format": "--output-format",
    "--force_restart": "--force-restart", "--output_dir": "--audiobooks-dir",
    "--audiobooks_dir": "--audiobooks-dir", "--voice_model": "--voice",
    "--keep_workdir": "--keep-workdir", "--speaker_wav": "--speaker-wav",
}
_FLAGS_DROPPED = {"--headless", "--script_mode"}
_ENGINES = {"xttsv2": ("coqui", "xtts_v2"), "xtts": ("coqui", "xtts_v2"), "vits": ("coqui", None),
            "piper": ("piper", None), "espeak": ("espeak", None), "espeak-ng": ("espeak", None),
            "coqui": ("coqui", None)}


def translate_legacy_args(argv: list[str]) -> list[str]:
    if not any(a in ("--headless", "--ebook", "--ebooks_dir") or a.startswith("--ebook=")
               for a in argv):
        return argv
    out: list[str] = ["pipeline"]
    it = iter(argv)
    for arg in it:
        key, eq, val = arg.partition("=")
        if key in _FLAGS_DROPPED:
            continue
        if key == "--ebook":
            out.append(val if eq else next(it, ""))
        elif key == "--tts_engine":
            name = (val if eq else next(it, "")).lower()
            engine, voice = _ENGINES.get(name, (name, None))
            out += ["--engine", engine]
            if voice and "--voice" not in argv and "--voice_model" not in argv:
                out += ["--voice", voice]
        elif key == "--language":
            out += ["--language", normalize_language(val if eq else next(it, "")) or ""]
        elif key in _RENAMES:
            out.append(_RENAMES[key] + (f"={val}" if eq else ""))
        else:
            out.append(arg)
    return out
