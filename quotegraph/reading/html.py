"""A web page to an article: the main text (trafilatura), its metadata, and its blocks.

The record's ``text`` for a page is not the HTML but the article as a reader sees it, composed
here from trafilatura's main-content tree: the headline, then each paragraph, subhead and list
item on its own line, separated by blank lines. Composing it as clean news text is deliberate:
:mod:`quotegraph.reading.structure` then finds the same blocks in it that it finds in a ``.txt``
file, so the engine's ``excluded_regions(text)`` agrees with ``meta["blocks"]``. What trafilatura
leaves out (navigation, most captions, share buttons, comment threads) is not in the text at
all, so it cannot be attributed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from quotegraph.reading.charset import decode_page
from quotegraph.reading.problems import Unreadable
from quotegraph.reading.structure import NOT_ATTRIBUTED, blocks

#: Fewer words than this outside the headline and the non-article blocks: not an article.
MIN_ARTICLE_WORDS = 15
#: trafilatura's fallback extractors (jusText, readability) rescue odd layouts at about twice
#: the cost; pages from crawls are mostly ordinary news layouts, so speed wins by default.
FAST_EXTRACTION = True

_PARAGRAPH_BREAK = "\n\n"
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)
#: Elements of trafilatura's output tree that are the article's running text.
_TEXT_ELEMENTS = frozenset({"p", "quote", "head", "list", "code"})


def looks_like_html(data: bytes) -> bool:
    """Whether ``data`` starts like an HTML document (for stdin and unlabelled payloads)."""
    return bool(_HTML_START.match(data[:2048]))


def page_to_article(
    page: bytes | str,
    url: str | None = None,
    charset: str | None = None,
    source_format: str = "html",
) -> tuple[str, dict[str, Any]]:
    """``(text, meta)`` of the article in a web page; raises :class:`Unreadable` if it has none.

    ``page`` is the page's bytes (decoded here, ``charset`` being the HTTP header's) or text.
    ``url`` is where it came from, which trafilatura also uses to judge the page.
    """
    html = decode_page(page, charset)[0] if isinstance(page, bytes) else page
    document = _main_content(html, url)
    headline, parts = _parts(document)
    text, head_starts = _compose(headline, parts)
    found = blocks(text)
    if _article_words(text, found) < MIN_ARTICLE_WORDS:
        raise Unreadable(
            "no article text found in the page (it looks like navigation, an index or an "
            "empty page); only news article pages can be read"
        )
    return text, _meta(document, url, source_format, _refine(found, head_starts))


def _main_content(html: str, url: str | None) -> Any:
    """trafilatura's reading of the page: main-content tree and metadata, or Unreadable."""
    import trafilatura  # imported here: a second or so, and only page inputs need it

    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            fast=FAST_EXTRACTION,
        )
    except Exception as exc:  # a malformed page must not stop the batch
        raise Unreadable(f"the page could not be parsed as HTML ({type(exc).__name__})") from exc
    if document is None or document.body is None or not len(document.body):
        raise Unreadable(
            "no article text found in the page (trafilatura found no main content); only news "
            "article pages can be read"
        )
    return document


def _parts(document: Any) -> tuple[str | None, list[tuple[str, bool]]]:
    """The headline and the article's lines as ``(text, is_heading)``, in page order."""
    headline = _one_line(document.title or "") or None
    parts: list[tuple[str, bool]] = []
    for element in document.body:
        if element.tag not in _TEXT_ELEMENTS:
            continue  # tables, images: not running text
        if element.tag == "list":
            parts.extend((_element_text(item), False) for item in element.iter("item"))
        else:
            parts.append((_element_text(element), element.tag == "head"))
    parts = [(text, heading) for text, heading in parts if text]
    if parts and headline and parts[0][0].casefold() == headline.casefold():
        parts = parts[1:]  # the page's <h1> is the headline we already have
    return headline, parts


def _compose(headline: str | None, parts: list[tuple[str, bool]]) -> tuple[str, set[int]]:
    """The article text, and where each heading of the page starts in it."""
    lines = ([headline] if headline else []) + [text for text, _ in parts]
    text = _PARAGRAPH_BREAK.join(lines) + "\n"
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + len(_PARAGRAPH_BREAK)
    first_part = 1 if headline else 0
    head_starts = {
        start for start, (_, heading) in zip(starts[first_part:], parts) if heading
    }
    return text, head_starts


def _refine(found: list[Any], head_starts: set[int]) -> list[dict[str, Any]]:
    """meta["blocks"], with the page's own headings marked as subheads.

    Only analysed kinds are refined (a long ``<h2>`` the text alone would call body), never
    whether a block is attributed, so the engine reading the text alone agrees with these.
    """
    refined = []
    for block in found:
        record = block.to_json()
        if block.start in head_starts and block.kind in {"body", "standfirst"}:
            record["kind"] = "subhead"
        refined.append(record)
    return refined


def _article_words(text: str, found: list[Any]) -> int:
    """Words in the blocks that carry the report (not the headline, not credits or links)."""
    return sum(
        len(text[b.start : b.end].split())
        for b in found
        if b.kind not in NOT_ATTRIBUTED and b.kind != "headline"
    )


def _meta(
    document: Any, url: str | None, source_format: str, found: list[dict[str, Any]]
) -> dict[str, Any]:
    """Schema meta from trafilatura's metadata; the fetched URL beats the page's canonical one."""
    page_url = url or document.url
    return {
        "title": _one_line(document.title or "") or None,
        "url": page_url,
        "published": document.date or None,
        "outlet": document.sitename or document.hostname or _host(page_url),
        "authors": _authors(document.author),
        "source_format": source_format,
        "blocks": found,
    }


def _authors(author: str | None) -> list[str]:
    """trafilatura joins several authors with "; "."""
    return [name.strip() for name in (author or "").split(";") if name.strip()]


def _host(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _element_text(element: Any) -> str:
    return _one_line("".join(element.itertext()))


def _one_line(text: str) -> str:
    return " ".join(text.split())
