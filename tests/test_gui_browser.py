"""`e2a gui` in a real browser: Debian's chromium driven by Playwright, against a
real server process running the real pipeline (Piper voice, ffmpeg).

Upload the sample book, untick a chapter, preview the voice, start, close the
tab, come back, download, check the .m4b with ffprobe; start a second job, kill
the server mid-run, restart it with a login, find both sessions listed and the
second one resumed to the end. Screenshots go to tests/artifacts/. Neither the
browser nor the server may contact anything but localhost.

Skipped when chromium or Playwright is missing (scripts/ci-browser-deps.sh
installs both).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import ffprobe

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "aesop.epub"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("E2A_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed "
                               "(scripts/ci-browser-deps.sh installs it)")
pytest.importorskip("gradio")
if not Path(CHROMIUM).exists():
    pytest.skip("chromium not installed (scripts/ci-browser-deps.sh installs it)", allow_module_level=True)
if not shutil.which("ffprobe"):
    pytest.skip("ffprobe not installed", allow_module_level=True)

pytestmark = pytest.mark.slow

LIMIT = ("--max-upload-mb", "2")

# Runs `e2a` with an audit hook that records every network connection and name
# lookup the server makes to anything but the loopback interface.
SERVER = r"""
import sys
log = open(sys.argv[1], "a", buffering=1)
LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "", None}
def local(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return host in LOCAL or str(host).startswith("127.")
def hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple) and not local(args[1][0]):
        log.write(f"connect {args[1]!r}\n")
    elif event == "socket.getaddrinfo" and not local(args[0]):
        log.write(f"lookup {args[0]!r}\n")
sys.addaudithook(hook)
sys.argv = ["e2a"] + sys.argv[2:]
from e2a.cli import main
main()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, home: Path, workdir: Path):
        self.home, self.workdir = home, workdir
        self.net_log = workdir / "server-network.log"
        self.net_log.touch()
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *extra: str) -> None:
        self.port = free_port()
        self.starts += 1
        env = {**os.environ, "E2A_HOME": str(self.home), "PYTHONUNBUFFERED": "1",
               "XDG_CACHE_HOME": str(self.workdir / "cache"), "GRADIO_TEMP_DIR": str(self.workdir / "gradio")}
        env.pop("E2A_GUI_AUTH", None)
        self.log = open(self.workdir / f"server-{self.starts}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(self.net_log), "gui",
                                      "--port", str(self.port), *extra],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise AssertionError(f"server did not start:\n{self.output()}")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        return "".join((self.workdir / f"server-{i}.log").read_text(errors="replace")
                       for i in range(1, self.starts + 1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("gui")
    home = work / "home"
    home.mkdir()
    srv = Server(home, work)
    srv.start(*LIMIT)
    yield srv
    srv.kill()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """Every request the page makes that does not go to the local server."""

    def __init__(self, page):
        self.external: list[str] = []
        page.on("request", self.on_request)

    def on_request(self, req):
        url = req.url
        if not (url.startswith("http://127.0.0.1:") or url.startswith("ws://127.0.0.1:")
                or url.startswith(("data:", "blob:", "about:"))):
            self.external.append(url)


def tab(page, name):
    # dispatched to the tab itself: Gradio's loading overlay may still cover it
    page.get_by_role("tab", name=name).dispatch_event("click")
    page.wait_for_selector(f"button[role=tab][aria-selected=true]:has-text('{name}')")


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"gui-{name}.png"), full_page=True)


