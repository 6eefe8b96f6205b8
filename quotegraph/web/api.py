"""The REST API, ``/v1``: extraction and the corpus as stable JSON.

Each handler checks its input, calls one function of :mod:`quotegraph.web.analysis` or
:mod:`quotegraph.store.queries` (the functions the command line calls) and returns its result
as JSON. Lists are pages (``items``, ``next_cursor``). Writes (ingest, merge) need the token.
"""

from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from quotegraph.model import ArticleResult
from quotegraph.reading import Article
from quotegraph.store import queries
from quotegraph.web.analysis import (
    article_from_file,
    article_from_html,
    article_from_text,
    article_from_url,
)
from quotegraph.web.errors import (
    BadInput,
    Forbidden,
    NotFound,
    Unauthorized,
    UnsupportedMediaType,
    cursor_checked,
)

router = APIRouter(prefix="/v1", tags=["v1"])

Limit = Annotated[int, Query(ge=1, le=200, description="items per page (1-200)")]
Cursor = Annotated[str | None, Query(max_length=400, description="next_cursor of the page before")]
#: Meta fields a caller may give with an article; they win over what is found in it.
GIVEN_META = ("title", "url", "published", "outlet", "authors")


class ArticleInput(BaseModel):
    """One article to analyse: its ``text``, or a page's ``html``, or a ``url`` to fetch."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="the article as plain text, used exactly")
    html: str | None = Field(None, description="a saved web page; its article is found in it")
    url: str | None = Field(
        None, max_length=2000,
        description="with html: where the page came from; alone: fetched by the server",
    )
    id: str | None = Field(None, max_length=200, description="the record's id")
    meta: dict[str, Any] | None = Field(
        None, description="title, url, published, outlet, authors to record with the article",
    )


class IngestRequest(BaseModel):
    """Records to store as they are (``records``), or one article to extract and store."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] | None = Field(
        None, max_length=1000, description="schema records, e.g. from `quotegraph extract`",
    )
    article: ArticleInput | None = None


class MergeRequest(BaseModel):
    """Make this speaker part of speaker ``into``."""

    model_config = ConfigDict(extra="forbid")

    into: int = Field(..., ge=1, description="the speaker id to merge into")


_EXTRACT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ArticleInput.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary",
                                 "description": ".txt, .html or any file `extract` reads"},
                        "text": {"type": "string"},
                        "url": {"type": "string"},
                        "id": {"type": "string"},
                    },
                }
            },
        },
    }
}


# --- extraction -------------------------------------------------------------------------------


@router.post("/extract", summary="Extract the attributions of one article",
             openapi_extra=_EXTRACT_BODY)
async def extract(request: Request) -> dict[str, Any]:
    """The schema record (``shared/docs/output-schema.md``) for one article, sent as JSON
    (``text``, ``html`` or ``url``) or as a file upload (multipart field ``file``)."""
    read = await article_reader(request)
    result = await request.app.state.analyser.analyse(read)
    return result.to_dict()


