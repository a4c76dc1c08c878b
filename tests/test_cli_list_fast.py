"""`reader list` from a warm cache (JSON spliced from stored text, TSV and table from the
summaries) prints byte for byte what parsing every file (`--no-cache`) prints.

The feed: the sample feed, the real-article and hostile fixtures, a generated feed and a
duplicate URL (and apart, a file name that is not UTF-8); some articles read, some
starred, some both.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from generated_feed import generate_feed
from reader.cli import main
from reader.core import json_output
from reader.core.export import JSON_LINE, article_json, spliced_json
from reader.core.feed_source import open_feed
from reader.core.model import Article
from reader.core.storage.cache.listing import listing_text
from reader.core.storage.cache.listing_rows import READ_ALL_FROM
from reader.core.storage.state import StateStore


def test_text_no_column_holds_is_not_stored() -> None:
    assert listing_text(Article(id="x", path="p", title="half \ud800 a pair")) is None
    assert (
        listing_text(Article(id="x", path="p", title="Málaga"))
        == (
            '"title": "Málaga", "url": null, "provider": null, "provider_domain": null, '
            '"published": null, "quality": null, "heat": null, "topics": [], "excerpt": "", '
            '"related": []'
        ).encode()
    )


def test_an_article_without_stored_text_is_encoded_whole(
    feed: Path, state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["list", str(feed), "--state", str(state), "--format", "json"]
    fresh = run([*argv, "--no-cache"], capsys)
    cache = tmp_path / "index.db"
    assert run([*argv, "--cache", str(cache)], capsys) == fresh
    with sqlite3.connect(cache) as conn:
        assert conn.execute("DELETE FROM listings WHERE rowid % 3 = 0").rowcount > 10
    conn.close()
    assert run([*argv, "--cache", str(cache)], capsys) == fresh
    few = [*argv, "--limit", "9"]  # one lookup each
    assert run([*few, "--cache", str(cache)], capsys) == run([*few, "--no-cache"], capsys)


REPO = Path(__file__).resolve().parents[1]
OPTIONS: tuple[list[str], ...] = (
    [],
    ["--sort", "newest"],
    ["--sort", "oldest", "--limit", "5"],  # few articles: one lookup each
    ["--query", "ai -robot"],
    ["--query", "is:starred"],
    ["--query", "is:unread", "--limit", "250"],
    ["--query", "no-article-has-this-word"],
)
FORMATS = ("json", "tsv", "table")


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("list") / "feed"
    shutil.copytree(REPO / "sample_feed", root / "sample")
    shutil.copytree(REPO / "tests" / "fixtures" / "real_sample", root / "real")
    shutil.copytree(REPO / "tests" / "fixtures" / "hostile", root / "hostile")
    generate_feed(root / "generated", READ_ALL_FROM, seed=3)
    first = sorted((root / "real").iterdir())[0]
    shutil.copy(first, root / "real" / f"zz-copy-{first.name}")  # one URL twice
    return root


@pytest.fixture(scope="module")
def odd_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file name that cannot be printed to a UTF-8 stream: only the articles are compared."""
    root = tmp_path_factory.mktemp("odd") / "feed"
    generate_feed(root / "generated", READ_ALL_FROM, seed=5)
    if sys.platform.startswith("linux"):  # file names are bytes there, not always UTF-8
        name = b"caf\xe9-not-utf8.md".decode("utf-8", "surrogateescape")
        (root / name).write_text("---\ntitle: Odd name\nquality: 4\n---\n")
    return root


