"""Reading real articles: saved pages, crawls (WARC), feeds, JSONL dumps and URLs.

Every fixture is composed here: pages with navigation, bylines, photo credits, captions,
"Related posts" lists and share prompts, written into WARC files with warcio, feeds and dumps,
and served from a local web server. Nothing here needs the trained model.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from quotegraph.reading import Article, Duplicate, ReadError, iter_articles
from quotegraph.reading.structure import NOT_ATTRIBUTED

BODY = [
    (
        "HANOI (AA) - Russian Foreign Minister Sergey Lavrov on Wednesday called claims by "
        "Ukrainian officials that Russian forces had shelled their own cities “lies”."
    ),
    (
        "“Facts are well-known. Those facts are provided by our Defense Ministry on a daily "
        "basis,” he said at a news conference in the Vietnamese capital."
    ),
    (
        "The minister added that he had several bilateral meetings planned on the sidelines of "
        "the G-20 gathering in Bali next week."
    ),
]


def news_page(
    title: str = "Lavrov calls Ukraine’s claims ‘lies’",
    body: list[str] | None = None,
    url: str = "https://news.example.com/world/lavrov-calls-claims-lies",
    charset: str = "utf-8",
) -> str:
    """A news page as outlets publish them: navigation, byline, figure, body, trailers."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in body or BODY)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}">
