"""trafilatura's XML of a page's main text written as Markdown, every link through the gate.

trafilatura's own Markdown drops the quote marks of a block quote and joins what it cannot
place; its XML keeps the structure (`head`, `p`, `list`/`item`, `quote`, `ref`, `hi`,
`table`), which is written here: headings, paragraphs, lists, quotes and links, and a
link the reader would not open keeps its text only. The article's own headline (a first
`h1`, shown above the text by the reader already) is left out.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from reader.core.sanitize import UnsafeUrl, check_url, clean_line

_EMPHASIS = {"#b": "**", "#i": "*", "#u": "", "#t": "`"}


def xml_to_markdown(xml: str) -> str:
    """The Markdown of trafilatura's XML output (`output_format="xml"`)."""
    root = fromstring(xml)  # trafilatura's own output, read without entities all the same
    main = root.find("main")
    if main is None:
        return ""
    blocks: list[str] = []
    for position, element in enumerate(main):
        if position == 0 and element.tag == "head" and element.get("rend") == "h1":
            continue  # the headline: the reader shows the article's title already
        blocks.extend(_block(element, ""))
    return "\n\n".join(block for block in blocks if block.strip())


def _block(element: Element, prefix: str) -> list[str]:
    """The Markdown blocks of one block element, each line after `prefix` (a quote's "> ")."""
    tag = element.tag
    if tag == "head":
        level = _heading_level(element.get("rend", "h2"))
        return [f"{prefix}{'#' * level} {_inline(element)}"]
    if tag == "list":
        ordered = element.get("rend") == "ol"
        items = [
            f"{prefix}{f'{n}.' if ordered else '-'} {_inline(item)}"
            for n, item in enumerate(element.iter("item"), 1)
        ]
        return ["\n".join(item for item in items if item.strip(" >-.0123456789"))]
    if tag == "quote":
        inner = [b for child in element for b in _block(child, prefix + "> ")] or [
            f"{prefix}> {_inline(element)}"
        ]
        return [f"\n{prefix}>\n".join(inner)]
    if tag == "table":
        return [_table(element, prefix)]
    if tag in ("graphic", "lb"):
        return []
    return [f"{prefix}{_inline(element)}"]


def _heading_level(rend: str) -> int:
    try:
        return min(max(int(rend.lstrip("h")), 2), 6)
    except ValueError:
        return 2


def _table(element: Element, prefix: str) -> str:
    rows = [[_inline(cell).replace("|", "\\|") for cell in row] for row in element.iter("row")]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    lines = [f"{prefix}| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    lines.insert(1, f"{prefix}|" + " --- |" * width)
    return "\n".join(lines)


def _inline(element: Element) -> str:
    """The text of an element and its inline children, as one line of Markdown."""
    parts = [element.text or ""]
    for child in element:
        parts.append(_inline_child(child))
        parts.append(child.tail or "")
    return clean_line("".join(parts))


def _inline_child(child: Element) -> str:
    if child.tag == "lb":
        return " "
    text = _inline(child)
    if child.tag == "ref":
        return _link(text, child.get("target", ""))
    if child.tag == "hi" and text:
        mark = _EMPHASIS.get(child.get("rend", ""), "")
        return f"{mark}{text}{mark}"
    return text


def _link(text: str, target: str) -> str:
    """A Markdown link if the reader would open its target, else its text alone."""
    try:
        url = check_url(target)
    except UnsafeUrl:
        return text
    if not text:
        return ""
    shown = text.replace("[", "\\[").replace("]", "\\]")
    return f"[{shown}]({url.replace(')', '%29').replace('(', '%28')})"
