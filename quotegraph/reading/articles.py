"""One entry point for every kind of input: ``iter_articles(paths) -> Article | ReadError``.

Commands that take articles (``extract``, ``ingest``, ...) call this and nothing else, so every
input format is read the same way everywhere: plain text, HTML pages, WARC crawls, RSS/Atom
feeds, JSONL dumps, and ``http(s)://`` URLs. It streams (one document in memory at a time,
whatever the size of a crawl) and never raises for a bad document: each one comes back as a
:class:`ReadError` in its place, so a batch reports it and goes on. An article met a second time
(same URL, or the same text up to case and spacing) comes back as a :class:`Duplicate`, a kind of
``ReadError`` that callers may count apart, since nothing is wrong with it.

Every article's ``meta`` has ``title``, ``url``, ``published`` (ISO 8601), ``outlet``,
``authors``, ``source_format`` (``text``, ``html``, ``warc``, ``feed`` or ``jsonl``), ``blocks``
(``[{start, end, kind}]``, see :mod:`quotegraph.reading.structure`) and ``path`` (the file it was
read from; None for stdin and URLs); WARC, feed and JSONL articles also say which ``record``
(``entry``, ``line``) of their file they are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from quotegraph.reading.charset import charset_from_content_type, decode_page
from quotegraph.reading.feeds import looks_like_feed, parse_feed
from quotegraph.reading.files import (
    DEFAULT_MAX_BYTES,
    STDIN,
    Article,
    InputFile,
    ReadError,
    UniqueIds,
    check_bytes,
    first_line_title,
    looks_binary,
    read_document_bytes,
)
from quotegraph.reading.html import looks_like_html, page_to_article
from quotegraph.reading.jsonl import iter_dump
from quotegraph.reading.problems import Unreadable
from quotegraph.reading.structure import article_blocks
from quotegraph.reading.urls import fetch, is_url
from quotegraph.reading.warc import iter_warc_pages

#: File name endings and the format each means; a folder is searched for all of them.
SUFFIXES = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",  # named on the command line only: folders hold too many other .xml files
}
_FOLDER_SUFFIXES = tuple(suffix for suffix in SUFFIXES if suffix != ".xml")
#: Formats whose file is one article (so a run's length is known before reading).
SINGLE_ARTICLE_FORMATS = frozenset({"text", "html", "stdin", "url"})
_MAX_ID_CHARS = 80
_TRACKING_PARAMETER = re.compile(r"^(?:utm_\w+|fbclid|gclid|ocid|cmpid|ref)$", re.IGNORECASE)


@dataclass(frozen=True)
class Duplicate(ReadError):
    """An article already read in this run (same URL or same text), skipped: not a failure."""

    first_id: str = ""


@dataclass
class Sources:
    """What a run will read: its inputs in order, and the ids already handed out."""

    inputs: list[InputFile]
    ids: UniqueIds

    @property
    def known_count(self) -> int | None:
        """How many documents the run has, when no input is a collection (WARC, feed, dump)."""
        if all(entry.kind in SINGLE_ARTICLE_FORMATS for entry in self.inputs):
            return len(self.inputs)
        return None


def iter_articles(
    paths: list[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    dedup: bool = True,
) -> Iterator[Article | ReadError]:
    """Every article named by ``paths``, lazily and in order; never raises for a bad document.

    ``paths`` holds files, folders (every readable file beneath, recursively, sorted), ``-``
    for standard input, and ``http(s)://`` URLs. ``max_bytes`` caps one document (a file, a
    page, a WARC record, a JSONL line), not a crawl or a dump, which are streamed.
    """
    yield from read_sources(find_sources(paths), max_bytes, stdin, dedup)


def find_sources(paths: list[str]) -> Sources:
    """Expand ``paths`` into inputs with their formats, without reading any of them."""
    ids = UniqueIds()
    inputs: list[InputFile] = []
    for raw in paths:
        for path, kind, problem in _expand(raw):
            single = kind in SINGLE_ARTICLE_FORMATS and kind != "url"
            stem = "stdin" if path == STDIN else _stem(path)
            entry_id = ids.claim(stem) if single else stem
            inputs.append(InputFile(entry_id, path, problem, kind))
    return Sources(inputs, ids)


def read_sources(
    sources: Sources,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    dedup: bool = True,
) -> Iterator[Article | ReadError]:
    """The articles of already found ``sources`` (see :func:`find_sources`), in order."""
    seen = _SeenArticles() if dedup else None
    reader = _Reader(sources.ids, max_bytes, stdin)
    for entry in sources.inputs:
        for item in reader.read(entry):
            if seen is not None and isinstance(item, Article):
                first = seen.first_id(item)
                if first is not None:
                    item = _duplicate(item, first)
            yield item


class _Reader:
    """Reads one input of any format into its articles."""

    def __init__(self, ids: UniqueIds, max_bytes: int, stdin: BinaryIO | None) -> None:
        self.ids = ids
        self.max_bytes = max_bytes
        self.stdin = stdin

    def read(self, entry: InputFile) -> Iterator[Article | ReadError]:
        if entry.problem:
            yield ReadError(entry.id, entry.path, entry.problem)
            return
        formats: dict[str, Callable[[InputFile], Iterator[Article | ReadError]]] = {
            "text": self._text,
            "stdin": self._text,
            "html": self._html,
            "url": self._url,
            "warc": self._warc,
            "feed": self._feed,
            "jsonl": self._jsonl,
            "auto": self._sniffed,
        }
        try:
            yield from formats[entry.kind](entry)
        except Unreadable as problem:
            yield ReadError(entry.id, entry.path, str(problem))
        except OSError as exc:  # a collection that cannot be opened at all
            yield ReadError(entry.id, entry.path, f"cannot read the file: {exc.strerror or exc}")

    def _text(self, entry: InputFile) -> Iterator[Article | ReadError]:
        data = read_document_bytes(entry.path, self.max_bytes, self.stdin)
        if entry.kind == "stdin" and looks_like_html(data):
            yield self._page_article(entry, data, None, None, "html", _path(entry))
            return
        problem = check_bytes(data, "standard input" if entry.path == STDIN else "the file")
        if problem:
            raise Unreadable(problem)
        yield Article(entry.id, *_text_article(data.decode("utf-8"), "text", _path(entry)))

    def _html(self, entry: InputFile) -> Iterator[Article | ReadError]:
        data = read_document_bytes(entry.path, self.max_bytes)
        yield self._page_article(entry, data, None, None, "html", entry.path)

    def _url(self, entry: InputFile) -> Iterator[Article | ReadError]:
        fetched = fetch(entry.path, self.max_bytes)
        kind = fetched.content_type.split(";")[0].strip().lower()
        if "xml" in kind and looks_like_feed(fetched.payload):
            yield from self._feed_articles(entry, fetched.payload, None)
        elif kind == "text/plain":
            text = decode_page(fetched.payload, charset_from_content_type(fetched.content_type))[0]
            text_id = self.ids.claim(_url_slug(fetched.url) or "article")
            yield Article(text_id, *_text_article(text, "text", None, url=fetched.url))
        elif "html" in kind or (not kind and looks_like_html(fetched.payload)):
            charset = charset_from_content_type(fetched.content_type)
            yield self._page_article(entry, fetched.payload, fetched.url, charset, "html", None)
        else:
            raise Unreadable(f"not an HTML page, feed or text ({kind or 'no content type'})")

    def _warc(self, entry: InputFile) -> Iterator[Article | ReadError]:
        for page in iter_warc_pages(entry.path, self.max_bytes):
            where = f"{entry.path} record {page.number}" + (f" ({page.url})" if page.url else "")
            if page.problem or page.payload is None:
                yield ReadError(f"{entry.id}#{page.number}", where, page.problem or "no payload")
                continue
            try:
                text, meta = page_to_article(page.payload, page.url, page.charset, "warc")
            except Unreadable as problem:
                yield ReadError(f"{entry.id}#{page.number}", where, str(problem))
                continue
            meta.update(path=entry.path, record=page.number, crawled=page.crawled)
            yield Article(self.ids.claim(_url_slug(page.url) or entry.id), text, meta)

    def _feed(self, entry: InputFile) -> Iterator[Article | ReadError]:
        data = read_document_bytes(entry.path, self.max_bytes)
        yield from self._feed_articles(entry, data, entry.path)

    def _feed_articles(
        self, entry: InputFile, data: bytes, path: str | None
    ) -> Iterator[Article | ReadError]:
        for item in parse_feed(data):
            where = f"{entry.path} entry {item.number}" + (f" ({item.url})" if item.url else "")
            if not item.html:
                reason = "the entry has no content, only a link; read the article by its URL"
                yield ReadError(f"{entry.id}#{item.number}", where, reason)
                continue
            try:
                text, meta = page_to_article(item.as_page(), item.url, None, "feed")
            except Unreadable as problem:
                yield ReadError(f"{entry.id}#{item.number}", where, str(problem))
                continue
            given = {"title": item.title, "published": item.published, "outlet": item.outlet}
            meta.update({key: value for key, value in given.items() if value})
            meta.update(authors=item.authors or meta["authors"], path=path, entry=item.number)
            slug = _url_slug(item.url) or f"{entry.id}-{item.number}"
            yield Article(self.ids.claim(slug), text, meta)

    def _jsonl(self, entry: InputFile) -> Iterator[Article | ReadError]:
        for item in iter_dump(entry.path, self.max_bytes):
            where = f"{entry.path} line {item.line}"
            fallback_id = f"{entry.id}-{item.line}"
            if item.problem:
                yield ReadError(fallback_id, where, item.problem)
                continue
            try:
                if item.text is not None:
                    text, meta = _text_article(item.text, "jsonl", entry.path)
                else:
                    url = item.meta.get("url")
                    text, meta = page_to_article(item.html or "", url, None, "jsonl")
            except Unreadable as problem:
                yield ReadError(item.id or fallback_id, where, str(problem))
                continue
            meta.update(item.meta, path=entry.path, line=item.line)
            yield Article(self.ids.claim(item.id or fallback_id), text, meta)

    def _sniffed(self, entry: InputFile) -> Iterator[Article | ReadError]:
        """A file with an unknown ending: read as what its first bytes say it is."""
        with open(entry.path, "rb") as handle:
            head = handle.read(2048)
        if head.startswith((b"WARC/", b"\x1f\x8b")):
            yield from self._warc(entry)
        elif looks_like_feed(head):
            yield from self._feed(entry)
        elif looks_like_html(head):
            yield from self._html(entry)
        else:
            yield from self._text(entry)

    def _page_article(
        self,
        entry: InputFile,
        data: bytes,
        url: str | None,
        charset: str | None,
        source_format: str,
        path: str | None,
    ) -> Article:
        if not data:
            raise Unreadable("the file is empty; give it the page's HTML")
        if looks_binary(data):
            raise Unreadable("not an HTML page (binary data); save the page as .html first")
        text, meta = page_to_article(data, url, charset, source_format)
        meta["path"] = path
        article_id = entry.id if entry.kind != "url" else self.ids.claim(_url_slug(url) or "page")
        return Article(article_id, text, meta)


class _SeenArticles:
    """URLs and text fingerprints of the articles read so far, to skip repeats.

    Holds a 16-byte digest per article, not the text, so a long crawl stays small in memory.
    """

    def __init__(self) -> None:
        self.by_url: dict[str, str] = {}
        self.by_text: dict[bytes, str] = {}

    def first_id(self, article: Article) -> str | None:
        """The id of the earlier article this one repeats, or None (and remember it)."""
        url = normalised_url(article.meta.get("url"))
        text = _fingerprint(article.text)
        first = (self.by_url.get(url) if url else None) or self.by_text.get(text)
        if first is None:
            if url:
                self.by_url[url] = article.id
            self.by_text[text] = article.id
        return first


def normalised_url(url: str | None) -> str | None:
    """A URL as two copies of one page agree on: no fragment, no tracking parameters, no
    trailing slash, lower-case scheme and host."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMETER.match(k)]
    )
    host = (parts.hostname or "").removeprefix("www.")
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), query, ""))


