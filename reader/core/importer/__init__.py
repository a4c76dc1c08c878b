"""Importing feeds (RSS, Atom, JSON Feed, OPML lists of them) as article files.

`fetch` gets URLs, `jsonfeed` and `feedparser` read feeds, `opml` reads lists, `convert`
turns entries into articles and `write` puts them into the folder, idempotently.
"""

from reader.core.importer.run import ImportReport, import_sources

__all__ = ["ImportReport", "import_sources"]
