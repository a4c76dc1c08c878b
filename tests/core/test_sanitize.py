"""Untrusted text made safe to show, and URLs checked before a browser sees them."""

from __future__ import annotations

import re
import sys
import unicodedata
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from examples import examples
from reader.core import sanitize
from reader.core.sanitize import (
    UnsafeUrl,
    check_url,
    check_url_fully,
    clean_line,
    clean_text,
    has_control_chars,
    is_safe_url,
    real_host,
)

NASTY = "a\x1b]0;pwned\x07b\x1b[31mc\x9bd\x7fe\x00f\x08g\u202eh\u2066i\u2069j"


def _invisible(text: str, allowed: str = "") -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf") and ch not in allowed]


def test_clean_text_removes_escape_c1_del_and_bidi_controls() -> None:
    assert clean_text(NASTY) == "a]0;pwnedb[31mcdefghij"


def test_clean_text_keeps_tabs_and_newlines_by_default() -> None:
    assert clean_text("one\ttwo\nthree\r\nfour\rfive") == "one\ttwo\nthree\nfour\nfive"


def test_clean_text_can_drop_newlines() -> None:
    assert clean_text("one\ntwo\tthree", keep_newlines=False) == "onetwothree"


def test_clean_line_makes_one_line() -> None:
    assert clean_line("  one\n two\t\tthree\r\nfour  ") == "one two three four"
    assert clean_line(NASTY) == "a]0;pwnedb[31mcdefghij"


def test_has_control_chars() -> None:
    assert has_control_chars("a\x1bb")
    assert has_control_chars("a\u202eb")
    assert not has_control_chars("tab\tand\nnewline é 日本")


BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@given(st.text())
def test_cleaned_text_has_no_controls_but_tab_and_newline(text: str) -> None:
    cleaned = clean_text(text)
    assert [ch for ch in cleaned if unicodedata.category(ch) == "Cc" and ch not in "\t\n"] == []
    assert BIDI.isdisjoint(cleaned)
    line = clean_line(text)
    assert [ch for ch in line if unicodedata.category(ch) == "Cc"] == []
    assert BIDI.isdisjoint(line)
    assert line == line.strip()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
        ("http://example.com", "http://example.com/"),
        ("HTTPS://Example.com/Path", "https://Example.com/Path"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://例え.jp/パス", "https://例え.jp/パス"),
    ],
)
def test_check_url_accepts_http_and_https_with_a_host(raw: str, expected: str) -> None:
    assert check_url(raw) == expected
    assert is_safe_url(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("javascript:alert(1)", "scheme"),
        ("JavaScript:alert(1)", "scheme"),
        # `//x/` makes it look like a link with a host; a browser still runs what follows
        # (the `%0A` ends the `//x/` comment): refused like every other script URL.
        ("javascript://x/%0Aalert(1)", "scheme: 'javascript:'"),
        ("JavaScript://x/%0Aalert(1)", "scheme: 'javascript:'"),
        ("vbscript://x/msgbox", "scheme: 'vbscript:'"),
        ("data://x/text", "scheme: 'data:'"),
        ("javascript%3A//x/", "scheme: none"),
        ("file:///etc/passwd", "scheme"),
        ("data:text/html,<script>alert(1)</script>", "scheme"),
        ("ftp://example.com/", "scheme"),
        ("//example.com/no-scheme", "scheme"),
        ("example.com/no-scheme", "scheme"),
        ("http:///x", "no host"),
        ("https://", "no host"),
        ("-new-window", "'-'"),
        ("--incognito https://example.com/", "'-'"),
        ("https://exa mple.com/", "spaces"),
        ("java\tscript:alert(1)", "spaces"),
        ("https://a.example\n.evil", "spaces"),
        ("https://a.example/\r\n", "spaces"),
        ("https://a.example/\x1b]0;x\x07", "control"),
        ("https://a.example/\x9b", "control"),
        ("https://a.example/\u202egpj.exe", "control"),
        ("https://a.example:port/", "malformed"),
        ("https://a.example:99999/", "malformed"),
        ("http://[::1/", "malformed"),
        ("", "no URL"),
        ("https://bank.example@evil.example/", "user name or password, .* goes to: evil.example$"),
        ("https://user:pw@example.com/", "user name or password, .* goes to: example.com$"),
        ("https://evil.example\\@bank.example/", "backslash .* goes to: evil.example$"),
        ("https://evil.example\\.bank.example/", "backslash .* goes to: evil.example$"),
    ],
)
def test_check_url_refuses_unsafe_urls(raw: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl, match=reason):
        check_url(raw)
    assert not is_safe_url(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "the article has no URL"),
        (None, "the article has no URL"),
        ("-x", "it starts with '-'"),
        ("https://a b/", "it contains spaces or control characters"),
        ("gopher://a/", "only http and https links are opened (scheme: 'gopher:')"),
        ("a/b", "only http and https links are opened (scheme: none)"),
        ("https:///a", "it has no host"),
    ],
)
def test_each_refusal_says_why_in_words(raw: object, message: str) -> None:
    """What the user reads in the notice, word for word."""
    with pytest.raises(UnsafeUrl) as refused:
        check_url(raw)
    assert str(refused.value) == message


