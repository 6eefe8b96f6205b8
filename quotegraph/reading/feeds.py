"""Articles out of an RSS or Atom feed: each entry's content, title, link, date and author.

A feed entry carries the article's HTML (``content:encoded``, Atom ``content``) or only a
summary; either is read like a page, as the fragment of an ``<article>``. An entry with neither
is a link list item, not an article, and is reported as such (fetch its link to read it).
feedparser does the parsing: it copes with the many dialects and broken feeds found in the wild.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from quotegraph.reading.problems import Unreadable

#: Where a feed sniff looks for the root element.
_SNIFF_CHARS = 2048


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, ``number`` counting from 1 in feed order."""

    number: int
    url: str | None
    title: str | None
    html: str | None
    published: str | None
    outlet: str | None
    authors: list[str] = field(default_factory=list)

    def as_page(self) -> str:
        """The entry's content as a small HTML page, with its title as the headline."""
        title = f"<title>{_escape(self.title)}</title>" if self.title else ""
        return f"<html><head>{title}</head><body><article>{self.html}</article></body></html>"


def looks_like_feed(data: bytes) -> bool:
    """Whether ``data`` starts like an RSS, RDF or Atom document."""
    head = data[:_SNIFF_CHARS].lstrip().lower()
    return head.startswith(b"<?xml") and any(
        tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf")
    ) or head.startswith((b"<rss", b"<feed", b"<rdf:rdf"))


def parse_feed(data: bytes) -> list[FeedEntry]:
    """Every entry of the feed in ``data``; raises :class:`Unreadable` if it is not a feed."""
    import feedparser  # imported here: only feed inputs need it

    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            raise Unreadable(
                "not an RSS or Atom feed (it could not be parsed as one); give feeds as "
                ".rss, .atom or .xml files holding the feed itself"
            )
        raise Unreadable("the feed has no entries")
    outlet = parsed.feed.get("title") or None
    return [_entry(number, entry, outlet) for number, entry in enumerate(parsed.entries, 1)]


def _entry(number: int, entry: Any, outlet: str | None) -> FeedEntry:
    return FeedEntry(
        number=number,
        url=entry.get("link") or None,
        title=entry.get("title") or None,
        html=_content(entry),
        published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
        outlet=outlet,
        authors=_authors(entry),
    )


def _content(entry: Any) -> str | None:
    """The fullest HTML the entry carries: its content, else its summary."""
    contents = entry.get("content") or []
    best = max((c.get("value") or "" for c in contents), key=len, default="")
    return best or entry.get("summary") or None


def _authors(entry: Any) -> list[str]:
    names = [a.get("name") for a in entry.get("authors") or [] if a.get("name")]
    return names or ([entry["author"]] if entry.get("author") else [])


def _iso(moment: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as ISO 8601."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", moment) if moment else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
