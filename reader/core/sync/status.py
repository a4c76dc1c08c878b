"""What `reader sync` prints: the folder, this machine, the machines seen, and problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from reader.core.sync import table
from reader.core.sync.folder import SyncFolder


@dataclass(frozen=True, slots=True)
class MachineSeen:
    """Another machine whose log was read: its last change and when it was made."""

    machine: str
    changes: int  # read from its log as it is now (since its last rewrite)
    skipped: int  # lines not understood (a newer reader's, or damaged)
    last_change: str | None
    last_time: str | None  # UTC, by that machine's clock


def machines_seen(sync: SyncFolder) -> list[MachineSeen]:
    """Every other machine whose log this state has read, by machine id."""
    with sync.store.lock:
        seen = table.logs_seen(sync._connection())
    return [
        MachineSeen(log.machine, log.changes, log.skipped, log.last_change, _time(log.last_wall))
        for log in seen.values()
    ]


def _time(wall: int | None) -> str | None:
    if wall is None:
        return None
    return datetime.fromtimestamp(wall / 1000, UTC).isoformat(timespec="seconds")


def status_lines(sync: SyncFolder) -> list[str]:
    """The lines `reader sync` prints (problems are printed apart, on stderr)."""
    lines = [
        f"sync folder: {sync.folder}",
        f"this machine: {sync.machine} (writes {sync.log_path.name})",
    ]
    machines = machines_seen(sync)
    if not machines:
        lines.append("no other machine's log seen yet")
    for machine in machines:
        last = "no change yet"
        if machine.last_change is not None:
            last = f"last change {machine.last_change} at {machine.last_time}"
        skipped = f", {machine.skipped} lines skipped" if machine.skipped else ""
        lines.append(f"machine {machine.machine}: {machine.changes} changes{skipped}; {last}")
    return lines
