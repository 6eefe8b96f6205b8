"""``quotegraph serve``: the web app and REST API on a local port.

Binds to loopback unless told otherwise, so starting it on a laptop exposes nothing; the write
endpoints stay off unless a token is given. FastAPI and uvicorn are imported only when the
command runs, so the rest of the command line stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from quotegraph.arguments import add_mode, positive_int
from quotegraph.store.store import DEFAULT_DB

EXIT_OK, EXIT_FAILURES = 0, 1

SERVE_EPILOG = f"""\
Opens the corpus (--db, else $QUOTEGRAPH_DB, else {DEFAULT_DB}; created if missing) and serves:
  /            Analyse: paste, upload or fetch an article, see who said what
  /speakers    the speaker directory and a page per speaker
  /search      full-text search over what was said
  /docs        the REST API (/v1/...), interactive

examples:
  quotegraph serve
  quotegraph serve --db news.db --port 8080
  QUOTEGRAPH_TOKEN=secret quotegraph serve      # allow POST /v1/articles and speaker merges

Listening on anything but loopback (--host 0.0.0.0) makes the server reachable from other
machines: put it behind a proxy with TLS, and set a token only if writes are needed.
"""


def register(commands: Any) -> None:
    """Add ``serve`` to the ``quotegraph`` subcommand parser."""
    serve = commands.add_parser(
        "serve", help="the web app and REST API over the corpus",
        description="Serve the web app (Analyse, Speakers, Search) and the REST API.",
        epilog=SERVE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--db", metavar="FILE",
                       default=os.environ.get("QUOTEGRAPH_DB", DEFAULT_DB),
                       help=f"the corpus database (default: $QUOTEGRAPH_DB, else {DEFAULT_DB})")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    serve.add_argument("--token", default=os.environ.get("QUOTEGRAPH_TOKEN"),
                       help="allow the write endpoints for requests sending this bearer token "
                       "(default: $QUOTEGRAPH_TOKEN; without one, writes are off)")
    serve.add_argument("--max-bytes", type=positive_int, default=2_000_000, metavar="N",
                       help="refuse requests larger than N bytes (default: 2,000,000)")
    serve.add_argument("--time-limit", type=float, default=30.0, metavar="S",
                       help="seconds allowed to read and analyse one article (default: 30)")
    serve.add_argument("--no-fetch", action="store_true",
                       help="never fetch URLs for Analyse or /v1/extract")
    add_mode(serve, "extraction for Analyse and /v1/extract")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Build the app and run it under uvicorn until interrupted."""
    try:
        import uvicorn

        from quotegraph.web.app import create_app
    except ImportError as exc:
        print(f"quotegraph: serve needs FastAPI and uvicorn ({exc}); reinstall quotegraph "
              "(make setup)", file=sys.stderr)
        return EXIT_FAILURES
    try:
        app = create_app(args.db, token=args.token, max_bytes=args.max_bytes,
                         time_limit_s=args.time_limit, fetch_urls=not args.no_fetch,
                         mode=args.mode)
    except Exception as exc:  # noqa: BLE001 - a corpus that cannot be opened: say which and why
        print(f"quotegraph: cannot open the corpus {args.db}: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"quotegraph: listening on {args.host}: other machines can reach this server",
              file=sys.stderr)
    print(f"quotegraph: serving {args.db} at http://{_url_host(args.host)}:{args.port}/ "
          f"(API docs at /docs; writes {'on' if args.token else 'off'}); Ctrl-C to stop",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                timeout_keep_alive=5, limit_concurrency=64)
    return EXIT_OK


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _port(value: str) -> int:
    number = positive_int(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {number}")
    return number


