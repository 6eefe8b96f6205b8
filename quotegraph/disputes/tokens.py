"""Small views of a parsed doc that the act, target and dispute rules share."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from quotegraph.extraction.decoding import text_of
from quotegraph.model import Attribution, Span

#: Nouns that name a reported claim, whose owner and content can be read off the text.
CLAIM_NOUNS = frozenset({
    "claim", "claims", "allegation", "allegations", "charge", "charges", "accusation",
    "accusations", "report", "reports", "assertion", "assertions", "suggestion", "suggestions",
    "rumor", "rumors", "rumour", "rumours", "notion", "insinuation", "insinuations",
})

#: Heads that make a noun phrase a party (someone who can accuse or be accused).
PARTY_NOUNS = frozenset({
    "government", "regime", "army", "force", "military", "official", "authority", "ministry",
    "police", "campaign", "party", "administration", "troop", "rebel", "militant", "president",
    "minister", "leader", "opponent", "critic", "spokesman", "spokeswoman", "spokesperson",
    "court", "judge", "prosecutor", "lawyer", "company", "bank", "agency", "department",
    "committee", "council", "state", "country", "media", "press", "journalist", "developer",
    "candidate", "nominee", "senator", "governor", "mayor", "officer", "soldier", "hacker",
    "group", "union", "side", "kremlin", "west", "republicans", "democrats", "peacekeeper",
    "supervisor", "professor", "parent", "protester", "activist", "member", "family",
})

PARTY_ENTITIES = frozenset({"PERSON", "ORG", "GPE", "NORP"})
PARTY_PRONOUNS = frozenset({"he", "she", "they", "you", "him", "her", "them", "his", "their"})


def tokens_in(doc: Doc, span: Span | None) -> list[Token]:
    """The tokens a record span covers (widened to whole tokens)."""
    if span is None:
        return []
    found = doc.char_span(span.start, span.end, alignment_mode="expand")
    return list(found) if found is not None else []


def content_tokens(doc: Doc, attribution: Attribution) -> list[Token]:
    return [t for fragment in attribution.content for t in tokens_in(doc, fragment)]


def head_of(tokens: list[Token]) -> Token | None:
    """The token that governs a stretch: the first verb whose head lies outside it, else any
    token whose head lies outside it."""
    if not tokens:
        return None
    inside = {t.i for t in tokens}
    outer = [t for t in tokens if t.head.i not in inside or t.head.i == t.i]
    verbs = [t for t in outer if t.pos_ in ("VERB", "AUX")]
    return (verbs or outer or tokens)[0]


def cue_head(doc: Doc, attribution: Attribution) -> Token | None:
    """The cue's main word: its first verb ("has steadfastly refused" -> refused), else its head."""
    tokens = tokens_in(doc, attribution.cue)
    verbs = [t for t in tokens if t.pos_ == "VERB"]
    return verbs[0] if verbs else head_of(tokens)


def is_party(token: Token) -> bool:
    """Whether a noun phrase headed by ``token`` names someone (a person, group, place, body);
    proper nouns count, since the small model often misses entities ("Kyiv")."""
    return (
        token.ent_type_ in PARTY_ENTITIES
        or token.pos_ == "PROPN"
        or token.lemma_.lower() in PARTY_NOUNS
        or token.lower_ in PARTY_PRONOUNS
    )


def phrase(doc: Doc, token: Token) -> Span:
    """The noun phrase headed by ``token``, without trailing clauses or prepositions.

    Keeps determiners, possessors, modifiers, appositions and conjuncts ("two developers,
    Ariel Quiros and William Stenger"); a possessive ending ("officials’") is left out.
    """
    keep = {"det", "poss", "case", "amod", "compound", "nummod", "nmod", "appos", "conj", "cc",
            "punct", "quantmod", "advmod"}
    start, end = token.i, token.i
    for child in token.children:
        if child.dep_ in keep or child.i < token.i:
            lo, hi = child.left_edge.i, child.right_edge.i if child.dep_ in keep else child.i
            start, end = min(start, lo), max(end, hi)
    while end > start and (doc[end].is_punct or doc[end].dep_ in ("case", "cc")):
        end -= 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return Span.of(text_of(doc), doc[start].idx, doc[end].idx + len(doc[end]))


def phrase_before(doc: Doc, index: int) -> Span | None:
    """The noun phrase that ends just before token ``index`` (a fallback for bad parses):
    "Russian Foreign Minister Sergey Lavrov called" -> "Russian Foreign Minister Sergey Lavrov"."""
    end = index - 1
    while end >= 0 and doc[end].pos_ == "ADV":
        end -= 1
    if end < 0 or doc[end].pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    start = end
    while start > 0 and doc[start - 1].pos_ in ("PROPN", "NOUN", "ADJ", "DET", "PART") \
            and not doc[start - 1].is_space and doc[start - 1].dep_ != "pobj":
        start -= 1
    while start < end and doc[start].pos_ == "PART":
        start += 1
    return Span.of(text_of(doc), doc[start].idx, doc[end].idx + len(doc[end]))


def line_of(text: str, offset: int) -> tuple[int, int]:
    """The paragraph (line) around ``offset``: news text puts one paragraph per line, and the
    small parser runs sentences together across headlines, so lines are the safer unit."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end
