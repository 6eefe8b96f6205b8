"""The one exception the readers raise among themselves for a document that cannot be used.

It never leaves :mod:`quotegraph.reading`: :func:`quotegraph.reading.iter_articles` turns it into
a :class:`~quotegraph.reading.files.ReadError` in the document's place, so a batch goes on.
"""


class Unreadable(Exception):
    """A document that cannot be made into an article; ``str()`` tells the user what and why."""
