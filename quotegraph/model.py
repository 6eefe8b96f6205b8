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
    act: str | None = None  # speech act (docs/speech-acts.md); None until disputes analysed
    act_confidence: float | None = None
    targets: list[Target] = field(default_factory=list)
    embedded: bool = False  # a claim reported inside another attribution ("claims that ...")

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "content": [fragment.to_dict() for fragment in self.content],
            "kind": self.kind,
            "speaker": self.speaker,
            "confidence": round(float(self.confidence), 4),
        }
        if self.act is not None:
            data["act"] = self.act
            data["act_confidence"] = round(float(self.act_confidence or 0.0), 4)
        if self.targets:
            data["targets"] = [t.to_dict() for t in self.targets]
        if self.embedded:
            data["embedded"] = True
        return data

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
            act=data.get("act"),
            act_confidence=(
                float(data["act_confidence"]) if data.get("act_confidence") is not None else None
            ),
            targets=[Target.from_dict(t) for t in data.get("targets", [])],
            embedded=bool(data.get("embedded", False)),
        )


@dataclass
class Target:
    """A party an attribution is about: who is accused, whose claim is rejected.

    ``role`` says how the party is involved ("accused", "claimant", "addressee");
    ``speaker`` is the article speaker it resolves to, if any; ``claim`` the id of the embedded
    attribution holding this party's claim, when the text gives the claim.
    """

    span: Span
    role: str
    speaker: str | None = None
    claim: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "role": self.role, "speaker": self.speaker,
                "claim": self.claim}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(Span.from_dict(data), str(data.get("role", "accused")), data.get("speaker"),
                   data.get("claim"))


@dataclass
class Dispute:
    """One dispute edge: a speaker (through an attribution) accuses, denies or rejects.

    The edge reports who says what about whom; it never says who is right. ``party`` is the
    disputed party when the text names one, ``claim`` the id of the disputed claim's
    (embedded) attribution when the text gives it, ``evidence`` the text that shows the edge.
    """

    id: str
    act: str
    attribution: str
    speaker: str | None
    party: Target | None
    claim: str | None
    evidence: Span
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "act": self.act,
            "attribution": self.attribution,
            "speaker": self.speaker,
            "party": self.party.to_dict() if self.party else None,
            "claim": self.claim,
            "evidence": self.evidence.to_dict(),
            "confidence": round(float(self.confidence), 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dispute:
        party = data.get("party")
        return cls(
            id=str(data["id"]), act=str(data["act"]), attribution=str(data["attribution"]),
            speaker=data.get("speaker"), party=Target.from_dict(party) if party else None,
            claim=data.get("claim"), evidence=Span.from_dict(data["evidence"]),
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
    disputes: list[Dispute] = field(default_factory=list)

    def speaker(self, speaker_id: str | None) -> Speaker | None:
        """The speaker entry an attribution points at, or None."""
        return next((s for s in self.speakers if s.id == speaker_id), None)

    def to_dict(self) -> dict[str, Any]:
        meta = {"title": None, "url": None, "published": None, "outlet": None}
        meta.update(self.meta)
        data = {
            "id": self.id,
            "text": self.text,
            "meta": meta,
            "attributions": [a.to_dict() for a in self.attributions],
            "speakers": [s.to_dict() for s in self.speakers],
        }
        if self.disputes:
            data["disputes"] = [d.to_dict() for d in self.disputes]
        return data

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
            disputes=[Dispute.from_dict(d) for d in data.get("disputes", [])],
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
