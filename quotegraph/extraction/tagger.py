"""The learned role tagger: per token, is it part of a source, a cue or a content?

A Thinc network over features of the spaCy parse. Token labels are BIO over the three roles;
the decoder (``decoding.py``) turns the per-token probabilities into well-formed spans.

Why these features: PolNeAR's spans follow syntax (a content is mostly the clausal complement
of its cue, a source the cue's subject) and quotation marks, so besides the word itself each
token sees its tag, its dependency, its head's lemma, the verb that governs its clause, and
whether it sits inside quotation marks. Those carry the long-range evidence that a small
window CNN cannot see on its own.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy
from spacy.strings import hash_string
from spacy.symbols import AUX as AUX_POS
from spacy.symbols import NOUN as NOUN_POS
from spacy.symbols import VERB as VERB_POS
from spacy.tokens import Doc
from thinc.api import (
    LSTM,
    HashEmbed,
    Maxout,
    Model,
    Softmax,
    chain,
    clone,
    concatenate,
    expand_window,
    residual,
    with_array,
    with_padded,
)

LABELS = ("O", "B-source", "I-source", "B-cue", "I-cue", "B-content", "I-content")
ROLE_NAMES = ("source", "cue", "content")

#: Dependencies by which a clause hangs off the verb that reports it.
_CLAUSAL = {"ccomp", "xcomp", "parataxis", "advcl", "conj", "dobj", "attr", "pcomp", "pobj"}


@dataclass
class TaggerSettings:
    """Everything that shapes the network; saved in the model folder and its manifest."""

    width: int = 128
    depth: int = 1
    window: int = 1
    embed_rows: int = 5000
    embed_width: int = 32
    dropout: float = 0.15
    pieces: int = 2
    encoder: str = "bilstm"  # or "cnn"
    learn_rate: float = 0.002
    #: learning rate kept per epoch after the third (1.0: constant); late epochs then refine
    #: instead of wandering on the noisy dev score
    decay: float = 1.0


FEATURES = (
    "norm",
    "prefix",
    "suffix",
    "shape",
    "tag",
    "dep",
    "ent",
    "lemma",
    "dep+head_lemma",
    "head_dep+grandhead_lemma",
    "quote_state",
    "sentence_position",
    "clause_governor",
    "verb_frame",
)

BACKBONE_WIDTH = 96  # en_core_web_sm's tok2vec width
_ATTRS = ("NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP", "ENT_IOB", "ENT_TYPE", "LEMMA", "POS")
_SUBJ = {"nsubj", "nsubjpass", "csubj"}
_COMP = {"ccomp", "xcomp", "parataxis"}
_OPEN_QUOTES = "“«„"
_CLOSE_QUOTES = "”»"


def _mix(*columns: numpy.ndarray) -> numpy.ndarray:
    """Combine id columns into one id per row (uint64 arithmetic wraps, as hashing wants)."""
    out = numpy.full(len(columns[0]), 0x51ED270B27A1E3F5, dtype="uint64")
    for k, column in enumerate(columns):
        out = (out ^ column.astype("uint64")) * numpy.uint64(0x9E3779B97F4A7C15 + 2 * k)
    return out


def token_features(doc: Doc) -> numpy.ndarray:
    """One row of feature ids per token (uint64), in ``FEATURES`` order.

    Vectorised over ``doc.to_array`` where possible: feature extraction runs on every
    article, so it must cost little next to the parse itself.
    """
    n = len(doc)
    if n == 0:
        return numpy.zeros((0, len(FEATURES)), dtype="uint64")
    a = {name: col for name, col in zip(_ATTRS, doc.to_array(list(_ATTRS)).T)}
    index = numpy.arange(n)
    heads = numpy.array([t.head.i for t in doc], dtype="int64")
    dep_strings = [t.dep_ for t in doc]
    lemma, dep = a["LEMMA"], a["DEP"]
    rows = numpy.empty((n, len(FEATURES)), dtype="uint64")
    rows[:, 0] = a["NORM"]
    rows[:, 1] = a["PREFIX"]
    rows[:, 2] = a["SUFFIX"]
    rows[:, 3] = a["SHAPE"]
    rows[:, 4] = a["TAG"]
    rows[:, 5] = dep
    rows[:, 6] = _mix(a["ENT_IOB"], a["ENT_TYPE"])
    rows[:, 7] = lemma
    rows[:, 8] = _mix(dep, lemma[heads])
    rows[:, 9] = _mix(dep[heads], lemma[heads[heads]])
    rows[:, 10] = _quote_states(doc)
    rows[:, 11] = _sentence_positions(doc, index)
    rows[:, 12] = _clause_governors(heads, dep_strings, a["POS"], lemma)
    rows[:, 13] = _verb_frames(heads, dep_strings, a["POS"], lemma)
    return rows


def _quote_states(doc: Doc) -> numpy.ndarray:
    """0 outside quotes, 1 inside, 2 a quotation mark; quotes close at paragraph breaks."""
    states = numpy.zeros(len(doc), dtype="uint64")
    inside = False
    for i, text in enumerate(t.text for t in doc):
        if "\n" in text:
            inside = False
        elif text in _OPEN_QUOTES:
            inside, states[i] = True, 2
        elif text in _CLOSE_QUOTES:
            inside, states[i] = False, 2
        elif text == '"' or text == "``" or text == "''":
            inside, states[i] = not inside, 2
        elif inside:
            states[i] = 1
    return states


def _sentence_positions(doc: Doc, index: numpy.ndarray) -> numpy.ndarray:
    """Distance (capped at 3) from the sentence start and to the sentence end."""
    starts = numpy.zeros(len(doc), dtype="int64")
    ends = numpy.zeros(len(doc), dtype="int64")
    for sent in doc.sents:
        starts[sent.start : sent.end] = sent.start
        ends[sent.start : sent.end] = sent.end
    from_start = numpy.minimum(index - starts, 3)
    to_end = numpy.minimum(ends - index - 1, 3)
    return (from_start * 4 + to_end + 1).astype("uint64")


def _clause_governors(heads, deps: list[str], pos, lemma) -> numpy.ndarray:
    """Per token, (relation, lemma) of the verb that governs its clause, e.g. ccomp<say.

    A content token typically sits in the clausal-complement subtree of 'say'; this gives
    every word of the content that long-range evidence. Memoised up the tree: O(n).
    """
    verbal = {VERB_POS, AUX_POS, NOUN_POS}
    memo = numpy.zeros(len(heads), dtype="uint64")
    done = numpy.zeros(len(heads), dtype=bool)
    for i in range(len(heads)):
        path = []
        node = i
        value = numpy.uint64(1)
        while not done[node]:
            head = heads[node]
            if head == node:
                break
            if deps[node] in _CLAUSAL and int(pos[head]) in verbal:
                value = _mix(numpy.array([hash_string(deps[node])]), lemma[head : head + 1])[0]
                path.append(node)
                break
            path.append(node)
            node = head
            if len(path) > 64:
                break
        else:
            value = memo[node]
        for visited in path:
            memo[visited], done[visited] = value, True
        if not path:
            memo[i], done[i] = value, True
    return memo


def _verb_frames(heads, deps: list[str], pos, lemma) -> numpy.ndarray:
    """For verbs: lemma with whether it has a subject and a clausal complement.

    Reporting verbs look like (say, subj, comp); the frame generalises to unseen cue verbs.
    """
    n = len(heads)
    has_subj = numpy.zeros(n, dtype="uint64")
    has_comp = numpy.zeros(n, dtype="uint64")
    for i, dep in enumerate(deps):
        if dep in _SUBJ:
            has_subj[heads[i]] = 1
        elif dep in _COMP:
            has_comp[heads[i]] = 1
    is_verb = numpy.isin(pos.astype("int64"), [VERB_POS, AUX_POS]).astype("uint64")
    return _mix(is_verb, is_verb * lemma, has_subj, has_comp, pos)


def build_model(settings: TaggerSettings) -> Model:
    """(feature ids, backbone vectors) -> embeddings ++ vectors -> maxout -> window CNN -> softmax.

    The backbone's own contextual vectors (``doc.tensor`` from en_core_web_sm's tok2vec) come
    for free with the parse; the hashed syntax features add what they lack.
    """
    embeds = with_array(
        concatenate(
            *(
                HashEmbed(nO=settings.embed_width, nV=settings.embed_rows, column=j, seed=j + 1)
                for j in range(len(FEATURES))
            )
        )
    )
    width = settings.width
    n_inputs = settings.embed_width * len(FEATURES) + BACKBONE_WIDTH
    project = Maxout(
        nO=width, nI=n_inputs, nP=settings.pieces, normalize=True, dropout=settings.dropout
    )
    output = Softmax(nO=len(LABELS), nI=width)
    if settings.encoder == "bilstm":
        # a content runs for dozens of tokens: a BiLSTM carries evidence across all of them
        lstm = LSTM(nO=width, nI=width, bi=True, depth=settings.depth, dropout=settings.dropout)
        head = chain(with_array(project), with_padded(lstm), with_array(output))
    else:
        head = with_array(chain(project, _window_cnn(settings), output), pad=settings.depth)
    return chain(_with_backbone_vectors(embeds), head)


def _window_cnn(settings: TaggerSettings) -> Model:
    """spaCy-style residual maxout window encoder (receptive field: depth * window tokens)."""
    width = settings.width
    return clone(
        residual(
            chain(
                expand_window(window_size=settings.window),
                Maxout(
                    nO=width,
                    nI=width * (2 * settings.window + 1),
                    nP=settings.pieces,
                    dropout=settings.dropout,
                    normalize=True,
                ),
            )
        ),
        settings.depth,
    )


def _with_backbone_vectors(embeds: Model) -> Model:
    """Embed the id columns and append the backbone vectors to each token's row."""

    def forward(model: Model, inputs: list[tuple[numpy.ndarray, numpy.ndarray]], is_train: bool):
        vectors, backprop_embeds = embeds([ids for ids, _ in inputs], is_train)
        rows = [numpy.hstack([v, t]) for v, (_, t) in zip(vectors, inputs)]

        def backprop(d_rows: list[numpy.ndarray]):
            return backprop_embeds([d[:, : v.shape[1]] for d, v in zip(d_rows, vectors)])

        return rows, backprop

    def init(model: Model, X=None, Y=None) -> None:
        embeds.initialize(X=[ids for ids, _ in X] if X is not None else None)

    return Model("with_backbone_vectors", forward, init=init, layers=[embeds])


