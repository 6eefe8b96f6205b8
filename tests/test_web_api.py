"""The REST API over a real SQLite corpus: answers, pagination, status codes, limits, writes."""

from __future__ import annotations

import json
import sqlite3

import pytest
from store_articles import SENATOR_SMITH
from web_corpus import MODEL, NO_MODEL, RECORDS, build_corpus, client_for

from quotegraph.store import Store
from quotegraph.web import create_app

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("api") / "corpus.db")


@pytest.fixture(scope="module")
def api(corpus_path):
    return client_for(create_app(corpus_path))


def lavrov_id(api) -> int:
    found = api.get("/v1/speakers", params={"name": "Sergey Lavrov"}).json()["items"]
    assert len(found) == 1
    return found[0]["id"]


# --- reading the corpus -----------------------------------------------------------------------


def test_speakers_are_listed_most_statements_first_with_counts(api):
    page = api.get("/v1/speakers", params={"limit": 3}).json()
    assert set(page) == {"items", "next_cursor"}
    lavrov = page["items"][0]
    assert lavrov["name"] == "Sergey Lavrov"
    assert (lavrov["statements"], lavrov["articles"], lavrov["outlets"]) == (6, 3, 3)
    assert "Lavrov" in lavrov["aliases"]
    counts = [s["statements"] for s in page["items"]]
    assert counts == sorted(counts, reverse=True)


def test_cursor_pagination_visits_every_speaker_once(api):
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/speakers", params=params).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everyone = api.get("/v1/speakers", params={"limit": 200}).json()["items"]
    assert seen == [s["id"] for s in everyone]
    assert len(set(seen)) == len(seen)


def test_speaker_has_attributions_per_day_counts_and_outlets(api):
    speaker_id = lavrov_id(api)
    body = api.get(f"/v1/speakers/{speaker_id}").json()
    assert body["speaker"]["name"] == "Sergey Lavrov"
    assert body["per_day"] == [
        {"day": "2024-03-04", "count": 2}, {"day": "2024-03-05", "count": 2},
        {"day": "2024-03-06", "count": 2},
    ]
    assert {o["outlet"] for o in body["outlets"]} == {"Reuters", "TASS", "Guardian"}
    said = body["attributions"]["items"]
    assert len(said) == 6 and all(q["speaker_id"] == speaker_id for q in said)
    assert [q["published"] for q in said] == sorted((q["published"] for q in said), reverse=True)


def test_speaker_attributions_page_with_a_cursor(api):
    speaker_id = lavrov_id(api)
    first = api.get(f"/v1/speakers/{speaker_id}", params={"limit": 4}).json()["attributions"]
    assert len(first["items"]) == 4 and first["next_cursor"]
    rest = api.get(f"/v1/speakers/{speaker_id}",
                   params={"limit": 4, "cursor": first["next_cursor"]}).json()["attributions"]
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    ids = [q["id"] for q in first["items"] + rest["items"]]
    assert len(set(ids)) == 6


def test_search_filters_by_words_outlet_speaker_dates_and_kind(api):
    def search(**params):
        return api.get("/v1/attributions", params=params).json()["items"]

    assert len(search(query="provocation")) == 3
    assert [q["outlet"] for q in search(query="provocation", outlet="tass")] == ["TASS"]
    assert {q["speaker"] for q in search(speaker="Lavrov")} == {"Sergey Lavrov"}
    march_5 = search(since="2024-03-05", until="2024-03-05")
    assert {q["article_id"] for q in march_5} == {"reuters-lavrov-hanoi"}
    assert all(q["kind"] == "direct" for q in search(kind="direct"))
    assert search(query="nothing-like-this-anywhere") == []


def test_search_pages_follow_their_cursor(api):
    first = api.get("/v1/attributions", params={"limit": 5}).json()
    second = api.get("/v1/attributions", params={"limit": 5, "cursor": first["next_cursor"]})
    assert second.status_code == 200
    overlap = {q["id"] for q in first["items"]} & {q["id"] for q in second.json()["items"]}
    assert overlap == set()


def test_article_is_the_schema_record_with_corpus_identities(api):
    body = api.get("/v1/articles/reuters-lavrov-hanoi").json()
    original = next(r for r in RECORDS if r.id == "reuters-lavrov-hanoi")
    assert body["text"] == original.text
    assert body["outlet"] == "Reuters" and body["published"].startswith("2024-03-05")
    for attribution in body["attributions"]:
        for span in [attribution["source"], attribution["cue"], *attribution["content"]]:
            assert body["text"][span["start"]:span["end"]] == span["text"]
    names = {s["corpus_speaker"]["name"] for s in body["speakers"]}
    assert "Sergey Lavrov" in names
    assert any(a["claim"] for a in body["attributions"])


def test_claim_lists_its_occurrences_across_outlets(api):
    article = api.get("/v1/articles/reuters-lavrov-hanoi").json()
    claim_id = next(a["claim"] for a in article["attributions"] if a["claim"])
    body = api.get(f"/v1/claims/{claim_id}").json()
    assert body["claim"]["occurrences"] == 3
    assert {o["outlet"] for o in body["occurrences"]} == {"Reuters", "TASS", "Guardian"}
    listed = api.get("/v1/claims").json()["items"]
    assert claim_id in [c["id"] for c in listed]


