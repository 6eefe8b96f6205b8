"""Exporting the corpus: article records as JSONL, or one row per attribution as CSV or Parquet.

JSONL is the schema record (``shared/docs/output-schema.md``) per article with two extra
fields, ``corpus_speaker`` on each speaker and ``claim`` on each attribution, so anything that
reads ``quotegraph extract`` output reads an export too. CSV and Parquet are the flat table
analysts want: who said what, where and when, one attribution per row.

Parquet needs pyarrow, an optional dependency (``pip install 'quotegraph[parquet]'``).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from typing import Any, TextIO

from quotegraph.store.queries import article_ids, article_view

EXPORT_FORMATS = ("jsonl", "csv", "parquet")

#: Columns of the flat attribution table (CSV and Parquet), in order.
COLUMNS = (
    "article_id", "outlet", "published", "title", "url", "attribution_id", "kind",
    "confidence", "speaker_id", "speaker", "speaker_type", "source", "cue", "content",
    "claim_id", "claim_first_seen",
)

_ROWS_SQL = """
SELECT a.article_id, ar.outlet, ar.published, ar.title, ar.url, a.local_id, a.kind,
       a.confidence, sp.id, sp.name, sp.type, a.source_text, a.cue_text, a.content_text,
       a.claim_id, c.first_seen
FROM attributions a
JOIN articles ar ON ar.id = a.article_id
LEFT JOIN article_speakers s ON s.article_id = a.article_id AND s.local_id = a.local_speaker
LEFT JOIN speakers sp ON sp.id = s.speaker_id
LEFT JOIN claims c ON c.id = a.claim_id
ORDER BY a.article_id, a.id
"""

#: Rows per Parquet row group: bounded memory however large the corpus.
_PARQUET_CHUNK = 50_000


class MissingDependency(RuntimeError):
    """An optional package is needed; the message says how to install it."""


def export_jsonl(conn: sqlite3.Connection, stream: TextIO) -> int:
    """Every article's record (plus corpus fields) as one JSON line; returns the count."""
    count, cursor = 0, None
    while True:
        page = article_ids(conn, limit=500, cursor=cursor)
        for article_id in page.items:
            view = article_view(conn, article_id)
            if view is not None:
                stream.write(json.dumps(view.to_dict(), ensure_ascii=False) + "\n")
                count += 1
        if page.next_cursor is None:
            return count
        cursor = page.next_cursor


def attribution_rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """The flat table, row by row (in the order of :data:`COLUMNS`), streamed from SQLite."""
    yield from conn.execute(_ROWS_SQL)


def export_csv(conn: sqlite3.Connection, stream: TextIO) -> int:
    """The flat attribution table as CSV with a header; returns the number of rows."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in attribution_rows(conn):
        writer.writerow(["" if value is None else value for value in row])
        count += 1
    return count


def export_parquet(conn: sqlite3.Connection, path: str) -> int:
    """The flat attribution table as a Parquet file, written in row groups; returns rows."""
    pa, pq = _pyarrow()
    schema = pa.schema([
        (name, pa.float64() if name == "confidence"
         else pa.int64() if name in ("speaker_id", "claim_id") else pa.string())
        for name in COLUMNS
    ])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[tuple[Any, ...]] = []
        for row in attribution_rows(conn):
            chunk.append(row)
            if len(chunk) >= _PARQUET_CHUNK:
                writer.write_table(_table(pa, schema, chunk))
                count += len(chunk)
                chunk = []
        if chunk or count == 0:
            writer.write_table(_table(pa, schema, chunk))
            count += len(chunk)
    return count


def _table(pa: Any, schema: Any, rows: list[tuple[Any, ...]]) -> Any:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
    return pa.table({name: list(values) for name, values in zip(COLUMNS, columns, strict=True)},
                    schema=schema)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependency(
            "export --format parquet needs pyarrow, which is not installed; install it with "
            "`pip install 'quotegraph[parquet]'` (or `pip install pyarrow`), or export "
            "--format csv"
        ) from None
    return pa, pq
