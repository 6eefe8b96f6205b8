"""Disputes in the web app, over a real SQLite corpus of hand-written records: the /v1/disputes
API, the Disputes page, disputes marked on article and Analyse pages, a speaker's "Disputes"
and "Disputed by", and party or claim text that must stay inert."""

from __future__ import annotations

import math
import re

import pytest
from web_corpus import DISPUTE_ARTICLES, SCRIPT_DISPUTE_TEXT, build_corpus, client_for

from quotegraph.model import ArticleResult
from quotegraph.reading import Article
from quotegraph.store.queries import DisputeEdge, DisputeGraph
from quotegraph.web import create_app
from quotegraph.web.analysis import Analyser
from quotegraph.web.disputes import drawing, node_url
from quotegraph.web.marking import blocks_of, mark_article

BROD = DISPUTE_ARTICLES[0]


def stub_extract(article: Article) -> ArticleResult:
    """A stand-in engine: the hand-written record, with its disputes, for the Brod article."""
    assert article.text == BROD.text
    record = ArticleResult.from_dict(BROD.to_dict())
    record.id, record.meta = article.id, dict(article.meta)
    return record


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = build_corpus(tmp_path_factory.mktemp("disputes") / "corpus.db")
    return client_for(create_app(corpus, analyser=Analyser(extract=stub_extract)))


def speaker_id(site, name: str) -> int:
    found = site.get("/v1/speakers", params={"name": name}).json()["items"]
    assert len(found) == 1, found
    return found[0]["id"]


# --- API --------------------------------------------------------------------------------------


def test_disputes_api_lists_edges_newest_first_with_parties_and_claims(site):
    page = site.get("/v1/disputes").json()
    assert set(page) == {"items", "next_cursor"} and page["next_cursor"] is None
    items = page["items"]
    assert len(items) == 5
    assert [i["published"] for i in items] == sorted((i["published"] for i in items), reverse=True)
    rejection = next(i for i in items if i["party"] == "opposition leaders")
    assert rejection["act"] == "reject" and rejection["speaker"] == "Maria Kovac"
    assert rejection["claim"] == "army units had shelled the village of Brod"
    assert rejection["party_id"] is None and rejection["outlet"] == "Adriatic Post"


def test_disputes_api_filters_by_speaker_party_and_act(site):
    kovac, horvat = speaker_id(site, "Maria Kovac"), speaker_id(site, "Ivan Horvat")
    made = site.get("/v1/disputes", params={"speaker": "Kovac"}).json()["items"]
    assert len(made) == 3 and {i["speaker_id"] for i in made} == {kovac}
    aimed = site.get("/v1/disputes", params={"party": "Ivan Horvat"}).json()["items"]
    assert len(aimed) == 2 and {i["party_id"] for i in aimed} == {horvat}
    rejections = site.get("/v1/disputes", params={"act": "reject"}).json()["items"]
    assert {i["act"] for i in rejections} == {"reject"} and len(rejections) == 3
    assert site.get("/v1/disputes", params={"speaker": "Nobody Atall"}).json()["items"] == []


