"""Analysing one article for the web: read it the way the command line does, then extract.

Pasted text goes through the same reader as ``quotegraph extract -`` (so a pasted page is read
as HTML, and text is checked the same way), HTML through the page reader, an uploaded file
through ``iter_articles`` like a file named on the command line, a URL through the URL reader.
Extraction is ``quotegraph.extract``: one code path for the CLI, the API and the pages.

Extraction is CPU-bound and the model is shared, so one article is extracted at a time; a
request that cannot get its turn and finish within the time limit is answered with 503 rather
than left hanging.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from anyio import to_thread

import quotegraph
from quotegraph.model import ArticleResult
from quotegraph.reading import STDIN, Article, ReadError, iter_articles
from quotegraph.reading.html import page_to_article
from quotegraph.reading.problems import Unreadable
from quotegraph.reading.urls import is_url
from quotegraph.web.errors import BadInput, Unavailable

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME_CHARS = 80


def article_from_text(text: str, article_id: str | None = None, max_bytes: int = 5_000_000) -> Article:
    """Pasted text (or a whole pasted page), read as ``quotegraph extract -`` reads stdin."""
    if not text.strip():
        raise BadInput("the text is empty; paste an article, upload a file or give a URL")
    stdin = io.BytesIO(text.encode("utf-8", "surrogatepass"))
    article = _one_article(iter_articles([STDIN], max_bytes, stdin=stdin, dedup=False), "text")
    return _renamed(article, article_id or "pasted")


def article_from_html(html: str, url: str | None = None, article_id: str | None = None) -> Article:
    """The article in a page's HTML, found by the page reader (trafilatura)."""
    if not html.strip():
        raise BadInput("the html is empty; give the page's HTML")
    try:
        text, meta = page_to_article(html, url or None, None, "html")
    except Unreadable as problem:
        raise BadInput(f"html: {problem}") from problem
    meta["path"] = None
    return Article(article_id or "page", text, meta)


def article_from_file(filename: str, data: bytes, max_bytes: int = 5_000_000) -> Article:
    """An uploaded file, read by its name's ending exactly as a file named on the command line."""
    if not data:
        raise BadInput(f"the file {filename!r} is empty; choose the article's file")
    name = _safe_name(filename)
    with tempfile.TemporaryDirectory(prefix="quotegraph-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        article = _one_article(iter_articles([str(path)], max_bytes, dedup=False), filename)
    meta = dict(article.meta, path=filename)
    return Article(article.id, article.text, meta)


def article_from_url(url: str, max_bytes: int = 5_000_000) -> Article:
    """The article at ``url``, fetched once by the URL reader (timeout, size cap, user agent)."""
    url = url.strip()
    if not is_url(url):
        raise BadInput(f"{url!r} is not a web address; give one starting with http:// or https://")
    return _one_article(iter_articles([url], max_bytes, dedup=False), url)


class Analyser:
    """Extracts one article at a time, each request within ``time_limit_s`` seconds."""

    def __init__(
        self, time_limit_s: float = 30.0,
        extract: Callable[[Article], ArticleResult] | None = None,
        mode: str = "fast",
    ) -> None:
        self.time_limit_s = time_limit_s
        self._extract = extract or functools.partial(extract_article, mode=mode)
        self._turn = threading.Lock()

    async def analyse(self, read: Callable[[], Article]) -> ArticleResult:
        """Read (in a worker thread: it may fetch a URL) and extract, within the time limit."""
        deadline = time.monotonic() + self.time_limit_s
        try:
            with anyio.fail_after(self.time_limit_s):
                article = await to_thread.run_sync(read, abandon_on_cancel=True)
                return await to_thread.run_sync(
                    self._extract_in_turn, article, deadline, abandon_on_cancel=True
                )
        except TimeoutError:
            raise Unavailable(
                f"the analysis took longer than {self.time_limit_s:g} s (the server may be busy); "
                "try again, or analyse a shorter article"
            ) from None

    def _extract_in_turn(self, article: Article, deadline: float) -> ArticleResult:
        if not self._turn.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            raise TimeoutError
        try:
            return self._extract(article)
        finally:
            self._turn.release()


def extract_article(article: Article, mode: str = "fast") -> ArticleResult:
    """``quotegraph.extract`` on one article; a missing model (or, for accurate mode, missing
    torch) is the server's problem (503)."""
    try:
        return quotegraph.extract(article.text, id=article.id, meta=article.meta, mode=mode)
    except (FileNotFoundError, ImportError) as exc:
        raise Unavailable(
            f"the extraction model is not installed on this server ({exc}); reading the corpus "
            "still works"
        ) from exc


def _one_article(documents: object, what: str) -> Article:
    """The single article of an input; a read error or a many-article input is the user's."""
    found = list(itertools.islice(documents, 2))  # type: ignore[call-overload]
    if not found:
        raise BadInput(f"{what}: nothing to read; give an article")
    first = found[0]
    if isinstance(first, ReadError):
        raise BadInput(f"{what}: {first.reason}")
    if len(found) > 1:
        raise BadInput(
            f"{what} holds several articles (a crawl, feed or dump); analyse one article at a "
            "time here, or store them all with `quotegraph ingest`"
        )
    return first


def _renamed(article: Article, article_id: str) -> Article:
    return Article(article_id, article.text, dict(article.meta))


def _safe_name(filename: str) -> str:
    """The upload's own name, made safe as a file name (its ending tells the reader the format)."""
    base = Path(filename.replace("\\", "/")).name
    name = _SAFE_NAME.sub("-", base).strip("-.")[-_MAX_NAME_CHARS:]
    return name or "article.txt"
