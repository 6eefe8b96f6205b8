"""The pages people use: Analyse, Speakers, Search, Claims, Disputes and Article, rendered on
the server.

Each handler gathers what its template shows from the same functions the API calls; the
templates (Jinja2, autoescaping on) only lay it out. The small script in ``static/`` adds the
hover/focus link between an attribution's parts, its speaker and its row in the side table;
everything works without it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from quotegraph.model import ArticleResult
from quotegraph.reading import Article
from quotegraph.store import queries
from quotegraph.web.analysis import article_from_file, article_from_text, article_from_url
from quotegraph.web.api import corpus
from quotegraph.web.chart import timeline
from quotegraph.web.disputes import (
    DISPUTE_LEGEND,
    dispute_lines,
    dispute_url,
    drawing,
    edge_rows,
    is_dispute_act,
)
from quotegraph.web.errors import BadInput, NotFound, WebError, cursor_checked
from quotegraph.web.marking import attribution_numbers, mark_article

router = APIRouter(include_in_schema=False)
Corpus = Annotated[sqlite3.Connection, Depends(corpus)]
PAGE_SIZE = 25
#: The most edges the Disputes page lists (the most frequent; the API gives them all).
MAX_EDGES = 300
#: Legend entries: the CSS class of each role and what it means.
LEGEND = (
    ("source", "Source", "who: the name, pronoun or description the article uses"),
    ("cue", "Cue", "how: said, told, according to ..."),
    ("content", "Content", "what was said, quoted or reported"),
)


@dataclass
class Row:
    """One attribution in the side table: who said what, how."""

    id: str
    number: int
    speaker: str
    speaker_url: str | None
    source: str | None
    cue: str | None
    kind: str
    content: str
    confidence: float
    claim_url: str | None = None
    act: str | None = None  # the speech act (state, claim, accuse, deny, reject, ...)
    disputes: bool = False  # whether the act is a dispute (accuse, deny, reject)
    embedded: bool = False  # a claim reported inside a dispute ("Ukraine's claims that ...")


# --- analyse ----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def analyse_form(request: Request, conn: Corpus) -> Response:
    """The Analyse page, empty: paste, upload or give a URL."""
    return _render(request, "analyse.html", "analyse", form={}, stats=queries.counts(conn))


@router.post("/analyse", response_class=HTMLResponse)
async def analyse(request: Request) -> Response:
    """Extract the article the form gives and show it marked up, with the side table."""
    given = {"text": "", "url": ""}
    try:
        async with request.form() as form:  # closes the upload's temporary file
            given = {key: _text(form.get(key)) for key in ("text", "url")}
            upload = form.get("file")
            upload = upload if isinstance(upload, UploadFile) and upload.filename else None
            read = await _form_reader(request, given, upload)
        result = await request.app.state.analyser.analyse(read)
    except WebError as error:
        return _render(request, "analyse.html", "analyse", form=given, error=error.message,
                       status_code=error.status_code)
    with request.app.state.pool.connection() as conn:
        links = corpus_links(conn, result)
    return _render(request, "analyse.html", "analyse", form=given,
                   **article_context(result, links, {}))


async def _form_reader(
    request: Request, given: dict[str, str], upload: UploadFile | None
) -> Callable[[], Article]:
    """How to read the one input the form names; more than one, or none, is for the user to
    fix."""
    chosen = [name for name, value in (("a file", upload is not None),
                                       ("a URL", given["url"].strip()),
                                       ("text", given["text"].strip())) if value]
    if len(chosen) != 1:
        what = "nothing" if not chosen else " and ".join(chosen)
        raise BadInput(f"You gave {what}: give one article, as pasted text, a file or a URL.")
    settings = request.app.state.settings
    if upload is not None:
        name, data = upload.filename or "article.txt", await upload.read()
        return lambda: article_from_file(name, data, settings.max_bytes)
    if given["url"].strip():
        if not settings.fetch_urls:
            raise BadInput("This server does not fetch URLs; paste the article or upload it.")
        return lambda: article_from_url(given["url"], settings.max_bytes)
    return lambda: article_from_text(given["text"], "pasted", settings.max_bytes)


def corpus_links(conn: sqlite3.Connection, record: ArticleResult) -> dict[str, tuple[int, str]]:
    """The corpus speaker each of a fresh record's speakers is, when the corpus knows exactly
    one speaker of that name and type (so the Analyse page can link to speaker pages)."""
    links = {}
    for speaker in record.speakers:
        found = [s for s in queries.find_speakers(conn, speaker.name) if s.type == speaker.type]
        if len(found) == 1:
            links[speaker.id] = (found[0].id, found[0].name)
    return links


def article_context(
    record: ArticleResult, links: dict[str, tuple[int, str]], claims: dict[str, int]
) -> dict[str, Any]:
    """What the article templates show: the marked blocks, the side table, the legend."""
    numbers = attribution_numbers(record)
    rows = []
    for attribution in record.attributions:
        speaker = record.speaker(attribution.speaker)
        link = links.get(attribution.speaker or "")
        source = attribution.source.text if attribution.source else None
        name = link[1] if link else (speaker.name if speaker else source or "(unattributed)")
        claim = claims.get(attribution.id)
        rows.append(Row(
            id=attribution.id, number=numbers[attribution.id], speaker=name,
            speaker_url=f"/speakers/{link[0]}" if link else None, source=source,
            cue=attribution.cue.text if attribution.cue else None, kind=attribution.kind,
            content=" … ".join(" ".join(f.text.split()) for f in attribution.content),
            confidence=attribution.confidence,
            claim_url=f"/claims/{claim}" if claim else None,
            act=attribution.act, disputes=is_dispute_act(attribution.act),
            embedded=attribution.embedded,
        ))
    rows.sort(key=lambda row: row.number)
    return {
        "record": record, "blocks": mark_article(record), "rows": rows,
        "by_id": {row.id: row for row in rows},
        "legend": (*LEGEND, DISPUTE_LEGEND) if record.disputes else LEGEND,
        "speaker_count": len({row.speaker for row in rows}),
        "disputes": dispute_lines(record, links, numbers),
    }


# --- speakers ---------------------------------------------------------------------------------


@router.get("/speakers", response_class=HTMLResponse)
def speakers(
    request: Request, conn: Corpus,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str, Query(max_length=400)] = "",
) -> Response:
    """The speaker directory, most statements first; ``q`` finds speakers by name."""
    if q.strip():
        page = queries.Page(queries.find_speakers(conn, q)[:200])
    else:
        with cursor_checked(cursor):
            page = queries.top_speakers(conn, limit=PAGE_SIZE, cursor=cursor or None)
    more = f"/speakers?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else None
    return _render(request, "speakers.html", "speakers", speakers=page.items, q=q, more=more)


@router.get("/speakers/{speaker_id}", response_class=HTMLResponse)
def speaker(
    request: Request, conn: Corpus, speaker_id: Annotated[int, Path(ge=1)],
    cursor: Annotated[str, Query(max_length=400)] = "",
) -> Response:
    """One speaker: names and descriptions, statements over time, outlets, statements."""
    summary = queries.speaker_summary(conn, speaker_id)
    if summary is None:
        raise NotFound(f"There is no speaker #{speaker_id} in this corpus.")
    with cursor_checked(cursor):
        said = queries.find_quotes(conn, speaker=str(speaker_id), limit=PAGE_SIZE,
                                   cursor=cursor or None)
    per_day = queries.statements_per_day(conn, speaker_id)
    disputes = queries.speaker_disputes(conn, speaker_id)
    more = None
    if said.next_cursor:
        more = f"/speakers/{speaker_id}?{urlencode({'cursor': said.next_cursor})}#statements"
    return _render(
        request, "speaker.html", "speakers", speaker=summary, quotes=said.items, more=more,
        chart=timeline(per_day), per_day=per_day,
        outlets=queries.outlets_quoting(conn, speaker_id),
        disputes=disputes["disputes"], disputed_by=disputes["disputed_by"],
        dispute_url=dispute_url,
    )


# --- search -----------------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, conn: Corpus,
    query: Annotated[str, Query(max_length=500)] = "",
    speaker: Annotated[str, Query(max_length=200)] = "",
    outlet: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
    kind: Annotated[str, Query(pattern="^(|direct|indirect|mixed)$")] = "",
    cursor: Annotated[str, Query(max_length=400)] = "",
) -> Response:
    """Full-text search over what was said, filtered by speaker, outlet and dates."""
    filters = {"query": query, "speaker": speaker, "outlet": outlet, "since": since,
               "until": until, "kind": kind}
    searched = any(value.strip() for value in filters.values())
    results, more, error = [], None, None
    if searched:
        try:
            with cursor_checked(cursor):
                page = queries.find_quotes(
                    conn, speaker=speaker.strip() or None, outlet=outlet or None,
                    since=since or None, until=until or None, text=query.strip() or None,
                    kind=kind or None, limit=PAGE_SIZE, cursor=cursor or None,
                )
            results = page.items
            if page.next_cursor:
                more = f"/search?{urlencode({**filters, 'cursor': page.next_cursor})}"
        except queries.QueryError as problem:
            error = str(problem).replace("--", "")
    return _render(
        request, "search.html", "search", filters=filters, searched=searched, results=results,
        more=more, error=error, outlets=queries.outlet_counts(conn),
        words=[w.lower() for w in query.split() if w.strip()],
        status_code=400 if error else 200,
    )


# --- articles and claims ----------------------------------------------------------------------


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article(request: Request, conn: Corpus, article_id: str) -> Response:
    """A stored article with its attributions marked and linked to speakers and claims."""
    view = queries.article_view(conn, article_id)
    if view is None:
        raise NotFound(f"There is no article {article_id!r} in this corpus.")
    return _render(request, "article.html", "", outlet=view.outlet, published=view.published,
                   **article_context(view.record, view.corpus_speakers, view.claims))


@router.get("/claims", response_class=HTMLResponse)
def claims(
    request: Request, conn: Corpus, cursor: Annotated[str, Query(max_length=400)] = "",
) -> Response:
    """Quotes carried by several articles, most articles first."""
    with cursor_checked(cursor):
        page = queries.top_claims(conn, limit=PAGE_SIZE, cursor=cursor or None)
    more = f"/claims?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else None
    return _render(request, "claims.html", "claims", claims=page.items, more=more)


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim(request: Request, conn: Corpus, claim_id: Annotated[int, Path(ge=1)]) -> Response:
    """A quote and every article that carried it, oldest first."""
    detail = queries.claim_detail(conn, claim_id)
    if detail is None:
        raise NotFound(f"There is no claim #{claim_id} in this corpus.")
    return _render(request, "claim.html", "claims", detail=detail)


# --- disputes ---------------------------------------------------------------------------------


@router.get("/disputes", response_class=HTMLResponse)
def disputes(
    request: Request, conn: Corpus, speaker: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Who disputes whom: each (speaker, act, party) edge with counts and an example, and a
    drawing of the most involved parties; ``speaker`` keeps the disputes one speaker makes."""
    graph = queries.dispute_graph(conn, speaker=speaker.strip() or None)
    rows = edge_rows(graph)
    return _render(request, "disputes.html", "disputes", speaker=speaker, edges=rows[:MAX_EDGES],
                   total=len(rows), drawing=drawing(graph))


# --- helpers ----------------------------------------------------------------------------------


def _render(request: Request, template: str, nav: str, status_code: int = 200,
            **context: Any) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, {"nav": nav, **context},
                                      status_code=status_code)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
