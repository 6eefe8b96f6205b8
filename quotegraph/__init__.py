"""quotegraph: who said what, how, in English news articles.

>>> import quotegraph
>>> result = quotegraph.extract("The senator said the bill would pass.")
>>> [a.cue.text for a in result.attributions]
['said']
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from importlib.abc import MetaPathFinder
from typing import Any

from quotegraph.model import ArticleResult, Attribution, Span, Speaker


class _NoTorchForThinc(MetaPathFinder):
    """Keep fast mode free of torch.

    thinc (under spaCy) imports torch at import time whenever it is installed (the accurate
    extra), which costs seconds and hundreds of MB that fast mode never uses. This refuses
    torch to thinc's import-time probe only (``thinc.compat`` while it is still executing);
    any later ``import torch``, accurate mode's included, is untouched.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "torch":
            compat = sys.modules.get("thinc.compat")
            if compat is not None and not hasattr(compat, "has_torch"):
                raise ModuleNotFoundError("torch is not used by quotegraph's fast mode")


if "thinc.compat" not in sys.modules:
    sys.meta_path.insert(0, _NoTorchForThinc())

__all__ = ["ArticleResult", "Attribution", "Span", "Speaker", "extract", "extract_many"]
__version__ = "0.1.0"


def extract(
    text: str, id: str = "article", meta: dict[str, Any] | None = None, mode: str = "fast"
) -> ArticleResult:
    """Extract every attribution of one article's text (the shipped model of ``mode``: fast,
    or accurate with ``pip install 'quotegraph[accurate]'``)."""
    return _extractor(mode).extract(text, id=id, meta=meta)


def extract_many(
    articles: Iterable[tuple[str, str, dict[str, Any]]], batch_size: int = 16, mode: str = "fast"
) -> Iterator[ArticleResult]:
    """Stream records for ``(id, text, meta)`` triples, in order, batching the NLP."""
    yield from _extractor(mode).extract_many(articles, batch_size=batch_size)


def _extractor(mode: str) -> Any:
    from quotegraph.extraction.pipeline import default_extractor

    return default_extractor() if mode == "fast" else default_extractor(mode)
