"""Speech acts and disputes on the labelled PolNeAR dev sample (docs/labels/acts-dev.jsonl).

The labels (our own, see docs/speech-acts.md) name PolNeAR dev attributions by document,
annotation and offsets; the article texts and gold attributions are read from ../shared at run
time, never copied. The act classifier runs on the gold attributions, so the figures measure
act, target and dispute reading, not the extractor.

    .venv/bin/python benchmarks/acts_eval.py [--labels FILE] [--errors]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from quotegraph.corpus import polnear
from quotegraph.disputes import ACTS, DISPUTE_ACTS, analyse_disputes
from quotegraph.extraction.pipeline import load_backbone
from quotegraph.model import Attribution

LABELS = Path(__file__).resolve().parents[1] / "docs" / "labels" / "acts-dev.jsonl"


def load_labels(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def predictions(labels: list[dict]) -> list[tuple[dict, Attribution, list]]:
    """Each label with the analysed gold attribution it names and that article's disputes."""
    gold = {d.annotation_id: d for d in polnear.load_split("dev")}
    nlp = load_backbone()
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for label in labels:
        by_doc[label["annotation"]].append(label)
    out = []
    for annotation, items in by_doc.items():
        document = gold[annotation]
        attributions = [a for a in document.attributions]
        disputes = analyse_disputes(nlp(document.text), attributions, [])
        for label in items:
            match = next(a for a in attributions if not a.embedded
                         and [a.content[0].start, a.content[0].end] == label["content"]
                         and ([a.cue.start, a.cue.end] if a.cue else None) == label["cue"])
            out.append((label, match, [d for d in disputes if d.attribution == match.id]))
    return out


def act_table(rows: list[tuple[dict, Attribution, list]]) -> str:
    """Per-act accuracy (recall of the act among items labelled with it) and precision."""
    gold, predicted, correct = Counter(), Counter(), Counter()
    for label, attribution, _ in rows:
        gold[label["act"]] += 1
        predicted[attribution.act] += 1
        correct[label["act"]] += label["act"] == attribution.act
    lines = ["| act | labelled | accuracy (recall) | precision |", "| --- | ---: | ---: | ---: |"]
    for act in ACTS:
        if not gold[act] and not predicted[act]:
            continue
        acc = f"{correct[act] / gold[act]:.2f}" if gold[act] else "-"
        prec = f"{correct[act] / predicted[act]:.2f}" if predicted[act] else "-"
        lines.append(f"| {act} | {gold[act]} | {acc} | {prec} |")
    total = sum(correct.values())
    lines.append(f"| **all** | {len(rows)} | {total / len(rows):.2f} | |")
    return "\n".join(lines)


def dispute_scores(rows: list[tuple[dict, Attribution, list]]) -> dict[str, tuple[float, float, int, int]]:
    """Precision/recall of disputing attributions, and of (attribution, party) dispute edges.

    A predicted party matches a labelled one when their offsets overlap; a dispute with no
    named party matches a labelled dispute with none.
    """
    tp = fp = fn = 0
    etp = efp = efn = 0
    for label, _, disputes in rows:
        said, found = label["dispute"], bool(disputes)
        tp, fp, fn = tp + (said and found), fp + (found and not said), fn + (said and not found)
        gold_parties = [tuple(t) for t in label["targets"]] if said else []
        gold_edges = gold_parties or ([None] if said else [])
        pred_edges = [(d.party.span.start, d.party.span.end) if d.party else None for d in disputes]
        matched = set()
        for edge in pred_edges:
            hit = next((i for i, g in enumerate(gold_edges) if i not in matched and _same(edge, g)), None)
            if hit is None:
                efp += 1
            else:
                matched.add(hit)
                etp += 1
        efn += len(gold_edges) - len(matched)
    return {"disputing attributions": _pr(tp, fp, fn), "dispute edges (with party)": _pr(etp, efp, efn)}


def _same(edge: tuple[int, int] | None, gold: tuple[int, int] | None) -> bool:
    if edge is None or gold is None:
        return edge is gold
    return edge[0] < gold[1] and gold[0] < edge[1]


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float, int, int]:
    return (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, tp + fp, tp + fn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--errors", action="store_true", help="list every wrong act")
    args = parser.parse_args()
    rows = predictions(load_labels(args.labels))
    for part in ("all", "random", "vocab"):
        chosen = [r for r in rows if part == "all" or r[0]["part"] == part]
        print(f"\n## {part} ({len(chosen)} attributions)\n\n{act_table(chosen)}\n")
        for name, (p, r, npred, ngold) in dispute_scores(chosen).items():
            print(f"{name}: precision {p:.2f} ({npred} predicted), recall {r:.2f} ({ngold} labelled)")
    if args.errors:
        for label, attribution, disputes in rows:
            if label["act"] != attribution.act or label["dispute"] != bool(disputes):
                cue = attribution.cue.text if attribution.cue else None
                print(f"{label['act']:>8} <- {attribution.act:<8} {cue!r}: "
                      f"{attribution.content[0].text[:90]!r} "
                      f"{[d.party.span.text if d.party else None for d in disputes]}")


if __name__ == "__main__":
    assert DISPUTE_ACTS
    main()
