"""`reader list --format json` from the stored list (no summary made, see `listing_order`)
prints byte for byte what the list made from the summaries prints, and what parsing every
file prints; whatever it cannot answer (a changed file, two files with one URL, an article
with no stored text, a query, another order) goes the general way.

Random feeds (with and without stories), random read and starred marks, files with
errors, a file changed, added or removed after the cache was written.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from generated_feed import generate_feed
from reader import cli_stories
from reader.cli import main
from reader.core import json_output
from reader.core.feed_source import open_feed
from reader.core.storage.cache import FeedCache
from reader.core.storage.state import StateStore

BROKEN = "---\ntitle: [unclosed\n---\nbody\n"  # front matter that is not YAML: an error
CHANGES = ("none", "edit", "add", "remove", "broken", "same-url", "no-stored-text")


@contextmanager
def counting_stored_lists(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many lists were printed from the stored list, as they happen."""
    printed: list[int] = []
    real = json_output.write_stored_json

    def counted(*args: Any, **kwargs: Any) -> None:
        printed.append(1)
        real(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(json_output, "write_stored_json", counted)
        yield printed


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def mark(
    feed: Path, state: Path, read: Callable[[int], bool], starred: Callable[[int], bool]
) -> None:
    with open_feed(feed, cache_path=None, use_cache=False) as opened:
        ids = sorted(s.id for s in opened.library.summaries)
    with StateStore.open(state) as store:
        store.set_read_many([aid for at, aid in enumerate(ids) if read(at)])
        for at, aid in enumerate(ids):
            if starred(at):
                store.set_starred(aid)


def change(feed: Path, cache: Path, how: str) -> None:
    """Change the feed (or the cache) after the cache was written, as `how` says."""
    files = sorted(feed.rglob("*.md"))
    if how == "edit":
        text = files[0].read_text(encoding="utf-8")
        files[0].write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    elif how == "add":
        (feed / "000" / "zz-new.md").write_text("---\ntitle: New one\nquality: 7\n---\n")
    elif how == "remove":
        files[-1].unlink()
    elif how == "broken":
        (feed / "000" / "zz-broken.md").write_text(BROKEN)
    elif how == "same-url":
        shutil.copy(files[0], files[0].with_name("zz-copy.md"))
    elif how == "no-stored-text":
        with sqlite3.connect(cache) as conn:
            conn.execute("DELETE FROM listings WHERE rowid = (SELECT MIN(rowid) FROM listings)")
        conn.close()


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    count=st.integers(1, 40),
    seed=st.integers(0, 1000),
    copies=st.sampled_from([0.0, 0.4]),
    read_every=st.integers(1, 4),
    starred_every=st.integers(1, 5),
    stories=st.booleans(),
    broken=st.booleans(),
    top=st.booleans(),
    how=st.sampled_from(CHANGES),
    output=st.sampled_from(["json", "jsonl"]),
    limit=st.sampled_from([None, 1, 3, 50]),
    batch=st.sampled_from([2, 500]),
)
def test_the_stored_list_prints_what_the_summaries_print(
    count: int, seed: int, copies: float, read_every: int, starred_every: int, stories: bool,
    broken: bool, top: bool, how: str, output: str, limit: int | None, batch: int,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        feed, cache, state, config = (root / n for n in ("feed", "i.db", "s.db", "c.toml"))
        generate_feed(feed, count, seed=seed, copies=copies)
        if broken:
            (feed / "000" / "broken.md").write_text(BROKEN)
        if top:  # files before folders: the feed's order is not the names' order
            (feed / "top.md").write_text("---\ntitle: At the top\nquality: 3\n---\n")
        config.write_text(f"group_stories = {str(stories).lower()}\n", encoding="utf-8")
        argv = ["list", str(feed), "--state", str(state), "--config", str(config)]
        argv += ["--format", output, *(["--limit", str(limit)] if limit else [])]
        assert run([*argv, "--cache", str(cache)], capsys)[0] == 0  # the cache written
        mark(feed, state, lambda at: at % read_every == 0, lambda at: at % starred_every == 1)
        change(feed, cache, how)
        monkeypatch.setattr(json_output, "_LINES_PER_WRITE", batch)
        general = root / "general.db"
        shutil.copy(cache, general)
        with counting_stored_lists(monkeypatch) as printed:
            stored = run([*argv, "--cache", str(cache)], capsys)
            if how == "same-url":  # warm again: the snapshot keeps no order, nor the list
                assert run([*argv, "--cache", str(cache)], capsys) == stored
        # An article with no stored text has it made (see `fill_listings`), then printed.
        assert printed == ([1] if how in ("none", "no-stored-text") else [])
        with monkeypatch.context() as patched:  # one example's patch: the next has none
            patched.setattr(cli_stories, "stored_list_answers", lambda *_: False)
            assert run([*argv, "--cache", str(general)], capsys) == stored
        assert run([*argv, "--no-cache"], capsys) == stored


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated feed with stories, an error, and (on Linux) a name that is not UTF-8."""
    root = tmp_path_factory.mktemp("stored") / "feed"
    generate_feed(root, 60, seed=7, copies=0.4)
    (root / "000" / "broken.md").write_text(BROKEN)
    if sys.platform.startswith("linux"):  # file names are bytes there, not always UTF-8
        name = b"caf\xe9-not-utf8.md".decode("utf-8", "surrogateescape")
        (root / name).write_text("---\ntitle: Odd name\nquality: 4\n---\n")
    return root


def output_bytes(argv: list[str], monkeypatch: pytest.MonkeyPatch, encoding: str) -> bytes:
    errors = "surrogateescape" if encoding == "utf-8" else "replace"  # the odd name
    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors=errors)
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(argv) == 0
    stream.flush()
    data: bytes = stream.buffer.getvalue()
    return data


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_any_output_gets_the_same_bytes(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    """As bytes to a UTF-8 output (the odd name as it is), else as text."""
    argv = ["list", str(feed), "--state", str(tmp_path / "s.db"), "--format", "json"]
    cached = [*argv, "--cache", str(tmp_path / "i.db")]
    fresh = output_bytes([*argv, "--no-cache"], monkeypatch, encoding)
    assert output_bytes(cached, monkeypatch, encoding) == fresh  # the cache written
    with counting_stored_lists(monkeypatch) as printed:
        assert output_bytes(cached, monkeypatch, encoding) == fresh
    assert printed == [1]


@pytest.mark.parametrize(
    "options",
    [["--query", "the"], ["--sort", "newest"], ["--stories"], ["--format", "tsv"], ["--no-cache"]],
)
def test_what_the_stored_list_cannot_answer_goes_the_general_way(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str]
) -> None:
    argv = ["list", str(feed), "--state", str(tmp_path / "s.db"), "--format", "json"]
    argv += ["--cache", str(tmp_path / "i.db")]
    assert output_bytes(argv, monkeypatch, "utf-8")  # the cache written
    with counting_stored_lists(monkeypatch) as printed:
        assert output_bytes([*argv, *options], monkeypatch, "utf-8")
    assert printed == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_name_not_utf8_reaches_a_strict_output_as_its_json_escape(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    """A stream that refuses lone surrogates (PYTHONIOENCODING, most desktop locales) gets
    valid JSON whose path decodes to the very name, from the cache and without it."""
    odd = b"caf\xe9-not-utf8.md".decode("utf-8", "surrogateescape")
    argv = ["list", str(feed), "--state", str(tmp_path / "s.db"), "--format", "json"]
    for run in ([*argv, "--no-cache"], [*argv, "--cache", str(tmp_path / "i.db")]):
        for _ in range(2):  # the second with the cache written: the stored path
            stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
            monkeypatch.setattr(sys, "stdout", stream)
            assert main(run) == 0
            stream.flush()
            listed = json.loads(stream.buffer.getvalue().decode(encoding))
            odd_listed = any(item["path"].endswith(odd) for item in listed)
            assert odd_listed == sys.platform.startswith("linux")  # see `feed`


def built_as_the_app_builds(feed: Path, cache: Path, stories: bool = True) -> None:
    """The cache written as the app's load writes it: no listing made (see `loading`)."""
    with FeedCache.open(cache, feed) as opened:
        opened.stories, opened.make_listings = stories, False
        opened.sync()


def listings_of(cache: Path) -> dict[str, bytes]:
    with sqlite3.connect(cache) as conn:
        rows = conn.execute("SELECT rel, listing FROM listings").fetchall()
    conn.close()
    return dict(rows)


@pytest.mark.parametrize("options", [[], ["--query", "the"], ["--format", "jsonl"]])
def test_a_cache_the_app_wrote_lists_what_a_listed_one_lists(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str]
) -> None:
    """The app's syncs make no listing; the first list makes them from the articles' details,
    byte for byte those a list's sync makes, and prints what parsing every file prints."""
    app_cache, listed_cache = tmp_path / "app.db", tmp_path / "listed.db"
    built_as_the_app_builds(feed, app_cache)
    assert listings_of(app_cache) == {}
    argv = ["list", str(feed), "--state", str(tmp_path / "s.db"), "--format", "json", *options]
    fresh = output_bytes([*argv, "--no-cache"], monkeypatch, "utf-8")
    assert output_bytes([*argv, "--cache", str(listed_cache)], monkeypatch, "utf-8") == fresh
    with counting_stored_lists(monkeypatch) as printed:
        assert output_bytes([*argv, "--cache", str(app_cache)], monkeypatch, "utf-8") == fresh
    queried = options[:1] == ["--query"]  # the texts of the articles found are made
    assert printed == ([] if queried else [1])
    made, eager = listings_of(app_cache), listings_of(listed_cache)
    assert made and all(eager[rel] == text for rel, text in made.items())
    assert len(made) < len(eager) if queried else made == eager
    with counting_stored_lists(monkeypatch) as printed:  # warm: the made texts are read
        assert output_bytes([*argv, "--cache", str(app_cache)], monkeypatch, "utf-8") == fresh
    assert printed == ([] if queried else [1])


def test_a_file_the_app_parsed_again_drops_its_old_listing(tmp_path: Path) -> None:
    """A changed file the app parses gets no new text, and its old one (now wrong) goes."""
    feed, cache = tmp_path / "feed", tmp_path / "i.db"
    generate_feed(feed, 5, seed=3)
    with FeedCache.open(cache, feed) as opened:
        opened.sync()
    before = listings_of(cache)
    first = sorted(feed.rglob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("title: ", "title: New ", 1))
    with FeedCache.open(cache, feed) as opened:
        opened.make_listings = False
        assert opened.sync().parsed == 1
    after = listings_of(cache)
    assert len(after) == len(before) - 1 and set(after) < set(before)
    assert all(after[rel] == before[rel] for rel in after)
