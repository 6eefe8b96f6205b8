"""Ingest: read articles, extract the ones the corpus does not hold yet, store them in batches.

Articles already stored with the same text are skipped before extraction, so re-running an
ingest (after a crash, or over a folder that has grown) costs a hash per article for what is
done and the model's time only for what is new. Extraction goes through the same batch path as
``quotegraph extract`` (``quotegraph.cli.extract_documents``), so one bad article is reported
and skipped the same way.

Records already extracted (``quotegraph extract ... > news.jsonl``) can be ingested with
:func:`iter_records` instead of the engine: same store, no model.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from quotegraph.model import ArticleResult
from quotegraph.reading import Article, ReadError
from quotegraph.store.store import Store

#: Articles per transaction: large enough that commits cost little, small enough that a crash
#: loses little work.
COMMIT_EVERY = 64


@dataclass
class IngestTally:
    """Counts for the closing summary line."""

    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    attributions: int = 0

    def summary(self) -> str:
        duplicates = f", {self.duplicates:,} duplicates skipped" if self.duplicates else ""
        return (
            f"{self.stored:,} articles stored, {self.replaced:,} replaced, "
            f"{self.unchanged:,} unchanged{duplicates}, {self.attributions:,} attributions, "
            f"{self.failed:,} failed"
        )


@dataclass
class Failure:
    """A document that did not make it into the corpus, and why."""

    path: str
    reason: str


@dataclass
class Skipped:
    """A document left alone: already stored with this text, or a repeat within the run."""

    path: str
    duplicate: bool = False


def read_documents(paths: list[str], max_bytes: int) -> Iterator[Article | ReadError]:
    """Articles (or read errors) from every input the readers know, in order, read lazily."""
    from quotegraph.reading import iter_articles

    return iter_articles(paths, max_bytes=max_bytes)


def iter_records(paths: list[str], stdin: TextIO | None = None) -> Iterator[ArticleResult | Failure]:
    """Records from JSONL files written by ``quotegraph extract`` (``-`` for stdin)."""
    for path in paths:
        if path == "-":
            yield from _records_in("stdin", stdin or sys.stdin)
            continue
        try:
            with open(path, encoding="utf-8") as stream:
                yield from _records_in(path, stream)
        except OSError as exc:
            yield Failure(path, f"cannot read ({exc.strerror}); check the path")
        except UnicodeDecodeError as exc:
            yield Failure(path, f"not UTF-8 ({exc.reason}); give the JSONL `quotegraph extract` writes")


def ingest_records(
    store: Store,
    records: Iterable[ArticleResult | Failure | Skipped],
    run_id: int | None = None,
    commit_every: int = COMMIT_EVERY,
    on_failure: Callable[[Failure], None] | None = None,
    on_article: Callable[[], None] | None = None,
) -> IngestTally:
    """Store records (or report failures), committing every ``commit_every`` articles."""
    tally = IngestTally()
    batch: list[ArticleResult] = []
    for item in records:
        if isinstance(item, Failure):
            tally.failed += 1
            if on_failure:
                on_failure(item)
        elif isinstance(item, Skipped):
            tally.duplicates += item.duplicate
            tally.unchanged += not item.duplicate
        else:
            batch.append(item)
            if len(batch) >= commit_every:
                _commit(store, batch, run_id, tally)
                batch = []
        if on_article:
            on_article()
    if batch:
        _commit(store, batch, run_id, tally)
    return tally


def extract_new(
    store: Store, extractor: Any, documents: Iterable[Article | ReadError]
) -> Iterator[ArticleResult | Failure | Skipped]:
    """Extract the documents the corpus lacks, in order; the rest come back as Skipped."""
    from quotegraph.cli import extract_documents  # the CLI's batch path; imported late (cycle)

    stored: list[Skipped] = []  # what was filtered out since the last outcome, in order

    def unseen() -> Iterator[Article | ReadError]:
        for document in documents:
            if isinstance(document, Article) and store.is_stored(document.id, document.text):
                stored.append(Skipped(document.meta.get("path") or document.id))
            else:
                yield document

    for outcome in extract_documents(extractor, unseen()):
        yield from stored
        stored.clear()
        if outcome.result is not None:
            yield outcome.result
        elif getattr(outcome, "duplicate", False):
            yield Skipped(outcome.path or outcome.id, duplicate=True)
        else:
            yield Failure(outcome.path or outcome.id, outcome.failure or "failed")
    yield from stored


def _commit(store: Store, batch: list[ArticleResult], run_id: int | None, tally: IngestTally) -> None:
    report = store.write_batch(batch, run_id)
    tally.stored += report.stored
    tally.replaced += report.replaced
    tally.unchanged += report.unchanged
    tally.attributions += report.attributions


def _records_in(path: str, stream: TextIO) -> Iterator[ArticleResult | Failure]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield ArticleResult.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            yield Failure(
                f"{path}:{number}",
                f"not an article record ({type(exc).__name__}: {exc}); give the JSONL "
                "that `quotegraph extract` writes",
            )
