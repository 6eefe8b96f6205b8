"""Who is who across articles: one corpus speaker for "Lavrov", "Sergei Lavrov" and "Russian
Foreign Minister Sergey Lavrov", and two for John Smith and Maria Smith.

Each article's record names its speakers ("the fullest name the article gives"), so identity
across articles is a question about names, titles and descriptions only; nothing here needs
the NLP. The rules are deliberately conservative, because a wrong merge puts words in someone's
mouth while a missed merge only splits a speaker's statements in two:

* **People** are keyed by given name and surname, both folded for transliteration
  ("Sergey"/"Sergei", "Aleksey"/"Alexei", "Zelenskiy"/"Zelensky") and accents. Titles before
  the name ("Russian Foreign Minister") become descriptions, not part of the key.
* **A surname alone** ("Lavrov") joins a full name only when that is the only full name with
  the surname in the corpus, or when exactly one of several shares a title with it ("Smith,
  the senator" -> Senator John Smith). Otherwise it stays a speaker of its own.
* **Organisations** are keyed by their words as a bag, with spelling ("Defence"/"Defense"),
  demonyms ("Russian"/"Russia's"/"of Russia") and word order ("Ministry of Defence" vs
  "Defence Ministry") folded away.

People sharing a surname form a *block* ("lavrov"); every organisation key is its own block.
Identity is recomputed for a whole block from all its members whenever one of them changes, so
the result does not depend on the order in which articles arrived.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

PERSON = "PERSON"
ORG = "ORG"

#: Words that say what someone is, not who: kept as descriptions, never part of a name key.
TITLE_WORDS = frozenset({
    "president", "vice", "prime", "minister", "secretary", "senator", "sen", "representative",
    "rep", "governor", "gov", "mayor", "councillor", "councilor", "chancellor", "premier",
    "king", "queen", "prince", "princess", "pope", "sheikh", "emir", "general", "gen", "colonel",
    "col", "major", "maj", "captain", "capt", "lieutenant", "lt", "sergeant", "sgt", "admiral",
    "commander", "judge", "justice", "attorney", "mr", "mrs", "ms", "miss", "dr", "prof",
    "professor", "sir", "dame", "lord", "lady", "rev", "reverend", "father", "bishop",
    "archbishop", "cardinal", "rabbi", "imam", "chairman", "chairwoman", "chair", "chief",
    "executive", "ceo", "director", "spokesman", "spokeswoman", "spokesperson", "ambassador",
    "envoy", "speaker", "leader", "deputy", "commissioner", "inspector", "officer", "head",
    "foreign", "defence", "defense", "interior", "finance", "health", "economy", "trade",
    "state", "senior", "former", "acting", "coach", "manager", "founder", "editor",
    "harbour", "harbor", "master", "opposition", "party", "the", "a", "an",
})
#: Words that end a name but are not the surname ("Martin Luther King Jr.").
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
#: Lowercase particles that belong inside a surname ("Ursula von der Leyen").
SURNAME_PARTICLES = frozenset({
    "van", "von", "der", "de", "da", "di", "del", "della", "du", "la", "le", "bin", "al", "el",
    "ter", "ten", "dos", "das",
})

#: Country adjectives and possessives that name the same state: "Russian" = "Russia's" = "Russia".
DEMONYMS = {
    "american": "us", "us": "us", "usa": "us", "america": "us", "u.s.": "us", "u.s": "us",
    "british": "uk", "britain": "uk", "uk": "uk", "u.k.": "uk", "russian": "russia",
    "ukrainian": "ukraine", "chinese": "china", "french": "france", "german": "germany",
    "israeli": "israel", "iranian": "iran", "indian": "india", "japanese": "japan",
    "turkish": "turkey", "syrian": "syria", "iraqi": "iraq", "saudi": "saudi", "polish":
    "poland", "italian": "italy", "spanish": "spain", "canadian": "canada", "australian":
    "australia", "mexican": "mexico", "brazilian": "brazil", "european": "europe", "korean":
    "korea", "egyptian": "egypt", "pakistani": "pakistan", "afghan": "afghanistan",
    "vietnamese": "vietnam", "irish": "ireland", "scottish": "scotland", "welsh": "wales",
    "dutch": "netherlands", "swedish": "sweden", "norwegian": "norway", "finnish": "finland",
    "greek": "greece", "belarusian": "belarus", "georgian": "georgia", "palestinian": "palestine",
    "lebanese": "lebanon", "jordanian": "jordan", "nigerian": "nigeria", "kenyan": "kenya",
}
#: British and American spellings of the words institutions are named with.
SPELLINGS = {
    "defence": "defense", "organisation": "organization", "programme": "program",
    "centre": "center", "labour": "labor", "honour": "honor", "harbour": "harbor",
    "councillor": "councilor", "authorisation": "authorization", "ministery": "ministry",
}
#: Words that carry no identity in an organisation's name.
ORG_FILLER = frozenset({"the", "of", "for", "and", "&", "'s", "s", "on", "in"})

_TOKEN = re.compile(r"[\w.'’-]+")


@dataclass(frozen=True)
class Member:
    """One article's speaker, as the corpus sees it: the input to identity decisions."""

    article_id: str
    local_id: str
    name: str
    type: str
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonName:
    """A person's name split into what identifies them and what describes them."""

    given: str | None  # folded first name, or None for a surname alone
    initial: str | None  # first letter when only an initial is given ("S. Lavrov")
    surname: str  # folded
    titles: tuple[str, ...] = ()  # the words before the name ("Russian Foreign Minister")

    @property
    def display(self) -> str:
        return " ".join(p for p in (self.given or self.initial, self.surname) if p)


