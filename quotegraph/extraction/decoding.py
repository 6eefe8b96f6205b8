"""From per-token role probabilities to well-formed spans and linked attributions.

Decoding is constrained (an I- label only continues the same role), and linking follows the
parse: a content hangs off the cue that governs it, a source is the cue's subject, and where the
parse says nothing the nearest cue in the same sentence, then paragraph, wins.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy
from spacy.tokens import Doc, Token

from quotegraph.extraction.tagger import LABELS
from quotegraph.model import Attribution, Span, kind_of

_NEG = -1e9


@dataclass
class RoleSpan:
    """A decoded span in token offsets, with the mean probability of its labels."""

    role: str
    start: int  # token index
    end: int  # token index, exclusive
    score: float


@dataclass
class _Group:
    cue: RoleSpan | None
    source: RoleSpan | None = None
    contents: list[RoleSpan] = field(default_factory=list)


def _transitions() -> numpy.ndarray:
    """Allowed label bigrams: I-x only after B-x or I-x."""
    n = len(LABELS)
    allowed = numpy.zeros((n, n), dtype="f")
    for j, label in enumerate(LABELS):
        if label.startswith("I-"):
            role = label[2:]
            for i, prev in enumerate(LABELS):
                if prev[2:] != role:
                    allowed[i, j] = _NEG
    return allowed


_TRANSITIONS = _transitions()
_START = numpy.array([_NEG if label.startswith("I-") else 0.0 for label in LABELS], dtype="f")


def viterbi(probs: numpy.ndarray, transitions: numpy.ndarray | None = None) -> list[int]:
    """Most probable label sequence under the BIO constraints.

    ``transitions`` (log label-bigram scores learned from the training labels, already
    weighted) smooth the per-token decisions: a long content is not cut in two by one
    uncertain token in its middle.
    """
    if len(probs) == 0:
        return []
    logp = numpy.log(numpy.clip(probs, 1e-9, 1.0))
    allowed = _TRANSITIONS if transitions is None else _TRANSITIONS + transitions
    n, k = logp.shape
    score = _START + logp[0]
    back = numpy.zeros((n, k), dtype="int32")
    for t in range(1, n):
        candidates = score[:, None] + allowed
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + logp[t]
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def label_bigrams(label_sequences: list[numpy.ndarray]) -> numpy.ndarray:
    """Log P(next label | label) from training label sequences (add-one smoothed)."""
    counts = numpy.ones((len(LABELS), len(LABELS)), dtype="f")
    for labels in label_sequences:
        numpy.add.at(counts, (labels[:-1], labels[1:]), 1)
    return numpy.log(counts / counts.sum(axis=1, keepdims=True))


def decode_spans(probs: numpy.ndarray, transitions: numpy.ndarray | None = None) -> list[RoleSpan]:
    """Role spans (token offsets) from the constrained best label path."""
    path = viterbi(probs, transitions)
    spans: list[RoleSpan] = []
    current: RoleSpan | None = None
    for t, label_id in enumerate(path):
        label = LABELS[label_id]
        if label.startswith("I-") and current is not None:
            current.end = t + 1
            continue
        if current is not None:
            spans.append(current)
            current = None
        if label.startswith("B-"):
            current = RoleSpan(label[2:], t, t + 1, 0.0)
    if current is not None:
        spans.append(current)
    for span in spans:
        span.score = float(numpy.mean([probs[t, path[t]] for t in range(span.start, span.end)]))
    return spans


@dataclass
class _Layout:
    """Per-token sentence and paragraph numbers and the text, computed once per doc.

    ``doc.text`` and ``token.sent`` are rebuilt on every access in spaCy; linking asks for them
    thousands of times per article.
    """

    doc: Doc
    text: str
    sentence: numpy.ndarray  # per token, the number of its sentence
    sentence_end: numpy.ndarray  # per token, the token index where its sentence ends
    paragraph: numpy.ndarray  # per token, the number of its paragraph

    @classmethod
    def of(cls, doc: Doc) -> _Layout:
        sentence = numpy.zeros(len(doc), dtype="int32")
        sentence_end = numpy.zeros(len(doc), dtype="int32")
        for number, sent in enumerate(doc.sents):
            sentence[sent.start : sent.end] = number
            sentence_end[sent.start : sent.end] = sent.end
        breaks = numpy.array([t.is_space and "\n\n" in t.text for t in doc], dtype="int32")
        return cls(doc, text_of(doc), sentence, sentence_end, numpy.cumsum(breaks))


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per doc (spaCy rebuilds it from the tokens on every access);
    linking, speakers and the dispute rules all read it."""
    text = doc.user_data.get("quotegraph.text")
    if text is None:
        text = doc.user_data["quotegraph.text"] = doc.text
    return text


