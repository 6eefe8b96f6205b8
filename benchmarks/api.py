"""Throughput and latency of the REST API under bounded concurrent load, on loopback.

Starts ``quotegraph serve`` in its own process over a generated corpus
(``quotegraph.store.synthetic``), then sends requests from this process with at most
``--concurrency`` in flight, and prints, for each endpoint measured in this one run: requests/s,
p50 and p99 latency in milliseconds, and any non-200 answers.

- ``POST /v1/extract``: the bundled sample articles, round robin (needs the shipped model;
  skipped without it). Extraction runs one article at a time by design, so extra concurrency
  queues; the latency shows that queue.
- ``GET /v1/attributions``: full-text search, alternating words and filters (speaker, outlet,
  dates), so SQLite's FTS index and the joins are exercised.

    .venv/bin/python benchmarks/api.py                               # small defaults (~1 min)
    .venv/bin/python benchmarks/api.py --articles 20000 --search 2000 --extract 200 -c 16
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quotegraph.store import Store
from quotegraph.store.synthetic import OUTLETS, generate

SAMPLES = ROOT / "quotegraph" / "samples"
MODEL = ROOT / "quotegraph" / "models" / "fast" / "tagger.bin"
SEARCH_WORDS = ("ceasefire", "talks", "budget", "bridge", "sanctions", "elections", "winter",
                "respond threat", "free fair", "people afford")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000,
                        help="articles in the generated corpus (default: 2,000; ~5 quotes each)")
    parser.add_argument("--search", type=int, default=400, help="search requests (default: 400)")
    parser.add_argument("--extract", type=int, default=30,
                        help="extract requests (default: 30)")
    parser.add_argument("--concurrency", "-c", type=int, default=8,
                        help="requests in flight at most (default: 8)")
    parser.add_argument("--db", help="reuse this corpus instead of generating one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(args.db) if args.db else build_corpus(Path(folder) / "bench.db", args.articles)
        with serving(db) as base_url:
            print(f"corpus: {db} | server: {base_url} | concurrency {args.concurrency}")
            print(f"{'endpoint':<22} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  "
                  "answers")
            asyncio.run(run_all(base_url, args))
    return 0


async def run_all(base_url: str, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0,
                                 limits=httpx.Limits(max_connections=args.concurrency)) as client:
        await client.get("/v1/attributions", params={"query": "talks", "limit": 5})  # warm up
        await measure("GET /v1/attributions", client, search_request(), args.search,
                      args.concurrency)
        if not MODEL.exists():
            print(f"POST /v1/extract       skipped: no model at {MODEL.relative_to(ROOT)}")
            return
        await client.post("/v1/extract", json={"text": "The mayor said it would rain."})
        await measure("POST /v1/extract", client, extract_request(), args.extract,
                      args.concurrency)


async def measure(
    name: str, client: httpx.AsyncClient, make: Callable[[int], dict[str, Any]], total: int,
    concurrency: int,
) -> None:
    """Send ``total`` requests with at most ``concurrency`` in flight; print the figures."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    answers: Counter[int] = Counter()

    async def one(number: int) -> None:
        async with gate:
            started = time.perf_counter()
            response = await client.request(**make(number))
            latencies.append(time.perf_counter() - started)
            answers[response.status_code] += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(total)))
    elapsed = time.perf_counter() - started
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    listed = ", ".join(f"{count}x{status}" for status, count in sorted(answers.items()))
    print(f"{name:<22} {total:>8} {total / elapsed:>8.1f} {p50 * 1000:>8.1f} {p99 * 1000:>8.1f}"
          f"  {listed}")


def search_request() -> Callable[[int], dict[str, Any]]:
    filters = itertools.cycle([
        {}, {"outlet": OUTLETS[0]}, {"since": "2024-03-01", "until": "2024-06-30"},
        {"speaker": "Lavrov"}, {"kind": "direct"},
    ])

    def make(number: int) -> dict[str, Any]:
        params = {"query": SEARCH_WORDS[number % len(SEARCH_WORDS)], "limit": 20, **next(filters)}
        return {"method": "GET", "url": "/v1/attributions", "params": params}

    return make


def extract_request() -> Callable[[int], dict[str, Any]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]

    def make(number: int) -> dict[str, Any]:
        return {"method": "POST", "url": "/v1/extract", "json": {"text": texts[number % len(texts)]}}

    return make


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def build_corpus(path: Path, articles: int) -> Path:
    started = time.perf_counter()
    with Store.open(path) as store:
        batch = []
        for record in generate(articles, seed=7):
            batch.append(record)
            if len(batch) == 500:
                store.write_batch(batch)
                batch = []
        if batch:
            store.write_batch(batch)
        attributions = store.conn.execute("SELECT COUNT(*) FROM attributions").fetchone()[0]
    print(f"generated {articles:,} articles, {attributions:,} attributions in "
          f"{time.perf_counter() - started:.1f} s")
    return path


class serving:
    """``quotegraph serve`` in a child process on a free loopback port."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "quotegraph.cli", "serve", "--db", str(self.db),
                   "--port", str(self.port), "--time-limit", "120"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        base_url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base_url}/v1/speakers?limit=1", timeout=2).status_code == 200:
                    return base_url
            except httpx.HTTPError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the server did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
