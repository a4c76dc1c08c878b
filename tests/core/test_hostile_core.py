"""Hostile input, without a terminal: every attack in `fixtures/hostile/` is named by
`reader check`, nothing raises, and what loads carries no control characters or unsafe links.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from reader.cli import main
from reader.core.loader import MAX_FILE_BYTES, load_feed, parse_file
from reader.core.model import Article, Provider, printable
from reader.core.sanitize import is_safe_url

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
ESCAPE_NAME = "name_\x1b]0;pwned\x07_\x9b.md"

# file -> (the worst severity `reader check` reports, a piece of one of its reasons);
# (None, None): a valid article with nothing to report (the danger is for the UI).
EXPECTED: dict[str, tuple[str | None, str | None]] = {
    "markup_title.md": (None, None),
    "markup_every_field.md": (None, None),
    "merge_key_bomb.md": (None, None),
    "bom_crlf.md": (None, None),
    "escape_sequences.md": ("warning", "'title' contains control characters"),
    "bad_urls.md": ("warning", "'webUrl' is not a link the reader opens (only http and https"),
    "amplified_aliases.md": ("warning", "'title' is 2,200 characters long; cut to 1,000"),
    "recursive_aliases.md": ("warning", "a topic is a list"),
    "wrong_types.md": ("warning", "'quality' is text ('high')"),
    "impossible_values.md": ("warning", "'publishedDateTime' is text ('2021-02-30T25:61:00Z')"),
    "latin1.md": ("warning", "not valid UTF-8"),
    "alias_bomb.md": ("error", "the title is a list, not text"),
    "deep_nesting.md": ("error", "nest"),
    "python_tag.md": ("error", "python/object/apply"),
    "huge_number.md": ("error", "a number too long to read"),
    "invalid_yaml.md": (
        "error",
        "not valid YAML: mapping values are not allowed in this context (line 4)",
    ),
    "list_front_matter.md": ("error", "front matter is a list"),
    "scalar_front_matter.md": ("error", "front matter is text"),
    "empty_front_matter.md": ("error", "front matter is empty"),
    "no_front_matter.md": ("error", "no front matter"),
    "unclosed_front_matter.md": ("error", "not closed"),
    "binary.md": ("error", "binary"),
    # Made in the temporary copy only:
    "oversized.md": ("error", "too large"),
    ESCAPE_NAME: ("error", "no front matter"),
}
LOADABLE = {name for name, (severity, _) in EXPECTED.items() if severity != "error"}


def _copy_of_the_fixtures(folder: Path) -> Path:
    """The fixtures and what is not committed: a symlink loop, an oversized file, a hostile name."""
    feed = folder / "hostile"
    shutil.copytree(HOSTILE, feed)
    (feed / "loop").symlink_to(".")
    with (feed / "oversized.md").open("wb") as handle:
        handle.write(b"---\ntitle: Oversized\nwebUrl: https://hostile.example/oversized\n---\n")
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: cheap to make, never read
    (feed / ESCAPE_NAME).write_text("A file whose name sets the window title.\n")
    return feed


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_of_the_fixtures(tmp_path_factory.mktemp("hostile"))


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    return status, out.getvalue()


@pytest.fixture(scope="module")
def check_output(feed: Path) -> tuple[int, str]:
    return _run(["check", str(feed)])


@pytest.fixture(scope="module")
def loaded(feed: Path) -> dict[str, Article]:
    return {Path(a.path).name: a for a in load_feed(feed).articles}


def test_every_fixture_is_expected() -> None:
    committed = {path.name for path in HOSTILE.iterdir() if not path.name.startswith(".")}
    assert committed == set(EXPECTED) - {"oversized.md", ESCAPE_NAME}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_names_each_fixture_with_its_reason(
    feed: Path, check_output: tuple[int, str], name: str
) -> None:
    status, out = check_output
    assert status == 1
    prefix = printable(str(feed / name)) + ": "
    lines = [line[len(prefix) :] for line in out.splitlines() if line.startswith(prefix)]
    severity, reason = EXPECTED[name]
    if severity is None or reason is None:  # (None, None): nothing to report
        assert lines == []
        return
    assert any(line.startswith(f"{severity}: ") and reason in line for line in lines), lines
    if severity == "warning":
        assert not any(line.startswith("error: ") for line in lines), lines
    else:
        assert len(lines) == 1, lines  # one error, no warnings about a file that gave nothing


def test_check_prints_no_control_characters(check_output: tuple[int, str]) -> None:
    _, out = check_output
    assert [ch for ch in out if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"] == []
    assert "name_\\x1b]0;pwned\\x07_\\x9b.md: error: no front matter" in out


def test_list_json_lists_exactly_the_loadable_files(feed: Path) -> None:
    status, out = _run(["list", str(feed), "--format", "json"])
    assert status == 0
    paths = [Path(record["path"]) for record in json.loads(out)]
    assert sorted(path.name for path in paths) == sorted(LOADABLE)
    assert all(path.parent == feed for path in paths)  # nothing twice through the loop


def test_the_whole_copy_loads_once_through_the_loop(feed: Path) -> None:
    result = load_feed(feed)
    assert sorted(Path(a.path).name for a in result.articles) == sorted(LOADABLE)
    assert {Path(p.path).name for p in result.errors} == set(EXPECTED) - LOADABLE
    assert not any("loop" in p.path or "same URL" in p.reason for p in result.problems)


def test_the_alias_bomb_is_not_expanded(feed: Path) -> None:
    article, problems = parse_file(feed / "alias_bomb.md", feed)
    assert article is None
    assert [(p.severity.value, p.reason) for p in problems] == [
        ("error", "the title is a list, not text")
    ]


def test_amplified_aliases_are_cut(loaded: dict[str, Article]) -> None:
    article = loaded["amplified_aliases.md"]
    assert len(article.related) == 500
    assert all(len(link.title) <= 1_000 and len(link.excerpt) == 2_199 for link in article.related)
    assert len(article.topics) == 1


def test_markup_is_kept_as_plain_text_for_the_ui_to_escape(loaded: dict[str, Article]) -> None:
    article = loaded["markup_every_field.md"]
    markup = "[/] [@click=app.quit]click me[/] [link=https://evil.example]x[/link] a[/ [b]bold[/b]"
    assert article.title == f"title {markup}"
    assert article.excerpt == f"excerpt {markup}"
    assert article.provider_name == f"provider {markup}"
    assert article.topics == (
        "[/]",
        "[@click=app.quit]click me[/]",
        "[link=https://evil.example]x[/link]",
        "a[/",
    )
    assert article.related[0].title == f"related title {markup}"
    assert article.related[0].provider_name == f"related provider {markup}"
    assert markup in article.body


def test_escape_sequences_are_removed(loaded: dict[str, Article]) -> None:
    article = loaded["escape_sequences.md"]
    assert article.title == "Window title ]0;pwned and colours [31mred[0m"
    assert article.excerpt == "Clipboard write ]52;c;aGVsbG8=, C1 CSI 2J, DEL , bidi evil"
    assert article.provider == Provider("Provider [5mblink[0m", "escape.example")


def test_bad_urls_never_reach_the_article(loaded: dict[str, Article]) -> None:
    article = loaded["bad_urls.md"]
    assert (article.url, article.original_url, article.amp_url, article.cdn_amp_url) == (None,) * 4
    assert article.images == ()
    assert [(link.title, link.url) for link in article.related if link.url] == [
        ("The one good link", "https://ok.example/fine")
    ]
    assert "javascript:alert(1)" in article.body  # body links are Markdown: the UI gates them


def _shown_text(article: Article) -> list[str]:
    texts = [
        article.title,
        article.excerpt,
        article.body,
        article.provider_name,
        article.provider_domain,
        article.type,
    ]
    texts += [article.category, *article.topics]
    for link in article.related:
        texts += [link.title, link.excerpt, link.provider_name, link.type]
    return texts


def _links(article: Article) -> list[str]:
    links = [article.url, article.original_url, article.amp_url, article.cdn_amp_url]
    links += [image.url for image in article.images] + [link.url for link in article.related]
    return [link for link in links if link is not None]


# Unicode category Cc (C0, DEL, C1) bar tab and newline, and the bidi overrides and isolates.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _unsafe_chars(text: str) -> list[str]:
    return UNSAFE_CHARS.findall(text)


def test_what_loads_has_no_control_characters_and_only_safe_links(
    loaded: dict[str, Article],
) -> None:
    for name, article in loaded.items():
        assert [text for text in _shown_text(article) if _unsafe_chars(text)] == [], name
        assert [link for link in _links(article) if not is_safe_url(link)] == [], name


# --- fuzzing --------------------------------------------------------------------------------------

YAML_TOKENS = [
    "---\n", "title: ", "topics: ", "related:\n", "  - ", "- ", "? ", ": ", "<<: ", "&a ", "*a ",
    "!!binary ", "!!python/name:os.system ", "!!timestamp ", "!!int ", "!!float ", "!!set ",
    "[", "]", "{", "}", ",", "'", '"', "\\e", "\\x9b", "\n", "\r\n", "\t", " ", "#", "|\n", ">-\n",
    "2021-02-30", "2021-04-09T11:00:00+99:00", "0x", "9" * 30, ".nan", "~", "null", "yes",
    "\ufeff", "\x00", "\x1b", "\x9b", "é", "日本", "webUrl: ", "javascript:",
]  # fmt: skip

FILE_BYTES = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=200).map(lambda data: b"---\n" + data + b"\n---\n"),
    st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map(
        lambda tokens: ("---\n" + "".join(tokens) + "\n---\n").encode("utf-8")
    ),
    st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map(
        lambda tokens: "".join(tokens).encode("utf-8")
    ),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=FILE_BYTES)
def test_any_bytes_never_raise_out_of_parse_file(scratch: Path, data: bytes) -> None:
    path = scratch / "fuzz.md"
    path.write_bytes(data)
    article, problems = parse_file(path, scratch)
    assert (article is None) == any(p.severity.value == "error" for p in problems)
    if article is not None:
        assert [text for text in _shown_text(article) if _unsafe_chars(text)] == []
        assert [link for link in _links(article) if not is_safe_url(link)] == []


FIELDS = ("title", "excerpt", "provider", "topic", "related title", "related excerpt", "webUrl")


def _front_matter(field: str, value: str) -> dict[str, object]:
    data: dict[str, object] = {"title": "Fuzzed"}
    if field == "provider":
        data["provider"] = {"name": value, "domain": value}
    elif field == "topic":
        data["topics"] = [value, "AI"]
    elif field.startswith("related "):
        data["related"] = [{"title": "Related", field.split()[1]: value, "webUrl": value}]
    else:
        data[field] = value
    return data


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(field=st.sampled_from(FIELDS), value=st.text(max_size=80), body=st.text(max_size=80))
def test_any_string_in_any_field_loads_clean(
    scratch: Path, field: str, value: str, body: str
) -> None:
    front = yaml.safe_dump(_front_matter(field, value), default_style='"', width=10**9)
    path = scratch / "field.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8", errors="surrogatepass")
    article, problems = parse_file(path, scratch)
    if article is None:  # only an empty title, or a NUL byte in the body, may cost the article
        assert field == "title" or "\x00" in body, problems
        return
    assert [text for text in _shown_text(article) if _unsafe_chars(text)] == []
    assert [link for link in _links(article) if not is_safe_url(link)] == []
    if field == "title":
        assert article.title
