"""Speech acts: what an attribution does (states, claims, denies, accuses, ...).

A lexicon of cue lemmas gives each attribution a first act; a few context rules then look at
the cue's particles and negation and at the content (a question, a first-person promise, a
dismissal of someone's claims, wrongdoing ascribed to a named party). Each guess carries a
confidence and the rule that made it, so errors can be traced. The labels and their meaning
are in ``docs/speech-acts.md``; the act describes the speaker's move, never its truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from quotegraph.disputes.tokens import (
    CLAIM_NOUNS,
    content_tokens,
    cue_head,
    head_of,
    is_party,
    text_of,
    tokens_in,
)
from quotegraph.model import Attribution

ACTS = ("state", "claim", "deny", "accuse", "reject", "confirm", "believe", "intend", "ask",
        "warn", "other")
#: Acts that make a dispute edge: the speaker contests a party or a party's claim.
DISPUTE_ACTS = frozenset({"deny", "accuse", "reject"})


def _lexicon(groups: dict[str, str]) -> dict[str, str]:
    return {lemma: act for act, lemmas in groups.items() for lemma in lemmas.split()}


#: Cue lemma -> act. Lemmas a cue shares with ordinary speech ("say") are weak evidence.
CUE_ACTS = _lexicon({
    "state": "say tell add note write report accord state announce declare assert emphasize "
             "emphasise stress cite mention recall reply respond tweet show find indicate reveal "
             "explain observe remark continue testify comment conclude affirm put point "
             "estimate document rate reference echo tout remind",
    "claim": "claim allege insist argue contend maintain suggest purport speculate theorize "
             "allegedly reportedly purportedly presumably apparently",
    "deny": "deny",
    "accuse": "accuse blame charge criticize criticise attack slam blast condemn denounce "
              "fault lambaste rip hammer decry assail berate castigate complain indict sue "
              "chide scold mock ridicule smear vilify rail protest lash accusation critical",
    "reject": "reject dismiss refute dispute rebut oppose refuse decline resist scoff counter "
              "contradict repudiate disavow veto",
    "confirm": "confirm acknowledge admit concede agree verify corroborate concur recognize "
               "recognise",
    "believe": "believe think feel expect know suspect doubt fear worry consider assume "
               "guess reckon seem understand realize realise concern anticipate imagine "
               "sense see predict skeptical sure worried suspicion reservation",
    "intend": "plan intend want promise pledge vow hope aim propose commit wish seek decide "
              "offer swear guarantee need pledge proposal",
    "ask": "ask question wonder inquire enquire urge demand request encourage implore beg "
           "invite instruct order appeal petition persuade",
    "warn": "warn caution threaten alert",
})

#: Cue lemma + particle or preposition that changes the act ("call for", "point to").
PHRASAL_ACTS = {
    ("call", "for"): "ask", ("call", "on"): "ask", ("warn", "against"): "warn",
    ("go", "after"): "accuse", ("agree", "to"): "intend", ("brush", "off"): "reject",
    ("push", "back"): "reject", ("rule", "out"): "reject", ("rule", "against"): "reject",
    ("strike", "down"): "reject", ("point", "to"): "state", ("critical", "of"): "accuse",
    ("blame", "on"): "accuse", ("lash", "out"): "accuse",
}

#: Lemmas whose act is certain enough from the cue alone.
STRONG = {"accuse", "deny", "reject", "dismiss", "refute", "blame", "warn", "promise", "pledge",
          "vow", "confirm", "acknowledge", "admit", "ask", "urge", "demand", "believe", "claim",
          "allege", "condemn", "criticize", "criticise", "threaten", "concede", "plan"}

#: Words that dismiss what someone says as untrue ("they lie", "called the claims lies").
DISMISSAL = re.compile(
    r"\b(lie|lies|lying|lied|liar|liars|false|falsehoods?|untrue|nonsense|baseless|groundless|"
    r"fabricat\w+|fake|hoax|absurd|ridiculous|propaganda|slander\w*|smear|not true|no truth|"
    r"without evidence|unfounded|misinterpreted|disinformation)\b", re.IGNORECASE)

#: Lemmas of wrongdoing that, ascribed to a named party, make a statement an accusation.
WRONGDOING = frozenset({
    "lie", "liar", "fraud", "corrupt", "corruption", "rig", "rigged", "attack", "kill", "shell",
    "bomb", "target", "disgrace", "dishonest", "racist", "insult", "crime", "criminal",
    "illegal", "offend", "manipulate", "abuse", "violate", "violation", "hack", "cheat", "steal",
    "intimidate", "intimidation", "terror", "terrorism", "scam", "con", "murder", "torture",
    "massacre", "loot", "defraud", "betray", "mislead", "obstruct", "disrespect", "harass",
    "bully", "threaten", "invade", "occupy", "genocide", "atrocity", "persecute", "brutality",
    "exploit", "embezzle", "bribe", "collude", "deceive", "cover", "shameful", "outrageous",
    "gutless", "incompetent", "hypocrite", "hypocrisy", "phony", "dangerous", "quack",
})

_FIRST_PERSON = {"i", "we"}
_SELF_PRONOUNS = {"i", "we", "he", "she", "it", "they"}
_FUTURE = {"will", "would", "'ll", "’ll", "shall", "going"}
_HEDGES = {"perhaps", "maybe", "possibly", "probably", "likely"}


@dataclass(frozen=True)
class ActGuess:
    """An act with how sure the rules are of it and which rule decided (for error analysis)."""

    act: str
    confidence: float
    rule: str


def classify_act(doc: Doc, attribution: Attribution) -> ActGuess:
    """The speech act of one attribution, from its cue and the context around it."""
    cue = cue_head(doc, attribution)
    content = content_tokens(doc, attribution)
    base = _cue_act(doc, attribution, cue)
    if cue is not None and _negated(cue):
        if base.act in ("accuse", "reject", "confirm", "deny", "claim"):
            return ActGuess("other", 0.55, "negated-cue")
        return ActGuess(base.act, base.confidence * 0.8, base.rule + "+negated")
    if base.act in ("deny", "reject", "confirm", "warn", "accuse") and base.confidence >= 0.75:
        return base
    for rule in (_question, _dismissal, _self_denial, _mental_state, _future, _wrongdoing,
                 _concern, _hedged):
        guess = rule(doc, attribution, content, base)
        if guess is not None:
            return guess
    return base


def _cue_act(doc: Doc, attribution: Attribution, cue: Token | None) -> ActGuess:
    """The act the cue's words give on their own."""
    if cue is None:
        return ActGuess("state", 0.5, "no-cue")
    if attribution.cue and not any(ch.isalpha() for ch in attribution.cue.text):
        return ActGuess("state", 0.55, "punctuation-cue")  # "LAVROV: ...", "― a reader"
    lemma = cue.lemma_.lower()
    for particle in _particles(doc, attribution, cue):
        act = PHRASAL_ACTS.get((lemma, particle))
        if act:
            return ActGuess(act, 0.8, f"phrasal:{lemma} {particle}")
    if lemma == "call":
        return _call(doc, attribution, cue)
    if lemma == "tell" and _has_infinitive_object(cue):
        return ActGuess("ask", 0.7, "tell-to")
    for token in [cue, *tokens_in(doc, attribution.cue)]:
        act = CUE_ACTS.get(token.lemma_.lower())
        if act:
            strong = token.lemma_.lower() in STRONG
            weak = token.lemma_.lower() in ("say", "tell", "accord", "write", "add")
            confidence = 0.85 if strong else 0.55 if weak else 0.7
            return ActGuess(act, confidence, f"cue:{token.lemma_.lower()}")
    return ActGuess("other", 0.4, f"unknown-cue:{lemma}")


