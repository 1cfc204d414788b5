"""Bad and hostile input: each refused with one line naming the file, exit 1."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from e2a_common import ExtractOptions, InputError
from e2a_common.plugins import new_plugin_manager
from e2a_extract import extract
from e2a_extract.epubmaker import Doc, make_epub

GOOD = [Doc("c1.xhtml", "<h1>One</h1><p>Text of one.</p>", toc="One")]


@pytest.fixture()
def pm():
    import plugins.epub
    m = new_plugin_manager(load_entrypoints=False)
    m.register(plugins.epub, name="epub")
    return m


def run(path, pm, **kw):
    return list(extract(path, ExtractOptions(**kw), pm=pm))


def refused(path, pm, match):
    with pytest.raises(InputError, match=match) as ei:
        run(path, pm)
    assert str(path) in str(ei.value)
    assert "\n" not in str(ei.value)
    return str(ei.value)


XXE = ('<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>'
       '<body><p>&xxe;</p></body></html>')
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                    for i in range(1, 10))
          + ']>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>')


def test_external_entity_is_refused_never_fetched(tmp_path, pm):
    book = make_epub(tmp_path / "xxe.epub", [Doc("c1.xhtml", "", raw=XXE, toc="One")])
    msg = refused(book, pm, "entit")
    assert "root:" not in msg


def test_entity_expansion_is_refused(tmp_path, pm):
    book = make_epub(tmp_path / "lol.epub", [Doc("c1.xhtml", "", raw=LAUGHS, toc="One")])
    refused(book, pm, "entit")


def test_entities_in_the_package_document_are_refused(tmp_path, pm):
    opf = ('<?xml version="1.0"?><!DOCTYPE package [<!ENTITY t SYSTEM "http://example.invalid/t">]>'
           '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&t;</dc:title></metadata>'
           '<manifest><item id="d0" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="d0"/></spine></package>')
    book = make_epub(tmp_path / "opf.epub", GOOD, opf_override=opf)
    refused(book, pm, "entit")


def test_html_named_entities_without_dtd_are_read(tmp_path, pm):
    book = make_epub(tmp_path / "nbsp.epub", [Doc("c1.xhtml", "<p>caf&eacute;&nbsp;au&mdash;lait &amp; co</p>",
                                                  toc="One")])
    texts = [r["text"] for r in run(book, pm) if r["kind"] == "block"]
    assert texts == ["café au—lait & co"]


def test_zip_bomb_member_is_refused(tmp_path, pm):
    book = make_epub(tmp_path / "bomb.epub", GOOD,
                     extra_files={"OEBPS/bomb.bin": b"\0" * (24 * 1024 * 1024)})
    refused(book, pm, "zip bomb")


def test_lying_zip_header_is_caught_while_reading(tmp_path, pm):
    """A member whose central-directory size is smaller than its data."""
    book = make_epub(tmp_path / "lie.epub", GOOD)
    data = bytearray(book.read_bytes())
    # the stored size of c1.xhtml in the central directory and local header: make it tiny
    with zipfile.ZipFile(book) as z:
        info = z.getinfo("OEBPS/c1.xhtml")
    size = info.file_size.to_bytes(4, "little")
    new = (10).to_bytes(4, "little")
    assert data.count(size) >= 2
    book.write_bytes(bytes(data).replace(size, new))
    with pytest.raises(InputError) as ei:
        run(book, pm)
    assert str(book) in str(ei.value)


@pytest.mark.parametrize("name,match", [("../evil.xhtml", r"climbs out"),
                                        ("/etc/evil.xhtml", "absolute path"),
                                        ("OEBPS/../../evil.xhtml", r"climbs out")])
def test_unsafe_member_names_are_refused(tmp_path, pm, name, match):
    book = make_epub(tmp_path / "trav.epub", GOOD, extra_files={name: "<p>x</p>"})
    refused(book, pm, match)


def test_drm_encrypted_book_says_so(tmp_path, pm):
    enc = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
           'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
           '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
           '<enc:CipherData><enc:CipherReference URI="OEBPS/c1.xhtml"/></enc:CipherData>'
           '</enc:EncryptedData></encryption>')
    book = make_epub(tmp_path / "drm.epub", GOOD, extra_files={
        "META-INF/encryption.xml": enc, "META-INF/rights.xml": "<rights/>"})
    msg = refused(book, pm, "encrypted")
    assert "Adobe" in msg and "DRM" in msg


def test_obfuscated_fonts_are_not_drm(tmp_path, pm):
    enc = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
           'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
           '<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
           '<enc:CipherData><enc:CipherReference URI="OEBPS/fonts/a.otf"/></enc:CipherData>'
           '</enc:EncryptedData></encryption>')
    book = make_epub(tmp_path / "font.epub", GOOD, extra_files={"META-INF/encryption.xml": enc})
    assert any(r["kind"] == "block" for r in run(book, pm))


def test_missing_mimetype_still_reads_with_a_warning(tmp_path, pm, capsys):
    book = make_epub(tmp_path / "nomime.epub", GOOD, mimetype=False)
    assert [r["text"] for r in run(book, pm) if r["kind"] == "block"] == ["One", "Text of one."]
    assert "mimetype" in capsys.readouterr().err


def test_malformed_xhtml_is_recovered_with_a_warning(tmp_path, pm, capsys):
    raw = ('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
           '</head><body><p>Unclosed paragraph<p>Second</body></html>')
    book = make_epub(tmp_path / "bad.epub", [Doc("c1.xhtml", "", raw=raw, toc="One")])
    texts = [r["text"] for r in run(book, pm) if r["kind"] == "block"]
    assert texts == ["Unclosed paragraph", "Second"]
    assert "not well-formed" in capsys.readouterr().err


def test_empty_book_is_refused(tmp_path, pm):
    book = make_epub(tmp_path / "empty.epub", [Doc("c1.xhtml", "<p>  </p><div></div>", toc="One")])
    refused(book, pm, "empty")


def test_zip_without_package_is_not_an_epub(tmp_path, pm):
    p = tmp_path / "x.epub"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    refused(p, pm, "no .opf|not an EPUB")


def test_spine_pointing_at_missing_file(tmp_path, pm, capsys):
    book = make_epub(tmp_path / "miss.epub", GOOD + [Doc("c2.xhtml", "<p>Two.</p>", toc="Two")])
    with zipfile.ZipFile(book) as z:
        files = {n: z.read(n) for n in z.namelist() if n != "OEBPS/c2.xhtml"}
    with zipfile.ZipFile(book, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    texts = [r["text"] for r in run(book, pm) if r["kind"] == "block"]
    assert texts == ["One", "Text of one."]
    assert "missing" in capsys.readouterr().err


@pytest.mark.parametrize("case", ["xxe", "bomb", "notzip", "dir"])
def test_cli_refusals_are_one_line_exit_1(tmp_path, case):
    if case == "xxe":
        target = make_epub(tmp_path / "xxe.epub", [Doc("c1.xhtml", "", raw=XXE, toc="One")])
    elif case == "bomb":
        target = make_epub(tmp_path / "bomb.epub", GOOD,
                           extra_files={"OEBPS/b.bin": b"\0" * (24 * 1024 * 1024)})
    elif case == "notzip":
        target = tmp_path / "n.epub"
        target.write_bytes(os.urandom(2000))
    else:
        target = tmp_path
    p = subprocess.run([sys.executable, "-m", "e2a_extract.cli", str(target)], capture_output=True,
                       text=True, env=dict(os.environ, E2A_PLUGINS="epub"))
    assert p.returncode == 1, p.stderr
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("e2a-extract: error: ") and str(target) in lines[0]


def test_absurdly_deep_nesting_is_refused_or_read_without_a_crash(tmp_path, pm):
    body = "<div>" * 5000 + "<p>Deep.</p>" + "</div>" * 5000
    book = make_epub(tmp_path / "deep.epub", [Doc("c1.xhtml", body, toc="One")])
    try:
        recs = run(book, pm)
    except InputError as exc:      # a clean refusal is fine...
        assert str(book) in str(exc)
    else:                          # ...and so is reading what can be read
        assert recs[0]["kind"] == "book"


def test_huge_single_line_text_file_is_kept_whole(tmp_path):
    import plugins.txt
    m = new_plugin_manager(load_entrypoints=False)
    m.register(plugins.txt, name="txt")
    p = tmp_path / "one-line.txt"
    p.write_text(("word " * 30000).strip() + ".", encoding="utf-8")
    recs = list(extract(p, ExtractOptions(), pm=m))
    assert sum(1 for r in recs if r["kind"] == "block") == 1   # one paragraph, never dropped


@pytest.mark.parametrize("make, match", [
    (lambda d: (os.symlink(d / "loop2.epub", d / "loop1.epub"),
                os.symlink(d / "loop1.epub", d / "loop2.epub")), "symbolic link loop"),
    (lambda d: os.symlink(d / "gone.epub", d / "loop1.epub"), "broken symbolic link to .*gone.epub"),
    (lambda d: None, "no such file"),
])
def test_links_that_lead_nowhere_are_named_for_what_they_are(tmp_path, pm, make, match):
    make(tmp_path)
    with pytest.raises(InputError, match=match) as info:
        run(tmp_path / "loop1.epub", pm)
    assert "loop1.epub" in str(info.value)
    # the pipeline checks the book itself before hashing it: same message
    from e2a.pipeline import convert
    with pytest.raises(InputError, match=match):
        convert(tmp_path / "loop1.epub")


NON_REGULAR = ["txt", "markdown", "html", "fb2", "odt", "pdf", "epub", "docx", "mobi"]


@pytest.mark.parametrize("forced", NON_REGULAR)
def test_a_device_is_refused_whatever_extractor_is_forced(forced):
    """/dev/zero is endless but stat says 0 bytes: no size limit can hold."""
    from e2a_common.plugins import new_plugin_manager as npm
    with pytest.raises(InputError, match="not a regular file \\(a character device\\)"):
        list(extract("/dev/zero", extractor=forced, pm=npm()))


def test_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "book.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file \\(a FIFO or pipe\\)"):
        list(extract(fifo, extractor="txt"))


@pytest.mark.parametrize("forced, limit_name", [
    ("txt", "MAX_TXT_BYTES"), ("markdown", "MAX_MD_BYTES"), ("html", "MAX_HTML_BYTES"),
    ("fb2", "MAX_FB2_BYTES")])
def test_readers_stop_at_the_limit_by_bytes_read_not_by_stat(monkeypatch, forced, limit_name):
    """Even called directly on an endless file (past the shared check), a
    reader refuses once it has read more than its limit."""
    import importlib
    mod = importlib.import_module(f"plugins.{forced}")
    monkeypatch.setattr(mod, limit_name, 1 << 16)
    ex = next(v for k, v in vars(mod).items() if k.endswith("Extractor") and isinstance(v, type)
              and getattr(v, "name", None) == forced)()
    with pytest.raises(InputError, match="larger than 65536 bytes"):
        ex.read(Path("/dev/zero"), ExtractOptions())


def test_cli_dev_zero_with_forced_extractor_is_one_line_exit_1():
    proc = subprocess.run([sys.executable, "-m", "e2a_extract.cli", "--extractor", "txt",
                           "/dev/zero"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith("/dev/zero: not a regular file (a character device): refused")
    assert proc.stderr.count("\n") == 1
