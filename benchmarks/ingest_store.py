"""What the corpus store costs: ingest with the store against extraction alone, and query
latency over a large store.

1. **Store overhead** (needs the shipped model): the same articles are extracted through the
   CLI's batch path (``extract_documents``) twice in this one run, after a warm-up: once
   alone, once also written to a fresh SQLite corpus in batches. Prints articles/s for each
   and ``ratio ingest/extraction`` (target <= 1.10, i.e. the store adds at most 10%).
2. **Query latency**: a generated corpus (``quotegraph.store.synthetic``; default 100,000
   attributions) is stored, timing the writes, then each query the CLI and API use is timed
   (median of --repeat runs) and printed in milliseconds.

    .venv/bin/python benchmarks/ingest_store.py                       # both parts, defaults
    .venv/bin/python benchmarks/ingest_store.py --articles 200 --attributions 300000
    .venv/bin/python benchmarks/ingest_store.py --skip-overhead --db /tmp/load.db  # reuse a store
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quotegraph.reading import Article
from quotegraph.store import Store, queries
from quotegraph.store.synthetic import generate

SAMPLES = ROOT / "quotegraph" / "samples"
MODEL = ROOT / "quotegraph" / "models" / "fast" / "tagger.bin"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60,
                        help="articles for the overhead part (default: 60; samples repeated)")
    parser.add_argument("--attributions", type=int, default=100_000,
                        help="attributions in the generated store (default: 100,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--db", help="store for the latency part (reused when it exists)")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    args = parser.parse_args()
    if not args.skip_overhead:
        overhead(args.articles)
    if not args.skip_queries:
        latency(args.attributions, args.repeat, args.db)
    return 0


# --- 1. store overhead ------------------------------------------------------------------------


def overhead(count: int) -> None:
    print(f"== ingest with the store vs extraction alone ({count} articles)")
    if not MODEL.exists():
        print(f"   skipped: no trained model at {MODEL.relative_to(ROOT)} yet")
        return
    from quotegraph.cli import _load_extractor, extract_documents

    articles = _articles(count)
    extractor = _load_extractor()
    list(extract_documents(extractor, articles[:8]))  # warm-up: models loaded, caches filled
    alone = _timed(lambda: [o.result for o in extract_documents(extractor, articles)])
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bench.db") as store:
        stored = _timed(lambda: _ingest(store, extractor, articles))
        counts = queries.counts(store.conn)
    print(f"   extraction alone   {count / alone:8.1f} articles/s  ({alone:.2f} s)")
    print(f"   extraction + store {count / stored:8.1f} articles/s  ({stored:.2f} s; "
          f"{counts['attributions']:,} attributions, {counts['speakers']:,} speakers)")
    print(f"   ratio ingest/extraction = {stored / alone:.3f} (target <= 1.10)")


def _ingest(store: Store, extractor: Any, articles: list[Article]) -> None:
    from quotegraph.cli import extract_documents
    from quotegraph.store.ingest import COMMIT_EVERY

    batch = []
    for outcome in extract_documents(extractor, articles):
        if outcome.result is not None:
            batch.append(outcome.result)
        if len(batch) >= COMMIT_EVERY:
            store.write_batch(batch)
            batch = []
    if batch:
        store.write_batch(batch)


def _articles(count: int) -> list[Article]:
    """The sample articles, repeated with an edition line so every text is distinct."""
    samples = sorted(SAMPLES.glob("*.txt"))
    articles = []
    for n in range(count):
        sample = samples[n % len(samples)]
        text = sample.read_text(encoding="utf-8") + f"\nEdition {n}.\n"
        articles.append(Article(f"{sample.stem}-{n}", text, {"title": sample.stem}))
    return articles


# --- 2. query latency -------------------------------------------------------------------------


def latency(attributions: int, repeat: int, db: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(db) if db else Path(folder) / "load.db"
        with Store.open(path) as store:
            _fill(store, attributions)
            counts = queries.counts(store.conn)
            print(f"== query latency over {counts['attributions']:,} attributions, "
                  f"{counts['articles']:,} articles, {counts['speakers']:,} speakers, "
                  f"{counts['claims']:,} claims (median of {repeat}, ms)")
            for name, query in _queries(store).items():
                print(f"   {name:<44} {_median_ms(query, repeat):8.2f}")


def _fill(store: Store, attributions: int) -> None:
    have = queries.counts(store.conn)["attributions"]
    if have >= attributions:
        return
    articles = attributions // 5 + 1
    started, written, batch = time.perf_counter(), 0, []
    for record in generate(articles, seed=11):
        batch.append(record)
        if len(batch) >= 64:
            written += store.write_batch(batch).attributions
            batch = []
        if written >= attributions:
            break
    if batch:
        written += store.write_batch(batch).attributions
    took = time.perf_counter() - started
    print(f"== generated store: {written:,} attributions written in {took:.1f} s "
          f"({written / took:,.0f} attributions/s, {articles / took:,.0f} articles/s)")


def _queries(store: Store) -> dict[str, Callable[[], Any]]:
    conn = store.conn
    top = queries.top_speakers(conn, limit=1).items[0]
    claim = queries.top_claims(conn, limit=1).items[0]
    page = queries.find_quotes(conn, limit=50)
    return {
        "speakers --top 20": lambda: queries.top_speakers(conn, limit=20),
        f"quotes --speaker {top.name!r}": lambda: queries.find_quotes(conn, speaker=top.name),
        "quotes --speaker (page 2, cursor)": lambda: queries.find_quotes(
            conn, speaker=top.name, cursor=queries.find_quotes(conn, speaker=top.name).next_cursor),
        "quotes --outlet Reuters --since/--until month": lambda: queries.find_quotes(
            conn, outlet="Reuters", since="2024-03-01", until="2024-03-31"),
        "quotes --query 'ceasefire talks'": lambda: queries.find_quotes(
            conn, text="ceasefire talks"),
        "quotes (newest 50)": lambda: queries.find_quotes(conn, limit=50),
        "quotes (page 2, cursor)": lambda: queries.find_quotes(conn, cursor=page.next_cursor),
        "claims (top 20)": lambda: queries.top_claims(conn, limit=20),
        f"claims {claim.id} (detail)": lambda: queries.claim_detail(conn, claim.id),
        "show ARTICLE": lambda: queries.article_view(conn, page.items[0].article_id),
    }


def _median_ms(query: Callable[[], Any], repeat: int) -> float:
    query()
    return statistics.median(_timed(query) for _ in range(repeat)) * 1000


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