def model_inputs(doc: Doc) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The tagger's input for one parsed doc: feature ids and the backbone vectors."""
    tensor = doc.tensor
    if tensor is None or tensor.shape != (len(doc), BACKBONE_WIDTH):
        tensor = numpy.zeros((len(doc), BACKBONE_WIDTH), dtype="f")
    return token_features(doc), numpy.ascontiguousarray(tensor, dtype="f")


class RoleTagger:
    """The trained network with its settings: predicts label probabilities for parsed docs."""

    def __init__(self, settings: TaggerSettings, model: Model | None = None) -> None:
        self.settings = settings
        self.model = model or build_model(settings)
        #: weighted log label-bigram scores for decoding (chosen on dev), or None
        self.transitions: numpy.ndarray | None = None

    def initialize(self, sample: list[tuple[numpy.ndarray, numpy.ndarray]]) -> None:
        labels = [numpy.zeros((len(ids), len(LABELS)), "f") for ids, _ in sample]
        self.model.initialize(X=sample, Y=labels)

    def predict(self, docs: list[Doc]) -> list[numpy.ndarray]:
        """Per doc, a (tokens x labels) array of probabilities."""
        inputs = [model_inputs(doc) for doc in docs]
        nonempty = [x for x in inputs if len(x[0])]
        outputs = iter(self.model.predict(nonempty)) if nonempty else iter(())
        probs = [next(outputs) if len(x[0]) else numpy.zeros((0, len(LABELS)), "f") for x in inputs]
        return [_break_at_lines(doc, p) for doc, p in zip(docs, probs)]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "tagger.json").write_text(json.dumps(asdict(self.settings), indent=2) + "\n")
        (folder / "tagger.bin").write_bytes(self.model.to_bytes())
        if self.transitions is not None:
            decoding = {"labels": list(LABELS), "transitions": self.transitions.tolist()}
            (folder / "decoding.json").write_text(json.dumps(decoding) + "\n")

    @classmethod
    def load(cls, folder: Path) -> RoleTagger:
        settings = TaggerSettings(**json.loads((folder / "tagger.json").read_text()))
        tagger = cls(settings)
        sample = [(numpy.zeros((2, len(FEATURES)), "uint64"), numpy.zeros((2, BACKBONE_WIDTH), "f"))]
        tagger.initialize(sample)
        tagger.model.from_bytes((folder / "tagger.bin").read_bytes())
        decoding = folder / "decoding.json"
        if decoding.exists():
            tagger.transitions = numpy.array(json.loads(decoding.read_text())["transitions"], "f")
        return tagger


def _break_at_lines(doc: Doc, probs: numpy.ndarray) -> numpy.ndarray:
    """Make line-break tokens certain ``O``, so that no decoded span crosses a line.

    In PolNeAR 3 of about 70,000 annotated spans cross a line break; a tagger that lets a
    content run on into the next paragraph loses far more than that.
    """
    breaks = [t.i for t in doc if t.is_space and "\n" in t.text]
    if breaks:
        probs = probs.copy()
        probs[breaks] = 0.0
        probs[breaks, LABELS.index("O")] = 1.0
    return probs
