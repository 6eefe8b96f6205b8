"""quotegraph: who said what, how, in English news articles.

>>> import quotegraph
>>> result = quotegraph.extract("The senator said the bill would pass.")
>>> [a.cue.text for a in result.attributions]
['said']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from quotegraph.model import ArticleResult, Attribution, Span, Speaker

__all__ = ["ArticleResult", "Attribution", "Span", "Speaker", "extract", "extract_many"]
__version__ = "0.1.0"


def extract(text: str, id: str = "article", meta: dict[str, Any] | None = None) -> ArticleResult:
    """Extract every attribution of one article's text (the shipped fast model)."""
    from quotegraph.extraction.pipeline import default_extractor

    return default_extractor().extract(text, id=id, meta=meta)


def extract_many(
    articles: Iterable[tuple[str, str, dict[str, Any]]], batch_size: int = 16
) -> Iterator[ArticleResult]:
    """Stream records for ``(id, text, meta)`` triples, in order, batching the NLP."""
    from quotegraph.extraction.pipeline import default_extractor

    yield from default_extractor().extract_many(articles, batch_size=batch_size)
