"""Speaker resolution: which within-article entity each attribution's source refers to.

A source may be a name ("Russian Foreign Minister Sergey Lavrov"), a partial name ("Lavrov"), a
description ("the minister", "Russia's foreign minister"), a pronoun ("he", "it") or something
vague ("officials"). Everything resolves to clusters of proper-name mentions built from the
spaCy entities, named by their fullest form ("Sergey Lavrov").

The rules are deterministic and explainable, with no learned coreference:

* **Names** group by their tokens: a shorter name joins the fuller names that contain it
  ("Lavrov" -> "Sergey Lavrov"; "Defense Ministry" -> "Russian Defense Ministry"). Where a short
  name fits several full names ("Clinton"), each mention goes to the one mentioned most recently,
  or failing that the most frequent.
* **Sources containing a name** resolve to that name's cluster; the rest of the source
  ("Russian Foreign Minister") becomes a description of the speaker.
* **Descriptions** link to the cluster whose descriptors (titles before a name, appositives,
  earlier descriptions) share the head noun and most modifiers; failing that, a small set of
  role nouns (minister, newspaper, ...) falls back to the most salient cluster of a fitting type.
* **Pronouns** follow the previous attribution's speaker unless a new compatible subject was
  introduced since; failing that, the most salient compatible cluster.
* **Vague sources** (plurals, indefinites, "sources", "people familiar with ...") stay None.

Salience is a per-article score: each mention adds a weight that halves with every sentence
since. Everything is one pass over the entities plus one pass over the sources, so it is linear
in the article's length for a fixed number of speakers.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from quotegraph.extraction.decoding import text_of
from quotegraph.model import Span, Speaker

#: Entity labels that can name a speaker (or be a fuller form of one, given NER noise).
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "WORK_OF_ART")
#: Types a non-person pronoun or description may point at.
GROUP_TYPES = frozenset({"ORG", "GPE", "NORP"})
IT_TYPES = frozenset({"ORG", "GPE"})

PERSON_PRONOUNS = {"he": "m", "she": "f"}
GROUP_PRONOUNS = frozenset({"it", "they"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
#: Honorifics are not part of a name; some of them tell the gender.
HONORIFICS = {
    "mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f",
    "dr": None, "dr.": None, "prof": None, "prof.": None, "sir": "m", "dame": "f", "lady": "f",
    "lord": "m",
}
#: Title words that NER sometimes puts inside a PERSON entity ("President Trump").
TITLE_WORDS = frozenset({
    "president", "minister", "senator", "sen.", "rep.", "gov.", "governor", "secretary",
    "chancellor", "premier", "king", "queen", "prince", "princess", "pope", "general", "gen.",
    "judge", "justice", "mayor", "chairman", "chairwoman", "ambassador", "speaker", "sheikh",
})
#: Role nouns that may fall back to the most salient person when no descriptor matches.
PERSON_NOUNS = frozenset({
    "minister", "senator", "spokesman", "spokeswoman", "spokesperson", "president", "official",
    "secretary", "governor", "mayor", "premier", "chancellor", "diplomat", "ambassador", "leader",
    "chief", "director", "chairman", "chairwoman", "chair", "ceo", "executive", "founder",
    "lawmaker", "congressman", "congresswoman", "representative", "candidate", "king", "queen",
    "prince", "princess", "commander", "envoy", "prosecutor", "lawyer", "attorney", "coach",
    "manager", "politician", "nominee", "negotiator", "statesman", "monarch", "pope",
    "general", "judge", "head", "boss", "owner", "adviser", "advisor", "aide",
})
#: Organisation nouns that may fall back to the most salient organisation.
ORG_NOUNS = frozenset({
    "newspaper", "paper", "daily", "tabloid", "magazine", "outlet", "publication",
    "broadcaster", "network", "channel", "agency", "ministry", "department", "company", "firm",
    "corporation", "campaign", "organization", "organisation", "group", "committee",
    "commission", "party", "bank", "union", "website", "office", "retailer", "airline",
    "automaker", "carmaker", "manufacturer", "giant", "startup", "club", "team",
})
MEDIA_NOUNS = frozenset({
    "newspaper", "paper", "daily", "tabloid", "magazine", "outlet", "publication",
    "broadcaster", "network", "channel", "website",
})
#: Words that mark a name as a news outlet, so "the newspaper" prefers it.
MASTHEAD_WORDS = frozenset({
    "times", "post", "journal", "news", "herald", "gazette", "tribune", "guardian", "telegraph",
    "daily", "observer", "chronicle", "globe", "star", "mail", "independent", "sun", "express",
    "mirror", "inquirer", "examiner", "reuters", "bloomberg", "press", "agency", "tass",
    "xinhua", "interfax", "ria", "bbc", "cnn", "nbc", "abc", "cbs", "fox", "npr", "politico",
    "axios", "economist", "standard", "record", "review", "weekly", "magazine", "telegram",
})
#: Sources that never name an identifiable entity, whatever their form.
VAGUE_HEADS = frozenset({
    "source", "someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody",
    "people", "person", "some", "many", "others", "other", "few", "several", "most", "all",
    "both", "one", "none", "each", "either", "neither", "insider",
})
INDEFINITE_WORDS = frozenset({
    "a", "an", "some", "several", "many", "few", "one", "another", "any", "no", "two", "three",
    "various", "numerous", "other", "certain", "most", "multiple",
})
GENDERED_NOUNS = {
    "spokeswoman": "f", "chairwoman": "f", "congresswoman": "f", "businesswoman": "f",
    "actress": "f", "queen": "f", "princess": "f", "wife": "f", "mother": "f", "widow": "f",
    "daughter": "f", "sister": "f", "spokesman": "m", "chairman": "m", "congressman": "m",
    "businessman": "m", "actor": "m", "king": "m", "prince": "m", "husband": "m",
    "father": "m", "son": "m", "brother": "m",
}
#: A shorter name that ends a longer one after these words names something else
#: ("Russian Federation" in "Federal Assembly of the Russian Federation").
SUFFIX_BREAKERS = frozenset({"of", "for", "and", "&", "the", "on", "in", "at", "to", "de"})
TITLE_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "JJ", "HYPH", "POS", "CD"})

DECAY = 0.5  # salience kept per sentence of distance
PRONOUN_WINDOW = 3  # sentences within which a pronoun follows the previous attribution
WEIGHT_NAME, WEIGHT_QUOTED, WEIGHT_SOURCE = 1.0, 0.0, 2.0


# ---------------------------------------------------------------------------------------------
# Data carried between the passes
# ---------------------------------------------------------------------------------------------


@dataclass
class _Mention:
    """One proper-name mention, trimmed of "the", honorifics and a possessive "'s"."""

    start: int
    end: int
    first: int  # token indices [first, last)
    last: int
    key: tuple[str, ...]
    label: str
    sent: int
    quoted: bool
    weight: float  # salience it adds: modifiers (adjectival "Russian") add none
    is_subject: bool
    possessive: bool
    cluster: int = -1


@dataclass
class _Descriptor:
    """A phrase describing a cluster ("Russian Foreign Minister"), with its matchable words."""

    start: int
    text: str
    head: str
    words: frozenset[str]


@dataclass
class _Cluster:
    """The mentions of one real-world entity, named by its fullest name."""

    index: int
    key: tuple[str, ...]
    name: str
    type: str = "PERSON"
    name_words: frozenset[str] = frozenset()
    descriptors: list[_Descriptor] = field(default_factory=list)
    genders: set[str] = field(default_factory=set)
    mentions: list[_Mention] = field(default_factory=list)


@dataclass
class _Source:
    """What a source span is, decided from its tokens alone (before any resolution)."""

    order: int  # index into the caller's list
    span: Span
    sent: int
    kind: str  # "name" | "pronoun" | "description" | "vague" | "none"
    mention: _Mention | None = None
    pronoun: str = ""
    descriptors: list[_Descriptor] = field(default_factory=list)
    fallback_ok: bool = True
    possessor: int = -1  # token of a named possessor ("Trump's spokesman" is not Trump)
    owner: _Mention | None = None  # the possessor's name mention, once linked


@dataclass
class _Salience:
    """Per-cluster decayed mention weight, last position and subjects since the last source."""

    score: dict[int, float] = field(default_factory=dict)
    sent: dict[int, int] = field(default_factory=dict)
    last_pos: dict[int, int] = field(default_factory=dict)
    subjects: list[_Mention] = field(default_factory=list)

    def add(self, cluster: int, sent: int, pos: int, weight: float) -> None:
        """Decay the cluster's score to this sentence, then add the mention's weight."""
        self.score[cluster] = self.at(cluster, sent) + weight
        self.sent[cluster] = sent
        self.last_pos[cluster] = max(pos, self.last_pos.get(cluster, -1))

    def at(self, cluster: int, sent: int) -> float:
        """The cluster's score as seen from sentence ``sent``."""
        if cluster not in self.score:
            return 0.0
        return self.score[cluster] * DECAY ** max(0, sent - self.sent[cluster])

    def rank(self, cluster: int, sent: int) -> tuple[float, int, int]:
        """Sort key: more salient, then more recent, then earlier cluster (determinism)."""
        return (self.at(cluster, sent), self.last_pos.get(cluster, -1), -cluster)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def resolve_speakers(
    doc: Doc, sources: Sequence[Span | None]
) -> tuple[list[Speaker], list[str | None]]:
    """Speakers referred to by ``sources`` and, per source, the id of its speaker (or None).

    ``doc`` is the parsed article (``doc.text`` is the article text); sources are char spans
    into it, in any order. Speaker ids are "s1", "s2", ... in order of first mention.
    """
    index = _ArticleIndex(doc)
    analysed = [_analyse_source(doc, index, i, s) for i, s in enumerate(sources) if s]
    mentions = _name_mentions(doc, index, [a.mention for a in analysed if a.mention])
    _link_sources(analysed, mentions)
    clusters = _build_clusters(mentions)
    _collect_descriptors(doc, index.text, mentions, clusters, analysed)
    resolved = _resolve_all(analysed, mentions, clusters)
    return _speakers(index.text, clusters, analysed, resolved, len(sources))


