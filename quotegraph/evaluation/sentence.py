"""The published sentence-level metric (``shared/docs/evaluation.md`` section 2).

CofeNet (COLING 2022) scores PolNeAR as CoreNLP/PTB tokens with BIO labels. To put a
character-offset prediction on that scale we align each ``cofenet/dev.jsonl`` line's tokens to the
article text, project the predicted spans onto the tokens the way CofeNet projected its own gold,
and compare exact BIO spans. Projecting the *gold* attributions this way must reproduce the
jsonl labels almost perfectly; a test holds us to that.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quotegraph.evaluation.document import prf
from quotegraph.model import Attribution, Span

ROLES = ("source", "cue", "content")

#: PTB escapes CoreNLP writes for brackets.
_PTB_BRACKETS = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
}
#: Text characters folded to the ASCII that PTB tokens use (both sides are folded alike).
_FOLD = {
    **dict.fromkeys("‘’‚‛′´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("–—―‒−‐‑", "-"),
    "…": "...",
    **dict.fromkeys("\u200b\u200c\u200d\ufeff\xad", ""),
}
#: How far ahead a token that does not align where expected is looked for.
_RECOVERY_WINDOW = 60
#: Tokens that must match in a row before the aligner trusts a jump.
_ANCHOR_TOKENS = 3

TokenOffsets = list[tuple[int, int]]


# --------------------------------------------------------------------------- the jsonl lines


@dataclass
class CofenetLine:
    """One text unit of ``cofenet/dev.jsonl``: PTB tokens with gold BIO labels."""

    id: str  # annotation file stem, "<text-stem>_<annotator>"
    tokens: list[str]
    labels: list[str]

    @property
    def text_id(self) -> str:
        """The article the line comes from (every annotator of a text shares it)."""
        return self.id.rsplit("_", 1)[0]


def default_cofenet_path(root: Path | None = None) -> Path:
    """``<polnear>/cofenet/dev.jsonl``, next to the corpus the reader finds."""
    from quotegraph.corpus.polnear import default_root

    return (root or default_root()) / "cofenet" / "dev.jsonl"


def load_cofenet(path: Path | None = None) -> list[CofenetLine]:
    """Every line of the jsonl, in file order (which is article order within each id)."""
    path = path or default_cofenet_path()
    lines = []
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            if raw.strip():
                data = json.loads(raw)
                lines.append(CofenetLine(data["id"], data["tokens"], data["labels"]))
    return lines


# --------------------------------------------------------------------------- token alignment


@dataclass
class AlignmentStats:
    """How cleanly tokens found their characters; the report shows it so drift is visible."""

    tokens: int = 0
    recovered: int = 0  # found only by searching ahead (text skipped)
    unaligned: int = 0  # not found at all: given an empty span where the text stood

    def add(self, other: AlignmentStats) -> None:
        self.tokens += other.tokens
        self.recovered += other.recovered
        self.unaligned += other.unaligned

    def to_dict(self) -> dict[str, int]:
        return {"tokens": self.tokens, "recovered": self.recovered, "unaligned": self.unaligned}


@dataclass
class _FoldedText:
    """The article folded to PTB-comparable characters, with a map back to real offsets.

    ``origin[i]`` is the text offset of folded character ``i``; one extra entry holds
    ``len(text)`` so a match ending at the folded end maps back cleanly.
    """

    chars: str
    origin: list[int] = field(repr=False)

    @classmethod
    def of(cls, text: str) -> _FoldedText:
        chars: list[str] = []
        origin: list[int] = []
        for index, ch in enumerate(text):
            folded = _FOLD.get(ch, " " if ch.isspace() else ch)
            chars.append(folded)
            origin.extend([index] * len(folded))
        origin.append(len(text))
        return cls("".join(chars), origin)

    def skip_space(self, pos: int) -> int:
        return _skip_spaces(self.chars, pos)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Folded [start, end) as text offsets."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def _token_form(token: str) -> str:
    """The token as text-comparable characters (brackets unescaped, unicode folded)."""
    token = _PTB_BRACKETS.get(token, token)
    return "".join(_FOLD.get(ch, " " if ch.isspace() else ch) for ch in token)


def _match(form: str, text: str, pos: int) -> int | None:
    """Folded text end if ``form`` spells the text at ``pos``, else None.

    PTB writes a double quote as two characters (`` or ''), an em dash as "--", and keeps one
    space where the text may have several; a small depth-first search tries each reading
    (iterative, since a tweet-markup token can be hundreds of characters long).
    """
    stack = [(0, pos)]
    while stack:
        i, j = stack.pop()
        if i == len(form):
            return j
        if j >= len(text):
            continue
        ch = text[j]
        pair = form[i : i + 2]
        if (pair in ("``", "''") and ch == '"') or (pair == "--" and ch == "-"):
            stack.append((i + 2, j + 1))
        if form[i] == "`" and ch == "'":
            stack.append((i + 1, j + 1))
        if form[i] == ch:  # pushed last, so tried first
            stack.append((i + 1, _skip_spaces(text, j) if ch == " " else j + 1))
    return None


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _match_run(forms: Sequence[str], folded: _FoldedText, pos: int) -> int | None:
    """Folded end if the token forms spell the text consecutively from ``pos``, else None."""
    for form in forms:
        end = _match(form, folded.chars, folded.skip_space(pos))
        if end is None:
            return None
        pos = end
    return pos


def _anchor(forms: Sequence[str], folded: _FoldedText, pos: int, taken: set[int]) -> int | None:
    """Where a run of tokens continues when it does not continue at ``pos``.

    CofeNet's text units are not always in article order (a unit can gather sentences from
    several paragraphs), so the run is searched ahead first, then from the top of the article;
    starts already used by earlier tokens of the same annotation are passed over so a repeated
    sentence lands on its next copy.
    """
    text = folded.chars
    first = _first_chars(forms[0])
    for candidate in [*range(pos, len(text)), *range(pos)]:
        if text[candidate] not in first or candidate in taken:
            continue
        if _match_run(forms, folded, candidate) is not None:
            return candidate
    return None


def _align_one(
    forms: Sequence[str], folded: _FoldedText, pos: int, taken: set[int], verify: bool
) -> tuple[int, int, str]:
    """Folded (start, end) of ``forms[0]`` and how it was found: exact, recovered or missing.

    ``forms`` holds the token and a few that follow it: a run of them must match before the
    aligner jumps elsewhere, and (with ``verify``, at a line start) before it trusts ``pos``.
    """
    start = folded.skip_space(pos)
    end = _match(forms[0], folded.chars, start)
    if end is not None and (not verify or _match_run(forms, folded, start) is not None):
        return start, end, "exact"
    jump = _anchor(forms, folded, pos, taken)
    if jump is None and len(forms) > 1:
        jump = _nearby(forms[0], folded, pos)
    if jump is not None:
        jump_end = _match(forms[0], folded.chars, jump)  # found there, so never None
        return jump, jump if jump_end is None else jump_end, "recovered"
    if end is not None:
        return start, end, "exact"
    return start, start, "missing"


def _nearby(form: str, folded: _FoldedText, pos: int) -> int | None:
    """A lone token a little ahead: the fallback when the tokens after it do not fit either."""
    start = folded.skip_space(pos)
    for candidate in range(start, min(len(folded.chars), start + _RECOVERY_WINDOW)):
        if _match(form, folded.chars, candidate) is not None:
            return candidate
    return None


def _first_chars(form: str) -> str:
    """Folded characters a token can begin with (a cheap filter before a full match)."""
    if form[:2] in ("``", "''"):
        return form[0] + '"'
    if form[:1] == "`":
        return "`'"
    return form[:1]


def _drops_abbreviation_period(
    form: str, end: int, next_token: str | None, folded: _FoldedText
) -> bool:
    """CoreNLP repeats a sentence-final abbreviation's period ("U.S." then "."); if the text
    has only one period, the abbreviation gives it up to the "." token."""
    if next_token != "." or len(form) < 2 or not form.endswith("."):
        return False
    after = folded.skip_space(end)
    return _match(".", folded.chars, after) is None


@dataclass
class _Cursor:
    """Where one annotation's lines have got to in its article, and what they have used."""

    folded: _FoldedText
    pos: int = 0
    taken: set[int] = field(default_factory=set)