def test_disputes_api_pages_with_a_cursor_and_checks_its_parameters(site):
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = site.get("/v1/disputes", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [1, 2, 3, 4, 5] and len(set(seen)) == 5
    assert site.get("/v1/disputes", params={"act": "agree"}).status_code == 422
    assert site.get("/v1/disputes", params={"limit": 0}).status_code == 422
    bad = site.get("/v1/disputes", params={"cursor": "garbage"})
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["message"]


def test_dispute_graph_aggregates_edges_across_outlets(site):
    graph = site.get("/v1/disputes/graph").json()
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    kovac, horvat = f"speaker:{speaker_id(site, 'Maria Kovac')}", f"speaker:{speaker_id(site, 'Ivan Horvat')}"
    accusation = next(e for e in graph["edges"] if (e["source"], e["target"], e["act"]) ==
                      (kovac, horvat, "accuse"))
    assert (accusation["count"], accusation["articles"]) == (2, 2)
    assert {x["outlet"] for x in accusation["examples"]} == {"Adriatic Post", "Zagreb Daily"}
    assert graph["edges"][0] == accusation  # most frequent first
    assert any((e["source"], e["target"]) == (horvat, kovac) for e in graph["edges"])
    assert "opposition leaders" in names.values()
    only = site.get("/v1/disputes/graph", params={"speaker": "Horvat"}).json()
    assert {e["source"] for e in only["edges"]} == {horvat}


def test_speaker_api_carries_disputes_made_and_received(site):
    body = site.get(f"/v1/speakers/{speaker_id(site, 'Ivan Horvat')}").json()
    assert [d["act"] for d in body["disputes"]["disputes"]] == ["reject"]
    assert {d["speaker"] for d in body["disputes"]["disputed_by"]} == {"Maria Kovac"}
    assert len(body["disputes"]["disputed_by"]) == 2


def test_the_dispute_endpoints_are_documented(site):
    paths = site.get("/openapi.json").json()["paths"]
    assert "/v1/disputes" in paths and "/v1/disputes/graph" in paths
    names = {p["name"] for p in paths["/v1/disputes"]["get"]["parameters"]}
    assert names == {"speaker", "party", "act", "limit", "cursor"}


# --- pages ------------------------------------------------------------------------------------


def test_article_page_marks_the_evidence_the_act_and_lists_the_disputes(site):
    html = site.get(f"/articles/{BROD.id}").text
    assert 'class="mark disputed swatch"' in html  # the legend explains the style
    assert re.search(r'class="mark (source|cue|content) disputed" data-a="a1"', html)
    assert '<sup class="tag act-tag act-reject" aria-hidden="true">reject</sup>' in html
    assert '<sup class="tag act-tag act-accuse" aria-hidden="true">accuse</sup>' in html
    assert "(reject). " in html  # the act is in the attribution's accessible name too
    listed = re.search(r'<ol class="dispute-list">(.*?)</ol>', html, re.DOTALL).group(1)
    lines = [" ".join(re.sub(r"<[^>]+>", " ", li).split())
             for li in re.findall(r"<li[^>]*>(.*?)</li>", listed, re.DOTALL)]
    assert lines[0] == ("1 Maria Kovac → reject → opposition leaders : "
                        "army units had shelled the village of Brod")
    assert lines[1:] == ["3 Maria Kovac → accuse → Ivan Horvat",
                         "4 Ivan Horvat → reject → Maria Kovac"]
    assert 'id="d-d1" data-a="a1"' in html  # the Disputes page links here
    assert 'data-act="reject" class="disputing"' in html


def test_an_article_without_disputes_has_no_dispute_marks(site):
    html = site.get("/articles/reuters-lavrov-hanoi").text
    assert "disputed" not in html and "dispute-list" not in html


def test_analyse_marks_the_disputes_of_the_engine_result(site):
    html = site.post("/analyse", data={"text": BROD.text, "url": ""}).text
    assert 'class="dispute-list"' in html and "mark disputed swatch" in html
    assert re.search(r'class="mark \w+ disputed"', html)
    assert '<a href="/speakers/' in html  # the corpus knows both speakers


def test_disputes_page_lists_who_disputes_whom_with_an_example_and_a_drawing(site):
    html = site.get("/disputes").text
    assert '<a href="/disputes" aria-current="page">Disputes</a>' in html
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", html,
                                                          re.DOTALL).group(1), re.DOTALL)
    first = " ".join(re.sub(r"<[^>]+>", " ", rows[0]).split())
    assert first.startswith("Maria Kovac accuse Ivan Horvat 2 2")
    assert 'href="/articles/daily-kovac-horvat#d-d1"' in html
    assert "<svg" in html and html.count('<line class="edge') == len(rows)
    assert 'marker-end="url(#head-reject)"' in html
    kovac = speaker_id(site, "Maria Kovac")
    assert f'<a href="/speakers/{kovac}">' in html


def test_disputes_page_filters_by_speaker(site):
    html = site.get("/disputes", params={"speaker": "Horvat"}).text
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL).group(1)
    assert body.count("<tr>") == 1 and "reject" in body
    nobody = site.get("/disputes", params={"speaker": "Nobody Atall"}).text
    assert "No disputes by “Nobody Atall”" in nobody


