"""`e2a gui`: the web interface (Gradio) on http://127.0.0.1:7860.

Convert: upload an ebook or pick one from $E2A_HOME/ebooks, see its chapter
plan and untick chapters, choose language, engine, voice (with a spoken
preview), output format; start. Jobs run in the server (e2a.jobs over
e2a.pipeline.convert), so closing the tab stops nothing, and a restarted server
lists the same sessions and resumes the unfinished ones.

Sessions: every session under $E2A_HOME/tmp with its checkpoint state and live
progress; resume, cancel, delete, download.

Offline by construction: analytics off, system fonts (no web fonts), no
share links, no server-side rendering process; files are served only from the
audiobooks folder (downloads) and Gradio's own upload cache.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import sys
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

# before gradio is imported anywhere: no telemetry, no update checks
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DISABLE_TELEMETRY", "1")

from e2a_common import plugins  # noqa: E402
from e2a_common.errors import E2AError, InputError  # noqa: E402
from e2a_common.hashing import file_hash  # noqa: E402

from . import jobs as J  # noqa: E402
from . import session as S  # noqa: E402
from .languages import normalize_language  # noqa: E402

EBOOK_SUFFIXES = (".epub", ".mobi", ".azw", ".azw3", ".fb2", ".docx", ".odt", ".pdf", ".html",
                  ".htm", ".xhtml", ".md", ".markdown", ".txt", ".zip")
DEFAULT_MAX_UPLOAD_MB = 200
PREVIEW_MAX_CHARS = 300
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "uk", "cs", "sv", "da", "fi",
             "no", "el", "tr", "ar", "he", "hi", "zh", "ja", "ko", "vi", "ca", "ro", "hu"]
STATUS_LABEL = {"queued": "queued", "running": "running", "done": "done", "failed": "failed",
                "cancelled": "cancelled", "stopped": "stopped"}
STAGE_LABEL = {"starting": "starting", "extract": "reading the book", "speak": "speaking",
               "bind": "binding", "done": "done", "cancelled": "cancelled"}
CSS = """
.e2a-table { width: 100%; border-collapse: collapse; font-size: 0.92em; }
.e2a-table th, .e2a-table td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #8884; vertical-align: top; }
.e2a-table progress { width: 9em; }
.e2a-status-failed { color: #c0392b; font-weight: 600; }
.e2a-status-done { color: #1e8449; font-weight: 600; }
.e2a-status-running { color: #2e86c1; font-weight: 600; }
.e2a-error { color: #c0392b; font-size: 0.9em; }
"""


class GuiError(E2AError):
    pass


# ------------------------------------------------------------------ the model
class Backend:
    """Everything the page does, without Gradio (so it can be tested alone)."""

    def __init__(self, manager: J.JobManager, *, home: Path, max_upload_bytes: int):
        self.manager = manager
        self.home = Path(home)
        self.ebooks_dir = self.home / "ebooks"
        self.max_upload_bytes = max_upload_bytes
        self._voices: "OrderedDict[tuple, Any]" = OrderedDict()
        self._voice_lock = threading.Lock()
        self._plans: "OrderedDict[str, dict]" = OrderedDict()

    # ------------------------------------------------------------- ebooks
    def list_ebooks(self) -> list[str]:
        if not self.ebooks_dir.is_dir():
            return []
        return sorted(p.name for p in self.ebooks_dir.iterdir()
                      if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in EBOOK_SUFFIXES)

    def ebook_path(self, name: str) -> Path:
        """The file NAME in the ebooks folder; nothing outside it."""
        if not name or J.sanitize_filename(name) != name:
            raise GuiError(f"not a file name in the ebooks folder: {name!r}")
        path = self.ebooks_dir / name
        if not J.inside(path, self.ebooks_dir) or not path.is_file():
            raise GuiError(f"no ebook named {name!r} in {self.ebooks_dir}")
        return path

    def store_upload(self, tmp_path: str | Path, original_name: str | None = None) -> str:
        """Move an uploaded file into the ebooks folder under a sanitised name;
        the same content uploaded twice is stored once. Returns the name."""
        src = Path(tmp_path)
        try:
            size = src.stat().st_size
        except OSError:
            raise GuiError("the upload did not arrive") from None
        try:
            if size > self.max_upload_bytes:
                raise GuiError(f"{original_name or src.name}: {size / 1e6:.1f} MB is over the upload "
                               f"limit of {self.max_upload_bytes / 1e6:.0f} MB")
            if size == 0:
                raise GuiError(f"{original_name or src.name}: the file is empty")
            name = J.sanitize_filename(original_name or src.name)
            if Path(name).suffix.lower() not in EBOOK_SUFFIXES:
                raise GuiError(f"{name}: not an ebook file type ({', '.join(EBOOK_SUFFIXES)})")
            self.ebooks_dir.mkdir(parents=True, exist_ok=True)
            digest = file_hash(src)
            stem, suffix = Path(name).stem, Path(name).suffix
            for n in range(1, 1000):
                cand = self.ebooks_dir / (name if n == 1 else f"{stem} ({n}){suffix}")
                if cand.exists():
                    if cand.is_file() and file_hash(cand) == digest:
                        return cand.name
                    continue
                tmp = self.ebooks_dir / f".{cand.name}.upload.part"
                shutil.copyfile(src, tmp)
                os.replace(tmp, cand)
                return cand.name
            raise GuiError(f"{name}: too many files with this name in {self.ebooks_dir}")
        finally:
            if J.inside(src, gradio_cache_dir()):   # Gradio's copy of the upload is not kept
                try:
                    src.unlink()
                except OSError:
                    pass

    # --------------------------------------------------------------- plan
    def plan(self, name: str) -> dict[str, Any]:
        """The book's metadata and chapter plan (title, words, role) from the
        real extractor, front and back matter included (unticked by default);
        chapter indices are those of ``keep_front_matter=True``."""
        import e2a_extract

        path = self.ebook_path(name)
        key = f"{name}:{file_hash(path)}"
        if key in self._plans:
            return self._plans[key]
        rows = e2a_extract.plan(path, {"keep_front_matter": True})
        chapters = [{"index": r["index"], "title": r.get("title") or f"Chapter {r['index'] + 1}",
                     "role": r.get("role") or "body", "words": int(r.get("words") or 0)}
                    for r in rows if r.get("index") is not None]
        first_body = next((c["index"] for c in chapters if c["role"] == "body"), None)
        book: dict[str, Any] = {}
        first_sentence = ""
        records = e2a_extract.extract(path, {"keep_front_matter": True, "no_cover": True,
                                             **({"chapters": [first_body]} if first_body is not None else {})})
        for rec in records:
            if rec.get("kind") == "book":
                book = rec
            elif rec.get("kind") == "block" and rec.get("type") != "heading" and rec.get("text"):
                first_sentence = _first_sentence(rec["text"])
                break
        plan = {"name": name, "title": book.get("title") or path.stem, "authors": book.get("authors") or [],
                "language": normalize_language(book.get("language")) or "", "chapters": chapters,
                "preview_text": first_sentence}
        self._plans[key] = plan
        while len(self._plans) > 16:
            self._plans.popitem(last=False)
        return plan

    # ------------------------------------------------------- engines/voices
    @staticmethod
    def engines() -> list[str]:
        names = sorted(plugins.engines())
        return (["piper"] + [n for n in names if n != "piper"]) if "piper" in names else names

    @staticmethod
    def formats() -> list[str]:
        names = sorted(plugins.formats())
        return (["m4b"] + [n for n in names if n != "m4b"]) if "m4b" in names else names

    @staticmethod
    def voices(engine: str, language: str | None) -> list[tuple[str, str]]:
        """(label, value) pairs; value "" is the engine's default voice."""
        out = [("default for the language", "")]
        try:
            eng = plugins.get_engine(engine)
            infos = eng.list_voices(normalize_language(language) or None) or []
        except Exception as exc:  # a broken plugin must not break the page
            print(f"e2a gui: warning: {engine}: cannot list voices: {exc}", file=sys.stderr)
            return out
        for v in infos:
            if getattr(v, "installed", True):
                label = f"{v.name} ({v.language})" if getattr(v, "language", None) else v.name
                out.append((label, v.name))
        return out

    def engine_for(self, language: str | None) -> str | None:
        """The first engine (Piper first) with an installed voice for LANGUAGE."""
        names = self.engines()
        for name in names:
            if any(v for _, v in self.voices(name, language)):
                return name
        return names[0] if names else None

    def checked_choices(self, engine: str, voice: str | None, language: str | None,
                        fmt: str | None = None) -> tuple[str, str | None, str | None]:
        """Only what the page offers: an installed engine, one of its listed voices,
        a plausible language code, an installed format (the page's API can be
        called directly, so nothing is taken on trust)."""
        if engine not in self.engines():
            raise GuiError(f"unknown engine {engine!r}")
        lang = normalize_language(language) or None
        if lang and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
            raise GuiError(f"not a language code: {language!r}")
        if voice:
            offered = {v for _, v in self.voices(engine, lang)} | {v for _, v in self.voices(engine, None)}
            if voice not in offered:
                raise GuiError(f"{engine} has no voice {voice!r}")
        if fmt is not None and fmt not in self.formats():
            raise GuiError(f"unknown output format {fmt!r}")
        return engine, voice or None, lang

    def preview(self, engine: str, voice: str | None, language: str | None, text: str):
        """Speak TEXT (one sentence) with the chosen voice: (sample_rate, int16 samples)."""
        import numpy as np

        engine, voice, language = self.checked_choices(engine, voice, language)
        text = " ".join((text or "").split())[:PREVIEW_MAX_CHARS]
        if not text:
            raise GuiError("type a sentence to preview")
        key = (engine, voice or "", normalize_language(language) or "")
        with self._voice_lock:
            v = self._voices.get(key)
            if v is None:
                v = plugins.get_engine(engine).load_voice(voice or None, language=key[2] or None)
                self._voices[key] = v
                while len(self._voices) > 2:
                    _, old = self._voices.popitem(last=False)
                    try:
                        old.close()
                    except Exception:
                        pass
            audio = v.synthesize(text)
            rate = v.sample_rate
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        if audio.size == 0:
            raise GuiError("the voice made no sound for this text")
        return rate, (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)

    # ------------------------------------------------------------------ jobs
    def start(self, name: str, chapters: list[int] | None, language: str | None, engine: str,
              voice: str | None, fmt: str) -> J.Job:
        plan = self.plan(name)
        all_idx = [c["index"] for c in plan["chapters"]]
        default = [c["index"] for c in plan["chapters"] if c["role"] == "body"]
        chosen = sorted(int(c) for c in (chapters or []) if int(c) in all_idx)
        if plan["chapters"] and not chosen:
            raise GuiError("tick at least one chapter")
        engine, voice, lang = self.checked_choices(engine or "piper", voice, language, fmt or "m4b")
        options: dict[str, Any] = {"engine": engine, "voice": voice, "language": lang,
                                   "output_format": fmt or None}
        if chosen != default:
            options["extract"] = chapter_selection(chosen, plan)
        return self.manager.submit(self.ebook_path(name), options, title=plan["title"])

    def sessions_table(self) -> str:
        return render_sessions(self.manager.rows())


def gradio_cache_dir() -> Path:
    """Where Gradio keeps uploads (its GRADIO_TEMP_DIR)."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def chapter_selection(chosen: list[int], plan: dict[str, Any]) -> dict[str, Any]:
    """The extract options that read exactly CHOSEN (indices of the plan, which
    numbers front and back matter too, as ``keep_front_matter`` does)."""
    return {"keep_front_matter": True, "chapters": sorted(chosen)}


def _first_sentence(text: str) -> str:
    m = re.match(r"(.{20,}?[.!?…])(\s|$)", text)
    s = m.group(1) if m else text
    return s[:PREVIEW_MAX_CHARS]


def render_sessions(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p id='e2a-no-sessions'>No sessions yet. Start one in the Convert tab.</p>"
    e = html.escape
    out = ["<table class='e2a-table' id='e2a-sessions'><thead><tr><th>Session</th><th>Book</th>"
           "<th>Status</th><th>Progress</th><th>Chapter</th><th>Updated</th></tr></thead><tbody>"]
    for r in rows:
        total, done = r.get("total"), r.get("done") or 0
        bar = f"<progress max='{int(total)}' value='{int(done)}'></progress><br>" if total else ""
        status = STATUS_LABEL.get(r["status"], r["status"])
        stage = STAGE_LABEL.get(r.get("stage") or "", r.get("stage") or "")
        if r["status"] == "running" and stage:
            status = f"{status} ({stage})"
        chapter = r.get("chapter") if r["status"] == "running" else ""
        err = f"<div class='e2a-error'>{e(str(r['error']))}</div>" if r.get("error") else ""
        out.append(
            f"<tr data-session='{e(r['session'])}' data-status='{e(r['status'])}'>"
            f"<td><code>{e(r['session'])}</code></td><td>{e(str(r.get('title') or ''))}</td>"
            f"<td class='e2a-status-{e(r['status'])}'>{e(status)}{err}</td>"
            f"<td>{bar}{e(J.format_progress(r))}</td><td>{e(str(chapter or ''))}</td>"
            f"<td>{e(str(r.get('updated') or ''))}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _plan_markdown(plan: dict[str, Any]) -> str:
    authors = ", ".join(plan["authors"]) or "unknown author"
    n = len(plan["chapters"])
    words = sum(c["words"] or 0 for c in plan["chapters"] if c["role"] == "body")
    return (f"**{plan['title']}** — {authors} · language `{plan['language'] or '?'}` · "
            f"{n} chapters in the table of contents, {words:,} words in the body")


def _chapter_choices(plan: dict[str, Any]) -> list[tuple[str, int]]:
    return [(f"{c['index'] + 1 if isinstance(c['index'], int) else c['index']}. {c['title']} "
             f"— {c['words']:,} words" + ("" if c["role"] == "body" else f" ({c['role']} matter)"),
             c["index"]) for c in plan["chapters"]]


# ------------------------------------------------------------------- the page
def theme():
    import gradio as gr

    return gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                             font_mono=["ui-monospace", "Consolas", "monospace"])


def build_app(backend: Backend, *, refresh_seconds: float = 2.0):
    import gradio as gr

    def err(exc: Exception) -> str:
        return f"⚠️ {exc}"

    with gr.Blocks(title="e2a — ebooks to audiobooks", analytics_enabled=False,
                   delete_cache=(3600, 86400)) as app:
        gr.Markdown("# e2a — ebooks to audiobooks")
        book_name = gr.State("")
        last_job = gr.State("")
        with gr.Tabs():
            with gr.Tab("Convert", id="convert"):
                with gr.Row():
                    upload = gr.File(label="Upload an ebook", file_types=list(EBOOK_SUFFIXES),
                                     type="filepath", elem_id="e2a-upload")
                    with gr.Column():
                        picker = gr.Dropdown(choices=backend.list_ebooks(), value=None,
                                             label="…or pick one from the ebooks folder",
                                             elem_id="e2a-picker", interactive=True)
                        refresh_books = gr.Button("Refresh list", size="sm")
                info = gr.Markdown("Choose a book to see its chapters.", elem_id="e2a-book-info")
                chapters = gr.CheckboxGroup(choices=[], label="Chapters to read (untick to skip)",
                                            type="value", elem_id="e2a-chapters")
                with gr.Row():
                    language = gr.Dropdown(choices=LANGUAGES, value=None, allow_custom_value=True,
                                           label="Language", elem_id="e2a-language")
                    engines = backend.engines()
                    engine = gr.Dropdown(choices=engines, value=engines[0] if engines else None,
                                         label="Engine", elem_id="e2a-engine")
                    voice = gr.Dropdown(choices=backend.voices(engines[0], None) if engines else [],
                                        value="", label="Voice", elem_id="e2a-voice")
                    formats = backend.formats()
                    fmt = gr.Dropdown(choices=formats, value=formats[0] if formats else None,
                                      label="Output format", elem_id="e2a-format")
                with gr.Row():
                    preview_text = gr.Textbox(label="Preview sentence", scale=3,
                                              value="This is how your audiobook will sound.",
                                              elem_id="e2a-preview-text")
                    preview_btn = gr.Button("Preview voice", scale=1, elem_id="e2a-preview")
                preview_audio = gr.Audio(label="Preview", type="numpy", interactive=False,
                                         autoplay=True, buttons=["download"], elem_id="e2a-preview-audio")
                start_btn = gr.Button("Start conversion", variant="primary", elem_id="e2a-start")
                start_msg = gr.Markdown("", elem_id="e2a-start-msg")

            with gr.Tab("Sessions", id="sessions"):
                table = gr.HTML(backend.sessions_table(), elem_id="e2a-sessions-html")
                with gr.Row():
                    chosen = gr.Dropdown(choices=[], value=None, label="Session",
                                         elem_id="e2a-session-pick", scale=3)
                    resume_btn = gr.Button("Resume", elem_id="e2a-resume", scale=1)
                    cancel_btn = gr.Button("Cancel", variant="stop", elem_id="e2a-cancel", scale=1)
                    delete_btn = gr.Button("Delete", elem_id="e2a-delete", scale=1)
                    download = gr.DownloadButton("Download", interactive=False,
                                                 elem_id="e2a-download", scale=1)
                action_msg = gr.Markdown("", elem_id="e2a-action-msg")

        timer = gr.Timer(refresh_seconds)

        # ---- convert tab
        def load_plan(name):
            if not name:
                return "", "Choose a book to see its chapters.", gr.update(choices=[], value=[]), \
                    gr.update(), gr.update(), gr.update(), gr.update()
            try:
                plan = backend.plan(name)
            except Exception as exc:  # a bad book is reported, the page lives on
                return "", err(exc), gr.update(choices=[], value=[]), gr.update(), gr.update(), \
                    gr.update(), gr.update()
            ticked = [c["index"] for c in plan["chapters"] if c["role"] == "body"]
            lang = plan["language"] or None
            return (name, _plan_markdown(plan), gr.update(choices=_chapter_choices(plan), value=ticked),
                    gr.update(value=lang),
                    gr.update(value=plan["preview_text"]) if plan["preview_text"] else gr.update(),
                    gr.update(choices=backend.list_ebooks(), value=name),
                    gr.update(value=backend.engine_for(lang)))

        def on_upload(path):
            if not path:
                return gr.update(), gr.update()
            try:
                name = backend.store_upload(path, Path(path).name)
            except E2AError as exc:
                raise gr.Error(str(exc))
            # the upload now lives in the ebooks folder: clear the upload box
            return gr.update(choices=backend.list_ebooks(), value=name), gr.update(value=None)

        upload.upload(on_upload, inputs=upload, outputs=[picker, upload])
        picker.change(load_plan, inputs=picker,
                      outputs=[book_name, info, chapters, language, preview_text, picker, engine])
        refresh_books.click(lambda: gr.update(choices=backend.list_ebooks()), outputs=picker)

        def on_voices(engine_name, lang):
            choices = backend.voices(engine_name, lang)
            return gr.update(choices=choices, value="")

        engine.change(on_voices, inputs=[engine, language], outputs=voice)
        language.change(on_voices, inputs=[engine, language], outputs=voice)

        def on_preview(engine_name, voice_name, lang, text):
            try:
                return backend.preview(engine_name, voice_name, lang, text)
            except Exception as exc:
                raise gr.Error(f"preview failed: {exc}")

        preview_btn.click(on_preview, inputs=[engine, voice, language, preview_text], outputs=preview_audio)

        def on_start(name, ticked, lang, engine_name, voice_name, fmt_name):
            if not name:
                return "", err("choose or upload a book first")
            try:
                job = backend.start(name, ticked, lang, engine_name, voice_name, fmt_name)
            except E2AError as exc:
                return "", err(exc)
            return job.id, (f"Session `{job.id}`: {job.status}. It runs on the server: you may close "
                            "this page and come back; see the Sessions tab.")

        start_btn.click(on_start, inputs=[book_name, chapters, language, engine, voice, fmt],
                        outputs=[last_job, start_msg])

        def live_start_msg(job_id):
            if not job_id:
                return gr.update()
            try:
                row = backend.manager.describe(backend.manager.get(job_id))
            except E2AError:
                return gr.update()
            line = J.format_progress(row)
            where = f" · {row['chapter']}" if row.get("chapter") else ""
            extra = f" — {row['error']}" if row.get("error") else ""
            return (f"Session `{job_id}`: **{row['status']}** ({row['stage']}){where}"
                    f"{' · ' + line if line else ''}{extra}")

        # ---- sessions tab
        def refresh(current):
            rows = backend.manager.rows()
            ids = [r["session"] for r in rows]
            value = current if current in ids else (ids[0] if ids else None)
            return render_sessions(rows), gr.update(choices=ids, value=value)

        def refresh_all(current, job_id):
            html_, pick = refresh(current)
            return html_, pick, live_start_msg(job_id)

        timer.tick(refresh_all, inputs=[chosen, last_job], outputs=[table, chosen, start_msg],
                   show_progress="hidden")
        app.load(refresh, inputs=chosen, outputs=[table, chosen], show_progress="hidden")
        app.load(lambda: gr.update(choices=backend.list_ebooks()), outputs=picker, show_progress="hidden")

        def on_choose(job_id):
            if not job_id:
                return gr.update(value=None, interactive=False)
            try:
                path = backend.manager.download_path(job_id)
            except E2AError:
                return gr.update(value=None, interactive=False)
            return gr.update(value=str(path), interactive=True, label=f"Download .{path.suffix.lstrip('.')}")

        chosen.change(on_choose, inputs=chosen, outputs=download)

        def act(verb):
            def run(job_id):
                if not job_id:
                    return err("choose a session"), gr.update()
                try:
                    if verb == "resume":
                        job = backend.manager.resume(job_id)
                        msg = f"`{job_id}`: {job.status}"
                    elif verb == "cancel":
                        backend.manager.cancel(job_id)
                        msg = f"`{job_id}`: cancelling (it stops after the current sentences)"
                    else:
                        backend.manager.delete(job_id)
                        msg = f"`{job_id}`: deleted (the audiobook, if any, stays in the audiobooks folder)"
                except E2AError as exc:
                    return err(exc), gr.update()
                return msg, render_sessions(backend.manager.rows())
            return run

        resume_btn.click(act("resume"), inputs=chosen, outputs=[action_msg, table])
        cancel_btn.click(act("cancel"), inputs=chosen, outputs=[action_msg, table])
        delete_btn.click(act("delete"), inputs=chosen, outputs=[action_msg, table])
        timer.tick(lambda j: on_choose(j) if j else gr.update(), inputs=chosen, outputs=download,
                   show_progress="hidden")
    return app


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise InputError("--auth takes USER:PASSWORD (both non-empty)")
    return user, password


def serve(*, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, max_jobs: int = 1,
          max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB, resume: bool = True,
          block: bool = True):
    """Start the job manager and the web server (blocks until Ctrl-C)."""
    credentials = parse_auth(auth)           # bad options fail before the slow imports
    if not 1 <= int(port) <= 65535:
        raise InputError(f"--port {port}: not a TCP port")
    _ensure_port_free(host, port)
    import gradio as gr  # noqa: F401  (import errors surface here, once)

    home = S.home().resolve()
    manager = J.JobManager(home, max_jobs=max_jobs)
    plugins.engines()   # build the plugin manager once, before worker threads use it
    backend = Backend(manager, home=home, max_upload_bytes=max_upload_mb * 1024 * 1024)
    backend.ebooks_dir.mkdir(parents=True, exist_ok=True)
    manager.audiobooks_dir.mkdir(parents=True, exist_ok=True)
    app = build_app(backend)
    app.queue(default_concurrency_limit=4)
    requeued = manager.start(resume=resume)
    for job_id in requeued:
        print(f"e2a gui: resuming {job_id}", file=sys.stderr)
    if not credentials and host not in ("127.0.0.1", "localhost", "::1"):
        print(f"e2a gui: warning: listening on {host} without a login: anyone who can reach this "
              "port can use it (set --auth USER:PASSWORD or E2A_GUI_AUTH)", file=sys.stderr)
    print(f"e2a gui: serving on http://{host}:{port} (home {home}; "
          f"{'login required' if credentials else 'no login'}; up to {manager.max_jobs} job(s) at once)",
          file=sys.stderr, flush=True)
    try:
        app.launch(server_name=host, server_port=port, auth=credentials, share=False,
                   inbrowser=False, max_file_size=max_upload_mb * 1024 * 1024,
                   allowed_paths=[str(manager.audiobooks_dir)],
                   blocked_paths=[str(S.sessions_root(home))],
                   footer_links=[], ssr_mode=False, pwa=False, mcp_server=False,
                   enable_monitoring=False, quiet=True, show_error=True, prevent_thread_lock=not block,
                   theme=theme(), css=CSS)
    except OSError as exc:
        manager.stop(timeout=1)
        raise GuiError(f"cannot serve on {host}:{port}: {exc}") from None
    finally:
        if block:
            manager.stop()
    return app, manager


def _ensure_port_free(host: str, port: int) -> None:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise GuiError(f"--host {host}: {exc.strerror or exc}") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise GuiError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                           "(another server there? use --port)") from None
