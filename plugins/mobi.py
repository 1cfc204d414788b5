"""MOBI / AZW3 extractor (built-in plugin, entry point ``mobi``).

MOBI 7, KF8 (AZW3) and joint files, unencrypted, through the pure-Python
``mobi`` package (KindleUnpack; GPL-3.0, which the AGPL-3.0 allows to be
combined). KF8 content comes out as an EPUB, MOBI 7 content as an OEB folder
(OPF + NCX + one HTML file with ``filepos`` anchors); both are then read by
the EPUB extractor, so chapters, notes and front matter work the same way.
When the ``mobi`` package fails and calibre's ``ebook-convert`` is installed,
the book is converted to EPUB with it instead. DRM-encrypted books are
refused with a clear message.
"""
from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from e2a_common import ExtractOptions, InputError, hookimpl
from e2a_common.paths import input_stat
from e2a_common.console import warn

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel
from e2a_extract.safety import DirContainer, SafeZip

MAX_MOBI_BYTES = 256 * 1024 * 1024


def mobi_header(path: Path) -> dict:
    """Facts from the PalmDB and MOBI headers: type, encryption, version."""
    with open(path, "rb") as fh:
        head = fh.read(78 + 8)
        if len(head) < 86:
            raise InputError("not a MOBI/AZW file (too short)", path=path)
        kind = head[60:68]
        nrec = struct.unpack(">H", head[76:78])[0]
        off0 = struct.unpack(">I", head[78:82])[0]
        fh.seek(off0)
        rec0 = fh.read(512)
    info = {"type": kind.decode("latin-1"), "records": nrec}
    if len(rec0) >= 16:
        info["compression"] = struct.unpack(">H", rec0[0:2])[0]
        info["encryption"] = struct.unpack(">H", rec0[12:14])[0]
    if rec0[16:20] == b"MOBI" and len(rec0) >= 40:
        info["version"] = struct.unpack(">I", rec0[36:40])[0]
    return info


class MobiExtractor(BookExtractor):
    name = "mobi"
    description = "Kindle MOBI 7, KF8/AZW3 and joint files (.mobi, .azw3, .azw), DRM-free"
    extensions = (".mobi", ".azw3", ".azw", ".prc")

    def sniff(self, path: Path, head: bytes) -> int:
        if len(head) >= 68 and head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
            return 95
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        from plugins.epub import _Epub
        path = Path(path)
        if input_stat(path, regular=True).st_size > MAX_MOBI_BYTES:
            raise InputError(f"file is larger than {MAX_MOBI_BYTES} bytes", path=path)
        info = mobi_header(path)
        if info.get("encryption"):
            raise InputError("the book is encrypted (Kindle DRM); e2a reads only DRM-free books",
                             path=path)
        tmp = Path(tempfile.mkdtemp(prefix="e2a-mobi-"))
        try:
            out = self._unpack(path, tmp)
            if out.suffix.lower() == ".epub":
                with SafeZip(out, "EPUB") as z:
                    model = _Epub(path, z, options).model()
            else:
                with DirContainer(out.parent, path) as d:
                    model = _Epub(path, d, options).model()
            model.path = path
            if model.cover is None:   # KindleUnpack keeps the cover image apart
                found = sorted(p for p in tmp.rglob("*") if p.is_file()
                               and p.name.lower().startswith("cover")
                               and p.suffix.lower() in (".jpg", ".jpeg", ".png", ".gif"))
                if found:
                    model.cover = (found[0].read_bytes(), found[0].suffix.lstrip(".").lower())
            model.format = "azw3" if info.get("version", 0) >= 8 or out.suffix == ".epub" else "mobi"
            return model
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _unpack(self, path: Path, tmp: Path) -> Path:
        try:
            return _unpack_mobi(path, tmp)
        except InputError:
            raise
        except Exception as exc:  # KindleUnpack raises plain Exceptions
            calibre = shutil.which("ebook-convert")
            if not calibre:
                raise InputError(f"cannot read this MOBI/AZW3 file ({_short(exc)}); installing "
                                 "calibre (ebook-convert) gives e2a a second reader", path=path) from None
            warn(f"{path}: the mobi reader failed ({_short(exc)}); converting with calibre")
            out = tmp / "calibre.epub"
            proc = subprocess.run([calibre, str(path), str(out)], capture_output=True, text=True,
                                  timeout=600)
            if proc.returncode != 0 or not out.exists():
                last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]
                raise InputError(f"cannot read this MOBI/AZW3 file (calibre: {last[0][:160]})",
                                 path=path) from None
            return out


def _unpack_mobi(path: Path, tmp: Path) -> Path:
    try:
        from loguru import logger
        logger.disable("mobi")
    except ImportError:
        pass
    from mobi import kindleunpack
    # kindleunpack prints progress on stdout: keep our stdout for records only
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        kindleunpack.unpackBook(str(path), str(tmp), epubver="A")
    epubs = sorted(tmp.rglob("*.epub"))
    if epubs:
        return epubs[0]
    opf = sorted(tmp.glob("mobi7/*.opf")) or sorted(tmp.rglob("*.opf"))
    if opf:
        return opf[0]
    raise RuntimeError("no content found")


def _short(exc: Exception) -> str:
    s = str(exc).strip().splitlines()
    return (s[0] if s else type(exc).__name__)[:160]


@hookimpl
def register_extractors(register):
    register(MobiExtractor())