@pytest.mark.parametrize("raw", [None, 42, ["https://example.com/"], b"https://example.com/"])
def test_check_url_refuses_what_is_not_text(raw: object) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(raw)


URLISH = st.one_of(
    st.text(),
    st.builds(
        lambda scheme, sep, rest: scheme + sep + rest,
        st.sampled_from(
            [
                "http",
                "https",
                "HTTP",
                "javascript",
                "file",
                "data",
                "",
                "h\ttp",
                "ht\ntps",
                " https",
                "-https",
            ]
        ),
        st.sampled_from([":", "://", ":/", ":///", "", "//"]),
        st.text(),
    ),
)


@settings(max_examples=examples(300))
@given(URLISH)
def test_check_url_only_ever_accepts_http_or_https(raw: str) -> None:
    try:
        accepted = check_url(raw)
    except UnsafeUrl:
        return
    parts = urlsplit(accepted)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.hostname
    assert not accepted.startswith("-")
    assert _invisible(accepted) == [] and not any(ch.isspace() for ch in accepted)


@pytest.mark.parametrize(
    ("netloc", "host"),
    [
        ("news.example", "news.example"),
        ("news.example:8080", "news.example:8080"),
        ("bank.example@evil.example", "evil.example"),
        ("a@b@evil.example", "evil.example"),
        ("user:bank.example@evil.example:443", "evil.example:443"),
        ("evil.example\\@bank.example", "evil.example"),
        ("evil.example\\x\\@bank.example", "evil.example"),
    ],
)
def test_real_host_is_where_a_browser_goes(netloc: str, host: str) -> None:
    assert real_host(netloc) == host


def test_no_printable_character_but_the_space_is_one_clean_line_changes() -> None:
    """Why `clean_line` may return a printable text as it is, unless spaces are doubled or
    at an end."""
    printable = "".join(
        ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isprintable() and ch != " "
    )
    assert not re.search(r"\s|[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", printable)


def _clean_line_in_full(text: str) -> str:
    """`clean_line` without its shortcut."""
    text = sanitize._BIDI_CONTROLS.sub(
        "", sanitize._CONTROL_CHARS.sub("", text.replace("\r", "\n"))
    )
    return sanitize._WHITESPACE_RUN.sub(" ", text).strip()


@given(st.text(alphabet=st.sampled_from("a é漢 \t\n\r\x00\x1b\x85\u00a0\u202e\u2028")) | st.text())
@example("a  b")
@example(" a")
@example("a ")
@settings(max_examples=examples(300))
def test_the_shortcut_of_clean_line_changes_nothing(text: str) -> None:
    assert clean_line(text) == _clean_line_in_full(text)


