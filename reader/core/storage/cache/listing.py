"""What `reader list --format json` prints of each article, kept encoded in the index cache.

The parser processes encode each article's fields once (`listing_text`, stored in the
`listings` table, see `listing_rows`); a warm `reader list` then reads these texts and
splices id, path and reading state around them (`export.spliced_json`), instead of
rebuilding and encoding 100,000 full articles. The state is never stored: it changes
without the files changing.
"""

from __future__ import annotations

from reader.core.export import stored_fields_json
from reader.core.model import Article


def listing_text(article: Article) -> bytes | None:
    """The article's stored JSON fields in UTF-8; None for text that is not Unicode.

    (The loader lets no lone surrogate through, but should one come, that article is
    encoded whole at output instead.) Bytes, not TEXT: the output is written as bytes,
    so a warm list neither decodes nor encodes 100 MB of text.
    """
    try:
        return stored_fields_json(article).encode("utf-8")
    except UnicodeEncodeError:
        return None