<title>{title} | Example News</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2022-07-06T10:15:00+03:00">
<link rel="canonical" href="{url}">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li>
<li><a href="/opinion">Opinion said to be free</a></li></ul></nav>
<article>
<h1>{title}</h1>
<div class="byline">By Jane Doe</div>
<figure><img src="lavrov.jpg" alt="Lavrov">
<figcaption>Sergey Lavrov speaks in Hanoi. (Photo: Anadolu Agency)</figcaption></figure>
{paragraphs}
<h2>Talks with Indonesia</h2>
<p>Indonesia’s foreign minister said the invitation to the summit still stood, according to
officials who briefed reporters in Jakarta on Wednesday evening.</p>
<p>Read more: West sees Moldova as next Ukraine, minister says</p>
<div class="share">Share this article: <a href="#">Facebook</a> <a href="#">Twitter</a></div>
<p>Sign up for our daily newsletter to get the latest news.</p>
<section class="related"><h3>Related posts</h3><ul>
<li><a href="/a">Russian FM: West sees Moldova as ‘next Ukraine’</a></li>
<li><a href="/b">Russia Expects a Visit From China’s Xi Jinping in the Spring, Ministry Says</a>
</li>
</ul></section>
</article>
<footer><p>© 2022 Example News. All rights reserved.</p></footer>
</body></html>
"""


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def read(*paths: Path | str, **options) -> list[Article | ReadError]:
    return list(iter_articles([str(p) for p in paths], **options))


def kind_at(article: Article, fragment: str) -> str:
    start = article.text.index(fragment)
    [kind] = [b["kind"] for b in article.meta["blocks"] if b["start"] <= start < b["end"]]
    return kind


# --- HTML pages -------------------------------------------------------------------------------


def test_a_saved_page_gives_the_article_text_without_navigation_or_footer(tmp_path):
    [article] = read(write(tmp_path / "lavrov.html", news_page()))
    assert isinstance(article, Article)
    assert article.id == "lavrov"
    assert article.text.startswith("Lavrov calls Ukraine’s claims ‘lies’\n\n")
    assert "“Facts are well-known." in article.text
    for chrome in ["Home", "Opinion said to be free", "All rights reserved"]:
        assert chrome not in article.text


def test_a_page_records_where_it_came_from_and_who_wrote_it(tmp_path):
    [article] = read(write(tmp_path / "lavrov.html", news_page()))
    meta = article.meta
    assert meta["title"] == "Lavrov calls Ukraine’s claims ‘lies’"
    assert meta["url"] == "https://news.example.com/world/lavrov-calls-claims-lies"
    assert meta["published"] == "2022-07-06"
    assert meta["outlet"] == "Example News"
    assert meta["authors"] == ["Jane Doe"]
    assert meta["source_format"] == "html"
    assert meta["path"] == str(tmp_path / "lavrov.html")


def test_the_blocks_of_a_page_say_which_parts_are_analysed(tmp_path):
    [article] = read(write(tmp_path / "lavrov.html", news_page()))
    assert kind_at(article, "Lavrov calls Ukraine") == "headline"
    assert kind_at(article, "HANOI (AA)") == "dateline"
    assert kind_at(article, "“Facts are well-known.") == "body"
    assert kind_at(article, "Talks with Indonesia") == "subhead"
    assert kind_at(article, "Read more: West sees Moldova") == "related"
    for block in article.meta["blocks"]:
        assert 0 <= block["start"] < block["end"] <= len(article.text)


def test_whatever_of_the_trailers_stays_in_the_text_is_never_attributed(tmp_path):
    [article] = read(write(tmp_path / "lavrov.html", news_page()))
    for trailer in ["Read more", "Sign up", "Related posts", "Russia Expects a Visit", "By Jane"]:
        if trailer in article.text:
            assert kind_at(article, trailer) in NOT_ATTRIBUTED, trailer


def test_a_page_in_windows_1252_is_decoded_by_its_declared_charset(tmp_path):
    page = news_page(title="Café owners say “no” to the plan", charset="windows-1252")
    [article] = read(write(tmp_path / "cafe.html", page.encode("cp1252", errors="replace")))
    assert article.meta["title"] == "Café owners say “no” to the plan"


def test_invalid_bytes_in_a_page_never_stop_the_run(tmp_path):
    page = news_page().encode() + b"\xff\xfe\xc3"
    [article] = read(write(tmp_path / "broken.html", page.replace(b"Hanoi", b"Ha\xffnoi")))
    assert isinstance(article, Article)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not an HTML page"),
        (b"<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav></body></html>",
         "no article text"),
    ],
    ids=["zero-bytes", "png-named-html", "navigation-only"],
)
def test_a_page_that_is_no_article_is_skipped_with_its_reason(tmp_path, content, reason):
    [error] = read(write(tmp_path / "page.html", content))
    assert isinstance(error, ReadError)
    assert reason in error.reason


def test_a_50_mb_page_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.html"
    with open(path, "wb") as handle:
        handle.truncate(50_000_000)  # sparse: the size is real, the disk is not used
    [error] = read(path)
    assert isinstance(error, ReadError)
    assert "50.0 MB" in error.reason and "--max-bytes" in error.reason


# --- WARC crawls ----------------------------------------------------------------------------


def warc_bytes(records: list[tuple[str, str, bytes, str]], compress: bool = True) -> bytes:
    """A WARC of (url, status, payload, content type) responses, each with its request."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    for url, status, payload, content_type in records:
        asked = io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        request = writer.create_warc_record(url, "request", payload=asked)
        writer.write_record(request)
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        response = writer.create_warc_record(
            url, "response", payload=io.BytesIO(payload), http_headers=headers
        )
        writer.write_record(response)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def crawl_pages() -> list[tuple[str, str, bytes, str]]:
    html = "text/html; charset=utf-8"
    return [
        ("https://news.example.com/world/lavrov-hanoi", "200 OK", news_page().encode(), html),
        ("https://news.example.com/logo.png", "200 OK", PNG, "image/png"),
        ("https://news.example.com/old", "301 Moved Permanently", b"", html),
        (
            "https://news.example.com/world/harbour-bridge",
            "200 OK",
            news_page(
                title="Council backs harbour bridge plan",
                body=[
                    (
                        "MARLOW - The town council voted on Tuesday to rebuild the harbour "
                        "bridge, ending months of delay over how to pay for the work."
                    ),
                    (
                        "“This bridge carries half of the town’s trade,” Mayor Helen Tarrant "
                        "told reporters after the vote, adding that work would start in spring."
                    ),
                ],
                url="https://news.example.com/world/harbour-bridge",
            ).encode(),
            html,
        ),
    ]


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_every_html_response_of_a_crawl_is_an_article_named_after_its_url(tmp_path, compress):
    name = "crawl.warc.gz" if compress else "crawl.warc"
    items = read(write(tmp_path / name, warc_bytes(crawl_pages(), compress)))
    articles = [item for item in items if isinstance(item, Article)]
    assert [a.id for a in articles] == ["lavrov-hanoi", "harbour-bridge"]
    assert articles[1].meta["title"] == "Council backs harbour bridge plan"
    assert articles[1].meta["url"] == "https://news.example.com/world/harbour-bridge"
    assert {a.meta["source_format"] for a in articles} == {"warc"}
    assert articles[0].meta["record"] == 2  # its request is record 1


