"""The ``quotegraph`` command: extract who-said-what from files, train and evaluate the model.

``extract`` is built for batches: records stream out as articles are processed, one bad
document is reported (with what to do about it) and skipped, and the exit code tells a script
whether everything went through. ``train`` and ``eval`` only parse their options here and hand
over to the training and evaluation packages, imported when used so that ``extract`` and
``--help`` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from quotegraph import __version__
from quotegraph.arguments import add_mode, positive_int
from quotegraph.output import FORMATS, RecordWriter, open_writer
from quotegraph.reading import (
    DEFAULT_MAX_BYTES,
    STDIN,
    Article,
    Duplicate,
    ReadError,
    find_sources,
    read_sources,
)
from quotegraph.store import cli as store_cli
from quotegraph.web import cli as web_cli

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Articles handed to the extractor at once: big enough for spaCy's batching, small enough
#: that output keeps streaming and a failing batch is cheap to retry one article at a time.
BATCH_SIZE = 16

SHIPPED_MODEL = Path(__file__).resolve().parent / "models" / "fast"

_FORMATTER = argparse.RawDescriptionHelpFormatter

MAIN_EPILOG = """\
examples:
  quotegraph extract article.txt                  one article, JSONL on stdout
  quotegraph extract news/ --format table         every article file under news/, for reading
  quotegraph extract crawl.warc.gz --jobs 4       every HTML page of a crawl, 4 processes
  cat article.txt | quotegraph extract -          read the article from stdin
  quotegraph ingest news/                         store every article in ./quotegraph.db
  quotegraph speakers --statements 3              who speaks most, with what they said
  quotegraph quotes --speaker Lavrov --since 2022-07-01
  quotegraph disputes                             who accuses, denies or rejects whom
  quotegraph serve                                the web app on http://127.0.0.1:8000
  quotegraph eval polnear --split dev             score the shipped model on PolNeAR dev
  quotegraph train --epochs 20                    retrain the shipped model on PolNeAR

Run `quotegraph COMMAND --help` for each command's options.
"""

EXTRACT_EPILOG = f"""\
input:
  .txt      plain UTF-8 text, used exactly as read: offsets index the file itself
  .html     a saved web page; the article is found in it (trafilatura) and its cleaned text is
            the record's text, with title, url, date, outlet and authors in meta
  .warc     a crawl (.warc or .warc.gz, e.g. CC-NEWS): every HTML response in it, streamed
  .rss      an RSS or Atom feed (.rss, .atom, .xml): every entry with its content
  .jsonl    a dump, one JSON object per line: id, text or html, and url, title, published,
            outlet where known
  URL       an http(s):// address, fetched once (timeout 20 s, capped at --max-bytes)
  A folder means every such file beneath it (recursively, sorted); `-` is standard input.
  A file's articles get its name as id; pages from crawls, feeds and URLs are named after
  their URLs. An article met twice (same URL or same text) is read once. Headlines and body
  are analysed; bylines, photo credits, captions, "Related posts" lists and share prompts are
  not (meta.blocks lists them with their kinds and offsets).

output formats:
  jsonl   one record per line per article (the schema in shared/docs/output-schema.md)
  json    the same records as one pretty-printed JSON array
  table   who said what, for reading in a terminal

errors:
  A document that cannot be read (empty, binary, not UTF-8, over --max-bytes, missing, a page
  with no article, a damaged crawl record) or that fails in extraction is reported on stderr
  with the reason, and the batch goes on. A summary
  "N articles, M attributions, K failed" ends the run. Exit status: 0 when every document went
  through, {EXIT_FAILURES} when any failed, {EXIT_USAGE} for a usage error.

examples:
  quotegraph extract quotegraph/samples --format table
  quotegraph extract news/ --output news.jsonl
  quotegraph extract news/ --quiet | jq -c '.attributions[] | [.kind, .cue.text]'
  quotegraph extract big-report.txt --max-bytes 20000000 --format json
  quotegraph extract CC-NEWS-20240101.warc.gz --jobs 4 --output news.jsonl
  quotegraph extract feed.rss dump.jsonl https://example.com/news/story.html
