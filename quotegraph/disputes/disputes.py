"""Dispute edges: who accuses, denies or rejects whom, about which claim, on what evidence.

``analyse_disputes`` is the one call extraction makes after speakers are resolved. It gives
every attribution an act and its targets, adds the attributions the dispute reading needs
(claims embedded in a dispute, "Ukraine's claims that ...", and dispute verbs the extractor
missed, "..., accusing Kyiv of ..."), and returns the dispute edges. It reports moves in an
argument; it never says which side is right.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from quotegraph.disputes.acts import DISMISSAL, DISPUTE_ACTS, classify_act
from quotegraph.disputes.targets import claim_mentions, find_targets, region_of, resolve_party
from quotegraph.disputes.tokens import line_of, phrase, phrase_before, text_of
from quotegraph.model import Attribution, Dispute, Span, Speaker, Target, kind_of

#: Verbs that dispute on their own; found even where the extractor found no attribution.
DISPUTE_VERBS = {"accuse": "accuse", "blame": "accuse", "deny": "deny", "reject": "reject",
                 "dismiss": "reject", "refute": "reject"}
#: Confidence given to attributions these rules add (the extractor's own are calibrated).
ADDED_CONFIDENCE = 0.6


def analyse_disputes(
    doc: Doc, attributions: list[Attribution], speakers: list[Speaker]
) -> list[Dispute]:
    """Acts, targets and dispute edges for one parsed article.

    ``attributions`` is extended in place with the attributions the rules add (numbered after
    the extractor's), so every dispute's ``attribution`` and ``claim`` ids point into it.
    """
    attributions.extend(_missed_dispute_verbs(doc, attributions, speakers))
    for attribution in attributions:
        if attribution.act is None:
            guess = classify_act(doc, attribution)
            attribution.act, attribution.act_confidence = guess.act, guess.confidence
    disputes: list[Dispute] = []
    for attribution in list(attributions):
        if attribution.embedded:
            continue
        attribution.targets = find_targets(doc, attribution, attribution.act or "", speakers)
        if attribution.act in DISPUTE_ACTS:
            claims = _embed_claims(doc, attribution, attributions, speakers)
            disputes += _edges(text_of(doc), attribution, claims, len(disputes))
    return disputes


# --- dispute verbs the extractor missed --------------------------------------------------------


def _missed_dispute_verbs(
    doc: Doc, attributions: list[Attribution], speakers: list[Speaker]
) -> list[Attribution]:
    """"..., accusing Kyiv of ...", "Lavrov calls Ukraine's claims ... 'lies'": dispute verbs
    with a speaker and a complement, not already the cue of an attribution."""
    cues = [a.cue for a in attributions if a.cue]
    added: list[Attribution] = []
    for token in doc:
        act = _dispute_verb(doc, token)
        if act is None or any(c.start <= token.idx < c.end for c in cues):
            continue
        content = _complement(doc, token, act)
        source, speaker = _disputer(doc, token, [*attributions, *added], speakers)
        if content is None or source is None:
            continue
        cue = Span.of(text_of(doc), token.idx, token.idx + len(token))
        added.append(Attribution(
            id=f"a{len(attributions) + len(added) + 1}", source=source, cue=cue,
            content=[content], kind=kind_of([content]), speaker=speaker,
            confidence=ADDED_CONFIDENCE,
        ))
    return added


def _dispute_verb(doc: Doc, token: Token) -> str | None:
    if token.pos_ != "VERB":
        return None
    lemma = token.lemma_.lower()
    if lemma in DISPUTE_VERBS:
        return DISPUTE_VERBS[lemma]
    if lemma == "call":
        _, line_end = line_of(text_of(doc), token.idx)
        window = text_of(doc)[token.idx:min(line_end, token.idx + 200)]
        sentence = window.split(". ")[0]
        if DISMISSAL.search(sentence) and any(n in sentence.lower() for n in ("claim", "allegation",
                                                                              "charge", "report")):
            return "reject"
    return None


def _complement(doc: Doc, verb: Token, act: str) -> Span | None:
    """What the verb disputes: "Kyiv of using weapons ...", "Ukraine's claims ... 'lies'"."""
    _, line_end = line_of(text_of(doc), verb.idx)
    start = verb.i + 1
    if start >= len(doc) or doc[start].idx >= line_end:
        return None
    if verb.lemma_.lower() == "call":
        end = next((t.i for t in doc[start:] if DISMISSAL.fullmatch(t.text)), None)
        if end is None:
            return None
        while end + 1 < len(doc) and doc[end + 1].is_quote:
            end += 1
    else:
        right = max((c.right_edge.i for c in verb.children if c.i > verb.i
                     and c.dep_ in ("dobj", "prep", "ccomp", "xcomp", "pcomp")), default=None)
        if right is None:
            return None
        end = right
    last = doc[end]
    stop = min(line_end, last.idx + len(last))
    text = text_of(doc)[doc[start].idx:stop]
    cut = text.find(". ")
    stop = doc[start].idx + cut + 1 if cut >= 0 else stop
    return Span.of(text_of(doc), doc[start].idx, stop)


def _disputer(
    doc: Doc, verb: Token, attributions: list[Attribution], speakers: list[Speaker]
) -> tuple[Span | None, str | None]:
    """Who disputes: the verb's subject; else the phrase just before it; else, for a participle
    after a comma or "and" ("..., accusing Kyiv", "rejected ... and accused"), the source of the
    attribution just before it on the same line."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"
                    and c.lower_ not in ("who", "which", "that")), None)
    span = phrase(doc, subject) if subject is not None else None
    if span is None and verb.i > 0 and not doc[verb.i - 1].is_punct:
        span = phrase_before(doc, verb.i)
    if span is not None:
        return span, resolve_party(span, speakers)
    joined = any(t.text == "," or t.lower_ == "and" for t in doc[max(0, verb.i - 2):verb.i])
    if joined and verb.tag_ in ("VBG", "VBD", "VBZ"):
        earlier = _attribution_before(doc, verb, attributions)
        if earlier is not None:
            return earlier.source, earlier.speaker
    return None, None


