"""Build small EPUB files by hand (zipfile), for tests and examples.

    make_epub(path, [Doc("c1.xhtml", "<h1>One</h1><p>Text.</p>", toc="One")])

Every part can be bent out of shape (no mimetype, extra files, raw OPF
pieces), so tests can build the broken and hostile books they need.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

XHTML_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
              '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
              ' xml:lang="{lang}"><head><title>{title}</title></head>\n<body{body_attrs}>')
XHTML_TAIL = "</body></html>\n"

# a 1x1 PNG
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


@dataclass
class Doc:
    name: str                    # path under OEBPS/
    body: str                    # XHTML body content
    toc: str | None = None       # TOC label (None: not in the TOC)
    linear: bool = True
    body_type: str = ""          # epub:type of <body>
    title: str = ""
    raw: str | None = None       # the whole file, verbatim
    children: list[tuple[str, str]] = field(default_factory=list)  # (label, "#frag")
    in_spine: bool = True


def make_epub(path: str | Path, docs: list[Doc], *, version: int = 3, title: str = "Test Book",
              authors: tuple[str, ...] = ("Ann Author",), language: str | None = "en",
              identifier: str = "urn:uuid:12345678-1234-1234-1234-123456789abc",
              cover: bytes | None = None, cover_name: str = "images/cover.png",
              cover_type: str = "image/png", mimetype: bool = True, nav_in_spine: bool = False,
              with_toc: bool = True, extra_meta: str = "", extra_files: dict | None = None,
              opf_override: str | None = None, container: str | None = None,
              nav_entries: list[tuple[str, str]] | None = None) -> Path:
    path = Path(path)
    files: dict[str, bytes] = {}
    manifest, spine = [], []
    for i, d in enumerate(docs):
        content = d.raw if d.raw is not None else (
            XHTML_HEAD.format(lang=language or "en", title=escape(d.title or d.toc or d.name),
                              body_attrs=f' epub:type="{d.body_type}"' if d.body_type else "")
            + d.body + XHTML_TAIL)
        files[f"OEBPS/{d.name}"] = content.encode("utf-8")
        manifest.append(f'<item id="d{i}" href="{d.name}" media-type="application/xhtml+xml"/>')
        if d.in_spine:
            nonlinear = "" if d.linear else ' linear="no"'
            spine.append(f'<itemref idref="d{i}"{nonlinear}/>')
    toc_docs = [d for d in docs if d.toc is not None]
    if version >= 3 and with_toc:
        items = []
        for d in toc_docs:
            kids = "".join(f'<li><a href="{d.name}{frag}">{escape(lbl)}</a></li>'
                           for lbl, frag in d.children)
            items.append(f'<li><a href="{d.name}">{escape(d.toc)}</a>'
                         + (f"<ol>{kids}</ol>" if kids else "") + "</li>")
        if nav_entries is not None:   # a flat TOC given as (label, href)
            items = [f'<li><a href="{h}">{escape(lbl)}</a></li>' for lbl, h in nav_entries]
        nav = (XHTML_HEAD.format(lang="en", title="Contents", body_attrs="")
               + '<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>' + "".join(items)
               + "</ol></nav>" + XHTML_TAIL)
        files["OEBPS/nav.xhtml"] = nav.encode()
        manifest.append('<item id="nav" href="nav.xhtml" properties="nav" '
                        'media-type="application/xhtml+xml"/>')
        if nav_in_spine:
            spine.insert(0, '<itemref idref="nav"/>')
    if version < 3 and with_toc:
        points, n = [], 0
        for d in toc_docs:
            n += 1
            kids = ""
            for lbl, frag in d.children:
                n += 1
                kids += (f'<navPoint id="p{n}" playOrder="{n}"><navLabel><text>{escape(lbl)}</text>'
                         f'</navLabel><content src="{d.name}{frag}"/></navPoint>')
            points.append(f'<navPoint id="p{n}" playOrder="{n}"><navLabel><text>{escape(d.toc)}'
                          f'</text></navLabel><content src="{d.name}"/>{kids}</navPoint>')
        ncx = ('<?xml version="1.0" encoding="utf-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
               'version="2005-1"><head/><docTitle><text>T</text></docTitle><navMap>'
               + "".join(points) + "</navMap></ncx>")
        files["OEBPS/toc.ncx"] = ncx.encode()
        manifest.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    meta_cover = ""
    if cover is not None:
        files[f"OEBPS/{cover_name}"] = cover
        props = ' properties="cover-image"' if version >= 3 else ""
        manifest.append(f'<item id="cover-img" href="{cover_name}" media-type="{cover_type}"{props}/>')
        if version < 3:
            meta_cover = '<meta name="cover" content="cover-img"/>'
    creators = "".join(f"<dc:creator>{escape(a)}</dc:creator>" for a in authors)
    lang = f"<dc:language>{language}</dc:language>" if language else ""
    spine_toc = ' toc="ncx"' if version < 3 and with_toc else ""
    opf = opf_override or (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="uid">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
        f'<dc:identifier id="uid">{identifier}</dc:identifier><dc:title>{escape(title)}</dc:title>'
        f'{creators}{lang}{meta_cover}{extra_meta}</metadata>'
        f'<manifest>{"".join(manifest)}</manifest>'
        f'<spine{spine_toc}>{"".join(spine)}</spine></package>')
    files["OEBPS/content.opf"] = opf.encode("utf-8")
    files["META-INF/container.xml"] = (container or (
        '<?xml version="1.0"?><container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
        '</rootfiles></container>')).encode()
    for name, data in (extra_files or {}).items():
        files[name] = data if isinstance(data, bytes) else data.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        if mimetype:
            z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in files.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path
