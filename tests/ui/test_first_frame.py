"""The first frame: what is in force in it, and keys and a quit that come with it.

Some parts are mounted just after the first frame (the detail pane's body, the loading
bar's parts): a key, or a quit, that comes before them must work.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from app_helpers import make_app, wait_loaded
from reader import cli
from reader.core.resources import sample_feed_path
from reader.core.storage.state import StateStore
from reader.ui.app import ReaderApp
from reader.ui.feed.load_view import LoadView
from reader.ui.feed.marking import HIDE_READ_SETTING
from reader.ui.screens.feed_screen import COLLECTOR_THRESHOLDS
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane


async def warm_cache(tmp_path: Path) -> tuple[Path, list[str]]:
    """A cache of the sample feed (the start the benchmarks time: the rows are cached), and
    its rows' ids as first shown (best first)."""
    cache = tmp_path / "cache.db"
    app = make_app(state_path=tmp_path / "first.db", cache_path=cache)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        return cache, [article.id for article in app.query_one(ArticleList).articles]


async def test_a_quit_as_the_first_frame_is_drawn_ends_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """q read with the first frame: the parts asked for after it are not mounted into a
    screen that is closing (that was a traceback instead of a quiet exit)."""
    cache, _ = await warm_cache(tmp_path)
    original_start = LoadView.start

    def quit_then_start(view: LoadView) -> None:
        view.host.app.exit()
        original_start(view)

    monkeypatch.setattr(LoadView, "start", quit_then_start)
    app = make_app(state_path=tmp_path / "s.db", cache_path=cache)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("order", ["quality", "newest"])
async def test_the_remembered_order_and_hide_read_are_in_force_in_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    """The rows of the first frame are the settled screen's first rows: in the order last
    chosen, the read ones hidden (no frame in another order that then reshuffles). The
    cached head is in the default order: in another the first frame waits for the rows."""
    cache, best = await warm_cache(tmp_path)
    state = tmp_path / "s.db"
    with StateStore.open(state) as store:
        store.set_read_many(best[:3])
        store.set_setting("sort", order)
        store.set_setting(HIDE_READ_SETTING, "1")
    first_frame: list[tuple[str, list[str]]] = []
    original_start = LoadView.start

    def record_then_start(view: LoadView) -> None:
        rows = view.host.query_one(ArticleList)
        if not view.started:  # asked twice: after the first frame, and on the screen's resume
            first_frame.append((rows.order, [summary.id for summary in rows.articles]))
        original_start(view)

    monkeypatch.setattr(LoadView, "start", record_then_start)
    app = make_app(state_path=state, cache_path=cache)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        settled = [article.id for article in app.query_one(ArticleList).articles]
    [(shown_order, rows)] = first_frame
    assert shown_order == order and rows == settled[: len(rows)]
    assert bool(rows) is (order == "quality")
    assert not set(best[:3]) & set(settled)