# --- status codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "status"), [
    ("/v1/speakers/99999", 404),
    ("/v1/articles/no-such-article", 404),
    ("/v1/claims/99999", 404),
    ("/v1/speakers/lavrov", 422),
    ("/v1/speakers?limit=0", 422),
    ("/v1/attributions?limit=100000", 422),
    ("/v1/attributions?kind=rumour", 422),
    ("/v1/attributions?since=last-tuesday", 400),
    ("/v1/attributions?query=%21%21%21", 400),
    ("/v1/attributions?cursor=not-a-cursor", 400),
    ("/v1/attributions?cursor=2024-01-01~x", 400),
    ("/v1/speakers?cursor=x~y", 400),
])
def test_bad_requests_get_proper_status_codes_and_a_message(api, url, status):
    response = api.get(url)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if status == 422:
        assert error["details"]


def test_sql_in_parameters_is_data_not_sql(api, corpus_path):
    hostile = "x' OR '1'='1'; DROP TABLE articles; --"
    for params in ({"speaker": hostile}, {"outlet": hostile}, {"query": hostile}):
        response = api.get("/v1/attributions", params=params)
        assert response.status_code == 200
        assert response.json()["items"] == []
    assert api.get(f"/v1/articles/{hostile}").status_code == 404
    with sqlite3.connect(corpus_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(RECORDS)


def test_extract_refuses_what_it_cannot_read(api):
    assert api.post("/v1/extract", content=b"hello", headers={
        "content-type": "text/plain"}).status_code == 415
    assert api.post("/v1/extract", content=b"{not json", headers={
        "content-type": "application/json"}).status_code == 400
    assert api.post("/v1/extract", json={}).status_code == 400
    assert api.post("/v1/extract", json={"text": "   "}).status_code == 400
    assert api.post("/v1/extract", json={"text": "a", "html": "<p>b</p>"}).status_code == 400
    wrong_type = api.post("/v1/extract", json={"text": 42})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["error"]["details"][0]["where"] == "body.text"
    assert api.post("/v1/extract", json={"txt": "typo"}).status_code == 422
    binary = api.post("/v1/extract", files={"file": ("a.txt", b"\x00\x01\x02" * 100)})
    assert binary.status_code == 400 and "binary" in binary.json()["error"]["message"]


def test_requests_over_the_size_limit_get_413(corpus_path):
    small = client_for(create_app(corpus_path, max_bytes=1_000))
    response = small.post("/v1/extract", json={"text": "word " * 500})
    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["error"]["message"]

    def chunks():  # no Content-Length: counted as it streams in
        for _ in range(20):
            yield b"x" * 100

    streamed = small.post("/v1/extract", content=chunks(),
                          headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    page = small.post("/analyse", data={"text": "word " * 500})
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]


def test_slow_queries_are_interrupted(corpus_path):
    from quotegraph.web.corpus import CorpusPool, QueryTimeout

    pool = CorpusPool(corpus_path, time_limit_s=0.2)
    endless = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
               "SELECT COUNT(*) FROM n")
    with pytest.raises(QueryTimeout), pool.connection() as conn:
        conn.execute(endless).fetchone()
    with pool.connection() as conn:  # the connection is usable again afterwards
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(RECORDS)
    pool.close()


def test_responses_carry_security_headers(api):
    page = api.get("/speakers")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert api.get("/docs").status_code == 200
    assert "/static-offline-docs/" in api.get("/docs").text  # no CDN: works offline
    assert api.get("/openapi.json").json()["paths"]["/v1/extract"]["post"]["requestBody"]


# --- writes -----------------------------------------------------------------------------------


def test_writes_are_off_without_a_token(api):
    body = {"records": [SENATOR_SMITH.to_dict()]}
    refused = api.post("/v1/articles", json=body)
    assert refused.status_code == 403 and "--token" in refused.json()["error"]["message"]
    assert api.post("/v1/speakers/1/merge", json={"into": 2}).status_code == 403