def align_tokens(
    text: str, tokens: Sequence[str], cursor: _Cursor | None = None
) -> tuple[TokenOffsets, AlignmentStats]:
    """Character (start, end) of each token in ``text``, continuing from ``cursor``.

    The cursor (advanced in place) carries the position and used characters from one line of an
    annotation to the next. Never raises on tokens that do not fit: they get an empty span and
    are counted in the stats.
    """
    cursor = cursor or _Cursor(_FoldedText.of(text))
    folded = cursor.folded
    forms = [_token_form(token) for token in tokens]
    stats = AlignmentStats(tokens=len(tokens))
    offsets: TokenOffsets = []
    for index, form in enumerate(forms):
        run = forms[index : index + _ANCHOR_TOKENS]
        begin, end, how = _align_one(run, folded, cursor.pos, cursor.taken, verify=index == 0)
        stats.recovered += how == "recovered"
        stats.unaligned += how == "missing"
        next_token = tokens[index + 1] if index + 1 < len(tokens) else None
        if how != "missing" and _drops_abbreviation_period(form, end, next_token, folded):
            end -= 1
        offsets.append(folded.span(begin, end))
        cursor.taken.update(range(begin, end))
        cursor.pos = end
    return offsets, stats


def align_lines(
    lines: Sequence[CofenetLine], texts: dict[str, str]
) -> tuple[dict[int, TokenOffsets], AlignmentStats]:
    """Offsets for every line (by index into ``lines``) whose article text is known.

    Lines of one annotation id mostly follow each other through the article, so each continues
    where the previous one stopped; the aligner jumps where they do not.
    """
    offsets: dict[int, TokenOffsets] = {}
    stats = AlignmentStats()
    folded: dict[str, _FoldedText] = {}
    cursors: dict[str, _Cursor] = {}
    for index, line in enumerate(lines):
        text = texts.get(line.text_id)
        if text is None:
            continue
        if line.id not in cursors:
            article = folded.setdefault(line.text_id, _FoldedText.of(text))
            cursors[line.id] = _Cursor(article)
        offsets[index], line_stats = align_tokens(text, line.tokens, cursors[line.id])
        stats.add(line_stats)
    return offsets, stats


