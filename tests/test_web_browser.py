"""The web app in a real browser: headless Chromium (Debian's), driven by Playwright.

Skipped only where /usr/bin/chromium is missing (`.ci/run` installs it); Playwright never
downloads a browser of its own here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from web_corpus import FOUNDING_EXAMPLE, MODEL, NO_MODEL, SCRIPT_ARTICLE, SCRIPT_TEXT, build_corpus

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium chromium-driver; "
    ".ci/run installs it)",
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from quotegraph.web import create_app
    from quotegraph.web.background import running

    corpus = build_corpus(tmp_path_factory.mktemp("browser") / "corpus.db")
    with running(create_app(corpus)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def test_a_script_article_renders_as_text_and_runs_nothing(page, base_url):
    page.goto(f"{base_url}/articles/{SCRIPT_ARTICLE.id}")
    headline = page.locator(".block-headline")
    assert "<script>window.__pwned = 1;" in headline.inner_text()
    assert "<img src=x onerror=alert(1)>" in page.locator(".article").inner_text()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    assert page.locator(".article img, .article b, .article script").count() == 0


def test_hover_and_focus_tie_an_attribution_to_its_speaker(page, base_url):
    page.goto(f"{base_url}/articles/reuters-lavrov-hanoi")
    page.locator("#m-a2").hover()
    card = page.locator("#card")
    card.wait_for(state="visible")
    assert "Sergey Lavrov" in card.inner_text()
    assert page.locator('.mark.linked[data-a="a2"]').count() >= 3
    assert page.locator('tr.linked[data-a="a2"]').count() == 1
    page.keyboard.press("Escape")
    page.locator("#m-a1").focus()  # keyboard users get the same link
    assert page.locator('tr.linked[data-a="a1"]').count() == 1
    card.get_by_role("link", name="Sergey Lavrov").click()
    page.wait_for_url(re.compile(r"/speakers/\d+$"))
    assert page.locator("h1").inner_text() == "Sergey Lavrov"


def test_search_form_filters_by_outlet(page, base_url):
    page.goto(f"{base_url}/search")
    page.get_by_label("Words in what was said").fill("provocation")
    page.get_by_label("Outlet").select_option("TASS")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.locator("li.quote").count() == 1
    assert page.locator("li.quote mark").first.inner_text().lower() == "provocation"


@pytest.mark.skipif(not MODEL.exists(), reason=NO_MODEL)
def test_analyse_the_founding_example_and_follow_lavrov_to_his_page(page, base_url):
    if not FOUNDING_EXAMPLE.exists():
        pytest.skip(f"the founding example is absent ({FOUNDING_EXAMPLE})")
    page.goto(base_url)
    page.get_by_label("Article text").fill(FOUNDING_EXAMPLE.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector(".article .mark.source", timeout=60_000)
    rows = page.locator('table.who tr[data-speaker="Sergey Lavrov"]')
    assert rows.count() >= 3, "Lavrov's statements should be in the side table"
    first = rows.first.get_attribute("data-a")
    marks = page.locator(f'.article .mark[data-a="{first}"]')
    assert marks.count() >= 2 and marks.first.is_visible()
    credit = page.locator(".block-credit")
    assert "Anadolu" in credit.inner_text() and credit.locator(".mark").count() == 0
    rows.first.get_by_role("link", name="Sergey Lavrov").click()
    page.wait_for_url(re.compile(r"/speakers/\d+$"))
    assert page.locator("h1").inner_text() == "Sergey Lavrov"
    assert page.locator("svg rect.bar").count() >= 1


@pytest.mark.skipif(not MODEL.exists(), reason=NO_MODEL)
def test_analysing_a_script_article_runs_nothing(page, base_url):
    page.goto(base_url)
    page.get_by_label("Article text").fill(SCRIPT_TEXT)
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector(".article", timeout=60_000)
    assert "<script>" in page.locator(".article").inner_text()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined" and page.dialogs == []


def test_the_api_reference_renders_offline(page, base_url):
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock-summary-path", has_text="/v1/extract").count() >= 1


@pytest.mark.skipif(not MODEL.exists(), reason=NO_MODEL)
def test_the_founding_example_shows_lavrovs_dispute_marked(page, base_url):
    if not FOUNDING_EXAMPLE.exists():
        pytest.skip(f"the founding example is absent ({FOUNDING_EXAMPLE})")
    page.goto(base_url)
    page.get_by_label("Article text").fill(FOUNDING_EXAMPLE.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector(".dispute-list", timeout=60_000)
    rejection = page.locator(".dispute-list li", has_text="Ukrainian officials").filter(
        has_text="Sergey Lavrov").first
    assert "reject" in rejection.inner_text().lower()
    assert "Russian forces hit its own cities" in rejection.inner_text()
    attribution = rejection.get_attribute("data-a")
    evidence = page.locator(f'.article .mark.disputed[data-a="{attribution}"]')
    assert evidence.count() >= 1 and evidence.first.is_visible()
    style = evidence.first.evaluate("el => getComputedStyle(el).textDecorationStyle")
    assert style == "wavy"  # told apart by shape, not colour alone
    assert page.locator(f"#m-{attribution} .act-tag").inner_text().lower() == "reject"
    assert page.locator(".legend .mark.disputed").count() == 1
    rejection.locator("a.num").click()  # from the list to the marks, by keyboard focus
    page.wait_for_function(f"document.activeElement.id === 'm-{attribution}'")
    assert page.locator(f'tr.linked[data-a="{attribution}"]').count() == 1
    lines = page.locator(".dispute-list li").all_inner_texts()
    wrong = [line for line in lines if re.search(r"→\s*(Russian forces|Russia)\s*(:|$)", line)]
    assert wrong == [], "the subject of a disputed claim is not the disputed party"
