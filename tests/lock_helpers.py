"""Asking something of a store while another thread holds its lock (a sync, a pull)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any


def answers_while_held(
    lock: AbstractContextManager[Any], ask: Callable[[], object], wait: float = 5.0
) -> list[object]:
    """What `ask()` answered, from a thread of its own, while a third thread holds `lock`:
    [] when it did not answer within `wait` seconds (it waits for the lock)."""
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        answers: list[object] = []
        asker = threading.Thread(target=lambda: answers.append(ask()), daemon=True)
        asker.start()
        asker.join(wait)
        return list(answers)
    finally:
        done.set()
        holder.join(10)
