"""`import_sources`: RSS, Atom and JSON Feed files or URLs, and OPML lists of them, into a
feed folder. One bad source never stops the others; each problem names its source."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser

from reader.core.fields import FileSkipped
from reader.core.importer.convert import convert_entries
from reader.core.importer.fetch import MAX_FEED_BYTES, FetchError, fetch
from reader.core.importer.jsonfeed import JsonFeedError, looks_like_json, parse_json_feed
from reader.core.importer.opml import OpmlError, feed_urls, is_opml
from reader.core.importer.write import ImportIndex, WriteCounts, write_articles
from reader.core.loader import read_bytes
from reader.core.model import plural, printable

Fetcher = Callable[[str], tuple[bytes, str]]
OnEvent = Callable[[str], None]
# What feedparser flags though the feed reads whole: a charset other than declared.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class SourceError(Exception):
    """One source could not be imported; the message is the reason."""


@dataclass(slots=True)
class ImportReport:
    """What an import did, over every source."""

    counts: WriteCounts = field(default_factory=WriteCounts)
    errors: list[str] = field(default_factory=list)  # "SOURCE: reason"
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """`N new, M updated, K unchanged, E errors`."""
        counts = self.counts
        return (
            f"{counts.new:,} new, {counts.updated:,} updated, {counts.unchanged:,} unchanged, "
            f"{plural(len(self.errors), 'error')}"
        )


def is_url(source: str) -> bool:
    return _URL_SCHEME.match(source) is not None


def read_source(source: str, fetcher: Fetcher) -> tuple[bytes, str | None]:
    """The source's bytes, and its URL when it was fetched (relative links resolve on it)."""
    if is_url(source):
        if not source.lower().startswith(("http://", "https://")):
            raise SourceError("only http and https URLs are fetched")
        try:
            data, final_url = fetcher(source)
        except FetchError as error:
            raise SourceError(str(error)) from None
        return data, final_url
    path = Path(source).expanduser()
    if path.is_dir():
        raise SourceError("a folder, not a feed file")
    if not path.exists():
        raise SourceError("no such file")
    try:
        # The loader's bounded read: a named pipe or a device is refused, never opened.
        return read_bytes(path, limit=MAX_FEED_BYTES), None
    except FileSkipped as skipped:
        raise SourceError(str(skipped)) from None


def parse_feed(data: bytes, base_url: str | None) -> tuple[Any, list[Any], str | None]:
    """(feed, entries, warning) of an RSS, Atom or JSON feed; SourceError when it is none."""
    if looks_like_json(data):
        try:
            feed, entries = parse_json_feed(data)
        except JsonFeedError as error:
            raise SourceError(str(error)) from None
        return feed, entries, None
    # The type is the document's to tell (its XML declaration), the location resolves links.
    headers = (
        {"content-location": base_url, "content-type": "application/xml"} if base_url else None
    )
    # A stream, never bytes or text: given a string, feedparser would open it as a path or URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    reason = printable(str(problem or ""))[:200]
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise SourceError(f"not an RSS, Atom or JSON feed ({reason or 'no entries found'})")
    malformed = parsed.bozo and not isinstance(problem, _HARMLESS)
    warning = f"malformed ({reason}); imported what could be read" if malformed else None
    return parsed.feed, parsed.entries, warning


class Importer:
    """Imports sources into one folder, keeping its index of what the import wrote."""

    def __init__(self, folder: Path, fetcher: Fetcher, on_event: OnEvent | None) -> None:
        self.folder = folder
        self.fetcher = fetcher
        self.on_event = on_event or (lambda _: None)
        self.index = ImportIndex.load(folder)
        self.report = ImportReport()

    def run(self, sources: list[str]) -> ImportReport:
        for source in sources:
            self.import_source(source, from_list=False)
        return self.report

    def import_source(self, source: str, *, from_list: bool) -> None:
        shown = printable(source)
        self.on_event(f"Importing {shown}…")
        try:
            data, base_url = read_source(source, self.fetcher)
            if is_opml(data) and not from_list:
                self.import_list(shown, data)
                return
            feed, entries, warning = parse_feed(data, base_url)
            if warning:
                self.report.warnings.append(f"{shown}: {warning}")
            counts = self.report.counts
            before = (counts.new, counts.updated, len(counts.failed))
            try:
                write_articles(self.folder, convert_entries(entries, feed), self.index, counts)
            finally:
                # Saved whatever happened: a file written but not indexed would be written
                # again, as a -2 copy, by the next import.
                if (counts.new, counts.updated) != before[:2]:
                    self.index.save()
            self.report.errors += [
                f"{shown}: not written: {printable(failure)}"
                for failure in counts.failed[before[2] :]
            ]
        except (SourceError, OpmlError) as error:
            self.report.errors.append(f"{shown}: {error}")
        except OSError as error:
            self.report.errors.append(f"{shown}: cannot write into {self.folder} ({error})")

    def import_list(self, shown: str, data: bytes) -> None:
        urls, refused = feed_urls(data)
        self.report.warnings += [f"{shown}: {reason}" for reason in refused]
        if not urls:
            self.report.warnings.append(f"{shown}: the OPML list names no feed URL")
        for url in urls:
            self.import_source(url, from_list=True)


def import_sources(
    sources: list[str],
    folder: Path,
    *,
    fetcher: Fetcher = fetch,
    on_event: OnEvent | None = None,
) -> ImportReport:
    """Import every source into `folder` (made if missing). Never raises for a bad source."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        report = ImportReport()
        report.errors.append(f"{printable(str(folder))}: cannot make the folder ({error})")
        return report
    return Importer(folder, fetcher, on_event).run(sources)
