"""How long `fetch_many` takes for many pages: N news pages served on loopback (default 200),
all from one host (so 2 at once: the per-host limit, the slowest case), fetched, extracted
and stored in a fresh text store. Prints the wall-clock time, pages a second, and the
failures. The pages are the fixture pages, each made unique (a number in its text).

    python benchmarks/bench_fetch.py [N] [KB]

KB (default 0) grows each page by about that much of what real pages carry besides the
article: an inline script of state, and a long footer of links (real news pages are
100-500 kB).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from reader.core.fulltext.fetch import Target, fetch_many
from reader.core.fulltext.store import TextStore

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fulltext"


def _pages() -> list[bytes]:
    return [
        p.read_bytes() for p in sorted(FIXTURES.glob("*.html")) if p.with_suffix(".md").exists()
    ]


def _bloated(page: bytes, kilobytes: int) -> bytes:
    """The page with about `kilobytes` more of script and footer links."""
    if not kilobytes:
        return page
    script = (
        b"<script>window.__STATE__=" + b'{"k":"v","n":[1,2,3]},' * (kilobytes * 20) + b"0</script>"
    )
    links = b"".join(
        f'<li><a href="/section/{n}">Section {n} of the site</a></li>'.encode()
        for n in range(kilobytes * 8)
    )
    footer = b'<footer><ul class="sitemap">' + links + b"</ul></footer>"
    return page.replace(b"</head>", script + b"</head>", 1).replace(
        b"</body>", footer + b"</body>", 1
    )


class _Handler(BaseHTTPRequestHandler):
    pages: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        number = int(self.path.strip("/"))
        page = self.pages[number % len(self.pages)]
        body = page.replace(b"<p>", f"<p>Page {number}. ".encode(), 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main(count: int = 200, kilobytes: int = 0) -> float:
    """Fetch `count` pages; print and return the seconds it took."""
    _Handler.pages = [_bloated(page, kilobytes) for page in _pages()]
    sizes = [len(page) // 1024 for page in _Handler.pages]
    print(f"pages of {min(sizes)}-{max(sizes)} kB")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    targets = [Target(f"http://127.0.0.1:{port}/{n}", f"id{n}", f"{n}.md") for n in range(count)]
    with tempfile.TemporaryDirectory() as folder, TextStore.open(Path(folder) / "t.db") as store:
        started = time.perf_counter()
        outcomes = fetch_many(targets, store, allow=frozenset({"127.0.0.1"}))
        took = time.perf_counter() - started
        failed = [o for o in outcomes if o.reason]
        print(f"{count} pages fetched and extracted in {took:.1f} s ({count / took:.1f} a second)")
        print(f"{len(store)} stored, {len(failed)} failed")
        for outcome in failed[:5]:
            print(f"  {outcome.target.url}: {outcome.reason}")
    server.shutdown()
    return took


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 0
    )
