"""`reader fetch` and `reader list --with-text`, against pages served on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.config import SYNC_ENV
from reader.core.fulltext.store import TextStore

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "fulltext"
PAGES = {
    "/bridge": ("text/html; charset=utf-8", (FIXTURES / "harbour-bridge.html").read_bytes()),
    "/drought": ("text/html", (FIXTURES / "wire-drought.html").read_bytes()),
    "/report.pdf": ("application/pdf", b"%PDF-1.7\n..."),
}


class _Pages(ThreadingHTTPServer):
    daemon_threads = True
    asked: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Pages

    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        if self.path not in PAGES:
            self.send_error(404)
            return
        kind, body = PAGES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, _Pages]]:
    server = _Pages(("127.0.0.1", 0), _Handler)
    server.asked = []
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    monkeypatch.setenv("READER_FETCH_ALLOW", "127.0.0.1")
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def _write(folder: Path, name: str, title: str, urls: str, quality: int) -> None:
    folder.joinpath(name).write_text(
        f'---\ntitle: "{title}"\n{urls}quality: {quality}\n---\n\nA short excerpt of {title}.\n',
        encoding="utf-8",
    )


@pytest.fixture
def feed(tmp_path: Path, site: tuple[str, _Pages]) -> Path:
    base, _ = site
    folder = tmp_path / "feed"
    folder.mkdir()
    _write(folder, "bridge.md", "Bridge closes", f"webUrl: {base}/bridge\n", 90)
    _write(folder, "drought.md", "Drought", f"originalUrl: {base}/drought\n", 80)
    _write(folder, "pdf.md", "A report", f"webUrl: {base}/report.pdf\n", 70)
    _write(folder, "gone.md", "Gone", f"webUrl: {base}/gone\n", 60)
    _write(folder, "nourl.md", "No URL", "", 50)
    return folder


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_fetch_stores_texts_and_says_what_failed(
    feed: Path, site: tuple[str, _Pages], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(["fetch", str(feed)], capsys)
    assert status == 1
    lines = out.splitlines()
    assert lines[-1] == "2 fetched, 0 already stored, 2 failed, 1 article without a page URL"
    assert any("pdf.md" in line and "not a web page" in line for line in lines)
    assert any("gone.md" in line and "404 Not Found" in line for line in lines)
    base, _ = site
    with TextStore.open() as store:
        bridge = store.get(f"{base}/bridge")
        drought = store.get(f"{base}/drought")  # originalUrl when there is no webUrl
        assert bridge is not None and "steel hangers" in bridge.markdown
        assert drought is not None and "Ellen Voss" in drought.markdown
    assert not list(feed.glob("*.db")) and len(list(feed.iterdir())) == 5  # feed untouched


def test_stored_texts_are_not_asked_for_again_unless_refresh(
    feed: Path, site: tuple[str, _Pages], capsys: pytest.CaptureFixture[str]
) -> None:
    _, server = site
    _run(["fetch", str(feed)], capsys)
    server.asked.clear()
    status, out, _ = _run(["fetch", str(feed), "--query", "bridge"], capsys)
    assert (status, out.splitlines()[-1]) == (0, "0 fetched, 1 already stored, 0 failed")
    assert server.asked == []  # no request at all
    status, out, _ = _run(["fetch", str(feed), "-q", "bridge", "--refresh"], capsys)
    assert (status, out.splitlines()[-1]) == (0, "1 fetched, 0 already stored, 0 failed")
    assert server.asked == ["/bridge"]


def test_a_query_of_the_reading_state_sees_the_other_machines_marks(
    feed: Path,
    site: tuple[str, _Pages],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--query is:starred` after another machine starred the bridge: that article only."""
    monkeypatch.setenv(SYNC_ENV, str(tmp_path / "sync"))
    (tmp_path / "sync").mkdir()
    _, out, _ = _run(
        ["list", str(feed), "--state", str(tmp_path / "a.db"), "--format", "json"], capsys
    )
    [bridge] = [r["id"] for r in json.loads(out) if r["title"] == "Bridge closes"]
    assert (
        _run(
            ["mark", "--feed", str(feed), "--state", str(tmp_path / "a.db"), "--star", bridge],
            capsys,
        )[0]
        == 0
    )
    here = ["--state", str(tmp_path / "b.db")]
    status, out, _ = _run(["fetch", str(feed), *here, "--query", "is:starred"], capsys)
    assert (status, out.splitlines()[-1]) == (0, "1 fetched, 0 already stored, 0 failed")
    assert site[1].asked == ["/bridge"]