async def article_reader(request: Request) -> Callable[[], Article]:
    """How to read the article a request carries, checked before any slow work starts."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        return reader_for(_validated(ArticleInput, await _json_body(request)), request)
    if kind == "multipart/form-data":
        return await _form_reader(request)
    raise UnsupportedMediaType(
        f"cannot read a {kind or 'body without a content type'}; send JSON "
        '({"text": ...}, {"html": ...} or {"url": ...}) or a multipart upload with a "file" field'
    )


def reader_for(given: ArticleInput, request: Request) -> Callable[[], Article]:
    """A function reading the one input ``given`` names, with its given meta applied."""
    settings = request.app.state.settings
    max_bytes = settings.max_bytes
    named = [name for name in ("text", "html") if getattr(given, name) is not None]
    if len(named) > 1:
        raise BadInput("give either text or html, not both")
    if given.text is not None:
        def read() -> Article:
            return article_from_text(given.text or "", given.id, max_bytes)
    elif given.html is not None:
        def read() -> Article:
            return article_from_html(given.html or "", given.url, given.id)
    elif given.url:
        if not settings.fetch_urls:
            raise Forbidden("this server does not fetch URLs; send the page's html instead")
        url = given.url
        def read() -> Article:
            return _renamed(article_from_url(url, max_bytes), given.id)
    else:
        raise BadInput('give the article: {"text": ...}, {"html": ...} or {"url": ...}')
    return _with_meta(read, given.meta or {})


async def _form_reader(request: Request) -> Callable[[], Article]:
    async with request.form() as form:  # closes the upload's temporary file
        upload = form.get("file")
        article_id = _form_text(form.get("id")) or None
        fields = {key: _form_text(form.get(key)) or None for key in ("text", "url")}
        if isinstance(upload, UploadFile) and upload.filename:
            data, name = await upload.read(), upload.filename
            max_bytes = request.app.state.settings.max_bytes
            return lambda: _renamed(article_from_file(name, data, max_bytes), article_id)
    return reader_for(ArticleInput(text=fields["text"], url=fields["url"], id=article_id), request)


# --- speakers ---------------------------------------------------------------------------------


def corpus(request: Request) -> Iterator[sqlite3.Connection]:
    """A corpus connection for the length of one request."""
    with request.app.state.pool.connection() as conn:
        yield conn


Corpus = Annotated[sqlite3.Connection, Depends(corpus)]


@router.get("/speakers", summary="Speakers, most statements first")
def list_speakers(
    conn: Corpus, limit: Limit = 20, cursor: Cursor = None,
    type: Annotated[str | None, Query(max_length=40, description="PERSON, ORG, ...")] = None,
    name: Annotated[str | None, Query(max_length=200,
                                      description="only speakers going by this name")] = None,
) -> dict[str, Any]:
    """Corpus speakers with counts, aliases and descriptions; ``name`` finds speakers by a
    name, alias or part of one (one page: the matches)."""
    if name:
        found = queries.find_speakers(conn, name)
        return page_json(queries.Page(found[:limit]))
    with cursor_checked(cursor):
        return page_json(queries.top_speakers(conn, limit=limit, cursor=cursor, type=type))


@router.get("/speakers/{speaker_id}", summary="One speaker: names, attributions, per-day count")
def get_speaker(
    conn: Corpus, speaker_id: Annotated[int, Path(ge=1)], limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """A speaker with its statements per day, the outlets quoting it, a page of its
    attributions, newest first, and its latest ``disputes`` (``disputes``: made by the speaker,
    ``disputed_by``: aimed at them)."""
    summary = queries.speaker_summary(conn, speaker_id)
    if summary is None:
        raise NotFound(f"no speaker #{speaker_id} in this corpus; list them at /v1/speakers")
    with cursor_checked(cursor):
        said = queries.find_quotes(conn, speaker=str(speaker_id), limit=limit, cursor=cursor)
    return {
        "speaker": asdict(summary),
        "per_day": [{"day": c.key, "count": c.count}
                    for c in queries.statements_per_day(conn, speaker_id)],
        "outlets": [{"outlet": c.key, "count": c.count}
                    for c in queries.outlets_quoting(conn, speaker_id)],
        "attributions": page_json(said),
        "disputes": {key: [asdict(row) for row in rows]
                     for key, rows in queries.speaker_disputes(conn, speaker_id).items()},
    }


# --- attributions, articles, claims -----------------------------------------------------------


@router.get("/attributions", summary="Search attributions")
def search_attributions(
    conn: Corpus,
    query: Annotated[str | None, Query(max_length=500,
                                       description="words the content must all contain")] = None,
    speaker: Annotated[str | None, Query(max_length=200,
                                         description="a speaker id, name or alias")] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD, included")] = None,
    until: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD, included")] = None,
    kind: Literal["direct", "indirect", "mixed"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Attributions matching every filter given, newest article first (full-text ``query``)."""
    with cursor_checked(cursor):
        found = queries.find_quotes(
            conn, speaker=speaker or None, outlet=outlet or None, since=since or None,
            until=until or None, text=query or None, kind=kind, limit=limit, cursor=cursor,
        )
    return page_json(found)


@router.get("/articles/{article_id:path}", summary="One stored article with its attributions")
def get_article(conn: Corpus, article_id: str) -> dict[str, Any]:
    """The article's schema record, each speaker with its ``corpus_speaker`` and each
    attribution with its ``claim``, plus the article's ``outlet`` and ``published`` date."""
    view = queries.article_view(conn, article_id)
    if view is None:
        raise NotFound(f"no article {article_id!r} in this corpus; search at /v1/attributions")
    return {**view.to_dict(), "outlet": view.outlet, "published": view.published}