def test_a_crawl_reports_images_and_redirects_by_record_and_url(tmp_path):
    items = read(write(tmp_path / "crawl.warc.gz", warc_bytes(crawl_pages())))
    errors = {item.path: item.reason for item in items if isinstance(item, ReadError)}
    path = tmp_path / "crawl.warc.gz"
    logo = errors[f"{path} record 4 (https://news.example.com/logo.png)"]
    assert "not an HTML page (image/png)" in logo
    assert "HTTP 301" in errors[f"{path} record 6 (https://news.example.com/old)"]


def test_a_truncated_crawl_keeps_every_page_before_the_cut_and_says_where_it_broke(tmp_path):
    data = warc_bytes(crawl_pages())
    items = read(write(tmp_path / "cut.warc.gz", data[: len(data) - 200]))
    assert [item.id for item in items if isinstance(item, Article)] == ["lavrov-hanoi"]
    last = items[-1]
    assert isinstance(last, ReadError)
    assert "truncated" in last.reason and "the pages before it were read" in last.reason


def test_a_malformed_record_ends_the_file_with_a_reason_after_the_good_pages(tmp_path):
    good = warc_bytes(crawl_pages()[:1], compress=False)
    items = read(write(tmp_path / "bad.warc", good + b"WARX/1.0\r\nWARC-Type: response\r\n\r\n"))
    assert isinstance(items[0], Article)
    assert isinstance(items[-1], ReadError)
    assert "WARC record" in items[-1].reason or "damaged" in items[-1].reason


@pytest.mark.parametrize("compress", [False, True])
def test_a_malformed_record_is_skipped_and_the_pages_after_it_are_read(tmp_path, compress):
    pages = crawl_pages()
    first, last = warc_bytes([pages[0]], compress), warc_bytes([pages[3]], compress)
    broken = b"WARX/1.0\r\nWARC-Type: response\r\n\r\n"
    if compress:
        broken = gzip.compress(broken)
    items = read(write(tmp_path / "crawl.warc", first + broken + last))
    assert [item.id for item in items if isinstance(item, Article)] == [
        "lavrov-hanoi", "harbour-bridge"
    ]
    [error] = [item for item in items if isinstance(item, ReadError)]
    assert "malformed WARC record" in error.reason and "reading goes on" in error.reason


def test_a_page_over_the_limit_inside_a_crawl_is_skipped_and_the_crawl_goes_on(tmp_path):
    pages = crawl_pages()
    big = ("https://news.example.com/huge", "200 OK", b"<html>" + b"x" * 200_000, "text/html")
    items = read(write(tmp_path / "c.warc.gz", warc_bytes([big, pages[0]])), max_bytes=100_000)
    assert "over the 100,000 bytes limit" in items[0].reason
    assert isinstance(items[1], Article)


def test_a_gzip_file_that_is_not_a_warc_is_reported(tmp_path):
    [error] = read(write(tmp_path / "notes.warc.gz", gzip.compress(b"just some notes\n")))
    assert isinstance(error, ReadError)


def test_a_plain_file_named_warc_is_reported_not_read_as_an_empty_crawl(tmp_path):
    [error] = read(write(tmp_path / "notes.warc", b"garbage that is not a crawl at all\n"))
    assert isinstance(error, ReadError)
    assert "not a WARC file" in error.reason


def test_a_record_without_a_warc_type_is_reported_as_malformed(tmp_path):
    [error] = read(write(tmp_path / "broken.warc", b"WARC/1.0\r\nbroken"))
    assert isinstance(error, ReadError)
    assert "malformed WARC record" in error.reason