"""

TRAIN_EPILOG = """\
Trains the attribution model on the PolNeAR train split and writes it, with its manifest, to
--output (by default the model folder shipped inside the package, which `extract` loads).

examples:
  quotegraph train
  quotegraph train --data /data/polnear --output runs/try1 --epochs 20 --seed 7
  quotegraph train --mode accurate --output runs/accurate1   # about 80 minutes on 2 cores
"""

EVAL_EPILOG = """\
Scores a model against a gold corpus, per role (source, cue, content), exact and overlap match;
see shared/docs/evaluation.md for how each metric counts.

examples:
  quotegraph eval polnear --split dev
  quotegraph eval polnear --split dev --model runs/try1 --json > scores.json
"""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version and usage errors: keep main() returnable
        return _exit_status(stop)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("quotegraph: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `quotegraph extract ... | head`: the reader has gone
        _silence_stdout()
        return EXIT_FAILURES


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with help text meant to teach a first-time user."""
    parser = argparse.ArgumentParser(
        prog="quotegraph",
        description="Who said what, how: attributions (source, cue, content) with the speaker\n"
        "resolved, from English news articles.",
        epilog=MAIN_EPILOG,
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=f"quotegraph {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_extract(commands)
    _add_train(commands)
    _add_eval(commands)
    store_cli.register(commands)
    web_cli.register(commands)
    return parser


def _add_extract(commands: Any) -> None:
    extract = commands.add_parser(
        "extract",
        help="extract attributions from text, HTML, WARC, feeds, JSONL, URLs or stdin",
        description="Extract every attribution (who said what, how) from news articles.",
        epilog=EXTRACT_EPILOG,
        formatter_class=_FORMATTER,
    )
    extract.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an article file (.txt .html .warc .warc.gz .rss .atom .jsonl), a folder of them, "
        "an http(s):// URL, or - for stdin",
    )
    extract.add_argument(
        "--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)"
    )
    extract.add_argument(
        "--output", "-o", metavar="FILE", help="write records to FILE instead of stdout"
    )
    extract.add_argument(
        "--max-bytes",
        type=positive_int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse documents larger than N bytes (default: {DEFAULT_MAX_BYTES:,}); for a "
        "crawl or a dump, each page or line",
    )
    extract.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=1,
        metavar="N",
        help="extract in N processes (default: 1); output order stays the input order",
    )
    extract.add_argument(
        "--quiet", "-q", action="store_true", help="no progress or summary on stderr, only errors"
    )
    add_mode(extract, "extraction model")
    extract.set_defaults(handler=run_extract)


def _add_train(commands: Any) -> None:
    train = commands.add_parser(
        "train",
        help="train the attribution model on PolNeAR",
        description="Train the attribution model on the PolNeAR corpus.",
        epilog=TRAIN_EPILOG,
        formatter_class=_FORMATTER,
    )
    train.add_argument(
        "--data",
        metavar="DIR",
        help="PolNeAR root folder (default: $QUOTEGRAPH_POLNEAR, else ../shared/polnear)",
    )
    train.add_argument(
        "--output",
        metavar="DIR",
        help="where to write the trained model (default: the shipped model folder, "
        "quotegraph/models/fast or quotegraph/models/accurate)",
    )
    add_mode(train, "which model to train")
    train.add_argument(
        "--epochs", type=positive_int, metavar="N", help="training epochs (default: the trainer's)"
    )
    train.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    train.add_argument(
        "--parse-features",
        action="store_true",
        help="accurate mode only: also feed the encoder's head spaCy parse features (an "
        "experiment; no better on dev once mixed with the fast tagger, see README)",
    )
    train.set_defaults(handler=_train_handler)


