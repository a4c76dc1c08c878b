"""Where a full-text fetch may connect: resolved once, every address checked, that one used.

An article file names the page to fetch, so an article file could make the reader probe the
user's own network (a router's admin page, a service on this machine). Before any
connection the host is resolved, and the fetch is refused when any of its addresses is
loopback, private, link-local, multicast, reserved or unspecified, unless the host or the
address is named in `READER_FETCH_ALLOW` (or the config's `fetch_allow`). The connection
then goes to the very address that was checked: no second lookup in between, which a DNS
answer that changes (DNS rebinding) could otherwise turn to another address. TLS wraps
that socket with the URL's host name (SNI and certificate checks as usual).

Each redirect opens a new connection, so each is checked the same way.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from reader.core.importer.fetch import Connector, FetchError

ALLOW_ENV = "READER_FETCH_ALLOW"
MAX_PER_HOST = 2
MAX_IN_ALL = 8

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def allowed_hosts(
    configured: Iterable[str] = (), environ: dict[str, str] | None = None
) -> frozenset[str]:
    """The hosts and addresses named as exceptions: `READER_FETCH_ALLOW` (comma-separated)
    and the config's `fetch_allow`, lowercased."""
    env = (os.environ if environ is None else environ).get(ALLOW_ENV, "")
    names = [word.strip().lower() for word in env.split(",")]
    names += [word.strip().lower() for word in configured]
    return frozenset(name.strip("[]") for name in names if name)


def why_refused(address: IPAddress) -> str | None:
    """Why the reader does not connect to `address` unasked (None: a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return kind
    return None


Resolved = list[tuple[socket.AddressFamily, IPAddress, tuple[object, ...]]]


def resolve(host: str, port: int, timeout: float) -> Resolved:
    """The addresses of `host` (a name or an address literal), each with its family and the
    socket address to connect to, within `timeout` seconds.

    The lookup runs in a thread of its own, since the system's resolver takes no time
    limit; one that does not answer in time is left to end by itself.
    """
    answer: list[Any] = []

    def look_up() -> None:
        try:
            answer.append(
                socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
            )
        except (OSError, UnicodeError) as error:
            answer.append(error)

    lookup = threading.Thread(target=look_up, name="reader-resolve", daemon=True)
    lookup.start()
    lookup.join(timeout)
    if not answer:
        raise FetchError(f"cannot fetch it (the host {host} was not found within {timeout:.1f} s)")
    if isinstance(answer[0], BaseException):
        raise FetchError(f"cannot fetch it (the host {host} is not found: {answer[0]})")
    infos = answer[0]
    found: Resolved = []
    for family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        found.append((family, address, tuple(sockaddr)))
    return found


def checked_connector(allow: frozenset[str]) -> Connector:
    """A `Connector` that refuses a host on this machine or network unless allowed, and
    connects to the address it checked."""

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:
        host, port = address
        started = time.monotonic()
        resolved = resolve(host, port, timeout)
        timeout -= time.monotonic() - started
        if host.lower().strip("[]") not in allow:
            for _family, ip, _sockaddr in resolved:
                kind = why_refused(ip)
                if kind is not None and str(ip) not in allow:
                    raise FetchError(
                        f"not fetched: {host} is at {ip}, a {kind} address (an article must "
                        f"not make the reader reach this machine or its network; "
                        f"{ALLOW_ENV} or fetch_allow names exceptions)"
                    )
        return _connect_first(resolved, timeout)

    return connect


def _connect_first(resolved: Resolved, timeout: float) -> socket.socket:
    """A socket connected to the first of the checked addresses that answers in time."""
    deadline = time.monotonic() + timeout
    error: OSError = OSError("no address")
    for family, _ip, sockaddr in resolved:
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
            if isinstance(failed, TimeoutError) or time.monotonic() >= deadline:
                break
    raise error


class Slots:
    """At most `per_host` requests at once to one host, and `in_all` in all.

    Waiting for a slot keeps to the caller's deadline (a `TimeoutError` when it passes).
    """

    def __init__(self, per_host: int = MAX_PER_HOST, in_all: int = MAX_IN_ALL) -> None:
        self.per_host = per_host
        self._all = threading.BoundedSemaphore(in_all)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = self._hosts[host] = threading.BoundedSemaphore(self.per_host)
            return slot

    @contextmanager
    def taken(self, host: str, timeout: float, cancel: Stop | None = None) -> Iterator[None]:
        """Hold one of the host's slots and one of all, waiting at most `timeout` for both
        (TimeoutError after it); `cancel` set while waiting ends the wait (FetchError)."""
        deadline = time.monotonic() + timeout
        host_slot = self._host(host.lower())
        _acquire(host_slot, deadline, cancel)
        try:
            _acquire(self._all, deadline, cancel)
            try:
                yield
            finally:
                self._all.release()
        finally:
            host_slot.release()


class Stop(Protocol):
    def is_set(self) -> bool: ...


def _acquire(slot: threading.BoundedSemaphore, deadline: float, cancel: Stop | None) -> None:
    """Take the slot before the deadline, looking at `cancel` a few times a second."""
    while True:
        if cancel is not None and cancel.is_set():
            raise FetchError("cancelled")
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        if slot.acquire(timeout=min(left, 0.2)):
            return
