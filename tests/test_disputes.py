"""Claims and disputes: speech acts, targets, embedded claims and dispute edges.

The articles are written for these tests; attributions are given as the extractor would give
them (source, cue, content located in the text), so no trained model is needed. The last test
runs the whole extractor on the founding article when the shipped model is installed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from quotegraph.cli import main
from quotegraph.disputes import analyse_disputes
from quotegraph.extraction.pipeline import SHIPPED_MODEL, load_backbone
from quotegraph.model import ArticleResult, Attribution, Span, Speaker, kind_of
from quotegraph.store import queries
from quotegraph.store.store import Store

FOUNDING = Path(__file__).resolve().parents[2] / "shared" / "examples" / "lavrov-hanoi.txt"


def _span(text: str, piece: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span.of(text, start, start + len(piece))


def said(text: str, number: int, source: str, cue: str, content: str, speaker: str | None,
         after: int = 0) -> Attribution:
    """An attribution as the extractor gives it, located in ``text`` after ``after``."""
    source_span = _span(text, source, after)
    parts = [_span(text, content, after)]
    return Attribution(f"a{number}", source_span, _span(text, cue, source_span.start), parts,
                       kind_of(parts), speaker, 0.9)


def analysed(article_id: str, text: str, attributions: list[Attribution],
             speakers: list[Speaker], **meta: str) -> ArticleResult:
    disputes = analyse_disputes(load_backbone()(text), attributions, speakers)
    return ArticleResult(article_id, text, dict(meta), attributions, speakers, disputes)


def edges(result: ArticleResult) -> set[tuple[str | None, str, str | None]]:
    """(disputing speaker's name, act, disputed party) for each dispute."""
    names = {s.id: s.name for s in result.speakers}
    return {(names.get(d.speaker or ""), d.act, d.party.span.text if d.party else None)
            for d in result.disputes}


# --- the founding example ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lavrov() -> ArticleResult:
    text = FOUNDING.read_text(encoding="utf-8")
    body = text.index("At a news conference")
    speakers = [
        Speaker("s1", "Sergey Lavrov", "PERSON", ["Russian Foreign Minister"],
                [_span(text, "Russian Foreign Minister Sergey Lavrov"), _span(text, "Lavrov", body)]),
        Speaker("s2", "Russian Defense Ministry", "ORG", [],
                [_span(text, "the Russian Defense Ministry")]),
    ]
    attributions = [
        said(text, 1, "Lavrov", "said", "“they lie.”", "s1", body),
        said(text, 2, "the Russian Defense Ministry", "said",
             "Ukraine’s armed forces used Tochka-U missiles with cluster munitions and Tu-143 "
             "“Reis” drones to attack civilian areas of Russia’s cities Belgorod and Kursk", "s2"),
    ]
    return analysed("lavrov-hanoi", text, attributions, speakers)


def test_lavrov_rejects_ukrainian_officials_claims_that_russian_forces_hit_their_own_cities(lavrov):
    rejection = next(d for d in lavrov.disputes
                     if d.party and d.party.span.text == "Ukrainian officials")
    assert rejection.act == "reject" and rejection.speaker == "s1"
    claim = next(a for a in lavrov.attributions if a.id == rejection.claim)
    assert claim.embedded and claim.act == "claim"
    assert claim.source.text == "Ukrainian officials" and claim.cue.text == "claims"
    assert claim.content[0].text == "Russian forces hit its own cities"


def test_lavrov_accuses_kyiv_of_using_weapons_against_civilians(lavrov):
    accused = {d.attribution for d in lavrov.disputes
               if d.act == "accuse" and d.party and d.party.span.text == "Kyiv"}
    contents = [a.content[0].text for a in lavrov.attributions
                if a.id in accused and a.speaker == "s1"]
    assert any(c.startswith("Kyiv of using weapons against civilians") for c in contents)
    assert any(c.startswith("Kyiv of using West-supplied weapons") for c in contents)  # standfirst


def test_defense_ministry_accuses_ukraines_armed_forces_of_attacking_belgorod_and_kursk(lavrov):
    assert ("Russian Defense Ministry", "accuse", "Ukraine’s armed forces") in edges(lavrov)


def test_the_charges_lavrov_answers_with_they_lie_are_an_embedded_claim(lavrov):
    answer = next(d for d in lavrov.disputes if d.attribution == "a1")
    charges = next(a for a in lavrov.attributions if a.id == answer.claim)
    assert charges.cue.text == "charges" and charges.source is None
    assert charges.content[0].text.startswith("Russia targeted its own cities")


def test_every_span_indexes_the_text(lavrov):
    for attribution in lavrov.attributions:
        for span in [attribution.source, attribution.cue, *attribution.content,
                     *(t.span for t in attribution.targets)]:
            assert span is None or lavrov.text[span.start:span.end] == span.text
    for dispute in lavrov.disputes:
        assert lavrov.text[dispute.evidence.start:dispute.evidence.end] == dispute.evidence.text


# --- denial and counter-accusation ----------------------------------------------------------------

DENIAL = (
    "Ministry denies shelling market in Kherson\n\n"
    "KYIV (Reuters) - Russia's Defence Ministry denied on Monday that its troops had shelled "
    "the central market in Kherson, where local officials said 11 people were killed.\n\n"
    "\u201cOur forces do not strike civilian targets,\u201d ministry spokesman Igor Konashenkov "
    "told reporters."
)


def test_a_denial_is_a_dispute_with_act_deny():
    text = DENIAL
    speakers = [Speaker("s1", "Russia's Defence Ministry", "ORG", [],
                        [_span(text, "Russia's Defence Ministry")]),
                Speaker("s2", "local officials", "ORG", [], [_span(text, "local officials")])]
    attributions = [
        said(text, 1, "Russia's Defence Ministry", "denied",
             "that its troops had shelled the central market in Kherson", "s1"),
        said(text, 2, "local officials", "said", "11 people were killed", "s2"),
    ]
    result = analysed("kherson-market", text, attributions, speakers)
    assert attributions[0].act == "deny"
    assert attributions[1].act == "state"
    denials = [a for a in result.attributions if a.id in {d.attribution for d in result.disputes}]
    assert {a.cue.text for a in denials} == {"denied", "denies"}  # the body and the headline
    assert all(a.act == "deny" and a.speaker == "s1" for a in denials)


COUNTER = (
    "Kyiv rejects Moscow's allegations over dam, blames Russian troops\n\n"
    "Ukraine's Foreign Ministry on Tuesday rejected Moscow's allegations that Ukrainian "
    "saboteurs had blown up the dam, and accused Russian troops of mining the structure weeks "
    "earlier."
)


def test_a_counter_accusation_rejects_one_claim_and_accuses_the_other_side():
    text = COUNTER
    speakers = [Speaker("s1", "Ukraine's Foreign Ministry", "ORG", [],
                        [_span(text, "Ukraine's Foreign Ministry")])]
    attributions = [said(text, 1, "Ukraine's Foreign Ministry", "rejected",
                         "Moscow's allegations that Ukrainian saboteurs had blown up the dam", "s1")]
    result = analysed("dam-counter", text, attributions, speakers)
    found = edges(result)
    assert ("Ukraine's Foreign Ministry", "reject", "Moscow") in found
    assert ("Ukraine's Foreign Ministry", "accuse", "Russian troops") in found
    claim = next(a for a in result.attributions if a.embedded)
    assert claim.source.text == "Moscow" and claim.content[0].text.startswith("Ukrainian saboteurs")


CLAIM_SUBJECT = (
    "Ministry rejects shelling reports\n\n"
    "Ministry spokeswoman Maria Kovac called opposition leaders\u2019 claims that General Petrov "
    "had shelled the village \u201clies.\u201d\n\n"
    "At a briefing in Zagreb, Kovac said of allegations that army units had fired on the "
    "convoy: \u201cNonsense.\u201d"
)


def test_a_party_inside_a_disputed_claim_is_the_claims_subject_not_the_disputed_party():
    """The extractor's segmentation on the founding example, on a passage written for the test:
    a source stretched over the claim's owner, and a cue ("said of allegations") that covers
    the claim noun."""
    text = CLAIM_SUBJECT
    stretched = "Ministry spokeswoman Maria Kovac called opposition leaders\u2019"
    speakers = [Speaker("s1", "Maria Kovac", "PERSON", ["Ministry spokeswoman"],
                        [_span(text, stretched), _span(text, "Kovac said")]),
                Speaker("s2", "General Petrov", "PERSON", [], [])]
    attributions = [
        said(text, 1, stretched, "claims",
             "that General Petrov had shelled the village \u201clies.\u201d", "s1"),
        said(text, 2, "Kovac", "said of allegations",
             "that army units had fired on the convoy: \u201cNonsense.\u201d", "s1",
             text.index("At a briefing")),
    ]
    result = analysed("kovac-claims", text, attributions, speakers)
    parties = {d.party.span.text for d in result.disputes if d.party}
    assert parties == {"opposition leaders"}  # never General Petrov or army units
    assert all(d.party.speaker != d.speaker for d in result.disputes if d.party)
    claims = {a.id: a for a in result.attributions if a.embedded}
    subjects = {c.content[0].text for c in claims.values()}
    assert subjects == {"General Petrov had shelled the village",
                        "army units had fired on the convoy"}
    answer = next(d for d in result.disputes if d.attribution == "a2")
    assert answer.party is None and answer.claim in claims  # someone's allegations, not a2's own


def test_plain_statements_make_no_disputes():
    text = "Mayor Helen Tarrant said the bridge would reopen in the spring."
    speakers = [Speaker("s1", "Helen Tarrant", "PERSON", [], [_span(text, "Mayor Helen Tarrant")])]
    attributions = [said(text, 1, "Mayor Helen Tarrant", "said",
                         "the bridge would reopen in the spring", "s1")]
    result = analysed("bridge", text, attributions, speakers)
    assert result.disputes == [] and attributions[0].act == "state"


# --- the record, the store, the graph -------------------------------------------------------------


def test_records_carry_act_targets_and_disputes_and_read_back(lavrov):
    data = json.loads(lavrov.to_json())
    assert {"act", "act_confidence"} <= set(data["attributions"][0])
    assert data["disputes"] and ArticleResult.from_dict(data).to_dict() == data


def test_a_record_without_disputes_keeps_its_old_shape():
    result = ArticleResult("x", "Text.", attributions=[Attribution("a1", None, None,
                                                                   [Span(0, 5, "Text.")])])
    assert "disputes" not in result.to_dict()
    assert set(result.to_dict()["attributions"][0]) == {
        "id", "source", "cue", "content", "kind", "speaker", "confidence"}


SECOND_OUTLET = (
    "Lavrov dismisses Kyiv's claims as lies\n\n"
    "MOSCOW (TASS) - Foreign Minister Sergey Lavrov on Tuesday accused Kyiv of shelling "
    "residential districts of Donetsk with Western weapons."
)


@pytest.fixture
def corpus(tmp_path, lavrov):
    text = SECOND_OUTLET
    speakers = [Speaker("s1", "Sergey Lavrov", "PERSON", ["Foreign Minister"],
                        [_span(text, "Foreign Minister Sergey Lavrov")])]
    attributions = [said(text, 1, "Foreign Minister Sergey Lavrov", "accused",
                         "Kyiv of shelling residential districts of Donetsk with Western weapons",
                         "s1")]
    tass = analysed("tass-lavrov", text, attributions, speakers, outlet="TASS",
                    published="2022-07-06")
    lavrov.meta.update(outlet="Anadolu Agency", published="2022-07-06")
    store = Store.open(tmp_path / "news.db")
    store.write_batch([lavrov, tass])
    yield store
    store.close()


def test_a_stored_article_reads_back_with_its_acts_and_disputes(corpus, lavrov):
    view = queries.article_view(corpus.conn, lavrov.id)
    assert view.record.to_dict() == lavrov.to_dict()


def test_a_dispute_reported_by_two_outlets_is_one_edge_seen_in_two_articles(corpus):
    graph = queries.dispute_graph(corpus.conn, speaker="Lavrov")
    edge = next(e for e in graph.edges
                if graph.nodes[e.target] == "Kyiv" and e.act == "accuse")
    assert graph.nodes[edge.source] == "Sergey Lavrov"
    assert edge.articles == 2
    assert {x.outlet for x in queries.find_disputes(corpus.conn, speaker="Lavrov",
                                                     party="Kyiv").items} == {"TASS",
                                                                              "Anadolu Agency"}


def test_a_speaker_page_lists_disputes_made_and_received(corpus):
    lavrov_id = queries.find_speakers(corpus.conn, "Sergey Lavrov")[0].id
    page = queries.speaker_disputes(corpus.conn, lavrov_id)
    assert page["disputes"] and all(r.speaker == "Sergey Lavrov" for r in page["disputes"])
    assert page["disputed_by"] == []


def test_disputes_command_writes_graphml(corpus, tmp_path):
    out = tmp_path / "disputes.graphml"
    assert main(["disputes", "--db", corpus.path, "--format", "graphml", "-o", str(out)]) == 0
    graph = ET.parse(out).getroot()
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert graph.findall(f"{ns}graph/{ns}edge")


# --- with the shipped extraction model --------------------------------------------------------------


@pytest.mark.skipif(not (SHIPPED_MODEL / "tagger.bin").exists(), reason="no trained model yet")
def test_the_founding_article_through_the_extractor():
    from quotegraph.extraction.pipeline import Extractor

    result = Extractor().extract(FOUNDING.read_text(encoding="utf-8"), "lavrov-hanoi")
    found = {(d.act, d.party.span.text if d.party else None) for d in result.disputes}
    assert ("reject", "Ukrainian officials") in found
    assert ("accuse", "Kyiv") in found
    assert ("accuse", "Ukraine’s armed forces") in found
    assert not {("reject", "Russian forces"), ("reject", "Russia")} & found  # claims' subjects