def _attribution_before(doc: Doc, verb: Token, attributions: list[Attribution]) -> Attribution | None:
    line_start, _ = line_of(text_of(doc), verb.idx)
    before = [a for a in attributions
              if a.cue and a.source and line_start <= a.cue.start < verb.idx]
    return max(before, key=lambda a: a.cue.start if a.cue else 0, default=None)


# --- embedded claims and edges -----------------------------------------------------------------


def _embed_claims(
    doc: Doc, disputing: Attribution, attributions: list[Attribution], speakers: list[Speaker]
) -> list[Attribution]:
    """The claims a dispute is about, as attributions of their own (``embedded``): the
    claim's owner is the source, the claim noun the cue, the that-clause the content."""
    claims = []
    for owner, noun, clause in claim_mentions(doc, region_of(disputing)):
        existing = next((a for a in attributions if a.cue and a.cue.overlaps(noun)
                         and not _disputing(a)), None)
        if existing is None:
            existing = Attribution(
                id=f"a{len(attributions) + 1}", source=owner, cue=noun, content=[clause],
                kind=kind_of([clause]),
                speaker=resolve_party(owner, speakers, disputing.speaker) if owner else None,
                confidence=ADDED_CONFIDENCE, act="claim", act_confidence=0.8, embedded=True,
            )
            attributions.append(existing)
        claims.append(existing)
        _link_target(disputing, owner, existing, speakers)
    return claims


def _link_target(
    disputing: Attribution, owner: Span | None, claim: Attribution, speakers: list[Speaker]
) -> None:
    """Point the disputing attribution's target for the claim's owner at the claim."""
    if owner is None:
        return
    for target in disputing.targets:
        if target.span.overlaps(owner):
            target.claim = claim.id
            return
    party = resolve_party(owner, speakers, disputing.speaker)
    disputing.targets.append(Target(owner, "claimant", party, claim.id))


def _disputing(attribution: Attribution) -> bool:
    """Whether an attribution disputes something (so it cannot be the claim it disputes: a cue
    "said of charges" covers the claim noun, but the charges are someone else's claim)."""
    return not attribution.embedded and attribution.act in DISPUTE_ACTS


def _edges(
    text: str, attribution: Attribution, claims: list[Attribution], numbered: int
) -> list[Dispute]:
    """One edge per disputed party (or one with no party when the text names none)."""
    evidence = _evidence(text, attribution)
    parties = [t for t in attribution.targets if t.role in ("accused", "claimant")]
    unowned = next((c.id for c in claims if c.source is None), None)
    edges = [
        Dispute(f"d{numbered + n}", attribution.act or "", attribution.id, attribution.speaker,
                party, party.claim or unowned, evidence, attribution.act_confidence or 0.0)
        for n, party in enumerate(parties, 1)
    ]
    if not edges:
        edges.append(Dispute(f"d{numbered + 1}", attribution.act or "", attribution.id,
                             attribution.speaker, None, unowned, evidence,
                             attribution.act_confidence or 0.0))
    return edges


def _evidence(text: str, attribution: Attribution) -> Span:
    """The text that shows the dispute: from the attribution's first part to its last."""
    spans = [s for s in (attribution.source, attribution.cue) if s] + attribution.content
    return Span.of(text, min(s.start for s in spans), max(s.end for s in spans))
