"""The loader's rules, one test each: small article files written into tmp_path."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import reader.core.loader
from examples import examples
from reader.core.export import article_json, to_json
from reader.core.loader import MAX_FILE_BYTES, load_feed, parse_file
from reader.core.model import Article, FeedLoad, Problem, Provider, Severity, plural
from reader.core.ordering import SORT_ORDERS, next_order, sort_articles
from shared_files import REQUIRE_ENV, shared_folder

REPO = Path(__file__).resolve().parents[2]


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """Write one file (parents created) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def article_text(title: str = "A title", *lines: str, body: str = "Body.") -> str:
    """An article file: a title, more front-matter lines, then the body."""
    front = "\n".join((f"title: {json.dumps(title)}", *lines))
    return f"---\n{front}\n---\n{body}\n"


def only(feed: FeedLoad) -> Article:
    assert len(feed.articles) == 1, feed.problems
    return feed.articles[0]


def problems_of(feed: FeedLoad, path: Path) -> list[Problem]:
    return [p for p in feed.problems if p.path == str(path)]


# --- which files are read ---------------------------------------------------------------


def test_folder_is_searched_recursively_for_article_suffixes(tmp_path: Path) -> None:
    for name in ("a.md", "b.markdown", "c.txt", "sub/d.md", "sub/deeper/e.MD"):
        write(tmp_path, name, article_text(Path(name).stem))
    for name in ("f.html", "g.md.bak", "h.yaml", "sub/i.rst", "j"):
        write(tmp_path, name, article_text(Path(name).stem))
    feed = load_feed(tmp_path)
    assert sorted(a.title for a in feed.articles) == ["a", "b", "c", "d", "e"]
    assert feed.problems == []


def test_a_single_file_is_a_feed(tmp_path: Path) -> None:
    path = write(tmp_path, "one.md", article_text("Only one"))
    write(tmp_path, "other.md", article_text("Not this one"))
    feed = load_feed(path)
    assert only(feed).title == "Only one"
    assert only(feed).path == str(path)


