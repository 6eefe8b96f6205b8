"""Errors a request can end in, each with its HTTP status and a message saying what to do.

They are HTTP exceptions so that FastAPI lets them through its own body parsing untouched
(a body over the size limit must come back as 413, not as a parse error).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.exceptions import HTTPException

from quotegraph.store.queries import QueryError


class WebError(HTTPException):
    """An error with a status and a message meant for the person who sent the request."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(status_code=self.status, detail=message)
        self.message = message


class BadInput(WebError):
    status = 400


class Unauthorized(WebError):
    status = 401


class Forbidden(WebError):
    status = 403


class NotFound(WebError):
    status = 404


class TooLarge(WebError):
    status = 413


class Unavailable(WebError):
    status = 503


class UnsupportedMediaType(WebError):
    status = 415


@contextmanager
def cursor_checked(cursor: str | None) -> Iterator[None]:
    """A damaged ``cursor`` (edited by hand, from another corpus) is a 400 saying to start over,
    not a server error."""
    try:
        yield
    except QueryError:
        raise
    except ValueError as exc:
        if not cursor:
            raise
        raise BadInput(
            f"cursor {cursor!r} is not one this server gave out; start again from the first page"
        ) from exc
