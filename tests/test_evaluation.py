"""The evaluation, specified by example (``shared/docs/evaluation.md``).

Hand-made cases pin each rule; the PolNeAR cases (skipped without the corpus) check that gold
scores as gold and that our projection reproduces CofeNet's own labels.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quotegraph.corpus import polnear
from quotegraph.corpus.polnear import GoldDocument
from quotegraph.evaluation import (
    evaluate_polnear,
    format_report,
    score_documents,
    score_gold_projection,
    score_sentences,
)
from quotegraph.evaluation.sentence import align_tokens, bio_spans, project_labels
from quotegraph.model import Attribution, Span

needs_polnear = pytest.mark.skipif(not polnear.available(), reason="PolNeAR corpus not present")

TEXT = 'The senator said "the bill will pass soon." Critics disagreed, aides said.'


def span(text: str, fragment: str, occurrence: int = 0) -> Span:
    """The span of the n-th occurrence of ``fragment`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    return Span.of(text, start, start + len(fragment))


def attribution(source: str | None, cue: str | None, *content: str, text: str = TEXT):
    return Attribution(
        id="a",
        source=span(text, source) if source else None,
        cue=span(text, cue) if cue else None,
        content=[span(text, c) for c in content],
    )


def gold_document(*attributions: Attribution, text: str = TEXT) -> GoldDocument:
    return GoldDocument("doc_ann1", "doc", text, list(attributions))


def f1(scores: dict, *path: str) -> float:
    for key in path:
        scores = scores[key]
    return scores["f1"]


# --------------------------------------------------------------------------- document level

SENATOR = attribution("The senator", "said", '"the bill will pass soon."')


def test_gold_against_itself_scores_100_everywhere() -> None:
    scores = score_documents([gold_document(SENATOR)], {"doc": [SENATOR]})
    for role in ("source", "cue", "content"):
        assert f1(scores, "exact", role) == 100.0
        assert f1(scores, "overlap", role) == 100.0
    assert f1(scores, "attribution", "loose") == f1(scores, "attribution", "strict") == 100.0


def test_content_missing_its_last_word_overlaps_but_is_not_exact() -> None:
    short = attribution("The senator", "said", '"the bill will pass')
    scores = score_documents([gold_document(SENATOR)], {"doc": [short]})
    assert scores["exact"]["content"]["tp"] == 0
    assert scores["overlap"]["content"]["tp"] == 1
    assert scores["exact"]["source"]["tp"] == 1


def test_content_fragments_compare_without_surrounding_whitespace() -> None:
    padded = attribution("The senator", "said", ' "the bill will pass soon." ')
    scores = score_documents([gold_document(SENATOR)], {"doc": [padded]})
    assert scores["exact"]["content"]["tp"] == 1


def test_exact_match_is_one_to_one() -> None:
    scores = score_documents([gold_document(SENATOR)], {"doc": [SENATOR, SENATOR]})
    # the repeated prediction is the same span set: no extra false positive for a role ...
    assert scores["exact"]["cue"]["fp"] == 0
    # ... but two predicted attributions cannot both claim one gold attribution
    assert scores["attribution"]["loose"]["tp"] == 1
    assert scores["attribution"]["loose"]["fp"] == 1


def test_a_source_shared_by_two_attributions_is_one_gold_span() -> None:
    first = attribution("The senator", "said", '"the bill will pass soon."')
    second = attribution("The senator", "disagreed", "Critics")
    scores = score_documents([gold_document(first, second)], {"doc": [first]})
    assert scores["exact"]["source"] == {**scores["exact"]["source"], "tp": 1, "fn": 0}


def test_attribution_matches_when_cue_and_content_overlap_strict_also_wants_source() -> None:
    wrong_source = attribution("Critics", "said", "the bill")
    scores = score_documents([gold_document(SENATOR)], {"doc": [wrong_source]})
    assert scores["attribution"]["loose"]["tp"] == 1
    assert scores["attribution"]["strict"]["tp"] == 0


def test_attribution_without_cue_overlap_does_not_match() -> None:
    other_cue = attribution("The senator", "disagreed", '"the bill will pass soon."')
    scores = score_documents([gold_document(SENATOR)], {"doc": [other_cue]})
    assert scores["attribution"]["loose"]["tp"] == 0


def test_missing_prediction_counts_as_empty() -> None:
    scores = score_documents([gold_document(SENATOR)], {})
    assert scores["exact"]["content"] == {**scores["exact"]["content"], "tp": 0, "fn": 1}
    assert scores["n_documents"] == 1


# --------------------------------------------------------------------------- BIO spans


def test_bio_span_starts_at_b_and_runs_over_i() -> None:
    labels = ["B-source", "I-source", "B-cue", "O", "B-content", "I-content", "I-content"]
    assert bio_spans(labels) == {("source", 0, 2), ("cue", 2, 3), ("content", 4, 7)}


def test_bio_dangling_i_starts_a_span() -> None:
    assert bio_spans(["O", "I-content", "I-content"]) == {("content", 1, 3)}
    assert bio_spans(["B-cue", "I-content"]) == {("cue", 0, 1), ("content", 1, 2)}


def test_bio_b_after_i_of_same_role_starts_a_new_span() -> None:
    assert bio_spans(["B-content", "I-content", "B-content"]) == {
        ("content", 0, 2),
        ("content", 2, 3),
    }


# --------------------------------------------------------------------------- alignment


def test_ptb_tokens_align_to_unicode_text() -> None:
    text = "Obama’s aide (who spoke) said: “We’re done — really…” in the U.S."
    tokens = (
        "Obama 's aide -LRB- who spoke -RRB- said : `` We 're done -- really ... '' in the U.S. ."
    )
    offsets, stats = align_tokens(text, tokens.split())
    surfaces = [text[s:e] for s, e in offsets]
    assert surfaces[:7] == ["Obama", "’s", "aide", "(", "who", "spoke", ")"]
    assert surfaces[9:17] == ["“", "We", "’re", "done", "—", "really", "…", "”"]
    # CoreNLP repeats the final period of "U.S."; the abbreviation gives it up
    assert surfaces[-2:] == ["U.S", "."]
    assert stats.unaligned == stats.recovered == 0


def test_unalignable_token_is_counted_not_fatal() -> None:
    offsets, stats = align_tokens("He said so.", ["He", "xyzzy", "said", "so", "."])
    assert len(offsets) == 5
    assert stats.unaligned == 1


# --------------------------------------------------------------------------- projection

LINE = "Aides said the bill passed."
LINE_TOKENS = ["Aides", "said", "the", "bill", "passed", "."]


def line_offsets() -> list[tuple[int, int]]:
    return align_tokens(LINE, LINE_TOKENS)[0]


def project(*attributions: Attribution) -> list[str]:
    return project_labels(attributions, line_offsets())


def test_projection_labels_each_role() -> None:
    labels = project(attribution("Aides", "said", "the bill passed.", text=LINE))
    assert labels == ["B-source", "B-cue", "B-content", "I-content", "I-content", "I-content"]


def test_each_content_fragment_opens_its_own_b_run_even_when_touching() -> None:
    a = attribution(None, "said", "the bill", " passed.", text=LINE)
    assert project(a)[2:] == ["B-content", "I-content", "B-content", "I-content"]


def test_span_starting_inside_a_token_keeps_it_ending_inside_drops_it() -> None:
    starts_inside = Attribution("a", None, None, [Span.of(LINE, 16, 27)])  # "ill passed."
    assert project(starts_inside)[3:] == ["B-content", "I-content", "I-content"]
    ends_inside = Attribution("a", None, None, [Span.of(LINE, 11, 24)])  # "the bill pass"
    assert project(ends_inside)[2:] == ["B-content", "I-content", "O", "O"]


def test_span_inside_a_single_token_labels_nothing() -> None:
    inside = Attribution("a", None, None, [Span.of(LINE, 12, 14)])  # "he" of "the"
    assert project(inside) == ["O"] * 6


def test_later_roles_overwrite_earlier_ones() -> None:
    overlapping = Attribution(
        "a", Span.of(LINE, 0, 10), Span.of(LINE, 6, 10), [Span.of(LINE, 11, 27)]
    )
    assert project(overlapping)[:2] == ["B-source", "B-cue"]


def test_score_sentences_on_a_hand_made_line(tmp_path: Path) -> None:
    gold_labels = ["B-source", "B-cue", "B-content", "I-content", "I-content", "I-content"]
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"tokens": LINE_TOKENS, "labels": gold_labels, "id": "doc_x"}))
    half_right = attribution("Aides", "said", "the bill", text=LINE)
    scores = score_sentences({"doc": [half_right]}, {"doc": LINE}, path)
    assert f1(scores, "source") == f1(scores, "cue") == 100.0
    assert scores["content"]["tp"] == 0
    assert scores["content"]["fp"] == scores["content"]["fn"] == 1


# --------------------------------------------------------------------------- report


def test_report_lists_published_metric_first() -> None:
    doc = score_documents([gold_document(SENATOR)], {"doc": [SENATOR]})
    report = format_report(doc, None)
    assert "document exact" in report and "strict" in report
    sentence = {role: doc["exact"][role] for role in ("source", "cue", "content")}
    sentence |= {"n_lines": 1, "alignment": {"tokens": 1, "recovered": 0, "unaligned": 0}}
    report = format_report(doc, sentence)
    assert report.index("sentence exact") < report.index("document exact")


def test_evaluation_does_not_import_spacy() -> None:
    code = "import sys, quotegraph.evaluation; sys.exit('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --------------------------------------------------------------------------- PolNeAR


@pytest.fixture(scope="module")
def dev() -> list[GoldDocument]:
    return polnear.load_split("dev")


@needs_polnear
def test_polnear_gold_against_itself_scores_100(dev: list[GoldDocument]) -> None:
    for document in dev:
        scores = score_documents([document], {document.text_id: document.attributions})
        for role in ("source", "cue", "content"):
            assert f1(scores, "exact", role) in (0.0, 100.0)  # 0.0: no span of the role
            assert scores["exact"][role]["fp"] == scores["exact"][role]["fn"] == 0
        assert scores["attribution"]["strict"]["fn"] == 0


@needs_polnear
def test_gold_projection_reproduces_cofenet_labels(dev: list[GoldDocument]) -> None:
    """Gold projected onto the tokens must score ~100, else the metric measures our conversion.

    Measured: source 100, cue 100, content 99.95 F1 (the 3 misses are second "Content2"
    fragments the brat reader does not yet read).
    """
    gold = {document.annotation_id: document.attributions for document in dev}
    texts = {document.text_id: document.text for document in dev}
    scores = score_gold_projection(gold, texts)
    for role in ("source", "cue", "content"):
        assert scores[role]["precision"] >= 99.9
        assert scores[role]["f1"] >= 99.9
    assert scores["alignment"]["unaligned"] <= 5


@needs_polnear
def test_evaluate_polnear_runs_both_metrics_with_a_stub_predictor() -> None:
    seen: list[int] = []

    def predict(pairs: list[tuple[str, str]]) -> dict[str, list[Attribution]]:
        seen.append(len(pairs))
        return {}

    result = evaluate_polnear(predict, "dev")
    assert seen == [84]  # one call, every distinct text of dev
    assert result["n_documents"] == 94
    assert result["sentence"]["n_lines"] > 0
    assert result["sentence"]["content"]["tp"] == 0
    assert "sentence exact (published)" in format_report(result["document"], result["sentence"])
