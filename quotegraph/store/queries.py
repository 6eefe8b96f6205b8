"""Reading the corpus: speakers, quotes, claims and articles, as plain functions and dataclasses.

The command line prints these; the web API serves them. Every list comes back as a
:class:`Page` with an opaque ``next_cursor`` to pass back for the following page (keyset
pagination: stable while the corpus grows, and as fast on page 1,000 as on page 1).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from quotegraph.model import ArticleResult, Attribution, Dispute, Span, Speaker, Target
from quotegraph.store import claims as claim_rules
from quotegraph.store.speakers import alias_norm, person_titles
from quotegraph.store.store import day_after, normalise_date

T = TypeVar("T")

#: Tables whose row counts describe a corpus (and must not move when it is re-ingested).
COUNTED_TABLES = (
    "articles", "attributions", "article_speakers", "mentions", "speakers", "claims", "disputes",
)


@dataclass
class Page(Generic[T]):
    """One page of results; ``next_cursor`` is None on the last page."""

    items: list[T]
    next_cursor: str | None = None


@dataclass
class SpeakerSummary:
    """A corpus speaker: the names it goes by, what it is described as, how much it said."""

    id: int
    name: str
    type: str
    statements: int
    articles: int
    outlets: int
    aliases: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)


@dataclass
class QuoteRow:
    """One attribution with where it appeared and who said it, corpus-wide."""

    id: int
    article_id: str
    attribution_id: str
    speaker_id: int | None
    speaker: str | None
    source: str | None
    cue: str | None
    content: str
    kind: str
    confidence: float
    outlet: str | None
    published: str | None
    title: str | None
    claim_id: int | None


@dataclass
class Occurrence:
    """One article carrying a claim."""

    article_id: str
    attribution_id: str
    outlet: str | None
    published: str | None
    speaker_id: int | None
    speaker: str | None
    quote: str


@dataclass
class ClaimSummary:
    """A quote traced across articles: its fullest wording, reach and first sighting."""

    id: int
    text: str
    first_seen: str | None
    occurrences: int
    outlets: int
    speakers: list[str] = field(default_factory=list)


@dataclass
class ClaimDetail:
    """A claim with every occurrence, and indirect reports that say the same thing."""

    claim: ClaimSummary
    occurrences: list[Occurrence]
    reports: list[QuoteRow]


@dataclass
class ArticleView:
    """An article's record as stored, with the corpus-level identities of its parts."""

    record: ArticleResult
    outlet: str | None
    published: str | None
    corpus_speakers: dict[str, tuple[int, str]]  # local speaker id -> (corpus id, name)
    claims: dict[str, int]  # local attribution id -> claim id

    def to_dict(self) -> dict[str, Any]:
        """The schema record plus ``corpus_speaker`` and ``claim`` fields (consumers ignore
        fields they do not know)."""
        data = self.record.to_dict()
        for speaker in data["speakers"]:
            corpus = self.corpus_speakers.get(speaker["id"])
            speaker["corpus_speaker"] = {"id": corpus[0], "name": corpus[1]} if corpus else None
        for attribution in data["attributions"]:
            attribution["claim"] = self.claims.get(attribution["id"])
        return data


class QueryError(ValueError):
    """A query the corpus cannot answer as asked; the message says how to ask."""


# --- speakers ---------------------------------------------------------------------------------


