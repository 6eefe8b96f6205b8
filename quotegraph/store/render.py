"""Terminal views of the corpus: an article with its attributions marked, and listing lines.

In a colour terminal the source, cue and content of each attribution are coloured in the
article text and tagged with the attribution's number; elsewhere (a pipe, a log, ``NO_COLOR``)
plain brackets do the same job: ``⟨S1 Mayor Helen Tarrant⟩ ⟨C1 said⟩ ⟨Q1 the council ...⟩``.
"""

from __future__ import annotations

import textwrap

from quotegraph.store.queries import ArticleView, QuoteRow, SpeakerSummary

_COLOURS = {"S": "\x1b[1;36m", "C": "\x1b[33m", "Q": "\x1b[32m"}
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def render_article(view: ArticleView, colour: bool) -> str:
    """The article text with every attribution's parts marked, then a numbered legend."""
    record = view.record
    numbers = {a.id: n for n, a in enumerate(record.attributions, start=1)}
    events: list[tuple[int, int, str]] = []  # (offset, 0 close / 1 open, marker)
    for attribution in record.attributions:
        n = numbers[attribution.id]
        parts = [("S", attribution.source), ("C", attribution.cue)]
        parts += [("Q", fragment) for fragment in attribution.content]
        for role, span in parts:
            if span is not None and span.end > span.start:
                opening, closing = _markers(role, n, colour)
                events.append((span.start, 1, opening))
                events.append((span.end, 0, closing))
    marked = _apply(record.text, sorted(events, key=lambda e: (e[0], e[1])))
    header = [_title_line(view), ""]
    return "\n".join([*header, marked.rstrip(), "", *_legend(view, numbers)]) + "\n"


def speaker_line(speaker: SpeakerSummary) -> str:
    """One speaker in a listing: id, name, type, how much they said, other names."""
    others = [a for a in speaker.aliases if a != speaker.name]
    line = (
        f"#{speaker.id:<6} {speaker.name} [{speaker.type}]  {speaker.statements} statements, "
        f"{speaker.articles} articles, {speaker.outlets} outlets"
    )
    if others:
        line += "\n         also: " + "; ".join(others[:8]) + (" ..." if len(others) > 8 else "")
    if speaker.descriptions:
        line += "\n         described as: " + "; ".join(speaker.descriptions[:6])
    return line


def quote_lines(quote: QuoteRow, width: int) -> list[str]:
    """A quote in a listing: who, how, where, when; then the content, wrapped."""
    source = " ".join((quote.source or "").split())
    who = quote.speaker or source or "(unattributed)"
    if quote.speaker and source and quote.speaker not in source:
        who = f"{quote.speaker} ({source})"  # so a reader can check the resolution
    where = ", ".join(x for x in (quote.outlet, (quote.published or "")[:10], quote.article_id) if x)
    claim = f" | claim #{quote.claim_id}" if quote.claim_id else ""
    head = f"{who} | {quote.cue or '(no cue)'} | {quote.kind} | {where}{claim}"
    body = textwrap.wrap(" ".join(quote.content.split()), width=width,
                         initial_indent="    ", subsequent_indent="    ")
    return [head, *body]


def _markers(role: str, number: int, colour: bool) -> tuple[str, str]:
    if colour:
        return _COLOURS[role], f"{_RESET}{_DIM}{role.lower()}{number}{_RESET}"
    return f"⟨{role}{number} ", "⟩"


def _apply(text: str, events: list[tuple[int, int, str]]) -> str:
    pieces, position = [], 0
    for offset, _, marker in events:
        pieces.append(text[position:offset])
        pieces.append(marker)
        position = offset
    pieces.append(text[position:])
    return "".join(pieces)


def _title_line(view: ArticleView) -> str:
    title = view.record.meta.get("title") or ""
    where = ", ".join(x for x in (view.outlet, view.published) if x)
    return f"{view.record.id}: {title}" + (f" ({where})" if where else "")


def _legend(view: ArticleView, numbers: dict[str, int]) -> list[str]:
    record = view.record
    if not record.attributions:
        return ["(no attributions)"]
    lines = []
    for attribution in record.attributions:
        corpus = view.corpus_speakers.get(attribution.speaker or "")
        speaker = f"{corpus[1]} (speaker #{corpus[0]})" if corpus else "(no speaker)"
        cue = attribution.cue.text if attribution.cue else "(no cue)"
        claim = view.claims.get(attribution.id)
        lines.append(
            f"[{numbers[attribution.id]}] {speaker} | {cue} | {attribution.kind} | "
            f"{attribution.confidence:.2f}" + (f" | claim #{claim}" if claim else "")
        )
    return lines
