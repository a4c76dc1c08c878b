"""The full-text store, and the filter searching the stored texts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core.fulltext.reading import reading_minutes, word_count
from reader.core.fulltext.store import TextStore, TextStoreError, searchable
from reader.core.library import Library
from reader.core.model import Article
from reader.core.query import parse_query
from reader.core.storage.state import StateStore
from reader.core.view import FeedView


def _article(n: int, title: str, body: str = "", url: str | None = None) -> Article:
    return Article(
        id=f"id{n}",
        path=f"feed/{n}.md",
        title=title,
        body=body,
        url=f"https://news.example/{n}" if url is None else url or None,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TextStore]:
    with TextStore.open(tmp_path / "texts.db") as opened:
        yield opened


def test_a_text_is_stored_got_and_forgotten(store: TextStore) -> None:
    assert store.get("https://news.example/1") is None
    stored = store.put("https://news.example/1", "id1", "Some **words** here.\n", "https://x/1")
    assert store.get("https://news.example/1") == stored
    assert stored.words == 3 and stored.final_url == "https://x/1"
    assert store.get_for("id1", None) == stored  # an article without a URL: by its id
    assert store.urls() == {"https://news.example/1"}
    assert store.stored_urls(["https://news.example/1", "https://news.example/2"]) == {
        "https://news.example/1"
    }
    assert store.forget(["https://news.example/1", "https://news.example/9"]) == 1
    assert store.get("https://news.example/1") is None and len(store) == 0
    assert store.urls() == frozenset()


def test_storing_again_replaces_the_text(store: TextStore) -> None:
    store.put("https://news.example/1", "id1", "old words", "https://news.example/1")
    store.put("https://news.example/1", "id1", "new words", "https://news.example/1")
    assert len(store) == 1
    assert store.matching("old") == frozenset()
    assert store.matching("new") == {"https://news.example/1", "id1"}


def test_words_and_phrases_are_found_as_the_filter_finds_them(store: TextStore) -> None:
    text = "The **Málaga** port\n\nreopens [after the storm](https://a.example/s) on Monday."
    store.put("https://news.example/1", "id1", text, "https://news.example/1")
    hit = {"https://news.example/1", "id1"}
    assert store.matching("malaga") == hit  # folded: accents and case
    assert store.matching("reopen") == hit  # a part of a word, as the filter's words are
    assert store.matching("port reopens", spaced=True) == hit  # across a paragraph break
    assert store.matching("after the storm", spaced=True) == hit  # a link's text
    assert store.matching("a.example") == frozenset()  # a link's target is not text
    assert store.matching("on") == hit  # shorter than a trigram: scanned
    assert store.matching("storm monday", spaced=True) == frozenset()


def test_searchable_text_is_folded_with_single_spaces() -> None:
    assert searchable("# Head\n\n> A  *quoted*\tline [x](https://y)") == "head a quoted line x"


def test_the_generation_changes_with_every_write_here_or_elsewhere(
    store: TextStore, tmp_path: Path
) -> None:
    first = store.generation
    store.put("https://news.example/1", "id1", "text", "https://news.example/1")
    second = store.generation
    assert second != first
    with TextStore.open(tmp_path / "texts.db") as other:
        other.forget()
    assert store.generation != second
    assert store.matching("text") == frozenset()  # the remembered answer was dropped


def test_a_file_of_someone_else_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    with pytest.raises(TextStoreError, match=r"notes\.txt is not an SQLite database"):
        TextStore.open(notes)
    assert notes.read_text() == "my notes\n"
    state = tmp_path / "state.db"
    StateStore.open(state).close()
    before = state.read_bytes()
    with pytest.raises(TextStoreError, match="is the reader's reading state"):
        TextStore.open(state)
    assert state.read_bytes() == before


def test_a_newer_schema_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "texts.db"
    TextStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    with pytest.raises(TextStoreError, match="newer reader"):
        TextStore.open(path)


def test_a_damaged_file_is_moved_aside_and_a_fresh_one_started(tmp_path: Path) -> None:
    path = tmp_path / "texts.db"
    TextStore.open(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with TextStore.open(path) as store:
        assert len(store) == 0
        assert store.notices and "moved to" in store.notices[0]
    assert list(tmp_path.glob("texts.db.corrupt-*"))


def test_open_existing_makes_no_file(tmp_path: Path) -> None:
    assert TextStore.open_existing(tmp_path / "texts.db") is None
    assert not (tmp_path / "texts.db").exists()


def test_reading_time() -> None:
    assert word_count("A [link](https://a.example/very/long/path) here") == 3
    assert reading_minutes(0) == 0 and reading_minutes(10) == 1
    assert reading_minutes(230 * 7) == 7


ARTICLES = [
    _article(1, "Harbour news", "The bridge closes."),
    _article(2, "Election night", "Turnout was high."),
    _article(3, "Weather", "Rain again.", url=""),
    _article(4, "Markets", "Stocks slide."),
]
TEXTS = {
    "https://news.example/1": ("id1", "Engineers found cracks in two steel hangers."),
    "https://news.example/2": ("id2", "Young voters lined up at polling stations."),
    "": ("id3", "Storm damage to the steel pier."),  # fetched by id (no URL)
}
QUERIES = [
    "steel",
    "hangers",
    '"steel hangers"',
    "-steel",
    "steel OR voters",
    "bridge OR voters",
    "steel after:2000-01-01",
    "steel -pier",
    "rain",
    "st",
    "steel OR quality>5",
]


@pytest.fixture
def filled(store: TextStore) -> TextStore:
    for url, (article_id, text) in TEXTS.items():
        store.put(url or f"https://gone.example/{article_id}", article_id, text, url)
    return store


@pytest.mark.parametrize("text", QUERIES)
def test_the_filter_finds_words_in_the_stored_texts(filled: TextStore, text: str) -> None:
    """With a search index and without, the same articles, and the texts' words count."""
    library = Library()
    library.add_articles(ARTICLES)
    articles = library.sorted("title")
    query = parse_query(text)
    plain = query.filter(articles, None, None, filled)
    indexed = query.filter(articles, None, library.search_index("title"), filled)
    assert [a.id for a in plain] == [a.id for a in indexed]
    expected = {
        "steel": {"id1", "id3"},
        "hangers": {"id1"},
        '"steel hangers"': {"id1"},
        "-steel": {"id2", "id4"},
        "steel OR voters": {"id1", "id2", "id3"},
        "bridge OR voters": {"id1", "id2"},
        "steel after:2000-01-01": set(),  # no article has a date
        "steel -pier": {"id1"},
        "rain": {"id3"},  # in the article itself
        "st": {"id1", "id2", "id3", "id4"},
        "steel OR quality>5": {"id1", "id3"},
    }[text]
    assert {a.id for a in plain} == expected