def link(doc: Doc, spans: list[RoleSpan]) -> list[Attribution]:
    """Tie sources and contents to cues, and build the records (char offsets into doc.text)."""
    layout = _Layout.of(doc)
    spans = _names_kept_whole(doc, spans)
    cues = [_without_commas(layout, s) for s in spans if s.role == "cue"]
    groups = [_Group(cue) for cue in cues]
    orphans: list[_Group] = []
    contents = [_trimmed(layout, s, _next_start(spans, s)) for s in spans if s.role == "content"]
    for content in (s for s in contents if s.end > s.start):
        index = _closest_cue(layout, content, cues)
        if index is None:
            orphans.append(_Group(None, contents=[content]))
        else:
            groups[index].contents.append(content)
    for source in (_completed(layout, s, _next_start(spans, s)) for s in spans
                   if s.role == "source"):
        index = _closest_cue(layout, source, cues, same_sentence=True)
        if index is not None and groups[index].source is None:
            groups[index].source = source
    _share_sources(layout, groups)
    for group in groups:
        if group.cue is not None and not group.contents:
            group.contents = _content_from_parse(layout, group)
        if group.cue is not None and group.source is None and group.contents:
            group.source = _source_from_parse(layout, group)
    # A content with no cue stands only as a quotation ("... ," she went on. "..."): a
    # paraphrase the tagger found without any cue is wrong far more often than right.
    kept = [g for g in groups if g.contents] + [g for g in orphans if _quoted(layout, g)]
    return [
        _to_attribution(layout, group, number)
        for number, group in enumerate(sorted(kept, key=_group_start), 1)
    ]


def _names_kept_whole(doc: Doc, spans: list[RoleSpan]) -> list[RoleSpan]:
    """A source cut inside a name ("French director Guy | Lagache about") takes the rest of
    the name from the span that follows it: a speaker's name is never half a source."""
    out = [RoleSpan(s.role, s.start, s.end, s.score) for s in spans]
    for source, after in itertools.pairwise(out):
        if source.role != "source" or after.start != source.end:
            continue
        moved = after.start
        while moved < after.end - 1 and doc[moved].pos_ == "PROPN" and doc[moved - 1].pos_ == "PROPN":
            moved += 1
        source.end = after.start = moved
    return out


def _quoted(layout: _Layout, group: _Group) -> bool:
    """Whether every content fragment of the group is inside quotation marks."""
    return kind_of([_char_span(layout, s) for s in group.contents]) == "direct"


def _closest_cue(
    layout: _Layout, span: RoleSpan, cues: list[RoleSpan], same_sentence: bool = False
) -> int | None:
    """Index of the cue that governs ``span``: syntactic head first, then the nearest by tokens.

    Candidates are cues in the same sentence; for contents, cues in the same paragraph are a
    fallback (a quote that follows "He said:" on its own line).
    """
    if not cues:
        return None
    doc = layout.doc
    root = _span_root(doc, span)
    best, best_key = None, None
    for i, cue in enumerate(cues):
        in_sentence = layout.sentence[cue.start] == layout.sentence[span.start]
        same_paragraph = layout.paragraph[cue.start] == layout.paragraph[span.start]
        if not in_sentence and (same_sentence or not same_paragraph):
            continue
        governs = any(root.head.i == t or root.i == t for t in range(cue.start, cue.end)) or any(
            doc[t].head.i == root.i for t in range(cue.start, cue.end)
        )
        distance = cue.start - span.end if cue.start >= span.end else span.start - cue.end
        key = (not in_sentence, not governs, max(distance, 0))
        if best_key is None or key < best_key:
            best, best_key = i, key
    return best


