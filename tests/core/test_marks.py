"""Tests for reader.core.marks: every mark change undone, the dwell rule, the jump history.

An in-memory `StateStore` stands under the marks: each test runs in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.marks import UNDO_DEPTH, Marks
from reader.core.storage.state import StateStore

IDS = ["a", "b", "c", "d"]


@pytest.fixture
def marks() -> Marks:
    return Marks(StateStore())


def test_read_then_unread_by_toggle_each_undone(marks: Marks) -> None:
    assert marks.toggle_read("a") is True
    assert marks.toggle_read("a") is False
    assert marks.undo() == "marked unread" and marks.store.is_read("a")
    assert marks.undo() == "marked read" and not marks.store.is_read("a")
    assert marks.undo() is None


def test_star_then_unstar_each_undone(marks: Marks) -> None:
    assert marks.toggle_star("b") is True
    assert marks.toggle_star("b") is False
    assert marks.undo() == "unstarred" and marks.store.is_starred("b")
    assert marks.undo() == "starred" and not marks.store.is_starred("b")


def test_an_undo_of_a_star_leaves_the_read_mark(marks: Marks) -> None:
    marks.toggle_read("a")
    marks.toggle_star("a")
    marks.undo()
    assert marks.store.is_read("a") and not marks.store.is_starred("a")


def test_mark_all_marks_only_the_unread_and_is_undone_as_one(marks: Marks) -> None:
    marks.toggle_read("b")  # read before: stays read after the undo of the bulk change
    assert marks.unread_of(IDS) == ["a", "c", "d"]
    assert marks.mark_all_read(IDS) == "marked 3 articles read"
    assert marks.store.read_ids() == frozenset(IDS)
    assert marks.undo() == "marked 3 articles read"
    assert marks.store.read_ids() == frozenset({"b"})


def test_mark_all_of_read_articles_leaves_nothing_to_undo(marks: Marks) -> None:
    marks.store.set_read_many(IDS)
    assert marks.mark_all_read(IDS) == "marked 0 articles read"
    assert marks.undo() is None


def test_a_read_by_the_user_is_undone_and_a_read_article_is_not_read_twice(marks: Marks) -> None:
    assert marks.mark_read("c") is True
    assert marks.mark_read("c") is False  # already read: no second change to undo
    assert marks.undo() == "marked read" and not marks.store.is_read("c")
    assert marks.undo() is None


def test_the_undo_keeps_the_last_fifty_changes(marks: Marks) -> None:
    for number in range(UNDO_DEPTH + 5):
        marks.toggle_star(f"s{number}")
    assert marks.undo_depth == UNDO_DEPTH
    while marks.undo() is not None:
        pass
    starred = marks.store.starred_ids()
    assert starred == frozenset(f"s{number}" for number in range(5))  # the oldest stay


def test_a_dwell_reads_the_article_and_its_undo_takes_it_back(marks: Marks) -> None:
    assert marks.start_dwell("a") is True
    assert marks.dwell_done("a") is True and marks.store.is_read("a")
    assert marks.undo() == "marked read" and not marks.store.is_read("a")


def test_a_dwell_does_not_read_again_what_an_undo_took_back(marks: Marks) -> None:
    marks.start_dwell("a")
    marks.mark_read("a")  # enter, while the dwell's clock runs
    marks.undo()
    assert marks.dwell_done("a") is False and not marks.store.is_read("a")


def test_a_dwell_does_not_read_an_article_marked_unread_on_purpose(marks: Marks) -> None:
    marks.store.set_read("a")
    marks.start_dwell("a")  # read already: nothing to time
    marks.toggle_read("a")  # m: unread
    assert marks.dwell_done("a") is False and not marks.store.is_read("a")
    assert marks.start_dwell("a") is True  # the user moves to it again: a new dwell
    marks.toggle_read("a")
    marks.toggle_read("a")
    assert marks.dwell_done("a") is False


def test_a_dwell_on_an_article_left_reads_nothing(marks: Marks) -> None:
    marks.start_dwell("a")
    marks.start_dwell("b")  # moved on before a's time was up
    assert marks.dwell_done("a") is False and not marks.store.is_read("a")
    assert marks.start_dwell(None) is False  # away from every article
    assert marks.dwell_done("b") is False


def test_a_dwell_survives_a_star(marks: Marks) -> None:
    marks.start_dwell("a")
    marks.toggle_star("a")
    assert marks.dwell_done("a") is True


def test_an_undo_with_nothing_to_undo_leaves_the_dwell(marks: Marks) -> None:
    marks.start_dwell("a")
    assert marks.undo() is None
    assert marks.dwell_done("a") is True


def test_jumps_go_back_newest_first_skipping_articles_gone(marks: Marks) -> None:
    marks.jumped("a", "b")
    marks.jumped("b", "c")
    marks.jumped("c", "c")  # onto itself: no step back
    marks.jumped(None, "d")  # nothing under the cursor: nothing to go back to
    marks.jumped("c", "d")
    assert marks.jump_back(lambda article_id: article_id != "b") == "c"
    assert marks.jump_back(lambda article_id: article_id != "b") == "a"
    assert marks.jump_back(lambda article_id: True) is None


def test_the_jump_history_keeps_the_last_fifty(marks: Marks) -> None:
    for number in range(UNDO_DEPTH + 5):
        marks.jumped(f"j{number}", "target")
    back = []
    while (article_id := marks.jump_back(lambda _: True)) is not None:
        back.append(article_id)
    assert len(back) == UNDO_DEPTH and back[-1] == "j5"


def test_the_marks_are_written_through_the_store(tmp_path: Path) -> None:
    with StateStore.open(tmp_path / "state.db") as store:
        marks = Marks(store)
        marks.toggle_read("a")
        marks.mark_all_read(["b", "c"])
        marks.undo()
    assert StateStore.open(tmp_path / "state.db").read_ids() == frozenset({"a"})


def test_no_dwell_is_timed_on_an_article_read_already(marks: Marks) -> None:
    marks.store.set_read("a")
    assert marks.start_dwell("a") is False
    assert marks.dwell_done("a") is False and marks.undo_depth == 0


def test_marking_another_article_leaves_the_dwell_under_way(marks: Marks) -> None:
    # m on one article (a mouse click on a row, a script) must not cancel the timer on the
    # article the user stays on; only marking that one unread, or an undo, ends it.
    assert marks.start_dwell("a") is True
    assert marks.toggle_read("b") is True
    assert marks.dwell_done("a") is True and marks.store.is_read("a")


# --- stories: the articles `together` are marked as one -------------------------------------

STORY = ("a", "b", "c")


def story_marks() -> Marks:
    marks = Marks(StateStore())
    marks.together = lambda article_id: STORY if article_id in STORY else (article_id,)
    return marks


def test_reading_a_story_lead_reads_every_article_of_it_and_one_undo_takes_all_back() -> None:
    marks = story_marks()
    assert marks.mark_read("a") is True
    assert marks.store.read_ids() == set(STORY)
    assert marks.mark_read("b") is False  # the story is read already
    assert marks.undo() == "marked read"
    assert not marks.store.read_ids()


def test_m_on_a_story_reads_all_while_any_is_unread_then_unreads_all() -> None:
    marks = story_marks()
    marks.store.set_read("b")
    assert marks.toggle_read("a") is True
    assert marks.store.read_ids() == set(STORY)
    assert marks.toggle_read("a") is False
    assert not marks.store.read_ids()
    assert marks.undo() == "marked unread" and marks.store.read_ids() == set(STORY)
    # The first m read only what was unread: its undo leaves "b" read, as it was.
    assert marks.undo() == "marked read" and marks.store.read_ids() == {"b"}


def test_a_dwell_on_a_story_lead_reads_the_story_and_a_read_story_is_not_dwelt_on() -> None:
    marks = story_marks()
    marks.store.set_read("a")  # the lead read, a copy not: the story is still unread
    assert marks.start_dwell("a") is True
    assert marks.dwell_done("a") is True
    assert marks.store.read_ids() == set(STORY)
    assert marks.start_dwell("a") is False
    assert marks.mark_read("d") is True and marks.store.read_ids() == {*STORY, "d"}
