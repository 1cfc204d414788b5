"""Defensive readers for untrusted ebooks: a bounded ZIP reader and an XML
parser that never expands entities nor fetches anything.

Every refusal is an :class:`e2a_common.InputError` naming the file, so the CLI
prints one line and exits 1.
"""
from __future__ import annotations

import codecs
import html.entities
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree, html as lxml_html

from e2a_common import InputError
from e2a_common.paths import input_stat

# Limits for archives (EPUB, DOCX, ODT, .fb2.zip). Real books are far below them:
# the biggest corpus EPUB unpacks to ~4 MB.
MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 256 * 1024 * 1024      # one member, uncompressed
MAX_TOTAL_BYTES = 1024 * 1024 * 1024     # everything we read from one archive
MAX_RATIO = 200                          # uncompressed / compressed, for members > 1 MiB
RATIO_FLOOR = 1024 * 1024


class SafeZip:
    """A read-only view of a ZIP archive that refuses bombs and unsafe names.

    Member sizes are checked against the central directory *and* while
    reading (headers can lie), and the total read is capped."""

    def __init__(self, path: Path, what: str = "archive"):
        self.path = Path(path)
        input_stat(self.path, what, regular=True)   # a device or FIFO has no size to check
        try:
            self.zf = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            raise InputError(f"not a valid {what} (not a ZIP archive, or a damaged one)",
                             path=path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
        infos = self.zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise InputError(f"archive has {len(infos)} entries (limit {MAX_ENTRIES}): "
                             "refused as a possible zip bomb", path=path)
        self.names: dict[str, zipfile.ZipInfo] = {}
        self.lower: dict[str, str] = {}
        declared = 0
        for info in infos:
            name = info.filename
            check_member_name(name, self.path)
            if info.is_dir():
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                raise InputError(f"archive member {name!r} unpacks to {info.file_size} bytes "
                                 f"(limit {MAX_ENTRY_BYTES}): refused as a possible zip bomb",
                                 path=path)
            if (info.file_size > RATIO_FLOOR and info.compress_size
                    and info.file_size / info.compress_size > MAX_RATIO):
                raise InputError(f"archive member {name!r} has a compression ratio of "
                                 f"{info.file_size // max(1, info.compress_size)}:1: "
                                 "refused as a possible zip bomb", path=path)
            declared += info.file_size
            self.names[name] = info
            self.lower.setdefault(name.lower(), name)
        if declared > MAX_TOTAL_BYTES:
            raise InputError(f"archive unpacks to {declared} bytes (limit {MAX_TOTAL_BYTES}): "
                             "refused as a possible zip bomb", path=path)
        self._read_total = 0

    def __contains__(self, name: str) -> bool:
        return self.resolve(name) is not None

    def resolve(self, name: str) -> str | None:
        """The member's real name (exact, then case-insensitive, then URL-decoded)."""
        if name in self.names:
            return name
        from urllib.parse import unquote
        for cand in (unquote(name), name.lower(), unquote(name).lower()):
            if cand in self.names:
                return cand
            real = self.lower.get(cand)
            if real:
                return real
        return None

    def read(self, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
        real = self.resolve(name)
        if real is None:
            raise KeyError(name)
        info = self.names[real]
        out = bytearray()
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(1 << 16)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > min(limit, max(info.file_size, 0) + 1024):
                        raise InputError(f"archive member {real!r} is larger than its header "
                                         "says: refused as a possible zip bomb", path=self.path)
                    if self._read_total + len(out) > MAX_TOTAL_BYTES:
                        raise InputError("archive unpacks to more than "
                                         f"{MAX_TOTAL_BYTES} bytes: refused as a possible zip bomb",
                                         path=self.path)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise InputError(f"archive member {real!r} is damaged ({exc})", path=self.path) from None
        except NotImplementedError as exc:
            raise InputError(f"archive member {real!r} uses an unsupported compression ({exc})",
                             path=self.path) from None
        except RuntimeError as exc:  # encrypted member
            raise InputError(f"archive member {real!r} is password-protected ({exc})",
                             path=self.path) from None
        self._read_total += len(out)
        return bytes(out)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_DRIVE = re.compile(r"^[A-Za-z]:")


def read_limited(path: Path, limit: int, what: str = "file", *, source: Path | None = None) -> bytes:
    """The bytes of ``path``, refusing it once more than ``limit`` bytes have
    been READ: ``stat``'s size is 0 for a device or FIFO and may be stale for a
    file that grows, so it cannot be the only guard."""
    chunks: list[bytes] = []
    total = 0
    try:
        with open(path, "rb") as fh:
            while True:
                chunk = fh.read(min(1 << 20, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise InputError(f"{what} is larger than {limit} bytes: refused",
                                     path=source or path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=source or path) from None
    return b"".join(chunks)


def check_member_name(name: str, path: Path) -> None:
    """Refuse absolute names, drive letters and '..' components."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm) or "\x00" in norm:
        raise InputError(f"archive member {name!r} has an absolute path: refused", path=path)
    if ".." in norm.split("/"):
        raise InputError(f"archive member {name!r} climbs out of the archive ('..'): refused",
                         path=path)


def join_href(base_dir: str, href: str) -> str:
    """Resolve a relative href against a directory inside an archive."""
    from urllib.parse import unquote
    href = unquote(href.split("#", 1)[0])
    joined = posixpath.normpath(posixpath.join(base_dir, href)) if base_dir else posixpath.normpath(href)
    return joined.lstrip("/") if joined != "." else ""


# ------------------------------------------------------------------------- XML
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_ENC_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.I)
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def decode_markup(data: bytes) -> str:
    """Bytes of an XML/HTML document to text: BOM, then the XML declaration,
    then a <meta charset>, then UTF-8, then cp1252."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    if data[:2] in (b"<\x00", b"\x00<"):
        return data.decode("utf-16-le" if data[:1] == b"<" else "utf-16-be", errors="replace")
    m = _ENC_DECL.match(data) or _META_CHARSET.search(data[:2048])
    if m:
        enc = m.group(1).decode("ascii", "replace")
        try:
            codecs.lookup(enc)
            if enc.lower().replace("-", "").replace("_", "") not in ("utf8", "usascii", "ascii"):
                return data.decode(enc, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _replace_named(m: re.Match) -> str:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    ch = html.entities.html5.get(name + ";")
    return ch if ch is not None else m.group(0)


def refuse_entities(data: bytes, name: str, path: Path) -> None:
    """Refuse any document that declares entities (billion laughs, XXE)."""
    head = data[:65536]
    if _DOCTYPE_SUBSET.search(head) and _ENTITY_DECL.search(data):
        raise InputError(f"{name} declares XML entities in its DOCTYPE: refused "
                         "(entity expansion or external entity attack)", path=path)


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True, recover=False)


def parse_xml(data: bytes, name: str, path: Path, *, html_fallback: bool = False,
              warn=None) -> etree._Element:
    """Parse untrusted XML safely. Named HTML entities (&nbsp;) are replaced by
    their characters first (no DTD is ever loaded). When ``html_fallback`` is
    set, a document that is not well-formed is recovered with the HTML parser
    and ``warn`` is called; otherwise the error is raised as InputError."""
    refuse_entities(data, name, path)
    text = decode_markup(data)
    text = _XML_DECL.sub("", text, count=1)
    if "&" in text:
        text = _NAMED_ENTITY.sub(_replace_named, text)
    raw = text.encode("utf-8")
    try:
        root = etree.fromstring(raw, _xml_parser())
        if root is None:
            raise etree.XMLSyntaxError("empty document", None, 0, 0)  # type: ignore[arg-type]
        return root
    except etree.XMLSyntaxError as exc:
        if not html_fallback:
            raise InputError(f"{name} is not well-formed XML ({_short(exc)})", path=path) from None
        if warn:
            warn(f"{path}: {name} is not well-formed XHTML ({_short(exc)}); recovered")
        try:
            parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
            root = lxml_html.document_fromstring(raw, parser=parser)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc2:
            raise InputError(f"{name} cannot be parsed ({exc2})", path=path) from None
        return root


def _short(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return msg[:160]


def localname(tag) -> str:
    if not isinstance(tag, str):
        return ""
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    if ":" in tag:  # HTML parser keeps prefixes: "epub:switch", "m:math"
        tag = tag.rsplit(":", 1)[1]
    return tag.lower()


class DirContainer:
    """A directory read like a SafeZip (for unpacked books: MOBI/AZW3 output,
    OEB folders). Names are relative POSIX paths; nothing outside the folder
    is ever read (symlinks pointing out are ignored)."""

    def __init__(self, root: Path, path: Path | None = None):
        self.root = Path(root).resolve()
        self.path = Path(path) if path is not None else self.root
        self.names: dict[str, Path] = {}
        self.lower: dict[str, str] = {}
        total = 0
        for p in sorted(self.root.rglob("*")):
            if not p.is_file():
                continue
            real = p.resolve()
            if self.root not in real.parents:
                continue
            name = p.relative_to(self.root).as_posix()
            self.names[name] = p
            self.lower.setdefault(name.lower(), name)
            total += p.stat().st_size
            if len(self.names) > MAX_ENTRIES or total > MAX_TOTAL_BYTES:
                raise InputError("unpacked book is too large: refused", path=self.path)

    def __contains__(self, name: str) -> bool:
        return self.resolve(name) is not None

    def resolve(self, name: str) -> str | None:
        from urllib.parse import unquote
        for cand in (name, unquote(name)):
            if cand in self.names:
                return cand
            real = self.lower.get(cand.lower())
            if real:
                return real
        return None

    def read(self, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
        real = self.resolve(name)
        if real is None:
            raise KeyError(name)
        p = self.names[real]
        if p.stat().st_size > limit:
            raise InputError(f"{real} is larger than {limit} bytes: refused", path=self.path)
        return read_limited(p, limit, real, source=self.path)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