def _fingerprint(text: str) -> bytes:
    """The text up to case and spacing, as a digest."""
    return hashlib.blake2b(" ".join(text.casefold().split()).encode(), digest_size=16).digest()


def _duplicate(article: Article, first: str) -> Duplicate:
    where = article.meta.get("url") or article.meta.get("path") or article.id
    reason = f"the same article as {first}, read earlier in this run; skipped"
    return Duplicate(article.id, str(where), reason, first)


def _text_article(
    text: str, source_format: str, path: str | None, url: str | None = None
) -> tuple[str, dict[str, Any]]:
    """``(text, meta)`` for text used exactly as given, its first line the title."""
    return text, {
        "title": first_line_title(text) or None,
        "url": url,
        "published": None,
        "outlet": None,
        "authors": [],
        "source_format": source_format,
        "blocks": article_blocks(text),
        "path": path,
    }


def _expand(raw: str) -> Iterator[tuple[str, str, str | None]]:
    """(path, format, problem) for each document one command-line argument names."""
    if raw == STDIN:
        yield STDIN, "stdin", None
        return
    if is_url(raw):
        yield raw, "url", None
        return
    path = Path(raw)
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_FOLDER_SUFFIXES)
        )
        if not found:
            yield raw, "text", (
                "the folder contains no article files (.txt, .html, .warc, .warc.gz, .jsonl, "
                ".rss, .atom); name the files by their format"
            )
        for file in found:
            yield str(file), _format(file), None
    elif path.exists():
        yield raw, _format(path), None
    else:
        yield raw, "text", "no such file or folder; check the path"


def _format(path: Path) -> str:
    """The format a file name's ending says, or ``auto`` to sniff its first bytes."""
    name = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIXES[suffix]
    return "auto"


def _stem(path: str) -> str:
    name = Path(path).name
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "article"
    return Path(path).stem or "article"


def _url_slug(url: str | None) -> str | None:
    """A readable id from a URL: its last path segment, else its host."""
    if not url:
        return None
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else (parts.hostname or "")
    last = re.sub(r"\.(?:s?html?|php|aspx?)$", "", last, flags=re.IGNORECASE)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", last).strip("-.")[:_MAX_ID_CHARS]
    return slug or None


def _path(entry: InputFile) -> str | None:
    return None if entry.path == STDIN else entry.path
