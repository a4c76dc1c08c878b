"""`reader list` and `reader check`, called in-process (plus one run of the console script)."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__, cli
from reader.cli import main
from reader.core.export import display_width

ARTICLES = {
    "best.md": """---
title: "The best article, with a title long enough to be cut in a narrow table of sixty columns"
excerpt: "An excerpt&nbsp;&#038; more"
publishedDateTime: 2021-04-09T11:00:00-07:00
webUrl: "https://news.example/best"
quality: 90
heat: 12
provider:
  name: "A Provider With A Rather Long Name Indeed"
  domain: news.example
topics: [AI, Computer Vision]
related:
  - title: "Related one"
    webUrl: "https://other.example/r1"
    publishedDateTime: 2021-04-08T10:00:00Z
    quality: 40
    provider: {name: Other, domain: other.example}
  - title: "Related without a date"
---
Body of the best article.
""",
    "middle.md": """---
title: "日本語のとても長いタイトルが狭い表でも幅に収まることを確認する"
publishedDateTime: 2020-01-01
webUrl: "https://news.example/middle"
quality: 50
---
""",
    "sub/undated.txt": """---
title: Undated and unrated
---
""",
}
EXPECTED_TITLES_IN_ORDER = [
    "The best article, with a title long enough to be cut in a narrow table of sixty columns",
    "日本語のとても長いタイトルが狭い表でも幅に収まることを確認する",
    "Undated and unrated",
]


def make_feed(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    return make_feed(tmp_path / "feed", ARTICLES)


@pytest.fixture
def broken_feed(tmp_path: Path) -> Path:
    files = {
        **ARTICLES,
        "bad.md": "no front matter here\n",
        "odd.md": "---\ntitle: Odd\nquality: high\n---\n",
        "yaml.md": "---\ntitle: ok\nfoo: : bar\n---\n",
    }
    return make_feed(tmp_path / "broken", files)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def list_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    status, out, _ = run(["list", *argv, "--format", "json"], capsys)
    assert status == 0
    records = json.loads(out)
    assert isinstance(records, list)
    return records


# --- help and version -------------------------------------------------------------------------


def test_help_documents_list_and_check(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "reader list" in out
    assert "reader check" in out
    assert "reader serve" in out
    assert "READER_FEED" in out


@pytest.mark.parametrize("command", ["list", "check", "serve"])
def test_each_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"reader {command}" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"reader {__version__}"


# --- reader list --------------------------------------------------------------------------------


def test_list_json_shape(feed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = list_json([str(feed)], capsys)
    assert [r["title"] for r in records] == EXPECTED_TITLES_IN_ORDER
    for record in records:
        assert {
            "id",
            "path",
            "title",
            "url",
            "provider",
            "published",
            "quality",
            "heat",
            "topics",
            "excerpt",
            "related",
        } <= set(record)
        assert isinstance(record["id"], str) and record["id"]
        assert Path(str(record["path"])).is_file()
        assert record["published"] is None or re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(record["published"])
        )
        assert isinstance(record["topics"], list)
    best, middle, undated = records
    assert best["url"] == "https://news.example/best"
    assert best["provider"] == "A Provider With A Rather Long Name Indeed"
    assert best["published"] == "2021-04-09T18:00:00Z"  # -07:00 shown in UTC
    assert (best["quality"], best["heat"]) == (90, 12)
    assert best["topics"] == ["AI", "Computer Vision"]
    assert best["excerpt"] == "An excerpt\u00a0& more"
    assert best["related"] == [
        {
            "title": "Related one",
            "url": "https://other.example/r1",
            "provider": "Other",
            "published": "2021-04-08T10:00:00Z",
            "quality": 40,
        },
        {
            "title": "Related without a date",
            "url": None,
            "provider": None,
            "published": None,
            "quality": None,
        },
    ]
    assert middle["published"] == "2020-01-01T00:00:00Z"
    assert (
        undated["url"],
        undated["provider"],
        undated["published"],
        undated["quality"],
        undated["heat"],
    ) == (None,) * 5
    assert undated["related"] == [] and undated["topics"] == []


@pytest.mark.parametrize(("limit", "count"), [("1", 1), ("2", 2), ("99", 3)])
def test_list_limit(feed: Path, capsys: pytest.CaptureFixture[str], limit: str, count: int) -> None:
    records = list_json([str(feed), "--limit", limit], capsys)
    assert [r["title"] for r in records] == EXPECTED_TITLES_IN_ORDER[:count]


@pytest.mark.parametrize("limit", ["-1", "0"])
@pytest.mark.parametrize("output", ["table", "json", "jsonl", "tsv"])
def test_a_limit_below_one_is_a_usage_error(
    feed: Path, capsys: pytest.CaptureFixture[str], limit: str, output: str
) -> None:
    # 0 would print nothing, or a table's header alone: a limit computed as 0 is a mistake.
    status, out, err = run(["list", str(feed), "--limit", limit, "--format", output], capsys)
    assert (status, out) == (2, "")
    assert f"reader list: error: --limit must be 1 or more, not {limit}" in err


def test_list_json_lines_has_one_object_a_line(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["list", str(feed), "--format", "jsonl"], capsys)
    lines = out.splitlines()
    assert status == 0 and out.endswith("\n") and len(lines) == len(ARTICLES)
    assert [json.loads(line) for line in lines] == list_json([str(feed)], capsys)
    status, out, _ = run(["list", str(feed), "--format", "jsonl", "-q", "nothing-has-it"], capsys)
    assert (status, out) == (0, "")  # no article, no line (the array prints [])


def test_list_tsv(feed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["list", str(feed), "--format", "tsv"], capsys)
    assert status == 0
    header, *rows = out.rstrip("\n").split("\n")
    assert header.split("\t") == ["quality", "published", "provider", "title", "url"]
    assert [row.split("\t") for row in rows] == [
        [
            "90",
            "2021-04-09T18:00:00Z",
            "A Provider With A Rather Long Name Indeed",
            EXPECTED_TITLES_IN_ORDER[0],
            "https://news.example/best",
        ],
        [
            "50",
            "2020-01-01T00:00:00Z",
            "",
            EXPECTED_TITLES_IN_ORDER[1],
            "https://news.example/middle",
        ],
        ["", "", "", EXPECTED_TITLES_IN_ORDER[2], ""],
    ]


def pretend_a_terminal(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    """stdout (captured) says it is a terminal of `columns` columns."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_the_table_fits_the_terminal_width(
    feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    pretend_a_terminal(monkeypatch, columns)
    status, out, _ = run(["list", str(feed)], capsys)
    assert status == 0
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 1 + len(ARTICLES)
    assert max(display_width(line) for line in lines) <= columns
    assert "Title" in lines[0]
    assert "90" in lines[1] and "09 Apr 2021" in lines[1]


