"""The application factory: ``create_app(db_path)`` wires the API, the pages and the limits.

Everything a request needs (the corpus pool, the analyser, the templates, the settings) hangs
off ``app.state``, so several apps (tests, a benchmark) can live in one process side by side.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException
from starlette.templating import Jinja2Templates

from quotegraph import __version__
from quotegraph.store.queries import QueryError
from quotegraph.web import api, pages
from quotegraph.web.analysis import Analyser
from quotegraph.web.corpus import CorpusPool, QueryTimeout
from quotegraph.web.limits import BodyLimit, SecurityHeaders
from quotegraph.web.marking import highlight_words

HERE = Path(__file__).resolve().parent

API_DESCRIPTION = """\
Who said what, how: attributions (source, cue, content) with the speaker resolved, extracted
from English news articles and stored in a corpus, with each attribution's speech act and
the disputes between speakers (who accuses, denies or rejects whom; never who is right).

Every list is a page: `{"items": [...], "next_cursor": "..."}`; pass `cursor=next_cursor` for
the next one (`null` on the last page). Errors are `{"error": {"status", "message"}}`, with
`details` for invalid parameters (422). Write endpoints need `Authorization: Bearer TOKEN` and
are off unless the server was started with a token.
"""


@dataclass(frozen=True)
class Settings:
    """How one server behaves; ``quotegraph serve`` fills it from its options."""

    db_path: str
    token: str | None = None
    max_bytes: int = 2_000_000  # the largest request body, uploads included
    time_limit_s: float = 30.0  # reading + extracting one article
    query_time_limit_s: float = 10.0  # one corpus query
    fetch_urls: bool = True  # whether Analyse and /v1/extract may fetch a URL


def create_app(
    db_path: str | Path,
    token: str | None = None,
    *,
    max_bytes: int = Settings.max_bytes,
    time_limit_s: float = Settings.time_limit_s,
    query_time_limit_s: float = Settings.query_time_limit_s,
    fetch_urls: bool = True,
    analyser: Analyser | None = None,
    mode: str = "fast",
) -> FastAPI:
    """The web app over the corpus at ``db_path`` (created if missing).

    ``token`` turns on the write endpoints (ingest, speaker merge) for requests that send it.
    ``analyser`` replaces the extraction engine (tests); by default it is ``quotegraph.extract``
    in ``mode`` (fast or accurate).
    """
    settings = Settings(str(db_path), token or None, max_bytes, time_limit_s,
                        query_time_limit_s, fetch_urls)
    app = FastAPIOffline(
        title="quotegraph", version=__version__, description=API_DESCRIPTION,
        favicon_url="/static/favicon.svg",
    )
    app.state.settings = settings
    app.state.pool = CorpusPool(settings.db_path, time_limit_s=query_time_limit_s)
    app.state.analyser = analyser or Analyser(time_limit_s, mode=mode)
    app.state.templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _add_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=max_bytes)
    app.add_middleware(SecurityHeaders)
    app.router.on_shutdown.append(app.state.pool.close)
    return app


def _templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template: article text is never markup."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals["highlight"] = highlight_words
    return Jinja2Templates(env=env)


def _add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(QueryTimeout, _query_timeout)
    app.add_exception_handler(sqlite3.OperationalError, _database_error)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "the request could not be served"
    if exc.status_code == 404 and message == "Not Found":
        message = f"there is nothing at {request.url.path}; check the address"
    if exc.status_code == 405:
        message = f"{request.method} is not accepted at {request.url.path}"
    return error_response(request, exc.status_code, message, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"where": ".".join(str(part) for part in error.get("loc", ())), "problem": error["msg"]}
        for error in exc.errors()
    ]
    listed = "; ".join(f"{d['where']}: {d['problem']}" for d in details)
    return error_response(request, 422, f"invalid parameters ({listed}); fix them and retry",
                          details=details)


async def _query_error(request: Request, exc: Exception) -> Response:
    message = str(exc).replace("--since", "since").replace("--until", "until")
    return error_response(request, 400, message.replace("--query", "query"))


async def _query_timeout(request: Request, exc: Exception) -> Response:
    return error_response(request, 503, str(exc))


async def _database_error(request: Request, exc: Exception) -> Response:
    if "interrupted" in str(exc):
        return error_response(request, 503, "the query took too long; narrow it down")
    raise exc


def error_response(
    request: Request, status: int, message: str, details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """JSON for the API, a page for people: the same status and message either way."""
    if request.url.path.startswith("/v1/") or request.url.path == "/v1":
        error: dict[str, Any] = {"status": status, "message": message}
        if details is not None:
            error["details"] = details
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, "nav": ""},
        status_code=status, headers=headers,
    )


