"""Fetching feeds from a local HTTP server started by the test: the deadline, the size cap,
redirects, errors, the User-Agent, and an OPML list of URLs."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.core.importer import import_sources
from reader.core.importer.fetch import MAX_REDIRECTS, USER_AGENT, FetchError, fetch
from reader.core.loader import load_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
SLOW_SECONDS = 1.0
TRICKLE_SECONDS = 0.3  # between two bytes of a trickling answer
TRICKLE_FOR = 15.0  # how long the server trickles at most (far past any test's deadline)
WAIT_FOR_FETCH = 6.0  # the test's own deadline for a fetch limited to 1 s


class FeedHandler(BaseHTTPRequestHandler):
    """Serves the fixture feeds, and the bad cases by path."""

    agents: list[str | None] = []  # noqa: RUF012 - shared by every request on purpose
    paths: list[str] = []  # noqa: RUF012 - likewise

    def do_GET(self) -> None:
        FeedHandler.agents.append(self.headers.get("User-Agent"))
        FeedHandler.paths.append(self.path)
        name = self.path.lstrip("/")
        if name == "slow":
            time.sleep(SLOW_SECONDS)
            self.reply(b"<rss/>")
        elif name == "huge":
            self.reply(b"x" * 50_000)
        elif name == "endless":
            self.endless()
        elif name == "stall":
            self.trickle(b"")
        elif name == "trickle-body":
            self.trickle(b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n")
        elif name == "trickle-headers":
            self.trickle(b"HTTP/1.0 200 OK\r\n")
        elif name == "gzip-bomb":
            self.reply(gzip.compress(b"<" * 1_000_000), encoding="gzip")  # 1 KB sent
        elif name == "loop":
            self.redirect("/loop")
        elif name == "to-rss":
            self.redirect("/rss.xml")
        elif name == "to-file":
            self.redirect("file:///etc/passwd")
        elif name == "with-dtd.opml":
            host = self.headers["Host"]
            self.reply(
                f'<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "http://{host}/opml.dtd">\n'
                f'<opml version="2.0"><body><outline text="&nbsp;" xmlUrl="http://{host}/atom.xml"/>'
                "</body></opml>".encode()
            )
        elif name == "subscriptions.opml":
            text = (FEEDS / name).read_text(encoding="utf-8")
            self.reply(text.replace("127.0.0.1:PORT", self.headers["Host"]).encode())
        elif name in ("rss.xml", "atom.xml", "feed.json"):
            self.reply((FEEDS / name).read_bytes())
        else:
            self.send_error(404, "Not Found")

    def reply(self, body: bytes, encoding: str | None = None) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): nothing to answer

    def trickle(self, start: bytes) -> None:
        """`start`, then a byte every TRICKLE_SECONDS (none for `stall`) until the client goes."""
        until = time.monotonic() + TRICKLE_FOR
        try:
            self.wfile.write(start)
            self.wfile.flush()
            while time.monotonic() < until:
                time.sleep(TRICKLE_SECONDS)
                if start:
                    self.wfile.write(b"x")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def endless(self) -> None:
        """An answer without a length that never ends: 64 KB at a time, as fast as it goes."""
        try:
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
            block = b"<item>" * 10_000
            until = time.monotonic() + TRICKLE_FOR
            while time.monotonic() < until:
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is the test's."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_feed_is_fetched_with_the_reader_user_agent(server: str, tmp_path: Path) -> None:
    FeedHandler.agents.clear()
    report = import_sources([f"{server}/rss.xml"], tmp_path)
    assert report.summary() == "4 new, 0 updated, 0 unchanged, 0 skipped, 0 errors"
    assert FeedHandler.agents == [USER_AGENT]
    assert load_feed(tmp_path).problems == []


def test_a_slow_server_times_out(server: str) -> None:
    with pytest.raises(FetchError, match="no answer"):
        fetch(f"{server}/slow", timeout=0.2)


def fetch_within_the_tests_deadline(url: str) -> BaseException | None:
    """What `fetch(url, timeout=1)` raised, run in a thread the test waits for at most
    WAIT_FOR_FETCH seconds: a fetch that is still running then fails the test."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            fetch(url, timeout=1.0)
            outcome.append(None)
        except Exception as error:  # noqa: BLE001 - handed to the test to check
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT_FOR_FETCH)
    assert not thread.is_alive(), f"the fetch of {url} outlived its 1 s deadline"
    return outcome[0]


@pytest.mark.parametrize("name", ["trickle-body", "trickle-headers", "stall"])
def test_the_time_limit_is_a_deadline_for_the_whole_download(server: str, name: str) -> None:
    error = fetch_within_the_tests_deadline(f"{server}/{name}")
    assert isinstance(error, FetchError)
    assert str(error) == "no answer within 1 seconds (the whole download is limited)"


def test_an_endless_answer_and_a_compression_bomb_are_refused(server: str) -> None:
    with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
        fetch(f"{server}/endless", max_bytes=1_000_000)
    with pytest.raises(FetchError, match=r"compressed \(gzip\) though asked not to; not read"):
        fetch(f"{server}/gzip-bomb", max_bytes=100_000)


def test_a_huge_feed_is_cut_off_at_the_size_cap(server: str) -> None:
    with pytest.raises(FetchError, match="larger than 10,000 bytes"):
        fetch(f"{server}/huge", max_bytes=10_000)
    assert len(fetch(f"{server}/huge", max_bytes=60_000)[0]) == 50_000


def test_redirects_are_followed_a_few_times_and_only_to_http(server: str) -> None:
    body, final = fetch(f"{server}/to-rss")
    assert final == f"{server}/rss.xml" and body == (FEEDS / "rss.xml").read_bytes()
    with pytest.raises(FetchError, match=f"too many redirects \\(more than {MAX_REDIRECTS}\\)"):
        fetch(f"{server}/loop")
    with pytest.raises(FetchError, match="only http and https"):
        fetch(f"{server}/to-file")


def test_a_missing_feed_and_refused_urls_are_errors_naming_them(server: str) -> None:
    with pytest.raises(FetchError, match="404 Not Found"):
        fetch(f"{server}/nothing-here")
    with pytest.raises(FetchError, match="user name or password"):
        fetch("http://user:secret@127.0.0.1:1/feed")


def test_an_opml_list_imports_each_feed_and_names_the_ones_that_fail(
    server: str, tmp_path: Path
) -> None:
    report = import_sources([f"{server}/subscriptions.opml"], tmp_path)
    assert report.counts.new == 6  # rss.xml: 4, atom.xml: 2
    assert report.errors == [f"{server}/missing.xml: the server answered 404 Not Found"]
    assert len(report.warnings) == 1 and "file:///etc/passwd" in report.warnings[0]
    assert load_feed(tmp_path).problems == []


def test_an_opml_lists_external_dtd_is_never_fetched(server: str, tmp_path: Path) -> None:
    FeedHandler.paths.clear()
    report = import_sources([f"{server}/with-dtd.opml"], tmp_path)
    assert report.summary() == "2 new, 0 updated, 0 unchanged, 0 skipped, 0 errors"
    assert FeedHandler.paths == ["/with-dtd.opml", "/atom.xml"]
    assert load_feed(tmp_path).problems == []