def test_a_huge_quality_does_not_widen_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_feed(tmp_path, {"q.md": "---\ntitle: Big numbers\nquality: 12345678901234567890\n---\n"})
    pretend_a_terminal(monkeypatch, 60)
    _, out, _ = run(["list", str(tmp_path)], capsys)
    assert max(display_width(line) for line in out.splitlines()) <= 60


@pytest.mark.parametrize("columns", ["40", "80"])
def test_the_table_is_whole_when_not_a_terminal(
    feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)  # a width is known, but the output is a pipe or a file
    status, out, _ = run(["list", str(feed)], capsys)
    assert status == 0
    header, *rows = out.rstrip("\n").split("\n")
    assert "…" not in out
    for row, title in zip(rows, EXPECTED_TITLES_IN_ORDER, strict=True):
        assert row.endswith("  " + title)
    assert "A Provider With A Rather Long Name Indeed" in rows[0]
    title_at = header.index("Title")
    assert [
        display_width(row[: row.index(title)])
        for row, title in zip(rows, EXPECTED_TITLES_IN_ORDER, strict=True)
    ] == [title_at] * 3


def test_a_whole_table_keeps_a_huge_quality_and_aligns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_feed(
        tmp_path,
        {
            "q.md": "---\ntitle: Big\nquality: 12345678901234567890\n---\n",
            "r.md": "---\ntitle: Small\nquality: 7\n---\n",
        },
    )
    _, out, _ = run(["list", str(tmp_path)], capsys)
    header, big, small = out.rstrip("\n").split("\n")
    assert big.startswith("12345678901234567890 ")
    assert header.index("Title") == big.index("Big") == small.index("Small")