@pytest.fixture(scope="module")
def state(feed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every third article read, every fifth starred (so some are both)."""
    path = tmp_path_factory.mktemp("state") / "state.db"
    with open_feed(feed, cache_path=None, use_cache=False) as opened:
        ids = sorted(s.id for s in opened.library.summaries)
    with StateStore.open(path) as store:
        store.set_read_many(ids[::3])
        for article_id in ids[::5]:
            store.set_starred(article_id)
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("output", FORMATS)
def test_a_warm_list_prints_what_parsing_every_file_prints(
    feed: Path, state: Path, tmp_path: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache", str(tmp_path / "index.db")]
    for options in OPTIONS:
        argv = ["list", str(feed), "--state", str(state), "--format", output, *options]
        fresh = run([*argv, "--no-cache"], capsys)
        assert "--query" in options or fresh[1].count("\n") > 3, options
        assert run([*argv, *cache], capsys) == fresh, options  # cold or warm
        assert run([*argv, *cache], capsys) == fresh, options  # warm


@pytest.mark.parametrize("which", ["feed", "odd_feed"])
def test_the_stored_text_spliced_is_the_article_encoded(
    which: str, state: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Per article, not only per output; and every article has its text."""
    feed: Path = request.getfixturevalue(which)
    with open_feed(feed, cache_path=tmp_path / "index.db", use_cache=True):
        pass  # fills the cache
    with (
        open_feed(feed, cache_path=tmp_path / "index.db", use_cache=True) as opened,
        StateStore.open(state) as store,
    ):
        summaries = opened.library.summaries
        assert opened.stored_json is not None
        stored = opened.stored_json([s.path for s in summaries])
        one_by_one = opened.stored_json([s.path for s in summaries[:5]])
        articles = {a.id: a for a in opened.articles(summaries)}
    assert [s.path for s in summaries if s.path not in stored] == []
    assert one_by_one == {s.path: stored[s.path] for s in summaries[:5]}
    for summary in summaries:
        if summary.path in stored:
            read, starred = store.is_read(summary.id), store.is_starred(summary.id)
            article = articles[summary.id]
            assert article.path == summary.path
            expected = JSON_LINE.encode(article_json(article, read, starred))
            text = stored[summary.path]
            line = spliced_json(summary.id, summary.path, text, read, starred, "surrogateescape")
            assert line == expected.encode("utf-8", "surrogateescape")


def test_an_output_that_is_not_utf8_gets_the_same_text(
    feed: Path, state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written as text, not bytes, when the output has another encoding."""

    def output(*options: str) -> bytes:
        stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-16", errors="replace")
        monkeypatch.setattr(sys, "stdout", stream)
        assert main(["list", str(feed), "--state", str(state), "--format", "json", *options]) == 0
        stream.flush()
        data: bytes = stream.buffer.getvalue()
        return data

    fresh = output("--no-cache")
    assert fresh.decode("utf-16").startswith("[\n{")
    cache = str(tmp_path / "index.db")
    assert output("--cache", cache) == fresh
    assert output("--cache", cache) == fresh


@pytest.mark.parametrize("limit", ["1", "14", "15", "100000"])
def test_the_lines_written_in_batches_make_one_array(
    limit: str,
    feed: Path,
    state: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["list", str(feed), "--state", str(state), "--format", "json", "--limit", limit]
    fresh = run([*argv, "--no-cache"], capsys)
    monkeypatch.setattr(json_output, "_LINES_PER_WRITE", 7)
    assert run([*argv, "--cache", str(tmp_path / "index.db")], capsys) == fresh
    assert run([*argv, "--cache", str(tmp_path / "index.db")], capsys) == fresh


@pytest.mark.parametrize("limit", ["1", "14", "15", "100000"])
def test_json_lines_are_the_arrays_objects_one_a_line(
    limit: str,
    feed: Path,
    state: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["list", str(feed), "--state", str(state), "--limit", limit]
    _, array, _ = run([*argv, "--format", "json", "--no-cache"], capsys)
    objects = [line.removesuffix(",") for line in array.splitlines()[1:-1]]
    monkeypatch.setattr(json_output, "_LINES_PER_WRITE", 7)
    for cache in (["--no-cache"], ["--cache", str(tmp_path / "index.db")] * 2):
        status, lines, _ = run([*argv, "--format", "jsonl", *cache], capsys)
        assert status == 0 and lines.endswith("\n")
        assert lines.splitlines() == objects
        assert len(objects) == min(int(limit), len(json.loads(array)))
