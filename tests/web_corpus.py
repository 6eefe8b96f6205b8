"""A corpus for the web tests, built from hand-written records (no model needed), and the
articles that test escaping and non-article blocks."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from store_articles import LAVROV_ARTICLES, SMITH_ARTICLES, Said, record

from quotegraph.model import ArticleResult
from quotegraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "quotegraph" / "models" / "fast" / "tagger.bin"
FOUNDING_EXAMPLE = ROOT.parent / "shared" / "examples" / "lavrov-hanoi.txt"
NO_MODEL = f"needs the trained model ({MODEL.relative_to(ROOT)} is absent)"

#: An article whose text is an attack if it is ever treated as markup.
SCRIPT_TEXT = (
    "Council <script>window.__pwned = 1; alert('pwned')</script> vote delayed\n\n"
    "Mayor Helen Tarrant said the <b>vote</b> would be held <img src=x onerror=alert(1)> "
    "next week.\n\n"
    "Photo credit: <i>Jane Okafor</i> / Marlow Gazette"
)

SCRIPT_ARTICLE = record(
    "script-article",
    SCRIPT_TEXT,
    Said("Mayor Helen Tarrant", "said",
         ["the <b>vote</b> would be held <img src=x onerror=alert(1)> next week"],
         speaker="Helen Tarrant", descriptions=["Mayor"]),
    outlet="Marlow Gazette", published="2024-04-02",
)

CREDITED_ARTICLE = record(
    "credited",
    "Harbour bridge to be rebuilt\n\n"
    "Photo credit: Jane Okafor / Marlow Gazette\n\n"
    "Mayor Helen Tarrant said the council would borrow the money.\n\n"
    "Related posts\n"
    "- Harbour bridge closed to lorries after inspection finds cracks",
    Said("Mayor Helen Tarrant", "said", ["the council would borrow the money"],
         speaker="Helen Tarrant", descriptions=["Mayor"]),
    outlet="Marlow Gazette", published="2024-04-01",
)

RECORDS: tuple[ArticleResult, ...] = (
    *LAVROV_ARTICLES, *SMITH_ARTICLES, SCRIPT_ARTICLE, CREDITED_ARTICLE,
)


def build_corpus(path: Path) -> Path:
    """A corpus database at ``path`` holding :data:`RECORDS`."""
    with Store.open(path) as store:
        store.write_batch(RECORDS)
    return path


def client_for(app: Any) -> Any:
    """Starlette's test client, without its warning about the httpx package version."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app)