def http_status(url: str, data: bytes | None = None, headers: dict | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def job_id(message: str) -> str:
    m = re.search(r"Session (\S+?):", message)
    assert m, message
    return m.group(1)


def sessions_rows(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#e2a-sessions tr[data-session]",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.session, r.dataset.status]))")


def wait_rows(page, pred, timeout=120.0) -> dict[str, str]:
    end = time.monotonic() + timeout
    rows = {}
    while time.monotonic() < end:
        rows = sessions_rows(page)
        if pred(rows):
            return rows
        page.wait_for_timeout(500)
    raise AssertionError(f"sessions never matched; last seen {rows}")


def test_nothing_is_served_outside_the_configured_folders(server):
    secret = server.home / "tmp" / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("session data")
    for path in ("/etc/passwd", str(secret), str(server.home / "ebooks" / ".." / "tmp" / "secret.txt"),
                 str(SAMPLE)):
        for prefix in ("/gradio_api/file=", "/file="):
            assert http_status(server.url + prefix + path) in (403, 404), path
    assert http_status(server.url + "/gradio_api/file=..%2F..%2F..%2Fetc%2Fpasswd") in (403, 404)


def test_upload_size_limit(server):
    # the server was started with --max-upload-mb 2: a 3 MiB upload is refused
    boundary = "e2aboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.epub\"\r\n"
            "Content-Type: application/epub+zip\r\n\r\n").encode()
    body = head + b"\0" * (3 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    status = http_status(server.url + "/gradio_api/upload", data=body,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 413
    assert not list((server.home / "ebooks").glob("big*"))


def test_convert_in_the_browser_survives_closed_tab_and_restart(server, browser, tmp_path):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server.url)
    page.wait_for_selector("#e2a-upload")
    shot(page, "1-convert-empty")

    # upload: the book lands in the ebooks folder and its chapter plan appears
    page.set_input_files("#e2a-upload input[type=file]", str(SAMPLE))
    page.wait_for_selector("#e2a-chapters input[type=checkbox]", timeout=60_000)
    page.wait_for_function("document.querySelector('#e2a-book-info').innerText.includes('Three Fables')")
    assert (server.home / "ebooks" / "aesop.epub").read_bytes() == SAMPLE.read_bytes()
    boxes = page.locator("#e2a-chapters label")
    labels = [boxes.nth(i).inner_text() for i in range(boxes.count())]
    assert any("The Crow and the Pitcher" in t for t in labels), labels
    checked = page.eval_on_selector_all("#e2a-chapters input[type=checkbox]", "xs => xs.map(x => x.checked)")
    assert checked == [False, False, True, True, True]      # front matter unticked
    # untick the last fable
    page.locator("#e2a-chapters label", has_text="The Crow and the Pitcher").click()
    page.wait_for_function("!document.querySelectorAll('#e2a-chapters input[type=checkbox]')[4].checked")

    # spoken preview of one sentence
    page.click("#e2a-preview")
    page.wait_for_selector("#e2a-preview-audio audio[src], #e2a-preview-audio [data-testid='waveform-x']",
                           state="attached", timeout=60_000)
    shot(page, "2-convert-plan-preview")

    # start, then close the tab
    page.click("#e2a-start")
    page.wait_for_function("document.querySelector('#e2a-start-msg').innerText.includes('Session')",
                           timeout=30_000)
    job_a = job_id(page.inner_text("#e2a-start-msg"))
    external = list(watch.external)
    page.close()

    # the job goes on without a browser; a new tab finds it
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server.url)
    tab(page, "Sessions")
    page.wait_for_selector(f"#e2a-sessions tr[data-session='{job_a}']", timeout=30_000)
    shot(page, "3-sessions-running")
    wait_rows(page, lambda r: r.get(job_a) in ("done", "failed"), timeout=240)
    assert sessions_rows(page)[job_a] == "done", server.output()[-3000:]
    shot(page, "4-sessions-done")

    # download and check the audiobook
    page.locator("#e2a-session-pick input").click()
    page.get_by_role("option", name=job_a).click()
    page.wait_for_selector("#e2a-download:not([disabled])", timeout=30_000)
    with page.expect_download(timeout=60_000) as dl:
        page.click("#e2a-download")
    m4b = tmp_path / "downloaded.m4b"
    dl.value.save_as(m4b)
    info = ffprobe(m4b)
    titles = [c["tags"].get("title") for c in info["chapters"]]
    assert titles == ["The Fox and the Grapes", "The Tortoise and the Hare"]
    assert float(info["format"]["duration"]) > 10
    assert any(s["codec_name"] == "aac" for s in info["streams"])
    # the file on the server is the same one, in the audiobooks folder
    produced = list((server.home / "audiobooks").glob("*.m4b"))
    assert [p.read_bytes() for p in produced] == [m4b.read_bytes()]

    # a second job (the front matter and the first fable only): cancelled,
    # resumed, then the server dies in the middle of it
    tab(page, "Convert")
    page.locator("#e2a-picker input").click()
    page.get_by_role("option", name="aesop.epub").click()
    page.wait_for_selector("#e2a-chapters input[type=checkbox]")
    want = [True, True, True, False, False]
    labels = page.locator("#e2a-chapters label").all()
    for label, on in zip(labels, want):
        if label.locator("input").is_checked() != on:
            label.click()
    page.wait_for_function(
        f"JSON.stringify([...document.querySelectorAll('#e2a-chapters input')].map(x => x.checked))"
        f" === '{json.dumps(want).replace(' ', '')}'")
    page.click("#e2a-start")
    page.wait_for_function(
        f"(() => {{ const t = document.querySelector('#e2a-start-msg').innerText;"
        f" return t.includes('Session') && !t.includes('{job_a}'); }})()", timeout=30_000)
    job_b = job_id(page.inner_text("#e2a-start-msg"))

    # cancel it from the Sessions tab at once (the flag stops it at its first
    # progress report, however fast the machine), then resume it
    tab(page, "Sessions")
    page.wait_for_selector(f"#e2a-sessions tr[data-session='{job_b}']")
    page.locator("#e2a-session-pick input").click()
    page.get_by_role("option", name=job_b).click()
    page.click("#e2a-cancel")
    rows = wait_rows(page, lambda r: r.get(job_b) not in ("queued", "running"), timeout=60)
    assert rows[job_b] == "cancelled", rows
    assert not list((server.home / "audiobooks").glob("*(2).m4b"))     # no partial audiobook
    shot(page, "5-sessions-cancelled")
    page.click("#e2a-resume")
    page.wait_for_function(
        f"document.querySelector('#e2a-action-msg').innerText.includes('{job_b}: queued')"
        f" || document.querySelector('#e2a-action-msg').innerText.includes('{job_b}: running')")
    external += watch.external
    # the server dies while the resumed job runs (it is still loading its voice)
    server.kill(signal.SIGKILL)
    saved = json.loads(next(server.home.glob(f"tmp/proc-{job_b}/*/job.json")).read_text())
    assert saved["status"] in ("queued", "running")
    page.close()

    # restart, this time with a login: both sessions are listed, B resumes and finishes
    server.start(*LIMIT, "--auth", "reader:s3cret word")
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(server.url)
    page.wait_for_selector("input[type=password]", timeout=30_000)
    shot(page, "6-login")
    page.locator("input[type=text]").first.fill("reader")
    page.locator("input[type=password]").fill("s3cret word")
    page.get_by_role("button", name="Login").click()
    tab(page, "Sessions")
    rows = wait_rows(page, lambda r: job_a in r and job_b in r, timeout=60)
    assert rows[job_a] == "done"
    shot(page, "7-sessions-after-restart")
    wait_rows(page, lambda r: r.get(job_b) in ("done", "failed"), timeout=240)
    assert sessions_rows(page)[job_b] == "done", server.output()[-3000:]
    assert f"e2a gui: resuming {job_b}" in server.output()
    assert "sentences spoken" in server.output()      # the pipeline found its checkpoint
    out_b = json.loads(next(server.home.glob(f"tmp/proc-{job_b}/*/job.json")).read_text())["output"]
    titles_b = [c["tags"].get("title") for c in ffprobe(out_b)["chapters"]]
    assert titles_b == ["Three Fables of Aesop", "Copyright", "The Fox and the Grapes"]
    shot(page, "8-sessions-all-done")
    external += watch.external
    ctx.close()

    # fully offline: nothing left localhost, from the browser or from the server
    assert external == []
    assert server.net_log.read_text() == ""


def test_login_is_required_when_auth_is_set(server):
    # runs after the restart above: the server now has --auth
    assert http_status(server.url + "/config") == 401
    assert http_status(server.url + "/gradio_api/info") in (401, 403)
    book = next((server.home / "audiobooks").glob("*.m4b"))
    assert http_status(server.url + "/gradio_api/file=" + urllib.parse.quote(str(book))) == 401
    assert http_status(server.url + "/gradio_api/upload", data=b"x",
                       headers={"Content-Type": "multipart/form-data; boundary=b"}) == 401
