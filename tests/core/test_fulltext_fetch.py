"""Fetching an article's page: the network is hostile (servers on loopback started here)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.core.fulltext import fetch
from reader.core.fulltext.fetch import (
    USER_AGENT,
    Cancel,
    Target,
    fetch_many,
    fetch_one,
)
from reader.core.fulltext.net import Slots, allowed_hosts, why_refused
from reader.core.fulltext.store import TextStore
from reader.core.importer.fetch import FetchError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fulltext"
PAGE = (FIXTURES / "harbour-bridge.html").read_bytes()
LOOPBACK = frozenset({"127.0.0.1"})

Route = Callable[[BaseHTTPRequestHandler], None]


def _send(handler: BaseHTTPRequestHandler, body: bytes, kind: str = "text/html") -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class _Server:
    """A threaded HTTP server on 127.0.0.1, port 0, answering `routes[path](handler)`."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, User-Agent)
        self.active = 0
        self.most_active = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    server.requests.append((self.path, self.headers.get("User-Agent", "")))
                    server.active += 1
                    server.most_active = max(server.most_active, server.active)
                try:
                    route = routes.get(self.path)
                    if route is None:
                        self.send_error(404)
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with lock:
                        server.active -= 1

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Route]], _Server]]:
    servers: list[_Server] = []

    def start(routes: dict[str, Route]) -> _Server:
        servers.append(_Server(routes))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _target(url: str) -> Target:
    return Target(url, "id-" + url.rsplit("/", 1)[-1], "feed/a.md")


def test_a_page_is_fetched_and_its_text_extracted(serve: Callable[..., _Server]) -> None:
    server = serve({"/a": lambda h: _send(h, PAGE, "text/html; charset=utf-8")})
    outcome = fetch_one(_target(server.url("/a")), allow=LOOPBACK)
    assert outcome.reason is None and outcome.markdown is not None
    assert "steel hangers" in outcome.markdown
    assert "Most read" not in outcome.markdown and "Accept all" not in outcome.markdown
    assert server.requests == [("/a", USER_AGENT)]
    assert "reader" in USER_AGENT


def test_loopback_is_refused_before_any_connection_unless_allowed(
    serve: Callable[..., _Server],
) -> None:
    server = serve({"/a": lambda h: _send(h, PAGE)})
    outcome = fetch_one(_target(server.url("/a")))
    assert outcome.markdown is None
    assert "127.0.0.1, a loopback address" in (outcome.reason or "")
    assert server.requests == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("192.168.1.1", "private"),
        ("10.0.0.7", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("::ffff:192.168.0.1", "private"),
    ],
)
def test_a_host_on_the_users_network_is_refused_without_connecting(
    monkeypatch: pytest.MonkeyPatch, address: str, kind: str
) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    answer = [(family, socket.SOCK_STREAM, 6, "", (address, 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)

    def no_connection(*args: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    outcome = fetch_one(_target("http://router.example/admin"))
    assert f"a {kind} address" in (outcome.reason or "")
    assert "router.example" in (outcome.reason or "")


def test_a_proxy_in_the_environment_does_not_carry_a_refused_host(
    monkeypatch: pytest.MonkeyPatch, serve: Callable[..., _Server]
) -> None:
    """Through a proxy only the proxy's address would be checked: the fetch asks no proxy."""
    proxy = serve({})
    monkeypatch.setenv("http_proxy", proxy.url(""))
    real = socket.getaddrinfo
    private = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.1", 80))]

    def resolver(host: str, *args: object, **kwargs: object) -> object:
        return private if host == "router.example" else real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    outcome = fetch_one(_target("http://router.example/admin"), allow=LOOPBACK)
    assert "a private address" in (outcome.reason or "")
    assert proxy.requests == []


def test_one_private_address_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 80)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)
    monkeypatch.setattr(socket.socket, "connect", lambda *args: pytest.fail("connected"))
    assert "10.1.2.3, a private address" in (fetch_one(_target("http://x.example/")).reason or "")


def test_the_connection_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch, serve: Callable[..., _Server]
) -> None:
    """The name is looked up once: a second answer (DNS rebinding) would never be used."""
    server = serve({"/a": lambda h: _send(h, PAGE)})
    answers = iter(
        [
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", server.port))],
            # Another loopback address, where nothing listens: a second lookup would fail
            # the fetch, and never send anything off this machine.
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", server.port))],
        ]
    )
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: next(answers))
    outcome = fetch_one(_target(f"http://news.example:{server.port}/a"), allow=LOOPBACK)
    assert outcome.reason is None
    assert next(answers)[0][4][0] == "127.0.0.2"  # the second answer was never asked for