def _content_from_parse(layout: _Layout, group: _Group) -> list[RoleSpan]:
    """The clause a cue reports, read off the parse, when the tagger found no content for it.

    "According to the Labor Department, unemployment fell": the cue phrase modifies the clause
    it reports, so the content is that clause without the cue phrase. "X said (that) ...": the
    cue's clausal complement. "The stadium, Tompkins said, is usually full": a parenthetical
    cue hangs off the clause it reports, which may be cut in two by it; each side of the cue
    is a fragment. The spans get the cue's score, discounted as a fallback.
    """
    doc = layout.doc
    cue = _span_root(doc, group.cue)
    taken = set(range(group.cue.start, group.cue.end))
    if group.source is not None:
        taken |= set(range(group.source.start, group.source.end))
    complements = [c for c in cue.children if c.dep_ in ("ccomp", "parataxis")]
    if complements:
        runs = [_longest_run([t.i for t in complements[0].subtree if t.i not in taken])]
    elif cue.dep_ == "prep" and cue.head.pos_ in ("VERB", "AUX"):
        outside = {t.i for t in cue.subtree}
        runs = [_longest_run([t.i for t in cue.head.subtree if t.i not in outside | taken])]
    elif cue.dep_ == "parataxis":
        outside = {t.i for t in cue.subtree} | taken
        runs = _runs([t.i for t in cue.head.subtree if t.i not in outside])
    else:
        return []
    contents = []
    for run in (r for r in runs if r):
        start, end = _shrunk(doc, run[0], run[-1] + 1, _is_mark, _is_mark)
        if end - start >= 2:
            contents.append(RoleSpan("content", start, end, group.cue.score * 0.8))
    return contents


def _source_from_parse(layout: _Layout, group: _Group) -> RoleSpan | None:
    """The cue verb's subject, when the tagger found no source for a cue that has content.

    Only outside the contents, so that a quoted "we" never becomes the speaker.
    """
    doc = layout.doc
    cue = _span_root(doc, group.cue)
    subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects:
        return None
    first, last = subjects[0].left_edge.i, subjects[0].right_edge.i + 1
    if any(c.start < last and first < c.end for c in group.contents):
        return None
    return RoleSpan("source", first, last, group.cue.score * 0.8)


