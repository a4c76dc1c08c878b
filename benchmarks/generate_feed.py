"""Write a synthetic feed of N article files in the real format, for benchmarks and tests.

Each file copies the layout of `format/000_cf4cd48b110cfe5e.txt`: category, quoted title
and ~300-character excerpt, `publishedDateTime` spread over three years, unique
`originalUrl`/`webUrl` (plus the two AMP URLs) on `.example.com` domains, type, quality
0-160, heat, the `published` flag, a provider out of 200, 1-3 topics out of 15, 0-4
related entries and a `secured` blob. Files go 1,000 to a sub-folder and are named
`YYYY-MM-DD-slug.md`. The same seed gives the same bytes.

`--copies SHARE` gives the stories' grouping work, as real feeds do: every title and
excerpt then names a made-up company (a rare word, as names are), and that share of the
articles are followed by one to three syndicated copies (the title's case or ending
changed, the same excerpt, another outlet, within two days). Without it the bytes are
those of earlier versions.

    .venv/bin/python benchmarks/generate_feed.py OUT_DIR --count 100000 [--seed 1] [--copies 0.1]
"""

from __future__ import annotations

import argparse
import base64
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

FILES_PER_FOLDER = 1000
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 3 * 365 * 24 * 60

TOPICS = (
    "AI", "Computer Vision", "Robotics", "Climate", "Space", "Energy", "Health",
    "Security", "Privacy", "Chips", "Startups", "Policy", "Transport", "Science", "Games",
)  # fmt: skip
TYPES = ("article", "article", "article", "article", "video", "slideshow")
# Title and excerpt words; a few carry accents and entities, as real feeds do.
WORDS = (
    "robot", "model", "city", "council", "launch", "satellite", "battery", "grid", "study",
    "researchers", "police", "privacy", "facial", "recognition", "startup", "funding",
    "chip", "factory", "climate", "storm", "forecast", "vaccine", "trial", "hospital",
    "court", "ruling", "ban", "drone", "harbour", "rail", "electric", "solar", "wind",
    "network", "outage", "breach", "data", "open", "source", "lunar", "orbit", "telescope",
    "Málaga", "Zürich", "São Paulo", "Kraków", "new", "first", "largest", "quietly", "again",
    "after", "before", "despite", "without", "record", "test", "plan", "report", "warns",
    "&amp;", "&nbsp;says", "learns", "fails", "expands", "cuts", "doubles", "opens",
)  # fmt: skip
PROVIDER_HEADS = (
    "Daily", "Morning", "Evening", "Weekly", "North", "South", "East", "West", "Metro",
    "Harbour", "Valley", "Union", "Capital", "Pacific", "Atlantic", "Summit", "River",
    "Lake", "Coast", "Central",
)  # fmt: skip
PROVIDER_TAILS = (
    "Times", "Post", "Herald", "Tribune", "Gazette", "Wire", "Journal", "Ledger", "Review",
    "Signal",
)  # fmt: skip


def _providers() -> list[tuple[str, str]]:
    """200 (name, domain) pairs: every head with every tail."""
    return [
        (f"{head} {tail}", f"{head.lower()}{tail.lower()}.example.com")
        for head in PROVIDER_HEADS
        for tail in PROVIDER_TAILS
    ]


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _slug(words: list[str]) -> str:
    kept = [w.lower() for w in words if w.isascii() and w.isalpha()]
    return "-".join(kept)[:60].rstrip("-") or "article"