# --------------------------------------------------------------------------- projection


def _covered_tokens(start: int, end: int, offsets: TokenOffsets) -> list[int]:
    """Token indices the character span [start, end) labels, by CofeNet's conversion.

    A token is labelled when the span covers it, or when the span starts inside it and goes on
    past its end: a span ending inside a token drops it, and a span lying inside one token
    labels nothing. The caller clips the span to the line first, which is why an opening quote
    token at the end of a line stays O when the quotation starts in its second character.
    (evaluation.md says a span inside a single token gets that token; the jsonl says otherwise
    in all three dev cases, and the jsonl is what we must reproduce.)
    """
    covered = []
    for index, (t_start, t_end) in enumerate(offsets):
        if t_start == t_end:  # an unaligned token: labelled when its position is inside
            inside = start <= t_start < end
        else:
            inside = start <= t_start and t_end <= end
            inside = inside or (t_start < start < t_end < end)
        if inside:
            covered.append(index)
    return covered


def _role_spans(attribution: Attribution) -> Iterable[tuple[str, Span]]:
    """Spans in overwrite order: source, then cue, then each content fragment."""
    if attribution.source is not None:
        yield "source", attribution.source
    if attribution.cue is not None:
        yield "cue", attribution.cue
    for fragment in attribution.content:
        yield "content", fragment


def project_labels(attributions: Iterable[Attribution], offsets: TokenOffsets) -> list[str]:
    """BIO labels for one line's tokens from character-offset attributions.

    Every span (each content fragment too) opens its own B- run; later attributions and later
    roles overwrite earlier labels, as CofeNet's own conversion did.
    """
    labels = ["O"] * len(offsets)
    if not offsets:
        return labels
    line_start = min(s for s, _ in offsets)
    line_end = max(e for _, e in offsets)
    for attribution in attributions:
        for role, span in _role_spans(attribution):
            start, end = max(span.start, line_start), min(span.end, line_end)
            if start >= end:
                continue
            for rank, index in enumerate(_covered_tokens(start, end, offsets)):
                labels[index] = f"{'B' if rank == 0 else 'I'}-{role}"
    return labels


