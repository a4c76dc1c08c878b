"""The config in the running app: a remapped key, the theme remembered, saved searches."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.widgets._footer import FooterKey

from app_helpers import SAMPLE_COUNT, SIZE, loaded_app, make_app, plain_text, settle
from reader.config_report import config_report
from reader.core.config import SavedSearch, Settings, default_config_path, parse_config
from reader.core.storage.state import StateStore
from reader.core.topics import search_key
from reader.ui.app import ReaderApp
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.themes import THEME_SETTING
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.topic_sidebar import TopicSidebar


def notices(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_a_remapped_key_runs_its_command_and_the_help_and_footer_show_it(
    tmp_path: Path,
) -> None:
    settings = Settings(keys={"feed.toggle_star": ("*",)}, origin=tmp_path / "config.toml")
    app = make_app(state_path=tmp_path / "s.db", settings=settings, read_after=0)
    async with loaded_app(app) as pilot:
        current = app.query_one(ArticleList).current
        assert current is not None
        await pilot.press("f")  # the default key no longer stars
        assert not app.feed.store.is_starred(current.id)
        await pilot.press("asterisk")
        assert app.feed.store.is_starred(current.id)
        footer = {key.description: key.key_display for key in app.query(FooterKey)}
        assert footer["Star"] == "*"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = [plain_text(widget) for widget in app.screen.query(".help-key")]
        assert "*" in keys and "f" not in keys


async def test_a_wrong_remap_is_said_once_and_the_default_key_stays(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    settings = Settings(keys={"feed.toggle_star": ("o",)}, origin=config)
    app = make_app(state_path=tmp_path / "s.db", settings=settings)
    async with loaded_app(app) as pilot:
        said = notices(app)
        assert len(said) == 1 and said[0].startswith(f"{config}: keys: 'o' would be bound")
        current = app.query_one(ArticleList).current
        assert current is not None
        await pilot.press("f")
        assert app.feed.store.is_starred(current.id)
        await pilot.press("r")  # a reload says nothing of the config again
        await settle(pilot)
        assert [n for n in notices(app) if "bound" in n] == said


async def test_the_theme_picked_is_remembered_and_the_configs_wins(tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    async with loaded_app(make_app(state_path=state)) as pilot:
        assert pilot.app.theme == "textual-dark"
        pilot.app.theme = "gruvbox"  # what the palette's theme picker does
        await pilot.pause()
    async with loaded_app(make_app(state_path=state)) as pilot:
        assert pilot.app.theme == "gruvbox"
    async with loaded_app(make_app(state_path=state, settings=Settings(theme="nord"))) as pilot:
        assert pilot.app.theme == "nord"
    settings = Settings(theme="no-such-theme")
    async with loaded_app(make_app(state_path=state, settings=settings)) as pilot:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        assert app.theme == "gruvbox"  # a wrong name in the config: the one last picked
        assert any("key 'theme': 'no-such-theme' is not a theme" in n for n in notices(app))


@pytest.mark.parametrize("configured", [False, True])
async def test_the_theme_at_start_is_in_force_from_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: bool
) -> None:
    """The remembered (or configured) theme is the one the styles are first parsed in: the
    feed's screen has its colours when it mounts, and no style is parsed again for it."""
    state = tmp_path / "s.db"
    with StateStore.open(state) as store:
        store.set_setting(THEME_SETTING, "gruvbox" if configured else "nord")
    reparsed: list[str] = []
    original_reparse = Stylesheet.reparse

    def reparse(stylesheet: Stylesheet) -> None:
        reparsed.append("reparse")
        original_reparse(stylesheet)

    monkeypatch.setattr(Stylesheet, "reparse", reparse)
    at_mount: list[tuple[str, Color]] = []
    original_mount = FeedScreen.on_mount

    def on_mount(screen: FeedScreen) -> None:
        at_mount.append((screen.app.theme, screen.styles.background))
        original_mount(screen)

    monkeypatch.setattr(FeedScreen, "on_mount", on_mount)
    settings = Settings(theme="nord") if configured else None
    async with loaded_app(make_app(state_path=state, settings=settings)) as pilot:
        nord = pilot.app.get_theme("nord")
        assert nord is not None and nord.background is not None
        assert at_mount == [("nord", Color.parse(nord.background))]
        assert reparsed == []