# --- the fast paths give the answers of the regular expressions ------------------------

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def reference_clean_text(text: str, keep_newlines: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pattern = _CONTROLS if keep_newlines else _CONTROLS_AND_NEWLINES
    return _BIDI.sub("", pattern.sub("", text))


def reference_has_control_chars(text: str) -> bool:
    return bool(_CONTROLS.search(text) or _BIDI.search(text))


def reference_clean_line(text: str) -> str:
    text = _BIDI.sub("", _CONTROLS.sub("", text.replace("\r", "\n")))
    return re.sub(r"\s+", " ", text).strip()


# Spaces, line breaks, controls, bidi and other format characters, separators, accents.
TRICKY_TEXT = st.text(
    alphabet=st.sampled_from(
        " \t\n\r\x0b\x0c\x1b\x1c\x7f\x85\x9f\xa0\xad\u2028\u2029\u202e\u2066\u200b\u3000\ufeff"
        "aé日\U0001f600-"
    )
)

# Text that takes the fast paths (printable), and text just off them.
PRINTABLE_TEXT = st.text(alphabet=" a-é日", max_size=12)
NEARLY_PRINTABLE = st.builds(
    lambda a, odd, b: a + odd + b,
    PRINTABLE_TEXT,
    st.sampled_from("\t\n\r\xa0\u202e"),
    PRINTABLE_TEXT,
)


@settings(max_examples=examples(1000))
@given(st.text() | TRICKY_TEXT | PRINTABLE_TEXT | NEARLY_PRINTABLE, st.booleans())
def test_the_text_fast_paths_equal_the_regular_expressions(text: str, keep: bool) -> None:
    assert clean_text(text, keep_newlines=keep) == reference_clean_text(text, keep)
    assert has_control_chars(text) == reference_has_control_chars(text)
    assert clean_line(text) == reference_clean_line(text)


def url_outcome(check: object, raw: object) -> object:
    assert callable(check)
    try:
        return check(raw)
    except UnsafeUrl as unsafe:
        return ("unsafe", str(unsafe))


def _prefixed(mark: str, alphabet: str) -> st.SearchStrategy[str]:
    """Nothing, the mark alone, or the mark and some text."""
    return st.just("") | st.just(mark) | st.text(alphabet=alphabet, max_size=5).map(mark.__add__)


# Schemes a browser runs or reads: next to the fast path's edge when written as `x://host/`.
SCRIPT_SCHEMES = ["javascript://", "JavaScript://", "vbscript://", "data://", "file://"]
# And spelled as they may come: a case, whitespace, a control, an escape, no slashes.
SPELLED_SCHEMES = [
    "JavaScript:",
    "javascript:",
    "java\tscript://",
    " javascript://",
    "javascript\n://",
    "\x00javascript://",
    "javascript%3A//",
    "jav&#x61;script://",
    "https\t://",
    "httpx://",
    "xhttp://",
    "http+javascript://",
    "https//",
]

# Links near the fast path's edge: odd schemes, hosts and ports, empty queries and fragments.
PLAIN_URLS = st.builds(
    lambda *parts: "".join(parts),
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "https:/", "https:"])
    | st.sampled_from(SCRIPT_SCHEMES + SPELLED_SCHEMES),
    st.text(alphabet="ab0.-", max_size=6)
    | st.sampled_from(["a:b", "a:80", "a:", "u@h", "[::1]", "[x]", "a\\b", "é.x", "a b", "-a"]),
    _prefixed("/", "a/%.-~!$&'()*+,;=:@\\é \t"),
    _prefixed("?", "a=&?/#é"),
    _prefixed("#", "a#?/ "),
)


@settings(max_examples=examples(2000))
@given(URLISH | PLAIN_URLS | PLAIN_URLS | PLAIN_URLS)
@example("javascript://x/%0Aalert(1)")
def test_the_url_fast_path_equals_every_check(raw: str) -> None:
    assert url_outcome(check_url, raw) == url_outcome(check_url_fully, raw)


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.example.com/2021/01/01/a-b-000661/",
        "https://www.example.com/x/?amp",
        "http://news.example/a?b=1&c=2#top",
        "https://a.example/%20x?q=a?b#f#g",
    ],
)
def test_plain_links_take_the_fast_path(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reader.core.sanitize.check_url_fully", None)  # not called
    assert check_url(raw) == raw