def test_feed_defaults_to_the_environment(
    feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_FEED", str(feed))
    assert [r["title"] for r in list_json([], capsys)] == EXPECTED_TITLES_IN_ORDER
    status, out, _ = run(["check"], capsys)
    assert (status, out) == (0, "3 articles, 0 errors, 0 warnings\n")


@pytest.mark.parametrize("command", ["list", "check", "serve"])
def test_a_missing_feed_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "nowhere"
    status, out, err = run([command, str(missing)], capsys)
    assert status == 2
    assert out == ""
    assert f"reader {command}: error: feed not found: {missing}" in err
    assert "Traceback" not in err


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[argparse.Namespace]:
    """Every runner (the app's and each command's) replaced by a recorder of its arguments."""
    calls: list[argparse.Namespace] = []

    def record(args: argparse.Namespace) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(cli, "run_app", record)
    for name, (make_parser, _) in list(cli.SUBCOMMANDS.items()):
        monkeypatch.setitem(cli.SUBCOMMANDS, name, (make_parser, record))
    return calls


@pytest.mark.parametrize(
    ("word", "meant"), [("lst", "list"), ("chek", "check"), ("sevre", "serve"), ("List", "list")]
)
def test_a_mistyped_command_is_named(
    word: str,
    meant: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ran: list[argparse.Namespace],
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run([word, "--format", "json"], capsys)
    assert (status, out, ran) == (2, "", [])
    assert err == f"reader: error: feed not found: {word} (did you mean `reader {meant}`?)\n"


def test_a_folder_named_like_a_command_is_opened_as_the_feed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ran: list[argparse.Namespace],
) -> None:
    make_feed(tmp_path / "lst", ARTICLES)
    monkeypatch.chdir(tmp_path)
    assert run(["lst"], capsys) == (0, "", "")
    assert [args.feed for args in ran] == ["lst"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--read", "0"],  # was --read-after 0
        ["list", "--form", "json"],
        ["list", "--lim", "1"],
        ["check", "--no-c"],
        ["config", "--in"],
        ["import", "feed.xml", "--in", "folder"],
        ["serve", "--po", "9000"],
    ],
)
def test_an_option_is_taken_only_spelled_in_full(
    argv: list[str], capsys: pytest.CaptureFixture[str], ran: list[argparse.Namespace]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2 and ran == []
    abbreviated = next(word for word in reversed(argv) if word.startswith("--"))
    assert f"unrecognized arguments: {abbreviated}" in capsys.readouterr().err


@pytest.mark.parametrize(("bad", "said"), [(1, "1 file skipped"), (3, "3 files skipped")])
def test_list_says_how_many_files_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: int, said: str
) -> None:
    root = make_feed(
        tmp_path / "feed", {**ARTICLES, **{f"bad{i}.md": "no front matter\n" for i in range(bad)}}
    )
    records = list_json([str(root)], capsys)  # reads stdout: still pure JSON
    assert [r["title"] for r in records] == EXPECTED_TITLES_IN_ORDER
    status, out, err = run(["list", str(root)], capsys)
    assert status == 0 and len(out.splitlines()) == 1 + len(ARTICLES)
    assert err == f"reader list: {said}; run `reader check {root}` for the reasons\n"


def test_list_of_a_file_that_is_no_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4 not an article")
    status, out, err = run(["list", str(notes)], capsys)
    assert status == 0
    assert out.splitlines() == ["   Q Date        Provider  Title"]
    assert "1 file skipped" in err and f"`reader check {notes}`" in err


def test_list_quotes_the_check_command_for_the_shell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_feed(tmp_path / "my feed", {"bad.md": "nothing\n"})
    _, _, err = run(["list", str(root)], capsys)
    assert f"run `reader check '{root}'`" in err


