"""Document-level metrics (``shared/docs/evaluation.md`` section 1): the product's own view.

Every annotation file is its own gold document, scored against the prediction for its text.
Per role we count exact and overlapping spans; per attribution we ask whether the predicted
cue and content land on the gold ones. All counts are micro-averaged over documents.

Choices the spec leaves open, made here once:

- Spans of a role are compared as a *set* per document: a source shared by three gold
  attributions is one gold source span, and a predictor that repeats it on each of its own
  attributions is not punished for the repeats.
- Content is the tuple of its fragments, each stripped of surrounding whitespace (empty
  fragments dropped); source and cue are compared as given.
- Attribution level: when the gold cue is None the cue condition holds only when the predicted
  cue is None too (a cue-less gold attribution is rare: none in dev, one in train).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quotegraph.corpus.polnear import GoldDocument
from quotegraph.model import Attribution, Span

ROLES = ("source", "cue", "content")

#: A role's comparable value: (start, end) for source/cue, a tuple of those for content.
Offsets = tuple[int, int]
RoleValue = tuple[Offsets, ...]


@dataclass
class Counts:
    """True positives, false positives and false negatives, summed across documents."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, float]:
        return prf(self.tp, self.fp, self.fn)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Counts with precision, recall and F1 in percent (the unit of the published tables)."""
    precision = 100.0 * tp / (tp + fp) if tp + fp else 0.0
    recall = 100.0 * tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


# --------------------------------------------------------------------------- role values


def strip_span(span: Span) -> Offsets | None:
    """(start, end) without surrounding whitespace, from the span's own text; None if blank."""
    leading = len(span.text) - len(span.text.lstrip())
    stripped = span.text.strip()
    if not stripped:
        return None
    start = span.start + leading
    return start, start + len(stripped)


def role_value(attribution: Attribution, role: str) -> RoleValue | None:
    """What the metric compares for one role of one attribution (None when absent)."""
    if role == "content":
        fragments = [strip_span(f) for f in attribution.content]
        kept = tuple(sorted(f for f in fragments if f is not None))
        return kept or None
    span = attribution.source if role == "source" else attribution.cue
    return None if span is None else ((span.start, span.end),)


def role_values(attributions: Sequence[Attribution], role: str) -> list[RoleValue]:
    """The document's distinct values for a role, in first-seen order."""
    values = (role_value(a, role) for a in attributions)
    return list(dict.fromkeys(v for v in values if v is not None))


