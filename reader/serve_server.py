"""The web server of `reader serve` (textual-serve's, with the reader's checks and stop).

Every request names a host and an origin the server answers to (`reader.serve.refusal`);
the address is said once it listens; a stop ends the tabs' readers within seconds.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from reader.serve import Audience, _refuse, address_to_open, end_tabs, run_server


class ReaderServer(Server):
    """textual-serve's server, answering only its own names and addresses."""

    def __init__(self, command: str, *, host: str, port: int, feed: Path, hosts: Audience) -> None:
        super().__init__(command, host=host, port=port, title="reader")
        self.feed = feed
        self.hosts = hosts
        self.stopping = False

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        _refuse(request, self.hosts)
        # The page's absolute links must name the host the browser used (a wildcard or
        # the other of `localhost` and 127.0.0.1 would fail the origin check).
        self.public_url = f"{request.scheme}://{request.host}"
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        _refuse(request, self.hosts)
        return await super().handle_websocket(request)

    def initialize_logging(self) -> None:
        super().initialize_logging()
        # A line per request is noise beside a reader; warnings and errors still show.
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def _make_app(self) -> web.Application:
        import aiohttp_jinja2

        from reader.serve_page import LocalPageLoader

        app: web.Application = await super()._make_app()
        aiohttp_jinja2.setup(app, loader=LocalPageLoader(self.templates_path))
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the address is said once the server listens (`say_listening`)."""

    def say_listening(self, *_: object) -> None:
        where = address_to_open(self.host, self.port)
        print(f"reader: serving {self.feed} at {where}", flush=True)
        print("reader: each browser tab runs its own reader; Ctrl+C stops", flush=True)

    def request_exit(self) -> None:
        # A second Ctrl+C or SIGTERM while stopping would escape the web server's
        # cleanup (exit status 1, tabs left running): the stop has its deadline anyway.
        if not self.stopping:
            self.stopping = True
            super().request_exit()

    async def on_shutdown(self, app: web.Application) -> None:
        # A tab ended while it started says "Application failed to start": not news.
        logging.getLogger("textual-serve").setLevel(logging.CRITICAL)
        await end_tabs()

    def serve(self, debug: bool = False) -> None:
        run_server(self, self.host, self.port, self.say_listening)
