"""Measuring extraction quality on PolNeAR (``shared/docs/evaluation.md``).

Two metrics, both needed: the document level (``document``: exact and overlapping spans per
role, and whole attributions) is the product's own view; the sentence level (``sentence``:
CofeNet's token/BIO exact spans) is the one the literature publishes. ``report`` runs both and
prints them. No module here imports spaCy.
"""

from __future__ import annotations

from quotegraph.evaluation.document import score_documents
from quotegraph.evaluation.report import evaluate_polnear, format_report
from quotegraph.evaluation.sentence import score_gold_projection, score_sentences

__all__ = [
    "evaluate_polnear",
    "format_report",
    "score_documents",
    "score_gold_projection",
    "score_sentences",
]
