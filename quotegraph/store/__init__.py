"""The corpus: articles, attributions, speakers and claims in an SQLite database.

``Store.open(path)`` opens (creating or migrating) a corpus; ``Store.write_batch(records)``
stores ``ArticleResult`` records in one transaction; :mod:`quotegraph.store.queries` reads it
back as dataclasses. Nothing in this package imports the NLP: it works on records, so it can be
tested, and served by the web API, without a model.
"""

from quotegraph.store.schema import SchemaError
from quotegraph.store.store import DEFAULT_DB, BatchReport, Store, text_hash

__all__ = ["DEFAULT_DB", "BatchReport", "SchemaError", "Store", "text_hash"]
