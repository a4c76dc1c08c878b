"""`reader import`: fixture feeds in, article files out, safe, idempotent and loadable."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.cli import main
from reader.core.importer import import_sources
from reader.core.importer import index as index_module
from reader.core.importer.index import INDEX_NAME
from reader.core.importer.write import slug
from reader.core.loader import load_feed
from reader.core.sanitize import is_safe_url

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FEED_FILES = ["rss.xml", "atom.xml", "feed.json", "malformed.xml"]
URL_IN_TEXT = re.compile(r"\]\(([^)\s]*)|(?:webUrl|url): *(\S+)")


def imported(folder: Path, *names: str) -> list[Path]:
    report = import_sources([str(FEEDS / name) for name in names], folder)  # absolute: as is
    assert not report.errors
    return sorted(folder.glob("*.md"))


def test_every_imported_file_loads_with_no_error_and_no_warning(tmp_path: Path) -> None:
    files = imported(tmp_path, *FEED_FILES)
    feed = load_feed(tmp_path)
    assert [str(p) for p in feed.problems] == []
    assert len(feed.articles) == len(files) == 10


def test_the_fields_of_an_entry_become_the_seed_format(tmp_path: Path) -> None:
    imported(tmp_path, "atom.xml")
    article = next(a for a in load_feed(tmp_path).articles if a.title.startswith("Cubesat"))
    assert article.url == "https://orbit.example/posts/cubesat"  # resolved on the feed's link
    assert article.published is not None and article.published.isoformat() == (
        "2024-05-02T15:30:00+00:00"
    )
    assert article.provider is not None
    assert (article.provider.name, article.provider.domain) == ("Orbit Weekly", "orbit.example")
    assert article.topics == ("Space",)
    assert article.excerpt == "A student-built satellite is in orbit."
    assert "[beacon](https://orbit.example/audio/beacon)" in article.body
    text = Path(article.path).read_text(encoding="utf-8")
    assert "publishedDateTime: 2024-05-02T15:30:00Z\n" in text
    assert Path(article.path).name == "2024-05-02-cubesat-reaches-a-sun-synchronous-orbit.md"


def test_html_content_becomes_markdown_and_html_summaries_plain_text(tmp_path: Path) -> None:
    imported(tmp_path, "rss.xml")
    articles = {a.title: a for a in load_feed(tmp_path).articles}
    hostile = articles["../../etc/passwd .hidden -rf name"]
    assert hostile.excerpt == "Hostile summary"
    assert "[a safe link](https://safe.example/page)" in hostile.body


def test_two_entries_with_one_link_are_one_article_the_later(tmp_path: Path) -> None:
    imported(tmp_path, "rss.xml")
    ferries = [a for a in load_feed(tmp_path).articles if "ferry-winter" in (a.url or "")]
    assert [a.title for a in ferries] == ["Ferry timetable changes for the winter (corrected)"]


def test_hostile_html_and_urls_never_reach_a_file(tmp_path: Path) -> None:
    texts = [path.read_text(encoding="utf-8") for path in imported(tmp_path, *FEED_FILES)]
    everything = "\n".join(texts).lower()
    for banned in ("<script", "alert(", "steal()", "onclick", "onmouseover", "<iframe",
                   "<style", "color: red", "javascript:", "data:", "evil.example"):  # fmt: skip
        assert banned not in everything, banned
    urls = [
        u for text in texts for match in URL_IN_TEXT.finditer(text) for u in match.groups() if u
    ]
    assert urls and all(is_safe_url(url) for url in urls)
    assert "a javascript link" in everything and "a user-info link" in everything  # the text stays


SPELLED_OUT = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Spelled out</title><link href="https://spelled.example/"/>
  <entry><title>Plain text content</title><link href="https://spelled.example/1"/>
    <updated>2024-01-01T00:00:00Z</updated>
    <content type="text">&lt;script&gt;alert("text")&lt;/script&gt; and
&lt;img src=x onerror=alert(3)&gt; and [x](javascript:alert(2))</content></entry>
  <entry><title>HTML that spells tags</title><link href="https://spelled.example/2"/>
    <updated>2024-01-02T00:00:00Z</updated>
    <content type="html">&lt;p&gt;&amp;lt;script&amp;gt;alert(4)&amp;lt;/script&amp;gt;
    [md](javascript:alert(5))&lt;/p&gt;</content></entry>
</feed>
"""


