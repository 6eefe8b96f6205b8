"""Writing article records as JSONL, a JSON array, or a who-said-what table for people.

Every writer writes each record as soon as it gets it and flushes, so a long run's output is
usable while it runs and whatever was written survives a later failure. The JSON itself always
comes from :meth:`ArticleResult.to_json`, the record's one serialiser.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import Protocol, TextIO

from quotegraph.model import ArticleResult, Attribution

FORMATS = ("jsonl", "json", "table")

#: The table never gets wider than this, even on a very wide terminal: long lines read badly.
MAX_TABLE_WIDTH = 100
_MIN_TABLE_WIDTH = 40
_CONTENT_INDENT = "    "


class RecordWriter(Protocol):
    """Where records go: ``write`` each one as it is ready, ``close`` once at the end."""

    def write(self, result: ArticleResult) -> None: ...

    def close(self) -> None: ...


def open_writer(fmt: str, stream: TextIO, width: int | None = None) -> RecordWriter:
    """The writer for ``fmt`` (one of :data:`FORMATS`) over an already open text stream."""
    if fmt == "jsonl":
        return JsonLinesWriter(stream)
    if fmt == "json":
        return JsonArrayWriter(stream)
    if fmt == "table":
        return TableWriter(stream, width or table_width())
    raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")


class JsonLinesWriter:
    """One schema record per line: the format for pipelines (``jq``, Spark, databases)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, result: ArticleResult) -> None:
        self.stream.write(result.to_json() + "\n")
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


class JsonArrayWriter:
    """A pretty-printed JSON array of records, streamed element by element.

    The closing bracket is written by :meth:`close`, which callers run in a ``finally`` so the
    array stays valid JSON even when the run stops early.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0

    def write(self, result: ArticleResult) -> None:
        self.stream.write("[\n" if self.count == 0 else ",\n")
        self.stream.write(textwrap.indent(result.to_json(indent=2), "  "))
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        self.stream.write("[]\n" if self.count == 0 else "\n]\n")
        self.stream.flush()


class TableWriter:
    """A who-said-what listing for reading in a terminal, one block per article."""

    def __init__(self, stream: TextIO, width: int = 88) -> None:
        self.stream = stream
        self.width = width
        self.count = 0

    def write(self, result: ArticleResult) -> None:
        if self.count:
            self.stream.write("\n")
        self.stream.write(format_table(result, self.width))
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        self.stream.flush()


def table_width() -> int:
    """The terminal's width, kept within reason (88 columns when output is not a terminal)."""
    columns = shutil.get_terminal_size((88, 24)).columns
    return max(_MIN_TABLE_WIDTH, min(MAX_TABLE_WIDTH, columns))


def format_table(result: ArticleResult, width: int = 88) -> str:
    """One article as text: a header naming it, then each attribution as speaker, cue, content."""
    lines = _header(result, width)
    if not result.attributions:
        lines.append("  (no attributions found)")
    for number, attribution in enumerate(result.attributions, start=1):
        lines.append(_attribution_line(number, result, attribution))
        lines.extend(_content_lines(attribution, width))
    return "\n".join(lines) + "\n"


def speaker_label(result: ArticleResult, attribution: Attribution) -> str:
    """Who said it, as a reader wants it: the resolved name, else the source text as written.

    The source text is kept beside the name when it does not contain the name ("Sergey Lavrov
    (he)", "Sergey Lavrov (the minister)") so the reader can check the resolution.
    """
    speaker = result.speaker(attribution.speaker)
    source = attribution.source.text.strip() if attribution.source else None
    if speaker and source and speaker.name not in _one_line(source):
        return f"{speaker.name} ({_one_line(source)})"
    if speaker:
        return speaker.name
    if source:
        return _one_line(source)
    return "(unattributed)"


def _header(result: ArticleResult, width: int) -> list[str]:
    title = result.meta.get("title")
    heading = f"{result.id}: {_one_line(title)}" if title else result.id
    heading = textwrap.shorten(heading, width=width, placeholder=" ...")
    summary = (
        f"{_plural(len(result.attributions), 'attribution')}, "
        f"{_plural(len(result.speakers), 'speaker')}"
    )
    return [heading, "=" * min(width, max(len(heading), len(summary))), summary]


def _attribution_line(number: int, result: ArticleResult, attribution: Attribution) -> str:
    cue = _one_line(attribution.cue.text) if attribution.cue else "(no cue)"
    who = speaker_label(result, attribution)
    return f"[{number}] {who} | {cue} | {attribution.kind} | {attribution.confidence:.2f}"


def _content_lines(attribution: Attribution, width: int) -> list[str]:
    content = " ... ".join(_one_line(fragment.text) for fragment in attribution.content)
    return textwrap.wrap(
        content,
        width=width,
        initial_indent=_CONTENT_INDENT,
        subsequent_indent=_CONTENT_INDENT,
        break_on_hyphens=False,
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
