"""Plain-text articles from files, folders and stdin, with a clear reason for every bad input.

The text of each article is the file's bytes decoded as UTF-8 and nothing else: no newline
translation, no Unicode normalisation, no BOM stripping. That is what lets every offset in the
output index the input file directly (``shared/docs/output-schema.md``).

Nothing here raises for a bad document: a batch of ten thousand files must not stop because one
of them is a PDF renamed to ``.txt``. Each problem comes back as a :class:`ReadError` in the
document's place, so callers report it and carry on.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from quotegraph.reading.problems import Unreadable

#: Files larger than this are refused unless the caller raises the limit (``--max-bytes``).
DEFAULT_MAX_BYTES = 5_000_000

#: How the command line spells "read standard input".
STDIN = "-"

#: Share of control bytes (other than whitespace) above which a file is taken for binary.
_BINARY_CONTROL_SHARE = 0.3
#: How much of the file the binary sniffing looks at.
_SNIFF_BYTES = 8192
#: Control bytes that do occur in real text files.
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
#: A first line longer than this is a paragraph, not a headline.
_MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class Article:
    """One article read successfully: ``text`` is exactly the file's decoded content."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadError:
    """One document that could not be read, and why (said so a user knows what to do)."""

    id: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class InputFile:
    """A document found on the command line, before it is read.

    ``problem`` is set when the document is known to be unusable without opening it (a path
    that does not exist, a folder with no ``.txt`` file), so the error keeps its place in order.
    """

    id: str
    path: str
    problem: str | None = None
    kind: str = "text"  # the input format: text, stdin, html, url, warc, feed, jsonl or auto


def iter_inputs(
    paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None
) -> Iterator[Article | ReadError]:
    """Every document named by ``paths``, read lazily, in order, one result per document.

    ``paths`` holds files, folders (every ``*.txt`` beneath, recursively, sorted) or ``-`` for
    standard input (``stdin``, default ``sys.stdin.buffer``).
    """
    for entry in find_inputs(paths):
        yield read_input(entry, max_bytes=max_bytes, stdin=stdin)


def find_inputs(paths: list[str]) -> list[InputFile]:
    """Expand ``paths`` into documents with unique ids, without reading any of them.

    Separate from reading so that a caller can tell how many documents a run has (progress)
    before spending time on them.
    """
    ids = UniqueIds()
    found: list[InputFile] = []
    for raw in paths:
        for path, problem in _expand(raw):
            stem = "stdin" if path == STDIN else Path(path).stem
            found.append(InputFile(ids.claim(stem or "article"), path, problem))
    return found


def read_input(
    entry: InputFile, max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None
) -> Article | ReadError:
    """Read and check one document; never raises for a problem with the document itself."""
    if entry.problem:
        return ReadError(entry.id, entry.path, entry.problem)
    try:
        data = _read_bytes(entry.path, max_bytes, stdin)
    except _Refused as refused:
        return ReadError(entry.id, entry.path, str(refused))
    except OSError as exc:
        return ReadError(entry.id, entry.path, _describe_os_error(exc))
    problem = check_bytes(data, "standard input" if entry.path == STDIN else "the file")
    if problem:
        return ReadError(entry.id, entry.path, problem)
    text = data.decode("utf-8")
    return Article(entry.id, text, _meta(entry.path, text))


def read_document_bytes(path: str, max_bytes: int, stdin: BinaryIO | None = None) -> bytes:
    """A document's bytes (``-`` for stdin), capped at ``max_bytes``; :class:`Unreadable` says
    why it cannot be had (too large, missing, no permission)."""
    try:
        return _read_bytes(path, max_bytes, stdin)
    except _Refused as refused:
        raise Unreadable(str(refused)) from refused
    except OSError as exc:
        raise Unreadable(_describe_os_error(exc)) from exc


def looks_binary(data: bytes) -> bool:
    """Whether the start of ``data`` is binary (NUL bytes or mostly control characters)."""
    return _looks_binary(data[:_SNIFF_BYTES])


def check_bytes(data: bytes, what: str = "the file") -> str | None:
    """Why ``data`` is not a usable plain-text UTF-8 article, or None when it is.

    Binary is checked before UTF-8 because a binary file also fails to decode, and "this is not
    text" is the more useful thing to tell its owner.
    """
    if not data:
        return f"{what} is empty; give it the article's text"
    if _looks_binary(data[:_SNIFF_BYTES]):
        return (
            "this looks like a binary file (NUL bytes or mostly control characters), not plain "
            "text; convert it to a UTF-8 .txt file first"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 4].hex(" ")
        return (
            f"not valid UTF-8: byte offset {exc.start} (bytes {bad}) cannot be decoded; "
            "re-save it as UTF-8 (e.g. iconv -f latin1 -t utf-8 FILE)"
        )
    if not text.strip():
        return f"{what} holds only whitespace; give it the article's text"
    return None


class _Refused(Exception):
    """A document refused before decoding (too large, not a regular file)."""


class UniqueIds:
    """Hands out ids from file stems, suffixing ``-2``, ``-3``... on a clash.

    Two folders may both hold ``index.txt``; records keyed by id must still be told apart.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, stem: str) -> str:
        candidate, n = stem, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{stem}-{n}"
        self._taken.add(candidate)
        return candidate


def _expand(raw: str) -> Iterator[tuple[str, str | None]]:
    """(path, problem) pairs for one command-line path."""
    if raw == STDIN:
        yield STDIN, None
        return
    path = Path(raw)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            yield raw, "the folder contains no .txt files; name the article files *.txt"
        for file in files:
            yield str(file), None
    elif path.exists():
        yield raw, None
    else:
        yield raw, "no such file or folder; check the path"


def _read_bytes(path: str, max_bytes: int, stdin: BinaryIO | None) -> bytes:
    """The document's bytes, refusing anything over ``max_bytes`` without reading it all."""
    if path == STDIN:
        return _read_limited(stdin or sys.stdin.buffer, max_bytes, "standard input")
    info = Path(path).stat()
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise _Refused(_too_large(f"{_size(info.st_size)}", max_bytes))
    with open(path, "rb") as handle:
        return _read_limited(handle, max_bytes, "the file")


def _read_limited(stream: BinaryIO, max_bytes: int, what: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _Refused(_too_large(f"more than {_size(max_bytes)}", max_bytes, what))
    return data


def _too_large(size: str, max_bytes: int, what: str = "the file") -> str:
    return (
        f"{what} is {size}, over the {_size(max_bytes)} limit; split the article or raise "
        f"the limit with --max-bytes"
    )


def _size(n_bytes: int) -> str:
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1_000_000:.1f} MB ({n_bytes:,} bytes)"
    return f"{n_bytes:,} bytes"


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROLS)
    return bool(sample) and controls / len(sample) > _BINARY_CONTROL_SHARE


def _describe_os_error(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read the file: permission denied; check its permissions"
    if isinstance(exc, FileNotFoundError):
        return "the file disappeared before it could be read; check the path"
    return f"cannot read the file: {exc.strerror or exc}"


def _meta(path: str, text: str) -> dict[str, Any]:
    """Schema meta for a plain-text article: where it came from, and its first line as title.

    News text files conventionally start with the headline; a first line that runs on like a
    paragraph is not taken for one.
    """
    return {"title": first_line_title(text), "path": None if path == STDIN else path}


def first_line_title(text: str) -> str | None:
    """The first non-blank line, unless it runs on like a paragraph (then there is no title)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= _MAX_TITLE_CHARS else None