def top_speakers(
    conn: sqlite3.Connection, limit: int = 20, cursor: str | None = None,
    type: str | None = None,
) -> Page[SpeakerSummary]:
    """Speakers by number of statements, most first (ties by id)."""
    where, params = ["1 = 1"], []
    if type:
        where.append("sp.type = ?")
        params.append(type.upper())
    having = ""
    if cursor:
        count, last_id = _decode_cursor(cursor, 2)
        having = "HAVING (COUNT(a.id) < ? OR (COUNT(a.id) = ? AND sp.id > ?))"
        params += [int(count), int(count), int(last_id)]
    rows = conn.execute(
        "SELECT sp.id, COUNT(a.id) FROM speakers sp "
        "JOIN article_speakers s ON s.speaker_id = sp.id "
        "LEFT JOIN attributions a ON a.article_id = s.article_id AND a.local_speaker = s.local_id "
        f"WHERE {' AND '.join(where)} GROUP BY sp.id {having} "
        "ORDER BY COUNT(a.id) DESC, sp.id LIMIT ?",
        [*params, limit + 1],
    ).fetchall()
    items = [speaker_summary(conn, speaker_id) for speaker_id, _ in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = _encode_cursor(rows[limit - 1][1], rows[limit - 1][0])
    return Page([s for s in items if s is not None], next_cursor)


def speaker_summary(conn: sqlite3.Connection, speaker_id: int) -> SpeakerSummary | None:
    """One speaker with its aliases (every name an article gave it) and descriptions."""
    row = conn.execute(
        "SELECT id, name, type FROM speakers WHERE id = ?", (speaker_id,)
    ).fetchone()
    if row is None:
        return None
    members = conn.execute(
        "SELECT s.name, s.descriptions, s.article_id, ar.outlet FROM article_speakers s "
        "JOIN articles ar ON ar.id = s.article_id WHERE s.speaker_id = ? ORDER BY s.article_id",
        (speaker_id,),
    ).fetchall()
    statements = conn.execute(
        "SELECT COUNT(*) FROM attributions a JOIN article_speakers s ON "
        "s.article_id = a.article_id AND s.local_id = a.local_speaker WHERE s.speaker_id = ?",
        (speaker_id,),
    ).fetchone()[0]
    aliases = _unique(" ".join(m[0].split()) for m in members)
    titles = (person_titles(m[0]) for m in members) if row[2] == "PERSON" else ()
    descriptions = _unique([*(t for t in titles if t), *(d for m in members for d in json.loads(m[1]))])
    return SpeakerSummary(
        id=row[0], name=row[1], type=row[2], statements=statements,
        articles=len({m[2] for m in members}), outlets=len({m[3] for m in members if m[3]}),
        aliases=sorted(aliases, key=lambda a: (a != row[1], a)), descriptions=descriptions,
    )


def find_speakers(conn: sqlite3.Connection, name: str) -> list[SpeakerSummary]:
    """Speakers a user may mean by ``name``: an id, else the first of these that finds any: a
    speaker's name, a name an article gave it (an alias), part of either.

    So "Smith" means the speaker called just Smith even though an article also calls John Smith
    that, and "Lavrov" finds Sergey Lavrov when no speaker is called just Lavrov.
    """
    text = name.strip()
    if text.isdigit():
        found = speaker_summary(conn, int(text))
        return [found] if found else []
    pattern = f"%{_escape_like(text)}%"
    tiers = (
        ("SELECT id FROM speakers WHERE name = ? COLLATE NOCASE", text),
        ("SELECT speaker_id FROM article_speakers WHERE name = ? COLLATE NOCASE", text),
        (("SELECT id FROM speakers WHERE name LIKE ? ESCAPE '\\' UNION SELECT speaker_id "
          "FROM article_speakers WHERE name LIKE ? ESCAPE '\\'"), pattern),
    )
    for sql, value in tiers:
        params = (value,) * sql.count("?")
        ids = {row[0] for row in conn.execute(sql, params) if row[0] is not None}
        if ids:
            return [s for i in sorted(ids) if (s := speaker_summary(conn, i)) is not None]
    return []


@dataclass
class Count:
    """How many statements fall under one key: a day (``YYYY-MM-DD``) or an outlet."""

    key: str
    count: int


def statements_per_day(conn: sqlite3.Connection, speaker_id: int) -> list[Count]:
    """A speaker's statements per publication day, oldest first (undated articles left out):
    the series a timeline chart draws."""
    rows = conn.execute(
        "SELECT substr(ar.published, 1, 10) AS day, COUNT(*) FROM attributions a "
        "JOIN article_speakers s ON s.article_id = a.article_id AND s.local_id = a.local_speaker "
        "JOIN articles ar ON ar.id = a.article_id "
        "WHERE s.speaker_id = ? AND ar.published IS NOT NULL GROUP BY day ORDER BY day",
        (speaker_id,),
    ).fetchall()
    return [Count(day, count) for day, count in rows]


def outlets_quoting(conn: sqlite3.Connection, speaker_id: int) -> list[Count]:
    """The outlets that carried a speaker's statements, most statements first."""
    rows = conn.execute(
        "SELECT ar.outlet, COUNT(*) FROM attributions a "
        "JOIN article_speakers s ON s.article_id = a.article_id AND s.local_id = a.local_speaker "
        "JOIN articles ar ON ar.id = a.article_id "
        "WHERE s.speaker_id = ? AND ar.outlet IS NOT NULL "
        "GROUP BY ar.outlet ORDER BY COUNT(*) DESC, ar.outlet",
        (speaker_id,),
    ).fetchall()
    return [Count(outlet, count) for outlet, count in rows]


def outlet_counts(conn: sqlite3.Connection) -> list[Count]:
    """Every outlet in the corpus with its number of articles, for filter menus."""
    rows = conn.execute(
        "SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL "
        "GROUP BY outlet ORDER BY outlet COLLATE NOCASE"
    ).fetchall()
    return [Count(outlet, count) for outlet, count in rows]


# --- quotes -----------------------------------------------------------------------------------


_QUOTE_COLUMNS = (
    "SELECT a.id, a.article_id, a.local_id, s.speaker_id, sp.name, a.source_text, a.cue_text, "
    "a.content_text, a.kind, a.confidence, ar.outlet, ar.published, ar.title, a.claim_id "
    "FROM attributions a JOIN articles ar ON ar.id = a.article_id "
    "LEFT JOIN article_speakers s ON s.article_id = a.article_id AND s.local_id = a.local_speaker "
    "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
)


def find_quotes(
    conn: sqlite3.Connection,
    speaker: str | None = None,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    text: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[QuoteRow]:
    """Attributions matching every filter given, newest article first.

    ``speaker`` is a name, alias or part of one (see :func:`find_speakers`) or an id;
    ``outlet`` matches case-insensitively; ``since``/``until`` are dates, both inclusive;
    ``text`` is words that must all occur in the content (full-text search).
    """
    where: list[str] = []
    params: list[Any] = []
    if speaker and not _by_speaker(conn, speaker, where, params):
        return Page([])
    if outlet:
        where.append("ar.outlet = ? COLLATE NOCASE")
        params.append(outlet)
    if since:
        where.append("ar.published >= ?")
        params.append(_date_arg(since, "--since"))
    if until:
        where.append("ar.published < ?")
        params.append(day_after(_date_arg(until, "--until")))
    if text:
        where.append("a.id IN (SELECT rowid FROM attributions_fts WHERE attributions_fts MATCH ?)")
        params.append(fts_query(text))
    if kind:
        where.append("a.kind = ?")
        params.append(kind)
    rows = _newest_first(conn, _QUOTE_COLUMNS, "a.id", where, params, limit, cursor)
    return _page([QuoteRow(*row) for row in rows], limit)


def _by_speaker(conn: sqlite3.Connection, speaker: str, where: list[str], params: list[Any]) -> bool:
    """Add "said by this speaker" to a query; False when no speaker goes by that name."""
    ids = [s.id for s in find_speakers(conn, speaker)]
    if not ids:
        return False
    where.append(f"s.speaker_id IN ({','.join('?' * len(ids))})")
    params += ids
    return True


def _newest_first(
    conn: sqlite3.Connection, columns: str, id_column: str, where: list[str], params: list[Any],
    limit: int, cursor: str | None,
) -> list[tuple]:
    """Rows newest article first (ties: highest id first), from ``cursor`` on, one over
    ``limit`` so that :func:`_page` knows whether another page follows (keyset pagination)."""
    where = list(where)
    params = list(params)
    if cursor:
        published, last_id = _decode_cursor(cursor, 2)
        where.append("(COALESCE(ar.published, '') < ? OR "
                     f"(COALESCE(ar.published, '') = ? AND {id_column} < ?))")
        params += [published, published, int(last_id)]
    sql = columns + (f"WHERE {' AND '.join(where)} " if where else "")
    sql += f"ORDER BY COALESCE(ar.published, '') DESC, {id_column} DESC LIMIT ?"
    return conn.execute(sql, [*params, limit + 1]).fetchall()


def _page(rows: list, limit: int) -> Page:
    """The first ``limit`` rows (each with ``published`` and ``id``) and the next page's cursor."""
    if len(rows) <= limit:
        return Page(rows)
    last = rows[limit - 1]
    return Page(rows[:limit], _encode_cursor(last.published or "", last.id))


def fts_query(text: str) -> str:
    """User words as an FTS5 query where every word must occur (no FTS syntax to trip on)."""
    words = re.findall(r"\w+", text)
    if not words:
        raise QueryError(f"--query {text!r} has no words to search for; give some words")
    return " ".join(f'"{word}"' for word in words)


# --- claims -----------------------------------------------------------------------------------


def top_claims(
    conn: sqlite3.Connection, min_occurrences: int = 2, speaker: str | None = None,
    limit: int = 20, cursor: str | None = None,
) -> Page[ClaimSummary]:
    """Claims carried by the most articles first (ties by id)."""
    where, params = ["a.claim_id IS NOT NULL"], []
    if speaker:
        ids = [s.id for s in find_speakers(conn, speaker)]
        if not ids:
            return Page([])
        where.append(f"s.speaker_id IN ({','.join('?' * len(ids))})")
        params += ids
    having, having_params = ["COUNT(DISTINCT a.article_id) >= ?"], [min_occurrences]
    if cursor:
        count, last_id = _decode_cursor(cursor, 2)
        having.append("(COUNT(DISTINCT a.article_id) < ? OR "
                      "(COUNT(DISTINCT a.article_id) = ? AND a.claim_id > ?))")
        having_params += [int(count), int(count), int(last_id)]
    rows = conn.execute(
        "SELECT a.claim_id, COUNT(DISTINCT a.article_id) FROM attributions a "
        "LEFT JOIN article_speakers s ON s.article_id = a.article_id "
        "AND s.local_id = a.local_speaker "
        f"WHERE {' AND '.join(where)} GROUP BY a.claim_id HAVING {' AND '.join(having)} "
        "ORDER BY COUNT(DISTINCT a.article_id) DESC, a.claim_id LIMIT ?",
        [*params, *having_params, limit + 1],
    ).fetchall()
    items = [c for claim_id, _ in rows[:limit] if (c := claim_summary(conn, claim_id))]
    next_cursor = _encode_cursor(rows[limit - 1][1], rows[limit - 1][0]) if len(rows) > limit else None
    return Page(items, next_cursor)


def claim_summary(conn: sqlite3.Connection, claim_id: int) -> ClaimSummary | None:
    row = conn.execute(
        "SELECT id, text, first_seen FROM claims WHERE id = ?", (claim_id,)
    ).fetchone()
    if row is None:
        return None
    occurrences = _occurrences(conn, claim_id)
    return ClaimSummary(
        id=row[0], text=row[1], first_seen=row[2],
        occurrences=len({o.article_id for o in occurrences}),
        outlets=len({o.outlet for o in occurrences if o.outlet}),
        speakers=_unique(o.speaker for o in occurrences if o.speaker),
    )


def claim_detail(conn: sqlite3.Connection, claim_id: int) -> ClaimDetail | None:
    """A claim, where it appeared, and indirect reports of it by the same speaker."""
    summary = claim_summary(conn, claim_id)
    if summary is None:
        return None
    occurrences = _occurrences(conn, claim_id)
    return ClaimDetail(summary, occurrences, _reports(conn, claim_id, occurrences))


def _occurrences(conn: sqlite3.Connection, claim_id: int) -> list[Occurrence]:
    rows = conn.execute(
        "SELECT a.article_id, a.local_id, ar.outlet, ar.published, s.speaker_id, sp.name, "
        "a.quote_text FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        "LEFT JOIN article_speakers s ON s.article_id = a.article_id "
        "AND s.local_id = a.local_speaker LEFT JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE a.claim_id = ? ORDER BY COALESCE(ar.published, '9999'), a.id",
        (claim_id,),
    ).fetchall()
    return [Occurrence(*row) for row in rows]


def _reports(
    conn: sqlite3.Connection, claim_id: int, occurrences: list[Occurrence]
) -> list[QuoteRow]:
    """Indirect attributions by the claim's speakers whose content words the quote contains."""
    words = conn.execute("SELECT words FROM claims WHERE id = ?", (claim_id,)).fetchone()[0]
    quote = claim_rules.Quote(tuple(tuple(s.split()) for s in words.split(" … ") if s))
    speaker_ids = sorted({o.speaker_id for o in occurrences if o.speaker_id is not None})
    if not speaker_ids:
        return []
    rows = conn.execute(
        _QUOTE_COLUMNS + f"WHERE s.speaker_id IN ({','.join('?' * len(speaker_ids))}) "
        "AND a.kind = 'indirect' ORDER BY a.id",
        speaker_ids,
    ).fetchall()
    linked = []
    for row in rows:
        report = QuoteRow(*row)
        overlap = claim_rules.report_overlap(claim_rules.words_of(report.content), quote)
        if overlap >= claim_rules.REPORT_OVERLAP:
            linked.append(report)
    return linked


# --- articles ---------------------------------------------------------------------------------


def article_view(conn: sqlite3.Connection, article_id: str) -> ArticleView | None:
    """An article rebuilt from its rows: the same record ``quotegraph extract`` gave."""
    row = conn.execute(
        "SELECT id, text, meta, outlet, published FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        return None
    record = ArticleResult(id=row[0], text=row[1], meta=json.loads(row[2]))
    corpus_speakers = _article_speakers(conn, record)
    claims = {}
    for attribution, claim_id in _article_attributions(conn, article_id):
        record.attributions.append(attribution)
        if claim_id is not None:
            claims[attribution.id] = claim_id
    record.disputes = _article_disputes(conn, record)
    return ArticleView(record, row[3], row[4], corpus_speakers, claims)


def article_ids(
    conn: sqlite3.Connection, limit: int = 100, cursor: str | None = None
) -> Page[str]:
    """Article ids in order, a page at a time (for exports and listings)."""
    rows = conn.execute(
        "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", (cursor or "", limit + 1)
    ).fetchall()
    ids = [r[0] for r in rows]
    return Page(ids[:limit], ids[limit - 1] if len(ids) > limit else None)


def _article_speakers(
    conn: sqlite3.Connection, record: ArticleResult
) -> dict[str, tuple[int, str]]:
    corpus: dict[str, tuple[int, str]] = {}
    rows = conn.execute(
        "SELECT s.local_id, s.name, s.type, s.descriptions, s.speaker_id, sp.name "
        "FROM article_speakers s LEFT JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE s.article_id = ? ORDER BY s.position",
        (record.id,),
    ).fetchall()
    for local_id, name, type_, descriptions, speaker_id, corpus_name in rows:
        mentions = [
            Span(start, end, text)
            for start, end, text in conn.execute(
                'SELECT start, "end", text FROM mentions WHERE article_id = ? '
                "AND local_speaker = ? ORDER BY position",
                (record.id, local_id),
            )
        ]
        record.speakers.append(Speaker(local_id, name, type_, json.loads(descriptions), mentions))
        if speaker_id is not None:
            corpus[local_id] = (speaker_id, corpus_name)
    return corpus


def _article_attributions(
    conn: sqlite3.Connection, article_id: str
) -> list[tuple[Attribution, int | None]]:
    rows = conn.execute(
        "SELECT local_id, source_start, source_end, source_text, cue_start, cue_end, cue_text, "
        "content, kind, local_speaker, confidence, claim_id, act, act_confidence, targets, "
        "embedded FROM attributions WHERE article_id = ? ORDER BY id",
        (article_id,),
    ).fetchall()
    found = []
    for (local_id, s0, s1, stext, c0, c1, ctext, content, kind, speaker, conf, claim,
         act, act_conf, targets, embedded) in rows:
        attribution = Attribution(
            id=local_id,
            source=Span(s0, s1, stext) if stext is not None else None,
            cue=Span(c0, c1, ctext) if ctext is not None else None,
            content=[Span.from_dict(f) for f in json.loads(content)],
            kind=kind, speaker=speaker, confidence=conf, act=act, act_confidence=act_conf,
            targets=[Target.from_dict(t) for t in json.loads(targets)] if targets else [],
            embedded=bool(embedded),
        )
        found.append((attribution, claim))
    return found


def _article_disputes(conn: sqlite3.Connection, record: ArticleResult) -> list[Dispute]:
    rows = conn.execute(
        "SELECT local_id, act, attribution, local_speaker, party_start, party_end, party_text, "
        "party_role, party_speaker, party_claim, claim, evidence_start, evidence_end, confidence "
        "FROM disputes WHERE article_id = ? ORDER BY id",
        (record.id,),
    ).fetchall()
    disputes = []
    for (local_id, act, attribution, speaker, p0, p1, ptext, role, pspeaker, pclaim, claim,
         e0, e1, confidence) in rows:
        party = Target(Span(p0, p1, ptext), role, pspeaker, pclaim) if ptext is not None else None
        evidence = Span.of(record.text, e0, e1)
        disputes.append(Dispute(local_id, act, attribution, speaker, party, claim, evidence,
                                confidence))
    return disputes


# --- disputes ---------------------------------------------------------------------------------


@dataclass
class DisputeRow:
    """One dispute edge as stored: who disputes whom (corpus-wide names), where, on what text.

    ``party_id`` is the corpus speaker the disputed party is, when it can be told (the article
    resolved it, or a corpus speaker goes by that name); otherwise only ``party`` is known.
    """

    id: int
    article_id: str
    dispute_id: str
    act: str
    speaker_id: int | None
    speaker: str | None
    party_id: int | None
    party: str | None
    claim: str | None  # the disputed claim's content, where the text gives it
    evidence: str
    outlet: str | None
    published: str | None
    confidence: float


@dataclass
class DisputeEdge:
    """Disputes of one kind from one speaker to one party, aggregated across the corpus."""

    source: str  # node id: "speaker:12" or "party:ukrainian officials"
    target: str
    act: str
    count: int
    articles: int
    examples: list[DisputeRow] = field(default_factory=list)


@dataclass
class DisputeGraph:
    """Who disputes or accuses whom: nodes (speakers and named parties) and aggregated edges."""

    nodes: dict[str, str]  # node id -> display name
    edges: list[DisputeEdge]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [{"id": k, "name": v} for k, v in self.nodes.items()],
            "edges": [
                {"source": e.source, "target": e.target, "act": e.act, "count": e.count,
                 "articles": e.articles,
                 "examples": [{"article_id": x.article_id, "dispute": x.dispute_id,
                               "evidence": x.evidence, "claim": x.claim, "outlet": x.outlet,
                               "published": x.published} for x in e.examples]}
                for e in self.edges
            ],
        }


_DISPUTE_COLUMNS = (
    "SELECT d.id, d.article_id, d.local_id, d.act, s.speaker_id, "
    "COALESCE(sp.name, a.source_text), ps.speaker_id, COALESCE(psp.name, d.party_text), "
    "c.content_text, substr(ar.text, d.evidence_start + 1, d.evidence_end - d.evidence_start), "
    "ar.outlet, ar.published, d.confidence "
    "FROM disputes d JOIN articles ar ON ar.id = d.article_id "
    "LEFT JOIN attributions a ON a.article_id = d.article_id AND a.local_id = d.attribution "
    "LEFT JOIN article_speakers s ON s.article_id = d.article_id AND s.local_id = d.local_speaker "
    "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
    "LEFT JOIN article_speakers ps ON ps.article_id = d.article_id "
    "AND ps.local_id = d.party_speaker "
    "LEFT JOIN speakers psp ON psp.id = ps.speaker_id "
    "LEFT JOIN attributions c ON c.article_id = d.article_id AND c.local_id = d.claim "
)


def find_disputes(
    conn: sqlite3.Connection, speaker: str | None = None, party: str | None = None,
    act: str | None = None, limit: int = 50, cursor: str | None = None,
) -> Page[DisputeRow]:
    """Dispute edges, newest article first. ``speaker``: disputes made by that speaker (a name,
    alias or id, as :func:`find_speakers`); ``party``: disputes aimed at that speaker or at a
    party of that name ("disputed by")."""
    where: list[str] = []
    params: list[Any] = []
    if speaker and not _by_speaker(conn, speaker, where, params):
        return Page([])
    if party:
        ids = [s.id for s in find_speakers(conn, party)]
        marks = ",".join("?" * len(ids)) or "NULL"
        where.append(f"(ps.speaker_id IN ({marks}) OR d.party_text LIKE ? ESCAPE '\\')")
        params += [*ids, f"%{_escape_like(party.strip())}%"]
    if act:
        where.append("d.act = ?")
        params.append(act)
    known: dict[str, tuple[int, str] | None] = {}
    rows = _newest_first(conn, _DISPUTE_COLUMNS, "d.id", where, params, limit, cursor)
    return _page([_with_party(conn, DisputeRow(*row), known) for row in rows], limit)


def _with_party(
    conn: sqlite3.Connection, row: DisputeRow, known: dict[str, tuple[int, str] | None]
) -> DisputeRow:
    """Name an unresolved party after the corpus speaker that goes by exactly that name.

    ``known`` remembers the answer per name for one query: the lookup scans the article
    speakers, and the same few parties recur in thousands of disputes."""
    if row.party_id is None and row.party:
        name = _bare(row.party)
        if name not in known:
            known[name] = conn.execute(
                "SELECT s.speaker_id, sp.name FROM article_speakers s JOIN speakers sp "
                "ON sp.id = s.speaker_id WHERE s.name = ? COLLATE NOCASE LIMIT 1", (name,)
            ).fetchone()
        found = known[name]
        if found:
            row.party_id, row.party = found[0], found[1]
    return row


def _bare(name: str) -> str:
    """A party name without a leading article or a possessive ending."""
    text = " ".join(name.split())
    for prefix in ("the ", "The "):
        text = text.removeprefix(prefix)
    return text.removesuffix("’s").removesuffix("'s").removesuffix("’")


def dispute_graph(
    conn: sqlite3.Connection, speaker: str | None = None, examples: int = 3,
    limit: int = 100_000,
) -> DisputeGraph:
    """Dispute edges aggregated by (speaker, party, act): how often, in how many articles, with
    examples. Disputes with no named party or no known speaker are left out of the graph."""
    rows = find_disputes(conn, speaker=speaker, limit=limit).items
    nodes: dict[str, str] = {}
    grouped: dict[tuple[str, str, str], list[DisputeRow]] = {}
    for row in rows:
        if row.party is None or row.speaker is None:
            continue
        source = _node(nodes, row.speaker_id, row.speaker)
        target = _node(nodes, row.party_id, row.party)
        grouped.setdefault((source, target, row.act), []).append(row)
    edges = [
        DisputeEdge(source, target, act, len(found), len({r.article_id for r in found}),
                    found[:examples])
        for (source, target, act), found in grouped.items()
    ]
    edges.sort(key=lambda e: (-e.count, e.source, e.target, e.act))
    return DisputeGraph(nodes, edges)


def _node(nodes: dict[str, str], speaker_id: int | None, name: str) -> str:
    key = f"speaker:{speaker_id}" if speaker_id is not None else f"party:{alias_norm(_bare(name))}"
    nodes.setdefault(key, _bare(name) if speaker_id is None else name)
    return key


def speaker_disputes(conn: sqlite3.Connection, speaker_id: int, limit: int = 20) -> dict[str, list[DisputeRow]]:
    """A speaker's page: the disputes they make and those aimed at them."""
    summary = speaker_summary(conn, speaker_id)
    if summary is None:
        return {"disputes": [], "disputed_by": []}
    aimed = [
        row
        for name in summary.aliases or [summary.name]
        for row in find_disputes(conn, party=name, limit=limit).items
        if row.party_id == speaker_id
    ]
    unique = {row.id: row for row in aimed}
    return {
        "disputes": find_disputes(conn, speaker=str(speaker_id), limit=limit).items,
        "disputed_by": sorted(unique.values(), key=lambda r: r.id, reverse=True)[:limit],
    }


# --- corpus -----------------------------------------------------------------------------------


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table: what a corpus holds, and what re-ingesting must leave unchanged."""
    return {
        table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in COUNTED_TABLES
    }


# --- helpers ----------------------------------------------------------------------------------


def _date_arg(value: str, option: str) -> str:
    day = normalise_date(value)
    if day is None:
        raise QueryError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD")
    return day[:10]


def _encode_cursor(*parts: Any) -> str:
    return "~".join(str(p) for p in parts)


def _decode_cursor(cursor: str, size: int) -> list[str]:
    parts = cursor.rsplit("~", size - 1)
    if len(parts) != size:
        raise QueryError(f"cursor {cursor!r} is not one this corpus gave out; start over")
    return parts


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _unique(values: Any) -> list[Any]:
    return list(dict.fromkeys(values))
