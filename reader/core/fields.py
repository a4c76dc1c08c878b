"""Reading the fields of one article's front matter, checking every type before use.

Values come from untrusted files: a field of the wrong type is coerced when the intent
is plain (a number title becomes text) or dropped, and either way reported as a warning.
Nothing calls `str()` on a value that is not a scalar (a YAML alias bomb expands then).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, date, datetime

from reader.core.model import Article, Image, Problem, Provider, RelatedLink, Severity
from reader.core.sanitize import UnsafeUrl, check_url, clean_line, clean_text, has_control_chars

MAX_LIST_ITEMS = 500
MAX_TOPICS = 50
# YAML aliases let a small file repeat one long string in every field of 500 related
# entries; cutting each field before it is cleaned keeps such a file cheap to load.
MAX_LINE_CHARS = 1_000
MAX_TEXT_CHARS = 20_000
MAX_URL_CHARS = 8_192
MAX_NUMBER_CHARS = 100


class FileSkipped(Exception):
    """One file cannot give an article; the message is the reason shown to the user."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    return f"a {type(value).__name__}"


def _shown(value: object, limit: int = 60) -> str:
    """A short `repr` of a value for a warning: long strings are cut."""
    text = repr(value[: limit + 1] if isinstance(value, str) else value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar_text(value: object) -> str | None:
    """Text for a string or a number; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def parse_datetime(value: object) -> datetime | None:
    """A timezone-aware datetime from YAML's datetime/date or an ISO 8601 string, else None."""
    if isinstance(value, datetime):
        return _in_range(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and len(value) <= MAX_NUMBER_CHARS:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return _in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return None


def _in_range(moment: datetime) -> datetime | None:
    """The moment, or None when it has no UTC equivalent (0001-01-01T00:00+05:00)."""
    if moment.tzinfo is UTC:  # most: already in UTC, nothing to convert
        return moment
    try:
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment


def _is_plain(text: str, limit: int) -> bool:
    """Whether the field checks leave `text` as it is, bar its outer blanks, and say nothing:
    no longer than `limit`, no HTML entity, nothing but printable characters (so no control
    and no whitespace but the space). Most fields of a feed are; the fast paths for them
    skip the checks' steps (a third of reading the fields), and the tests hold them to
    those steps."""
    return len(text) <= limit and "&" not in text and text.isprintable()


def _plain_line(value: object) -> str | None:
    """What `line_field` makes of `value` if it is plain text (see `_is_plain`), else None."""
    if type(value) is str and "  " not in value and _is_plain(value, MAX_LINE_CHARS):
        return value.strip(" ")
    return None


class FieldReader:
    """Builds an `Article` from one front-matter mapping, collecting warnings."""

    def __init__(self, path: str, data: dict[object, object], problems: list[Problem]) -> None:
        self.path = path
        self.data = data
        self.problems = problems
        self._warned: set[str] = set()

    def warn(self, reason: str) -> None:
        """Report an oddity once per file (aliases can repeat one bad value 500 times)."""
        if reason not in self._warned:
            self._warned.add(reason)
            self.problems.append(Problem(self.path, Severity.WARNING, reason))

    def article(self, body: str, id_for: Callable[[str | None], str]) -> Article:
        """The article; raises `FileSkipped` when there is no usable title."""
        raw_title = self.data.get("title")
        if raw_title is not None and _scalar_text(raw_title) is None:
            raise FileSkipped(f"the title is {_describe(raw_title)}, not text")
        title = self.line_field("title")
        if not title:
            raise FileSkipped("no title (the 'title' field is missing or empty)")
        url = self.url_field("webUrl") or self.url_field("originalUrl")
        return Article(
            id=id_for(url),
            path=self.path,
            title=title,
            excerpt=self.text_field("excerpt"),
            body=self.body_text(body),
            published=self.date_field("publishedDateTime"),
            url=url,
            original_url=self.url_field("originalUrl"),
            amp_url=self.url_field("ampWebUrl"),
            cdn_amp_url=self.url_field("cdnAmpWebUrl"),
            type=self.line_field("type"),
            category=self.line_field("category"),
            quality=self.int_field("quality"),
            heat=self.int_field("heat"),
            provider=self.provider_field(self.data.get("provider"), "provider"),
            topics=self.topics_field(),
            images=self.images_field(),
            related=self.related_field(),
        )

    # --- scalars -------------------------------------------------------------------

    def _text(self, name: str, data: dict[object, object] | None, limit: int) -> str:
        value = (self.data if data is None else data).get(name)
        if value is None:
            return ""
        text = _scalar_text(value)
        if text is None:
            self.warn(f"'{name}' is {_describe(value)}, not text; ignored")
            return ""
        if not isinstance(value, str):
            self.warn(f"'{name}' is {_describe(value)}; read as text")
        if len(text) > limit:
            self.warn(f"'{name}' is {len(text):,} characters long; cut to {limit:,}")
            text = text[:limit]
        # Feeds carry HTML entities (&nbsp;, &#038;): show the characters they stand for.
        return self._without_controls(name, html.unescape(text))

    def _without_controls(self, name: str, text: str) -> str:
        if has_control_chars(text):
            self.warn(f"'{name}' contains control characters; they are removed")
        return text

    def line_field(self, name: str, data: dict[object, object] | None = None) -> str:
        value = (self.data if data is None else data).get(name)
        plain = _plain_line(value)
        return plain if plain is not None else clean_line(self._text(name, data, MAX_LINE_CHARS))

    def text_field(self, name: str, data: dict[object, object] | None = None) -> str:
        value = (self.data if data is None else data).get(name)
        if type(value) is str and _is_plain(value, MAX_TEXT_CHARS):
            return value.strip()
        return clean_text(self._text(name, data, MAX_TEXT_CHARS)).strip()

    def body_text(self, body: str) -> str:
        return clean_text(self._without_controls("body", body.strip("\n")))

    def url_field(self, name: str, data: dict[object, object] | None = None) -> str | None:
        """The URL if the reader may open it (see `check_url`), else None and a warning."""
        value = (self.data if data is None else data).get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.warn(f"'{name}' is {_describe(value)}, not a URL; ignored")
            return None
        if len(value) > MAX_URL_CHARS:
            self.warn(f"'{name}' is {len(value):,} characters long, not a usable URL; ignored")
            return None
        url = value.strip()
        # Seen in real feeds (`https://apnews.com/Wired Release/...`); browsers send %20.
        encoded = url.replace(" ", "%20")
        try:
            check_url(encoded)
        except UnsafeUrl as unsafe:
            self.warn(f"'{name}' is not a link the reader opens ({unsafe}): {_shown(url)}; ignored")
            return None
        if encoded != url:
            self.warn(f"'{name}' contains spaces; they are sent as %20")
        return encoded

    def int_field(self, name: str, data: dict[object, object] | None = None) -> int | None:
        value = (self.data if data is None else data).get(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and len(value) <= MAX_NUMBER_CHARS:
            try:
                number = int(value.strip())
            except ValueError:
                pass
            else:
                self.warn(f"'{name}' is text ({value!r}); read as the number {number}")
                return number
        shown = f" ({_shown(value)})" if isinstance(value, (str, float, bool)) else ""
        self.warn(f"'{name}' is {_describe(value)}{shown}, not a whole number; ignored")
        return None

    def date_field(self, name: str, data: dict[object, object] | None = None) -> datetime | None:
        value = (self.data if data is None else data).get(name)
        if value is None:
            return None
        parsed = parse_datetime(value)
        if parsed is None and isinstance(value, date):
            self.warn(f"'{name}' ({value}) cannot be converted to UTC; ignored")
        elif parsed is None:
            shown = f" ({_shown(value)})" if isinstance(value, (str, int, float)) else ""
            self.warn(f"'{name}' is {_describe(value)}{shown}, not an ISO 8601 date; ignored")
        return parsed

    # --- structures ----------------------------------------------------------------

    def provider_field(self, value: object, name: str) -> Provider | None:
        if value is None:
            return None
        if isinstance(value, str):
            self.warn(f"'{name}' is text, not a mapping; taken as its name")
            name_only = clean_line(self._text(name, {name: value}, MAX_LINE_CHARS))
            return Provider(name_only) if name_only else None
        if not isinstance(value, dict):
            self.warn(f"'{name}' is {_describe(value)}, not a mapping; ignored")
            return None
        provider = Provider(self.line_field("name", value), self.line_field("domain", value))
        return provider if provider.name or provider.domain else None

    def _list(
        self, name: str, data: dict[object, object] | None = None, limit: int = MAX_LIST_ITEMS
    ) -> list[object]:
        value = (self.data if data is None else data).get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn(f"'{name}' is {_describe(value)}, not a list; ignored")
            return []
        if len(value) > limit:
            self.warn(f"'{name}' has {len(value):,} entries; only the first {limit} are kept")
        return value[:limit]

    def topics_field(self) -> tuple[str, ...]:
        value = self.data.get("topics")
        if isinstance(value, str):
            self.warn("'topics' is text, not a list; taken as one topic")
            value = [value]
            self.data = {**self.data, "topics": value}
        topics: list[str] = []
        for item in self._list("topics", limit=MAX_TOPICS):
            if not isinstance(item, str):
                self.warn(f"a topic is {_describe(item)}, not text; ignored")
                continue
            topic = _plain_line(item)
            if topic is None:
                topic = clean_line(self._text("topic", {"topic": item}, MAX_LINE_CHARS))
            if not topic:
                self.warn("a topic is empty; ignored")
            elif topic not in topics:
                topics.append(topic)
        return tuple(topics)

    def images_field(self) -> tuple[Image, ...]:
        images = []
        for item in self._list("images"):
            if not isinstance(item, dict) or (url := self.url_field("url", item)) is None:
                self.warn(f"an image is {_describe(item)} without a URL; ignored")
                continue
            images.append(Image(url, self.int_field("width", item), self.int_field("height", item)))
        return tuple(images)

    def related_field(self) -> tuple[RelatedLink, ...]:
        links = []
        for item in self._list("related"):
            if not isinstance(item, dict):
                self.warn(f"a related entry is {_describe(item)}, not a mapping; ignored")
                continue
            title = self.line_field("title", item)
            if not title:
                self.warn("a related entry has no title; ignored")
                continue
            links.append(self.related_link(title, item))
        return tuple(links)

    def related_link(self, title: str, item: dict[object, object]) -> RelatedLink:
        return RelatedLink(
            title=title,
            url=self.url_field("webUrl", item) or self.url_field("originalUrl", item),
            excerpt=self.text_field("excerpt", item),
            published=self.date_field("publishedDateTime", item),
            provider=self.provider_field(item.get("provider"), "related provider"),
            quality=self.int_field("quality", item),
            type=self.line_field("type", item),
        )