# --------------------------------------------------------------------------- scoring


def bio_spans(labels: Sequence[str]) -> set[tuple[str, int, int]]:
    """(role, start, end) token spans, end exclusive.

    A span starts at B-x, or at an I-x that does not continue an x span, and runs over I-x.
    """
    spans: set[tuple[str, int, int]] = set()
    role: str | None = None
    begin = 0
    for index, label in enumerate([*labels, "O"]):
        prefix, _, kind = label.partition("-")
        continues = prefix == "I" and kind == role
        if continues:
            continue
        if role is not None:
            spans.add((role, begin, index))
        role, begin = (kind, index) if prefix in ("B", "I") else (None, index)
    return spans


def score_label_sequences(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
) -> dict[str, dict[str, float]]:
    """Per-role exact-span P/R/F1 over (gold labels, predicted labels) pairs, micro-averaged."""
    counts = {role: [0, 0, 0] for role in ROLES}
    for gold_labels, predicted_labels in pairs:
        gold = bio_spans(gold_labels)
        predicted = bio_spans(predicted_labels)
        for role in ROLES:
            g = {s for s in gold if s[0] == role}
            p = {s for s in predicted if s[0] == role}
            counts[role][0] += len(g & p)
            counts[role][1] += len(p - g)
            counts[role][2] += len(g - p)
    return {role: prf(*counts[role]) for role in ROLES}


def _project_lines(
    lines: Sequence[CofenetLine],
    texts: dict[str, str],
    attributions_for: Callable[[CofenetLine], list[Attribution]],
) -> tuple[list[tuple[CofenetLine, list[str]]], AlignmentStats]:
    """Each line whose text is known, with the labels its attributions project onto it."""
    offsets, stats = align_lines(lines, texts)
    projected = [
        (lines[i], project_labels(attributions_for(lines[i]), offsets[i])) for i in sorted(offsets)
    ]
    return projected, stats


def predicted_labels(
    predictions: dict[str, list[Attribution]],
    texts: dict[str, str],
    cofenet_path: Path | None = None,
) -> list[tuple[CofenetLine, list[str]]]:
    """Every jsonl line with the BIO labels a prediction gets: for error analysis."""
    lines = load_cofenet(cofenet_path)
    projected, _ = _project_lines(lines, texts, lambda line: predictions.get(line.text_id, []))
    return projected


def _score(projected: list[tuple[CofenetLine, list[str]]], stats: AlignmentStats) -> dict:
    scores: dict = score_label_sequences((line.labels, labels) for line, labels in projected)
    scores["n_lines"] = len(projected)
    scores["alignment"] = stats.to_dict()
    return scores


def score_sentences(
    predictions: dict[str, list[Attribution]],
    texts: dict[str, str],
    cofenet_path: Path | None = None,
) -> dict:
    """The published metric for predictions keyed by text id (each line's text stem).

    Returns ``{"source"|"cue"|"content": {tp, fp, fn, precision, recall, f1}, "n_lines": int,
    "alignment": {tokens, recovered, unaligned}}``; scores are percentages. Lines whose text is
    not in ``texts`` are skipped (and not counted); a text without predictions scores as empty.
    """
    lines = load_cofenet(cofenet_path)
    projected, stats = _project_lines(lines, texts, lambda line: predictions.get(line.text_id, []))
    return _score(projected, stats)


def score_gold_projection(
    gold_by_annotation: dict[str, list[Attribution]],
    texts: dict[str, str],
    cofenet_path: Path | None = None,
) -> dict:
    """Each line scored against the gold of *its own* annotation file, projected.

    The sanity check of the projection: near 100 means the metric measures the extractor, not
    our conversion.
    """
    lines = load_cofenet(cofenet_path)
    projected, stats = _project_lines(
        lines, texts, lambda line: gold_by_annotation.get(line.id, [])
    )
    return _score(projected, stats)
