"""The server-rendered pages: content, escaping, highlights, the Analyse form and its errors."""

from __future__ import annotations

import re

import pytest
from web_corpus import (
    CREDITED_ARTICLE,
    FOUNDING_EXAMPLE,
    MODEL,
    NO_MODEL,
    SCRIPT_ARTICLE,
    SCRIPT_TEXT,
    build_corpus,
    client_for,
)

from quotegraph.reading import Article
from quotegraph.web import create_app
from quotegraph.web.analysis import Analyser


def stub_extract(article: Article):
    """A stand-in engine: the hand-written record for the script article's text."""
    assert article.text == SCRIPT_TEXT
    record = SCRIPT_ARTICLE.__class__.from_dict(SCRIPT_ARTICLE.to_dict())
    record.id, record.meta = article.id, dict(article.meta)
    return record


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("pages") / "corpus.db")


@pytest.fixture(scope="module")
def site(corpus_path):
    return client_for(create_app(corpus_path, analyser=Analyser(extract=stub_extract)))


def speaker_id(site, name: str) -> int:
    page = site.get("/speakers", params={"q": name}).text
    return int(re.search(r'href="/speakers/(\d+)">' + re.escape(name), page).group(1))


def test_every_page_renders(site):
    lavrov = speaker_id(site, "Sergey Lavrov")
    for url in ("/", "/speakers", f"/speakers/{lavrov}", "/search", "/search?query=provocation",
                "/articles/reuters-lavrov-hanoi", "/claims", "/docs"):
        response = site.get(url)
        assert response.status_code == 200, url
        assert "text/html" in response.headers["content-type"]


def test_article_page_marks_each_role_and_ties_parts_to_speakers(site):
    html = site.get("/articles/reuters-lavrov-hanoi").text
    for role in ("source", "cue", "content"):
        assert f'class="mark {role}"' in html
    assert 'class="legend"' in html
    lavrov = speaker_id(site, "Sergey Lavrov")
    row = re.search(r'<tr data-a="a1"[^>]*data-url="/speakers/(\d+)"', html)
    assert row and int(row.group(1)) == lavrov
    assert 'id="m-a1" tabindex="0"' in html  # each attribution reachable by keyboard
    assert html.count('data-a="a2"') >= 3  # its source, cue and content, and its table row


def test_article_text_is_escaped_and_never_markup(site):
    html = site.get(f"/articles/{SCRIPT_ARTICLE.id}").text
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned = 1; alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>vote</b>" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/app.js" defer>']


def test_credits_and_related_posts_are_greyed_and_unmarked(site):
    html = site.get(f"/articles/{CREDITED_ARTICLE.id}").text
    credit = re.search(r'<p class="block block-credit unattributed">(.*?)</p>', html, re.DOTALL)
    related = re.search(r'<p class="block block-related unattributed">(.*?)</p>', html, re.DOTALL)
    assert credit and "Jane Okafor" in credit.group(1) and "mark" not in credit.group(1)
    assert related and "not attributed" in related.group(1)


def test_speaker_page_shows_chart_outlets_aliases_and_statements(site):
    html = site.get(f"/speakers/{speaker_id(site, 'Sergey Lavrov')}").text
    assert "<h1>Sergey Lavrov</h1>" in html
    assert len(re.findall(r'<rect class="bar"', html)) == 3  # three days with statements
    for outlet in ("Reuters", "TASS", "Guardian"):
        assert f">{outlet}</a>" in html
    assert "Russian Foreign Minister" in html and "Sergei Lavrov" in html
    assert html.count('class="quote"') == 6


def test_speaker_directory_lists_counts_and_finds_by_name(site):
    html = site.get("/speakers").text
    assert ">Sergey Lavrov</a>" in html and '<td class="n">6</td>' in html
    found = site.get("/speakers", params={"q": "Lavrov"}).text
    assert ">Sergey Lavrov</a>" in found and "John Smith" not in found
    nobody = site.get("/speakers", params={"q": "Nobody Atall"}).text
    assert "No speaker goes by" in nobody


def test_search_filters_and_marks_the_words(site):
    html = site.get("/search", params={"query": "provocation", "outlet": "TASS"}).text
    assert html.count('class="quote"') == 1 and "<mark>provocation</mark>" in html
    assert '<option value="TASS" selected>' in html
    dated = site.get("/search", params={"speaker": "Lavrov", "since": "2024-03-06"}).text
    assert dated.count('class="quote"') == 2
    bad = site.get("/search", params={"since": "someday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_missing_things_get_a_404_page(site):
    for url in ("/articles/nope", "/speakers/99999", "/claims/99999", "/no/such/page"):
        response = site.get(url)
        assert response.status_code == 404 and "Not found" in response.text


def test_analyse_shows_the_marked_article_with_the_engine_result(site):
    response = site.post("/analyse", data={"text": SCRIPT_TEXT, "url": ""})
    assert response.status_code == 200
    html = response.text
    assert 'class="mark source"' in html and "1 attribution by 1 speaker" in html
    assert "<script>window.__pwned" not in html and "&lt;script&gt;" in html
    assert 'block-credit unattributed' in html


def test_analyse_says_what_was_wrong_with_the_input(site):
    nothing = site.post("/analyse", data={"text": "  ", "url": ""})
    assert nothing.status_code == 400 and "You gave nothing" in nothing.text
    both = site.post("/analyse", data={"text": "Some text", "url": "https://example.com/a"})
    assert both.status_code == 400 and "text and a URL" in both.text.replace("a URL and text",
                                                                              "text and a URL")
    not_a_url = site.post("/analyse", data={"text": "", "url": "ftp://example.com/a"})
    assert not_a_url.status_code == 400 and "http://" in not_a_url.text
    binary = site.post("/analyse", data={"text": ""}, files={"file": ("x.txt", b"\x00" * 64)})
    assert binary.status_code == 400 and "binary" in binary.text


def test_analyse_needs_no_url_fetching_when_it_is_off(corpus_path):
    site = client_for(create_app(corpus_path, fetch_urls=False))
    response = site.post("/analyse", data={"text": "", "url": "https://example.com/a"})
    assert response.status_code == 400 and "does not fetch URLs" in response.text


@pytest.mark.skipif(not MODEL.exists(), reason=NO_MODEL)
def test_analyse_with_the_model_links_speakers_to_the_corpus(corpus_path):
    if not FOUNDING_EXAMPLE.exists():
        pytest.skip(f"the founding example is absent ({FOUNDING_EXAMPLE})")
    site = client_for(create_app(corpus_path))
    text = FOUNDING_EXAMPLE.read_text(encoding="utf-8")
    response = site.post("/analyse", data={"text": text, "url": ""})
    assert response.status_code == 200
    html = response.text
    lavrov = speaker_id(site, "Sergey Lavrov")
    assert f'data-url="/speakers/{lavrov}"' in html
    assert 'class="block block-credit unattributed"' in html  # "Photo Credit: Anadolu Agency"


@pytest.mark.skipif(not MODEL.exists(), reason=NO_MODEL)
def test_analyse_with_the_model_keeps_a_script_article_inert(corpus_path):
    site = client_for(create_app(corpus_path))
    html = site.post("/analyse", data={"text": SCRIPT_TEXT, "url": ""}).text
    assert "<script>window.__pwned" not in html and "&lt;script&gt;" in html