def test_writes_need_the_right_token(tmp_path):
    app = create_app(build_corpus(tmp_path / "w.db"), token=TOKEN)
    client = client_for(app)
    record = SENATOR_SMITH.to_dict()
    record["id"] = "senate-farm-bill-copy"
    body = {"records": [record]}
    assert client.post("/v1/articles", json=body).status_code == 401
    wrong = client.post("/v1/articles", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    stored = client.post("/v1/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert stored.status_code == 201
    assert stored.json()["stored"] == 1 and stored.json()["articles"] == ["senate-farm-bill-copy"]
    assert client.get("/v1/articles/senate-farm-bill-copy").status_code == 200


def test_ingest_refuses_records_whose_offsets_do_not_index_the_text(tmp_path):
    client = client_for(create_app(build_corpus(tmp_path / "w.db"), token=TOKEN))
    record = SENATOR_SMITH.to_dict()
    record["attributions"][0]["cue"]["start"] += 1
    response = client.post("/v1/articles", json={"records": [record]},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and "offsets" in response.json()["error"]["message"]


def test_merge_joins_two_speakers_for_good(tmp_path):
    path = build_corpus(tmp_path / "m.db")
    client = client_for(create_app(path, token=TOKEN))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ids = {s["name"]: s["id"] for s in client.get("/v1/speakers?limit=200").json()["items"]}
    into = ids["Sergey Lavrov"]
    other = ids["John Smith"]
    assert client.post(f"/v1/speakers/{other}/merge", json={"into": other},
                       headers=auth).status_code == 400
    assert client.post("/v1/speakers/99999/merge", json={"into": into},
                       headers=auth).status_code == 404
    merged = client.post(f"/v1/speakers/{other}/merge", json={"into": into}, headers=auth)
    assert merged.status_code == 200
    assert merged.json()["speaker"]["statements"] > 6
    with Store.open(path) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM speaker_merges").fetchone()[0] == 1


# --- extraction (needs the trained model) -----------------------------------------------------


needs_model = pytest.mark.skipif(not MODEL.exists(), reason=NO_MODEL)


@needs_model
def test_extract_text_returns_the_schema_record(api):
    text = ("Council backs bridge plan\n\nMayor Helen Tarrant said the council would borrow "
            "14 million pounds to pay for the work.\n")
    response = api.post("/v1/extract", json={"text": text, "id": "bridge",
                                             "meta": {"outlet": "Marlow Gazette"}})
    assert response.status_code == 200
    record = response.json()
    assert set(record) >= {"id", "text", "meta", "attributions", "speakers"}
    assert record["id"] == "bridge" and record["text"] == text
    assert record["meta"]["outlet"] == "Marlow Gazette"
    assert record["meta"]["blocks"]
    assert record["attributions"], "the model should find the mayor's statement"
    for attribution in record["attributions"]:
        for span in [attribution["source"], attribution["cue"], *attribution["content"]]:
            if span:
                assert text[span["start"]:span["end"]] == span["text"]
    assert json.dumps(record)  # plain JSON all the way down


@needs_model
def test_extract_reads_html_and_uploaded_files(api):
    paragraph = ("Mayor Helen Tarrant said the council would borrow 14 million pounds to pay "
                 "for the work, which is due to start in the spring.")
    page = (f"<!doctype html><html><head><title>Bridge plan</title></head><body><article>"
            f"<h1>Council backs bridge plan</h1><p>{paragraph}</p>"
            f"<p>{paragraph.replace('Mayor Helen Tarrant', 'She')}</p></article></body></html>")
    from_html = api.post("/v1/extract", json={"html": page, "url": "https://example.com/b"})
    assert from_html.status_code == 200
    assert from_html.json()["meta"]["source_format"] == "html"
    assert "<p>" not in from_html.json()["text"]
    uploaded = api.post("/v1/extract", files={"file": ("bridge.html", page.encode())})
    assert uploaded.status_code == 200 and uploaded.json()["id"] == "bridge"
    as_text = api.post("/v1/extract", files={"file": ("note.txt", paragraph.encode())})
    assert as_text.status_code == 200 and as_text.json()["text"] == paragraph


# --- reading and timing, with a stand-in engine -----------------------------------------------


def echo_engine(article):
    """A stand-in for the model: the article as a record with no attributions."""
    from quotegraph.model import ArticleResult

    return ArticleResult(article.id, article.text, dict(article.meta))


def test_extract_fetches_a_url_through_the_url_reader(corpus_path):
    import http.server
    import threading

    from quotegraph.web.analysis import Analyser

    body = b"Mayor Helen Tarrant said the bridge would be rebuilt in the spring.\n"

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = client_for(create_app(corpus_path, analyser=Analyser(extract=echo_engine)))
        url = f"http://127.0.0.1:{server.server_port}/news/bridge-plan"
        response = client.post("/v1/extract", json={"url": url})
        assert response.status_code == 200
        assert response.json()["text"] == body.decode()
        assert response.json()["meta"]["url"] == url and response.json()["id"] == "bridge-plan"
        off = client_for(create_app(corpus_path, fetch_urls=False))
        assert off.post("/v1/extract", json={"url": url}).status_code == 403
    finally:
        server.shutdown()
        server.server_close()


def test_an_analysis_past_the_time_limit_gets_503(corpus_path):
    import time

    from quotegraph.web.analysis import Analyser

    def slow_engine(article):
        time.sleep(1.0)
        return echo_engine(article)

    client = client_for(create_app(
        corpus_path, analyser=Analyser(time_limit_s=0.2, extract=slow_engine)))
    started = time.monotonic()
    response = client.post("/v1/extract", json={"text": "The mayor said it would rain."})
    assert response.status_code == 503 and "0.2 s" in response.json()["error"]["message"]
    assert time.monotonic() - started < 0.9  # answered at the limit, not when the work ended
