"""The attribution record (``shared/docs/output-schema.md``), defined once.

Every way out of quotegraph (CLI, Python API, spaCy component, evaluation) carries these
types and serialises them here, so the JSON shape has exactly one owner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["direct", "indirect", "mixed"]

#: Characters that open or close a quotation in English news text.
QUOTE_CHARS = "\"“”„‟«»"


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the article: ``text[start:end] == self.text`` always."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """Build a span from offsets into ``text`` so the text field can never disagree."""
        return cls(start, end, text[start:end])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), str(data["text"]))

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Attribution:
    """One attributed statement: who (source), how (cue), what (content fragments)."""

    id: str
    source: Span | None
    cue: Span | None
    content: list[Span]
    kind: Kind = "indirect"
    speaker: str | None = None
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "content": [fragment.to_dict() for fragment in self.content],
            "kind": self.kind,
            "speaker": self.speaker,
            "confidence": round(float(self.confidence), 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribution:
        return cls(
            id=str(data["id"]),
            source=Span.from_dict(data["source"]) if data.get("source") else None,
            cue=Span.from_dict(data["cue"]) if data.get("cue") else None,
            content=[Span.from_dict(f) for f in data["content"]],
            kind=data.get("kind", "indirect"),
            speaker=data.get("speaker"),
            confidence=float(data.get("confidence", 1.0)),
        )


@dataclass
class Speaker:
    """A within-article entity that at least one attribution's source refers to."""

    id: str
    name: str
    type: str
    descriptions: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "descriptions": list(self.descriptions),
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Speaker:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            type=str(data["type"]),
            descriptions=list(data.get("descriptions", [])),
            mentions=[Span.from_dict(m) for m in data.get("mentions", [])],
        )


@dataclass
class ArticleResult:
    """The one record per article that every output of quotegraph carries."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    attributions: list[Attribution] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)

    def speaker(self, speaker_id: str | None) -> Speaker | None:
        """The speaker entry an attribution points at, or None."""
        return next((s for s in self.speakers if s.id == speaker_id), None)

    def to_dict(self) -> dict[str, Any]:
        meta = {"title": None, "url": None, "published": None, "outlet": None}
        meta.update(self.meta)
        return {
            "id": self.id,
            "text": self.text,
            "meta": meta,
            "attributions": [a.to_dict() for a in self.attributions],
            "speakers": [s.to_dict() for s in self.speakers],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleResult:
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            meta=dict(data.get("meta") or {}),
            attributions=[Attribution.from_dict(a) for a in data.get("attributions", [])],
            speakers=[Speaker.from_dict(s) for s in data.get("speakers", [])],
        )


def kind_of(content: list[Span]) -> Kind:
    """direct: every fragment inside quotation marks; indirect: none; mixed otherwise.

    A fragment counts as quoted when it starts and ends with a quotation mark, or is entirely
    enclosed by marks in the text around it (the caller passes fragments with their marks).
    """
    quoted = [_is_quoted(f.text) for f in content]
    if quoted and all(quoted):
        return "direct"
    if any(quoted) or any(any(ch in f.text for ch in QUOTE_CHARS) for f in content):
        return "mixed"
    return "indirect"


def _is_quoted(fragment: str) -> bool:
    stripped = fragment.strip().rstrip(".,;:!?")
    return len(stripped) >= 2 and stripped[0] in QUOTE_CHARS and stripped[-1] in QUOTE_CHARS