# --- feeds ----------------------------------------------------------------------------------


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example News</title><link>https://news.example.com/</link>
<item>
  <title>Council backs harbour bridge plan</title>
  <link>https://news.example.com/local/harbour-bridge</link>
  <dc:creator>Sam Reed</dc:creator>
  <pubDate>Tue, 05 Jul 2022 18:30:00 GMT</pubDate>
  <content:encoded><![CDATA[<p>The town council voted on Tuesday to rebuild the harbour bridge,
  ending months of delay over how to pay for the work.</p>
  <p>“This bridge carries half of the town’s trade,” Mayor Helen Tarrant told reporters.</p>
  <p>The post Council backs harbour bridge plan appeared first on Example News.</p>]]>
  </content:encoded>
</item>
<item>
  <title>Only a link</title>
  <link>https://news.example.com/local/only-a-link</link>
</item>
</channel></rss>
"""


def test_each_feed_entry_with_content_is_an_article_with_the_entrys_metadata(tmp_path):
    items = read(write(tmp_path / "local.rss", RSS))
    article, link_only = items
    assert isinstance(article, Article)
    assert article.id == "harbour-bridge"
    assert article.text.startswith("Council backs harbour bridge plan\n\n")
    assert "Mayor Helen Tarrant told reporters" in article.text
    assert article.meta["published"] == "2022-07-05T18:30:00+00:00"
    assert article.meta["authors"] == ["Sam Reed"]
    assert article.meta["outlet"] == "Example News"
    assert article.meta["source_format"] == "feed"
    assert isinstance(link_only, ReadError)
    assert "only a link" in link_only.reason


def test_an_xml_file_that_is_not_a_feed_is_reported(tmp_path):
    [error] = read(write(tmp_path / "sitemap.xml", "<?xml version='1.0'?><urlset></urlset>"))
    assert isinstance(error, ReadError)


# --- JSONL dumps ----------------------------------------------------------------------------


def test_a_dump_gives_text_and_html_objects_with_their_given_metadata(tmp_path):
    lines = [
        {"id": "t1", "text": "Bridge vote\n\nHelen Tarrant said the bridge will open.\n",
         "url": "https://news.example.com/t1", "published": "2022-07-05", "outlet": "Marlow Post"},
        {"id": "h1", "html": news_page(), "title": "Given title wins",
         "published": "Wed, 06 Jul 2022 10:15:00 GMT"},
    ]
    text, page = read(write(tmp_path / "dump.jsonl", "\n".join(json.dumps(x) for x in lines)))
    assert (text.id, text.text) == ("t1", lines[0]["text"])
    assert text.meta["title"] == "Bridge vote"
    assert (text.meta["published"], text.meta["outlet"]) == ("2022-07-05", "Marlow Post")
    assert text.meta["source_format"] == "jsonl"
    assert page.id == "h1"
    assert page.meta["title"] == "Given title wins"
    assert page.meta["published"] == "2022-07-06T10:15:00+00:00"
    assert "“Facts are well-known." in page.text


def test_bad_lines_of_a_dump_are_reported_by_line_and_the_rest_is_read(tmp_path):
    good = json.dumps({"id": "ok", "text": "The mayor said yes.\n"})
    dump = "\n".join(["{not json", "[1, 2]", json.dumps({"id": "no-text"}), "", good]) + "\n"
    items = read(write(tmp_path / "dump.jsonl", dump))
    assert [type(item).__name__ for item in items] == ["ReadError"] * 3 + ["Article"]
    assert items[0].path.endswith("dump.jsonl line 1")
    assert "not valid JSON" in items[0].reason
    assert '"text" or "html"' in items[2].reason


# --- duplicates -------------------------------------------------------------------------------


def test_the_same_article_twice_is_read_once(tmp_path):
    page = news_page()
    first = write(tmp_path / "a" / "lavrov.html", page)
    again = write(tmp_path / "b" / "lavrov-copy.html", page.replace("<nav>", "<nav><b>x</b>"))
    items = read(first, again)
    assert isinstance(items[0], Article)
    assert isinstance(items[1], Duplicate)
    assert items[1].first_id == "lavrov"


def test_the_same_url_in_a_crawl_and_a_dump_is_read_once(tmp_path):
    crawl = write(tmp_path / "c.warc.gz", warc_bytes(crawl_pages()[:1]))
    dump = write(
        tmp_path / "d.jsonl",
        json.dumps({"id": "x", "text": "Other text.\n",
                    "url": "https://NEWS.example.com/world/lavrov-hanoi/?utm_source=rss#top"}),
    )
    items = read(crawl, dump)
    assert isinstance(items[-1], Duplicate)


def test_duplicates_can_be_kept_when_asked(tmp_path):
    page = news_page()
    items = read(write(tmp_path / "a.html", page), write(tmp_path / "b.html", page), dedup=False)
    assert all(isinstance(item, Article) for item in items)


# --- folders, stdin -----------------------------------------------------------------------------


def test_a_folder_is_read_for_every_article_format_in_sorted_order(tmp_path):
    write(tmp_path / "news" / "a.txt", "Headline\n\nThe mayor said yes.\n")
    write(tmp_path / "news" / "b.html", news_page())
    write(tmp_path / "news" / "c.jsonl", json.dumps({"id": "c1", "text": "The judge said no.\n"}))
    write(tmp_path / "news" / "notes.md", "# not an article")
    items = read(tmp_path / "news")
    assert [item.id for item in items] == ["a", "b", "c1"]
    assert [item.meta["source_format"] for item in items] == ["text", "html", "jsonl"]


def test_html_on_stdin_is_read_as_a_page():
    [article] = read("-", stdin=io.BytesIO(news_page().encode()))
    assert article.id == "stdin"
    assert article.meta["source_format"] == "html"
    assert article.meta["path"] is None


def test_plain_text_keeps_its_exact_text_and_gets_its_blocks():
    samples = Path(__file__).resolve().parents[1] / "quotegraph" / "samples"
    text = samples / "harbour-bridge-vote.txt"
    [article] = read(text)
    assert article.text == text.read_text(encoding="utf-8")
    assert article.meta["source_format"] == "text"
    assert article.meta["blocks"][0]["kind"] == "headline"


# --- URLs (served locally) ----------------------------------------------------------------------


class _Site(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[int, str, bytes]]] = {}
    agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # the name http.server calls
        self.agents.append(self.headers.get("User-Agent", ""))
        status, content_type, body = self.pages.get(self.path, (404, "text/html", b"gone"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    """A local web server for the test; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    _Site.pages = {
        "/world/lavrov-hanoi.html": (200, "text/html; charset=utf-8", news_page().encode()),
        "/feed.rss": (200, "application/rss+xml", RSS.encode()),
        "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
        "/big.html": (200, "text/html", b"<html>" + b"x" * 5_000),
    }
    _Site.agents = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_is_fetched_with_a_clear_user_agent_and_read_as_a_page(site):
    [article] = read(f"{site}/world/lavrov-hanoi.html")
    assert article.id == "lavrov-hanoi"
    assert article.meta["url"] == f"{site}/world/lavrov-hanoi.html"
    assert article.meta["path"] is None
    assert "“Facts are well-known." in article.text
    assert _Site.agents[-1].startswith("quotegraph/")


