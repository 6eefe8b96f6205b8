"""Reading: turn files, folders and stdin into articles (id, exact text, meta).

Never imports the NLP, so it can be tested and reused (a web upload, a batch job) on its own.
"""

from quotegraph.reading.articles import iter_articles
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
    "InputFile",
    "ReadError",
    "check_bytes",
    "find_inputs",
    "iter_articles",
    "iter_inputs",
    "read_input",
]
