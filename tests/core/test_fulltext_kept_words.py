"""The stored texts' word index kept in texts.db (`TextStore.build_words`): read back at
the next start for exactly the texts it was made of, answering as the fresh one and as
SQLite do, and made again (never used) when it is stale or damaged."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from reader.core.fulltext import store as store_module
from reader.core.fulltext.store import TextStore
from reader.core.fulltext.words import Bodies, TextWords
from reader.core.storage.kept_words import write_kept

Builds = list[int]
VOCABULARY = ["port", "storm", "harbour", "reopens", "málaga", "a", "on", "monday", "ports"]
NEEDLES = [
    ("o", False), ("po", False), ("port", False), ("malaga", False), ("a", False),
    ("storm monday", True), ("rt reo", True), ("zz", False), ("harbour", False),
]  # fmt: skip


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    """How many word indexes were made (not read back), one entry per build."""
    made: Builds = []
    build = TextWords.build.__func__  # type: ignore[attr-defined]

    def counted(
        cls: type[TextWords],
        generation: int,
        rows: Sequence[tuple[int, str, str]],
        bodies: Bodies,
        go_on: Callable[[], bool] = lambda: True,
    ) -> TextWords | None:
        made.append(len(rows))
        found: TextWords | None = build(cls, generation, rows, bodies, go_on)
        return found

    monkeypatch.setattr(TextWords, "build", classmethod(counted))
    return made


def no_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on a needle answered by SQLite (not by a word index) fails the test."""

    def refused(self: TextStore, needle: str) -> frozenset[str]:
        raise AssertionError(f"SQLite was asked for {needle!r}")

    monkeypatch.setattr(TextStore, "_search", refused)


def refused_build(*args: object, **kwargs: object) -> TextWords | None:
    raise AssertionError("the word index was made, not read back")


def fill(path: Path, texts: Sequence[str]) -> None:
    with TextStore.open(path) as store:
        for n, text in enumerate(texts):
            store.put(f"https://n.example/{n}", f"id{n}", text, "")


