"""Fetching an article by URL: the only network use in quotegraph.

A fetch has a timeout, a size cap (the same ``--max-bytes`` as files) and a user agent that says
who is asking, so a site operator who sees quotegraph in their logs knows what it is. Every
failure becomes an :class:`Unreadable` naming what went wrong and what to try.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from quotegraph import __version__
from quotegraph.reading.problems import Unreadable

#: Seconds to wait for the server to answer (connect, and each read).
TIMEOUT_S = 20.0
USER_AGENT = (
    f"quotegraph/{__version__} (attribution extraction from news articles; one request per "
    "article given on the command line)"
)
SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class Fetched:
    """A fetched document: the final URL (after redirects), its bytes and content type."""

    url: str
    payload: bytes
    content_type: str


def is_url(path: str) -> bool:
    """Whether a command-line argument names a web address rather than a file."""
    return path.lower().startswith(SCHEMES)


def fetch(url: str, max_bytes: int, timeout: float = TIMEOUT_S) -> Fetched:
    """GET ``url``; raises :class:`Unreadable` for any failure, saying what to do."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise Unreadable(_too_large(f"{int(declared):,} bytes", max_bytes))
            payload = response.read(max_bytes + 1)
            if len(payload) > max_bytes:
                raise Unreadable(_too_large(f"more than {max_bytes:,} bytes", max_bytes))
            return Fetched(response.geturl(), payload, response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as exc:
        answer = f"the server answered HTTP {exc.code} {exc.reason}; check the URL"
        raise Unreadable(answer) from exc
    except urllib.error.URLError as exc:
        raise Unreadable(_unreachable(exc.reason, timeout)) from exc
    except TimeoutError as exc:
        raise Unreadable(_unreachable(exc, timeout)) from exc
    except (OSError, ValueError) as exc:
        raise Unreadable(f"the page could not be fetched ({exc}); check the URL") from exc


def _unreachable(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer from the server within {timeout:g} s; try again later"
    return f"the server could not be reached ({reason}); check the URL and the network"


def _too_large(size: str, max_bytes: int) -> str:
    return (
        f"the page is {size}, over the {max_bytes:,} bytes limit; raise the limit with "
        "--max-bytes to read it"
    )