def test_a_feed_url_gives_its_entries(site):
    items = read(f"{site}/feed.rss")
    assert isinstance(items[0], Article) and items[0].meta["source_format"] == "feed"


@pytest.mark.parametrize(
    ("page", "reason"),
    [("/missing", "HTTP 404"), ("/logo.png", "image/png"), ("/big.html", "over the 1,000 bytes")],
)
def test_a_url_that_gives_no_article_is_reported_with_the_reason(site, page, reason):
    [error] = read(f"{site}{page}", max_bytes=1_000)
    assert isinstance(error, ReadError)
    assert reason in error.reason


def test_an_unreachable_url_is_reported_not_raised():
    [error] = read("http://127.0.0.1:9/nothing-listens-here")
    assert isinstance(error, ReadError)
    assert "could not be reached" in error.reason


def test_the_engine_reading_the_cleaned_text_alone_excludes_what_meta_blocks_exclude(tmp_path):
    """The pipeline calls excluded_regions(text) on the record's text; for a page it must agree
    with the blocks the reader recorded, or the web app would show one thing and the engine
    do another."""
    from quotegraph.reading.structure import excluded_regions

    page = news_page(body=[*BODY, "Photo: Example Agency", "By Jane Doe and John Roe"])
    [article] = read(write(tmp_path / "lavrov.html", page))
    from_meta = excluded_regions(article.text, article.meta["blocks"])
    assert from_meta, "the page has blocks that are not attributed"
    assert excluded_regions(article.text) == from_meta
