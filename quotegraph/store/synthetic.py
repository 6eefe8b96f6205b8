"""Generated article records for load tests and benchmarks (never used by ``ingest`` itself).

The records are shaped like real extraction output: several outlets, a pool of people and
organisations whose names vary between articles ("Sergey Lavrov", "Lavrov", "Foreign Minister
Sergei Lavrov"), and quotes that reappear across outlets verbatim or trimmed, so speaker
identity and claim matching do real work. Everything follows from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from quotegraph.model import ArticleResult, Attribution, Span, Speaker

OUTLETS = ("Reuters", "AP", "BBC", "TASS", "Kyiv Independent", "Guardian", "Al Jazeera", "DW")
_GIVEN = ("Anna", "Sergey", "Maria", "John", "Helen", "Omar", "Ruth", "Dmitry", "Clara", "Ivan",
          "Laura", "Peter", "Amina", "Jorge", "Mei", "Tomas")
_SURNAMES = ("Lavrov", "Smith", "Tarrant", "Reyes", "Lindqvist", "Voss", "Brennan", "Okafor",
             "Kowalski", "Haddad", "Novak", "Petrov", "Moreau", "Silva", "Tanaka", "Weber",
             "Jensen", "Costa", "Rossi", "Fischer")
_TITLES = ("Foreign Minister", "Senator", "Mayor", "Chief Executive", "Defence Secretary",
           "Councillor", "Judge", "Ambassador")
_ORGS = ("Defence Ministry", "Health Ministry", "Central Bank", "Foreign Ministry",
         "Interior Ministry", "Electoral Commission")
_COUNTRIES = (("Russian", "Russia's"), ("British", "Britain's"), ("French", "France's"),
              ("German", "Germany's"))
_WORDS = ("the", "bridge", "budget", "talks", "ceasefire", "will", "we", "not", "accept",
          "plan", "people", "cannot", "afford", "another", "winter", "of", "delay", "and",
          "our", "country", "must", "respond", "to", "every", "threat", "with", "patience",
          "elections", "are", "free", "fair", "ready", "negotiate", "sanctions", "work")


def generate(articles: int, seed: int = 0, people: int = 400) -> Iterator[ArticleResult]:
    """``articles`` records (about five attributions each), the same for the same seed."""
    rng = random.Random(seed)
    persons = [(rng.choice(_GIVEN), rng.choice(_SURNAMES), rng.choice(_TITLES))
               for _ in range(people)]
    quotes = [_sentence(rng, rng.randint(8, 24)) for _ in range(max(50, articles // 2))]
    start = date(2024, 1, 1)
    for number in range(articles):
        yield _article(rng, number, persons, quotes, start + timedelta(days=rng.randint(0, 365)))


def _article(rng: random.Random, number: int, persons: list[tuple[str, str, str]],
             quotes: list[str], day: date) -> ArticleResult:
    outlet = rng.choice(OUTLETS)
    builder = _Builder(f"gen-{number:07d}", {"title": f"Report {number}", "outlet": outlet,
                                             "published": day.isoformat()})
    for _ in range(rng.randint(3, 7)):
        if rng.random() < 0.25:
            country = rng.choice(_COUNTRIES)
            org = f"{rng.choice(country)} {rng.choice(_ORGS)}"
            builder.say(org, "ORG", "said", _sentence(rng, rng.randint(6, 14)), "indirect")
            continue
        given, surname, title = rng.choice(persons)
        name = rng.choice((f"{given} {surname}", f"{title} {given} {surname}", surname))
        if rng.random() < 0.5:
            words = rng.choice(quotes).split()
            cut = rng.randint(0, max(0, len(words) - 7))
            builder.say(name, "PERSON", "said", f'"{" ".join(words[cut:])}."', "direct")
        else:
            builder.say(name, "PERSON", "told reporters", _sentence(rng, 10), "indirect")
    return builder.result()


class _Builder:
    """Writes an article's text while recording exact spans for what it writes."""

    def __init__(self, article_id: str, meta: dict[str, str]) -> None:
        self.article_id, self.meta = article_id, meta
        self.text = meta["title"] + "\n\n"
        self.attributions: list[Attribution] = []
        self.speakers: dict[str, Speaker] = {}

    def say(self, name: str, type_: str, cue: str, content: str, kind: str) -> None:
        source = self._write(name)
        self.text += " "
        cue_span = self._write(cue)
        self.text += " "
        content_span = self._write(content)
        self.text += "\n"
        speaker = self.speakers.get(name)
        if speaker is None:
            speaker = Speaker(f"s{len(self.speakers) + 1}", name, type_)
            self.speakers[name] = speaker
        speaker.mentions.append(source)
        number = len(self.attributions) + 1
        self.attributions.append(Attribution(f"a{number}", source, cue_span, [content_span],
                                             kind, speaker.id, 0.9))

    def result(self) -> ArticleResult:
        return ArticleResult(self.article_id, self.text, dict(self.meta), self.attributions,
                             list(self.speakers.values()))

    def _write(self, piece: str) -> Span:
        start = len(self.text)
        self.text += piece
        return Span(start, len(self.text), piece)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))
