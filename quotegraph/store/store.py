"""Writing article records into the corpus database, a batch per transaction.

Crash safety comes from SQLite: every batch of articles is one ``BEGIN IMMEDIATE ... COMMIT``,
so after a SIGKILL at any moment an article is either stored with all its attributions,
speakers, mentions and claims, or not at all; the next run skips what is stored (same id, same
text hash) and does the rest. WAL mode keeps readers (``quotegraph quotes`` during an ingest)
from blocking the writer.

Corpus-level identity (speakers, claims) is settled inside the same transaction, after the
batch's rows are in: the speaker blocks the batch touched are recomputed whole
(:mod:`quotegraph.store.speakers`), then the batch's quotes are matched to claims
(:mod:`quotegraph.store.claims`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlparse

from quotegraph.model import ArticleResult, Attribution, Speaker
from quotegraph.store import claims as claim_rules
from quotegraph.store.schema import SchemaError, migrate
from quotegraph.store.speakers import Member, alias_norm, cluster_block, display_name, identify

DEFAULT_DB = "quotegraph.db"

__all__ = ["DEFAULT_DB", "BatchReport", "SchemaError", "Store", "text_hash"]


@dataclass
class BatchReport:
    """What one committed batch did: articles newly stored, replaced, or already there."""

    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    attributions: int = 0


def text_hash(text: str) -> str:
    """The identity of an article's text: re-ingesting the same text must change nothing."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """One corpus database file: open it, write batches of records, read it back."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | Path = DEFAULT_DB, create: bool = True) -> Store:
        """Open (and, when ``create``, create or migrate) the corpus at ``path``."""
        path = str(path)
        if not create and not Path(path).exists():
            raise FileNotFoundError(
                f"no corpus at {path}; run `quotegraph ingest PATH...` first, or pass --db FILE"
            )
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            _configure(conn, path)
            migrate(conn, path)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: commit on success, roll back on any exception (or interrupt)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- runs -------------------------------------------------------------------------------

    def begin_run(self, inputs: Iterable[str]) -> int:
        """Record that an ingest started, so an unfinished one can be told apart later."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, inputs) VALUES (?, ?)",
                (_now(), json.dumps(list(inputs), ensure_ascii=False)),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, failed: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = ?, failed = ? WHERE id = ?", (_now(), failed, run_id)
            )

    def unfinished_runs(self) -> int:
        """Earlier ingests that never finished (killed): their committed batches are kept."""
        row = self.conn.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL").fetchone()
        return int(row[0])

    # --- articles ---------------------------------------------------------------------------

    def is_stored(self, article_id: str, text: str) -> bool:
        """Whether this exact article (id and text) is already in the corpus."""
        row = self.conn.execute(
            "SELECT text_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row is not None and row[0] == text_hash(text)

    def write_batch(self, results: Iterable[ArticleResult], run_id: int | None = None) -> BatchReport:
        """Store a batch of records in one transaction; unchanged articles are left alone."""
        report = BatchReport()
        with self.transaction() as conn:
            touched = _Touched()
            new_quotes: list[int] = []
            for result in results:
                digest = text_hash(result.text)
                stored = conn.execute(
                    "SELECT text_hash FROM articles WHERE id = ?", (result.id,)
                ).fetchone()
                if stored and stored[0] == digest:
                    report.unchanged += 1
                    continue
                if stored:
                    _delete_article(conn, result.id, touched)
                    report.replaced += 1
                else:
                    report.stored += 1
                report.attributions += len(result.attributions)
                new_quotes += _insert_article(conn, result, digest, run_id, touched)
            _reassign_blocks(conn, touched.blocks, touched.speakers)
            touched.claims |= _assign_claims(conn, new_quotes)
            _refresh_claims(conn, touched.claims)
            if run_id is not None:
                conn.execute(
                    "UPDATE runs SET stored = stored + ?, unchanged = unchanged + ? WHERE id = ?",
                    (report.stored + report.replaced, report.unchanged, run_id),
                )
        return report

    def delete_article(self, article_id: str) -> bool:
        """Remove one article and everything extracted from it; False when it is not there."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
                return False
            touched = _Touched()
            _delete_article(conn, article_id, touched)
            _reassign_blocks(conn, touched.blocks, touched.speakers)
            _refresh_claims(conn, touched.claims)
        return True

    # --- user decisions about speakers ------------------------------------------------------

    def merge_speakers(self, from_id: int, into_id: int) -> None:
        """Make speaker ``from_id`` part of ``into_id``, for good (kept across re-ingestion)."""
        with self.transaction() as conn:
            from_key, into_key = _speaker_key(conn, from_id), _speaker_key(conn, into_id)
            conn.execute(
                "INSERT OR REPLACE INTO speaker_merges (from_key, into_key, decided_at) "
                "VALUES (?, ?, ?)",
                (from_key, into_key, _now()),
            )
            _reassign_blocks(conn, _blocks_of_speakers(conn, [from_id, into_id]))

    def split_speaker(self, speaker_id: int, alias: str) -> list[str]:
        """Detach the mentions named ``alias`` from a speaker; returns what was undone.

        Names that joined through a user's merge leave by undoing that merge; names that joined
        by the automatic rules get a split decision that keeps them apart from now on.
        """
        wanted = alias_norm(alias)
        with self.transaction() as conn:
            key = _speaker_key(conn, speaker_id)
            rows = conn.execute(
                "SELECT name, base_key, block FROM article_speakers WHERE speaker_id = ?",
                (speaker_id,),
            ).fetchall()
            matching = [(base, block) for name, base, block in rows if alias_norm(name) == wanted]
            if not matching:
                raise LookupError(_no_such_alias(alias, sorted({name for name, _, _ in rows})))
            done = [_undo_or_split(conn, base, key, wanted) for base, _ in sorted(set(matching))]
            _reassign_blocks(conn, {block for _, block in matching})
        return sorted(set(done))