def test_allowed_hosts_come_from_the_environment_and_the_config() -> None:
    found = allowed_hosts(["Local.Example"], {"READER_FETCH_ALLOW": "127.0.0.1, [::1] ,"})
    assert found == {"127.0.0.1", "::1", "local.example"}


def test_public_addresses_pass_the_check() -> None:
    import ipaddress

    assert why_refused(ipaddress.ip_address("93.184.215.14")) is None
    assert why_refused(ipaddress.ip_address("2606:4700::1111")) is None


def test_a_redirect_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, serve: Callable[..., _Server]
) -> None:
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "http://intranet.example/secret")
        handler.end_headers()

    real = socket.getaddrinfo
    looked_up: list[str] = []

    def resolver(host: str, *args: object, **kwargs: object) -> object:
        looked_up.append(host)
        if host == "intranet.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.1", 80))]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    server = serve({"/a": redirect})
    outcome = fetch_one(_target(server.url("/a")), allow=LOOPBACK)
    assert "intranet.example is at 192.168.1.1, a private address" in (outcome.reason or "")
    assert looked_up == ["127.0.0.1", "intranet.example"]


def test_more_than_five_redirects_are_refused(serve: Callable[..., _Server]) -> None:
    def hop(n: int) -> Route:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", f"/r{n + 1}")
            handler.end_headers()

        return answer

    server = serve({f"/r{n}": hop(n) for n in range(10)})
    outcome = fetch_one(_target(server.url("/r0")), allow=LOOPBACK)
    assert "too many redirects" in (outcome.reason or "")


def test_a_redirect_to_another_scheme_is_refused(serve: Callable[..., _Server]) -> None:
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(301)
        handler.send_header("Location", "file:///etc/passwd")
        handler.end_headers()

    server = serve({"/a": redirect})
    outcome = fetch_one(_target(server.url("/a")), allow=LOOPBACK)
    assert outcome.markdown is None and "http" in (outcome.reason or "")


def test_a_trickling_page_is_cut_off_at_the_whole_pages_deadline(
    serve: Callable[..., _Server],
) -> None:
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(100):  # a byte every 0.1 s: each read is quick, the whole is not
            handler.wfile.write(b"<p>")
            handler.wfile.flush()
            time.sleep(0.1)

    server = serve({"/slow": trickle})
    started = time.monotonic()
    outcome = fetch_one(_target(server.url("/slow")), allow=LOOPBACK, timeout=0.6)
    assert "no answer within 0.6 seconds" in (outcome.reason or "")
    assert time.monotonic() - started < 5


def test_a_page_over_the_size_cap_is_refused(serve: Callable[..., _Server]) -> None:
    server = serve({"/big": lambda h: _send(h, b"<p>" + b"x" * 20_000)})
    outcome = fetch_one(_target(server.url("/big")), allow=LOOPBACK, max_bytes=10_000)
    assert outcome.reason == "the page is larger than 10,000 bytes"


@pytest.mark.parametrize(
    ("body", "kind", "said"),
    [
        (b"%PDF-1.7 ...", "application/pdf", "not a web page (the server says application/pdf)"),
        (b"\x89PNG\r\n\x1a\n....", "text/html", "a PNG image, though the server says text/html"),
        (b"<p>caf\xe9</p>", "text/html; charset=x-no-such", "charset 'x-no-such' is unknown"),
        (b"\xff\xfe\xfd" * 400, "text/html; charset=utf-8", "not valid utf-8"),
    ],
    ids=["pdf", "png-as-html", "unknown-charset", "wrong-charset"],
)
def test_what_is_no_web_page_gets_a_reason(
    serve: Callable[..., _Server], body: bytes, kind: str, said: str
) -> None:
    server = serve({"/x": lambda h: _send(h, body, kind)})
    outcome = fetch_one(_target(server.url("/x")), allow=LOOPBACK)
    assert outcome.markdown is None and said in (outcome.reason or "")