def test_a_symlink_loop_ends_and_each_file_loads_once(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a", "webUrl: https://a.example/"))
    write(tmp_path, "sub/b.md", article_text("b", "webUrl: https://b.example/"))
    os.symlink(tmp_path, tmp_path / "sub" / "up")  # a folder linked to its parent
    os.symlink(tmp_path / "sub", tmp_path / "sub" / "self")
    feed = load_feed(tmp_path)
    assert sorted(a.title for a in feed.articles) == ["a", "b"]
    assert feed.problems == []  # loading a file twice would report a duplicate URL


def test_the_files_read_and_skipped_are_counted(tmp_path: Path) -> None:
    write(tmp_path, "good.md", article_text("Good"))
    write(tmp_path, "odd.md", article_text("Odd", "quality: high"))
    write(tmp_path, "bad.md", "no front matter\n")
    write(tmp_path, "worse.txt", "---\ntitle: [x\n---\n")
    write(tmp_path, "notes.html", "not an article file at all")
    feed = load_feed(tmp_path)
    assert (feed.files, feed.skipped, len(feed.articles), feed.feed_missing) == (4, 2, 2, False)


def test_a_folder_without_article_files_reads_none(tmp_path: Path) -> None:
    write(tmp_path, "notes.html", "<p>hi</p>")
    write(tmp_path, ".hidden/a.md", article_text("Hidden"))
    feed = load_feed(tmp_path)
    assert (feed.files, feed.skipped, feed.articles, feed.problems) == (0, 0, [], [])


# --- a feed that is gone ------------------------------------------------------------------------


def test_a_missing_feed_folder_is_one_error_naming_it(tmp_path: Path) -> None:
    gone = tmp_path / "news"
    feed = load_feed(gone)
    assert feed.feed_missing and feed.articles == [] and feed.files == 0
    assert [(p.path, p.severity, p.reason) for p in feed.problems] == [
        (str(gone), Severity.ERROR, "the feed folder no longer exists")
    ]


def test_a_missing_single_file_feed_says_file(tmp_path: Path) -> None:
    gone = write(tmp_path, "story.md", article_text())
    assert load_feed(gone, folder=False).problems == []
    gone.unlink()
    for feed in (load_feed(gone), load_feed(gone, folder=False)):
        assert feed.feed_missing
        assert [(p.path, p.reason) for p in feed.problems] == [
            (str(gone), "the feed file no longer exists")
        ]


def test_a_feed_folder_replaced_by_a_file_on_reload(tmp_path: Path) -> None:
    root = tmp_path / "news"
    write(root, "a.md", article_text("A"))
    assert len(load_feed(root, folder=True).articles) == 1
    shutil.rmtree(root)
    root.write_text(article_text("Now a file"))
    feed = load_feed(root, folder=True)
    assert feed.feed_missing and feed.articles == []
    assert [(p.path, p.reason) for p in feed.problems] == [
        (str(root), "the feed folder no longer exists (a file is in its place)")
    ]
    # a first load: a single-file feed
    assert [a.title for a in load_feed(root).articles] == ["Now a file"]


def test_a_file_feed_replaced_by_a_folder_on_reload(tmp_path: Path) -> None:
    root = write(tmp_path, "story.md", article_text())
    root.unlink()
    write(root, "inner.md", article_text("Inner"))
    feed = load_feed(root, folder=False)
    assert [p.reason for p in feed.problems] == [
        "the feed file no longer exists (a folder is in its place)"
    ]


# --- counting words and shortening paths for messages -------------------------------------------


@pytest.mark.parametrize(
    ("count", "noun", "plural_form", "expected"),
    [
        (0, "file", None, "0 files"),
        (1, "file", None, "1 file"),
        (2, "file", None, "2 files"),
        (1024, "article", None, "1,024 articles"),
        (1, "entry", "entries", "1 entry"),
        (3, "entry", "entries", "3 entries"),
        (-1, "file", None, "-1 files"),
    ],
)
def test_plural(count: int, noun: str, plural_form: str | None, expected: str) -> None:
    assert plural(count, noun, plural_form) == expected


def test_a_problem_relative_to_its_feed_folder(tmp_path: Path) -> None:
    root = tmp_path / "news"
    write(root, "sub/bad.md", "no front matter\n")
    [problem] = load_feed(root).problems
    short = problem.relative_to(root)
    assert short.path == "sub/bad.md"
    assert (short.severity, short.reason, short.line) == (
        problem.severity,
        problem.reason,
        problem.line,
    )
    assert str(short) == "sub/bad.md: error: " + problem.reason
    assert problem.relative_to(str(root)).path == "sub/bad.md"
    assert problem.path == str(root / "sub" / "bad.md")  # the original is untouched


def test_a_problem_outside_the_feed_or_of_the_feed_itself_keeps_its_path(tmp_path: Path) -> None:
    root = tmp_path / "news"
    # a prefix, not a parent
    elsewhere = Problem(str(tmp_path / "newsroom" / "a.md"), Severity.ERROR, "x")
    assert elsewhere.relative_to(root).path == elsewhere.path
    [gone] = load_feed(root).problems
    assert gone.relative_to(root).path == str(root)


def test_a_single_file_feeds_problem_keeps_the_file_name(tmp_path: Path) -> None:
    one = write(tmp_path, "deep/story.md", "no front matter\n")
    [problem] = load_feed(one).problems
    assert problem.relative_to(one).path == "story.md"


def test_a_problem_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a/bad.md", "no front matter\n")
    monkeypatch.chdir(tmp_path)
    [problem] = load_feed(Path(".")).problems
    assert problem.relative_to(Path(".")).path == os.path.join("a", "bad.md")


REPO = Path(__file__).resolve().parents[2]


def test_a_path_as_the_walk_s_string_gives_what_its_path_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse workers pass the walk's names as strings (see `pool._parsed`): the article
    and every problem (the reasons of unreadable files too) as a `Path` gives them."""
    feed = tmp_path / "feed"
    shutil.copytree(REPO / "tests" / "fixtures" / "hostile", feed / "hostile")
    shutil.copytree(REPO / "sample_feed", feed / "sample")
    write(feed, "odd/no-url.md", "---\ntitle: No URL here\n---\nbody\n")
    (feed / "odd" / "folder.md").mkdir()
    (feed / "odd" / "dangling.md").symlink_to(feed / "nowhere.md")
    os.mkfifo(feed / "odd" / "pipe.md")
    files = [*sorted(str(p) for p in feed.rglob("*.md")), str(feed / "odd" / "gone.md")]
    assert len(files) > 30
    for name in files:
        assert parse_file(name, feed) == parse_file(Path(name), feed), name
    monkeypatch.chdir(tmp_path)  # relative names, as a feed given as `feed` has them
    for name in files:
        relative = os.path.relpath(name, tmp_path)
        assert parse_file(relative, Path("feed")) == parse_file(Path(relative), Path("feed"))


# --- files that give no article -------------------------------------------------------------

BAD_FILES = {
    "no_front_matter.md": ("Just a body, no front matter.\n", "no front matter"),
    "not_at_start.md": ("\n---\ntitle: x\n---\n", "no front matter"),
    "empty_front_matter.md": ("---\n---\nBody.\n", "front matter is empty"),
    "blank_front_matter.md": ("---\n\n   \n---\nBody.\n", "front matter is empty"),
    "list_front_matter.md": ("---\n- title\n- other\n---\n", "front matter is a list"),
    "scalar_front_matter.md": ("---\njust some words\n---\n", "front matter is text"),
    "number_front_matter.md": ("---\n42\n---\n", "front matter is a number"),
    "unclosed.md": ("---\ntitle: x\nBody.\n", "not closed"),
    "no_title.md": ("---\nexcerpt: An excerpt.\n---\n", "no title"),
    "empty_title.md": ("---\ntitle: ''\n---\n", "no title"),
    "null_title.md": ("---\ntitle:\n---\n", "no title"),
    "list_title.md": ("---\ntitle: [a, b]\n---\n", "the title is a list"),
    "mapping_title.md": ("---\ntitle: {a: b}\n---\n", "the title is a mapping"),
    "bool_title.md": ("---\ntitle: yes\n---\n", "the title is a boolean"),
    "python_tag.md": (
        "---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n",
        "not valid YAML",
    ),
    "impossible_number.md": ("---\ntitle: x\nheat: " + "9" * 5000 + "\n---\n", "a number too long"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_skipped_with_an_error_naming_it(tmp_path: Path, name: str) -> None:
    content, reason = BAD_FILES[name]
    path = write(tmp_path, name, content)
    write(tmp_path, "good.md", article_text("Good"))
    feed = load_feed(tmp_path)
    assert [a.title for a in feed.articles] == ["Good"]
    [error] = feed.errors
    assert error.path == str(path)
    assert reason in error.reason
    assert str(error).startswith(f"{path}: error: ")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("---\ntitle: ok\nfoo: : bad\n---\n", 3),
        ("---\n\n\ntitle: ok\n  bad: indent\n---\n", 5),
        ("---\ntitle: ok\nlist: [1, 2\nnext: 3\n---\n", 4),
        ("\ufeff---\r\ntitle: ok\r\n\r\nfoo: 'unclosed\r\n---\r\n", 5),
        ("---\ntitle: ok\n\tbad: tab\n---\n", 3),
    ],
)
def test_invalid_yaml_is_an_error_with_the_line_of_the_file(
    tmp_path: Path, content: str, line: int
) -> None:
    path = write(tmp_path, "broken.md", content)
    article, problems = parse_file(path, tmp_path)
    assert article is None
    [problem] = problems
    assert problem.severity is Severity.ERROR
    assert "not valid YAML" in problem.reason
    assert problem.line == line
    assert str(problem).endswith(f"(line {line})")


def test_a_dangling_symlink_is_an_error(tmp_path: Path) -> None:
    os.symlink(tmp_path / "missing-target.md", tmp_path / "x.md")
    feed = load_feed(tmp_path)
    [error] = feed.errors
    assert error.path == str(tmp_path / "x.md")
    assert "symbolic link" in error.reason


def test_a_file_that_vanishes_while_loading_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = write(tmp_path, "gone.md", article_text("Gone"))
    write(tmp_path, "kept.md", article_text("Kept"))
    discover = reader.core.loader.discover_files

    def discover_then_delete(root: Path) -> Iterator[Path]:
        for path in discover(root):
            if path == gone:
                path.unlink()
            yield path

    monkeypatch.setattr(reader.core.loader, "discover_files", discover_then_delete)
    feed = load_feed(tmp_path)
    assert [a.title for a in feed.articles] == ["Kept"]
    [error] = feed.errors
    assert error.path == str(gone)
    assert "vanished" in error.reason


def test_a_directory_named_like_an_article_cannot_be_read_as_one(tmp_path: Path) -> None:
    folder = tmp_path / "y.md"
    folder.mkdir()
    article, problems = parse_file(folder, tmp_path)
    assert article is None
    [error] = problems
    assert error.severity is Severity.ERROR
    assert error.path == str(folder)
    assert "cannot read" in error.reason


def test_a_directory_named_like_an_article_is_searched_as_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "y.md/inner.md", article_text("Inner"))
    feed = load_feed(tmp_path)
    assert only(feed).title == "Inner"
    assert feed.problems == []


def test_a_file_over_the_size_cap_is_an_error(tmp_path: Path) -> None:
    head = article_text("Too big").encode()
    path = write(tmp_path, "big.md", head + b"x" * (MAX_FILE_BYTES + 1 - len(head)))
    assert path.stat().st_size == MAX_FILE_BYTES + 1
    feed = load_feed(tmp_path)
    assert feed.articles == []
    [error] = feed.errors
    assert error.path == str(path)
    assert "too large" in error.reason


def test_a_file_at_the_size_cap_loads(tmp_path: Path) -> None:
    head = article_text("Just fits").encode()
    write(tmp_path, "fits.md", head + b"x" * (MAX_FILE_BYTES - len(head)))
    feed = load_feed(tmp_path)
    assert only(feed).title == "Just fits"


def test_a_binary_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "binary.md", article_text("Binary").encode() + b"\x00\x01\x02\xff")
    feed = load_feed(tmp_path)
    assert feed.articles == []
    [error] = feed.errors
    assert error.path == str(path)
    assert "binary" in error.reason


# --- odd fields: a warning, and the article still loads ---------------------------------------


def _loaded_with_warning(
    tmp_path: Path, *lines: str, title: str = "Title"
) -> tuple[Article, list[str]]:
    path = write(tmp_path, "odd.md", article_text(title, *lines))
    feed = load_feed(tmp_path)
    assert feed.errors == []
    assert feed.warnings, "expected a warning"
    assert all(p.path == str(path) for p in feed.warnings)
    return only(feed), [p.reason for p in feed.warnings]


def test_a_quality_that_is_not_a_number_is_dropped(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(tmp_path, "quality: high")
    assert article.quality is None
    assert any("'quality'" in r and "'high'" in r for r in reasons)


def test_a_quality_written_as_text_is_coerced(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(tmp_path, 'quality: "60"')
    assert article.quality == 60
    assert any("'quality'" in r and "60" in r for r in reasons)


def test_a_date_that_is_not_a_date_is_dropped(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(tmp_path, "publishedDateTime: last tuesday")
    assert article.published is None
    assert any("'publishedDateTime'" in r and "last tuesday" in r for r in reasons)


def test_a_bare_string_topic_becomes_one_topic(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(tmp_path, "topics: Computer Vision")
    assert article.topics == ("Computer Vision",)
    assert any("'topics'" in r for r in reasons)


def test_topics_that_are_not_strings_are_dropped(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(
        tmp_path, "topics: [AI, 3, [nested], {a: b}, true, AI, ML]"
    )
    assert article.topics == ("AI", "ML")
    assert sum("topic" in r for r in reasons) == 4


def test_topics_that_are_a_mapping_are_dropped(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(tmp_path, "topics: {AI: 1}")
    assert article.topics == ()
    assert any("'topics' is a mapping" in r for r in reasons)


def test_a_provider_given_as_text_becomes_the_name(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(tmp_path, "provider: Reason")
    assert article.provider == Provider("Reason")
    assert any("'provider'" in r for r in reasons)


def test_a_related_entry_that_is_not_a_mapping_is_dropped(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(
        tmp_path,
        "related:",
        "  - just text",
        "  - title: Kept",
        "    webUrl: https://kept.example/r",
        "  - [a, b]",
    )
    assert [(link.title, link.url) for link in article.related] == [
        ("Kept", "https://kept.example/r")
    ]
    assert sum("related entry" in r for r in reasons) == 2


def test_a_number_title_becomes_text(tmp_path: Path) -> None:
    path = write(tmp_path, "n.md", "---\ntitle: 2021\n---\n")
    feed = load_feed(tmp_path)
    assert only(feed).title == "2021"
    [warning] = feed.warnings
    assert warning.path == str(path)
    assert "'title' is a number" in warning.reason


def test_an_unsafe_url_is_dropped_and_the_original_url_used(tmp_path: Path) -> None:
    article, reasons = _loaded_with_warning(
        tmp_path, "webUrl: 'javascript:alert(1)'", "originalUrl: https://origin.example/a"
    )
    assert article.url == "https://origin.example/a"
    assert any("'webUrl'" in r and "javascript" in r for r in reasons)


# --- dates --------------------------------------------------------------------------------------

DATES = {
    "2021-04-09T11:00:00Z": datetime(2021, 4, 9, 11, tzinfo=UTC),
    "2021-04-09T11:00:00-07:00": datetime(2021, 4, 9, 11, tzinfo=timezone(timedelta(hours=-7))),
    "2021-04-09 11:00:00": datetime(2021, 4, 9, 11, tzinfo=UTC),
    "2021-04-09": datetime(2021, 4, 9, tzinfo=UTC),
    "'2021-04-09T11:00:00Z'": datetime(2021, 4, 9, 11, tzinfo=UTC),
    "'2021-04-09T11:00:00+02:00'": datetime(2021, 4, 9, 11, tzinfo=timezone(timedelta(hours=2))),
    "'2021-04-09 11:00'": datetime(2021, 4, 9, 11, tzinfo=UTC),
}


@pytest.mark.parametrize("value", list(DATES))
def test_dates_are_read_timezone_aware(tmp_path: Path, value: str) -> None:
    write(tmp_path, "d.md", article_text("Dated", f"publishedDateTime: {value}"))
    feed = load_feed(tmp_path)
    assert feed.problems == []
    published = only(feed).published
    assert published == DATES[value]
    assert published is not None and published.utcoffset() == DATES[value].utcoffset()


@pytest.mark.parametrize(
    "value",
    ["'not a date'", "2021-02-30", "'2021-13-01'", "12", "[2021]", "0001-01-01T00:00:00+05:00"],
)
def test_dates_that_cannot_be_read_are_dropped_with_a_warning(tmp_path: Path, value: str) -> None:
    write(tmp_path, "d.md", article_text("Dated", f"publishedDateTime: {value}"))
    feed = load_feed(tmp_path)
    assert only(feed).published is None
    [warning] = feed.warnings
    assert "'publishedDateTime'" in warning.reason


# --- encodings ---------------------------------------------------------------------------------


def test_a_bom_and_crlf_line_endings_are_accepted(tmp_path: Path) -> None:
    text = "---\r\ntitle: Windows\r\nexcerpt: An excerpt.\r\n---\r\nFirst line.\r\nSecond line.\r\n"
    write(tmp_path, "w.md", b"\xef\xbb\xbf" + text.encode())
    feed = load_feed(tmp_path)
    assert feed.problems == []
    article = only(feed)
    assert article.title == "Windows"
    assert article.body == "First line.\nSecond line."
    assert "\r" not in article.body + article.title + article.excerpt


def test_latin1_bytes_are_replaced_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "l.md", "---\ntitle: Café crème\n---\nNaïve body.\n".encode("latin-1"))
    feed = load_feed(tmp_path)
    article = only(feed)
    assert article.title == "Caf\ufffd cr\ufffdme"
    assert "\ufffd" in article.body
    [warning] = feed.warnings
    assert warning.path == str(path)
    assert "UTF-8" in warning.reason


# --- duplicates and ids --------------------------------------------------------------------------


def test_the_later_published_copy_of_a_url_wins(tmp_path: Path) -> None:
    url = "webUrl: https://same.example/story"
    older = write(
        tmp_path,
        "z_older.md",
        article_text("Older", url, "publishedDateTime: 2021-01-01T00:00:00Z"),
    )
    write(
        tmp_path,
        "a_newer.md",
        article_text("Newer", url, "publishedDateTime: 2021-06-01T00:00:00Z"),
    )
    feed = load_feed(tmp_path)
    assert only(feed).title == "Newer"
    [warning] = feed.warnings
    assert warning.path == str(older)
    assert "same URL" in warning.reason


def test_equal_times_let_the_later_path_win(tmp_path: Path) -> None:
    lines = ("webUrl: https://same.example/story", "publishedDateTime: 2021-01-01T00:00:00Z")
    first = write(tmp_path, "a.md", article_text("First", *lines))
    write(tmp_path, "b.md", article_text("Second", *lines))
    feed = load_feed(tmp_path)
    assert only(feed).title == "Second"
    [warning] = feed.warnings
    assert warning.path == str(first)


def test_a_dated_copy_beats_an_undated_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        article_text("Dated", "webUrl: https://same.example/", "publishedDateTime: 2000-01-01"),
    )
    write(tmp_path, "b.md", article_text("Undated", "webUrl: https://same.example/"))
    assert only(load_feed(tmp_path)).title == "Dated"


def test_the_id_comes_from_the_url_wherever_the_file_is(tmp_path: Path) -> None:
    one = write(tmp_path, "one/a.md", article_text("A", "webUrl: https://x.example/1"))
    two = write(tmp_path, "two/deep/b.md", article_text("B", "webUrl: https://x.example/1"))
    other = write(tmp_path, "three/a.md", article_text("A", "webUrl: https://x.example/2"))
    id_one = only(load_feed(one.parent)).id
    assert id_one == only(load_feed(two.parent.parent)).id
    assert id_one != only(load_feed(other.parent)).id


def test_without_a_url_the_id_comes_from_the_path_within_the_feed(tmp_path: Path) -> None:
    write(tmp_path, "feed/sub/a.md", article_text("A"))
    write(tmp_path, "feed/sub/b.md", article_text("A"))
    before = {Path(a.path).name: a.id for a in load_feed(tmp_path / "feed").articles}
    shutil.move(tmp_path / "feed", tmp_path / "moved")
    after = {Path(a.path).name: a.id for a in load_feed(tmp_path / "moved").articles}
    assert before == after
    assert before["a.md"] != before["b.md"]


# --- text cleaning --------------------------------------------------------------------------------


def test_html_entities_in_title_and_excerpt_are_decoded(tmp_path: Path) -> None:
    write(
        tmp_path,
        "e.md",
        article_text(
            "Fish&nbsp;&#038;&nbsp;chips &amp; more", "excerpt: 'Salt&nbsp;&#038; vinegar &hellip;'"
        ),
    )
    article = only(load_feed(tmp_path))
    assert article.title == "Fish & chips & more"
    assert article.excerpt == "Salt\u00a0& vinegar …"


def _controls(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t"]


def test_control_characters_are_removed_from_every_shown_field(tmp_path: Path) -> None:
    nasty = r"\e]0;pwned\a\x9b2J\x7f\e[31m"
    lines = (
        f'excerpt: "ex {nasty} cerpt"',
        f'provider: {{name: "pro {nasty} vider", domain: "d{nasty}.example"}}',
        f'topics: ["to {nasty} pic", "AI"]',
        f'related: [{{title: "re {nasty} lated", excerpt: "{nasty}"}}]',
    )
    path = write(
        tmp_path,
        "c.md",
        "---\n" + f'title: "ti {nasty} tle"\n' + "\n".join(lines) + "\n---\nbo\x1b[2Jdy\x9b\x7f\n",
    )
    feed = load_feed(tmp_path)
    article = only(feed)
    fields = [
        article.title,
        article.excerpt,
        article.body,
        article.provider_name,
        article.provider_domain,
        *article.topics,
    ]
    fields += [article.related[0].title, article.related[0].excerpt]
    assert [field for field in fields if _controls(field)] == []
    assert article.title == "ti ]0;pwned2J[31m tle"
    assert article.body == "bo[2Jdy"
    assert {p.path for p in feed.warnings} == {str(path)}
    assert any("'title' contains control characters" in p.reason for p in feed.warnings)


def test_bidi_overrides_are_removed(tmp_path: Path) -> None:
    write(tmp_path, "b.md", article_text("abc\u202edcba\u2066x\u2069"))
    assert only(load_feed(tmp_path)).title == "abcdcbax"


# --- order ----------------------------------------------------------------------------------------


def _article(
    title: str, quality: int | None, day: int | None, path: str = "", provider: str = ""
) -> Article:
    published = datetime(2021, 1, day, tzinfo=UTC) if day else None
    return Article(
        id=title,
        path=path or f"{title}.md",
        title=title,
        quality=quality,
        published=published,
        provider=Provider(provider) if provider else None,
    )


ORDER_SAMPLE = [
    _article("no quality", None, 9),
    _article("low", 10, 9),
    _article("high old", 90, 1),
    _article("high new", 90, 5),
    _article("high undated", 90, None),
    _article("Same", 50, 3, "b.md"),
    _article("same", 50, 3, "a.md"),
    _article("Alpha", 50, 3, "z.md"),
]


def test_the_default_order_is_quality_then_newest_then_title_then_path() -> None:
    ordered = [(a.title, a.path) for a in sort_articles(ORDER_SAMPLE)]
    assert ordered == [
        ("high new", "high new.md"),
        ("high old", "high old.md"),
        ("high undated", "high undated.md"),
        ("Alpha", "z.md"),
        ("same", "a.md"),
        ("Same", "b.md"),
        ("low", "low.md"),
        ("no quality", "no quality.md"),
    ]


def test_newest_and_oldest_put_undated_articles_last() -> None:
    newest = [a.title for a in sort_articles(ORDER_SAMPLE, "newest")]
    oldest = [a.title for a in sort_articles(ORDER_SAMPLE, "oldest")]
    assert newest[:2] == ["low", "no quality"]
    assert newest[-1] == oldest[-1] == "high undated"
    assert oldest[:2] == ["high old", "Alpha"]


def test_provider_order_groups_by_provider_name_then_quality() -> None:
    items = [
        _article("b1", 10, 1, provider="beta"),
        _article("none", 99, 1),
        _article("a1", 5, 1, provider="Alpha"),
        _article("b2", 80, 1, provider="Beta"),
    ]
    assert [a.title for a in sort_articles(items, "provider")] == ["a1", "b2", "b1", "none"]


def test_title_order_ignores_case() -> None:
    items = [_article("beta", 1, 1), _article("Alpha", 2, 1), _article("alpha", 3, 1, "0.md")]
    assert [(a.title, a.path) for a in sort_articles(items, "title")] == [
        ("alpha", "0.md"),
        ("Alpha", "Alpha.md"),
        ("beta", "beta.md"),
    ]


def test_next_order_cycles_through_every_order() -> None:
    assert set(SORT_ORDERS) == {"quality", "newest", "oldest", "provider", "title"}
    seen = [SORT_ORDERS[0]]
    for _ in SORT_ORDERS:
        seen.append(next_order(seen[-1]))
    assert seen[-1] == seen[0]
    assert sorted(seen[:-1]) == sorted(SORT_ORDERS)
    assert next_order("no such order") == SORT_ORDERS[0]


# --- real feeds -----------------------------------------------------------------------------------


def test_the_sample_feed_loads_without_problems() -> None:
    feed = load_feed(REPO / "sample_feed")
    assert len(feed.articles) >= 40
    assert [str(p) for p in feed.problems] == []
    assert len({a.id for a in feed.articles}) == len(feed.articles)
    exported = json.loads(to_json(article_json(a) for a in feed.articles))
    assert [record["title"] for record in exported] == [a.title for a in feed.articles]


def test_the_reference_articles_load_without_errors() -> None:
    shared = shared_folder()
    reference = load_feed(shared / "format")
    real = load_feed(shared / "real_feed_sample")
    assert [str(p) for p in reference.errors + real.errors] == []
    assert len(reference.articles) == 1
    assert len(real.articles) == 170
    assert all(a.title and a.url for a in real.articles)


@pytest.mark.parametrize(
    ("ci", "require", "outcome"),
    [
        ("true", None, pytest.fail.Exception),
        (None, "1", pytest.fail.Exception),
        (None, None, pytest.skip.Exception),
        ("", "0", pytest.skip.Exception),
    ],
)
def test_missing_shared_files_fail_where_they_must_be_there(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ci: str | None,
    require: str | None,
    outcome: type[BaseException],
) -> None:
    for name, value in (("CI", ci), (REQUIRE_ENV, require)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(outcome, match="shared reference files are not at"):
        shared_folder(tmp_path / "shared")
    assert shared_folder(tmp_path) == tmp_path


@pytest.mark.parametrize("length", [0, 1, 5, 70_000, 200_000])
@pytest.mark.parametrize("size", [0, 3, 5, 69_999, 70_000, 300_000])
@pytest.mark.parametrize("count", [1, 6, 70_001, 150_000])
def test_a_read_gives_the_first_bytes_whatever_size_was_expected(
    tmp_path: Path, length: int, size: int, count: int
) -> None:
    """The size from stat only shapes the first request: a file longer or shorter than
    it said is read to its end or to `count` bytes all the same."""
    data = bytes(range(256)) * (length // 256 + 1)
    path = tmp_path / "f"
    path.write_bytes(data[:length])
    fd = os.open(path, os.O_RDONLY)
    try:
        assert reader.core.loader._read_at_most(fd, count, size) == data[: min(length, count)]
    finally:
        os.close(fd)


def test_a_file_as_long_as_its_stat_said_is_read_in_one_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual file: one read gives all of it, and its shortness says the end is reached."""
    path = tmp_path / "f.md"
    path.write_text("---\ntitle: One read\n---\n", encoding="utf-8")
    calls: list[int] = []
    real_read = os.read

    def counted(fd: int, count: int) -> bytes:
        calls.append(count)
        return real_read(fd, count)

    monkeypatch.setattr(os, "read", counted)
    article, problems = reader.core.loader.parse_file(path, tmp_path)
    assert article is not None and article.title == "One read" and problems == []
    assert calls == [path.stat().st_size + 1]


_REFERENCE_CLOSING = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)


@settings(max_examples=examples(1000))
@given(st.text(alphabet="-\n \tab", max_size=24))
@example("---\n---")
@example("---\n---\n")
@example("---")
@example("--- \na\n----\t\nb\n---\n")
@example("---\na ---\n--- b\n")
def test_the_closing_line_is_found_where_the_line_pattern_finds_it(text: str) -> None:
    opening = reader.core.loader._OPENING.match(text)
    if opening is None:
        return
    fast = reader.core.loader._CLOSING.search(text, opening.end() - 1)
    reference = _REFERENCE_CLOSING.search(text, opening.end())
    assert (fast.span(1) if fast else None) == (reference.span() if reference else None)
