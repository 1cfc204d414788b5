"""EPUB 2 and 3 extractor (built-in plugin, entry point ``epub``).

Reading order from the spine (linear items; repeated items read once), the
chapters from the EPUB 3 nav or the EPUB 2 NCX, the navigation document never
read as text, metadata from the OPF (EPUB 3 refinements and EPUB 2 opf:
attributes, calibre series), the cover from the manifest. Archives are read
through :class:`e2a_extract.safety.SafeZip` and every XML file through the
entity-refusing parser; DRM-encrypted books are refused with a clear message.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from e2a_common import ExtractOptions, InputError, hookimpl
from e2a_common.console import warn

from e2a_extract import BookExtractor
from e2a_extract.book import BookModel, Item, TocEntry
from e2a_extract.htmlblocks import ParsedDoc, epub_types, normalize_ws, parse_content, use_svg_text
from e2a_extract.safety import SafeZip, join_href, localname, parse_xml

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
HTML_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/xml",
              "application/x-dtbook+xml", "text/x-oeb1-document"}
IMAGE_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
             "image/svg+xml": "svg", "image/webp": "webp"}


class EpubExtractor(BookExtractor):
    name = "epub"
    description = "EPUB 2 and EPUB 3 (.epub)"
    extensions = (".epub",)

    def sniff(self, path: Path, head: bytes) -> int:
        if head.startswith(b"PK\x03\x04"):
            if b"mimetypeapplication/epub+zip" in head[:100]:
                return 100
            if b"META-INF/" in head or b".opf" in head:
                return 60
            if path.suffix.lower() == ".epub":
                return 50
        elif path.suffix.lower() == ".epub":
            return 10  # claims to be an EPUB: let us say what is wrong with it
        return 0

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        path = Path(path)
        with SafeZip(path, "EPUB") as z:
            return _Epub(path, z, options).model()


def _first(el, xpath_name: str):
    return el.find(xpath_name)


def _children(el, name: str):
    return [c for c in el if isinstance(c.tag, str) and localname(c.tag) == name]


def _iter(el, name: str):
    return [c for c in el.iter() if isinstance(c.tag, str) and localname(c.tag) == name]


def _text(el) -> str:
    return normalize_ws("".join(el.itertext()), keep_lines=False) if el is not None else ""


class _Epub:
    def __init__(self, path: Path, z: SafeZip, options: ExtractOptions):
        self.path = path
        self.z = z
        self.options = options

    def xml(self, name: str, html: bool = False):
        try:
            data = self.z.read(name)
        except KeyError:
            raise InputError(f"{name} is listed but missing from the archive", path=self.path) from None
        # unpacked MOBI output is HTML, not XHTML: recovering it is normal
        return parse_xml(data, name, self.path, html_fallback=html,
                         warn=warn if isinstance(self.z, SafeZip) else None)

    # ---------------------------------------------------------- container
    def opf_name(self) -> str:
        packed = isinstance(self.z, SafeZip)
        if "mimetype" not in self.z and packed:
            warn(f"{self.path}: no 'mimetype' entry (not a conforming EPUB); reading anyway")
        if "META-INF/container.xml" in self.z:
            root = self.xml("META-INF/container.xml")
            for rf in _iter(root, "rootfile"):
                full = rf.get("full-path")
                mt = rf.get("media-type", "application/oebps-package+xml")
                if full and "oebps-package" in mt:
                    if self.z.resolve(full) is None:
                        raise InputError(f"container.xml names {full}, which is not in the archive",
                                         path=self.path)
                    return self.z.resolve(full)
        opfs = sorted(n for n in self.z.names if n.lower().endswith(".opf"))
        if not opfs:
            raise InputError("not an EPUB: no META-INF/container.xml and no .opf package file",
                             path=self.path)
        if packed:
            warn(f"{self.path}: no usable META-INF/container.xml; using {opfs[0]}")
        return opfs[0]

    def check_drm(self) -> None:
        if "META-INF/encryption.xml" not in self.z:
            return
        root = self.xml("META-INF/encryption.xml")
        locked = []
        for ed in _iter(root, "encrypteddata"):
            alg = ""
            for em in _iter(ed, "encryptionmethod"):
                alg = em.get("Algorithm", "")
            uri = ""
            for cr in _iter(ed, "cipherreference"):
                uri = cr.get("URI", "")
            if alg in FONT_OBFUSCATION:
                continue   # obfuscated fonts: we never read fonts
            if re.search(r"\.(otf|ttf|woff2?)$", uri, re.I):
                continue
            locked.append(uri)
        if locked:
            drm = "Adobe ADEPT" if "META-INF/rights.xml" in self.z else (
                "Apple FairPlay" if "META-INF/sinf.xml" in self.z else "DRM")
            raise InputError(f"the book is encrypted ({drm}: {len(locked)} file(s) locked, "
                             f"e.g. {locked[0]}); e2a reads only DRM-free books", path=self.path)

    # ---------------------------------------------------------- package
    def model(self) -> BookModel:
        self.check_drm()
        opf = self.opf_name()
        base = posixpath.dirname(opf)
        root = self.xml(opf)
        if localname(root.tag) != "package":
            raise InputError(f"{opf} is not an OPF package document", path=self.path)
        version = root.get("version", "2.0")
        manifest: dict[str, dict] = {}
        by_href: dict[str, dict] = {}
        for m in root.iter():
            if isinstance(m.tag, str) and localname(m.tag) == "manifest":
                for it in _children(m, "item"):
                    href = it.get("href")
                    if not href:
                        continue
                    entry = {"id": it.get("id", ""), "href": join_href(base, href),
                             "type": (it.get("media-type") or "").lower(),
                             "props": set((it.get("properties") or "").split())}
                    manifest[entry["id"]] = entry
                    by_href[entry["href"]] = entry
                break
        spine_el = next((e for e in root.iter() if isinstance(e.tag, str)
                         and localname(e.tag) == "spine"), None)
        if spine_el is None:
            raise InputError(f"{opf} has no <spine> (no reading order)", path=self.path)
        meta = self.metadata(root, manifest)
        if spine_el.get("page-progression-direction") in ("rtl", "ltr"):
            meta["direction"] = spine_el.get("page-progression-direction")

        nav = next((e for e in manifest.values() if "nav" in e["props"]), None)
        ncx = manifest.get(spine_el.get("toc") or "") or next(
            (e for e in manifest.values() if e["type"] == "application/x-dtbncx+xml"), None)

        items: list[Item] = []
        svg_only = 0
        for ref in _children(spine_el, "itemref"):
            entry = manifest.get(ref.get("idref") or "")
            if entry is None:
                warn(f"{self.path}: spine item {ref.get('idref')!r} is not in the manifest; skipped")
                continue
            if nav is not None and entry["href"] == nav["href"]:
                continue   # the navigation document is never read as text
            linear = (ref.get("linear") or "yes").strip().lower() != "no"
            if entry["type"] == "image/svg+xml" or entry["href"].lower().endswith(".svg"):
                svg_only += 1
                doc = ParsedDoc(svg=1)
                if self.z.resolve(entry["href"]):
                    try:
                        doc = parse_content(self.xml(entry["href"]))
                    except InputError as exc:
                        if "entit" in str(exc):
                            raise
                items.append(Item(entry["href"], doc, linear))
                continue
            if entry["type"] not in HTML_TYPES and not re.search(r"\.x?html?$", entry["href"], re.I):
                warn(f"{self.path}: spine item {entry['href']} ({entry['type']}) is not a text "
                     "document; skipped")
                continue
            if self.z.resolve(entry["href"]) is None:
                warn(f"{self.path}: spine item {entry['href']} is missing from the archive; skipped")
                continue
            doc = parse_content(self.xml(entry["href"], html=True), image_alt=self.options.image_alt)
            items.append(Item(entry["href"], doc, linear))
        if not any(it.doc.blocks for it in items):
            # a fixed-layout book whose words are laid out in SVG: read those
            fixed = sum(use_svg_text(it.doc) for it in items)
            if fixed:
                warn(f"{self.path}: no HTML text; reading the text of {fixed} SVG page(s) "
                     "(fixed layout: reading order may be rough)")
        elif svg_only:
            warn(f"{self.path}: {svg_only} spine item(s) are SVG images; skipped")
        if not items:
            raise InputError("the book is empty: its reading order has no text documents",
                             path=self.path)

        toc: list[TocEntry] = []
        landmarks: dict[str, str] = {}
        if nav is not None and nav["href"] in self.z:
            toc, landmarks = self.read_nav(nav["href"])
        if not toc and ncx is not None and self.z.resolve(ncx["href"]):
            toc = self.read_ncx(ncx["href"])
        for ref in _iter(root, "reference"):   # EPUB 2 guide
            href = ref.get("href")
            if href and ref.get("type"):
                landmarks.setdefault(join_href(base, href), ref.get("type").lower())

        model = BookModel(path=self.path, meta=meta, items=items, toc=toc, landmarks=landmarks,
                          format=f"epub{version.split('.')[0]}")
        model.cover = self.cover(root, manifest, by_href, base, landmarks)
        for e in manifest.values():   # pronunciation lexicons (PLS), for e2a-split
            if e["type"] == "application/pls+xml" and self.z.resolve(e["href"]):
                data = self.z.read(e["href"], limit=20 * 1024 * 1024)
                from e2a_extract.safety import refuse_entities
                refuse_entities(data, e["href"], self.path)
                model.lexicons.append((e["href"], data))
        if not any(it.doc.blocks for it in items):
            raise InputError("the book is empty: no readable text in any document "
                             "(image-only or fixed-layout pages without text)", path=self.path)
        return model

    # ---------------------------------------------------------- metadata
    def metadata(self, root, manifest) -> dict:
        md = next((e for e in root.iter() if isinstance(e.tag, str)
                   and localname(e.tag) == "metadata"), None)
        meta: dict = {"authors": [], "identifiers": {}}
        if md is None:
            return meta
        refines: dict[str, dict[str, str]] = {}
        roles: dict[str, set[str]] = {}
        series = series_index = None
        for el in md.iter():
            if not isinstance(el.tag, str) or localname(el.tag) != "meta":
                continue
            ref = (el.get("refines") or "").lstrip("#")
            prop = el.get("property") or ""
            if ref and prop:
                refines.setdefault(ref, {}).setdefault(prop, _text(el))
                if prop == "role":
                    roles.setdefault(ref, set()).add(_text(el))
            elif prop == "belongs-to-collection":
                series = _text(el)
                if el.get("id"):
                    refines.setdefault(el.get("id"), {})
                    meta["_series_id"] = el.get("id")
            name = el.get("name") or ""
            if name == "calibre:series":
                series = el.get("content")
            elif name == "calibre:series_index":
                series_index = el.get("content")
        if meta.get("_series_id"):
            series_index = refines.get(meta.pop("_series_id"), {}).get("group-position", series_index)

        def dc(name):
            return [e for e in md if isinstance(e.tag, str) and localname(e.tag) == name]

        titles = []
        for t in dc("title"):
            text = _text(t)
            if not text:
                continue
            kind = refines.get(t.get("id", ""), {}).get("title-type", "")
            titles.append((kind, text))
        main = [t for k, t in titles if k == "main"] or [t for k, t in titles if k in ("", "main")]
        if main:
            meta["title"] = main[0]
        elif titles:
            meta["title"] = titles[0][1]
        subs = [t for k, t in titles if k == "subtitle"]
        if subs:
            meta["subtitle"] = subs[0]
        elif meta.get("title") and ":" in meta["title"] and len(titles) == 1:
            pass
        contributors = []
        for c in dc("creator") + dc("contributor"):
            name = _text(c)
            if not name:
                continue
            role = (c.get(f"{{{OPF_NS}}}role") or c.get("role") or "")
            rset = {role} if role else roles.get(c.get("id", ""), set())
            if localname(c.tag) == "creator" and (not rset or "aut" in rset):
                meta["authors"].append(name)
            else:
                contributors.append({"name": name, "role": role or ",".join(sorted(rset)) or "ctb"})
        if contributors:
            meta["contributors"] = contributors
        langs = [_text(e) for e in dc("language") if _text(e)]
        if langs:
            meta["language"] = langs[0]
            if len(langs) > 1:
                meta["languages"] = langs
        uid_id = root.get("unique-identifier")
        for e in dc("identifier"):
            val = _text(e)
            if not val:
                continue
            scheme = (e.get(f"{{{OPF_NS}}}scheme") or e.get("scheme") or
                      refines.get(e.get("id", ""), {}).get("identifier-type") or "").lower()
            low = val.lower()
            if low.startswith("urn:isbn:") or scheme == "isbn" or re.fullmatch(r"(97[89])?\d{9}[\dx]", re.sub(r"[- ]", "", low)):
                key, val = "isbn", re.sub(r"^urn:isbn:", "", val, flags=re.I)
            elif low.startswith("urn:uuid:") or scheme == "uuid" or re.fullmatch(
                    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", low):
                key, val = "uuid", re.sub(r"^urn:uuid:", "", val, flags=re.I)
            elif low.startswith("urn:doi:") or scheme == "doi":
                key, val = "doi", re.sub(r"^urn:doi:", "", val, flags=re.I)
            elif scheme:
                key = scheme
            elif low.startswith(("http://", "https://")):
                key = "url"
            else:
                key = "id" if e.get("id") == uid_id else "other"
            meta["identifiers"].setdefault(key, val)
        for name, key in (("publisher", "publisher"), ("description", "description"),
                          ("rights", "rights")):
            vals = [_text(e) for e in dc(name) if _text(e)]
            if vals:
                meta[key] = vals[0]
        dates = dc("date")
        if dates:
            pub = [d for d in dates if (d.get(f"{{{OPF_NS}}}event") or "publication") == "publication"]
            meta["date"] = _text((pub or dates)[0])
        subjects = [_text(e) for e in dc("subject") if _text(e)]
        if subjects:
            meta["subjects"] = subjects
        if series:
            meta["series"] = series
            if series_index:
                meta["series_index"] = series_index
        return meta

    # ---------------------------------------------------------- navigation
    def read_nav(self, name: str) -> tuple[list[TocEntry], dict[str, str]]:
        root = self.xml(name, html=True)
        base = posixpath.dirname(name)
        toc: list[TocEntry] = []
        landmarks: dict[str, str] = {}
        navs = _iter(root, "nav")
        for nav in navs:
            types = epub_types(nav)
            if "landmarks" in types:
                for a in _iter(nav, "a"):
                    t = epub_types(a)
                    href = a.get("href")
                    if href and t:
                        landmarks.setdefault(join_href(base, href), sorted(t)[0])
        main = next((n for n in navs if "toc" in epub_types(n)), None)
        if main is None and navs:
            main = navs[0]
        if main is not None:
            ol = next((c for c in main.iter() if isinstance(c.tag, str)
                       and localname(c.tag) in ("ol", "ul")), None)
            if ol is not None:
                toc = self._nav_list(ol, base, hidden=False)
        return toc, landmarks

    def _nav_list(self, ol, base: str, hidden: bool) -> list[TocEntry]:
        out = []
        hidden = hidden or ol.get("hidden") is not None
        for li in _children(ol, "li"):
            label = None
            sub = []
            for c in li:
                if not isinstance(c.tag, str):
                    continue
                n = localname(c.tag)
                if n in ("a", "span") and label is None:
                    label = c
                elif n in ("ol", "ul"):
                    sub.extend(self._nav_list(c, base, hidden))
            if label is None:
                out.extend(sub)
                continue
            title = _text(label)
            href = label.get("href") if localname(label.tag) == "a" else None
            target, frag = self._target(base, href)
            out.append(TocEntry(title=title, target=target, fragment=frag, children=sub,
                                hidden=hidden or li.get("hidden") is not None))
        return out

    def _target(self, base: str, href: str | None) -> tuple[str | None, str | None]:
        if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            return None, None
        frag = href.split("#", 1)[1] if "#" in href else None
        target = join_href(base, href)
        real = self.z.resolve(target)
        return (real or target), frag

    def read_ncx(self, name: str) -> list[TocEntry]:
        root = self.xml(name)
        base = posixpath.dirname(name)
        navmap = next((e for e in root.iter() if isinstance(e.tag, str)
                       and localname(e.tag) == "navmap"), None)
        if navmap is None:
            return []

        def points(el) -> list[TocEntry]:
            out = []
            for np in _children(el, "navpoint"):
                label = next((t for t in np.iter() if isinstance(t.tag, str)
                              and localname(t.tag) == "text"), None)
                content = next((c for c in _children(np, "content")), None)
                target, frag = self._target(base, content.get("src") if content is not None else None)
                out.append(TocEntry(title=_text(label), target=target, fragment=frag,
                                    children=points(np)))
            return out

        return points(navmap)

    # ---------------------------------------------------------- cover
    def cover(self, root, manifest, by_href, base, landmarks) -> tuple[bytes, str] | None:
        cand = next((e for e in manifest.values() if "cover-image" in e["props"]), None)
        if cand is None:
            for m in _iter(root, "meta"):
                if (m.get("name") or "").lower() == "cover" and m.get("content"):
                    c = m.get("content")
                    cand = manifest.get(c) or by_href.get(join_href(base, c))
                    break
        if cand is None:   # guide/landmark cover page -> its first image
            page = next((h for h, t in landmarks.items() if t in ("cover", "cover-image")), None)
            if page and page in by_href and by_href[page]["type"] in HTML_TYPES and page in self.z:
                doc = self.xml(page, html=True)
                for el in doc.iter():
                    if not isinstance(el.tag, str):
                        continue
                    n = localname(el.tag)
                    src = el.get("src") if n == "img" else (
                        el.get("{http://www.w3.org/1999/xlink}href") or el.get("href")) if n == "image" else None
                    if src:
                        cand = by_href.get(join_href(posixpath.dirname(page), src))
                        break
        if cand is None:
            cand = next((e for e in manifest.values() if e["type"].startswith("image/")
                         and "cover" in (e["id"] + posixpath.basename(e["href"])).lower()), None)
        if cand is None or not cand["type"].startswith("image/") and not re.search(
                r"\.(jpe?g|png|gif|svg|webp)$", cand["href"], re.I):
            return None
        try:
            data = self.z.read(cand["href"], limit=64 * 1024 * 1024)
        except KeyError:
            warn(f"{self.path}: cover image {cand['href']} is missing from the archive")
            return None
        return data, IMAGE_EXT.get(cand["type"], posixpath.splitext(cand["href"])[1].lstrip(".") or "img")


@hookimpl
def register_extractors(register):
    register(EpubExtractor())