@router.get("/claims", summary="Quotes carried by several articles")
def list_claims(
    conn: Corpus, limit: Limit = 20, cursor: Cursor = None,
    min_occurrences: Annotated[int, Query(ge=1, le=1000)] = 2,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Claims, most articles first."""
    with cursor_checked(cursor):
        found = queries.top_claims(conn, min_occurrences=min_occurrences,
                                   speaker=speaker or None, limit=limit, cursor=cursor)
    return page_json(found)


@router.get("/claims/{claim_id}", summary="A quote and its occurrences across outlets")
def get_claim(conn: Corpus, claim_id: Annotated[int, Path(ge=1)]) -> dict[str, Any]:
    """The claim's fullest wording, every article carrying it (outlet, date, speaker) and
    indirect reports by the same speaker that say the same thing."""
    detail = queries.claim_detail(conn, claim_id)
    if detail is None:
        raise NotFound(f"no claim #{claim_id} in this corpus; list them at /v1/claims")
    return {
        "claim": asdict(detail.claim),
        "occurrences": [asdict(o) for o in detail.occurrences],
        "reports": [asdict(r) for r in detail.reports],
    }


# --- disputes ---------------------------------------------------------------------------------


@router.get("/disputes", summary="Dispute edges: who accuses, denies or rejects whom")
def list_disputes(
    conn: Corpus,
    speaker: Annotated[str | None, Query(max_length=200, description=(
        "disputes made by this speaker (an id, name or alias)"))] = None,
    party: Annotated[str | None, Query(max_length=200, description=(
        "disputes aimed at this speaker or at a party of this name"))] = None,
    act: Literal["accuse", "deny", "reject"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Dispute edges, newest article first: the disputing speaker, the act, the disputed party
    (``party_id`` when it is a corpus speaker), the disputed claim's content where the text
    gives it, and the evidence. These report who says what; they never say who is right."""
    with cursor_checked(cursor):
        found = queries.find_disputes(conn, speaker=speaker or None, party=party or None,
                                      act=act, limit=limit, cursor=cursor)
    return page_json(found)


@router.get("/disputes/graph", summary="Who disputes whom, as a graph")
def disputes_graph(
    conn: Corpus,
    speaker: Annotated[str | None, Query(max_length=200, description=(
        "only the disputes this speaker makes (an id, name or alias)"))] = None,
    examples: Annotated[int, Query(ge=0, le=20, description="examples kept per edge")] = 3,
) -> dict[str, Any]:
    """``nodes`` (``speaker:ID`` for corpus speakers, ``party:NAME`` for parties the corpus does
    not know as speakers) and ``edges`` aggregated by speaker, party and act, with ``count``,
    ``articles`` and a few examples. Disputes with no named party are left out (list them at
    /v1/disputes)."""
    return queries.dispute_graph(conn, speaker=speaker or None, examples=examples).to_dict()


# --- writes (token only) ----------------------------------------------------------------------


def require_token(request: Request) -> None:
    """Writes are off without a configured token, and need it sent as a bearer token."""
    token = request.app.state.settings.token
    if not token:
        raise Forbidden(
            "writing to the corpus over HTTP is off on this server; start it with --token "
            "(or $QUOTEGRAPH_TOKEN) to allow ingest and merge"
        )
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        error = Unauthorized("send the server's token as `Authorization: Bearer TOKEN`")
        error.headers = {"WWW-Authenticate": "Bearer"}
        raise error


@router.post("/articles", status_code=201, dependencies=[Depends(require_token)],
             summary="Store articles in the corpus (token)")
async def ingest(request: Request, body: IngestRequest) -> dict[str, Any]:
    """Store ``records`` as given, or extract ``article`` and store it; the corpus's speakers
    and claims are updated in the same transaction."""
    if (body.records is None) == (body.article is None):
        raise BadInput('give either "records" (a list of schema records) or "article"')
    if body.article is not None:
        records = [await request.app.state.analyser.analyse(reader_for(body.article, request))]
    else:
        records = [_record(number, data) for number, data in enumerate(body.records or [], 1)]
    with request.app.state.pool.writer() as store:
        report = store.write_batch(records)
    return {**asdict(report), "articles": [r.id for r in records]}


@router.post("/speakers/{speaker_id}/merge", dependencies=[Depends(require_token)],
             summary="Make one speaker part of another (token)")
def merge_speaker(
    request: Request, speaker_id: Annotated[int, Path(ge=1)], body: MergeRequest,
) -> dict[str, Any]:
    """The decision is kept in the corpus and holds when articles are re-ingested."""
    if speaker_id == body.into:
        raise BadInput("a speaker cannot be merged into itself; give another speaker as into")
    with request.app.state.pool.writer() as store:
        for wanted in (speaker_id, body.into):
            if queries.speaker_summary(store.conn, wanted) is None:
                raise NotFound(f"no speaker #{wanted} in this corpus")
        store.merge_speakers(speaker_id, body.into)
        merged = queries.find_speakers(store.conn, str(body.into))
    return {"speaker": asdict(merged[0]) if merged else None}


# --- helpers ----------------------------------------------------------------------------------


def page_json(page: queries.Page[Any]) -> dict[str, Any]:
    """A page as the API's stable JSON: ``items`` (dataclasses as objects), ``next_cursor``."""
    return {"items": [asdict(item) for item in page.items], "next_cursor": page.next_cursor}


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"the body is not valid JSON ({exc}); send a JSON object") from None


def _validated(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None


def _with_meta(read: Callable[[], Article], given: dict[str, Any]) -> Callable[[], Article]:
    wanted = {key: given[key] for key in GIVEN_META if given.get(key) is not None}
    if not wanted:
        return read
    return lambda: _meta_applied(read(), wanted)


def _meta_applied(article: Article, given: dict[str, Any]) -> Article:
    return Article(article.id, article.text, {**article.meta, **given})


def _renamed(article: Article, article_id: str | None) -> Article:
    return Article(article_id, article.text, article.meta) if article_id else article


def _form_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _record(number: int, data: dict[str, Any]) -> ArticleResult:
    try:
        record = ArticleResult.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"records[{number - 1}] is not a schema record ({exc!r}); send what "
                       "`quotegraph extract` writes") from None
    for span in (s for a in record.attributions for s in (a.source, a.cue, *a.content) if s):
        if record.text[span.start:span.end] != span.text:
            raise BadInput(f"records[{number - 1}] ({record.id}): a span's text does not match "
                           f"text[{span.start}:{span.end}]; offsets must index the text")
    return record
