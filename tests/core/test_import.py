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
from reader.core.model import Article
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
    real = os.fsync

    def fail_on_the_second(handle: int) -> None:
        if b"title: Second" in os.pread(handle, 4096, 0):
            raise OSError(28, "No space left on device")
        real(handle)

    monkeypatch.setattr(os, "fsync", fail_on_the_second)
    items = "".join(
        f"<item><title>{name}</title><link>https://w.example/{name}</link></item>"
        for name in ("First", "Second", "Third")
    )
    source = tmp_path / "three.xml"
    source.write_text(f"<rss version='2.0'><channel><title>W</title>{items}</channel></rss>")
    report = import_sources([str(source)], tmp_path / "out")
    assert report.summary() == "2 new, 0 updated, 0 unchanged, 0 skipped, 1 error"
    assert report.errors == [f"{source}: not written: Second: No space left on device"]
    monkeypatch.setattr(os, "fsync", real)
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


def write_source(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def loads_cleanly(folder: Path) -> list[Article]:
    """Every file in `folder` read by the loader, with no error and no warning."""
    feed = load_feed(folder)
    assert [str(problem) for problem in feed.problems] == []
    return feed.articles


YEAR_ONE_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Old</title><link href="https://old.example/"/>
  <entry><title>From year one</title><link href="https://old.example/1"/>
    <id>urn:old:1</id><updated>0001-01-01T00:00:00Z</updated></entry>
</feed>
"""
YEAR_ONE_JSON = """{"version": "https://jsonfeed.org/version/1.1", "title": "Old JSON",
 "items": [{"id": "1", "url": "https://old.example/json", "title": "JSON from year one",
            "date_published": "0001-01-01T00:00:00Z"}]}"""


def test_an_entry_of_year_one_is_written_with_a_four_digit_year(tmp_path: Path) -> None:
    sources = [
        write_source(tmp_path, "old.xml", YEAR_ONE_ATOM),
        write_source(tmp_path, "old.json", YEAR_ONE_JSON),
    ]
    report = import_sources([str(source) for source in sources], tmp_path / "out")
    assert report.counts.new == 2 and not report.errors
    for article in loads_cleanly(tmp_path / "out"):
        assert article.published is not None and article.published.year == 1
        text = Path(article.path).read_text(encoding="utf-8")
        assert "publishedDateTime: 0001-01-01T00:00:00Z\n" in text
        assert Path(article.path).name.startswith("0001-01-01-")


OPML_HEADS = {
    "public": '<!DOCTYPE opml PUBLIC "-//Example//DTD OPML 2.0//EN" "http://dtd.example/opml.dtd">',
    "internal subset": "<!DOCTYPE opml [<!ELEMENT opml ANY>\n <!ATTLIST opml v CDATA #IMPLIED>]>",
    "comment and instruction": "<!-- exported --><?xml-stylesheet href='x.xsl'?><!DOCTYPE opml>",
}  # fmt: skip


@pytest.mark.parametrize("head", OPML_HEADS.values(), ids=OPML_HEADS.keys())
def test_an_opml_list_with_a_doctype_is_read(tmp_path: Path, head: str) -> None:
    opml = write_source(
        tmp_path, "list.opml",
        f'<?xml version="1.0"?>\n{head}\n<opml version="2.0"><head/><body>'
        f'<outline text="one" xmlUrl="file:///nowhere"/></body></opml>',
    )  # fmt: skip
    report = import_sources([str(opml)], tmp_path / "out", fetcher=lambda url: pytest.fail(url))
    # Read as a list (not "not an RSS feed"): its one URL is refused as no http(s) one.
    assert report.errors == []
    assert len(report.warnings) == 2 and "'file:///nowhere': not fetched" in report.warnings[0]


def test_an_opml_list_that_declares_entities_is_refused_unexpanded(tmp_path: Path) -> None:
    opml = write_source(
        tmp_path, "list.opml",
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY secret SYSTEM "file:///etc/passwd">\n'
        '<!ENTITY lol "lol">]>\n<opml version="2.0"><body>'
        '<outline text="&secret;&lol;" xmlUrl="https://x.example/&lol;"/></body></opml>',
    )  # fmt: skip
    report = import_sources([str(opml)], tmp_path / "out", fetcher=lambda url: pytest.fail(url))
    assert report.errors == [
        f"{opml}: not read: the OPML list declares entities (which could expand or read other"
        " files); save it without its DOCTYPE's declarations"
    ]


AUTOLINK_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Punkt</title><link>https://punkt.example/</link>
<item><title>Mehr dazu</title><link>https://punkt.example/1</link>
<description>Mehr &lt;a href="https://punkt.example/x"&gt;hier&lt;/a&gt;.
Oder &lt;b&gt;dort&lt;/b&gt;! Siehe &lt;http://auto.link&gt;</description>
<content:encoded><![CDATA[<p>Mehr <a href="https://punkt.example/x">hier</a>. Siehe
<http://auto.link> und <https://auto.example/path?q=1>, nicht <ftp://old.example/f>.</p>
<p>Zweiter</p><p>Absatz</p>]]></content:encoded></item>
</channel></rss>
"""


def test_autolinks_survive_and_no_space_comes_before_punctuation(tmp_path: Path) -> None:
    source = write_source(tmp_path, "punkt.xml", AUTOLINK_RSS)
    imported(tmp_path / "out", str(source))
    (article,) = loads_cleanly(tmp_path / "out")
    assert article.excerpt == "Mehr hier. Oder dort! Siehe http://auto.link"
    assert article.body == (
        "Mehr [hier](https://punkt.example/x). Siehe\n<http://auto.link> und"
        " [https://auto.example/path?q\\=1](https://auto.example/path?q=1), nicht"
        " ftp://old.example/f.\n\nZweiter\n\nAbsatz"
    )


def test_a_changed_entry_whose_file_was_edited_or_deleted_is_skipped_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "atom.xml"
    shutil.copy(FEEDS / "atom.xml", source)
    folder = tmp_path / "feed"
    import_sources([str(source)], folder)
    cubesat = folder / "2024-05-02-cubesat-reaches-a-sun-synchronous-orbit.md"
    window = next(folder.glob("*launch-window*"))
    window.write_text(window.read_text(encoding="utf-8") + "\nMy own note.\n", encoding="utf-8")
    cubesat.unlink()
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("is in orbit.", "is in orbit and working.").replace(
            "moves to the 14th", "moves to the 15th"
        ),
        encoding="utf-8",
    )
    assert main(["import", str(source), "--into", str(folder)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "0 new, 0 updated, 0 unchanged, 2 skipped, 0 errors\n"
    assert sorted(captured.err.splitlines()) == sorted([
        f"reader import: warning: {source}: skipped {cubesat.name}: deleted since it was"
        " imported; the feed's new version is not written",
        f"reader import: warning: {source}: skipped {window.name}: changed since it was"
        " imported; left as it is, the feed's new version not written",
    ])  # fmt: skip
    assert not cubesat.exists() and window.read_text(encoding="utf-8").endswith("My own note.\n")