@pytest.mark.parametrize("name", ["paywall-teaser.html", "javascript-only.html"])
def test_a_page_without_article_text_gets_a_reason(
    serve: Callable[..., _Server], name: str
) -> None:
    body = (FIXTURES / name).read_bytes()
    server = serve({"/x": lambda h: _send(h, body)})
    outcome = fetch_one(_target(server.url("/x")), allow=LOOPBACK)
    assert "no article text found" in (outcome.reason or "")


def test_a_server_error_gets_a_reason(serve: Callable[..., _Server]) -> None:
    server = serve({})
    outcome = fetch_one(_target(server.url("/missing")), allow=LOOPBACK)
    assert outcome.reason == "the server answered 404 Not Found"


def test_a_read_cut_by_the_cancel_is_told_as_cancelled_not_as_its_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cancel shuts the fetch's sockets down: the read under way fails (a reset), after
    the cancel; the order the silent-server test below meets only now and then."""
    cancel = Cancel()

    def cut_by_the_cancel(*args: object, **kwargs: object) -> None:
        cancel.set()
        raise FetchError("cannot fetch the page: [Errno 104] Connection reset by peer")

    monkeypatch.setattr(fetch, "fetch_page", cut_by_the_cancel)
    outcome = fetch_one(_target("http://127.0.0.1:9/page"), allow=LOOPBACK, cancel=cancel)
    assert outcome.reason == "cancelled"


def test_cancel_ends_a_fetch_waiting_on_a_silent_server_at_once(
    serve: Callable[..., _Server],
) -> None:
    release = threading.Event()

    def silent(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        handler.wfile.write(b"<html>")
        handler.wfile.flush()
        release.wait(10)

    server = serve({"/silent": silent})
    cancel = Cancel()
    result: list[str | None] = []
    worker = threading.Thread(
        target=lambda: result.append(
            fetch_one(_target(server.url("/silent")), allow=LOOPBACK, cancel=cancel).reason
        )
    )
    worker.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    cancel.set()
    worker.join(5)
    release.set()
    assert not worker.is_alive() and result == ["cancelled"]


def test_many_pages_keep_to_two_at_once_per_host(
    serve: Callable[..., _Server], tmp_path: Path
) -> None:
    # Counted while a page is being made, not while it is sent: once its last byte is out,
    # the client may start its next request before the server's thread has ended this one
    # (counted to the end, a third request was seen "at once" now and then, under load).
    making = {"now": 0, "most": 0}
    lock = threading.Lock()

    def slow_page(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            making["now"] += 1
            making["most"] = max(making["most"], making["now"])
        time.sleep(0.05)
        with lock:
            making["now"] -= 1
        _send(handler, PAGE)

    server = serve({f"/p{n}": slow_page for n in range(8)})
    with TextStore.open(tmp_path / "texts.db") as store:
        outcomes = fetch_many(
            [_target(server.url(f"/p{n}")) for n in range(8)], store, allow=LOOPBACK
        )
        assert [o.reason for o in outcomes] == [None] * 8
        assert len(store) == 8
    assert making["most"] <= 2


def test_slots_keep_to_the_limit_in_all() -> None:
    slots = Slots(per_host=5, in_all=2)
    held = (slots.taken("a.example", 1), slots.taken("b.example", 1))
    with held[0], held[1], pytest.raises(TimeoutError), slots.taken("c.example", 0.05):
        pass


def test_a_lookup_that_does_not_answer_is_given_up_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    def stuck(*args: object, **kwargs: object) -> object:
        release.wait(10)
        raise OSError("too late")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    started = time.monotonic()
    try:
        outcome = fetch_one(_target("http://slow-dns.example/a"), timeout=0.3)
    finally:
        release.set()
    assert "slow-dns.example was not found within 0.3 s" in (outcome.reason or "")
    assert time.monotonic() - started < 5
