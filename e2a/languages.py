"""Language codes: users give ISO 639-1 ("fr"), ISO 639-3/2 ("fra", "fre") or
BCP 47 ("fr-FR"); stages work with ISO 639-1 where one exists."""
from __future__ import annotations

# ISO 639-3 (and 639-2/B where different) -> ISO 639-1, for the languages that
# espeak-ng, Piper and Coqui voices cover.
_ISO3 = {
    "afr": "af", "amh": "am", "ara": "ar", "aze": "az", "bel": "be", "ben": "bn", "bos": "bs",
    "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "cym": "cy", "wel": "cy", "dan": "da",
    "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "epo": "eo", "est": "et",
    "eus": "eu", "baq": "eu", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr", "fre": "fr",
    "gle": "ga", "glg": "gl", "guj": "gu", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
    "hye": "hy", "arm": "hy", "ind": "id", "isl": "is", "ice": "is", "ita": "it", "jpn": "ja",
    "kat": "ka", "geo": "ka", "kaz": "kk", "kor": "ko", "lat": "la", "lav": "lv", "lit": "lt",
    "ltz": "lb", "mkd": "mk", "mac": "mk", "mal": "ml", "mar": "mr", "msa": "ms", "may": "ms",
    "mlt": "mt", "nep": "ne", "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn",
    "pan": "pa", "pol": "pl", "por": "pt", "ron": "ro", "rum": "ro", "rus": "ru", "slk": "sk",
    "slo": "sk", "slv": "sl", "spa": "es", "sqi": "sq", "alb": "sq", "srp": "sr", "swa": "sw",
    "swe": "sv", "tam": "ta", "tel": "te", "tha": "th", "tur": "tr", "ukr": "uk", "urd": "ur",
    "uzb": "uz", "vie": "vi", "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh", "zul": "zu",
}


def normalize_language(code: str | None) -> str | None:
    """'fra' -> 'fr', 'fr-FR' -> 'fr-FR', 'FR' -> 'fr'; unknown codes pass through."""
    if not code:
        return None
    code = code.strip().replace("_", "-")
    base, _, region = code.partition("-")
    base = base.lower()
    base = _ISO3.get(base, base)
    return f"{base}-{region.upper()}" if region else base
