"""The web app and the REST API over the corpus and the extraction engine.

``create_app(db_path)`` builds a FastAPI application: JSON endpoints under ``/v1`` and
server-rendered pages (Analyse, Speakers, Search, Article, Claim). Both call the same functions
the command line calls: :mod:`quotegraph.reading` to read an input, ``quotegraph.extract`` to
extract, :mod:`quotegraph.store.queries` to read the corpus. ``quotegraph serve`` runs it.

FastAPI is imported on first use of ``create_app``, so that ``quotegraph --help`` and the other
commands, which import ``quotegraph.web.cli``, do not pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from quotegraph.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'quotegraph.web' has no attribute {name!r}")