@pytest.mark.parametrize(
    "files",
    [{}, {"notes.html": "<p>hi</p>", "sub/data.json": "{}", ".hidden/a.md": ARTICLES["best.md"]}],
)
def test_list_of_a_folder_without_article_files_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    root = make_feed(tmp_path / "empty", files)
    root.mkdir(exist_ok=True)
    status, out, err = run(["list", str(root), "--format", "json"], capsys)
    assert (status, json.loads(out)) == (0, [])
    assert err == f"reader list: no article files (.md, .markdown, .txt) were found in {root}\n"


@pytest.mark.parametrize("given", [".", "./"])
def test_the_feed_given_as_the_current_folder_lists_the_same_paths_cached_or_not(
    given: str, feed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(feed)
    parsed = list_json(["--no-cache", given], capsys)
    built = list_json([given], capsys)  # the first build, through the parse workers
    cached = list_json([given], capsys)  # read back from the cache
    paths = sorted(str(record["path"]) for record in parsed)
    assert paths == sorted(str(Path(name)) for name in ARTICLES)
    assert built == parsed
    assert cached == parsed


# --- reader check -------------------------------------------------------------------------------


def test_check_without_errors_exits_0(feed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["check", str(feed)], capsys)
    assert status == 0
    assert out == "3 articles, 0 errors, 0 warnings\n"


def test_check_prints_one_line_per_problem_and_a_summary(
    broken_feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["check", str(broken_feed)], capsys)
    assert status == 1
    *problems, summary = out.rstrip("\n").split("\n")
    assert summary == "4 articles, 2 errors, 1 warning"
    parsed = [re.fullmatch(r"(.+): (error|warning): (.+)", line) for line in problems]
    assert all(parsed), problems
    found = {(Path(m[1]).name, m[2]) for m in parsed if m}
    assert found == {("bad.md", "error"), ("yaml.md", "error"), ("odd.md", "warning")}
    assert any(
        line.startswith(str(broken_feed / "yaml.md")) and line.endswith("(line 3)")
        for line in problems
    )


def test_check_with_only_warnings_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_feed(tmp_path, {"odd.md": "---\ntitle: Odd\nquality: high\n---\n"})
    status, out, _ = run(["check", str(tmp_path)], capsys)
    assert status == 0
    assert out.endswith("1 article, 0 errors, 1 warning\n")


@pytest.mark.parametrize("files", [{}, {"notes.html": "<p>hi</p>", "README": "read me"}])
def test_check_of_a_folder_without_article_files_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    root = make_feed(tmp_path / "empty", files)
    root.mkdir(exist_ok=True)
    status, out, err = run(["check", str(root)], capsys)
    assert status == 1
    assert out == ""
    assert err == f"reader check: no article files (.md, .markdown, .txt) were found in {root}\n"


def test_check_of_a_folder_of_broken_files_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_feed(tmp_path, {"bad.md": "no front matter\n"})
    status, out, err = run(["check", str(tmp_path)], capsys)
    assert (status, err) == (1, "")
    assert out.endswith("0 articles, 1 error, 0 warnings\n")


def test_the_console_script_checks_a_feed(broken_feed: Path) -> None:
    script = Path(sys.executable).with_name("reader")
    if not script.exists():
        script = Path(shutil.which("reader") or "reader")
    result = subprocess.run(
        [str(script), "check", str(broken_feed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.rstrip("\n").endswith("4 articles, 2 errors, 1 warning")
    assert f"{broken_feed / 'bad.md'}: error: no front matter" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["list", "mark"])
def test_a_state_given_with_a_tilde_after_an_equals_sign_is_the_one_checked_and_opened(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # `--state=~/s.db` reaches the reader unexpanded by the shell: checked and opened alike.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    argv = ["list", str(feed), "--no-cache"] if command == "list" else ["mark", "--star", "x"]
    assert main([*argv, "--state=~/s.db"]) == 0
    assert (home / "s.db").is_file() and not (tmp_path / "~").exists()
