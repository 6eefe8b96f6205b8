"""Web pages out of a WARC file (Common Crawl, CC-NEWS, any crawler), in constant memory.

Records are read one at a time from the (optionally gzipped) file, so a multi-gigabyte crawl
needs no more memory than its largest page. Only HTTP responses carrying HTML are pages;
requests, metadata and the crawl's own records are not documents and are passed over quietly,
while a response that is not a usable HTML page (an image, a redirect, an oversized page) is
reported with its reason. A malformed record is reported and skipped, and reading goes on at the
next record header; a truncated or undecodable file ends with one report saying where it broke,
every page before that point having already been yielded.

Compressed files are decompressed here (:class:`_Gunzip`) rather than by warcio, because warcio
ends silently on a truncated file, and a crawl that lost its last hundred megabytes must say so;
Python's ``gzip`` does raise, but drops the pages decompressed in the same read.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from quotegraph.reading.charset import charset_from_content_type
from quotegraph.reading.html import looks_like_html

_GZIP_MAGIC = b"\x1f\x8b"
#: HTTP headers of a response are small; a record this much over the page limit is refused
#: without reading its payload.
_HEADER_ALLOWANCE = 64 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class TruncatedWarc(Exception):
    """The file ends in the middle of a record (not EOFError: warcio takes that for a clean end)."""


@dataclass(frozen=True)
class WarcPage:
    """One HTML response of a WARC (``problem`` set when it cannot be used, payload then None).

    ``number`` counts the WARC's records from 1, requests and metadata included, so a user can
    find the record again.
    """

    number: int
    url: str | None
    payload: bytes | None = None
    charset: str | None = None
    crawled: str | None = None
    problem: str | None = None


def iter_warc_pages(path: str, max_bytes: int) -> Iterator[WarcPage]:
    """Every HTML response in the WARC at ``path``, in file order; never raises for bad data.

    A malformed record is reported and skipped: reading goes on at the next record header. A
    truncated or undecodable file ends with one report. Opening the file may raise ``OSError``,
    which the caller reports like any unreadable file.
    """
    if not _starts_like_warc(path):
        yield WarcPage(1, None, problem=_NOT_WARC)
        return
    start: int | None = 0
    done = 0
    while start is not None:
        with _decompressed(path) as stream:
            _skip(stream, start)
            done, malformed_at = yield from _pages(stream, max_bytes, done)
        start = None if malformed_at is None else _next_record(path, start + malformed_at + 1)


_NOT_WARC = (
    "not a WARC file: it does not begin with a WARC/1.x (or ARC) record header; "
    "give a .warc or .warc.gz crawl file"
)


def _starts_like_warc(path: str) -> bool:
    """Whether the (decompressed) file begins like a WARC or ARC record.

    warcio reads almost anything as a record, so without this check a file of garbage would
    pass as an empty crawl instead of being reported.
    """
    try:
        with open(path, "rb") as raw:
            head = raw.read(2)
            raw.seek(0)
            if head == _GZIP_MAGIC:
                head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw.read(4096), 64)
            else:
                head = raw.read(64)
    except (OSError, zlib.error):
        return True  # let the reader report the damage with its own message
    return head.lstrip(b"\r\n").startswith((b"WARC/", b"filedesc://"))


@contextmanager
def _decompressed(path: str) -> Iterator[IO[bytes]]:
    """The file's WARC bytes, decompressed where it is gzipped."""
    with open(path, "rb") as raw:
        # unbuffered on purpose: a buffered reader would drop the last pages with the error
        yield _Gunzip(raw) if _is_gzip(raw) else raw


def _skip(stream: IO[bytes], count: int) -> None:
    """Read past the first ``count`` bytes (a restart after a malformed record)."""
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            return
        count -= len(chunk)


def _next_record(path: str, after: int) -> int | None:
    """Where the next record header (``WARC/1.``) begins at or after byte ``after``, if any."""
    marker = b"WARC/1."
    try:
        with _decompressed(path) as stream:
            _skip(stream, after)
            position, tail = after, b""
            while chunk := stream.read(1 << 16):
                window = tail + chunk
                found = window.find(marker)
                if found >= 0:
                    return position - len(tail) + found
                tail = window[-(len(marker) - 1):]
                position += len(chunk)
    except (TruncatedWarc, OSError, zlib.error):
        return None
    return None