def test_text_that_spells_markup_is_written_escaped(tmp_path: Path) -> None:
    # Content that is text, or HTML whose text spells a tag or a Markdown link, must not
    # become live markup in the file: another Markdown renderer would run it.
    source = tmp_path / "spelled.xml"
    source.write_text(SPELLED_OUT, encoding="utf-8")
    (plain, spelled) = imported(tmp_path / "out", str(source))
    for path in (plain, spelled):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<!\\)<(script|img)", text), text
        body = text.split("\n---\n", 1)[1]  # the excerpt is plain text, never rendered
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(javascript", body), text
    assert "alert(" in plain.read_text(encoding="utf-8")  # the text itself is kept, escaped
    assert load_feed(tmp_path / "out").problems == []


def test_a_title_too_long_for_a_file_name_in_bytes_still_imports_and_is_indexed(
    tmp_path: Path,
) -> None:
    title = "\U00020000" * 80  # 4 bytes each in UTF-8: 320 bytes, over any file-name limit
    entries = "".join(
        f"<item><title>{title}</title><link>https://long.example/{n}</link></item>"
        for n in range(3)
    )
    source = tmp_path / "long.xml"
    source.write_text(f"<rss version='2.0'><channel><title>L</title>{entries}</channel></rss>")
    report = import_sources([str(source)], tmp_path / "out")
    assert report.summary() == "3 new, 0 updated, 0 unchanged, 0 skipped, 0 errors"
    again = import_sources([str(source)], tmp_path / "out")
    assert again.summary() == "0 new, 0 updated, 3 unchanged, 0 skipped, 0 errors"
    assert len(list((tmp_path / "out").glob("*.md"))) == 3


def test_an_article_that_cannot_be_written_is_an_error_and_the_rest_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = write_module.write_atomically

    def fail_on_the_second(path: Path, text: str) -> None:
        if "title: Second" in text:
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(write_module, "write_atomically", fail_on_the_second)
    items = "".join(
        f"<item><title>{name}</title><link>https://w.example/{name}</link></item>"
        for name in ("First", "Second", "Third")
    )
    source = tmp_path / "three.xml"
    source.write_text(f"<rss version='2.0'><channel><title>W</title>{items}</channel></rss>")
    report = import_sources([str(source)], tmp_path / "out")
    assert report.summary() == "2 new, 0 updated, 0 unchanged, 0 skipped, 1 error"
    assert report.errors == [f"{source}: not written: Second: No space left on device"]
    monkeypatch.setattr(write_module, "write_atomically", real)
    again = import_sources([str(source)], tmp_path / "out")
    assert again.summary() == "1 new, 0 updated, 2 unchanged, 0 skipped, 0 errors"  # no -2 copies


def test_imported_files_get_the_usual_mode_not_owner_only(tmp_path: Path) -> None:
    (path, *_) = imported(tmp_path, "rss.xml")
    assert path.stat().st_mode & 0o777 == index_module.FILE_MODE == 0o666 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@given(st.text(max_size=300))
def test_a_slug_from_any_title_is_a_safe_file_name(title: str) -> None:
    name = slug(title)
    assert name and len(name) <= 60 and len(name.encode("utf-8")) <= 150
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith((".", "-")) and name.isprintable()


def test_importing_twice_writes_nothing_new(tmp_path: Path) -> None:
    files = imported(tmp_path, *FEED_FILES)
    stamps = {path: path.stat().st_mtime_ns for path in files}
    report = import_sources([str(FEEDS / name) for name in FEED_FILES], tmp_path)
    assert report.summary() == "0 new, 0 updated, 10 unchanged, 0 skipped, 0 errors"
    assert {path: path.stat().st_mtime_ns for path in tmp_path.glob("*.md")} == stamps


def test_an_updated_entry_updates_its_file_and_edited_files_are_left_alone(tmp_path: Path) -> None:
    source = tmp_path / "atom.xml"
    shutil.copy(FEEDS / "atom.xml", source)
    folder = tmp_path / "feed"
    import_sources([str(source)], folder)
    cubesat = folder / "2024-05-02-cubesat-reaches-a-sun-synchronous-orbit.md"
    window = next(folder.glob("*launch-window*"))
    window.write_text(window.read_text(encoding="utf-8") + "\nMy own note.\n", encoding="utf-8")
    edited = window.read_text(encoding="utf-8")
    feed_text = source.read_text(encoding="utf-8")
    source.write_text(
        feed_text.replace("is in orbit.", "is in orbit and working.").replace(
            "moves to the 14th", "moves to the 15th"
        ),
        encoding="utf-8",
    )
    report = import_sources([str(source)], folder)
    assert report.summary() == "0 new, 1 updated, 0 unchanged, 1 skipped, 0 errors"
    assert "is in orbit and working." in cubesat.read_text(encoding="utf-8")
    assert window.read_text(encoding="utf-8") == edited


def test_files_the_import_did_not_write_are_never_touched(tmp_path: Path) -> None:
    mine = tmp_path / "2024-05-02-cubesat-reaches-a-sun-synchronous-orbit.md"
    mine.write_text("---\ntitle: my own article\n---\n", encoding="utf-8")
    imported(tmp_path, "atom.xml")
    assert mine.read_text(encoding="utf-8") == "---\ntitle: my own article\n---\n"
    assert (tmp_path / "2024-05-02-cubesat-reaches-a-sun-synchronous-orbit-2.md").exists()
    (tmp_path / INDEX_NAME).write_text("{not json", encoding="utf-8")
    report = import_sources([str(FEEDS / "atom.xml")], tmp_path)
    # With its index lost, the import owns nothing: it writes new copies, overwrites nothing.
    assert report.counts.new == 2 and mine.read_text(encoding="utf-8").endswith(
        "own article\n---\n"
    )


def test_a_malformed_feed_is_imported_as_far_as_it_reads_with_a_warning(tmp_path: Path) -> None:
    report = import_sources([str(FEEDS / "malformed.xml")], tmp_path)
    assert report.counts.new == 1 and not report.errors
    assert len(report.warnings) == 1 and "malformed.xml: malformed" in report.warnings[0]


def test_one_bad_source_never_stops_the_others(tmp_path: Path) -> None:
    sources = [FEEDS / "not_a_feed.txt", tmp_path / "missing.xml", FEEDS, FEEDS / "feed.json"]
    report = import_sources([str(s) for s in sources] + ["ftp://example.com/feed"], tmp_path)
    assert report.counts.new == 3
    assert [error.split(": ", 1)[1] for error in report.errors] == [
        "not an RSS, Atom or JSON feed (<unknown>:2:0: syntax error)",
        "no such file",
        "a folder, not a feed file",
        "only http and https URLs are fetched",
    ]
    assert report.summary() == "3 new, 0 updated, 0 unchanged, 0 skipped, 4 errors"


def test_a_named_pipe_as_a_source_is_refused_without_being_opened(tmp_path: Path) -> None:
    pipe = tmp_path / "feed.xml"
    os.mkfifo(pipe)  # an open() of it would wait for a writer forever
    report = import_sources([str(pipe), str(FEEDS / "feed.json")], tmp_path / "out")
    assert report.errors == [f"{pipe}: not a regular file but a named pipe; not read"]
    assert report.counts.new > 0


def test_the_command_prints_the_summary_and_fails_when_a_source_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = str(FEEDS / "feed.json"), str(tmp_path / "nope.xml")
    assert main(["import", good, "--into", str(tmp_path / "feed")]) == 0
    assert capsys.readouterr().out == "3 new, 0 updated, 0 unchanged, 0 skipped, 0 errors\n"
    assert main(["import", good, bad, "--into", str(tmp_path / "feed")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "0 new, 0 updated, 3 unchanged, 0 skipped, 1 error\n"
    assert f"reader import: error: {bad}: no such file" in captured.err


def test_the_command_needs_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READER_FEED", raising=False)
    assert main(["import", str(FEEDS / "feed.json")]) == 2
    assert "give --into FOLDER" in capsys.readouterr().err
    monkeypatch.setenv("READER_FEED", str(tmp_path / "env-feed"))
    assert main(["import", str(FEEDS / "feed.json")]) == 0
    assert len(list((tmp_path / "env-feed").glob("*.md"))) == 3