async def test_the_app_and_reader_config_take_and_refuse_the_same_themes(tmp_path: Path) -> None:
    """One check for both: what `reader config` refuses, the app refuses, with the same words,
    and a theme it shows as in force is the app's."""
    config = tmp_path / "config.toml"
    for theme, taken in (("nord", True), ("nrod", False), ("Nord", False)):
        load = parse_config(f'theme = "{theme}"\n', config)
        report = config_report(load, load.settings, tmp_path / "none.db")
        async with loaded_app(
            make_app(state_path=tmp_path / "s.db", settings=load.settings)
        ) as pilot:
            app = pilot.app
            assert isinstance(app, ReaderApp)
            assert (app.theme == theme) is taken
            assert [n for n in notices(app) if "theme" in n] == report.problems


async def test_saved_searches_are_in_the_sidebar_with_their_counts(tmp_path: Path) -> None:
    searches = (
        SavedSearch("Vision", 'topic:"computer vision"'),
        SavedSearch("Broken", "quality>>"),
    )
    app = make_app(state_path=tmp_path / "s.db", settings=Settings(searches=searches))
    async with loaded_app(app, size=SIZE) as pilot:
        sidebar = app.query_one(TopicSidebar)
        labels = [entry.label for entry in sidebar.entries]
        assert labels[:5] == ["All articles", "Unread", "Starred", "Vision", "Broken (bad query)"]
        vision = sidebar.entries[3]
        expected = [a for a in app.feed.library.summaries if "vision" in " ".join(a.topics).lower()]
        assert 0 < vision.count == len(expected) < SAMPLE_COUNT and vision.unread == vision.count
        app.feed.view_settings.show_topic(search_key(0))
        await pilot.pause()
        assert app.query_one(ArticleList).row_count == vision.count
        app.feed.view_settings.show_topic(search_key(1))
        await pilot.pause()
        article_list = app.query_one(ArticleList)
        assert article_list.row_count == 0
        assert "“Broken” does not parse" in article_list.empty_text
        assert "⌕ Vision" in sidebar.render_line(3).text


def test_the_configs_watch_key_is_what_the_app_follows_unless_told(tmp_path: Path) -> None:
    off = Settings(watch=False)
    assert ReaderApp(tmp_path, settings=off).follow_changes is False
    assert ReaderApp(tmp_path, settings=Settings()).follow_changes is True
    assert ReaderApp(tmp_path, settings=Settings(), watch=False).follow_changes is False


async def test_a_warm_start_in_the_configs_order_starts_at_the_top(tmp_path: Path) -> None:
    cache, state = tmp_path / "index.db", tmp_path / "s.db"
    async with loaded_app(make_app(state_path=state, cache_path=cache)):
        pass  # a first run fills the cache, and its head in the default order
    settings = Settings(sort="newest")
    app = make_app(state_path=state, cache_path=cache, settings=settings)
    async with loaded_app(app):
        article_list = app.query_one(ArticleList)
        dated = [(a.published, a.id) for a in app.feed.library.summaries if a.published]
        assert article_list.cursor == 0
        assert article_list.current is not None and article_list.current.id == max(dated)[1]


async def test_several_problems_at_start_are_one_notice_that_counts_them(tmp_path: Path) -> None:
    # Two from the file, one from the keys, one from the theme: four toasts stacked over
    # half the list, before; one notice now, naming the command that lists them.
    settings = Settings(theme="nrod", keys={"feed.sort": ("o",)}, origin=default_config_path())
    problems = ("problem 0", "problem 1")
    app = make_app(state_path=tmp_path / "s.db", settings=settings, notices=problems)
    async with loaded_app(app):
        assert notices(app) == [
            "The config file has 4 problems (their defaults are used): `reader config` lists them"
        ]
    config = tmp_path / "my config.toml"  # not the default: the command names it
    app = make_app(state_path=tmp_path / "s.db", settings=Settings(origin=config), notices=problems)
    async with loaded_app(app):
        assert notices(app) == [
            "The config file has 2 problems (their defaults are used): "
            f"`reader config --config '{config}'` lists them"
        ]


async def test_the_empty_lists_hints_name_the_remapped_keys(tmp_path: Path) -> None:
    keys = {"feed.hide_read": ("H",), "feed.filter": ("ctrl+s",), "feed.reload": ("R",)}
    settings = Settings(keys=keys, origin=tmp_path / "config.toml")
    app = make_app(state_path=tmp_path / "s.db", settings=settings, read_after=0)
    async with loaded_app(app) as pilot:
        articles = app.query_one(ArticleList)
        app.feed.palette.use_query("nothingmatchesthis")
        await pilot.pause()
        assert "escape clears it, ctrl+s edits it" in articles.empty_text
        app.feed.filtering.clear()
        app.feed.store.set_read_many([a.id for a in app.feed.library.summaries])
        await pilot.press("H")
        await pilot.pause()
        assert "Every article is read. H shows" in articles.empty_text
