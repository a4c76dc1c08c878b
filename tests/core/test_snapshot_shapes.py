"""How the snapshot's summaries are held: equal to what was stored, shared where they repeat."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pytest

from reader.core.model import ArticleSummary
from reader.core.storage.cache import snapshot


class NoTexts:
    """No search text; the URLs `_summary` gives (a merged snapshot keeps none)."""

    def texts_of(self, paths: Sequence[str]) -> list[str]:
        return ["" for _ in paths]

    def urls_of(self, paths: Sequence[str]) -> list[str | None]:
        return [f"https://x.example/{path[len('/feed/a') : -len('.md')]}" for path in paths]

    def rows_at_urls(self, urls: Iterable[str]) -> set[tuple[str, str]]:
        return set()


def _summary(n: int, heat: int | None) -> ArticleSummary:
    return ArticleSummary(
        id=f"id{n}", path=f"/feed/a{n}.md", title=f"Title {n}", url=f"https://x.example/{n}",
        provider_name="P", provider_domain="p.example",
        published=datetime(2024, 1, 1 + n % 28, tzinfo=UTC), quality=n, heat=heat,
        topics=("AI",), search_text="",
    )  # fmt: skip


def test_heats_read_back_equal_and_shared_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "CHUNK", 2)
    # int() at each call: distinct objects for the same large value, as a sync's rows give
    heats = [int(str(1000 + n % 3)) if n % 4 else None for n in range(9)]
    stored = [_summary(n, heat) for n, heat in enumerate(heats)]
    data = snapshot.snapshot_bytes(stored, "/feed/", merged=True)
    found = snapshot.summaries_from_snapshot(io.BytesIO(data), "/feed/", NoTexts())
    assert found is not None
    summaries, merged = found
    assert merged and [s.heat for s in summaries] == heats
    assert [s.path for s in summaries] == [s.path for s in stored]
    assert [s.url for s in summaries] == [s.url for s in stored]
    by_value = {s.heat: s.heat for s in summaries}
    assert all(s.heat is by_value[s.heat] for s in summaries)
