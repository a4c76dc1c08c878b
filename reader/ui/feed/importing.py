"""i: import a feed into the feed folder, in a worker (`reader.ui.workers.import_feed`).

Owns what the header says while it runs. The worker posts `ImportProgressed` (the newest
supersedes the ones not yet drawn) and `ImportDone`; the screen hands both here.
"""

from __future__ import annotations

from pathlib import Path

from reader.ui.feed.host import FeedHost
from reader.ui.workers import ImportDone, ImportProgressed, import_feed


class Importing:
    """The import command of the feed screen, and its status."""

    def __init__(self, host: FeedHost, folder: Path, *, reload_after: bool) -> None:
        self.host = host
        self.folder = folder
        self.reload_after = reload_after  # not following the folder: reload to show the files
        self.status: str | None = None  # "Importing URL…" in the header while it runs

    def ask(self, feed_is_folder: bool | None) -> None:
        if feed_is_folder is not True:
            self.host.tell("Feeds are imported into a feed folder; this feed is one file",
                           severity="warning")  # fmt: skip
            return
        from reader.ui.screens.prompt_screen import PromptScreen  # not for the first frame

        question = f"Import a feed into {self.host.feed_name}: a URL, a file or an OPML list"
        prompt = PromptScreen(question, placeholder="https://example.com/feed.xml")
        self.host.app.push_screen(prompt, self.answered)

    def answered(self, source: str | None) -> None:
        if source:
            self.host.tell(f"Importing {source}…", timeout=3)
            post = self.host.post_message
            self.host.run_worker(
                lambda: import_feed(source, self.folder, post), thread=True, group="import"
            )

    def progressed(self, message: ImportProgressed) -> None:
        self.status = message.text
        self.host.update_header()

    def done(self, message: ImportDone) -> bool:
        """Say what the import did; True when the feed should be reloaded to show it."""
        self.status = None
        self.host.update_header()
        report = message.report
        for error in report.errors:
            self.host.tell(f"Import: {error}", severity="error")
        for warning in report.warnings:
            self.host.tell(f"Import: {warning}", severity="warning")
        self.host.tell(f"Imported: {report.summary()}", timeout=6)
        return bool(report.counts.written) and self.reload_after
