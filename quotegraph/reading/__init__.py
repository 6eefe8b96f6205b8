"""Reading: turn files, folders, crawls, feeds, dumps, URLs and stdin into articles.

``iter_articles(paths)`` is the one entry point: it yields an :class:`Article` (id, text, meta)
or a :class:`ReadError` (id, path, reason) per document, in order, streaming. Never imports the
NLP, so it can be tested and reused (a web upload, a batch job) on its own.
"""

from quotegraph.reading.articles import (
    Duplicate,
    Sources,
    find_sources,
    iter_articles,
    normalised_url,
    read_sources,
)
from quotegraph.reading.files import (
    DEFAULT_MAX_BYTES,
    STDIN,
    Article,
    InputFile,
    ReadError,
    check_bytes,
    find_inputs,
    iter_inputs,
    read_input,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "STDIN",
    "Article",
    "Duplicate",
    "InputFile",
    "ReadError",
    "Sources",
    "check_bytes",
    "find_inputs",
    "find_sources",
    "iter_articles",
    "iter_inputs",
    "normalised_url",
    "read_input",
    "read_sources",
]
