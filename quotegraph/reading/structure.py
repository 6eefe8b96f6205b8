"""The structure of a news article in text: which blocks are the article, and which say nothing.

A page's text carries more than the report: a photo credit under the headline, a byline, a
caption, a "Related posts" list after the body, share and newsletter prompts. Those blocks say
nothing and must not be attributed ("Russia Expects a Visit ..., Ministry Says" is a link, not a
statement). This module finds them from the text alone, so plain ``.txt`` input and the cleaned
text of an HTML page are treated alike: the pipeline calls :func:`excluded_regions` on whatever
text it analyses and gets the same answer the reader put in ``meta["blocks"]``. It never imports
the NLP.

Blocks are lines (a paragraph is one line in news text files and in cleaned HTML), except the
dateline, which is the opening words of the first paragraph ("HANOI (AA) - ").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Every kind of block, in the words of a news desk.
KINDS = (
    "headline",
    "standfirst",
    "byline",
    "dateline",
    "subhead",
    "body",
    "credit",
    "caption",
    "related",
    "boilerplate",
)

#: Block kinds whose text is shown but never attributed. The headline, standfirst, subheads,
#: dateline and body are analysed.
NOT_ATTRIBUTED = frozenset({"byline", "credit", "caption", "related", "boilerplate"})

#: Words a line may have and still be a subhead rather than a paragraph.
_MAX_SUBHEAD_WORDS = 8
#: Words a byline may have ("By Jane Doe and John Roe, Reuters").
_MAX_BYLINE_WORDS = 12
#: A full sentence of at least this many words ends a "Related posts" section: the body resumed.
_MIN_BODY_WORDS_AFTER_TRAILER = 20
_SENTENCE_END = (".", "”", '"', "’", "'", ":", "?", "!", "»")

_CREDIT = re.compile(
    r"^\s*(?:(?:photo|image|picture|video|graphic|illustration)s?\s*(?:credit|source)?s?\s*"
    r"[:/|,–-]|credits?\s*:|\(?(?:AP|AFP|Reuters|Getty Images|EPA|Anadolu)\s*(?:photo|/)"
    r"|©|copyright\b|all rights reserved)",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"^\s*(?:(?:image\s+)?caption\s*[:,]|file\s+photo\s*:)"  # "Caption: ...", "FILE PHOTO: ..."
    r"|\((?:photo|picture|image|photograph)s?\s*(?:credit)?\s*(?::|by\b)[^()]{2,80}\)\s*$"
    r"|(?:\(|\b)(?:AP|AFP|EPA|REUTERS|Reuters|Getty Images|Anadolu)(?:\s*Photo)?\s*/\s*"
    r"(?:[\w '’-]|\.(?=\s*\w)){2,60}\)?\s*$",  # "... in Hanoi. REUTERS/Jane Doe"
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"^\s*(?:related(?:\s+(?:posts?|articles?|stories|news|coverage|content|reading|links?))?"
    r"|read\s+(?:more|also|next)|more\s+(?:from|on|stories|news)\b.*|recommended(?:\s+for you)?"
    r"|you\s+(?:may|might)\s+also\s+(?:like|be interested in)|see\s+also|also\s+read"
    r"|trending(?:\s+now)?|most\s+(?:read|popular|viewed)|further\s+reading)\s*:?\s*$",
    re.IGNORECASE,
)
_RELATED_LINK = re.compile(
    r"^\s*(?:related|read\s+(?:more|also|next)|see\s+also|also\s+read|more\s+on\s+this)"
    r"\s*[:|>»–-]\s*\S",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^\s*(?:share\s+(?:this|on|the\s+article)\b|share\s*:|follow\s+us\b|sign\s+up\b"
    r"|subscribe\b|click\s+here\b|advertisement\s*$|(?:tags?|topics?|filed\s+under)\s*:"
    r"|read\s+the\s+rest\s+here|leave\s+a\s+(?:comment|reply)|comments?\s*(?:\(\d+\))?\s*$"
    r"|join\s+(?:us|our)\b|download\s+(?:our|the)\s+app|get\s+(?:our|the\s+latest)\b.*"
    r"\b(?:newsletter|inbox|app)\b)",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(r"\bnewsletters?\b", re.IGNORECASE)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?"
_BYLINE = re.compile(
    r"^\s*(?:(?:by|written\s+by|words\s+by|reporting\s+by|text\s+by)\s+(?!(?:the|a|an|this|"
    r"that|then|now|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)[A-Z]"
    r"|(?:published|updated|posted|last\s+updated)\s*(?:on|at|:)?\s*"
    rf"(?:\d|{_MONTH}\s|{_WEEKDAY}\b))",
    re.IGNORECASE,
)
_DATELINE = re.compile(  # used with match(text, pos): anchored at the paragraph
    r"\s*(?:"
    rf"[A-Z][A-Z.'’-]+(?:[ ,/]+[A-Z][A-Z.'’-]+)*(?:,\s*{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
    r"(?:\s*\([A-Za-z][\w .&/-]{0,30}\))?"  # WASHINGTON, July 7 (Reuters)
    rf"|[A-Z][a-z]+(?:[ ,]+[A-Z][a-z]+)*(?:,\s*{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
    r"\s*\([A-Za-z][\w .&/-]{0,30}\)"  # Hanoi (AA)
    r")\s*[-–—]{1,2}\s+(?=\S)"
)


@dataclass(frozen=True)
class Block:
    """A block of the article: ``text[start:end]`` with its kind (one of :data:`KINDS`)."""

    kind: str
    start: int
    end: int

    @property
    def attributed(self) -> bool:
        """Whether attributions may come from this block."""
        return self.kind not in NOT_ATTRIBUTED

    def to_json(self) -> dict[str, Any]:
        """The block as ``meta["blocks"]`` holds it."""
        return {"start": self.start, "end": self.end, "kind": self.kind}


def blocks(text: str) -> list[Block]:
    """Every non-blank line of ``text`` as a typed block, in order (a dateline split off)."""
    reader = _StructureReader()
    out: list[Block] = []
    for start, end in _lines(text):
        kind = reader.kind_of(text[start:end])
        if kind == "body" and not reader.body_started:
            reader.body_started = True
            out.extend(_split_dateline(text, start, end))
        else:
            out.append(Block(kind, start, end))
    return out


def article_blocks(text: str) -> list[dict[str, Any]]:
    """The blocks as ``meta["blocks"]`` records them: ``[{"start", "end", "kind"}, ...]``."""
    return [block.to_json() for block in blocks(text)]


def excluded_regions(
    text: str, known_blocks: list[dict[str, Any]] | None = None
) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that must produce no attribution.

    ``known_blocks`` (an article's ``meta["blocks"]``) is used when given, so a reader that knew
    more than the text shows is obeyed; otherwise the blocks are found in ``text``.
    """
    if known_blocks is not None:
        return [(b["start"], b["end"]) for b in known_blocks if b["kind"] in NOT_ATTRIBUTED]
    return [(b.start, b.end) for b in blocks(text) if not b.attributed]