class _Writer:
    """Builds one article's text after another from a seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.providers = _providers()

    def words(self, low: int, high: int) -> list[str]:
        return self.rng.choices(WORDS, k=self.rng.randint(low, high))

    def excerpt(self, length: int = 300) -> str:
        text = " ".join(self.rng.choices(WORDS, k=length // 5))
        cut = text.rfind(" ", 0, length)
        return (text[:cut] if cut > 0 else text).capitalize() + " ..."

    def when(self) -> datetime:
        return START + timedelta(minutes=self.rng.randrange(SPAN_MINUTES))

    def headline(self, story: Story | None) -> tuple[str, str | None, datetime, list[str]]:
        """Title, excerpt (None: drawn where earlier versions drew it, for the same bytes
        without copies), time and slug words of an article, or of a copy of `story`."""
        words = self.words(8, 12)
        title, published = " ".join(words).capitalize(), self.when()
        return story.copy_of(self.rng, words) if story else (title, None, published, words)

    def original(self, serial: int) -> tuple[Story, str, str]:
        """An article naming a made-up company, and its story for the copies."""
        words = self.words(8, 12)
        story = Story(self.rng, " ".join(words).capitalize(), self.excerpt(), self.when())
        name, text = self.article(serial, story)
        return story, name, text

    def urls(self, domain: str, published: datetime, slug: str, serial: str) -> list[str]:
        url = f"https://www.{domain}/{published:%Y/%m/%d}/{slug}-{serial}/"
        cdn = domain.replace(".", "-")
        return [
            f"webUrl: {_quoted(url)}",
            f"ampWebUrl: {_quoted(url + '?amp')}",
            f"cdnAmpWebUrl: {_quoted(f'https://www-{cdn}.cdn.ampproject.org/c/s/www.{domain}/{slug}-{serial}/?amp')}",
        ]

    def related(self, serial: int, near: datetime) -> list[str]:
        lines = ["", "related:"]
        for n in range(self.rng.randint(0, 4)):
            name, domain = self.rng.choice(self.providers)
            words = self.words(6, 11)
            when = near + timedelta(minutes=self.rng.randint(-7200, 7200))
            url_lines = self.urls(domain, when, _slug(words), f"r{serial}-{n}")
            lines += [
                f"  - title: {_quoted(' '.join(words).capitalize())}",
                f"    excerpt: {_quoted(self.excerpt(self.rng.randint(120, 260)))}",
                f"    publishedDateTime: {when:%Y-%m-%dT%H:%M:%SZ}",
                *(f"    {line}" for line in url_lines),
                f"    type: {self.rng.choice(TYPES)}",
                "    provider:",
                f"      name: {name}",
                f"      domain: {domain}",
                f"    quality: {self.rng.randint(0, 160)}",
            ]
            if self.rng.random() < 0.5:
                lines += [
                    "    images:",
                    f'      - url: "https://media.{domain}/img/{serial}-{n}.jpg"',
                    f"        width: {self.rng.choice((600, 800, 1260))}",
                    f"        height: {self.rng.choice((400, 412, 710))}",
                    "        isCached: true",
                ]
        return lines if len(lines) > 2 else []

    def article(self, serial: int, story: Story | None = None) -> tuple[str, str]:
        """The file name and text of article number `serial` (a copy of `story`'s, if given)."""
        rng = self.rng
        title, excerpt, published, words = self.headline(story)
        name, domain = rng.choice(self.providers)
        slug = _slug(words)
        url_lines = self.urls(domain, published, slug, f"{serial:06d}")
        original = url_lines[0].replace("webUrl: ", "originalUrl: ", 1)
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        secured = base64.b64encode(rng.randbytes(rng.randint(300, 420))).decode("ascii")
        lines = [  # the order of the draws is the bytes: keep it
            "---",
            "category: news",
            f"title: {_quoted(title)}",
            f"excerpt: {_quoted(self.excerpt() if excerpt is None else excerpt)}",
            f"publishedDateTime: {published:%Y-%m-%dT%H:%M:%SZ}",
            original,
            *url_lines,
            f"type: {rng.choice(TYPES)}",
            f"quality: {rng.randint(0, 160)}",
            f"heat: {rng.choice((-1, -1, rng.randint(0, 5000)))}",
            f"published: {'true' if rng.random() < 0.3 else 'false'}",
            "",
            "provider:",
            f"  name: {name}",
            f"  domain: {domain}",
            "",
            "topics:",
            *(f"  - {topic}" for topic in topics),
            *self.related(serial, published),
            "",
            f'secured: "{secured}==;{base64.b64encode(rng.randbytes(16)).decode("ascii")}"',
            "---",
            "",
        ]
        return f"{published:%Y-%m-%d}-{slug}-{serial:06d}.md", "\n".join(lines)


class Story:
    """A made-up company's news, for its copies: title, excerpt and time."""

    SYLLABLES = ("zor", "vex", "kal", "min", "tro", "quo", "bel", "nar", "sup", "dix", "lum")

    def __init__(self, rng: random.Random, title: str, excerpt: str, when: datetime) -> None:
        company = "".join(rng.choices(self.SYLLABLES, k=4)).capitalize()
        self.title = f"{company} {title[0].lower()}{title[1:]}"
        self.excerpt = f"{company} {excerpt[0].lower()}{excerpt[1:]}"
        self.when, self.copies = when, rng.choice((0, 0, 0, 1, 2, 3))

    def copy_of(self, rng: random.Random, words: list[str]) -> tuple[str, str, datetime, list[str]]:
        later = self.when + timedelta(minutes=rng.randint(10, 2 * 24 * 60))
        title = rng.choice((self.title, self.title.upper(), self.title + " - report"))
        return title, self.excerpt, later, self.title.split()


def generate_feed(out_dir: Path, count: int, seed: int = 1, copies: float = 0.0) -> None:
    """Write `count` article files under `out_dir`, 1,000 per sub-folder, the same for a seed;
    `copies`: the share of articles followed by syndicated copies (see the module's docstring)."""
    writer = _Writer(seed)
    folder = out_dir
    story: Story | None = None
    left = 0  # copies of `story` still to write
    for serial in range(count):
        if serial % FILES_PER_FOLDER == 0:
            folder = out_dir / f"{serial // FILES_PER_FOLDER:03d}"
            folder.mkdir(parents=True, exist_ok=True)
        if copies and left:
            left -= 1
            name, text = writer.article(serial, story)
        elif copies:
            story, name, text = writer.original(serial)
            left = story.copies if writer.rng.random() < copies * 2 else 0
        else:
            name, text = writer.article(serial)
        with open(folder / name, "wb") as handle:
            handle.write(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=float, default=0.0, help="share of syndicated stories")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate_feed(args.out_dir, args.count, args.seed, args.copies)
    print(
        f"wrote {args.count:,} articles to {args.out_dir} in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