# ---------------------------------------------------------------------------------------------
# Article index: sentences and quotations
# ---------------------------------------------------------------------------------------------


class _ArticleIndex:
    """Sentence number per token and quoted stretches of the text, for O(log n) look-ups."""

    def __init__(self, doc: Doc) -> None:
        self.sent_of = _sentence_numbers(doc)
        self.text = text_of(doc)  # Doc.text joins every token on each access: read it once
        self.quote_starts, self.quote_ends = _quoted_regions(self.text)
        self.ents = _name_entities(doc)
        self.ent_ends = [last for _, last, _ in self.ents]

    def ents_overlapping(self, first: int, last: int) -> list[tuple[int, int, str]]:
        """Name entities (token ranges and labels) sharing a token with [first, last)."""
        i = bisect.bisect_right(self.ent_ends, first)
        found = []
        while i < len(self.ents) and self.ents[i][0] < last:
            found.append(self.ents[i])
            i += 1
        return found

    def quoted(self, pos: int) -> bool:
        """Whether char ``pos`` lies inside quotation marks."""
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        return i >= 0 and pos < self.quote_ends[i]


def _name_entities(doc: Doc) -> list[tuple[int, int, str]]:
    """Token ranges and labels of name entities, split at line breaks: NER runs a headline's
    last name into the next paragraph's first ("...Russian Federation\n\nLavrov")."""
    parts = []
    for ent in doc.ents:  # Doc.ents rebuilds the list on every access: read it once
        if ent.label_ not in NAME_LABELS:
            continue
        first = ent.start
        for i in range(ent.start, ent.end):
            if doc[i].is_space and "\n" in doc[i].text:
                parts.append((first, i, ent.label_))
                first = i + 1
        parts.append((first, ent.end, ent.label_))
    return [(first, last, label) for first, last, label in parts if first < last]


