"""Writing imported articles into a feed folder: safe names, atomic files, idempotent.

The folder keeps an index of what the import wrote, `.reader-import.json` (hidden: the
loader skips dot files): for each article's key, its file's name and the digest of the
text written. A file is the import's to update only while it still holds exactly that
text; a file the import did not write, or one edited since, is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from reader.core.importer.convert import ImportedArticle
from reader.core.loader import ARTICLE_SUFFIXES

INDEX_NAME = ".reader-import.json"
INDEX_VERSION = 1
SLUG_CHARS = 60
# File names are limited in bytes (255 on most file systems): a slug of 60 four-byte letters
# with its date and a `-NNN.md` would not fit, so the slug is cut in UTF-8 bytes too.
SLUG_BYTES = 150
_NOT_WORD = re.compile(r"[^\w]+")


def _umask() -> int:
    """The process's umask (read by setting it: there is no other way), for the files'
    mode: written through `mkstemp`, they would be readable by their owner only."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "title: why", one per article not written


def slug(title: str) -> str:
    """A file-name-safe slug: letters, digits and single dashes, at most SLUG_CHARS long.

    No path separator, control character, leading dot or dash can survive: everything but
    word characters becomes a dash, and dashes and underscores are trimmed from both ends.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    text = _NOT_WORD.sub("-", text).strip("-_")[:SLUG_CHARS]
    while len(text.encode("utf-8")) > SLUG_BYTES:
        text = text[:-1]
    return text.rstrip("-_") or "article"


def file_name(article: ImportedArticle, today: datetime) -> str:
    day = (article.published or today).astimezone(UTC)
    return f"{day:%Y-%m-%d}-{slug(article.title)}.md"


class _Dumper(yaml.SafeDumper):
    """Dates as `2021-04-09T11:00:00Z`, the seed format's spelling."""


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


_Dumper.add_representer(datetime, _represent_datetime)


def article_text(article: ImportedArticle) -> str:
    front = yaml.dump(
        article.front_matter, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    body = f"\n{article.body}\n" if article.body else ""
    return f"---\n{front}---\n{body}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Write through a hidden temporary file and a rename: no reader sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".tmp")
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class ImportIndex:
    """What the import wrote into one folder: key → (file name, digest of its text)."""

    def __init__(self, folder: Path, entries: dict[str, dict[str, str]]) -> None:
        self.folder = folder
        self.entries = entries

    @classmethod
    def load(cls, folder: Path) -> ImportIndex:
        """The folder's index; an unreadable one is started afresh (its files then count as
        not the import's, so they are left alone)."""
        try:
            data = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder, {})
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            return cls(folder, {})
        kept = {
            key: value
            for key, value in entries.items()
            if isinstance(value, dict)
            and isinstance(value.get("file"), str)
            and isinstance(value.get("digest"), str)
        }
        return cls(folder, kept)

    def save(self) -> None:
        data = {"version": INDEX_VERSION, "entries": self.entries}
        write_atomically(self.folder / INDEX_NAME, json.dumps(data, indent=1, sort_keys=True))

    def owned_file(self, key: str) -> Path | None:
        """The file the import wrote for `key`, if it still holds what was written."""
        entry = self.entries.get(key)
        if entry is None or not _is_plain_name(entry["file"]):
            return None
        path = self.folder / entry["file"]
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None
        return path if digest(current) == entry["digest"] else None

    def free_name(self, wanted: str) -> str:
        """`wanted`, or `wanted` with -2, -3… before `.md`: a name no file has yet."""
        stem = wanted.removesuffix(".md")
        name, number = wanted, 1
        while (self.folder / name).exists() or (self.folder / name).is_symlink():
            number += 1
            name = f"{stem}-{number}.md"
        return name


def _is_plain_name(name: str) -> bool:
    return (
        name == os.path.basename(name)
        and not name.startswith(".")
        and name.lower().endswith(ARTICLE_SUFFIXES)
    )


def write_articles(
    folder: Path, articles: list[ImportedArticle], index: ImportIndex, counts: WriteCounts
) -> None:
    """Write each article that is new or changed; count what happened in `counts`.

    An article that cannot be written is counted in `counts.failed` and the others go on;
    the index holds every file that was written, so that the next import knows them.
    """
    today = datetime.now(UTC)
    for article in articles:
        text = article_text(article)
        known = index.entries.get(article.key)
        if known is not None:
            path = index.owned_file(article.key)
            if path is None or known["digest"] == digest(text):
                # Unchanged, or deleted or edited by someone since: theirs now.
                counts.unchanged += 1
                continue
        else:
            path = folder / index.free_name(file_name(article, today))
        try:
            write_atomically(path, text)
        except OSError as error:
            counts.failed.append(f"{article.title}: {error.strerror or error}")
            continue
        if known is None:
            counts.new += 1
        else:
            counts.updated += 1
        index.entries[article.key] = {"file": path.name, "digest": digest(text)}
        counts.written.append(path)