@dataclass
class Identity:
    """Where one member belongs: its block, its base key, and what evidence it offers."""

    block: str
    key: str
    person: PersonName | None = None
    title_words: frozenset[str] = field(default_factory=frozenset)


def fold(text: str) -> str:
    """Lowercase without accents, for comparing names across spellings of the same letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_name_word(word: str) -> str:
    """One name word with common transliteration variants folded together.

    Russian and Ukrainian names reach English news in several romanisations: Sergey/Sergei,
    Dmitry/Dmitri/Dmitriy, Aleksey/Alexei, Yury/Yuri, Zelenskiy/Zelensky. Folding y to i, ks to
    x and doubled letters makes them one key without a table of names.
    """
    word = re.sub(r"[^\w]", "", fold(word))
    word = word.replace("ks", "x").replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", word)


def alias_norm(name: str) -> str:
    """How a name is compared for user decisions: case and spacing only, spelling kept."""
    words = fold(name).replace("’", "'").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=65536)
def parse_person(name: str) -> PersonName | None:
    """Split "Russian Foreign Minister Sergey Lavrov" into titles and the name proper."""
    tokens = [t for t in _TOKEN.findall(name) if t not in {"-", "'"}]
    while tokens and _bare(tokens[-1]) in NAME_SUFFIXES:
        tokens.pop()
    start = len(tokens)
    while start > 0 and _is_name_token(tokens[start - 1], tokens[start:], tokens[: start - 1]):
        start -= 1
    name_tokens = tokens[start:]
    if not name_tokens:
        return None
    titles = tuple(tokens[:start])
    surname_start = _surname_start(name_tokens)
    surname = " ".join(fold_name_word(t) for t in name_tokens[surname_start:])
    first = name_tokens[0] if surname_start > 0 else None
    if first and _is_initial(first):
        return PersonName(None, fold(first)[0], surname, titles)
    given = fold_name_word(first) if first else None
    return PersonName(given, None, surname, titles)


def org_key(name: str) -> str:
    """Organisation words as a sorted bag: spelling, demonyms and word order folded away."""
    text = fold(name).replace("’", "'").replace("'s ", " ").removesuffix("'s")
    words = []
    for token in _TOKEN.findall(text):
        bare = token.strip(".'-")
        word = DEMONYMS.get(token, DEMONYMS.get(bare, bare))
        word = SPELLINGS.get(word, word)
        if word and word not in ORG_FILLER:
            words.append(word)
    return " ".join(sorted(words))


def title_words(phrases: Iterable[str]) -> frozenset[str]:
    """The role words in descriptions and titles: the evidence that two mentions are one person."""
    words = set()
    for phrase in phrases:
        for token in _TOKEN.findall(fold(phrase)):
            bare = SPELLINGS.get(_bare(token), _bare(token))
            if bare in TITLE_WORDS and bare not in {"the", "a", "an", "former", "senior", "acting"}:
                words.add(bare)
    return frozenset(words)


@lru_cache(maxsize=65536)
def identify(member: Member) -> Identity:
    """The block and base key of one member, before looking at anyone else in the block."""
    if member.type == PERSON:
        person = parse_person(member.name)
        if person is not None:
            evidence = title_words((*member.descriptions, " ".join(person.titles)))
            given = person.given or (person.initial + "." if person.initial else None)
            key = f"person:{given + ' ' if given else ''}{person.surname}"
            return Identity(f"person:{person.surname}", key, person, evidence)
    if member.type == ORG:
        key = f"org:{org_key(member.name)}"
        return Identity(key, key)
    key = f"{member.type.lower()}:{' '.join(fold_name_word(w) for w in member.name.split())}"
    return Identity(key, key)


def cluster_block(members: Sequence[Member]) -> list[str]:
    """Base cluster key for every member of one block (in order), from the whole block at once.

    Full names key themselves. An initial ("S. Lavrov") or a surname alone joins a full name
    only when the block leaves no doubt about which; otherwise it keeps its own key. Members
    with the same name, type and descriptions always get the same key, so callers may pass
    each such variant once.
    """
    identities = [identify(m) for m in members]
    full = _full_names(identities)
    keys = []
    for identity in identities:
        person = identity.person
        if person is None or person.given is not None:
            keys.append(identity.key)
        else:
            keys.append(_attach_partial(identity, full) or identity.key)
    return keys


def display_name(variants: Iterable[tuple[str, str, int]]) -> tuple[str, str]:
    """A corpus speaker's name and type from its members' (name, type, count) variants: the
    commonest type, and the fullest name, titles and a leading "the" left out (the commonest
    spelling on a tie)."""
    types: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for name, type_, count in variants:
        types[type_] += count
        names[_without_article(" ".join(name.split()))] += count
    if not names:
        return "", PERSON
    type_ = types.most_common(1)[0][0]
    if type_ == PERSON:
        people: Counter[str] = Counter()
        for name, count in names.items():
            people[_strip_titles(name)] += count
        names = people
    best = max(names.items(), key=lambda item: (_name_length(item[0]), item[1], item[0]))
    return best[0], type_


def person_titles(name: str) -> str | None:
    """The title words before a person's name ("Russian Foreign Minister"), if any."""
    person = parse_person(name)
    return " ".join(person.titles) if person and person.titles else None


