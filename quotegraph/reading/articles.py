"""One entry point for every kind of input: ``iter_articles(paths) -> Article | ReadError``.

Commands that take articles (``extract``, ``ingest``, ...) call this and nothing else, so that
every input format is read the same way everywhere. It streams (one document in memory at a
time, whatever the size of the input) and never raises for a bad document: each one comes back
as a :class:`ReadError` in its place, so a batch reports it and goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from quotegraph.reading.files import DEFAULT_MAX_BYTES, Article, ReadError, iter_inputs


def iter_articles(
    paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None
) -> Iterator[Article | ReadError]:
    """Every article named by ``paths`` (files, folders, ``-``), lazily and in order.

    ``max_bytes`` caps one document (one file, one page, one WARC record), not a whole
    container such as a WARC or a JSONL dump, which are streamed record by record.
    """
    yield from iter_inputs(paths, max_bytes=max_bytes, stdin=stdin)