def kept_rows(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT generation, sequence FROM word_index").fetchall()
    conn.close()
    return rows


def sqlite_answers(path: Path) -> dict[tuple[str, bool], frozenset[str]]:
    """What SQLite answers for each needle, with no word index at all."""
    with TextStore.open(path) as store:
        return {key: store._search(key[0]) for key in NEEDLES}


texts_strategy = st.lists(
    st.lists(st.sampled_from(VOCABULARY), max_size=8).map(" ".join), min_size=1, max_size=12
)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts=texts_strategy, gone=st.lists(st.integers(0, 11), max_size=3))
def test_the_kept_index_answers_as_the_fresh_one_and_sqlite(
    texts: list[str], gone: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "texts.db"
        fill(path, texts)
        with TextStore.open(path) as store:  # gaps in the row ids
            store.forget(f"https://n.example/{n}" for n in gone)
        expected = sqlite_answers(path)
        with TextStore.open(path) as fresh:
            assert fresh.build_words()  # made, and kept
            made = {key: fresh.matching(*key) for key in NEEDLES}
        with monkeypatch.context() as patched:
            no_scan(patched)
            patched.setattr(TextWords, "build", refused_build)
            with TextStore.open(path) as warm:  # read back: no build, no scan
                assert warm.build_words()
                assert {key: warm.matching(*key) for key in NEEDLES} == made
        assert made == expected


def test_a_warm_start_reads_the_kept_index_and_never_scans(
    tmp_path: Path, builds: Builds, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "texts.db"
    fill(path, ["The port reopens", "Storm on Monday", "Nothing"])
    with TextStore.open(path) as first:
        assert first.build_words()
    assert builds == [3]
    assert len(kept_rows(path)) == 1
    no_scan(monkeypatch)
    with TextStore.open(path) as warm:  # a short needle before `build_words` ran
        assert warm.matching("o") == {f"https://n.example/{n}" for n in range(3)} | {
            "id0", "id1", "id2"
        }  # fmt: skip
        assert warm.build_words()
    assert builds == [3]  # read back, not made


@pytest.mark.parametrize("how", ["added", "removed", "refetched"])
def test_a_kept_index_of_other_texts_is_made_again(
    tmp_path: Path, builds: Builds, how: str
) -> None:
    """Another process changes the texts after the index was kept: the next start makes it
    anew (the refetched text keeps its row id and URL: only the generation tells)."""
    path = tmp_path / "texts.db"
    fill(path, ["The port reopens", "Storm on Monday"])
    with TextStore.open(path) as first:
        assert first.build_words()
    before = kept_rows(path)
    with TextStore.open(path) as other:
        if how == "added":
            other.put("https://n.example/9", "id9", "Harbour news", "")
        elif how == "removed":
            other.forget(["https://n.example/0"])
        else:
            other.put("https://n.example/1", "id1", "Harbour news", "")
    with TextStore.open(path) as warm:
        expected = warm._search("harbour")
        assert warm.matching("ha") == expected
        assert warm.build_words()
        assert warm.matching("harbour") == expected
    assert len(builds) == 2
    after = kept_rows(path)
    assert len(after) == 1 and after != before  # the stale one replaced


@pytest.mark.parametrize("damage", ["flipped", "truncated", "foreign", "other-rows"])
def test_a_damaged_kept_index_is_made_again_never_used(
    tmp_path: Path, builds: Builds, damage: str
) -> None:
    path = tmp_path / "texts.db"
    fill(path, ["The port reopens", "Storm on Monday", "Harbour"])
    with TextStore.open(path) as first:
        assert first.build_words()
    change = {
        "flipped": "UPDATE word_index SET data = substr(data, 1, 60) || X'FF' || substr(data, 62)",
        "truncated": "UPDATE word_index SET data = substr(data, 1, length(data) - 4)",
        "foreign": "UPDATE word_index SET data = X'00010203'",
        "other-rows": "UPDATE word_index SET sequence = 'another'",
    }[damage]
    with sqlite3.connect(path) as conn:
        conn.execute(change)
    conn.close()
    with TextStore.open(path) as warm:
        assert warm.matching("o") == warm._search("o")
        assert warm.matching("harbour") == {"https://n.example/2", "id2"}
        assert warm.build_words()
        assert warm.matching("or") == warm._search("or")
    assert len(builds) == 2
    with TextStore.open(path) as again:  # the one made in its place reads back
        assert again.build_words()
    assert len(builds) == 2


def test_an_index_made_while_a_text_changed_is_neither_used_nor_kept(
    tmp_path: Path, builds: Builds
) -> None:
    path = tmp_path / "texts.db"
    fill(path, ["The port reopens", "Storm on Monday"])

    def changed_meanwhile() -> bool:
        with TextStore.open(path) as other:
            other.put("https://n.example/5", "id5", "Harbour", "")
        return True

    with TextStore.open(path) as store:
        assert not store.build_words(changed_meanwhile)
        assert kept_rows(path) == []
        assert store.matching("ha") == {"https://n.example/5", "id5"}


def test_a_store_of_schema_1_keeps_its_texts_and_gets_the_kept_index(
    tmp_path: Path, builds: Builds
) -> None:
    path = tmp_path / "texts.db"
    fill(path, ["The port reopens"])
    with sqlite3.connect(path) as conn:  # as schema 1 had it: no changes, no word_index
        for trigger in ("texts_added", "texts_changed", "texts_removed"):
            conn.execute(f"DROP TRIGGER {trigger}")
        for table in ("word_index", "changes"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with TextStore.open(path) as store:
        assert store.matching("po") == {"https://n.example/0", "id0"}
        first = store.generation
        store.put("https://n.example/1", "id1", "Storm", "")
        assert store.generation != first
        assert store.build_words()
    with TextStore.open(path) as warm:
        assert warm.build_words()
    assert builds == [2]


def test_the_kept_index_is_written_only_to_the_file_the_texts_were_read_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another file put at the path since (the store was moved aside, made anew) may be at
    the same generation: its texts are others, nothing is written to it."""
    path = tmp_path / "texts.db"
    fill(path, ["The port reopens"])
    written: list[str] = []

    def seen(file: str, source: object, write: Callable[..., bool], timeout: float) -> bool:
        written.append(file)
        return write_kept(file, source, write, timeout)

    monkeypatch.setattr(store_module, "write_kept", seen)
    with TextStore.open(path) as store:
        monkeypatch.setattr(store, "_source", (0, 0))  # as if the path held another file
        assert store.build_words()
        assert store.matching("po") == {"https://n.example/0", "id0"}  # made, used
    assert written == [str(path)]
    assert kept_rows(path) == []