def _without_article(name: str) -> str:
    return name[4:] if name[:4].lower() == "the " and len(name) > 4 else name


def _full_names(identities: Iterable[Identity]) -> dict[str, frozenset[str]]:
    """Full-name keys in a block, each with the title words any of its members carried."""
    evidence: dict[str, set[str]] = {}
    for identity in identities:
        if identity.person and identity.person.given:
            evidence.setdefault(identity.key, set()).update(identity.title_words)
    return {key: frozenset(words) for key, words in evidence.items()}


def _attach_partial(identity: Identity, full: dict[str, frozenset[str]]) -> str | None:
    """The one full name a surname (or initial) can only mean, or None when in doubt."""
    person = identity.person
    assert person is not None
    candidates = list(full)
    if person.initial:
        candidates = [k for k in candidates if k.split(":", 1)[1].startswith(person.initial)]
    if len(candidates) == 1:
        return candidates[0]
    titled = [k for k in candidates if identity.title_words & full[k]]
    return titled[0] if len(titled) == 1 else None


def _is_name_token(token: str, after: list[str], before: list[str]) -> bool:
    """Whether ``token`` (between ``before`` and ``after``) is part of the name proper."""
    bare = _bare(token)
    if not after and bare in TITLE_WORDS:  # "Martin Luther King", but not "Foreign Minister"
        return token[:1].isupper() and bool(before) and _is_plain_name_word(before[-1])
    if bare in TITLE_WORDS or bare in DEMONYMS:
        return False
    if token[:1].isupper():
        return True
    return bare in SURNAME_PARTICLES and bool(after)


def _is_plain_name_word(token: str) -> bool:
    bare = _bare(token)
    return token[:1].isupper() and bare not in TITLE_WORDS and bare not in DEMONYMS


def _surname_start(tokens: list[str]) -> int:
    """Where the surname begins: the last word, with any particles before it ("von der")."""
    start = len(tokens) - 1
    while start > 1 and _bare(tokens[start - 1]) in SURNAME_PARTICLES:
        start -= 1
    return start


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) == 1


def _bare(token: str) -> str:
    return fold(token).strip(".'’-")


def _strip_titles(name: str) -> str:
    person = parse_person(name)
    if person is None:
        return name
    words = name.split()
    return " ".join(words[len(person.titles):]) or name


def _name_length(name: str) -> int:
    return len(name.split())
