"""The hybrid logical clock that orders mark changes between machines.

A stamp is (wall, counter, machine): `wall` is milliseconds since the epoch as this machine
saw them, `counter` orders changes within one millisecond, and the machine id breaks ties.
The clock never goes back: a new stamp is later than every stamp this machine has issued
or merged, so a machine whose system clock jumps backwards (or runs hours behind) still
stamps a change made after it saw another machine's as the later one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    """When a change was made, comparable across machines (the later one wins)."""

    wall: int  # milliseconds since 1970 on the machine's clock (never behind its last stamp)
    counter: int
    machine: str


def physical_ms() -> int:
    """This machine's clock, in milliseconds since 1970."""
    return time.time_ns() // 1_000_000


def issue(last: tuple[int, int], now_ms: int, count: int = 1) -> list[tuple[int, int]]:
    """`count` (wall, counter) pairs, each later than `last` and than the one before it.

    The wall part is the system clock when it is ahead of `last`, else `last`'s wall
    (the clock went back, or another machine's stamps ran ahead): the counter goes on.
    """
    wall, counter = last
    if now_ms > wall:
        wall, counter = now_ms, -1
    return [(wall, counter + step) for step in range(1, count + 1)]


def later(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """The later of two (wall, counter) pairs: what the clock is after seeing both."""
    return max(a, b)