def _particles(doc: Doc, attribution: Attribution, cue: Token) -> list[str]:
    words = [t.lower_ for t in tokens_in(doc, attribution.cue) if t.i > cue.i]
    words += [c.lower_ for c in cue.children if c.dep_ in ("prt", "prep") and c.i > cue.i]
    if cue.i + 1 < len(doc):
        words.append(doc[cue.i + 1].lower_)
    return words


def _call(doc: Doc, attribution: Attribution, cue: Token) -> ActGuess:
    """"call": calling claims lies rejects them, calling someone a liar accuses them, calling
    something a win is a characterisation (other)."""
    stretch = text_of(doc)[attribution.cue.start:_end_of(attribution)] if attribution.cue else ""
    if DISMISSAL.search(stretch):
        words = set(re.findall(r"\w+", stretch.lower()))
        if words & CLAIM_NOUNS:
            return ActGuess("reject", 0.8, "call-claims-lies")
        return ActGuess("accuse", 0.7, "call-liar")
    if any(t.lemma_.lower() in WRONGDOING for t in content_tokens(doc, attribution)):
        return ActGuess("accuse", 0.65, "call-wrongdoing")
    return ActGuess("other", 0.5, "call-characterise")


def _end_of(attribution: Attribution) -> int:
    return max(f.end for f in attribution.content)