def _sentence_numbers(doc: Doc) -> list[int]:
    """Sentence index of every token (0 everywhere when the doc has no sentence boundaries)."""
    numbers = [0] * len(doc)
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return numbers
    for n, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            numbers[i] = n
    return numbers


def _quoted_regions(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of quotations; an unclosed quotation ends at its line's end."""
    starts: list[int] = []
    ends: list[int] = []
    open_at = -1
    for i, ch in enumerate(text):
        closes = ch in "”»" or (ch == '"' and open_at >= 0) or (ch == "\n" and open_at >= 0)
        if closes and open_at >= 0:
            starts.append(open_at)
            ends.append(i + 1)
            open_at = -1
        elif ch in "“„«\"" and open_at < 0:
            open_at = i
    if open_at >= 0:
        starts.append(open_at)
        ends.append(len(text))
    return starts, ends


# ---------------------------------------------------------------------------------------------
# Name mentions
# ---------------------------------------------------------------------------------------------


def _name_mentions(doc: Doc, index: _ArticleIndex, extra: Iterable[_Mention]) -> list[_Mention]:
    """Name mentions from the entities plus those found in sources, in text order, no overlap."""
    mentions = [m for ent in index.ents if (m := _mention(doc, index, *ent)) is not None]
    taken = {i for m in mentions for i in range(m.first, m.last)}
    for m in extra:
        if not any(i in taken for i in range(m.first, m.last)):
            mentions.append(m)
            taken.update(range(m.first, m.last))
    mentions.sort(key=lambda m: (m.start, m.end))
    return mentions


def _link_sources(sources: list[_Source], mentions: list[_Mention]) -> None:
    """Point each named source at the registered mention of its name (an entity wins over a
    probe made from the source) and each possessor at its name, so clusters reach them."""
    by_token = {i: m for m in mentions for i in range(m.first, m.last)}
    for source in sources:
        if source.mention is not None:
            source.mention = next(
                (by_token[i] for i in range(source.mention.first, source.mention.last)
                 if i in by_token), source.mention)
        source.owner = by_token.get(source.possessor)


def _mention(
    doc: Doc, index: _ArticleIndex, first: int, last: int, label: str
) -> _Mention | None:
    """A trimmed name mention for a token range, or None when nothing is left.

    A name right after a title or honorific is a person whatever NER said ("Chancellor Olaf
    Scholz" tagged ORG), which matters before names are grouped.
    """
    first, last = _trim_name(doc, first, last, label)
    if first >= last:
        return None
    if first > 0 and _is_title(doc[first - 1]):
        label = "PERSON"
    span = doc[first:last]
    root = span.root
    return _Mention(
        start=span.start_char,
        end=span.end_char,
        first=first,
        last=last,
        key=tuple(t.lower_ for t in span if not t.is_punct or t.text in "&-"),
        label=label,
        sent=index.sent_of[first],
        quoted=index.quoted(span.start_char),
        weight=_mention_weight(index, span),
        is_subject=_is_subject(root),
        possessive=last < len(doc) and doc[last].tag_ == "POS",
    )


def _is_subject(root: Token) -> bool:
    """The name is a clause's subject, or in apposition to one ("The harbour master, Ruth
    Lindqvist, welcomed ...")."""
    subject = ("nsubj", "nsubjpass")
    return root.dep_ in subject or (root.dep_ == "appos" and root.head.dep_ in subject)


def _trim_name(doc: Doc, first: int, last: int, label: str) -> tuple[int, int]:
    """Token range of the name proper: no "the", possessive or spaces, and for people no
    honorifics or titles ("President Trump"; but "General Motors" keeps its "General")."""
    while last > first and (doc[last - 1].is_space or doc[last - 1].tag_ == "POS"
                            or doc[last - 1].is_punct):
        last -= 1
    while first < last and (doc[first].is_space or doc[first].is_punct
                            or doc[first].lower_ in ("the", "a", "an")):
        first += 1
    while label == "PERSON" and last - first > 1 and _is_title(doc[first]):
        first += 1
    return first, last


def _is_title(token: Token) -> bool:
    """Honorifics and titles that precede a person's name without being part of it."""
    lower = token.lower_
    return lower in HONORIFICS or lower in TITLE_WORDS or (
        token.pos_ in ("NOUN", "PROPN") and token.lemma_.lower() in PERSON_NOUNS)


def _mention_weight(index: _ArticleIndex, span: TokenSpan) -> float:
    """Adjectival names ("Russian" forces) and names inside quotations add no salience:
    the "he" after a quotation is its speaker, not someone the quotation mentions."""
    if span.root.pos_ == "ADJ" or span.root.tag_ == "JJ":
        return 0.0
    return WEIGHT_QUOTED if index.quoted(span.start_char) else WEIGHT_NAME


# ---------------------------------------------------------------------------------------------
# Clusters of names
# ---------------------------------------------------------------------------------------------


def _build_clusters(mentions: list[_Mention]) -> list[_Cluster]:
    """One cluster per fullest name; every mention is assigned to one cluster."""
    labels = _labels_by_key(mentions)
    targets = _name_targets(labels)
    clusters: list[_Cluster] = []
    by_key: dict[tuple[str, ...], int] = {}
    for mention in mentions:
        for key in targets[mention.key]:
            if key not in by_key:
                by_key[key] = len(clusters)
                clusters.append(_Cluster(index=len(clusters), key=key, name=""))
    _assign_mentions(mentions, targets, by_key, clusters)
    for cluster in clusters:
        _type_cluster(cluster, labels)
    return clusters


def _labels_by_key(mentions: list[_Mention]) -> dict[tuple[str, ...], str]:
    """The majority entity label of each distinct name (NER labels the same name variously)."""
    votes: dict[tuple[str, ...], Counter[str]] = {}
    for m in mentions:
        votes.setdefault(m.key, Counter())[m.label] += 1
    return {key: _majority(counter) for key, counter in votes.items()}


def _majority(counter: Counter[str]) -> str:
    """Most frequent label; ties go to the label listed first in NAME_LABELS."""
    return max(counter, key=lambda label: (counter[label], -NAME_LABELS.index(label)))


def _name_targets(
    labels: dict[tuple[str, ...], str],
) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """For every distinct name, the fullest names it may stand for (itself when none)."""
    postings: dict[str, set[tuple[str, ...]]] = {}
    for key in labels:
        for token in set(key):
            postings.setdefault(token, set()).add(key)
    supersets = {key: _supersets(key, labels, postings) for key in labels}
    targets = {}
    for key, sups in supersets.items():
        maximal = [k for k in sups if not any(k in supersets[other] for other in sups)]
        targets[key] = sorted(maximal) or [key]
    return targets


def _supersets(
    key: tuple[str, ...],
    labels: dict[tuple[str, ...], str],
    postings: dict[str, set[tuple[str, ...]]],
) -> set[tuple[str, ...]]:
    """Longer names that ``key`` is a short form of."""
    candidates = set.intersection(*(postings[t] for t in set(key)))
    return {
        long for long in candidates
        if len(long) > len(key) and _is_short_form(key, labels[key], long, labels[long])
    }


def _is_short_form(short: tuple[str, ...], short_label: str, long: tuple[str, ...],
                   long_label: str) -> bool:
    """Whether ``short`` may name the same entity as ``long``.

    People: any subset of a person's name tagged PERSON, or their surname whatever NER said
    ("Lavrov" tagged ORG). Other entities: a trailing part ("Defense Ministry" of "Russian
    Defense Ministry"), not one after "of" ("Russian Federation" of "Assembly of the Russian
    Federation"), and not a bare nationality ("Russian").
    """
    if short_label == "NORP":
        return False
    if long_label == "PERSON":
        return short_label == "PERSON" or short == long[-1:]
    if long[-len(short):] != short or long[-len(short) - 1] in SUFFIX_BREAKERS:
        return False
    return short_label == long_label or len(short) > 1


def _assign_mentions(
    mentions: list[_Mention],
    targets: dict[tuple[str, ...], list[tuple[str, ...]]],
    by_key: dict[tuple[str, ...], int],
    clusters: list[_Cluster],
) -> None:
    """Give each mention its cluster; an ambiguous short name takes the most recent candidate."""
    frequency = Counter(m.key for m in mentions)
    last_seen: dict[int, int] = {}
    for m in mentions:
        candidates = [by_key[k] for k in targets[m.key]]
        if len(candidates) == 1:
            m.cluster = candidates[0]
        else:
            m.cluster = max(candidates, key=lambda c: (
                last_seen.get(c, -1), frequency[clusters[c].key], -c))
        last_seen[m.cluster] = m.start
        clusters[m.cluster].mentions.append(m)


def _type_cluster(cluster: _Cluster, labels: dict[tuple[str, ...], str]) -> None:
    """Type a cluster by its fullest name's majority label (the name comes with the text)."""
    cluster.type = labels[cluster.key]
    cluster.name_words = frozenset(w for m in cluster.mentions for w in m.key)


# ---------------------------------------------------------------------------------------------
# Descriptors: titles, appositives and what sources say beside a name
# ---------------------------------------------------------------------------------------------


def _collect_descriptors(
    doc: Doc,
    text: str,
    mentions: list[_Mention],
    clusters: list[_Cluster],
    sources: list[_Source],
) -> None:
    """Attach titles, appositives, honorific genders and source leftovers to clusters."""
    for m in mentions:
        cluster = clusters[m.cluster]
        if not cluster.name and m.key == cluster.key:
            cluster.name = text[m.start:m.end]
        cluster.descriptors.extend(_mention_descriptors(doc, m))
        gender = _honorific_gender(doc, m)
        if gender:
            cluster.genders.add(gender)
    for source in sources:
        if source.kind == "name" and source.mention is not None:
            clusters[source.mention.cluster].descriptors.extend(source.descriptors)
    for cluster in clusters:
        _finish_cluster(text, cluster)


def _finish_cluster(text: str, cluster: _Cluster) -> None:
    """Fill in a missing name, genders from gendered titles, and PERSON from person titles."""
    if not cluster.name:
        m = cluster.mentions[0]
        cluster.name = text[m.start:m.end]
    cluster.descriptors.sort(key=lambda d: d.start)
    for d in cluster.descriptors:
        if d.head in GENDERED_NOUNS:
            cluster.genders.add(GENDERED_NOUNS[d.head])
    titled = any(d.head in PERSON_NOUNS for d in cluster.descriptors)
    if cluster.type != "PERSON" and len(cluster.key) <= 3 and (titled or cluster.genders):
        cluster.type = "PERSON"


def _mention_descriptors(doc: Doc, m: _Mention) -> list[_Descriptor]:
    """The title before a name ("Russian Foreign Minister") and its appositive, if any."""
    found = []
    title = _title(doc, m)
    if title is not None:
        found.append(title)
    root = doc[m.first:m.last].root
    for child in root.children:
        if child.dep_ == "appos" and child.i >= m.last and child.pos_ == "NOUN":
            found.append(_descriptor(doc[child.left_edge.i:child.right_edge.i + 1]))
    if root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.i < m.first:
        found.append(_descriptor(doc[root.head.left_edge.i:root.head.i + 1]))
    return [d for d in found if d.text]


def _title(doc: Doc, m: _Mention) -> _Descriptor | None:
    """The title words right before a name, ending in a noun that is not itself a name.

    Accepted when that noun is a known role ("Defense Minister", however the parser attached
    it) or when the parse attaches every word into the name ("Vietnam's capital Hanoi").
    """
    first = _title_start(doc, m)
    if first == m.first:
        return None
    words = doc[first:m.first]
    last = words[-1]
    if last.tag_ not in ("NN", "NNP") or last.ent_type_:
        return None
    known = last.lemma_.lower() in PERSON_NOUNS or _is_title(last)
    attached = all(first <= t.head.i < m.last and t.head.i != t.i for t in words)
    if not (known or attached):
        return None
    d = _descriptor(words)
    return _Descriptor(d.start, d.text, last.lemma_.lower(), d.words)


def _title_start(doc: Doc, m: _Mention) -> int:
    """First of the (at most 8) title-like words right before a name."""
    first = m.first
    while first > 0 and m.first - first < 8:
        token = doc[first - 1]
        if (token.tag_ not in TITLE_TAGS or token.lower_ in HONORIFICS
                or token.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL")):
            break
        first -= 1
    while first < m.first and doc[first].tag_ in ("POS", "HYPH"):
        first += 1
    return first


def _honorific_gender(doc: Doc, m: _Mention) -> str | None:
    """Gender told by an honorific right before (or at the start of) the mention."""
    for i in (m.first - 1, m.first):
        if 0 <= i < len(doc) and HONORIFICS.get(doc[i].lower_):
            return HONORIFICS[doc[i].lower_]
    return None


def _descriptor(span: TokenSpan) -> _Descriptor:
    """A descriptor from a token span, trimmed of punctuation and honorifics ("the trust's chief
    executive, Dr." -> "the trust's chief executive"), with a lowercase "the"."""
    first, last = span.start, span.end
    doc = span.doc

    def loose(token: Token) -> bool:
        return token.is_punct or token.is_space or token.lower_ in HONORIFICS

    while first < last and loose(doc[first]):
        first += 1
    while last > first and loose(doc[last - 1]):
        last -= 1
    if first >= last:
        return _Descriptor(span.start_char, "", "", frozenset())
    tokens = doc[first:last]
    text = tokens.text
    if text.startswith("The "):
        text = "the" + text[3:]
    words = frozenset(t.lemma_.lower() for t in tokens if t.pos_ in ("NOUN", "PROPN", "ADJ"))
    return _Descriptor(tokens.start_char, text, tokens.root.lemma_.lower(), words)


# ---------------------------------------------------------------------------------------------
# Sources: what kind of reference each one is
# ---------------------------------------------------------------------------------------------


def _analyse_source(doc: Doc, index: _ArticleIndex, order: int, span: Span) -> _Source:
    """Classify one source span by its own tokens; resolution happens later, in text order."""
    tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
    words = [t for t in tokens or () if not (t.is_punct or t.is_space)]
    source = _Source(order, span, index.sent_of[words[0].i] if words else 0, "none")
    if not words:
        return source
    if len(words) == 1 and words[0].lower_ in RELATIVE_PRONOUNS:
        words = _antecedent(words[0])
        if not words:
            return source
        tokens = doc[words[0].i:words[-1].i + 1]
    _classify(doc, index, source, tokens)
    return source


def _antecedent(pronoun: Token) -> list[Token]:
    """The noun phrase a relative "who"/"which" refers to ("Lavrov, who said ...")."""
    verb = pronoun.head
    if verb.dep_ != "relcl":
        return []
    noun = verb.head
    return [t for t in noun.doc[noun.left_edge.i:noun.i + 1] if not (t.is_punct or t.is_space)]


def _classify(doc: Doc, index: _ArticleIndex, source: _Source, tokens: TokenSpan) -> None:
    """Set the source's kind and what resolution needs: its mention, pronoun or descriptor."""
    words = [t for t in tokens if not (t.is_punct or t.is_space)]
    root = tokens.root
    if len(words) == 1 and words[0].tag_ in ("PRP", "WP"):
        source.kind, source.pronoun = "pronoun", words[0].lower_
        return
    mention = _head_mention(doc, index, tokens, root)
    if mention is not None:
        source.kind, source.mention = "name", mention
        source.descriptors = _leftovers(doc, tokens, mention)
    elif _is_vague(words, root):
        source.kind = "vague"
    elif root.pos_ == "NOUN":
        source.kind = "description"
        source.descriptors = [_description(tokens, root)]
        _check_possessor(source, root)


def _head_mention(
    doc: Doc, index: _ArticleIndex, tokens: TokenSpan, root: Token
) -> _Mention | None:
    """The name a source is about: the entity holding its head, else a non-possessive person,
    else a proper-noun head that NER missed ("Smith said")."""
    ents = [m for e in index.ents_overlapping(tokens.start, tokens.end)
            if (m := _mention(doc, index, *e)) is not None]
    ents = [m for m in ents if not m.possessive or m.first <= root.i < m.last]
    for m in ents:
        if m.first <= root.i < m.last:
            return m
    people = [m for m in ents if m.label == "PERSON"]
    if people:
        return people[-1]
    if root.pos_ == "PROPN" and not root.ent_type_:
        return _proper_noun_mention(doc, index, tokens, root)
    return None


def _proper_noun_mention(
    doc: Doc, index: _ArticleIndex, tokens: TokenSpan, root: Token
) -> _Mention | None:
    """A name NER missed: the run of proper nouns around the source's head."""
    first = root.i
    while first > tokens.start and doc[first - 1].pos_ == "PROPN":
        first -= 1
    last = root.i + 1
    while last < tokens.end and doc[last].pos_ == "PROPN":
        last += 1
    label = "ORG" if root.lower_ in ORG_NOUNS or root.lower_ in MASTHEAD_WORDS else "PERSON"
    return _mention(doc, index, first, last, label)


def _leftovers(doc: Doc, tokens: TokenSpan, mention: _Mention) -> list[_Descriptor]:
    """The parts of a named source outside the name ("Russian Foreign Minister").

    Honorifics ("Mr.") describe nothing, and a part joined by "and"/"or" is another source
    ("Lavrov and Emmanuel Macron"), not a description.
    """
    parts = [doc[tokens.start:mention.first], doc[mention.last:tokens.end]]
    found = []
    for part in parts:
        if any(t.dep_ == "cc" or t.tag_ == "CC" for t in part):
            continue
        if any(t.pos_ in ("NOUN", "PROPN") and t.lower_ not in HONORIFICS for t in part):
            d = _descriptor(part)
            if d.text:
                found.append(d)
    return found


def _is_vague(words: list[Token], root: Token) -> bool:
    """Plural, indefinite and anonymous sources name no identifiable entity."""
    if root.lemma_.lower() in VAGUE_HEADS or root.lower_ in VAGUE_HEADS:
        return True
    if root.tag_ == "NNS":
        return True
    if words[0].lower_ in INDEFINITE_WORDS:
        return True
    return any(c.dep_ in ("det", "nummod") and c.lower_ in INDEFINITE_WORDS
               for c in root.children)


def _description(tokens: TokenSpan, root: Token) -> _Descriptor:
    """A description source as a descriptor: its text, head noun and content words."""
    d = _descriptor(tokens)
    return _Descriptor(d.start, d.text, root.lemma_.lower(), d.words)


def _check_possessor(source: _Source, root: Token) -> None:
    """"Trump's spokesman", "his aide" and "the company's chief" are someone else: no fallback.

    A country possessor ("Russia's foreign minister") is only a modifier and keeps it.
    """
    for child in root.children:
        if child.dep_ != "poss":
            continue
        if child.ent_type_ in ("GPE", "NORP", "LOC"):
            continue
        source.fallback_ok = False
        source.possessor = child.i


# ---------------------------------------------------------------------------------------------
# Resolution, in text order
# ---------------------------------------------------------------------------------------------


def _resolve_all(
    sources: list[_Source], mentions: list[_Mention], clusters: list[_Cluster]
) -> dict[int, int | None]:
    """Cluster per source order, sweeping mentions and sources together in text order."""
    salience = _Salience()
    inside_sources = _mentions_inside(sources, mentions)
    resolved: dict[int, int | None] = {}
    previous: tuple[_Source, int | None] | None = None
    pending = 0
    for source in sorted(sources, key=lambda s: (s.span.start, s.span.end, s.order)):
        while pending < len(mentions) and mentions[pending].start < source.span.start:
            _observe(salience, mentions[pending], pending in inside_sources)
            pending += 1
        cluster = _resolve(source, previous, salience, clusters)
        resolved[source.order] = cluster
        salience.subjects.clear()
        if cluster is not None:
            salience.add(cluster, source.sent, source.span.start, WEIGHT_SOURCE)
            _learn(clusters[cluster], source)
        previous = (source, cluster)
    return resolved


def _mentions_inside(sources: list[_Source], mentions: list[_Mention]) -> set[int]:
    """Indices of mentions that lie within a source span (they are that source, not news)."""
    starts = [m.start for m in mentions]
    inside = set()
    for s in sources:
        i = bisect.bisect_left(starts, s.span.start)
        while i < len(mentions) and mentions[i].start < s.span.end:
            inside.add(i)
            i += 1
    return inside


def _observe(salience: _Salience, mention: _Mention, in_source: bool) -> None:
    """Let a name mention raise its cluster's salience; subjects may capture a pronoun."""
    salience.add(mention.cluster, mention.sent, mention.start, mention.weight)
    if mention.is_subject and not mention.quoted and not in_source:
        salience.subjects.append(mention)


def _learn(cluster: _Cluster, source: _Source) -> None:
    """A resolved description describes its speaker from now on; a resolved "he" or "she"
    tells its speaker's gender, so that a later "she" is not given to a man."""
    if source.kind == "description":
        cluster.descriptors.extend(source.descriptors)
    if source.kind == "pronoun" and source.pronoun in PERSON_PRONOUNS:
        cluster.genders.add(PERSON_PRONOUNS[source.pronoun])


def _resolve(
    source: _Source,
    previous: tuple[_Source, int | None] | None,
    salience: _Salience,
    clusters: list[_Cluster],
) -> int | None:
    """The cluster one source refers to, or None."""
    if source.kind == "name" and source.mention is not None:
        return source.mention.cluster
    if source.kind == "pronoun":
        return _resolve_pronoun(source, previous, salience, clusters)
    if source.kind == "description":
        return _resolve_description(source, salience, clusters)
    return None


def _resolve_pronoun(
    source: _Source,
    previous: tuple[_Source, int | None] | None,
    salience: _Salience,
    clusters: list[_Cluster],
) -> int | None:
    """he/she -> a person, it -> an organisation or place, they -> a group; I/we/you -> None.

    Order: a compatible subject introduced since the previous attribution; the previous
    attribution's speaker (within a few sentences); the most salient compatible cluster.
    """
    def fits(c: int) -> bool:
        return _pronoun_fits(source.pronoun, clusters[c])

    if source.pronoun not in PERSON_PRONOUNS and source.pronoun not in GROUP_PRONOUNS:
        return None
    recent = source.sent - PRONOUN_WINDOW
    subjects = [m.cluster for m in salience.subjects if m.sent >= recent and fits(m.cluster)]
    if subjects and (previous is None or subjects[-1] != previous[1]):
        return subjects[-1]
    if previous is not None and previous[0].sent >= recent:
        prev_source, prev_cluster = previous
        if prev_cluster is not None and fits(prev_cluster):
            return prev_cluster
        if source.pronoun == "they" and prev_source.kind == "vague":
            return None
    return _most_salient([c.index for c in clusters if fits(c.index)], source.sent, salience)


def _pronoun_fits(pronoun: str, cluster: _Cluster) -> bool:
    """Type and (known) gender agreement between a pronoun and a cluster."""
    if pronoun in PERSON_PRONOUNS:
        gender = PERSON_PRONOUNS[pronoun]
        return cluster.type == "PERSON" and not (cluster.genders and gender not in cluster.genders)
    if pronoun == "it":
        return cluster.type in IT_TYPES
    return cluster.type in GROUP_TYPES


def _most_salient(candidates: list[int], sent: int, salience: _Salience) -> int | None:
    """The candidate with the highest salience so far; None when none was mentioned yet
    (outside quotations and modifiers, which add no salience)."""
    seen = [c for c in candidates if salience.score.get(c, 0.0) > 0.0]
    if not seen:
        return None
    return max(seen, key=lambda c: salience.rank(c, sent))


def _resolve_description(
    source: _Source, salience: _Salience, clusters: list[_Cluster]
) -> int | None:
    """A cluster described the same way, else (for role nouns) the most salient fitting one."""
    described = source.descriptors[0]
    excluded = source.owner.cluster if source.owner is not None else -1
    allowed = [c for c in clusters if c.index != excluded and _type_fits(described.head, c)]
    scored = [(score, c.index) for c in allowed if (score := _match(described, c)) > 0]
    if scored:
        best = max(score for score, _ in scored)
        return _most_salient_or_first([c for s, c in scored if s == best], source, salience)
    if not source.fallback_ok:
        return None
    return _fallback(described, allowed, source.sent, salience)


def _type_fits(head: str, cluster: _Cluster) -> bool:
    """Person nouns describe people, organisation nouns everything else."""
    if head in PERSON_NOUNS or head in GENDERED_NOUNS:
        return cluster.type == "PERSON"
    if head in ORG_NOUNS:
        return cluster.type != "PERSON"
    return True


def _match(described: _Descriptor, cluster: _Cluster) -> int:
    """How well a description fits a cluster: 0 unless the head noun matches a descriptor's
    head (or, for organisations, a word of the name); then 1 + matching modifiers."""
    modifiers = described.words - {described.head}
    best = 0
    for d in cluster.descriptors:
        if d.head == described.head:
            best = max(best, 1 + _shared(modifiers, d.words))
    if cluster.type != "PERSON" and described.head in cluster.name_words:
        best = max(best, 1 + _shared(modifiers, cluster.name_words))
    return best


def _shared(words: Iterable[str], others: frozenset[str]) -> int:
    """Number of words with a counterpart in ``others`` ("russia" matches "russian")."""
    return sum(1 for w in words if any(_same_stem(w, o) for o in others))


def _same_stem(a: str, b: str) -> bool:
    """Equal, or sharing a long prefix: demonyms and inflections ("ukraine"/"ukrainian")."""
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return common >= max(4, min(len(a), len(b)) - 2)


def _most_salient_or_first(candidates: list[int], source: _Source, salience: _Salience) -> int:
    """Among equally good matches, the most salient; if none seen yet, the first cluster."""
    best = _most_salient(candidates, source.sent, salience)
    return min(candidates) if best is None else best


def _fallback(
    described: _Descriptor, allowed: list[_Cluster], sent: int, salience: _Salience
) -> int | None:
    """Role nouns only: the most salient person (minister) or organisation (newspaper);
    outlet nouns prefer names that look like mastheads ("The New York Times")."""
    if described.head in PERSON_NOUNS:
        candidates = [c for c in allowed if c.type == "PERSON"]
    elif described.head in ORG_NOUNS:
        candidates = [c for c in allowed if c.type in ("ORG", "WORK_OF_ART", "PRODUCT")]
        if described.head in MEDIA_NOUNS:
            mastheads = [c for c in candidates if c.name_words & MASTHEAD_WORDS]
            candidates = mastheads or candidates
    else:
        return None
    return _most_salient([c.index for c in candidates], sent, salience)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _speakers(
    text: str,
    clusters: list[_Cluster],
    sources: list[_Source],
    resolved: dict[int, int | None],
    count: int,
) -> tuple[list[Speaker], list[str | None]]:
    """Speakers for the clusters some source refers to, ids in order of first mention."""
    source_spans: dict[int, list[Span]] = {}
    for s in sources:
        cluster = resolved.get(s.order)
        if cluster is not None:
            source_spans.setdefault(cluster, []).append(s.span)
    entries = [_speaker(text, clusters[c], spans) for c, spans in source_spans.items()]
    entries.sort(key=lambda e: (e[1].mentions[0].start, e[0]))
    ids: dict[int, str] = {}
    speakers: list[Speaker] = []
    for cluster, speaker in entries:
        ids[cluster] = speaker.id = f"s{len(speakers) + 1}"
        speakers.append(speaker)
    per_source: list[str | None] = [None] * count
    for order, cluster in resolved.items():
        per_source[order] = ids.get(cluster) if cluster is not None else None
    return speakers, per_source


def _speaker(text: str, cluster: _Cluster, source_spans: list[Span]) -> tuple[int, Speaker]:
    """One cluster as a Speaker (the caller numbers it): name mentions inside a source span
    are that source, so only the source span is listed."""
    names = [
        Span.of(text, m.start, m.end) for m in cluster.mentions
        if not any(s.start <= m.start and m.end <= s.end for s in source_spans)
    ]
    return cluster.index, Speaker(
        id="",
        name=cluster.name,
        type=cluster.type,
        descriptions=_unique(d.text for d in cluster.descriptors),
        mentions=sorted(set(source_spans) | set(names)),
    )


def _unique(texts: Iterable[str]) -> list[str]:
    """Texts without case-insensitive repeats, first spelling kept, in order."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        if text and text.lower() not in seen:
            seen.add(text.lower())
            kept.append(text)
    return kept