class _Touched:
    """Speaker blocks and claims a batch changed, to settle before it commits."""

    def __init__(self) -> None:
        self.blocks: set[str] = set()
        self.claims: set[int] = set()
        self.speakers: set[int] = set()


def _configure(conn: sqlite3.Connection, path: str) -> None:
    """WAL for concurrent readers; NORMAL sync is durable against process crashes in WAL."""
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            f"{path} is not an SQLite database ({exc}); pass --db with another file name"
        ) from None
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _insert_article(
    conn: sqlite3.Connection, result: ArticleResult, digest: str, run_id: int | None,
    touched: _Touched,
) -> list[int]:
    """Insert one record's rows; returns the ids of its attributions that quote someone."""
    meta = dict(result.meta)
    conn.execute(
        "INSERT INTO articles (id, text_hash, text, title, url, outlet, published, path, meta, "
        "run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            result.id, digest, result.text, meta.get("title"), meta.get("url"),
            outlet_of(meta), normalise_date(meta.get("published")), meta.get("path"),
            json.dumps(meta, ensure_ascii=False, default=str), run_id,
        ),
    )
    for position, speaker in enumerate(result.speakers):
        touched.blocks.add(_insert_speaker(conn, result.id, position, speaker))
    quotes = [
        attribution_id
        for attribution in result.attributions
        if (attribution_id := _insert_attribution(conn, result.id, attribution)) is not None
    ]
    _insert_disputes(conn, result)
    return quotes