class _StructureReader:
    """Reads lines top to bottom, remembering where in the article it is.

    Position matters: the first line is the headline, the line under it may be a standfirst,
    and everything under a "Related posts" heading is a list of links until the body resumes.
    """

    def __init__(self) -> None:
        self.seen_headline = False
        self.body_started = False
        self.in_trailer = False

    def kind_of(self, line: str) -> str:
        stripped = line.strip()
        words = len(stripped.split())
        if _TRAILER.match(stripped):
            self.in_trailer = True
            return "related"
        if self.in_trailer:
            if words >= _MIN_BODY_WORDS_AFTER_TRAILER and stripped.endswith(_SENTENCE_END):
                self.in_trailer = False  # a real paragraph: the body went on under the box
            else:
                return "related"
        kind = _not_attributed_kind(stripped, words)
        if kind:
            return kind
        if not self.seen_headline:
            self.seen_headline = True
            return "headline"
        if not self.body_started and _looks_like_standfirst(stripped, words):
            return "standfirst"
        if words <= _MAX_SUBHEAD_WORDS and not stripped.endswith(_SENTENCE_END):
            return "subhead"
        return "body"


def _not_attributed_kind(line: str, words: int) -> str | None:
    """credit, caption, byline, related or boilerplate, when the line's own words say so."""
    if _CREDIT.match(line):
        return "credit"
    if _CAPTION.search(line):
        return "caption"
    if _RELATED_LINK.match(line):
        return "related"
    if _BOILERPLATE.match(line) or (_NEWSLETTER.search(line) and words <= 25):
        return "boilerplate"
    if _BYLINE.match(line) and words <= _MAX_BYLINE_WORDS and not line.endswith((".", "?", "!")):
        return "byline"
    return None


def _looks_like_standfirst(line: str, words: int) -> bool:
    """A summary sentence under the headline: longer than a subhead, with no closing stop."""
    return words > _MAX_SUBHEAD_WORDS and not line.endswith(_SENTENCE_END)


def _split_dateline(text: str, start: int, end: int) -> list[Block]:
    """The first paragraph as body, with its dateline ("WASHINGTON (Reuters) - ") split off."""
    match = _DATELINE.match(text, start, end)
    if not match:
        return [Block("body", start, end)]
    return [Block("dateline", start, match.end()), Block("body", match.end(), end)]


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its line break."""
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        if match.group().strip():
            spans.append((match.start(), match.end()))
    return spans
