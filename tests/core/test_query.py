"""The query language: every row of the syntax, errors with positions, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from query_helpers import NOW, FakeMarks, art
from reader.core.model import ArticleSummary
from reader.core.query import MARKS_UNAVAILABLE, Query, QueryError, field_hints, parse_query
from reader.core.query.index import SearchIndex
from reader.core.query.parse import AllOf, Not, Text, Topic

ARTICLES = [
    art("robot", "Robots learn to walk", excerpt="A new robot from the lab.",
        provider="Reason", domain="reason.com", topics=("AI", "Robotics"), quality=120,
        published=datetime(2024, 6, 15, 9, 0, tzinfo=UTC)),  # 3 hours before NOW
    art("malaga", "Fiesta en Málaga", body="Crónica de la feria.", provider="El País",
        domain="elpais.com", topics=("Culture",), quality=40,
        published=datetime(2021, 4, 1, 0, 0, tzinfo=UTC)),
    art("vision", "Seeing machines", excerpt="Two words about computer\nvision models.",
        provider="Wired", domain="wired.com", topics=("Computer Vision", "AI"), quality=60,
        published=datetime(2021, 4, 30, 23, 59, tzinfo=UTC)),
    art("climate", "Climate report", body="The climate is changing; open data helps the model.",
        provider="BBC News", domain="bbc.co.uk", topics=("Climate",), quality=0,
        published=datetime(2021, 5, 1, 0, 0, tzinfo=UTC)),
    art("nodate", "Open model release", excerpt="An open model for everyone.",
        provider="Reason", domain="reason.com", topics=("AI",), quality=None, published=None),
    art("old", "Économie et foo:bar", provider="Le Monde", domain="lemonde.fr",
        topics=("Économie",), quality=20, published=datetime(2020, 1, 1, tzinfo=UTC)),
]  # fmt: skip
MARKS = FakeMarks(read={"robot", "climate"}, starred={"vision", "old"})


def ids(query: str, marks: FakeMarks | None = MARKS) -> list[str]:
    parsed = parse_query(query, now=NOW)
    found = [a.id for a in parsed.filter(ARTICLES, marks)]
    # The two compiled functions agree, and a search index finds the same.
    assert found == [a.id for a in ARTICLES if parsed.matches(a, marks)]
    assert found == [a.id for a in parsed.filter(ARTICLES, marks, SearchIndex(ARTICLES))]
    return found


ALL = [a.id for a in ARTICLES]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # empty
        ("", ALL),
        ("   \t ", ALL),
        # words: title, excerpt, provider, domain, topics, body; case; accents
        ("robot", ["robot"]),
        ("ROBOT", ["robot"]),
        ("lab", ["robot"]),
        ("wired", ["vision"]),
        ("bbc.co.uk", ["climate"]),
        ("robotics", ["robot"]),
        ("feria", ["malaga"]),
        ("malaga", ["malaga"]),
        ("MÁLAGA", ["malaga"]),
        ("economie", ["old"]),
        ("cronica", ["malaga"]),
        ("open model", ["climate", "nodate"]),
        ("open model release", ["nodate"]),
        ("nothinglikethis", []),
        # phrases, including whitespace differences and accents
        ('"open model"', ["nodate"]),
        ('"computer vision"', ["vision"]),  # excerpt has a newline between the words
        ('"computer   vision models"', ["vision"]),
        ('"fiesta en malaga"', ["malaga"]),
        ('"model open"', []),
        ('""', ALL),
        # negation of every kind
        ("-robot", ["malaga", "vision", "climate", "nodate", "old"]),
        ('-"open model"', ["robot", "malaga", "vision", "climate", "old"]),
        ("-topic:ai", ["malaga", "climate", "old"]),
        ("-provider:reason", ["malaga", "vision", "climate", "old"]),
        ("-quality>=60", ["malaga", "climate", "nodate", "old"]),
        ("-after:2021-04-01", ["nodate", "old"]),
        ("-before:2021-05-01", ["robot", "climate", "nodate"]),
        ("-is:read", ["malaga", "vision", "nodate", "old"]),
        ("-is:starred", ["robot", "malaga", "climate", "nodate"]),
        ("--robot", ["robot"]),
        ("-topic:ai climate", ["climate"]),
        # topics: folded equality, quoted, not substring
        ("topic:ai", ["robot", "vision", "nodate"]),
        ("topic:AI", ["robot", "vision", "nodate"]),
        ("Topic:ai", ["robot", "vision", "nodate"]),
        ('topic:"computer vision"', ["vision"]),
        ('topic:"COMPUTER  Vision"', ["vision"]),
        ("topic:computer", []),
        ("topic:robot", []),
        ("topic:economie", ["old"]),
        # provider and its alias, name or domain, substring
        ("provider:reason", ["robot", "nodate"]),
        ("source:reason", ["robot", "nodate"]),
        ("provider:REA", ["robot", "nodate"]),
        ("provider:.co.uk", ["climate"]),
        ('provider:"el pais"', ["malaga"]),
        ('source:"bbc news"', ["climate"]),
        ("provider:nobody", []),
        # quality comparisons and the q alias; no quality never matches
        ("quality>=60", ["robot", "vision"]),
        ("quality>60", ["robot"]),
        ("quality<20", ["climate"]),
        ("quality<=20", ["climate", "old"]),
        ("quality=0", ["climate"]),
        ("quality=60", ["vision"]),
        ("q>=60", ["robot", "vision"]),
        ("Q<=20", ["climate", "old"]),
        ("quality:60", ["vision"]),
        ("quality:>=100", ["robot"]),
        ('quality>="60"', ["robot", "vision"]),
        ("quality>=0", ["robot", "malaga", "vision", "climate", "old"]),
        ("quality<1000", ["robot", "malaga", "vision", "climate", "old"]),
        # dates: after is inclusive of the day (UTC), before is strict; no date never matches
        ("after:2021-04-01", ["robot", "malaga", "vision", "climate"]),
        ("after:2021-04-02", ["robot", "vision", "climate"]),
        ("before:2021-05-01", ["malaga", "vision", "old"]),
        ("before:2021-04-01", ["old"]),
        ("after:2021-04-01 before:2021-05-01", ["malaga", "vision"]),
        ("after:1d", ["robot"]),
        ("after:2d", ["robot"]),
        ("after:0d", []),
        ("after:2h", []),
        ("after:3h", ["robot"]),
        ("after:1w", ["robot"]),
        ("after:4y", ["robot", "malaga", "vision", "climate"]),
        ("after:38m", ["robot"]),  # 38 * 30 days before NOW: 2021-05-02 12:00
        ("after:39m", ["robot", "vision", "climate"]),  # 2021-04-02 12:00
        ("before:1d", ["malaga", "vision", "climate", "old"]),
        ("before:4y", ["old"]),
        ("after:7D", ["robot"]),
        ('after:"2021-04-01"', ["robot", "malaga", "vision", "climate"]),
        # reading state
        ("is:read", ["robot", "climate"]),
        ("is:unread", ["malaga", "vision", "nodate", "old"]),
        ("is:starred", ["vision", "old"]),
        ("IS:Starred", ["vision", "old"]),
        ("is:unread is:starred", ["vision", "old"]),
        # OR, its precedence and chains
        ("robot OR malaga", ["robot", "malaga"]),
        ("robot OR malaga OR climate", ["robot", "malaga", "climate"]),
        ("open robot OR climate", ["climate"]),  # open AND (robot OR climate)
        ("robot OR climate open", ["climate"]),  # (robot OR climate) AND open
        ("topic:culture OR quality>=100", ["robot", "malaga"]),
        ("-topic:ai OR is:starred", ["malaga", "vision", "climate", "old"]),
        ('"open model" OR provider:wired', ["vision", "nodate"]),
        ("robot or malaga", []),  # lowercase `or` is a word
        ("robot -OR", ["robot"]),  # `-OR` is the negated word "or"
        # unknown prefixes are plain words searched as the whole text
        ("foo:bar", ["old"]),
        ("FOO:BAR", ["old"]),
        ("foo:baz", []),
        ("topic=ai", []),
        ("a>b", []),
    ],
)
def test_table(query: str, expected: list[str]) -> None:
    assert ids(query) == expected


def test_quoted_or_is_a_phrase_not_the_keyword() -> None:
    assert ids('"OR"') == ids("or") != []
    assert ids('robot "OR" malaga') == []


def test_no_marks_means_nothing_read_or_starred() -> None:
    assert ids("is:unread", marks=None) == ALL
    assert ids("is:read", marks=None) == []
    assert ids("is:starred", marks=None) == []


def test_uses_marks() -> None:
    assert parse_query("is:read").uses_marks
    assert parse_query("-is:starred").uses_marks
    assert parse_query("robot OR is:unread").uses_marks
    assert not parse_query("robot topic:ai quality>=3").uses_marks
    assert not parse_query("").uses_marks


def test_filter_keeps_order_and_accepts_any_sequence() -> None:
    backwards = tuple(reversed(ARTICLES))
    found = parse_query("topic:ai").filter(backwards)
    assert [a.id for a in found] == ["nodate", "vision", "robot"]
    assert isinstance(found, list)


def test_empty_query() -> None:
    query = parse_query("  ")
    assert query.is_empty
    assert not parse_query("x").is_empty
    assert query.filter(ARTICLES) == ARTICLES
    assert query.filter(ARTICLES) is not ARTICLES


def test_query_constructed_directly_parses() -> None:
    query = Query("robot OR malaga")
    assert [a.id for a in query.filter(ARTICLES)] == ["robot", "malaga"]
    assert Query("is:read").uses_marks
    with pytest.raises(QueryError):
        Query('"oops')
    assert Query("a") == parse_query("a")


def test_relative_dates_default_to_the_current_time() -> None:
    fresh = art("fresh", published=datetime.now(UTC) - timedelta(hours=1))
    stale = art("stale", published=datetime.now(UTC) - timedelta(days=3))
    assert parse_query("after:1d").filter([fresh, stale]) == [fresh]
    assert parse_query("before:1d").filter([fresh, stale]) == [stale]


def test_naive_now_is_utc() -> None:
    naive = parse_query("after:1d", now=NOW.replace(tzinfo=None))
    assert [a.id for a in naive.filter(ARTICLES)] == ["robot"]


def test_naive_published_is_taken_as_utc() -> None:
    naive = art("naive", published=datetime(2021, 4, 1, 0, 0))
    assert parse_query("after:2021-04-01").filter([naive, ARTICLES[0]]) == [naive, ARTICLES[0]]
    assert parse_query("before:2021-04-01").matches(naive) is False
    assert parse_query("-before:2021-04-01").matches(naive) is True


def test_matches_returns_bool() -> None:
    query = parse_query("is:read OR robot")
    assert query.matches(ARTICLES[0], MARKS) is True
    assert query.matches(ARTICLES[1], MARKS) is False


# --- Errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ('"open model', "unclosed quote", 0),
        ('robot "open', "unclosed quote", 6),
        ('topic:"computer vision', "unclosed quote", 6),
        ('-"x', "unclosed quote", 1),
        ("quality>=abc", "quality needs a number, got 'abc'", 9),
        ("robot q<x1", "quality needs a number, got 'x1'", 8),
        ("quality>=", "quality needs a number, got ''", 9),
        ("quality:>=1.5", "quality needs a number, got '1.5'", 10),
        (
            "after:notadate",
            "after: needs a date (YYYY-MM-DD) or an age like 7d, got 'notadate'",
            6,
        ),
        (
            "x before:2021-13-01",
            "before: needs a date (YYYY-MM-DD) or an age like 7d, got '2021-13-01'",
            9,
        ),
        ("after:7x", "after: needs a date (YYYY-MM-DD) or an age like 7d, got '7x'", 6),
        ("after:99999999999y", "after: age '99999999999y' is too large", 6),
        ("is:bogus", "is: must be one of read, unread, starred, got 'bogus'", 3),
        ("robot -is:", "is: must be one of read, unread, starred, got ''", 10),
        ("-", "'-' must be followed by a term, as in -word", 0),
        ("robot - climate", "'-' must be followed by a term, as in -word", 6),
        ("robot --", "'-' must be followed by a term, as in -word", 6),
        ("OR robot", "OR needs a term before it", 0),
        ("robot OR", "OR needs a term after it", 6),
        ("robot OR OR climate", "OR needs a term before it", 9),
        ("topic:", "topic: needs a topic, as in topic:ai", 6),
        ('topic:"  "', "topic: needs a topic, as in topic:ai", 7),
        ('topic:""', "topic: needs a topic, as in topic:ai", 7),
        ('quality:"high"', "quality needs a number, got 'high'", 9),
        ("source:", "source: needs a name, as in provider:reason", 7),
    ],
)
def test_errors(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query, now=NOW)
    assert caught.value.message == message
    assert caught.value.position == position
    assert str(caught.value) == f"{message} (at column {position + 1})"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("query", ["is:read", "robot -is:unread", "x OR is:starred"])
def test_is_without_marks_is_an_error(query: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query, marks_available=False)
    assert caught.value.message == MARKS_UNAVAILABLE
    assert query[caught.value.position :].startswith("is:")
    assert parse_query("robot topic:ai", marks_available=False).filter(ARTICLES)


@pytest.mark.parametrize(
    ("digits", "message"),
    [(30, "after: age '9...d' is too large"), (31, "after: needs a date"), (5000, "after: needs")],
)
def test_huge_ages_are_query_errors(digits: int, message: str) -> None:
    head, _, tail = message.partition("9...d")
    with pytest.raises(QueryError) as caught:
        parse_query(f"after:{'9' * digits}d")
    assert caught.value.position == 6
    assert caught.value.message.startswith(head) and caught.value.message.endswith(tail)


def test_huge_quality_is_a_query_error_or_a_number() -> None:
    assert parse_query("quality<" + "9" * 100).filter(ARTICLES)  # big but an int
    with pytest.raises(QueryError) as caught:
        parse_query("robot quality>=" + "9" * 5000)  # more digits than int() reads
    assert caught.value.message.startswith("quality needs a number, got '999")
    assert caught.value.position == 15


def test_first_error_wins() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query('quality>=x "open')
    assert caught.value.message.startswith("quality")


# --- Properties -------------------------------------------------------------------------

WORDS = ["robot", "Málaga", "malaga", "open", "model", "AI", "ai", "climate", "reason", "x"]
TOPICS = ["AI", "Climate", "Computer Vision", "Économie", "robotics"]
PROVIDERS = [("Reason", "reason.com"), ("El País", "elpais.com"), ("", ""), ("BBC", "bbc.co.uk")]

dates = st.none() | st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2024, 7, 1), timezones=st.just(UTC)
)


@st.composite
def articles(draw: st.DrawFn) -> list[ArticleSummary]:
    count = draw(st.integers(min_value=0, max_value=10))
    made = []
    for index in range(count):
        provider, domain = draw(st.sampled_from(PROVIDERS))
        made.append(
            art(
                f"a{index}",
                " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=5))),
                body=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=5))),
                provider=provider,
                domain=domain,
                topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))),
                quality=draw(st.none() | st.integers(min_value=0, max_value=160)),
                published=draw(dates),
            )
        )
    return made


@st.composite
def marks(draw: st.DrawFn) -> FakeMarks:
    known = [f"a{index}" for index in range(10)]
    return FakeMarks(
        read=set(draw(st.lists(st.sampled_from(known)))),
        starred=set(draw(st.lists(st.sampled_from(known)))),
    )


def _quoted(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values).map(lambda v: f'"{v}"' if " " in v else v)


positive_terms = st.one_of(
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(lambda w: f'"{" ".join(w)}"'),
    st.tuples(st.sampled_from(["topic:", "Topic:"]), _quoted([*TOPICS, "ai", "climate"])).map(
        "".join
    ),
    st.tuples(
        st.sampled_from(["provider:", "source:"]), _quoted(["reason", "el pais", "bbc", ".com"])
    ).map("".join),
    st.tuples(
        st.sampled_from(["quality", "q", "quality:"]),
        st.sampled_from([">=", ">", "<", "<=", "="]),
        st.integers(min_value=-1, max_value=170),
    ).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
    st.tuples(
        st.sampled_from(["after:", "before:"]),
        st.dates(min_value=datetime(2018, 1, 1).date(), max_value=datetime(2025, 1, 1).date()).map(
            str
        )
        | st.tuples(st.integers(0, 2000), st.sampled_from("hdwmy")).map(lambda t: f"{t[0]}{t[1]}"),
    ).map("".join),
    st.sampled_from(["is:read", "is:unread", "is:starred"]),
    st.sampled_from(["foo:bar", "a>b", "or"]),
)
terms = st.tuples(st.sampled_from(["", "-", "--"]), positive_terms).map("".join)


@st.composite
def queries(draw: st.DrawFn) -> str:
    groups = draw(st.lists(st.lists(terms, min_size=1, max_size=3), max_size=4))
    return " ".join(" OR ".join(group) for group in groups)


GRAMMAR_PIECES = [
    '"', "-", ":", "<", ">", "=", "OR", " ", "  ", "topic", "q", "quality", "after", "before",
    "is", "provider", "source", "read", "7d", "2021-04-01", "60", "robot", "málaga", "\t",
    "foo", "é", "\u0301", "\n",
]  # fmt: skip
grammarish = st.lists(st.sampled_from(GRAMMAR_PIECES), max_size=20).map("".join)

# Moderate example counts keep the whole file well under 15 s.
FAST = settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_parse_never_raises_anything_but_query_error_on_any_text(text: str) -> None:
    for available in (True, False):
        try:
            query = parse_query(text, now=NOW, marks_available=available)
        except QueryError as error:
            assert 0 <= error.position <= len(text)
            assert error.message
        else:
            query.filter(ARTICLES, MARKS)


@settings(max_examples=examples(400), deadline=None)
@given(grammarish)
def test_parse_never_raises_anything_but_query_error_on_grammarish_text(text: str) -> None:
    for available in (True, False):
        try:
            query = parse_query(text, now=NOW, marks_available=available)
        except QueryError as error:
            assert 0 <= error.position <= len(text)
            assert error.message
        else:
            found = query.filter(ARTICLES, MARKS)
            assert found == [a for a in ARTICLES if query.matches(a, MARKS)]


@FAST
@given(terms, articles(), marks())
def test_negation_is_the_complement(
    term: str, arts: list[ArticleSummary], state: FakeMarks
) -> None:
    positive = parse_query(term, now=NOW).filter(arts, state)
    negative = parse_query(f"-{term}", now=NOW).filter(arts, state)
    assert {a.id for a in positive}.isdisjoint(a.id for a in negative)
    assert len(positive) + len(negative) == len(arts)


@FAST
@given(queries(), terms, articles(), marks())
def test_appending_a_term_never_grows_the_result(
    query: str, term: str, arts: list[ArticleSummary], state: FakeMarks
) -> None:
    before = parse_query(query, now=NOW).filter(arts, state)
    after = parse_query(f"{query} {term}", now=NOW).filter(arts, state)
    assert {a.id for a in after} <= {a.id for a in before}
    # and the added term is an AND: what is left is exactly what also matches the term
    alone = {a.id for a in parse_query(term, now=NOW).filter(arts, state)}
    assert [a.id for a in after] == [a.id for a in before if a.id in alone]


@FAST
@given(queries(), articles(), marks())
def test_generated_queries_parse_and_both_paths_agree(
    query: str, arts: list[ArticleSummary], state: FakeMarks
) -> None:
    parsed = parse_query(query, now=NOW)
    assert parsed.filter(arts, state) == [a for a in arts if parsed.matches(a, state)]
    assert parsed.filter(arts, state, SearchIndex(arts)) == parsed.filter(arts, state)


@FAST
@given(st.lists(terms, min_size=2, max_size=3), articles(), marks())
def test_or_is_the_union(group: list[str], arts: list[ArticleSummary], state: FakeMarks) -> None:
    either = {a.id for a in parse_query(" OR ".join(group), now=NOW).filter(arts, state)}
    each = [{a.id for a in parse_query(t, now=NOW).filter(arts, state)} for t in group]
    union = set().union(*each)
    assert either == union


def test_provider_terms_never_match_an_article_without_a_provider() -> None:
    nobody = art("nobody", "A title with x in it")
    assert parse_query("provider:x").filter([nobody]) == []
    assert parse_query("-provider:x").filter([nobody]) == [nobody]


def test_the_path_for_naive_dates_compares_moments_and_keeps_every_term() -> None:
    """A naive date sends a date query down its second, safe path: there too an aware date
    in another zone is the moment it names, an undated article is neither after nor
    before, and `is:` terms see the marks."""
    tokyo = timezone(timedelta(hours=9))
    naive = art("naive", published=datetime(2021, 4, 2, 0, 0))
    late_eve = art("eve", published=datetime(2021, 4, 1, 8, 0, tzinfo=tokyo))  # 31 Mar, UTC
    undated = art("undated")
    articles = [naive, late_eve, undated]
    assert [a.id for a in parse_query("after:2021-04-01").filter(articles)] == ["naive"]
    assert [a.id for a in parse_query("before:2021-04-01").filter(articles)] == ["eve"]
    assert parse_query("after:2021-04-01").matches(late_eve) is False
    assert parse_query("before:2021-04-01").matches(undated) is False
    marks = FakeMarks(read={"naive", "eve"})
    query = parse_query("after:2021-01-01 is:read")
    assert [a.id for a in query.filter(articles, marks)] == ["naive", "eve"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A term may follow a closing quote with no space between them.
        ('"a b"-c', AllOf((Text("a b", spaced=True), Not(Text("c", spaced=False))))),
        ('topic:"x y"-ai', AllOf((Topic("x y"), Not(Text("ai", spaced=False))))),
        # A dash before a field whose value is quoted negates it too.
        ('-topic:"world news"', AllOf((Not(Topic("world news")),))),
    ],
)
def test_quoted_values_and_their_neighbours(query: str, expected: AllOf) -> None:
    assert parse_query(query).tree == expected


@pytest.mark.parametrize(
    ("query", "hints"),
    [
        ("tpoic:ai", ["tpoic: is not a field (did you mean topic:?); searched as text"]),
        ("robot -qualty>=3", ["qualty: is not a field (did you mean quality:?); searched as text"]),
        ("topic:ai tpoic:x", ["tpoic: is not a field (did you mean topic:?); searched as text"]),
        ("iss:read", ["iss: is not a field (did you mean is:?); searched as text"]),
        ("qq:3", []),  # one-letter fields are never offered: too many words are near them
        ("topic:ai q>=3 Provider:x", []),  # fields, whatever their case, get no hint
        ("x:1 zebra:2 http://a", []),  # nothing close: searched as text, with no hint
    ],
)
def test_a_word_that_looks_like_a_mistyped_field_gets_a_hint(query: str, hints: list[str]) -> None:
    assert field_hints(query) == hints
