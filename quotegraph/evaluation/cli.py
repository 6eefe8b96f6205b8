"""``quotegraph eval polnear --split dev``: score a model with both metrics of the evaluation doc."""

from __future__ import annotations

import argparse
import json
import sys
import time

from quotegraph.model import Attribution


def predictor(model_dir: str | None, quiet: bool = False, mode: str = "fast"):
    """A ``predict`` function for ``evaluate_polnear`` running the full extraction pipeline."""

    def predict(articles: list[tuple[str, str]]) -> dict[str, list[Attribution]]:
        from quotegraph.extraction.pipeline import Extractor

        extractor = Extractor(model_dir, mode=mode)
        out: dict[str, list[Attribution]] = {}
        started = time.time()
        stream = extractor.extract_many((text_id, text, {}) for text_id, text in articles)
        for done, result in enumerate(stream, 1):
            out[result.id] = result.attributions
            if not quiet and (done % 10 == 0 or done == len(articles)):
                rate = done / max(time.time() - started, 1e-9)
                print(
                    f"\rextracting {done}/{len(articles)} ({rate:.1f} articles/s)",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
        if not quiet:
            print(file=sys.stderr)
        return out

    return predict


def main(args: argparse.Namespace) -> int:
    """Run the evaluation and print the report (or JSON with ``--json``)."""
    from quotegraph.corpus import polnear
    from quotegraph.evaluation.report import evaluate_polnear, format_report

    if getattr(args, "corpus", "polnear") != "polnear":
        print(
            f"error: unknown corpus {args.corpus!r}; only 'polnear' is supported", file=sys.stderr
        )
        return 2
    root = polnear.chosen_root(getattr(args, "data", None))
    if root is None:
        return 2
    as_json = getattr(args, "json", False)
    results = evaluate_polnear(
        predictor(getattr(args, "model", None), quiet=as_json, mode=getattr(args, "mode", "fast")),
        split=args.split,
        root=root,
    )
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        print(format_report(results["document"], results.get("sentence")))
    return 0
