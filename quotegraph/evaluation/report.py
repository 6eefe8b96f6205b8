"""One call to evaluate an extractor on PolNeAR, and one table to read the result.

Nothing here imports the NLP: ``predict`` is whatever callable the caller passes, so evaluating
a baseline or a stub costs no model load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quotegraph.corpus import polnear
from quotegraph.evaluation.document import ROLES, score_documents
from quotegraph.evaluation.sentence import default_cofenet_path, score_sentences
from quotegraph.model import Attribution

Predict = Callable[[list[tuple[str, str]]], dict[str, list[Attribution]]]

_LABEL_WIDTH = 30
_CELL = "{:>6}"


def evaluate_polnear(predict: Predict, split: str = "dev", root: Path | None = None) -> dict:
    """Score ``predict`` on a PolNeAR split with both metrics.

    ``predict`` gets every (text_id, text) of the split in one call (so it can batch) and
    returns attributions keyed by text_id. Returns ``{"document": ..., "sentence": ... or None
    (only dev has cofenet labels), "n_documents": int}``.
    """
    gold = polnear.load_split(split, root)
    texts = {document.text_id: document.text for document in gold}
    predictions = predict(list(texts.items()))
    cofenet = default_cofenet_path(root)
    sentence = None
    if split == "dev" and cofenet.is_file():
        sentence = score_sentences(predictions, texts, cofenet)
    return {
        "document": score_documents(gold, predictions),
        "sentence": sentence,
        "n_documents": len(gold),
    }


def _cells(scores: dict[str, float]) -> str:
    return " ".join(_CELL.format(f"{scores[k]:.1f}") for k in ("precision", "recall", "f1"))


def _role_row(label: str, by_role: dict[str, dict[str, float]]) -> str:
    return f"{label:<{_LABEL_WIDTH}}" + "  ".join(_cells(by_role[role]) for role in ROLES)


def _role_header() -> list[str]:
    width = 3 * 6 + 2
    roles = f"{'':<{_LABEL_WIDTH}}" + "  ".join(f"{role:^{width}}" for role in ROLES)
    columns = f"{'':<{_LABEL_WIDTH}}" + "  ".join(
        " ".join(_CELL.format(c) for c in ("P", "R", "F1")) for _ in ROLES
    )
    return [roles, columns, "-" * len(columns)]


def format_report(doc_scores: dict | None, sent_scores: dict | None) -> str:
    """A fixed-width table: the published sentence-level metric first, then our own views.

    Either argument may be None (no cofenet labels for the split, or document scores not
    computed); its rows are left out. Scores are percentages.
    """
    lines = _role_header()
    if sent_scores is not None:
        lines.append(_role_row("sentence exact (published)", sent_scores))
    if doc_scores is not None:
        lines.append(_role_row("document exact", doc_scores["exact"]))
        lines.append(_role_row("document overlap", doc_scores["overlap"]))
        lines.append("")
        lines.append(
            f"{'attribution':<{_LABEL_WIDTH}}" + " ".join(_CELL.format(c) for c in ("P", "R", "F1"))
        )
        for variant in ("loose", "strict"):
            row = doc_scores["attribution"][variant]
            lines.append(f"{'  ' + variant:<{_LABEL_WIDTH}}" + _cells(row))
    lines.append("")
    lines.extend(_footnotes(doc_scores, sent_scores))
    return "\n".join(lines)


def _footnotes(doc_scores: dict | None, sent_scores: dict | None) -> list[str]:
    """Sizes and alignment health, so a strange number can be traced to strange input."""
    notes = []
    if doc_scores is not None:
        notes.append(f"documents: {doc_scores['n_documents']}")
    if sent_scores is not None:
        a = sent_scores["alignment"]
        notes.append(
            f"sentence lines: {sent_scores['n_lines']}; tokens {a['tokens']}, "
            f"re-anchored {a['recovered']}, unaligned {a['unaligned']}"
        )
    return notes
