"""The corpus commands: ingest, speakers, quotes, claims, show, export.

``register(commands)`` adds them to the ``quotegraph`` command line; each handler opens the
database, calls the plain functions in :mod:`quotegraph.store.queries` (the ones the web API
calls) and prints. Nothing here imports the NLP: ``ingest`` loads the extraction engine only
when it has articles to extract.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

from quotegraph.arguments import add_mode, positive_int
from quotegraph.store.store import DEFAULT_DB

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2

_FORMATTER = argparse.RawDescriptionHelpFormatter

INGEST_EPILOG = f"""\
Reads the articles, extracts every attribution with the shipped model, and stores articles,
attributions, speakers (identified across articles) and quotes (traced across outlets) in an
SQLite corpus. Running it again over the same input changes nothing; an article whose text
changed replaces its old version; a run that was killed resumes where it stopped.

examples:
  quotegraph ingest quotegraph/samples
  quotegraph ingest news/ --db news.db
  quotegraph extract news/ > news.jsonl && quotegraph ingest --records news.jsonl

The database is --db, else $QUOTEGRAPH_DB, else {DEFAULT_DB} in the current folder.
"""

SPEAKERS_EPILOG = """\
examples:
  quotegraph speakers --top 20
  quotegraph speakers --top 5 --statements 3
  quotegraph speakers show Lavrov
  quotegraph speakers merge "Defence Ministry" "Russian Defense Ministry"
  quotegraph speakers split "Sergey Lavrov" "Lavrov"

merge A B makes speaker A part of speaker B; split S NAME detaches the mentions named NAME
from speaker S. Both decisions are stored in the corpus and hold when articles are re-ingested.
A speaker is given by its #id or by a name it goes by.
"""

QUOTES_EPILOG = """\
examples:
  quotegraph quotes --speaker Lavrov
  quotegraph quotes --outlet reuters.com --since 2024-03-01 --until 2024-03-31
  quotegraph quotes --query "harbour bridge"
