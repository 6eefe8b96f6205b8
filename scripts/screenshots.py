"""Screenshots of each page of the web app, for the README: ``docs/screenshots/*.png``.

Builds a small corpus in a temporary folder (the hand-written news records the tests use, plus
the bundled samples extracted with the shipped model), serves it on a loopback port, and has
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) visit each page.

    .venv/bin/python scripts/screenshots.py                 # all pages into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from web_corpus import RECORDS

from quotegraph.store import Store
from quotegraph.web import create_app
from quotegraph.web.background import running

CHROMIUM = "/usr/bin/chromium"
SAMPLES = ROOT / "quotegraph" / "samples"
ANALYSED_SAMPLE = SAMPLES / "harbour-bridge-vote.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        corpus = build_demo_corpus(Path(folder) / "demo.db")
        with running(create_app(corpus)) as base_url:
            shoot(base_url, args.out)
    return 0


def build_demo_corpus(path: Path) -> Path:
    """The tests' records, and the samples extracted with the model when it is installed."""
    with Store.open(path) as store:
        store.write_batch(RECORDS)
        try:
            import quotegraph

            samples = [
                quotegraph.extract(p.read_text(encoding="utf-8"), id=p.stem,
                                   meta={"outlet": "Marlow Gazette", "published": "2024-04-03"})
                for p in sorted(SAMPLES.glob("*.txt"))
            ]
            store.write_batch(samples)
        except FileNotFoundError as exc:
            print(f"screenshots: samples left out, no model ({exc})", file=sys.stderr)
    return path


def shoot(base_url: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        analyse(page, base_url, out)
        page.goto(f"{base_url}/speakers")
        save(page, out / "speakers.png")
        page.get_by_role("link", name="Sergey Lavrov").first.click()
        page.wait_for_selector("svg")
        save(page, out / "speaker.png", full_page=True)
        page.goto(f"{base_url}/search?query=provocation&speaker=Lavrov")
        save(page, out / "search.png")
        page.goto(f"{base_url}/articles/reuters-lavrov-hanoi")
        page.locator("#m-a2").hover()
        page.wait_for_timeout(300)
        save(page, out / "article.png")
        page.goto(f"{base_url}/disputes")
        save(page, out / "disputes.png", full_page=True)
        page.goto(f"{base_url}/articles/post-brod-shelling")
        page.locator("#m-a1").hover()
        page.wait_for_timeout(300)
        save(page, out / "article-disputes.png")
        browser.close()


def analyse(page, base_url: str, out: Path) -> None:
    page.goto(base_url)
    page.get_by_label("Article text").fill(ANALYSED_SAMPLE.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector(".article, .error", timeout=120_000)
    page.locator(".result").scroll_into_view_if_needed()
    linked = page.locator("table.who tr[data-url^='/speakers/']")
    if linked.count():  # show the hover link for an attribution whose speaker has a page
        page.locator(f"#m-{linked.first.get_attribute('data-a')}").hover()
        page.wait_for_timeout(300)
    save(page, out / "analyse.png", full_page=True)


def save(page, path: Path, full_page: bool = False) -> None:
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshots: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    sys.exit(main())