def _pages(
    stream: IO[bytes], max_bytes: int, done: int
) -> Generator[WarcPage, None, tuple[int, int | None]]:
    """Pages of the records in ``stream``; returns how many records were read in all and, when a
    malformed record stopped the reading, its offset in ``stream`` (else None)."""
    iterator = ArchiveIterator(stream, arc2warc=True)
    records = iter(iterator)
    while True:
        try:
            record = next(records)
            if record.rec_type is None:
                raise ArchiveLoadFailed("a record without a WARC-Type header")
            page = _page(record, done + 1, max_bytes)
        except StopIteration:
            return done, None
        except (ArchiveLoadFailed, ValueError) as exc:
            yield WarcPage(done + 1, None, problem=_malformed(exc))
            return done + 1, iterator.offset
        except (TruncatedWarc, OSError, zlib.error) as exc:
            yield WarcPage(done + 1, None, problem=_damage(exc, done))
            return done, None
        done += 1
        if page is not None:
            yield page


class _Gunzip(io.RawIOBase):
    """Multi-member gzip decompression that hands over every byte it could decompress, then
    raises :class:`TruncatedWarc` if the file stopped in the middle of a member."""

    _CHUNK = 64 * 1024

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self.member_started = False
        self.pending = b""
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.position >= len(self.pending):
            chunk = self.raw.read(self._CHUNK)
            if not chunk:
                if self.member_started:
                    raise TruncatedWarc("compressed data ends before the end of a gzip member")
                return 0
            self.pending, self.position = self._inflate(chunk), 0
        size = min(len(buffer), len(self.pending) - self.position)
        buffer[:size] = self.pending[self.position : self.position + size]
        self.position += size
        return size

    def _inflate(self, data: bytes) -> bytes:
        """Decompress ``data``, starting a new member wherever one ends (one per WARC record)."""
        out = []
        while data:
            self.member_started = True
            out.append(self.inflater.decompress(data))
            if not self.inflater.eof:
                break
            data = self.inflater.unused_data
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            self.member_started = False
        return b"".join(out)


def _page(record: Any, number: int, max_bytes: int) -> WarcPage | None:
    """The page in one record, a page with a problem, or None for a record that is no page."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    crawled = record.rec_headers.get_header("WARC-Date")
    content_type = record.http_headers.get_header("Content-Type") or ""

    def problem(reason: str) -> WarcPage:
        return WarcPage(number, url, crawled=crawled, problem=reason)

    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return problem(f"an HTTP {status or '?'} response, not a page; only 2xx pages are read")
    if content_type and not content_type.lower().startswith(_HTML_TYPES):
        return problem(f"not an HTML page ({content_type.split(';')[0].strip()}); skipped")
    if record.length and record.length > max_bytes + _HEADER_ALLOWANCE:
        return problem(_too_large(f"{record.length:,} bytes", max_bytes))
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        return problem(_too_large(f"more than {max_bytes:,} bytes", max_bytes))
    if _cut_short(record):
        raise TruncatedWarc("the record's content ends before its declared length")
    if not content_type and not looks_like_html(payload):
        return problem("not an HTML page (no content type, and it does not start like HTML)")
    return WarcPage(number, url, payload, charset_from_content_type(content_type), crawled)


def _is_gzip(raw: IO[bytes]) -> bool:
    magic = raw.read(2)
    raw.seek(0)
    return magic == _GZIP_MAGIC


def _cut_short(record: Any) -> bool:
    """Whether the record's block ended before its Content-Length (an uncompressed cut file)."""
    return bool(getattr(record.raw_stream, "limit", 0))


def _malformed(exc: Exception) -> str:
    """Why one record was skipped (reading goes on at the next record)."""
    return (
        f"a malformed WARC record ({str(exc).splitlines()[0][:120]}); skipped, reading goes on "
        "at the next record"
    )


def _damage(exc: Exception, records_read: int) -> str:
    """Why reading stopped, where, and that what came before is kept."""
    if isinstance(exc, TruncatedWarc):
        what = "the file is truncated (it ends in the middle of a record)"
    else:
        what = f"the file is damaged ({type(exc).__name__}: {exc})"
    where = f"after record {records_read}" if records_read else "in its first record"
    return (
        f"{what} {where}; the pages before it were read, the rest of the "
        "file is skipped; re-download or repair the file to read the rest"
    )


def _too_large(size: str, max_bytes: int) -> str:
    return (
        f"the page is {size}, over the {max_bytes:,} bytes limit; skipped (raise the limit "
        "with --max-bytes to read it)"
    )
