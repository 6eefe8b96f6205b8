"""The corpus database's tables, and the migrations that bring any older file up to date.

The schema version lives in SQLite's ``user_version``; ``application_id`` marks the file as a
quotegraph corpus so that pointing ``--db`` at some other SQLite file fails with a clear message
instead of adding tables to it. Each migration runs in its own transaction with the version bump,
so a migration interrupted half-way leaves the old version intact.

Identity in the tables follows the record: an article is its id (plus the hash of its text, to
notice a changed article), an attribution or article speaker is (article id, record id). The
corpus-level things (speakers, claims) have integer ids for people and URLs, and a ``key`` that
is a pure function of the evidence, which is what user decisions and re-ingestion hold on to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

#: "qgph" as an integer: SQLite's PRAGMA application_id for quotegraph corpora.
APPLICATION_ID = 0x71677068

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    inputs TEXT NOT NULL,
    stored INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    text_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    title TEXT,
    url TEXT,
    outlet TEXT,
    published TEXT,
    path TEXT,
    meta TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id)
);
CREATE INDEX articles_outlet ON articles(outlet);
CREATE INDEX articles_published ON articles(published);

CREATE TABLE speakers (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    type TEXT NOT NULL
);

CREATE TABLE article_speakers (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    local_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    descriptions TEXT NOT NULL,
    block TEXT NOT NULL,
    base_key TEXT NOT NULL,
    speaker_id INTEGER REFERENCES speakers(id),
    PRIMARY KEY (article_id, local_id)
) WITHOUT ROWID;
CREATE INDEX article_speakers_block ON article_speakers(block, name, type, descriptions);
CREATE INDEX article_speakers_speaker ON article_speakers(speaker_id);

CREATE TABLE mentions (
    article_id TEXT NOT NULL,
    local_speaker TEXT NOT NULL,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (article_id, local_speaker, position),
    FOREIGN KEY (article_id, local_speaker)
        REFERENCES article_speakers(article_id, local_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    words TEXT NOT NULL,
    text TEXT NOT NULL,
    first_seen TEXT
);
CREATE INDEX claims_words ON claims(words);

CREATE TABLE claim_shingles (
    shingle INTEGER NOT NULL,
    claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    PRIMARY KEY (shingle, claim_id)
) WITHOUT ROWID;
CREATE INDEX claim_shingles_claim ON claim_shingles(claim_id);

CREATE TABLE attributions (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    local_id TEXT NOT NULL,
    local_speaker TEXT,
    kind TEXT NOT NULL,
    confidence REAL NOT NULL,
    source_start INTEGER, source_end INTEGER, source_text TEXT,
    cue_start INTEGER, cue_end INTEGER, cue_text TEXT,
    content TEXT NOT NULL,
    content_text TEXT NOT NULL,
    quote_words TEXT,
    quote_text TEXT,
    claim_id INTEGER REFERENCES claims(id),
    UNIQUE (article_id, local_id)
);
CREATE INDEX attributions_speaker ON attributions(article_id, local_speaker);
CREATE INDEX attributions_claim ON attributions(claim_id);

CREATE VIRTUAL TABLE attributions_fts USING fts5(
    content_text, content='attributions', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER attributions_fts_insert AFTER INSERT ON attributions BEGIN
    INSERT INTO attributions_fts(rowid, content_text) VALUES (new.id, new.content_text);
END;
CREATE TRIGGER attributions_fts_delete AFTER DELETE ON attributions BEGIN
    INSERT INTO attributions_fts(attributions_fts, rowid, content_text)
        VALUES ('delete', old.id, old.content_text);
END;

CREATE TABLE speaker_merges (
    from_key TEXT PRIMARY KEY,
    into_key TEXT NOT NULL,
    decided_at TEXT NOT NULL
);

CREATE TABLE speaker_splits (
    base_key TEXT NOT NULL,
    alias TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (base_key, alias)
);
"""

_V2 = """
ALTER TABLE attributions ADD COLUMN act TEXT;
ALTER TABLE attributions ADD COLUMN act_confidence REAL;
ALTER TABLE attributions ADD COLUMN targets TEXT;
ALTER TABLE attributions ADD COLUMN embedded INTEGER NOT NULL DEFAULT 0;
CREATE INDEX attributions_act ON attributions(act);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    local_id TEXT NOT NULL,
    act TEXT NOT NULL,
    attribution TEXT NOT NULL,
    local_speaker TEXT,
    party_start INTEGER, party_end INTEGER, party_text TEXT, party_role TEXT,
    party_speaker TEXT,
    party_claim TEXT,
    claim TEXT,
    evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL,
    confidence REAL NOT NULL,
    UNIQUE (article_id, local_id)
);
CREATE INDEX disputes_speaker ON disputes(article_id, local_speaker);
CREATE INDEX disputes_party ON disputes(article_id, party_speaker);
"""

#: (version, migration) in order; a migration gets a connection inside an open transaction.
MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [
    (1, lambda conn: _run_script(conn, _V1)),
    (2, lambda conn: _run_script(conn, _V2)),  # speech acts, targets, disputes (issue 7)
]

LATEST = MIGRATIONS[-1][0]


class SchemaError(Exception):
    """The file is not a quotegraph corpus this version can use; the message says what to do."""


def migrate(conn: sqlite3.Connection, path: str) -> int:
    """Bring the database up to :data:`LATEST`; returns the version it was at before."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    _check_owner(conn, path, version)
    for target, step in MIGRATIONS:
        if target > version:
            conn.execute("BEGIN IMMEDIATE")
            try:
                step(conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    return version


def _check_owner(conn: sqlite3.Connection, path: str, version: int) -> None:
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    if app not in (0, APPLICATION_ID) or (app == 0 and _has_tables(conn)):
        raise SchemaError(
            f"{path} is an SQLite database but not a quotegraph corpus; "
            "pass --db with a new file name or an existing corpus"
        )
    if version > LATEST:
        raise SchemaError(
            f"{path} was written by a newer quotegraph (schema {version}, this one knows up to "
            f"{LATEST}); upgrade quotegraph (pip install -U quotegraph) to use it"
        )


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statement by statement (``executescript`` would commit our transaction)."""
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a script at top-level semicolons, keeping trigger bodies whole."""
    statements, current = [], []
    for line in script.splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            statements.append(text)
            current = []
    return [s for s in statements if s.strip(" ;\n")]