async def test_the_list_has_the_focus_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list is the first and only widget focused at start (Textual's default would focus
    the sidebar, the first that takes it, and the list's focus then styled both again)."""
    focused: list[str | None] = []
    original_set_focus = Screen.set_focus

    def set_focus(
        screen: Screen[object], widget: Widget | None, scroll_visible: bool = True
    ) -> None:
        if widget is not screen.focused:  # a change of focus (Textual restyles both)
            focused.append(widget.id if widget is not None else None)
        original_set_focus(screen, widget, scroll_visible)

    monkeypatch.setattr(Screen, "set_focus", set_focus)
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        assert app.focused is app.query_one(ArticleList)
        assert focused == ["articles"]


async def test_the_list_has_the_focus_when_the_app_starts_unfocused(tmp_path: Path) -> None:
    """A browser tab (reader serve) or terminal that is not focused as the app starts: the
    list has the focus all the same (Textual's auto-focus waits for the app's), so keys work."""
    app = make_app(state_path=tmp_path / "s.db")
    app.set_reactive(App.app_focus, False)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        assert app.focused is app.query_one(ArticleList)


async def test_keys_pressed_with_the_first_frame_are_not_lost(tmp_path: Path) -> None:
    """j and enter before the load has gone on (the detail's body is not mounted yet): the
    second row is opened in the detail, which has the focus, once all is there."""
    cache, best = await warm_cache(tmp_path)
    app = make_app(state_path=tmp_path / "s.db", cache_path=cache, read_after=0)
    async with app.run_test() as pilot:
        assert not app.query_one(DetailPane).parts_mounted
        await pilot.press("j", "enter")
        await wait_loaded(pilot)
        assert app.focused is app.query_one(DetailPane)
        assert app.feed.selected is not None and app.feed.selected.id == best[1]
        assert app.query_one(DetailPane).parts_mounted


async def test_the_loading_bars_counts_lay_nothing_out_again() -> None:
    """A load's progress comes with every batch (hundreds at 100,000 files): once the bar
    is shown, a new count redraws the bar and the rate, never a layout of the screen."""
    from reader.ui.widgets.load_progress import LoadProgress

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield LoadProgress(id="progress")

    app = Host()
    async with app.run_test() as pilot:
        progress = app.query_one(LoadProgress)
        await progress.mount_parts()
        progress.update(0, 1000)
        await pilot.pause()
        layouts: list[object] = []
        original = app.screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            original(*args, **kwargs)

        app.screen._refresh_layout = counted  # type: ignore[method-assign]
        for done in range(100, 1000, 100):
            progress.update(done, 1000)
            await pilot.pause()
        rate = app.query_one("#load-rate", Static)
        assert "900 / 1,000 files" in str(rate.render())
        assert layouts == []


def styles_of(screen: Screen[object]) -> list[tuple[str, str, list[str]]]:
    """Every widget's styles as CSS, its component classes' too (the rows' colours)."""
    return [
        (
            repr(widget),
            widget.styles.css,
            [widget.get_component_styles(name).css for name in sorted(widget.COMPONENT_CLASSES)],
        )
        for widget in screen.walk_children(with_self=True)
    ]


async def test_no_widget_is_styled_twice_before_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each widget is styled as it is mounted, and the list once more as it takes the focus:
    Textual's second pass over the whole screen at its first resume is left out (it found
    nothing to change: 41 of the 110 stylings before the first frame, with the component
    classes')."""
    cache, _ = await warm_cache(tmp_path)
    styled: list[DOMNode] = []
    original_apply = Stylesheet.apply

    def apply(sheet: Stylesheet, node: DOMNode, **options: object) -> None:
        styled.append(node)
        original_apply(sheet, node, **options)  # type: ignore[arg-type]

    original_start = LoadView.start
    before_frame: list[list[DOMNode]] = []

    def record_then_start(view: LoadView) -> None:
        if not view.started:
            before_frame.append(list(styled))
        original_start(view)

    monkeypatch.setattr(Stylesheet, "apply", apply)
    monkeypatch.setattr(LoadView, "start", record_then_start)
    app = make_app(state_path=tmp_path / "s.db", cache_path=cache)
    async with app.run_test() as pilot:
        await pilot.pause()
        rows = app.query_one(ArticleList)
    [nodes] = before_frame
    widgets = [node for node in nodes if isinstance(node, Widget)]
    assert {widget for widget in widgets if widgets.count(widget) > 1} == {rows}


async def test_the_first_frame_has_the_styles_a_restyle_of_the_whole_screen_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Textual's restyle at the first resume nothing is styled otherwise: styling
    every widget again as the first frame is drawn changes none of them."""
    cache, _ = await warm_cache(tmp_path)
    compared: list[tuple[object, object]] = []
    original_start = LoadView.start

    def compare_then_start(view: LoadView) -> None:
        if not view.started:
            screen = view.host.app.screen
            first = styles_of(screen)
            screen.app.update_styles(screen, animate=False)
            compared.append((first, styles_of(screen)))
        original_start(view)

    monkeypatch.setattr(LoadView, "start", compare_then_start)
    app = make_app(state_path=tmp_path / "s.db", cache_path=cache)
    async with app.run_test() as pilot:
        await pilot.pause()
    [(first, restyled)] = compared
    assert first == restyled


def test_the_collector_is_off_while_the_app_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader` starts the app with the cyclic collector off (it walked the start's objects
    ~150 times before the first frame), and it is on again once the app has run."""
    enabled: list[bool] = []
    monkeypatch.setattr(ReaderApp, "run", lambda app: enabled.append(gc.isenabled()))
    try:
        arguments = [str(sample_feed_path()), "--state", str(tmp_path / "s.db"), "--no-cache"]
        assert cli.main(arguments) == 0
        assert enabled == [False]
        assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_collector_is_on_again_once_the_first_frame_is_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off for the start (as `reader` runs the app), on from just after the first frame,
    before the load goes on (its threads pause it as they build the rows), with what the
    start made frozen (never walked again), and run less often than Python's default."""
    cache, _ = await warm_cache(tmp_path)
    on_at_load: list[bool] = []
    original_start = LoadView.start

    def record_then_start(view: LoadView) -> None:
        on_at_load.append(gc.isenabled())
        original_start(view)

    monkeypatch.setattr(LoadView, "start", record_then_start)
    app = make_app(state_path=tmp_path / "s.db", cache_path=cache)
    thresholds = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's own (another app of this process may have set them)
    gc.disable()
    try:
        async with app.run_test() as pilot:
            await wait_loaded(pilot)
            assert gc.isenabled()
            assert on_at_load and all(on_at_load)
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == COLLECTOR_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.enable()


async def test_the_marks_in_the_first_frame_are_the_states(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of the first frame already show which are read and which starred (the
    state's check of its file comes after that frame)."""
    cache, best = await warm_cache(tmp_path)
    state = tmp_path / "s.db"
    with StateStore.open(state) as store:
        store.set_read_many(best[:2])
        store.set_starred(best[1])
        store.set_starred(best[3])
    first_frame: list[list[tuple[str, str]]] = []
    original_start = LoadView.start

    def record_then_start(view: LoadView) -> None:
        rows = view.host.query_one(ArticleList)
        if not view.started:
            shown = [(a.id, rows.render_line(n).text[:2]) for n, a in enumerate(rows.articles)]
            first_frame.append(shown[:5])
        original_start(view)

    monkeypatch.setattr(LoadView, "start", record_then_start)
    app = make_app(state_path=state, cache_path=cache)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
    [rows] = first_frame
    assert rows == [
        (best[0], "  "),
        (best[1], " ★"),
        (best[2], "● "),
        (best[3], "●★"),
        (best[4], "● "),
    ]


async def test_a_pane_taking_the_focus_is_styled_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list and the sidebar are restyled once as they take or lose the focus (a rule
    naming them with `:focus-within` had Textual style each twice: the list twice more
    before the first frame), and the detail still shows the focus inside it."""
    from reader.ui.widgets.topic_sidebar import TopicSidebar

    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        rows, sidebar = app.query_one(ArticleList), app.query_one(TopicSidebar)
        styled: list[DOMNode] = []
        original_apply = Stylesheet.apply

        def apply(sheet: Stylesheet, node: DOMNode, **options: object) -> None:
            styled.append(node)
            original_apply(sheet, node, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(Stylesheet, "apply", apply)
        sidebar.focus()
        await pilot.pause()
        assert (styled.count(sidebar), styled.count(rows)) == (1, 1)
        assert sidebar.styles.border_top[1] != rows.styles.border_top[1]  # the focused one's
        styled.clear()
        rows.focus()
        await pilot.pause()
        assert (styled.count(sidebar), styled.count(rows)) == (1, 1)
        detail = app.query_one(DetailPane)
        await pilot.press("enter")  # the detail (or a part inside it) takes the focus
        await pilot.pause()
        assert detail.has_focus_within
        focused_border = detail.styles.border_top[1]
        assert focused_border != rows.styles.border_top[1] == sidebar.styles.border_top[1]
