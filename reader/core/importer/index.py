"""What the import wrote into a folder: its index, and the journal that keeps it exact.

`.reader-import.json` (hidden: the loader skips dot files) maps each article, known by the
feed it came from and the entry's id (or link), to its file's name and the digest of the
text written. A file is the import's to update only while it still holds exactly that text.

The index is rewritten once per source; in between, each file written is first recorded in
`.reader-import.journal`, one JSON line appended before the file is renamed into place. An
import cut short (`kill -9`, a full disk) leaves records the next one replays: a record
counts when its file holds its digest (the rename happened), else it is dropped and the
article written again, under the same name. So no file the import wrote is ever lost track
of, and none is written twice.

Version 1 indexes knew an article by its link alone (two feeds with one link shared a file);
their entries are kept, unclaimed, until a feed's entry with that old key claims them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reader.core.loader import ARTICLE_SUFFIXES

INDEX_NAME = ".reader-import.json"
JOURNAL_NAME = ".reader-import.journal"
INDEX_VERSION = 2
TEMPORARY_PREFIX = ".reader-import-"
TEMPORARY_SUFFIX = ".tmp"
# The import's own temporaries: `tempfile.mkstemp` names (8 characters of its alphabet) with
# this prefix, or the `.import-` one earlier versions used. Nothing else is ever removed.
_TEMPORARY_NAME = re.compile(r"\.(?:reader-)?import-[a-z0-9_]{8}\.tmp")

Key = tuple[str, str]  # (the feed: its URL or file, the entry: its id, else its link)


@dataclass(frozen=True, slots=True)
class Written:
    """One file the import wrote: its name in the folder and the digest of its text."""

    file: str
    digest: str

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "digest": self.digest}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _umask() -> int:
    """The process's umask (read by setting it: there is no other way), for the files'
    mode: written through `mkstemp`, they would be readable by their owner only."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def temporary_file(folder: Path, text: str) -> Iterator[Path]:
    """`text` in a hidden temporary file of `folder`, on disk (fsync); removed at the end
    unless the caller renamed it away."""
    handle, name = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        yield temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_atomically(path: Path, text: str) -> None:
    """Write through a hidden temporary file and a rename: no reader sees half a file."""
    with temporary_file(path.parent, text) as temporary:
        os.replace(temporary, path)


def remove_temporaries(folder: Path) -> list[str]:
    """Remove the temporary files an interrupted import left (regular files named as the
    import names them, nothing else); the names removed."""
    removed: list[str] = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if _TEMPORARY_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def _written(value: object) -> Written | None:
    if isinstance(value, dict):
        file, text_digest = value.get("file"), value.get("digest")
        if isinstance(file, str) and isinstance(text_digest, str):
            return Written(file, text_digest)
    return None


def _read_index(folder: Path) -> tuple[dict[Key, Written], dict[str, Written]]:
    """(entries, unclaimed version-1 entries); empty when there is no readable index (its
    files then count as not the import's, so they are left alone)."""
    try:
        data = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict):
        return {}, {}
    if data.get("version") == 1 or "feeds" not in data:
        return {}, _flat(data.get("entries"))
    entries: dict[Key, Written] = {}
    feeds = data.get("feeds")
    for feed, articles in feeds.items() if isinstance(feeds, dict) else ():
        for entry, written in _flat(articles).items():
            entries[(feed, entry)] = written
    return entries, _flat(data.get("unclaimed"))


def _flat(value: object) -> dict[str, Written]:
    if not isinstance(value, dict):
        return {}
    pairs = ((key, _written(item)) for key, item in value.items())
    return {key: written for key, written in pairs if isinstance(key, str) and written}