"""


def register(commands: Any) -> None:
    """Add the corpus commands to the ``quotegraph`` subcommand parser."""
    _add_ingest(commands)
    _add_speakers(commands)
    _add_quotes(commands)
    _add_claims(commands)
    _add_show(commands)
    _add_export(commands)
    _add_disputes(commands)


# --- parsers ----------------------------------------------------------------------------------


def _db_option(parser: argparse.ArgumentParser, inherited: bool = False) -> None:
    parser.add_argument(
        "--db", metavar="FILE",
        default=argparse.SUPPRESS if inherited else os.environ.get("QUOTEGRAPH_DB", DEFAULT_DB),
        help=f"the corpus database (default: $QUOTEGRAPH_DB, else {DEFAULT_DB})",
    )


def _add_ingest(commands: Any) -> None:
    from quotegraph.reading import DEFAULT_MAX_BYTES

    ingest = commands.add_parser(
        "ingest", help="extract articles and store them in the corpus database",
        description="Extract attributions from articles and store them in the corpus.",
        epilog=INGEST_EPILOG, formatter_class=_FORMATTER,
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH",
                        help="article files, folders of them, or - for stdin")
    _db_option(ingest)
    ingest.add_argument("--records", action="store_true",
                        help="PATHs are JSONL records from `quotegraph extract` (no model needed)")
    ingest.add_argument("--max-bytes", type=positive_int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help=f"refuse articles larger than N bytes (default: {DEFAULT_MAX_BYTES:,})")
    ingest.add_argument("--commit-every", type=positive_int, default=None, metavar="N",
                        help="articles per transaction (default: 64)")
    ingest.add_argument("--quiet", "-q", action="store_true",
                        help="no progress or summary on stderr, only errors")
    add_mode(ingest, "extraction model")
    ingest.set_defaults(handler=run_ingest)


def _add_speakers(commands: Any) -> None:
    speakers = commands.add_parser(
        "speakers", help="list corpus speakers; merge or split them",
        description="Speakers across the corpus, most statements first.",
        epilog=SPEAKERS_EPILOG, formatter_class=_FORMATTER,
    )
    _db_option(speakers)
    speakers.add_argument("--top", type=positive_int, default=20, metavar="N",
                          help="how many to list (default: 20)")
    speakers.add_argument("--type", metavar="TYPE", help="only this type (PERSON, ORG, ...)")
    speakers.add_argument("--statements", type=int, default=0, metavar="N",
                          help="also show each speaker's N most recent statements")
    speakers.set_defaults(handler=_with_db(_list_speakers))
    actions = speakers.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", help="one speaker: names, descriptions, statements")
    show.add_argument("speaker", metavar="SPEAKER")
    _db_option(show, inherited=True)
    show.set_defaults(handler=_with_db(_show_speaker))
    merge = actions.add_parser("merge", help="make speaker A part of speaker B")
    merge.add_argument("a", metavar="A")
    merge.add_argument("b", metavar="B")
    _db_option(merge, inherited=True)
    merge.set_defaults(handler=_with_db(_merge_speakers))
    split = actions.add_parser("split", help="detach the mentions named NAME from SPEAKER")
    split.add_argument("speaker", metavar="SPEAKER")
    split.add_argument("names", nargs="+", metavar="NAME")
    _db_option(split, inherited=True)
    split.set_defaults(handler=_with_db(_split_speaker))


def _add_quotes(commands: Any) -> None:
    quotes = commands.add_parser(
        "quotes", help="who said what, filtered by speaker, outlet, date or words",
        description="Attributions in the corpus, newest first.",
        epilog=QUOTES_EPILOG, formatter_class=_FORMATTER,
    )
    _db_option(quotes)
    quotes.add_argument("--speaker", metavar="NAME", help="a speaker's name, alias or #id")
    quotes.add_argument("--outlet", metavar="X", help="the outlet (or URL host) that published it")
    quotes.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    quotes.add_argument("--until", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    quotes.add_argument("--query", metavar="TEXT", help="words the content must contain")
    quotes.add_argument("--kind", choices=("direct", "indirect", "mixed"))
    quotes.add_argument("--limit", type=positive_int, default=50, metavar="N",
                        help="how many to show (default: 50)")
    quotes.set_defaults(handler=_with_db(_list_quotes))


def _add_claims(commands: Any) -> None:
    claims = commands.add_parser(
        "claims", help="quotes carried by several articles, with where and when they appeared",
        description="Direct quotes traced across articles and outlets, most carried first.",
    )
    _db_option(claims)
    claims.add_argument("claim", nargs="?", type=int, metavar="ID", help="show one claim in full")
    claims.add_argument("--speaker", metavar="NAME", help="only this speaker's claims")
    claims.add_argument("--min", type=positive_int, default=2, metavar="N",
                        help="carried by at least N articles (default: 2)")
    claims.add_argument("--top", type=positive_int, default=20, metavar="N")
    claims.set_defaults(handler=_with_db(_claims))


def _add_show(commands: Any) -> None:
    show = commands.add_parser(
        "show", help="an article with its attributions marked",
        description="Print a stored article with each source, cue and content marked.",
    )
    show.add_argument("article", metavar="ARTICLE_ID")
    _db_option(show)
    show.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    show.set_defaults(handler=_with_db(_show_article))


def _add_export(commands: Any) -> None:
    from quotegraph.store.export import EXPORT_FORMATS

    export = commands.add_parser(
        "export", help="the corpus as JSONL records, or a CSV/Parquet table of attributions",
        description="Export the corpus: jsonl = one record per article (the extract schema plus "
        "corpus_speaker and claim fields); csv and parquet = one row per attribution.",
    )
    _db_option(export)
    export.add_argument("--format", choices=EXPORT_FORMATS, default="jsonl")
    export.add_argument("--output", "-o", metavar="FILE",
                        help="write here instead of stdout (required for parquet)")
    export.set_defaults(handler=_with_db(_export))


DISPUTES_EPILOG = """\
examples:
  quotegraph disputes                        who disputes or accuses whom, most often first
  quotegraph disputes --speaker Lavrov       what one speaker disputes, and whom
  quotegraph disputes --format graphml -o disputes.graphml

