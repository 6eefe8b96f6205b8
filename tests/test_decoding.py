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
