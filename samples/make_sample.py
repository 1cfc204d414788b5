#!/usr/bin/env python3
"""Builds samples/aesop.epub: a tiny EPUB 3 (with an EPUB 2 NCX too) used by the
README's first command and the tests. The fables are retold by the e2a
developers and dedicated to the public domain (CC0 1.0).

Front matter (a title page and a copyright page) is in the spine on purpose:
extract must not read it as chapter 1. Run: python3 samples/make_sample.py
"""
import struct
import zipfile
import zlib
from pathlib import Path

OUT = Path(__file__).with_name("aesop.epub")
UUID = "urn:uuid:6f1c2a9e-3b7d-4e0a-9c55-e2a000000001"

FABLES = [
    ("The Fox and the Grapes", [
        "One hot summer's day a Fox was strolling through an orchard, till he came to a "
        "bunch of grapes just ripening on a vine which had been trained over a lofty branch.",
        "\u201cJust the thing to quench my thirst,\u201d said he. Drawing back a few paces, "
        "he took a run and a jump, and just missed the bunch. He tried again and again, "
        "but at last had to give it up.",
        "He walked away with his nose in the air, saying: \u201cI am sure they are sour.\u201d",
        "It is easy to despise what you cannot get.",
    ]),
    ("The Tortoise and the Hare", [
        "The Hare was once boasting of his speed before the other animals. "
        "\u201cI have never yet been beaten,\u201d said he, \u201cwhen I put forth my full speed.\u201d",
        "The Tortoise said quietly, \u201cI accept your challenge.\u201d "
        "The Hare soon ran almost out of sight, and lay down to take a nap.",
        "The Tortoise plodded on and on, and when the Hare awoke, he saw the Tortoise "
        "just near the winning post. Slow and steady wins the race.",
    ]),
    ("The Crow and the Pitcher", [
        "A Crow, half-dead with thirst, came upon a Pitcher which had once been full of water; "
        "but when the Crow put its beak into the mouth of the Pitcher he found that only very "
        "little water was left in it.",
        "Then a thought came to him, and he took a pebble and dropped it into the Pitcher. "
        "He dropped pebble after pebble, until at last he saw the water mount up near him, "
        "and he was able to quench his thirst.",
        "Little by little does the trick.",
    ]),
]


def xhtml(title, body, epub_type=""):
    et = f' epub:type="{epub_type}"' if epub_type else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" lang="en">
<head><title>{title}</title></head>
<body><section{et}>
{body}
</section></body>
</html>
"""


def png(width, height, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def build(out=OUT):
    files = {}
    files["OEBPS/titlepage.xhtml"] = xhtml("Title page", "<h1>Three Fables of Aesop</h1>\n<p>Retold by the e2a developers</p>", "titlepage")
    files["OEBPS/copyright.xhtml"] = xhtml("Copyright", "<p>This retelling is dedicated to the public domain under CC0 1.0. "
                                           "No rights reserved.</p>", "copyright-page")
    spine, nav_items, ncx_points = ["titlepage", "copyright"], [], []
    for i, (title, paras) in enumerate(FABLES, start=1):
        body = f"<h2>{title}</h2>\n" + "\n".join(f"<p>{p}</p>" for p in paras)
        files[f"OEBPS/fable{i}.xhtml"] = xhtml(title, body, "chapter")
        spine.append(f"fable{i}")
        nav_items.append(f'<li><a href="fable{i}.xhtml">{title}</a></li>')
        ncx_points.append(f'<navPoint id="np{i}" playOrder="{i}"><navLabel><text>{title}</text></navLabel>'
                          f'<content src="fable{i}.xhtml"/></navPoint>')
    files["OEBPS/nav.xhtml"] = xhtml("Contents", '<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>'
                                     + "".join(nav_items) + "</ol></nav>")
    files["OEBPS/toc.ncx"] = f"""<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head><meta name="dtb:uid" content="{UUID}"/></head>
<docTitle><text>Three Fables of Aesop</text></docTitle>
<navMap>{''.join(ncx_points)}</navMap>
</ncx>
"""
    files["OEBPS/cover.png"] = png(60, 90, (40, 70, 120))
    manifest = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
                '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
                '<item id="cover" href="cover.png" media-type="image/png" properties="cover-image"/>']
    manifest += [f'<item id="{s}" href="{s}.xhtml" media-type="application/xhtml+xml"/>' for s in spine]
    files["OEBPS/content.opf"] = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">{UUID}</dc:identifier>
<dc:title>Three Fables of Aesop</dc:title>
<dc:creator>Aesop</dc:creator>
<dc:language>en</dc:language>
<dc:publisher>e2a sample</dc:publisher>
<dc:date>2026-01-01</dc:date>
<dc:rights>CC0 1.0</dc:rights>
<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
<meta name="cover" content="cover"/>
</metadata>
<manifest>{''.join(manifest)}</manifest>
<spine toc="ncx">{''.join(f'<itemref idref="{s}"/>' for s in spine)}</spine>
</package>
"""
    container = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
    fixed = (2026, 1, 1, 0, 0, 0)  # reproducible bytes
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", fixed), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("META-INF/container.xml", fixed), container, compress_type=zipfile.ZIP_DEFLATED)
        for name in sorted(files):
            z.writestr(zipfile.ZipInfo(name, fixed), files[name], compress_type=zipfile.ZIP_DEFLATED)
    return out


if __name__ == "__main__":
    print(build())
