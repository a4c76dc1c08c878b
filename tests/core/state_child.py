"""A second reader for tests/core/test_state.py, run as a child process.

Usage: state_child.py PATH PREFIX COUNT [--wait]

Marks PREFIX-0 .. PREFIX-(COUNT-1) read one call at a time and prints each id once its
call has returned. With --wait it prints "ready" and waits for a line on stdin before
opening the store, so two children can start at the same moment. Exits 3 if the store
reported any notice (a lock it could not wait out, a fallback to memory).
"""

from __future__ import annotations

import sys

from reader.core.storage.state import StateStore


def main(argv: list[str]) -> int:
    """Run the child; returns the exit code."""
    path, prefix, count = argv[1], argv[2], int(argv[3])
    if "--wait" in argv:
        print("ready", flush=True)
        sys.stdin.readline()
    store = StateStore.open(path)
    for i in range(count):
        article_id = f"{prefix}-{i}"
        store.set_read(article_id)
        if store.notices:
            break
        print(article_id, flush=True)
    store.close()
    if store.notices or store.read_only:
        print("\n".join(store.notices), file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