def test_limit_fetches_the_first_articles_only(
    feed: Path, site: tuple[str, _Pages], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(["fetch", str(feed), "--limit", "1"], capsys)
    assert (status, out.splitlines()[-1]) == (
        0,
        "1 fetched, 0 already stored, 0 failed, 1 article without a page URL",
    )
    assert site[1].asked == ["/bridge"]  # the best first, as the list has them


def test_a_private_address_is_refused_unless_allowed(
    feed: Path,
    site: tuple[str, _Pages],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("READER_FETCH_ALLOW")
    status, out, _ = _run(["fetch", str(feed), "-q", "bridge"], capsys)
    assert status == 1 and "a loopback address" in out
    assert site[1].asked == []


def test_forget_removes_stored_texts(
    feed: Path, site: tuple[str, _Pages], capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["fetch", str(feed)], capsys)
    status, out, _ = _run(["fetch", str(feed), "--forget", "-q", "bridge"], capsys)
    assert (status, out) == (0, "1 stored text removed\n")
    status, out, _ = _run(["fetch", "--forget"], capsys)
    assert (status, out) == (0, "1 stored text removed\n")
    with TextStore.open() as store:
        assert len(store) == 0


def test_list_with_text_adds_the_text_or_null(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(["list", str(feed), "--format", "json", "--with-text"], capsys)
    assert status == 0 and [r["text"] for r in json.loads(out)] == [None] * 5  # none fetched
    _run(["fetch", str(feed), "-q", "bridge"], capsys)
    status, out, _ = _run(["list", str(feed), "--format", "jsonl", "--with-text"], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert "steel hangers" in records[0]["text"] and records[0]["title"] == "Bridge closes"
    assert [r["text"] for r in records[1:]] == [None] * 4
    status, out, _ = _run(["list", str(feed), "--format", "json"], capsys)
    assert "text" not in json.loads(out)[0]


def test_list_with_text_needs_a_json_format(feed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["list", str(feed), "--with-text"], capsys)
    assert status == 2 and "--with-text goes with --format json or jsonl" in err


def test_list_query_searches_the_stored_texts(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = ["list", str(feed), "--format", "tsv", "-q", '"steel hangers"']
    assert _run(query, capsys)[1].count("\n") == 1  # the header only
    _run(["fetch", str(feed)], capsys)
    status, out, _ = _run(query, capsys)
    assert status == 0 and out.splitlines()[1].split("\t")[3] == "Bridge closes"


def test_a_texts_path_of_someone_else_is_refused(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    status, _, err = _run(["fetch", str(feed), "--texts", str(notes)], capsys)
    assert status == 2 and "notes.txt is not an SQLite database" in err
    status, _, err = _run(["list", str(feed), "--texts", str(notes)], capsys)
    assert status == 2 and "left untouched" in err
    assert notes.read_text() == "mine\n"


def test_ctrl_c_ends_a_fetch_at_once(tmp_path: Path) -> None:
    """A page that never comes does not hold the process: SIGINT ends it within seconds."""
    asked = threading.Event()
    release = threading.Event()

    class Silent(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            release.wait(30)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}).start()
    folder = tmp_path / "feed"
    folder.mkdir()
    _write(folder, "a.md", "A", f"webUrl: http://127.0.0.1:{server.server_address[1]}/a\n", 1)
    env = os.environ | {"PYTHONPATH": str(REPO), "READER_FETCH_ALLOW": "127.0.0.1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "reader", "fetch", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert asked.wait(30), "the page was never asked for"
        child.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, err = child.communicate(timeout=10)
        assert time.monotonic() - started < 5
        assert child.returncode == 130 and b"interrupted" in err
    finally:
        release.set()
        child.kill()
        child.wait(10)
        server.shutdown()
        server.server_close()