def _add_eval(commands: Any) -> None:
    evaluate = commands.add_parser(
        "eval",
        help="score a model against a gold corpus (PolNeAR)",
        description="Evaluate attribution extraction against a gold-annotated corpus.",
        epilog=EVAL_EPILOG,
        formatter_class=_FORMATTER,
    )
    evaluate.add_argument("corpus", choices=["polnear"], help="the gold corpus (polnear)")
    evaluate.add_argument(
        "--split", choices=["dev", "train"], default="dev", help="corpus split (default: dev)"
    )
    evaluate.add_argument(
        "--data",
        metavar="DIR",
        help="corpus root folder (default: $QUOTEGRAPH_POLNEAR, else ../shared/polnear)",
    )
    evaluate.add_argument(
        "--model", metavar="DIR", help="model folder to score (default: the shipped model)"
    )
    evaluate.add_argument(
        "--json", action="store_true", help="print the scores as JSON for scripts"
    )
    add_mode(evaluate, "model to score (with --model: how to read that folder)")
    evaluate.set_defaults(handler=_delegate_to("quotegraph.evaluation.cli", "eval"))


# --- extract ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one document: a record to write, or the reason it failed."""

    id: str
    path: str | None
    result: Any = None  # ArticleResult; typed loosely so this module never imports the NLP
    failure: str | None = None
    duplicate: bool = False  # skipped as a repeat of an earlier article: not a failure