def _runs(indices: list[int]) -> list[list[int]]:
    """Stretches of consecutive token indices, in order."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _longest_run(indices: list[int]) -> list[int]:
    """The longest stretch of consecutive token indices."""
    return max(_runs(indices), key=len, default=[])


_LOOSE_EDGES = frozenset({",", ";", ":", "-", "--", "—", "–"})


#: Words a PolNeAR content (almost) never ends with: fewer than 10 of 26,000 in train do.
_NEVER_LAST = frozenset({"and", "or", "but", "because", "when", "while", "as", "to", "the", "a",
                         "an"})


def _next_start(spans: list[RoleSpan], span: RoleSpan) -> int:
    """Where the next span after ``span`` begins (a content may grow up to there, no further)."""
    return min((s.start for s in spans if s.start >= span.end), default=10**9)


def _trimmed(layout: _Layout, span: RoleSpan, limit: int) -> RoleSpan:
    """A content without the commas, colons, dashes and spaces at its edges, nor a dangling
    "and" or "the" at its end: in PolNeAR fewer than 1 in 150 contents begins or ends so
    (outside quotation marks); the tagger often runs on by a word into the next clause."""
    start, end = _shrunk(layout.doc, span.start, span.end, _is_loose_edge, _is_loose_end)
    return RoleSpan(span.role, start, _complete_phrase(layout, start, end, limit), span.score)


def _without_commas(layout: _Layout, span: RoleSpan) -> RoleSpan:
    """A cue without a trailing comma ("said," -> "said"); 13 of 22,000 PolNeAR cues end so,
    while a colon ("said:") is often part of the cue and stays."""
    _, end = _shrunk(layout.doc, span.start, span.end, None, _is_comma, keep=1)
    return RoleSpan(span.role, span.start, end, span.score)


def _completed(layout: _Layout, span: RoleSpan, limit: int) -> RoleSpan:
    """A source that stops inside a phrase ("Jim Hess, who introduced | Mr. Clarke"), completed;
    one that runs on into its clause's verb ("Sergey Lavrov called Ukrainian officials'") cut
    before the verb: a source is a noun phrase."""
    root = _span_root(layout.doc, span)
    if root.pos_ in ("VERB", "AUX") and root.i > span.start:
        _, end = _shrunk(layout.doc, span.start, root.i, None, _is_mark, keep=1)
    else:
        end = _complete_phrase(layout, span.start, span.end, limit)
    return RoleSpan(span.role, span.start, end, span.score)


def _shrunk(
    doc: Doc, start: int, end: int,
    drop_first: Callable[[Token], bool] | None, drop_last: Callable[[Token], bool],
    keep: int = 0,
) -> tuple[int, int]:
    """``start, end`` moved inwards past the tokens ``drop_first`` / ``drop_last`` reject at
    each edge, keeping at least ``keep`` tokens."""
    while drop_first is not None and start < end - keep and drop_first(doc[start]):
        start += 1
    while end > start + keep and drop_last(doc[end - 1]):
        end -= 1
    return start, end


def _is_mark(token: Token) -> bool:
    return token.is_punct or token.is_space


def _is_loose_edge(token: Token) -> bool:
    return token.is_space or token.text in _LOOSE_EDGES


def _is_loose_end(token: Token) -> bool:
    return _is_loose_edge(token) or token.lower_ in _NEVER_LAST


def _is_comma(token: Token) -> bool:
    return token.text in (",", ";")


_MODIFIERS = frozenset({"det", "poss", "amod", "compound", "nummod", "case", "predet", "nmod"})


def _complete_phrase(layout: _Layout, start: int, end: int, limit: int) -> int:
    """Extend a content that stops inside a phrase ("self-funding his | campaign", "owe $212
    billion in | additional taxes") to the end of that phrase, within the sentence."""
    if end <= start:
        return end
    doc = layout.doc
    sentence_end = min(int(layout.sentence_end[end - 1]), limit)
    for _ in range(3):
        last = doc[end - 1]
        if last.right_edge.i >= end and last.right_edge.i < sentence_end and not last.is_punct:
            end = last.right_edge.i + 1
        elif last.dep_ in _MODIFIERS and end <= last.head.i < sentence_end:
            end = last.head.i + 1
        else:
            break
    return end


def _span_root(doc: Doc, span: RoleSpan):
    """The token of the span whose head lies outside it (the syntactic root of the span)."""
    for t in range(span.start, span.end):
        head = doc[t].head.i
        if head < span.start or head >= span.end or head == t:
            return doc[t]
    return doc[span.start]


def _share_sources(layout: _Layout, groups: list[_Group]) -> None:
    """A cue without a source borrows one from a cue of the same sentence ("he said ... and added")."""
    for group in groups:
        if group.source is not None or group.cue is None:
            continue
        sentence = layout.sentence[group.cue.start]
        donors = [
            g.source
            for g in groups
            if g.source is not None and layout.sentence[g.source.start] == sentence
            and g.source.end <= group.cue.start
        ]
        if donors:
            group.source = donors[-1]


def _group_start(group: _Group) -> int:
    anchors = [s.start for s in ([group.cue] if group.cue else []) + group.contents]
    return min(anchors)


def _char_span(layout: _Layout, span: RoleSpan) -> Span:
    start = layout.doc[span.start].idx
    last = layout.doc[span.end - 1]
    return Span.of(layout.text, start, last.idx + len(last.text))


def _to_attribution(layout: _Layout, group: _Group, number: int) -> Attribution:
    contents = sorted(group.contents, key=lambda s: s.start)
    fragments = [_char_span(layout, s) for s in contents]
    parts = [s.score for s in contents] + [s.score for s in (group.cue, group.source) if s]
    confidence = float(numpy.prod(parts) ** (1 / len(parts))) if parts else 0.0
    if group.cue is None:
        confidence *= 0.5
    return Attribution(
        id=f"a{number}",
        source=_char_span(layout, group.source) if group.source else None,
        cue=_char_span(layout, group.cue) if group.cue else None,
        content=fragments,
        kind=kind_of(fragments),
        confidence=confidence,
    )