def _has_infinitive_object(cue: Token) -> bool:
    return any(c.dep_ == "xcomp" and any(g.lower_ == "to" for g in c.children)
               for c in cue.children)


def _negated(cue: Token) -> bool:
    return any(c.dep_ == "neg" for c in cue.children) or any(
        c.dep_ == "neg" for c in cue.head.children if cue.dep_ == "xcomp"
    )


# --- context rules: each returns a guess, or None to let the next rule look -------------------


def _question(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    last = a.content[-1].text.rstrip(" \"'”’.,")
    if last.endswith("?") and base.act in ("state", "other", "ask"):
        return ActGuess("ask", 0.65, "question-mark")
    return None


def _dismissal(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    """Content that calls what someone says false: a rejection of a claim, or, when it says a
    named party lies, an accusation."""
    if base.act not in ("state", "claim", "other", "believe"):
        return None
    text = " ".join(f.text for f in a.content)
    if not DISMISSAL.search(text):
        return None
    root = head_of(content)
    subject = _subject(root)
    named = subject is not None and is_party(subject) and subject.lower_ not in _FIRST_PERSON
    if named and root is not None and root.lemma_.lower() == "lie" and subject.lower_ != "they":
        return ActGuess("accuse", 0.6, "party-lies")
    return ActGuess("reject", 0.6, "dismissal")


def _self_denial(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    """"We never ...", "I did not ...": the speaker says their own side did not do something."""
    if base.act not in ("state", "other"):
        return None
    root = head_of(content)
    subject = _subject(root)
    if root is None or subject is None or subject.lower_ not in _FIRST_PERSON:
        return None
    negated = any(c.dep_ == "neg" or c.lower_ == "never" for c in root.children)
    if negated and root.lemma_.lower() not in ("know", "think", "believe", "want", "be", "have"):
        return ActGuess("deny", 0.55, "self-denial")
    return None


def _wrongdoing(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    """Wrongdoing ascribed to a named party that is not the speaker: an accusation."""
    if base.act not in ("state", "claim", "believe", "other"):
        return None
    root = head_of(content)
    subject = _subject(root)
    if subject is None or not is_party(subject) or subject.lower_ in _FIRST_PERSON:
        return None
    if a.source and subject.idx >= a.source.start and subject.idx < a.source.end:
        return None
    if any(t.lemma_.lower() in WRONGDOING or t.lower_ in WRONGDOING for t in content):
        return ActGuess("accuse", 0.55, "party-wrongdoing")
    return None


def _mental_state(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    """"said she thinks ...", "I think ...": the content reports a belief."""
    if base.act != "state" or not content:
        return None
    opening = [t for t in content[:4] if not t.is_punct]
    if len(opening) >= 2 and opening[0].lower_ in _SELF_PRONOUNS | {"i"} \
            and opening[1].lemma_.lower() in ("think", "believe", "feel", "doubt", "suspect"):
        return ActGuess("believe", 0.6, "content-belief")
    return None


def _future(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    """"said he would ...", "we will ...": a commitment about the speaker's own side."""
    if base.act != "state":
        return None
    root = head_of(content)
    subject = _subject(root)
    if root is None or subject is None or subject.lower_ not in _SELF_PRONOUNS:
        return None
    if any(c.lower_ in _FUTURE and c.dep_ == "aux" for c in root.children):
        return ActGuess("intend", 0.55, "own-future")
    return None


def _concern(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    text = " ".join(f.text for f in a.content).lower()
    if base.act == "state" and re.match(r"\W*(they|we|he|she|i) (were|was|are|is|am) "
                                        r"(concerned|worried|afraid)", text):
        return ActGuess("warn", 0.5, "concern")
    return None


def _hedged(doc: Doc, a: Attribution, content: list[Token], base: ActGuess) -> ActGuess | None:
    if base.act == "state" and any(t.lower_ in _HEDGES for t in content[:12]):
        return ActGuess("claim", 0.45, "hedged")
    return None


def _subject(root: Token | None) -> Token | None:
    if root is None:
        return None
    for child in root.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    if root.dep_ in ("xcomp", "conj", "advcl") and root.head is not root:
        return _subject(root.head) if root.head.pos_ in ("VERB", "AUX") else None
    return None