def run_extract(args: argparse.Namespace) -> int:
    """``quotegraph extract``: stream records out, report each failure, summarise, exit 0/1."""
    sources = find_sources(args.paths)
    _hint_if_waiting_on_terminal(args.paths, args.quiet)
    mode = getattr(args, "mode", "fast")
    try:
        extractor = _load_extractor(mode)
    except Exception as exc:  # noqa: BLE001 - no model, nothing to extract: stop here
        advice = (
            "" if isinstance(exc, FileNotFoundError) or mode == "accurate"
            else "; reinstall with `make setup`"
        )
        print(f"quotegraph: cannot load the extraction model: {exc}{advice}", file=sys.stderr)
        return EXIT_FAILURES
    try:
        stream = _open_output(args.output)
    except OSError as exc:
        print(f"quotegraph: cannot write --output {args.output}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    total = sources.known_count
    progress = Progress(total, enabled=not args.quiet and (total is None or total > 1))
    writer = open_writer(args.format, stream)
    documents = read_sources(sources, max_bytes=args.max_bytes)
    if args.jobs > 1:
        outcomes = extract_in_processes(documents, args.jobs, mode=mode)
    else:
        outcomes = extract_documents(extractor, documents)
    try:
        tally = _write_outcomes(outcomes, writer, progress)
    finally:  # close the JSON array and the file even when interrupted
        progress.finish()
        try:
            writer.close()
        finally:
            if stream is not sys.stdout:
                stream.close()
    if not args.quiet or tally.failed:
        print(tally.summary(), file=sys.stderr)
    return EXIT_FAILURES if tally.failed else EXIT_OK


def _write_outcomes(outcomes: Iterable[Outcome], writer: RecordWriter, progress: Progress) -> Tally:
    """Write each record as it comes, report each failure on stderr, and count both."""
    tally = Tally()
    for outcome in outcomes:
        if outcome.result is not None:
            writer.write(outcome.result)
        elif not outcome.duplicate:
            progress.message(f"quotegraph: {outcome.path}: {outcome.failure}")
        tally.add(outcome)
        progress.advance()
    return tally


def extract_documents(
    extractor: Any, documents: Iterable[Article | ReadError], batch_size: int = BATCH_SIZE
) -> Iterator[Outcome]:
    """An outcome per document: read errors as they come, articles extracted in batches.

    Successful records keep their input order. Read errors are yielded at once rather than held
    back behind the batch, so the user hears about a bad file when it is met.
    """
    for work in _work_units(documents, batch_size):
        if isinstance(work, Outcome):
            yield work
        else:
            yield from _extract_batch(extractor, work)


def extract_in_processes(
    documents: Iterable[Article | ReadError], jobs: int, batch_size: int = BATCH_SIZE,
    mode: str = "fast",
) -> Iterator[Outcome]:
    """Like :func:`extract_documents`, with batches extracted in ``jobs`` worker processes.

    Reading stays in this process (it streams, and is the cheap part); at most two batches per
    worker are in flight, so a crawl of any size takes bounded memory, and outcomes come back
    in input order. Workers are forked where the platform allows, sharing the loaded model.
    """
    methods = multiprocessing.get_all_start_methods()
    # torch's thread pools do not survive a fork: accurate-mode workers start afresh
    fork = "fork" in methods and mode == "fast"
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with context.Pool(jobs) as pool:
        pending: deque[Any] = deque()
        for work in _work_units(documents, batch_size):
            if isinstance(work, Outcome):
                pending.append([work])
            else:
                pending.append(pool.apply_async(_extract_in_worker, (work, mode)))
            while pending and (len(pending) > 2 * jobs or _is_done(pending[0])):
                yield from _outcomes_of(pending.popleft())
        while pending:
            yield from _outcomes_of(pending.popleft())


def _work_units(
    documents: Iterable[Article | ReadError], batch_size: int
) -> Iterator[Outcome | list[Article]]:
    """Read errors as outcomes at once; articles gathered into batches for the engine."""
    batch: list[Article] = []
    for document in documents:
        if isinstance(document, ReadError):
            duplicate = isinstance(document, Duplicate)
            yield Outcome(document.id, document.path, failure=document.reason, duplicate=duplicate)
            continue
        batch.append(document)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _extract_in_worker(batch: list[Article], mode: str = "fast") -> list[Outcome]:
    """Runs in a worker process: the process's own extractor, loaded once, on one batch."""
    return list(_extract_batch(_load_extractor(mode), batch))


def _is_done(work: Any) -> bool:
    return isinstance(work, list) or work.ready()


def _outcomes_of(work: Any) -> list[Outcome]:
    return work if isinstance(work, list) else work.get()


def _extract_batch(extractor: Any, batch: list[Article]) -> Iterator[Outcome]:
    """Extract a batch; if the engine raises, redo the rest one by one to isolate the culprit."""
    done = 0
    try:
        triples = [(article.id, article.text, article.meta) for article in batch]
        for result in extractor.extract_many(triples, batch_size=len(batch)):
            yield _success(batch[done], result)
            done += 1
    except Exception:  # noqa: BLE001 - one bad article must not take the batch down
        for article in batch[done:]:
            yield _extract_one(extractor, article)


def _extract_one(extractor: Any, article: Article) -> Outcome:
    try:
        return _success(article, extractor.extract(article.text, id=article.id, meta=article.meta))
    except Exception as exc:  # noqa: BLE001 - reported per document; the batch goes on
        return Outcome(
            article.id,
            _path_of(article),
            failure=f"extraction failed ({type(exc).__name__}: {exc}); this is a bug in "
            "quotegraph: please report it with this file",
        )


def _success(article: Article, result: Any) -> Outcome:
    return Outcome(article.id, _path_of(article), result=result)


def _path_of(article: Article) -> str:
    return article.meta.get("path") or article.id


def _load_extractor(mode: str = "fast") -> Any:
    """The shipped extractor, loaded on first use (looked up at call time so tests can swap it)."""
    from quotegraph.extraction import pipeline

    return pipeline.default_extractor() if mode == "fast" else pipeline.default_extractor(mode)


def _open_output(path: str | None) -> TextIO:
    """Where records go: the named file (UTF-8, ``\\n`` newlines) or stdout (made UTF-8)."""
    if path is None or path == STDIN:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8")  # records are UTF-8 JSON, whatever the locale
        return sys.stdout
    return open(path, "w", encoding="utf-8", newline="\n")


def _hint_if_waiting_on_terminal(paths: list[str], quiet: bool) -> None:
    """Say so when we are about to wait for an article typed at the terminal."""
    if STDIN in paths and not quiet and sys.stdin is not None and sys.stdin.isatty():
        print(
            "quotegraph: reading an article from the terminal; end it with Ctrl-D", file=sys.stderr
        )


class Tally:
    """Counts for the closing summary line."""

    def __init__(self) -> None:
        self.articles = 0
        self.attributions = 0
        self.failed = 0
        self.duplicates = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.duplicate:
            self.duplicates += 1
            return
        if outcome.result is None:
            self.failed += 1
            return
        self.articles += 1
        self.attributions += len(outcome.result.attributions)

    def summary(self) -> str:
        summary = (
            f"{_plural(self.articles, 'article')}, {_plural(self.attributions, 'attribution')}, "
            f"{self.failed} failed"
        )
        if self.duplicates:
            summary += f", {_plural(self.duplicates, 'duplicate')} skipped"
        return summary


class Progress:
    """A documents-done counter with throughput on stderr, for runs of more than one document.

    ``total`` is None when the run's length is not known in advance (a crawl, a feed, a dump).

    On a terminal the line is redrawn in place; into a log it is written as a new line every
    few seconds, so logs stay readable.
    """

    LOG_INTERVAL_S = 5.0
    TERMINAL_INTERVAL_S = 0.2

    def __init__(self, total: int | None, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.perf_counter()
        self.last_drawn = 0.0
        self.drawn_count = 0
        self.on_terminal = self.stream.isatty()
        self.line_open = False

    def advance(self) -> None:
        self.done += 1
        now = time.perf_counter()
        interval = self.TERMINAL_INTERVAL_S if self.on_terminal else self.LOG_INTERVAL_S
        if self.enabled and (now - self.last_drawn >= interval or self.done == self.total):
            self._draw(now)

    def message(self, text: str) -> None:
        """Print a line (an error) without it being garbled by the progress line."""
        self._close_line()
        print(text, file=self.stream)

    def finish(self) -> None:
        """Show the final count (a run of unknown length has no "done == total" moment)."""
        if self.enabled and self.done and self.drawn_count != self.done:
            self._draw(time.perf_counter())
        self._close_line()

    def _draw(self, now: float) -> None:
        self.last_drawn = now
        self.drawn_count = self.done
        rate = self.done / max(now - self.started, 1e-9)
        done = f"{self.done:,}" if self.total is None else f"{self.done}/{self.total}"
        line = f"[{done}] {rate:.1f} articles/s"
        if self.on_terminal:
            self.stream.write("\r" + line)
            self.line_open = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _close_line(self) -> None:
        if self.line_open:
            self.stream.write("\n")
            self.line_open = False


# --- train / eval -----------------------------------------------------------------------------


def _delegate_to(module_name: str, command: str) -> Any:
    """A handler that imports ``module_name`` when run and calls its ``main(args)``."""

    def handler(args: argparse.Namespace) -> int:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            print(
                f"quotegraph: `{command}` is not available in this installation: cannot import "
                f"{module_name} ({exc}); check that quotegraph is fully installed (make setup)",
                file=sys.stderr,
            )
            return EXIT_FAILURES
        entry = getattr(module, "main", None)
        if entry is None:
            print(f"quotegraph: {module_name} has no main(args) to run", file=sys.stderr)
            return EXIT_FAILURES
        return int(entry(args) or 0)

    return handler


def _train_handler(args: argparse.Namespace) -> int:
    """``train --mode fast`` trains the role tagger; ``--mode accurate`` the transformer."""
    accurate = getattr(args, "mode", "fast") == "accurate"
    if getattr(args, "output", None) is None:
        args.output = str(SHIPPED_MODEL.parent / "accurate" if accurate else SHIPPED_MODEL)
    if accurate:
        if importlib.util.find_spec("torch") is None:
            print(f"quotegraph: {ACCURATE_HINT}", file=sys.stderr)
            return EXIT_FAILURES
        return _delegate_to("quotegraph.training.accurate", "train --mode accurate")(args)
    return _delegate_to("quotegraph.training.train", "train")(args)


# --- small helpers ----------------------------------------------------------------------------

ACCURATE_HINT = "accurate mode needs torch: pip install 'quotegraph[accurate]'"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _exit_status(stop: SystemExit) -> int:
    if stop.code is None:
        return EXIT_OK
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return EXIT_FAILURES


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so Python's exit flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
