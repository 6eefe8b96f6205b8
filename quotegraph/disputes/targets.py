"""Targets: the parties an attribution is about, read off the parse around its cue.

"accused Kyiv of ..." targets Kyiv (the cue's object); "peacekeepers have been accused of ..."
targets the passive subject; "Ukraine's claims that ..." targets the possessor of a claim noun;
"said Ukraine's armed forces attacked ..." targets the subject of the accusation. Each target
is resolved to an article speaker where one of its mentions or names matches.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from quotegraph.disputes.tokens import (
    CLAIM_NOUNS,
    content_tokens,
    cue_head,
    head_of,
    is_party,
    phrase,
    phrase_before,
    tokens_in,
)
from quotegraph.model import Attribution, Span, Speaker, Target

#: The role a cue's object plays, by act.
OBJECT_ROLES = {"accuse": "accused", "reject": "claimant", "deny": "claimant", "ask": "addressee",
                "warn": "addressee"}


def find_targets(
    doc: Doc, attribution: Attribution, act: str, speakers: list[Speaker]
) -> list[Target]:
    """The parties ``attribution`` is about, for acts that have a party; resolved to speakers."""
    role = OBJECT_ROLES.get(act)
    if role is None:
        return []
    claims = claim_mentions(doc, region_of(attribution))
    clauses = [clause for _, _, clause in claims]
    spans = _outside(_object_parties(doc, attribution), clauses) or _outside(
        _content_parties(doc, attribution, act), clauses)
    speaker = attribution.speaker
    targets = [Target(span, role, resolve_party(span, speakers, speaker)) for span in spans]
    targets += [
        Target(owner, "claimant", resolve_party(owner, speakers, speaker))
        for owner, _, _ in claims
        if owner is not None
    ]
    return _distinct(targets, attribution)


def _outside(spans: list[Span], clauses: list[Span]) -> list[Span]:
    """Parties that are not inside a reported claim's clause: in "rejected charges that Russia
    targeted its own cities", Russia is what the claim is about, not who is disputed."""
    return [s for s in spans if not any(s.overlaps(clause) for clause in clauses)]


def _object_parties(doc: Doc, attribution: Attribution) -> list[Span]:
    """Objects of the cue ("accused Kyiv"), passive subjects ("peacekeepers have been accused"),
    or possessors of a non-party object ("condemned North Korea's launch")."""
    cue = cue_head(doc, attribution)
    if cue is None:
        return []
    found = []
    for child in cue.children:
        if child.dep_ in ("dobj", "oprd", "nsubjpass") and child.i not in _source_tokens(doc, attribution):
            party = child if is_party(child) else _possessor(child)
            if party is not None:
                found.append(phrase(doc, party))
    return found


def _content_parties(doc: Doc, attribution: Attribution, act: str) -> list[Span]:
    """The party a content is about: its leading noun phrase ("the Saudi government of
    attempting ...") or the subject of its verb ("Ukraine's armed forces used ...")."""
    tokens = [t for t in content_tokens(doc, attribution) if not t.is_punct]
    root = head_of(tokens)
    if root is None:
        return []
    if root.pos_ in ("NOUN", "PROPN", "PRON") and is_party(root):
        return [phrase(doc, root)]
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and is_party(subject) and subject.lower_ not in ("i", "we"):
        return [phrase(doc, subject)]
    return []


def _possessor(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ == "poss" and is_party(c)), None) or next(
        (c for c in token.children if c.dep_ == "compound" and c.ent_type_ in ("ORG", "GPE")), None
    )


def _source_tokens(doc: Doc, attribution: Attribution) -> set[int]:
    return {t.i for t in tokens_in(doc, attribution.source)}


def claim_mentions(doc: Doc, region: tuple[int, int]) -> list[tuple[Span | None, Span, Span]]:
    """Claims reported inside ``region``: (owner, claim noun, that-clause) for each "X's claims
    that ...", "allegations that ...", "charges that ...".

    Works on token order as much as on the parse, because the small parser often misreads
    these phrases ("officials’ claims" as a verb).
    """
    span = doc.char_span(region[0], region[1], alignment_mode="expand")
    if span is None:
        return []
    found = []
    for token in span:
        if token.lower_ not in CLAIM_NOUNS or token.i + 1 >= len(doc):
            continue
        if doc[token.i + 1].lower_ != "that":
            continue
        clause = _clause(doc, token.i + 2)
        if clause is None:
            continue
        noun = Span.of(doc.text, token.idx, token.idx + len(token))
        found.append((_owner(doc, token), noun, clause))
    return found


def _clause(doc: Doc, start: int) -> Span | None:
    """A that-clause up to its first punctuation mark (a quote, comma or full stop)."""
    end = start
    while end < len(doc) and not (doc[end].is_punct and doc[end].text not in "-–") \
            and not doc[end].is_space:
        end += 1
    if end - start < 2:
        return None
    return Span.of(doc.text, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))


def _owner(doc: Doc, noun: Token) -> Span | None:
    """Whose claim it is: the possessor before the noun ("Ukrainian officials’ claims"),
    skipping adjectives ("Tulsa police’s earlier claim")."""
    i = noun.i - 1
    while i >= 0 and doc[i].pos_ == "ADJ":
        i -= 1
    if i >= 0 and doc[i].lower_ in ("his", "her", "their", "its"):
        return Span.of(doc.text, doc[i].idx, doc[i].idx + len(doc[i]))
    if i < 1 or doc[i].text not in ("’s", "'s", "’", "'", "s"):
        return None
    return phrase_before(doc, i)


def region_of(attribution: Attribution) -> tuple[int, int]:
    """From the cue (or content) to the content's end: where a disputed claim is mentioned.

    The source is left out: a source inherited from an earlier clause ("Lavrov called ...,
    accusing Kyiv") would pull that clause's claims in."""
    spans = ([attribution.cue] if attribution.cue else []) + attribution.content
    return min(s.start for s in spans), max(s.end for s in spans)


def resolve_party(
    span: Span, speakers: list[Speaker], disputer: str | None = None
) -> str | None:
    """The article speaker a party names: a mention inside it, else a shared surname or name,
    else a description ("Russia's foreign minister").

    ``disputer`` (the disputing speaker) is never the answer: a speaker disputing themself is
    not a move these rules read, and a party resolved so comes from a source the extractor
    over-stretched ("Lavrov called Ukrainian officials’" as one mention of Lavrov)."""
    speakers = [s for s in speakers if s.id != disputer] if disputer else speakers
    for speaker in speakers:
        if any(m.overlaps(span) for m in speaker.mentions):
            return speaker.id
    words = _words(span.text)
    for speaker in speakers:
        name = _words(speaker.name)
        if name and (name[-1] in words or words == name):
            return speaker.id
    for speaker in speakers:
        if any(_words(d)[-2:] == words[-2:] for d in speaker.descriptions if _words(d)):
            return speaker.id
    return None


def _words(text: str) -> list[str]:
    cleaned = text.lower().replace("’s", "").replace("'s", "").replace("’", "")
    return [w for w in cleaned.split() if w not in ("the", "a", "an")]


def _distinct(targets: list[Target], attribution: Attribution) -> list[Target]:
    """One target per stretch of text, never the attribution's own source."""
    kept: list[Target] = []
    for target in targets:
        if attribution.source and target.span.overlaps(attribution.source):
            continue
        if any(k.span.overlaps(target.span) for k in kept):
            continue
        kept.append(target)
    return kept