Each line is speaker --act--> party: accuse, deny or reject. quotegraph reports who says what
about whose claims; it does not say who is right.
"""


def _add_disputes(commands: Any) -> None:
    from quotegraph.store.graph import DISPUTE_FORMATS

    disputes = commands.add_parser(
        "disputes", help="who disputes or accuses whom, across the corpus",
        description="Dispute edges (accusations, denials, rejections) aggregated by speaker, "
        "disputed party and act, with examples.",
        epilog=DISPUTES_EPILOG, formatter_class=_FORMATTER,
    )
    _db_option(disputes)
    disputes.add_argument("--speaker", metavar="NAME", help="only disputes this speaker makes")
    disputes.add_argument("--format", choices=DISPUTE_FORMATS, default="table")
    disputes.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    disputes.set_defaults(handler=_with_db(_disputes))


# --- ingest -----------------------------------------------------------------------------------


def run_ingest(args: argparse.Namespace) -> int:
    """``quotegraph ingest``: store what is new, skip what is stored, report what failed."""
    from quotegraph.cli import Progress
    from quotegraph.store import ingest
    from quotegraph.store.store import SchemaError, Store

    try:
        store = Store.open(args.db)
    except (SchemaError, OSError) as exc:
        print(f"quotegraph: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with store:
        if store.unfinished_runs() and not args.quiet:
            print("quotegraph: an earlier ingest was interrupted; what it stored is kept, "
                  "the rest is done now", file=sys.stderr)
        total = _count_inputs(args)
        progress = Progress(total, enabled=not args.quiet and (total is None or total > 1))
        records = _records(args, store)  # lazy: loads the model, reads nothing yet
        if records is None:
            return EXIT_FAILURES
        run_id = store.begin_run(args.paths)
        try:
            tally = ingest.ingest_records(
                store, records, run_id, args.commit_every or ingest.COMMIT_EVERY,
                on_failure=lambda f: progress.message(f"quotegraph: {f.path}: {f.reason}"),
                on_article=progress.advance,
            )
        finally:
            progress.finish()
        store.finish_run(run_id, tally.failed)
    if not args.quiet or tally.failed:
        print(f"{tally.summary()} -> {args.db}", file=sys.stderr)
    return EXIT_FAILURES if tally.failed else EXIT_OK


def _records(args: argparse.Namespace, store: Any) -> Any:
    """Where records come from: JSONL files (``--records``), or the readers and the engine."""
    from quotegraph.store import ingest

    if args.records:
        return ingest.iter_records(args.paths)
    from quotegraph import cli

    try:
        extractor = cli._load_extractor(getattr(args, "mode", "fast"))
    except Exception as exc:  # noqa: BLE001 - no model, nothing to extract: stop here
        print(f"quotegraph: cannot load the extraction model: {exc}; ingest already extracted "
              "records with --records, or install the model (make setup)", file=sys.stderr)
        return None
    documents = ingest.read_documents(args.paths, args.max_bytes)
    return ingest.extract_new(store, extractor, documents)


def _count_inputs(args: argparse.Namespace) -> int | None:
    """How many documents the run has, when that is known without reading them."""
    if args.records:
        return None
    from quotegraph.reading import find_sources

    return find_sources(args.paths).known_count


# --- queries ----------------------------------------------------------------------------------


def _list_speakers(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import queries, render

    page = queries.top_speakers(store.conn, limit=args.top, type=args.type)
    if not page.items:
        print("(no speakers yet; run `quotegraph ingest PATH...`)")
    for speaker in page.items:
        print(render.speaker_line(speaker))
        if args.statements > 0:
            _print_statements(store, speaker.id, args.statements)
    return EXIT_OK


def _print_statements(store: Any, speaker_id: int, limit: int) -> None:
    from quotegraph.store import queries, render

    for quote in queries.find_quotes(store.conn, speaker=str(speaker_id), limit=limit).items:
        print("\n".join("    " + line for line in render.quote_lines(quote, _width() - 4)))


def _show_speaker(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import render

    speaker = _one_speaker(store, args.speaker)
    print(render.speaker_line(speaker))
    _print_statements(store, speaker.id, 20)
    return EXIT_OK


def _merge_speakers(store: Any, args: argparse.Namespace) -> int:
    a, b = _one_speaker(store, args.a), _one_speaker(store, args.b)
    if a.id == b.id:
        print(f"quotegraph: {args.a!r} and {args.b!r} are already one speaker (#{a.id})",
              file=sys.stderr)
        return EXIT_OK
    store.merge_speakers(a.id, b.id)
    print(f"merged #{a.id} {a.name} into #{b.id} {b.name}")
    return EXIT_OK


def _split_speaker(store: Any, args: argparse.Namespace) -> int:
    speaker = _one_speaker(store, args.speaker)
    for name in args.names:
        for done in store.split_speaker(speaker.id, name):
            print(done)
    return EXIT_OK


def _list_quotes(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import queries, render

    page = queries.find_quotes(
        store.conn, speaker=args.speaker, outlet=args.outlet, since=args.since,
        until=args.until, text=args.query, kind=args.kind, limit=args.limit,
    )
    if not page.items:
        print("(no quotes match)")
    for quote in page.items:
        print("\n".join(render.quote_lines(quote, _width())))
    if page.next_cursor:
        print(f"(more: raise --limit above {args.limit})")
    return EXIT_OK


def _claims(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import queries

    if args.claim is not None:
        return _show_claim(store, args.claim)
    page = queries.top_claims(store.conn, args.min, args.speaker, limit=args.top)
    if not page.items:
        print(f"(no quote is carried by {args.min} or more articles)")
    for claim in page.items:
        who = ", ".join(claim.speakers) or "(unattributed)"
        print(f"#{claim.id:<6} {claim.occurrences} articles, {claim.outlets} outlets, first seen "
              f"{claim.first_seen or 'unknown'} | {who}\n    \u201c{claim.text}\u201d")
    return EXIT_OK


def _show_claim(store: Any, claim_id: int) -> int:
    from quotegraph.store import queries

    detail = queries.claim_detail(store.conn, claim_id)
    if detail is None:
        raise LookupError(f"no claim #{claim_id}; list them with `quotegraph claims`")
    print(f"#{claim_id} \u201c{detail.claim.text}\u201d\nfirst seen {detail.claim.first_seen}")
    for o in detail.occurrences:
        print(f"  {o.published or '?'}  {o.outlet or '?'}  {o.article_id}  {o.speaker or ''}"
              f"\n      \u201c{o.quote}\u201d")
    for report in detail.reports:
        print(f"  reported: {report.article_id} {report.speaker} {report.cue}: {report.content}")
    return EXIT_OK


def _show_article(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import queries, render

    view = queries.article_view(store.conn, args.article)
    if view is None:
        raise LookupError(f"no article {args.article!r} in {args.db}; "
                          "find ids with `quotegraph quotes` or `quotegraph export`")
    colour = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    sys.stdout.write(render.render_article(view, colour))
    return EXIT_OK


def _export(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import export

    if args.format == "parquet":
        if not args.output:
            print("quotegraph: --format parquet writes a file; give it with --output FILE",
                  file=sys.stderr)
            return EXIT_USAGE
        count = export.export_parquet(store.conn, args.output)
    else:
        writer = export.export_jsonl if args.format == "jsonl" else export.export_csv
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as stream:
                count = writer(store.conn, stream)
        else:
            count = writer(store.conn, sys.stdout)
    what = "articles" if args.format == "jsonl" else "attributions"
    print(f"{count:,} {what} exported", file=sys.stderr)
    return EXIT_OK


def _disputes(store: Any, args: argparse.Namespace) -> int:
    from quotegraph.store import graph, queries

    found = queries.dispute_graph(store.conn, speaker=args.speaker)
    render = {"table": graph.graph_table, "json": graph.graph_json,
              "graphml": graph.graph_graphml}[args.format]
    text = render(found)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


# --- helpers ----------------------------------------------------------------------------------


def _with_db(action: Callable[[Any, argparse.Namespace], int]) -> Any:
    """A handler that opens the corpus, runs ``action``, and turns known errors into messages."""

    def handler(args: argparse.Namespace) -> int:
        from quotegraph.store.export import MissingDependency
        from quotegraph.store.queries import QueryError
        from quotegraph.store.store import SchemaError, Store

        try:
            with Store.open(args.db, create=False) as store:
                return action(store, args)
        except (FileNotFoundError, SchemaError, QueryError, LookupError) as exc:
            print(f"quotegraph: {_message(exc)}", file=sys.stderr)
            return EXIT_USAGE
        except MissingDependency as exc:
            print(f"quotegraph: {exc}", file=sys.stderr)
            return EXIT_FAILURES

    return handler


def _one_speaker(store: Any, name: str) -> Any:
    """The one speaker ``name`` means, or a LookupError listing the candidates."""
    from quotegraph.store import queries

    found = queries.find_speakers(store.conn, name.removeprefix("#"))
    if not found:
        raise LookupError(f"no speaker called {name!r}; list them with `quotegraph speakers`")
    if len(found) > 1:
        options = "; ".join(f"#{s.id} {s.name}" for s in found[:10])
        raise LookupError(f"{name!r} could be several speakers ({options}); give the #id")
    return found[0]


def _message(exc: Exception) -> str:
    return str(exc.args[0]) if isinstance(exc, KeyError | LookupError) and exc.args else str(exc)


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((88, 24)).columns))