class ImportIndex:
    """The folder's index with its journal replayed; writes files and records them."""

    def __init__(
        self, folder: Path, entries: dict[Key, Written], unclaimed: dict[str, Written]
    ) -> None:
        self.folder = folder
        self.entries = entries
        self.unclaimed = unclaimed
        self.changed = False  # since the index file was read: then `save` has work to do
        self._journal: int | None = None

    @classmethod
    def load(cls, folder: Path) -> ImportIndex:
        index = cls(folder, *_read_index(folder))
        index._replay()
        return index

    def _replay(self) -> None:
        try:
            lines = (self.folder / JOURNAL_NAME).read_bytes().splitlines()
        except OSError:
            return
        self.changed = True  # even with nothing in it: the journal is dropped by `save`
        for line in lines:
            try:
                record = json.loads(line)
                key: Key = (record["feed"], record["entry"])
                written = _written(record)
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: its file is not renamed in yet
            if written and all(isinstance(part, str) for part in key) and self._holds(written):
                self.entries[key] = written
                self.unclaimed.pop(record.get("claimed") or "", None)

    def _holds(self, written: Written) -> bool:
        if not _is_plain_name(written.file):
            return False
        try:
            current = (self.folder / written.file).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return False
        return digest(current) == written.digest

    def known(self, key: Key, old_key: str) -> tuple[Written | None, str | None]:
        """What the import wrote for `key`, else for `old_key` in a version-1 index (then
        also that old key, which this entry now claims)."""
        written = self.entries.get(key)
        if written is not None:
            return written, None
        written = self.unclaimed.pop(old_key, None)
        if written is None:
            return None, None
        self.entries[key] = written
        self.changed = True
        return written, old_key

    def owned_file(self, written: Written) -> Path | None:
        """The file as written, if it still holds what was written (else it is theirs)."""
        return self.folder / written.file if self._holds(written) else None

    def free_name(self, wanted: str) -> str:
        """`wanted`, or `wanted` with -2, -3… before `.md`: a name no file has yet."""
        stem = wanted.removesuffix(".md")
        name, number = wanted, 1
        while (self.folder / name).exists() or (self.folder / name).is_symlink():
            number += 1
            name = f"{stem}-{number}.md"
        return name

    def write(self, key: Key, path: Path, text: str, claimed: str | None) -> None:
        """Write `text` as `path`, recorded in the journal before it is renamed into place."""
        written = Written(path.name, digest(text))
        with temporary_file(self.folder, text) as temporary:
            record = {"feed": key[0], "entry": key[1], **written.as_json()}
            self._append({**record, "claimed": claimed} if claimed else record)
            os.replace(temporary, path)
        self.entries[key] = written
        self.changed = True

    def _append(self, record: dict[str, str]) -> None:
        """One journal line, whole or not at all: a failed write is cut off again, so the
        next line starts on a line of its own."""
        if self._journal is None:
            path = self.folder / JOURNAL_NAME
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
            self._journal = os.open(path, flags, FILE_MODE)
        line = (json.dumps(record) + "\n").encode("ascii")  # names may hold lone surrogates
        start = os.fstat(self._journal).st_size
        try:
            if os.write(self._journal, line) != len(line):
                raise OSError(28, os.strerror(28))  # a short write: the disk is full
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._journal, start)
            raise

    def save(self) -> None:
        """The index rewritten with everything known, then the journal it now holds dropped
        (nothing done when nothing changed)."""
        if not self.changed:
            return
        feeds: dict[str, dict[str, dict[str, str]]] = {}
        for (feed, entry), written in sorted(self.entries.items()):
            feeds.setdefault(feed, {})[entry] = written.as_json()
        data: dict[str, object] = {"version": INDEX_VERSION, "feeds": feeds}
        if self.unclaimed:
            data["unclaimed"] = {key: item.as_json() for key, item in self.unclaimed.items()}
        write_atomically(self.folder / INDEX_NAME, json.dumps(data, indent=1))
        self.close()
        with contextlib.suppress(FileNotFoundError):
            (self.folder / JOURNAL_NAME).unlink()
        self.changed = False

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None


def _is_plain_name(name: str) -> bool:
    return (
        name == os.path.basename(name)
        and not name.startswith(".")
        and name.lower().endswith(ARTICLE_SUFFIXES)
    )
