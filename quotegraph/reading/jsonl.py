"""Articles out of a JSONL dump, as scrapers write them: one JSON object per line.

Each object has an ``id`` and either ``text`` (used exactly, like a ``.txt`` file) or ``html``
(read like a page), and optionally ``url``, ``title``, ``published`` and ``outlet``, which
override what is found in the page. The file is read line by line, so a dump of any size takes
the memory of one line; a bad line is reported with its line number and the rest is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

#: Fields of a dump object that go into the record's meta as given.
META_FIELDS = ("url", "title", "published", "outlet")


@dataclass(frozen=True)
class DumpItem:
    """One line of the dump: the article's fields, or the problem with the line."""

    line: int
    id: str | None = None
    text: str | None = None
    html: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def iter_dump(path: str, max_bytes: int) -> Iterator[DumpItem]:
    """Every non-blank line of the JSONL file at ``path`` as a :class:`DumpItem`, in order.

    Opening the file may raise ``OSError``, which the caller reports like any unreadable file.
    """
    with open(path, "rb") as handle:
        number = 0
        while line := handle.readline(max_bytes + 1):
            number += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                yield DumpItem(number, problem=_too_long(max_bytes))
                _skip_rest_of_line(handle)
            elif line.strip():
                yield _item(number, line)


def _item(number: int, line: bytes) -> DumpItem:
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return DumpItem(number, problem=f"not valid UTF-8 at byte {exc.start} of the line")
    except json.JSONDecodeError as exc:
        return DumpItem(number, problem=f"not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(data, dict):
        return DumpItem(number, problem="not a JSON object; each line must be {\"id\": ..., ...}")
    text, html = data.get("text"), data.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html):
        return DumpItem(
            number, problem='the object has no "text" or "html" string; give one of them'
        )
    return DumpItem(
        number,
        id=str(data["id"]) if data.get("id") not in (None, "") else None,
        text=text if isinstance(text, str) and text.strip() else None,
        html=html if isinstance(html, str) else None,
        meta=_given_meta(data),
    )


def _given_meta(data: dict[str, Any]) -> dict[str, Any]:
    """The optional fields the object sets, ``published`` in ISO 8601 where it can be read."""
    meta = {name: data[name] for name in META_FIELDS if data.get(name) not in (None, "")}
    if "published" in meta:
        meta["published"] = iso_8601(str(meta["published"]))
    return meta


def iso_8601(value: str) -> str:
    """A date as ISO 8601, from ISO or RFC 2822 ("Wed, 06 Jul 2022 10:15:00 GMT"); as given
    when it is neither, so no information is lost."""
    value = value.strip()
    try:  # a bare date stays a date: no invented midnight
        parse = date.fromisoformat if len(value) == len("2022-07-06") else datetime.fromisoformat
        return parse(value).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return value


def _skip_rest_of_line(handle: Any) -> None:
    while (chunk := handle.readline(1 << 20)) and not chunk.endswith(b"\n"):
        pass


def _too_long(max_bytes: int) -> str:
    return (
        f"the line is over the {max_bytes:,} bytes limit; skipped (raise the limit with "
        "--max-bytes to read it)"
    )