def overlap(a: RoleValue, b: RoleValue) -> int:
    """Characters shared by two values: summed over every pair of fragments."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


# --------------------------------------------------------------------------- matching


def greedy_pairs(
    n_gold: int, n_pred: int, weight: Callable[[int, int], float]
) -> list[tuple[int, int]]:
    """One-to-one pairs, heaviest first; ``weight(g, p) <= 0`` means "may not pair".

    Greedy by weight (ties by position) is what "one-to-one, greedy" means in the spec; it is
    deterministic and close to optimal for the sparse overlaps found in news text.
    """
    candidates = [
        (-w, g, p) for g in range(n_gold) for p in range(n_pred) if (w := weight(g, p)) > 0
    ]
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, g, p in sorted(candidates):
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return pairs


def _counts(n_gold: int, n_pred: int, matched: int) -> Counts:
    return Counts(tp=matched, fp=n_pred - matched, fn=n_gold - matched)


def exact_counts(gold: Sequence[RoleValue], predicted: Sequence[RoleValue]) -> Counts:
    """A gold value is found when the identical value was predicted."""
    return _counts(len(gold), len(predicted), len(set(gold) & set(predicted)))


def overlap_counts(gold: Sequence[RoleValue], predicted: Sequence[RoleValue]) -> Counts:
    """A gold value is found when a still-unpaired predicted value shares a character."""
    pairs = greedy_pairs(len(gold), len(predicted), lambda g, p: overlap(gold[g], predicted[p]))
    return _counts(len(gold), len(predicted), len(pairs))


@dataclass(frozen=True)
class _Parts:
    """An attribution reduced to what attribution matching looks at, computed once."""

    content: RoleValue
    low: int  # first character of the content
    high: int  # one past its last character
    cue: RoleValue | None
    source: RoleValue | None

    @classmethod
    def of(cls, attribution: Attribution) -> _Parts:
        content = role_value(attribution, "content") or ()
        low = min((start for start, _ in content), default=0)
        high = max((end for _, end in content), default=0)
        cue, source = role_value(attribution, "cue"), role_value(attribution, "source")
        return cls(content, low, high, cue, source)


def _cue_agrees(gold: RoleValue | None, predicted: RoleValue | None) -> bool:
    """Cues overlap; a cue-less gold attribution wants a cue-less prediction."""
    if gold is None:
        return predicted is None
    return predicted is not None and overlap(gold, predicted) > 0


def _source_agrees(gold: RoleValue | None, predicted: RoleValue | None) -> bool:
    """Sources overlap, or the gold has none (then any predicted source is accepted)."""
    if gold is None:
        return True
    return predicted is not None and overlap(gold, predicted) > 0


def attribution_weight(gold: _Parts, predicted: _Parts, strict: bool) -> int:
    """How well a predicted attribution lands on a gold one; 0 when it does not match.

    Matching needs cue and content to overlap; ``strict`` also needs the source to overlap
    when the gold has one. The weight (characters of content and cue shared) only orders the
    greedy pairing.
    """
    if predicted.high <= gold.low or gold.high <= predicted.low:
        return 0
    content = overlap(gold.content, predicted.content)
    if content == 0 or not _cue_agrees(gold.cue, predicted.cue):
        return 0
    if strict and not _source_agrees(gold.source, predicted.source):
        return 0
    return content + overlap(gold.cue or (), predicted.cue or ())


def attribution_counts(
    gold: Sequence[Attribution], predicted: Sequence[Attribution], strict: bool
) -> Counts:
    """Attributions paired one-to-one when cue and content (and, strict, source) overlap."""
    g = [_Parts.of(a) for a in gold]
    p = [_Parts.of(a) for a in predicted]
    pairs = greedy_pairs(len(g), len(p), lambda i, j: attribution_weight(g[i], p[j], strict))
    return _counts(len(gold), len(predicted), len(pairs))


# --------------------------------------------------------------------------- scoring


def document_counts(
    gold: Sequence[Attribution], predicted: Sequence[Attribution]
) -> dict[str, Counts]:
    """Every count for one document, keyed "exact/<role>", "overlap/<role>", "attribution/..."."""
    counts: dict[str, Counts] = {}
    for role in ROLES:
        g, p = role_values(gold, role), role_values(predicted, role)
        counts[f"exact/{role}"] = exact_counts(g, p)
        counts[f"overlap/{role}"] = overlap_counts(g, p)
    counts["attribution/loose"] = attribution_counts(gold, predicted, strict=False)
    counts["attribution/strict"] = attribution_counts(gold, predicted, strict=True)
    return counts


def score_documents(gold: list[GoldDocument], predictions: dict[str, list[Attribution]]) -> dict:
    """Micro-averaged document-level scores; a text with no prediction counts as empty.

    Returns ``{"exact": {role: scores}, "overlap": {role: scores}, "attribution": {"loose":
    scores, "strict": scores}, "n_documents": int}`` where scores is ``{tp, fp, fn, precision,
    recall, f1}`` in percent.
    """
    totals: dict[str, Counts] = {}
    for document in gold:
        predicted = predictions.get(document.text_id, [])
        for key, counts in document_counts(document.attributions, predicted).items():
            totals.setdefault(key, Counts()).add(counts)
    result: dict = {"exact": {}, "overlap": {}, "attribution": {}}
    for key, counts in (totals or _empty_totals()).items():
        group, name = key.split("/")
        result[group][name] = counts.to_dict()
    result["n_documents"] = len(gold)
    return result


def _empty_totals() -> dict[str, Counts]:
    """All-zero counts so an empty gold list still yields every key."""
    return document_counts([], [])
