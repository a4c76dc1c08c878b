"""The threads' side of the feed screen: what the import worker and the link gate post.

Each is driven off the app: its messages are collected as posted, its thread run inline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message import Message

from reader.ui.links import LinkFailed, LinkGate, LinkOpened
from reader.ui.workers import ImportDone, ImportProgressed, import_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


class Asker:
    """A node as the gate sees it: what it is posted is kept, its worker runs at once."""

    def __init__(self) -> None:
        self.posted: list[Message] = []
        self.workers = 0

    def post_message(self, message: Message) -> bool:
        self.posted.append(message)
        return True

    def run_worker(self, work: Callable[[], None], *, thread: bool, group: str) -> None:
        assert thread and group == "browser"
        self.workers += 1
        work()


def test_the_import_worker_posts_its_steps_then_its_report(tmp_path: Path) -> None:
    posted: list[Message] = []
    import_feed(str(FEEDS / "rss.xml"), tmp_path / "feed", posted.append)
    *steps, done = posted
    assert steps and all(isinstance(step, ImportProgressed) and step.text for step in steps)
    assert isinstance(done, ImportDone) and not done.report.errors
    written = sorted((tmp_path / "feed").rglob("*.md"))
    assert written and len(done.report.counts.written) == len(written)
    # A step not drawn yet gives way to the next step (the header shows the newest), never
    # to the report, nor does anything else replace it.
    assert steps[0].can_replace(ImportProgressed("Importing b…"))
    assert not steps[-1].can_replace(done)
    assert not steps[-1].can_replace(Message())


def gate(result: bool | Exception) -> tuple[LinkGate, list[str]]:
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        if isinstance(result, Exception):
            raise result
        return result

    return LinkGate(browser, in_page=lambda: False, open_in_page=opened.append), opened


def test_a_url_refused_posts_why_and_starts_no_browser() -> None:
    links, opened = gate(True)
    asker = Asker()
    links.open("javascript:alert(1)", asker, "a1")
    assert asker.workers == 0 and opened == []
    [failed] = asker.posted
    assert isinstance(failed, LinkFailed) and failed.severity == "warning"
    assert failed.text.startswith("Not opened: ") and "http" in failed.text


def test_the_browser_answers_in_a_message_naming_the_article() -> None:
    links, opened = gate(True)
    asker = Asker()
    links.open("https://news.example/a", asker, "a1")
    assert opened == ["https://news.example/a"] and asker.workers == 1
    assert asker.posted == [LinkOpened("https://news.example/a", "a1")]


def test_a_browser_that_fails_or_cannot_start_is_a_failure_message() -> None:
    for result, said in ((False, "No browser could be started"), (OSError("gone"), "gone")):
        links, _ = gate(result)
        asker = Asker()
        links.open("https://news.example/a", asker)
        [failed] = asker.posted
        assert isinstance(failed, LinkFailed) and said in failed.text
        assert failed.severity == "error"


def test_in_a_browser_tab_the_page_opens_it_and_no_thread_starts() -> None:
    opened: list[str] = []
    links = LinkGate(lambda url: False, in_page=lambda: True, open_in_page=opened.append)
    asker = Asker()
    links.open("https://news.example/a", asker, "a1")
    assert opened == ["https://news.example/a"] and asker.workers == 0
    assert asker.posted == [LinkOpened("https://news.example/a", "a1")]
