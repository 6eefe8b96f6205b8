"""The structure of a news article in plain text: which blocks are the article.

A page's text carries more than the report: a photo credit under the headline, a "Related
posts" list after the body, share and newsletter prompts. Those blocks say nothing and must not
be attributed ("Russia Expects a Visit ..., Ministry Says" is a link, not a statement). This
module finds them from the text alone, so plain ``.txt`` input and cleaned HTML are treated
alike. It never imports the NLP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Block kinds whose text is shown but never attributed.
NOT_ATTRIBUTED = frozenset({"credit", "caption", "related", "boilerplate"})

_CREDIT = re.compile(
    r"^\s*(?:(?:photo|image|picture|video|graphic|illustration)s?\s*(?:credit)?s?\s*[:/|–-]"
    r"|credits?\s*:|\(?(?:AP|AFP|Reuters|Getty Images|EPA)\s*(?:photo|/)"
    r"|©|copyright\b)",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"^\s*(?:related(?:\s+(?:posts?|articles?|stories|news|coverage|content|reading))?"
    r"|read\s+(?:more|also|next)|more\s+(?:from|on|stories|news)\b.*|recommended(?:\s+for you)?"
    r"|you\s+(?:may|might)\s+also\s+like|see\s+also|also\s+read|trending(?:\s+now)?"
    r"|most\s+(?:read|popular))\s*:?\s*$",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^\s*(?:share\s+(?:this|on)\b|follow\s+us\b|sign\s+up\b|subscribe\b|click\s+here\b"
    r"|advertisement\s*$|(?:tags?|topics?)\s*:|read\s+the\s+rest\s+here)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Block:
    """A line-level block of the article: ``text[start:end]`` with its kind."""

    kind: str  # headline, body, subhead, credit, caption, related, boilerplate
    start: int
    end: int


def blocks(text: str) -> list[Block]:
    """Every non-empty line of ``text`` as a typed block, in order."""
    out: list[Block] = []
    trailing = False
    for start, end in _lines(text):
        line = text[start:end]
        if _TRAILER.match(line):
            trailing = True
        kind = _kind(line, first=not out, trailing=trailing)
        out.append(Block(kind, start, end))
    return out


def excluded_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges that must produce no attribution."""
    return [(b.start, b.end) for b in blocks(text) if b.kind in NOT_ATTRIBUTED]


def _kind(line: str, first: bool, trailing: bool) -> str:
    if trailing:
        return "related"
    if _CREDIT.match(line):
        return "credit"
    if _BOILERPLATE.match(line):
        return "boilerplate"
    if first:
        return "headline"
    stripped = line.strip()
    if len(stripped.split()) <= 8 and not stripped.endswith((".", "”", '"', ":", "?", "!")):
        return "subhead"
    return "body"


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its line break."""
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        if match.group().strip():
            spans.append((match.start(), match.end()))
    return spans