def test_speaker_page_shows_disputes_and_disputed_by(site):
    html = site.get(f"/speakers/{speaker_id(site, 'Ivan Horvat')}").text
    made = re.search(r'<section id="disputes".*?</section>', html, re.DOTALL).group(0)
    received = re.search(r'<section id="disputed-by".*?</section>', html, re.DOTALL).group(0)
    assert made.count('class="quote"') == 1 and "reject" in made and "Maria Kovac" in made
    assert received.count('class="quote"') == 2 and "accuse" in received
    assert 'href="/articles/post-brod-shelling#d-d2"' in received
    quiet = site.get(f"/speakers/{speaker_id(site, 'Sergey Lavrov')}").text
    assert "No accusation, denial or rejection by Sergey Lavrov found." in quiet


def test_a_script_in_a_party_or_claim_renders_inert(site):
    pages = {
        "article": site.get("/articles/script-dispute").text,
        "disputes": site.get("/disputes").text,
        "speaker": site.get(f"/speakers/{speaker_id(site, 'Dana Mills')}").text,
    }
    for name, html in pages.items():
        assert "<script>window.__" not in html, name
        assert "&lt;script&gt;window.__party = 1&lt;/script&gt; Group" in html, name
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>'], name
    assert "&lt;script&gt;window.__claim = 1&lt;/script&gt; the vote was rigged" in pages["article"]
    api = site.get("/v1/disputes", params={"speaker": "Dana Mills"})
    assert api.headers["content-type"].startswith("application/json")
    assert api.json()["items"][0]["party"] in SCRIPT_DISPUTE_TEXT


# --- the parts behind the pages ---------------------------------------------------------------


def test_a_disputes_evidence_is_a_layer_over_the_roles():
    pieces = [p for block in mark_article(BROD) for p in block.pieces]
    assert "".join(p.text for p in pieces) == "".join(
        BROD.text[b["start"]:b["end"]] for b in blocks_of(BROD))
    evidence = BROD.disputes[0].evidence
    inside = [p for p in pieces if p.dispute]
    assert {p.dispute for p in inside} == {"reject", "accuse"}
    cue = next(p for p in pieces if p.role == "cue" and p.attribution == "a1")
    assert cue.dispute == "reject"  # a cue and the evidence at once
    gap = next(p for p in pieces if p.role is None and p.dispute)  # " on Thursday "
    assert gap.text.strip() and evidence.text.find(gap.text) >= 0
    assert all(p.dispute is None for p in pieces if "villagers" in p.text)


def test_the_drawing_puts_the_busiest_parties_on_a_circle_and_keeps_answers_apart():
    graph = DisputeGraph(
        {f"speaker:{n}": f"Speaker {n}" for n in range(1, 5)} | {"party:the press": "the press"},
        [DisputeEdge("speaker:1", "speaker:2", "accuse", 3, 2),
         DisputeEdge("speaker:2", "speaker:1", "reject", 1, 1),
         DisputeEdge("speaker:3", "party:the press", "accuse", 1, 1),
         DisputeEdge("speaker:4", "speaker:1", "deny", 1, 1)],
    )
    drawn = drawing(graph, max_nodes=4)
    assert [n.id for n in drawn.nodes][:2] == ["speaker:1", "speaker:2"] and drawn.left_out == 1
    assert drawn.nodes[0].url == "/speakers/1" and node_url("party:the press") is None
    there, back = drawn.arrows[0], drawn.arrows[1]
    assert (there.act, back.act) == ("accuse", "reject") and there.width > back.width
    dx, dy = there.x2 - there.x1, there.y2 - there.y1
    apart = abs(dx * (back.y1 - there.y1) - dy * (back.x1 - there.x1)) / math.hypot(dx, dy)
    assert apart > 6  # the answer runs beside the accusation, not on top of it
    centre = drawn.size / 2
    for node in drawn.nodes:
        assert abs(math.hypot(node.x - centre, node.y - centre) - 200) < 1


def test_a_long_disputes_page_shows_the_most_frequent_edges_and_says_so(site, monkeypatch):
    from quotegraph.web import pages

    monkeypatch.setattr(pages, "MAX_EDGES", 2)
    html = site.get("/disputes").text
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL).group(1)
    assert body.count("<tr>") == 2
    assert "4 edges, most frequent first; the first 2 shown" in html