def _insert_speaker(
    conn: sqlite3.Connection, article_id: str, position: int, speaker: Speaker
) -> str:
    """Insert an article's speaker and its mentions; returns its block."""
    member = Member(article_id, speaker.id, speaker.name, speaker.type, tuple(speaker.descriptions))
    identity = identify(member)
    conn.execute(
        "INSERT INTO article_speakers (article_id, local_id, position, name, type, descriptions, "
        "block, base_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article_id, speaker.id, position, speaker.name, speaker.type,
            json.dumps(speaker.descriptions, ensure_ascii=False), identity.block, identity.key,
        ),
    )
    conn.executemany(
        'INSERT INTO mentions (article_id, local_speaker, position, start, "end", text) '
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(article_id, speaker.id, n, m.start, m.end, m.text) for n, m in enumerate(speaker.mentions)],
    )
    return identity.block


def _insert_attribution(
    conn: sqlite3.Connection, article_id: str, attribution: Attribution
) -> int | None:
    """Insert one attribution; returns its row id when it carries a quote (a claim to match)."""
    quote = claim_rules.quote_of(attribution)
    source, cue = attribution.source, attribution.cue
    cursor = conn.execute(
        "INSERT INTO attributions (article_id, local_id, local_speaker, kind, confidence, "
        "source_start, source_end, source_text, cue_start, cue_end, cue_text, content, "
        "content_text, quote_words, quote_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article_id, attribution.id, attribution.speaker, attribution.kind,
            float(attribution.confidence),
            source.start if source else None, source.end if source else None,
            source.text if source else None,
            cue.start if cue else None, cue.end if cue else None, cue.text if cue else None,
            json.dumps([f.to_dict() for f in attribution.content], ensure_ascii=False),
            " ".join(f.text for f in attribution.content),
            quote.key if quote else None,
            claim_rules.quote_display(attribution) if quote else None,
        ),
    )
    if attribution.act is not None or attribution.targets or attribution.embedded:
        conn.execute(
            "UPDATE attributions SET act = ?, act_confidence = ?, targets = ?, embedded = ? "
            "WHERE id = ?",
            (
                attribution.act, attribution.act_confidence,
                json.dumps([t.to_dict() for t in attribution.targets], ensure_ascii=False)
                if attribution.targets else None,
                int(attribution.embedded), cursor.lastrowid,
            ),
        )
    return int(cursor.lastrowid or 0) if quote else None


def _insert_disputes(conn: sqlite3.Connection, result: ArticleResult) -> None:
    """An article's dispute edges, one row each (the party's fields flattened)."""
    conn.executemany(
        "INSERT INTO disputes (article_id, local_id, act, attribution, local_speaker, "
        "party_start, party_end, party_text, party_role, party_speaker, party_claim, claim, "
        "evidence_start, evidence_end, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        [
            (
                result.id, d.id, d.act, d.attribution, d.speaker,
                *((d.party.span.start, d.party.span.end, d.party.span.text, d.party.role,
                   d.party.speaker, d.party.claim) if d.party else (None,) * 6),
                d.claim, d.evidence.start, d.evidence.end, float(d.confidence),
            )
            for d in result.disputes
        ],
    )


