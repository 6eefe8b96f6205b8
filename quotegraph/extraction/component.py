"""The spaCy component: ``nlp.add_pipe("quotegraph")`` sets ``doc._.attributions``.

Registered through the ``spacy_factories`` entry point, so any spaCy pipeline finds it by name
once quotegraph is installed. Importing this module stays light: models load on first use.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

for _name in ("attributions", "speakers"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class QuotegraphComponent:
    """Adds quotegraph's attributions and speakers to a parsed Doc."""

    def __init__(self, nlp: Language, name: str, model: str | None) -> None:
        self.name = name
        self.model = model
        self._annotator = None

    def __call__(self, doc: Doc) -> Doc:
        from quotegraph.extraction.pipeline import annotator_for

        if self._annotator is None:
            self._annotator = annotator_for(self.model)
        attributions, speakers = self._annotator.annotate([doc])[0]
        doc._.attributions = attributions
        doc._.speakers = speakers
        return doc

    def pipe(self, docs, batch_size: int = 32):
        from quotegraph.extraction.pipeline import annotator_for

        if self._annotator is None:
            self._annotator = annotator_for(self.model)
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._annotate(batch)
                batch = []
        if batch:
            yield from self._annotate(batch)

    def _annotate(self, docs: list[Doc]):
        for doc, (attributions, speakers) in zip(docs, self._annotator.annotate(docs)):
            doc._.attributions = attributions
            doc._.speakers = speakers
            yield doc


@Language.factory("quotegraph", default_config={"model": None})
def make_quotegraph(nlp: Language, name: str, model: str | None) -> QuotegraphComponent:
    """Factory: ``model`` is a folder of trained weights; None means the shipped fast model."""
    return QuotegraphComponent(nlp, name, model)
