"""The same quote in many articles: normalising quoted words and deciding when two are one claim.

Outlets carry a quote verbatim, trimmed at either end, or cut with ellipses ("We will respond
... with all means"). Each occurrence is reduced to its quoted words, casefolded, punctuation and
quotation marks dropped, and split into segments at every ellipsis. Occurrence A is *part of*
claim text B when every segment of A appears in B's words, in order. The claim keeps the
longest wording it has seen.

Short quotes ("We will see") are common phrases as much as statements, so a quote under
:data:`MIN_SHARED_WORDS` words only joins a claim when it is word-for-word the same and said by
the same speaker.

Indirect reports of a statement ("Lavrov said Russia would respond with all means") are linked
to a claim on strong evidence only: the same corpus speaker and most of the report's content
words found in the quote (:func:`report_overlap`).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from quotegraph.model import QUOTE_CHARS, Attribution

#: Fewer quoted words than this, and a quote must match word for word and speaker for speaker.
MIN_SHARED_WORDS = 6
#: Words per shingle used to find candidate claims for a quote.
SHINGLE_WORDS = 4
#: Share of a report's content words that must appear in a quote to link them.
REPORT_OVERLAP = 0.6
#: And at least this many of them.
REPORT_MIN_WORDS = 4

_ELLIPSIS = re.compile(r"\[\s*(?:\.\s*){3}\]|\[…\]|(?:\.\s*){3}|…")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_QUOTED = re.compile(rf"[{QUOTE_CHARS}]([^{QUOTE_CHARS}]+)[{QUOTE_CHARS}]")
_STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my", "your", "would", "will", "could", "should", "has", "have", "had", "do", "does", "did", "not", "no", "said", "says", "say", "told", "tell"]
)


@dataclass(frozen=True)
class Quote:
    """An occurrence's quoted words, as segments split at ellipses (each a tuple of words)."""

    segments: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for segment in self.segments for word in segment)

    @property
    def key(self) -> str:
        """Exact identity: the same words with the same cuts."""
        return " … ".join(" ".join(segment) for segment in self.segments)

    def shingles(self) -> set[int]:
        """Hashes of every run of :data:`SHINGLE_WORDS` words inside one segment."""
        found = set()
        for segment in self.segments:
            for start in range(max(1, len(segment) - SHINGLE_WORDS + 1)):
                gram = " ".join(segment[start : start + SHINGLE_WORDS])
                found.add(zlib.crc32(gram.encode("utf-8")))
        return found


def quote_of(attribution: Attribution) -> Quote | None:
    """The quoted words of a direct or mixed attribution, or None (indirect, or nothing quoted)."""
    if attribution.kind == "indirect":
        return None
    pieces: list[str] = []
    for fragment in attribution.content:
        quoted = _QUOTED.findall(fragment.text)
        if attribution.kind == "direct" and not quoted:
            quoted = [fragment.text]
        pieces.extend(quoted)
    segments = tuple(s for piece in pieces for s in _segments(piece))
    return Quote(segments) if segments else None


def quote_display(attribution: Attribution) -> str:
    """The quoted words as a reader wants them: original wording, pieces joined by an ellipsis."""
    pieces = []
    for fragment in attribution.content:
        quoted = _QUOTED.findall(fragment.text) or [fragment.text]
        pieces.extend(" ".join(p.split()).strip(QUOTE_CHARS + " ,") for p in quoted)
    return " … ".join(p for p in pieces if p)


def quote_of_text(text: str) -> Quote | None:
    """Quoted words of a plain string, for queries and tests: the whole text is the quote."""
    segments = tuple(_segments(text))
    return Quote(segments) if segments else None


def words_of(text: str) -> tuple[str, ...]:
    """Casefolded words without accents or punctuation; curly and straight apostrophes agree."""
    folded = unicodedata.normalize("NFKD", text.casefold()).replace("’", "'")
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return tuple(_WORD.findall(plain))


def is_part_of(part: Quote, whole: Quote) -> bool:
    """Whether every segment of ``part`` appears in ``whole``'s words, in order."""
    haystack = whole.words
    position = 0
    for segment in part.segments:
        found = _find(haystack, segment, position)
        if found < 0:
            return False
        position = found + len(segment)
    return True


def same_claim(a: Quote, b: Quote, same_speaker: bool) -> bool:
    """Whether two quotes are one claim: one is part of the other, and long enough to tell."""
    if min(len(a.words), len(b.words)) < MIN_SHARED_WORDS:
        return same_speaker and a.words == b.words
    return is_part_of(a, b) or is_part_of(b, a)


def report_overlap(report: Sequence[str], quote: Quote) -> float:
    """Share of an indirect report's content words found in a quote (0 when too few to tell)."""
    content = {w for w in report if w not in _STOPWORDS}
    if len(content) < REPORT_MIN_WORDS:
        return 0.0
    quoted = {w for w in quote.words if w not in _STOPWORDS}
    shared = content & quoted
    if len(shared) < REPORT_MIN_WORDS:
        return 0.0
    return len(shared) / len(content)


def _segments(text: str) -> list[tuple[str, ...]]:
    return [words for piece in _ELLIPSIS.split(text) if (words := words_of(piece))]


def _find(haystack: tuple[str, ...], needle: tuple[str, ...], start: int) -> int:
    """Index of ``needle`` as a contiguous run in ``haystack`` at or after ``start``, else -1."""
    if not needle:
        return start
    first, size = needle[0], len(needle)
    for index in range(start, len(haystack) - size + 1):
        if haystack[index] == first and haystack[index : index + size] == needle:
            return index
    return -1