def _delete_article(conn: sqlite3.Connection, article_id: str, touched: _Touched) -> None:
    """Remove an article's rows, noting the speaker blocks and claims that must be settled."""
    touched.blocks.update(
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT block FROM article_speakers WHERE article_id = ?", (article_id,)
        )
    )
    touched.speakers.update(
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT speaker_id FROM article_speakers WHERE article_id = ? "
            "AND speaker_id IS NOT NULL",
            (article_id,),
        )
    )
    touched.claims.update(
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT claim_id FROM attributions WHERE article_id = ? "
            "AND claim_id IS NOT NULL",
            (article_id,),
        )
    )
    conn.execute("DELETE FROM disputes WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM attributions WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM article_speakers WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))


# --- speakers ---------------------------------------------------------------------------------


def _reassign_blocks(
    conn: sqlite3.Connection, blocks: Iterable[str], touched: set[int] | None = None
) -> None:
    """Recompute corpus speakers for whole blocks, apply user decisions, tidy the speakers.

    ``touched`` holds speakers that lost members some other way (a deleted article).
    """
    splits = set(conn.execute("SELECT base_key, alias FROM speaker_splits").fetchall())
    merges = dict(conn.execute("SELECT from_key, into_key FROM speaker_merges").fetchall())
    changed = set(touched or ())
    for block in sorted(blocks):
        changed |= _reassign_block(conn, block, splits, merges)
    _refresh_speakers(conn, changed)


def _reassign_block(
    conn: sqlite3.Connection, block: str, splits: set[tuple[str, str]], merges: dict[str, str]
) -> set[int]:
    """Settle one block; returns the speakers whose members changed.

    Works on the block's distinct (name, type, descriptions) variants rather than on every
    member, so a surname mentioned in ten thousand articles costs a handful of rows in Python.
    """
    current = conn.execute(
        "SELECT name, type, descriptions, base_key, speaker_id FROM article_speakers "
        "WHERE block = ? GROUP BY name, type, descriptions, base_key, speaker_id",
        (block,),
    ).fetchall()
    now: dict[tuple[str, str, str], set[tuple[str, int | None]]] = {}
    for name, type_, descriptions, base, speaker_id in current:
        now.setdefault((name, type_, descriptions), set()).add((base, speaker_id))
    variants = sorted(now)
    members = [Member("", "", n, t, tuple(json.loads(d))) for n, t, d in variants]
    changed: set[int] = set()
    for variant, base in zip(variants, cluster_block(members), strict=True):
        name, type_, _ = variant
        speaker_id = _speaker_id_for(conn, _decided_key(base, alias_norm(name), splits, merges), type_)
        if now[variant] == {(base, speaker_id)}:
            continue
        changed |= {old for _, old in now[variant] if old is not None} | {speaker_id}
        conn.execute(
            "UPDATE article_speakers SET base_key = ?, speaker_id = ? WHERE block = ? "
            "AND name = ? AND type = ? AND descriptions = ?",
            (base, speaker_id, block, *variant),
        )
    return changed


def _decided_key(
    base: str, alias: str, splits: set[tuple[str, str]], merges: dict[str, str]
) -> str:
    """A member's corpus speaker key after the user's splits and merges."""
    key = f"{base}|split:{alias}" if (base, alias) in splits else base
    seen = {key}
    while key in merges and merges[key] not in seen:
        key = merges[key]
        seen.add(key)
    return key


def _speaker_id_for(conn: sqlite3.Connection, key: str, type_: str) -> int:
    row = conn.execute("SELECT id FROM speakers WHERE key = ?", (key,)).fetchone()
    if row:
        return int(row[0])
    cursor = conn.execute(
        "INSERT INTO speakers (key, name, type) VALUES (?, '', ?)", (key, type_)
    )
    return int(cursor.lastrowid or 0)


def _refresh_speakers(conn: sqlite3.Connection, speaker_ids: Iterable[int]) -> None:
    """Name each changed speaker after its members, and drop speakers left with none."""
    for speaker_id in sorted(speaker_ids):
        variants = conn.execute(
            "SELECT name, type, COUNT(*) FROM article_speakers WHERE speaker_id = ? "
            "GROUP BY name, type",
            (speaker_id,),
        ).fetchall()
        if not variants:
            conn.execute("DELETE FROM speakers WHERE id = ?", (speaker_id,))
            continue
        name, type_ = display_name(variants)
        conn.execute(
            "UPDATE speakers SET name = ?, type = ? WHERE id = ?", (name, type_, speaker_id)
        )


def _speaker_key(conn: sqlite3.Connection, speaker_id: int) -> str:
    row = conn.execute("SELECT key FROM speakers WHERE id = ?", (speaker_id,)).fetchone()
    if row is None:
        raise LookupError(f"no speaker with id {speaker_id}; list them with `quotegraph speakers`")
    return str(row[0])


def _blocks_of_speakers(conn: sqlite3.Connection, speaker_ids: list[int]) -> set[str]:
    marks = ",".join("?" * len(speaker_ids))
    rows = conn.execute(
        f"SELECT DISTINCT block FROM article_speakers WHERE speaker_id IN ({marks})", speaker_ids
    )
    return {row[0] for row in rows}


def _undo_or_split(conn: sqlite3.Connection, base: str, key: str, alias: str) -> str:
    """Undo the user's merge that brought ``base`` in, else record a split of ``alias``."""
    merged = conn.execute("SELECT into_key FROM speaker_merges WHERE from_key = ?", (base,))
    if merged.fetchone():
        conn.execute("DELETE FROM speaker_merges WHERE from_key = ?", (base,))
        return f"undid the merge of {base}"
    conn.execute(
        "INSERT OR IGNORE INTO speaker_splits (base_key, alias, decided_at) VALUES (?, ?, ?)",
        (base, alias, _now()),
    )
    return f"split {alias!r} from {key}"


def _no_such_alias(alias: str, names: list[str]) -> str:
    known = ", ".join(repr(n) for n in names[:12]) or "(none)"
    return f"the speaker is never called {alias!r}; its names are: {known}"


# --- claims -----------------------------------------------------------------------------------


def _assign_claims(conn: sqlite3.Connection, attribution_ids: list[int]) -> set[int]:
    """Attach each new quote to the claim it repeats, or start a claim; returns claims touched."""
    touched: set[int] = set()
    for attribution_id in attribution_ids:
        words, text, speaker_id = conn.execute(
            "SELECT a.quote_words, a.quote_text, s.speaker_id FROM attributions a "
            "LEFT JOIN article_speakers s ON s.article_id = a.article_id "
            "AND s.local_id = a.local_speaker WHERE a.id = ?",
            (attribution_id,),
        ).fetchone()
        quote = _quote_from_key(words)
        matches = _matching_claims(conn, quote, speaker_id)
        claim_id = _join_claims(conn, matches, quote, text)
        conn.execute("UPDATE attributions SET claim_id = ? WHERE id = ?", (claim_id, attribution_id))
        _reword_claim(conn, claim_id)  # at once, so later quotes in the batch match the new words
        touched.add(claim_id)
    return touched


def _matching_claims(
    conn: sqlite3.Connection, quote: claim_rules.Quote, speaker_id: int | None
) -> list[tuple[int, claim_rules.Quote]]:
    """Claims this quote is one with (see :func:`claim_rules.same_claim`), lowest id first."""
    if len(quote.words) < claim_rules.MIN_SHARED_WORDS:
        rows = conn.execute("SELECT id, words FROM claims WHERE words = ?", (quote.key,))
        candidates = [(cid, _quote_from_key(w)) for cid, w in rows]
        return [
            (cid, q) for cid, q in candidates if _claim_has_speaker(conn, cid, speaker_id)
        ]
    shingles = sorted(quote.shingles())
    marks = ",".join("?" * len(shingles))
    rows = conn.execute(
        f"SELECT c.id, c.words FROM claims c WHERE c.id IN (SELECT claim_id FROM claim_shingles "
        f"WHERE shingle IN ({marks}) GROUP BY claim_id ORDER BY COUNT(*) DESC LIMIT 25)",
        shingles,
    ).fetchall()
    found = [(cid, _quote_from_key(w)) for cid, w in rows]
    return sorted(
        (cid, q) for cid, q in found if claim_rules.same_claim(quote, q, same_speaker=False)
    )


def _claim_has_speaker(conn: sqlite3.Connection, claim_id: int, speaker_id: int | None) -> bool:
    if speaker_id is None:
        return False
    row = conn.execute(
        "SELECT 1 FROM attributions a JOIN article_speakers s ON s.article_id = a.article_id "
        "AND s.local_id = a.local_speaker WHERE a.claim_id = ? AND s.speaker_id = ? LIMIT 1",
        (claim_id, speaker_id),
    ).fetchone()
    return row is not None


def _join_claims(
    conn: sqlite3.Connection, matches: list[tuple[int, claim_rules.Quote]],
    quote: claim_rules.Quote, text: str,
) -> int:
    """The claim a quote belongs to: a new one, or the lowest-numbered match, absorbing the rest."""
    if not matches:
        cursor = conn.execute("INSERT INTO claims (words, text) VALUES (?, ?)", (quote.key, text))
        claim_id = int(cursor.lastrowid or 0)
        _index_claim(conn, claim_id, quote)
        return claim_id
    claim_id = matches[0][0]
    for other_id, _ in matches[1:]:  # the quote bridges claims that were one all along
        conn.execute("UPDATE attributions SET claim_id = ? WHERE claim_id = ?", (claim_id, other_id))
        conn.execute("DELETE FROM claim_shingles WHERE claim_id = ?", (other_id,))
        conn.execute("DELETE FROM claims WHERE id = ?", (other_id,))
    return claim_id


def _refresh_claims(conn: sqlite3.Connection, claim_ids: Iterable[int]) -> None:
    """Drop claims with no occurrence left; reword the rest and date them by first sighting."""
    for claim_id in sorted(claim_ids):
        count = conn.execute(
            "SELECT COUNT(*) FROM attributions WHERE claim_id = ?", (claim_id,)
        ).fetchone()[0]
        if not count:
            conn.execute("DELETE FROM claim_shingles WHERE claim_id = ?", (claim_id,))
            conn.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
            continue
        _reword_claim(conn, claim_id)
        conn.execute(
            "UPDATE claims SET first_seen = (SELECT MIN(ar.published) FROM attributions a "
            "JOIN articles ar ON ar.id = a.article_id WHERE a.claim_id = ?) WHERE id = ?",
            (claim_id, claim_id),
        )


def _reword_claim(conn: sqlite3.Connection, claim_id: int) -> None:
    """A claim's wording is its longest occurrence's (earliest stored on a tie)."""
    rows = conn.execute(
        "SELECT quote_words, quote_text FROM attributions WHERE claim_id = ? ORDER BY id",
        (claim_id,),
    ).fetchall()
    if not rows:
        return
    words, text = max(rows, key=lambda row: len(_quote_from_key(row[0]).words))
    current = conn.execute("SELECT words FROM claims WHERE id = ?", (claim_id,)).fetchone()
    if current and current[0] == words:
        return
    conn.execute("UPDATE claims SET words = ?, text = ? WHERE id = ?", (words, text, claim_id))
    conn.execute("DELETE FROM claim_shingles WHERE claim_id = ?", (claim_id,))
    _index_claim(conn, claim_id, _quote_from_key(words))


def _index_claim(conn: sqlite3.Connection, claim_id: int, quote: claim_rules.Quote) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO claim_shingles (shingle, claim_id) VALUES (?, ?)",
        [(shingle, claim_id) for shingle in sorted(quote.shingles())],
    )


def _quote_from_key(words: str) -> claim_rules.Quote:
    return claim_rules.Quote(tuple(tuple(seg.split()) for seg in words.split(" … ") if seg))


# --- article metadata -------------------------------------------------------------------------


def outlet_of(meta: dict[str, Any]) -> str | None:
    """Who published the article: ``meta.outlet``, else the URL's host without ``www.``."""
    outlet = meta.get("outlet")
    if outlet:
        return str(outlet)
    url = meta.get("url")
    if url:
        host = urlparse(str(url)).hostname or ""
        return host.removeprefix("www.") or None
    return None


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d")


def normalise_date(value: Any) -> str | None:
    """An ISO date or date-time string for ``meta.published``, or None when it cannot be read.

    ISO strings sort and compare as text, which is what ``--since``/``--until`` rely on.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.date().isoformat() if len(text) <= 10 else parsed.isoformat()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def day_after(day: str) -> str:
    """The ISO date after ``day`` (``--until 2024-03-01`` includes all of that day)."""
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