def test_without_texts_the_filter_is_as_before(filled: TextStore) -> None:
    library = Library()
    library.add_articles(ARTICLES)
    query = parse_query("steel")
    assert query.filter(library.sorted("title")) == []


def test_the_view_sees_a_text_stored_after_its_first_answer(
    store: TextStore, tmp_path: Path
) -> None:
    library = Library()
    library.add_articles(ARTICLES)
    with StateStore.open(tmp_path / "state.db") as state:
        view = FeedView(library, state, query=parse_query("hangers"), texts=store)
        assert view.articles() == []
        store.put("https://news.example/1", "id1", "Steel hangers.", "https://news.example/1")
        assert [a.id for a in view.articles()] == ["id1"]


NEEDLES = [
    ("malaga", False),
    ("reopen", False),
    ("o", False),
    ("port reopens", True),
    ("rt reop", True),
    ("after the storm", True),
    ("storm monday", True),
    ("nothing", False),
]


@pytest.mark.parametrize(("needle", "spaced"), NEEDLES)
def test_the_word_index_answers_as_the_trigram_index_does(
    store: TextStore, tmp_path: Path, needle: str, spaced: bool
) -> None:
    store.put("https://n.example/1", "id1", "The **Málaga** port\n\nreopens today.", "")
    store.put("https://n.example/2", "id2", "After the storm, on Monday.", "")
    store.put("https://n.example/3", "id3", "Nothing here", "")
    with TextStore.open(tmp_path / "texts.db") as with_words:
        assert with_words.build_words()
        assert with_words.matching(needle, spaced) == store.matching(needle, spaced)


def test_the_word_index_reads_the_texts_a_block_at_a_time(
    store: TextStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10,000 texts are ~40 MB folded: the build reads them in blocks, never all at once."""
    from reader.core.fulltext import words

    for n in range(8):
        store.put(f"https://n.example/{n}", f"id{n}", f"Story {n} of the harbour, word{n}", "")
    store.forget(["https://n.example/4"])  # a gap in the row ids the blocks span
    needles = ("harbour", "word3", "word4", "o", "y 5", "y 4")
    expected = {needle: store.matching(needle, " " in needle) for needle in needles}
    reads: list[int] = []
    read_bodies = TextStore._locked_bodies

    def counted(self: TextStore, ids: list[int]) -> dict[int, str]:
        found = read_bodies(self, ids)
        reads.append(len(found))
        return found

    monkeypatch.setattr(words, "BUILD_BLOCK", 3)
    monkeypatch.setattr(TextStore, "_locked_bodies", counted)
    assert store.build_words()
    assert reads == [3, 3, 1]  # every text read once, three at most at a time
    for needle, found in expected.items():
        assert store.matching(needle, " " in needle) == found


def test_the_word_index_is_not_used_once_a_text_changed(store: TextStore) -> None:
    store.put("https://n.example/1", "id1", "Old words", "")
    assert store.build_words()
    store.put("https://n.example/2", "id2", "New words", "")
    assert store.matching("new") == {"https://n.example/2", "id2"}
