"""Decoding keeps spans well formed whatever the per-token probabilities say."""

import itertools

import numpy

from quotegraph.extraction.decoding import decode_spans, label_bigrams, viterbi
from quotegraph.extraction.tagger import LABELS


def probs_for(labels: list[str], confidence: float = 0.9) -> numpy.ndarray:
    rest = (1 - confidence) / (len(LABELS) - 1)
    out = numpy.full((len(labels), len(LABELS)), rest, dtype="f")
    for t, label in enumerate(labels):
        out[t, LABELS.index(label)] = confidence
    return out


def test_an_inside_label_never_follows_another_role():
    path = viterbi(probs_for(["B-cue", "I-content", "I-content"]))
    for prev, cur in itertools.pairwise(path):
        if LABELS[cur].startswith("I-"):
            assert LABELS[prev][2:] == LABELS[cur][2:]


def test_a_sequence_never_starts_inside_a_span():
    assert not LABELS[viterbi(probs_for(["I-content", "I-content"]))[0]].startswith("I-")


def test_spans_come_out_with_roles_and_token_offsets():
    spans = decode_spans(probs_for(["B-source", "B-cue", "B-content", "I-content", "O"]))
    assert [(s.role, s.start, s.end) for s in spans] == [
        ("source", 0, 1), ("cue", 1, 2), ("content", 2, 4)
    ]
    assert all(0 < s.score <= 1 for s in spans)


def test_learned_transitions_bridge_one_uncertain_token_inside_a_content():
    labels = ["B-content"] + ["I-content"] * 8 + ["O"]
    probs = probs_for(labels)
    probs[5] = probs_for(["O"], confidence=0.55)[0]  # one doubtful token mid-content
    training = [numpy.array([LABELS.index(x) for x in labels])] * 50
    plain = [s for s in decode_spans(probs) if s.role == "content"]
    smoothed = [s for s in decode_spans(probs, label_bigrams(training)) if s.role == "content"]
    assert len(plain) == 2
    assert [(s.start, s.end) for s in smoothed] == [(0, 9)]


def _tagged(text: str, roles: dict[str, str]) -> tuple:
    """A parsed doc and the role spans of ``roles`` (phrase -> role) found in it by text."""
    from quotegraph.extraction.decoding import RoleSpan
    from quotegraph.extraction.pipeline import load_backbone

    doc = load_backbone()(text)
    spans = []
    for phrase, role in roles.items():
        start = text.index(phrase)
        span = doc.char_span(start, start + len(phrase))
        spans.append(RoleSpan(role, span.start, span.end, 0.9))
    return doc, sorted(spans, key=lambda s: s.start)


def test_a_cue_without_a_tagged_source_takes_its_subject_from_the_parse():
    from quotegraph.extraction.decoding import link

    text = "The health minister said the new clinic would open in May."
    doc, spans = _tagged(text, {"said": "cue", "the new clinic would open in May": "content"})
    [attribution] = link(doc, spans)
    assert attribution.source.text == "The health minister"


def test_a_cue_without_a_tagged_content_takes_the_clause_it_reports():
    from quotegraph.extraction.decoding import link

    text = "According to the weather service, the storm will reach the coast on Friday."
    doc, spans = _tagged(text, {"According to": "cue", "the weather service": "source"})
    [attribution] = link(doc, spans)
    assert [f.text for f in attribution.content] == ["the storm will reach the coast on Friday"]


def test_a_parenthetical_cue_without_a_tagged_content_reports_both_sides_of_itself():
    from quotegraph.extraction.decoding import link

    text = "The stadium, Tompkins said, is usually full of families on Sundays."
    doc, spans = _tagged(text, {"said": "cue", "Tompkins": "source"})
    [attribution] = link(doc, spans)
    assert [f.text for f in attribution.content] == [
        "The stadium", "is usually full of families on Sundays"
    ]


def test_the_subject_is_taken_outside_the_quote_not_inside_it():
    from quotegraph.extraction.decoding import link

    text = "\u201cWe said it would rain,\u201d the forecaster added."
    doc, spans = _tagged(text, {"added": "cue", "We said it would rain,": "content"})
    [attribution] = link(doc, spans)
    assert attribution.source.text == "the forecaster"


def test_a_content_without_a_cue_stands_only_as_a_quotation():
    from quotegraph.extraction.decoding import link

    text = (
        "The mayor spoke at the harbour.\n\n\u201cWe will rebuild the bridge.\u201d\n\n"
        "The bridge has been shut since March.\n"
    )
    doc, spans = _tagged(
        text,
        {"\u201cWe will rebuild the bridge.\u201d": "content",
         "The bridge has been shut since March": "content"},
    )
    [attribution] = link(doc, spans)
    assert attribution.cue is None and attribution.kind == "direct"
    assert attribution.content[0].text == "\u201cWe will rebuild the bridge.\u201d"


def test_a_content_does_not_begin_or_end_with_a_comma():
    from quotegraph.extraction.decoding import link

    text = "Whatever the critics claim, the plan will work, the minister said."
    doc, spans = _tagged(text, {", the plan will work,": "content", "said": "cue"})
    [attribution] = link(doc, spans)
    assert [f.text for f in attribution.content] == ["the plan will work"]


def test_a_content_does_not_end_on_a_dangling_and():
    from quotegraph.extraction.decoding import link

    text = "She called the ruling unfair and promised an appeal."
    doc, spans = _tagged(text, {"called": "cue", "the ruling unfair and": "content"})
    [attribution] = link(doc, spans)
    assert [f.text for f in attribution.content] == ["the ruling unfair"]


def test_a_content_that_stops_inside_a_phrase_is_completed():
    from quotegraph.extraction.decoding import link

    text = "He said he was the only candidate funding his own campaign."
    doc, spans = _tagged(text, {"said": "cue", "he was the only candidate funding his": "content"})
    [attribution] = link(doc, spans)
    assert [f.text for f in attribution.content] == [
        "he was the only candidate funding his own campaign"
    ]


def test_a_source_that_stops_inside_a_phrase_is_completed():
    from quotegraph.extraction.decoding import link

    text = "A lawyer who advises developers in Mexico City said the rules were clear."
    doc, spans = _tagged(
        text,
        {"A lawyer who advises developers in": "source", "said": "cue",
         "the rules were clear": "content"},
    )
    [attribution] = link(doc, spans)
    assert attribution.source.text == "A lawyer who advises developers in Mexico City"


def test_a_source_never_runs_on_into_its_verb():
    from quotegraph.extraction.decoding import link

    text = "Foreign Minister Sergey Lavrov called the claims lies, accusing Kyiv of shelling."
    doc, spans = _tagged(
        text,
        {"Foreign Minister Sergey Lavrov called the": "source", "accusing": "cue",
         "Kyiv of shelling": "content"},
    )
    [attribution] = link(doc, spans)
    assert attribution.source.text == "Foreign Minister Sergey Lavrov"


def test_a_source_is_never_cut_inside_a_name():
    from quotegraph.extraction.decoding import link

    text = "A film by French director Guy Lagache about Macron said the talks had failed."
    doc, spans = _tagged(
        text,
        {"French director Guy": "source", "Lagache about": "cue", "Macron": "content"},
    )
    [attribution] = link(doc, spans)
    assert attribution.source.text == "French director Guy Lagache"
    assert attribution.cue.text == "about"
