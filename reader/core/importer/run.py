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
from reader.core.importer.convert import ImportedArticle, convert_entries
from reader.core.importer.fetch import MAX_FEED_BYTES, FetchError, checked_source_url, fetch
from reader.core.importer.index import ImportIndex, remove_temporaries
from reader.core.importer.jsonfeed import JsonFeedError, looks_like_json, parse_json_feed
from reader.core.importer.lock import LOCK_WAIT_SECONDS, FolderBusy, folder_lock
from reader.core.importer.opml import OpmlError, feed_urls, is_opml
from reader.core.importer.write import WriteCounts, write_articles
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
        """`N new, M updated, K unchanged, S skipped, E errors`."""
        counts = self.counts
        return (
            f"{counts.new:,} new, {counts.updated:,} updated, {counts.unchanged:,} unchanged, "
            f"{len(counts.skipped):,} skipped, {plural(len(self.errors), 'error')}"
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
    # The HTML is cleaned and its links resolved by `convert`: feedparser's rewriting of the
    # HTML for either would drop autolinks (`<http://auto.link>`), text and all.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    problem = parsed.get("bozo_exception")
    reason = printable(str(problem or ""))[:200]
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise SourceError(f"not an RSS, Atom or JSON feed ({reason or 'no entries found'})")
    malformed = parsed.bozo and not isinstance(problem, _HARMLESS)
    warning = f"malformed ({reason}); imported what could be read" if malformed else None
    return parsed.feed, parsed.entries, warning


def feed_identity(source: str) -> str:
    """The feed an article came from, as the index knows it: the URL as given (before any
    redirect, spelled as the URL gate spells it), or the file's absolute path."""
    if not is_url(source):
        return str(Path(source).expanduser().absolute())
    try:
        return checked_source_url(source)
    except FetchError:
        return source  # not fetched, so never written


class Importer:
    """Imports sources into one folder; writes under the folder's lock, one source at a time."""

    def __init__(
        self, folder: Path, fetcher: Fetcher, on_event: OnEvent | None, lock_wait: float
    ) -> None:
        self.folder = folder
        self.fetcher = fetcher
        self.on_event = on_event or (lambda _: None)
        self.lock_wait = lock_wait
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
            self.write_feed(shown, feed_identity(source), convert_entries(entries, feed))
        except (SourceError, OpmlError, FolderBusy) as error:
            self.report.errors.append(f"{shown}: {error}")
        except OSError as error:
            self.report.errors.append(f"{shown}: cannot write into {self.folder} ({error})")

    def write_feed(self, shown: str, feed: str, articles: list[ImportedArticle]) -> None:
        """The articles written under the folder's lock, into the index as it is now (another
        import may have written since this one began)."""
        counts = self.report.counts
        skipped, failed = len(counts.skipped), len(counts.failed)

        def waiting() -> None:
            self.on_event(f"Waiting for another import into {self.folder} to finish…")

        with folder_lock(self.folder, wait=self.lock_wait, on_wait=waiting):
            remove_temporaries(self.folder)  # an interrupted import's: none is being written
            index = ImportIndex.load(self.folder)
            try:
                write_articles(feed, articles, index, counts)
            finally:
                self.report.warnings += [
                    f"{shown}: skipped {why}" for why in counts.skipped[skipped:]
                ]
                self.report.errors += [
                    f"{shown}: not written: {printable(why)}" for why in counts.failed[failed:]
                ]
                self.save(shown, index)

    def save(self, shown: str, index: ImportIndex) -> None:
        try:
            index.save()
        except OSError as error:
            index.close()
            self.report.errors.append(
                f"{shown}: cannot save the import's index in {self.folder}"
                f" ({error.strerror or error}); what was written is in its journal, which the"
                " next import reads"
            )

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
    lock_wait: float = LOCK_WAIT_SECONDS,
) -> ImportReport:
    """Import every source into `folder` (made if missing). Never raises for a bad source.

    Another import into the folder is waited for, at most `lock_wait` seconds per source."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        report = ImportReport()
        report.errors.append(f"{printable(str(folder))}: cannot make the folder ({error})")
        return report
    return Importer(folder, fetcher, on_event, lock_wait).run(sources)
