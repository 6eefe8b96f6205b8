"""The corpus commands as a user and a script see them, and ingest surviving SIGKILL.

``ingest --records`` stores records that ``quotegraph extract`` wrote, so most tests run without
the model; a scripted engine (as in test_cli.py) stands in for it where the reading and
extraction path matters. The tests marked "with the shipped model" run the real engine and skip
until quotegraph/models/fast/tagger.bin exists.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_articles import LAVROV_ARTICLES, LAVROV_TASS, SMITH_ARTICLES
from test_cli import ScriptedExtractor

from quotegraph.cli import main
from quotegraph.extraction import pipeline
from quotegraph.store import Store, queries
from quotegraph.store.synthetic import generate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "quotegraph" / "samples"
MODEL = ROOT / "quotegraph" / "models" / "fast" / "tagger.bin"
needs_model = pytest.mark.skipif(not MODEL.exists(), reason="the trained model is not there yet")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write_records(path: Path, records) -> Path:
    path.write_text("".join(r.to_json() + "\n" for r in records), encoding="utf-8")
    return path


def corpus_dump(db: Path) -> dict[str, list[tuple]]:
    """The corpus's content by natural keys: what must be equal after a crash and a resume.

    Row ids of speakers and claims are replaced by what identifies them (key, wording), and the
    bookkeeping of runs (which differs between one run and two) is left out.
    """
    conn = sqlite3.connect(db)
    queries_by_table = {
        "articles": "SELECT id, text_hash, text, title, url, outlet, published, path, meta "
                    "FROM articles",
        "speakers": "SELECT key, name, type FROM speakers",
        "article_speakers": "SELECT s.article_id, s.local_id, s.position, s.name, s.type, "
                            "s.descriptions, s.block, s.base_key, sp.key FROM article_speakers s "
                            "JOIN speakers sp ON sp.id = s.speaker_id",
        "mentions": "SELECT * FROM mentions",
        "attributions": "SELECT a.article_id, a.local_id, a.local_speaker, a.kind, a.confidence, "
                        "a.source_text, a.cue_text, a.content, a.quote_words, c.words "
                        "FROM attributions a LEFT JOIN claims c ON c.id = a.claim_id",
        "claims": "SELECT words, text, first_seen FROM claims",
        "search": "SELECT rowid FROM attributions_fts WHERE attributions_fts MATCH 'the'",
    }
    dump = {table: sorted(conn.execute(sql), key=repr) for table, sql in queries_by_table.items()}
    dump["search"] = [(len(dump["search"]),)]
    conn.close()
    return dump


# --- ingest and queries on records -------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path, capsys) -> Path:
    """A corpus ingested from records of the Lavrov and Smith articles."""
    records = write_records(tmp_path / "news.jsonl", [*LAVROV_ARTICLES, *SMITH_ARTICLES])
    db = tmp_path / "news.db"
    status, _, err = run(capsys, "ingest", "--records", str(records), "--db", str(db))
    assert status == 0, err
    assert "7 articles stored" in err
    return db


def test_ingesting_the_same_records_again_leaves_every_count_unchanged(corpus, tmp_path, capsys):
    with Store.open(corpus) as store:
        before = queries.counts(store.conn)
    status, _, err = run(capsys, "ingest", "--records", str(tmp_path / "news.jsonl"),
                         "--db", str(corpus))
    assert status == 0 and "0 articles stored" in err and "7 unchanged" in err
    with Store.open(corpus) as store:
        assert queries.counts(store.conn) == before


def test_speakers_lists_people_with_their_other_names(corpus, capsys):
    status, out, _ = run(capsys, "speakers", "--db", str(corpus), "--top", "3")
    assert status == 0
    first = out.splitlines()[0]
    assert "Sergey Lavrov [PERSON]" in first and "6 statements, 3 articles, 3 outlets" in first
    assert "Sergei Lavrov" in out


def test_quotes_filters_by_speaker_and_words(corpus, capsys):
    status, out, _ = run(capsys, "quotes", "--db", str(corpus), "--speaker", "Lavrov",
                         "--query", "negotiations")
    assert status == 0
    assert "Sergey Lavrov (Sergei Lavrov) | said | indirect | TASS, 2024-03-06, tass-lavrov" in out
    assert "Russia remained open to negotiations" in out
    assert "drones" not in out


def test_quotes_with_a_bad_date_says_how_to_write_it(corpus, capsys):
    status, _, err = run(capsys, "quotes", "--db", str(corpus), "--since", "yesterday")
    assert status == 2 and "YYYY-MM-DD" in err


def test_show_marks_source_cue_and_content_in_the_text(corpus, capsys):
    status, out, _ = run(capsys, "show", LAVROV_TASS.id, "--db", str(corpus), "--color", "never")
    assert status == 0
    assert "\u27e8S1 Sergei Lavrov\u27e9 \u27e8C1 said\u27e9 \u27e8Q1 Russia remained open" in out
    assert "[1] Sergey Lavrov (speaker #" in out


def test_show_an_unknown_article_says_where_to_find_ids(corpus, capsys):
    status, _, err = run(capsys, "show", "no-such-article", "--db", str(corpus))
    assert status == 2 and "no article 'no-such-article'" in err


def test_claims_lists_a_quote_carried_by_three_outlets(corpus, capsys):
    status, out, _ = run(capsys, "claims", "--db", str(corpus))
    assert status == 0
    assert "3 articles, 3 outlets, first seen 2024-03-04 | Sergey Lavrov" in out


def test_merge_and_split_from_the_command_line(corpus, capsys):
    status, out, _ = run(capsys, "speakers", "merge", "Smith", "Maria Smith", "--db", str(corpus))
    assert status == 0 and "merged" in out and "into" in out
    status, out, _ = run(capsys, "speakers", "--db", str(corpus), "split", "Maria Smith", "Smith")
    assert status == 0 and "undid the merge" in out


def test_merge_with_an_ambiguous_name_lists_the_candidates(corpus, capsys):
    status, _, err = run(capsys, "speakers", "merge", "Smit", "Lavrov", "--db", str(corpus))
    assert status == 2 and "could be several speakers" in err and "#" in err


def test_export_jsonl_and_csv(corpus, tmp_path, capsys):
    status, out, err = run(capsys, "export", "--db", str(corpus))
    assert status == 0 and "7 articles exported" in err
    assert len([json.loads(line) for line in out.splitlines()]) == 7
    target = tmp_path / "quotes.csv"
    status, _, err = run(capsys, "export", "--format", "csv", "-o", str(target), "--db", str(corpus))
    assert status == 0 and "15 attributions exported" in err
    assert target.read_text().startswith("article_id,outlet,published")


def test_export_parquet_needs_an_output_file(corpus, capsys):
    status, _, err = run(capsys, "export", "--format", "parquet", "--db", str(corpus))
    assert status == 2 and "--output FILE" in err


def test_queries_on_a_missing_corpus_say_to_ingest_first(tmp_path, capsys):
    status, _, err = run(capsys, "speakers", "--db", str(tmp_path / "none.db"))
    assert status == 2 and "quotegraph ingest" in err
    assert not (tmp_path / "none.db").exists()


def test_a_bad_record_line_is_reported_and_the_rest_stored(tmp_path, capsys):
    records = tmp_path / "mixed.jsonl"
    records.write_text(LAVROV_TASS.to_json() + "\n{\"not\": \"a record\"}\n", encoding="utf-8")
    status, _, err = run(capsys, "ingest", "--records", str(records), "--db", str(tmp_path / "x.db"))
    assert status == 1
    assert "mixed.jsonl:2: not an article record" in err and "1 articles stored" in err


# --- ingest through the readers and the engine --------------------------------------------------


@pytest.fixture
def engine(monkeypatch) -> ScriptedExtractor:
    scripted = ScriptedExtractor()
    monkeypatch.setattr(pipeline, "default_extractor", lambda: scripted)
    return scripted


def test_ingest_extracts_only_what_the_corpus_does_not_hold(engine, tmp_path, capsys):
    news = tmp_path / "news"
    news.mkdir()
    (news / "bridge.txt").write_text("Bridge vote\n\nHelen Tarrant said the bridge will open.\n")
    (news / "clinic.txt").write_text("Clinics\n\nClara Voss said money was found.\n")
    db = str(tmp_path / "news.db")
    status, _, err = run(capsys, "ingest", str(news), "--db", db)
    assert status == 0 and "2 articles stored" in err
    assert engine.batches == [["bridge", "clinic"]]
    (news / "clinic.txt").write_text("Clinics\n\nClara Voss said more money was found.\n")
    status, _, err = run(capsys, "ingest", str(news), "--db", db)
    assert status == 0 and "1 replaced, 1 unchanged" in err
    assert engine.batches[1:] == [["clinic"]]
    status, out, _ = run(capsys, "quotes", "--db", db, "--speaker", "Clara Voss")
    assert "more money was found" in out


def test_an_engine_failure_is_reported_and_the_batch_goes_on(engine, tmp_path, capsys):
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("A\n\nHelen Tarrant said the bridge will open.\n")
    (news / "b.txt").write_text("B\n\nBOOM\n")
    status, _, err = run(capsys, "ingest", str(news), "--db", str(tmp_path / "n.db"))
    assert status == 1 and "extraction failed" in err and "1 articles stored" in err


# --- crash safety -------------------------------------------------------------------------------


def ingest_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "quotegraph.cli", "ingest", "--db", str(db), "--quiet", *args]


def kill_when_stored(command: list[str], db: Path, at_least: int, extra_s: float) -> None:
    """Start ``command``, wait until it has committed ``at_least`` articles, then SIGKILL it
    ``extra_s`` seconds later (mid-batch, mid-transaction: wherever it happens to be)."""
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if _stored(db) >= at_least:
                break
            time.sleep(0.02)
        time.sleep(extra_s)
        assert process.poll() is None, "ingest finished before it could be killed; give it more"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()


def _stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_ingest_killed_mid_run_and_resumed_ends_as_an_uninterrupted_run(tmp_path):
    records = write_records(tmp_path / "load.jsonl", generate(1500, seed=3))
    whole, resumed = tmp_path / "whole.db", tmp_path / "resumed.db"
    subprocess.run(ingest_command(whole, "--records", str(records), "--commit-every", "16"),
                   cwd=ROOT, check=True)
    rng = random.Random(7)
    for _ in range(2):  # killed twice, at different moments
        kill_when_stored(ingest_command(resumed, "--records", str(records), "--commit-every", "16"),
                         resumed, at_least=_stored(resumed) + 1, extra_s=rng.uniform(0.05, 0.4))
    assert 0 < _stored(resumed) < 1500, "the kill should land mid-run"
    subprocess.run(ingest_command(resumed, "--records", str(records), "--commit-every", "16"),
                   cwd=ROOT, check=True)
    assert corpus_dump(resumed) == corpus_dump(whole)


@needs_model
def test_with_the_shipped_model_reingesting_the_samples_changes_no_count(tmp_path):
    db = tmp_path / "samples.db"
    subprocess.run(ingest_command(db, str(SAMPLES)), cwd=ROOT, check=True)
    with Store.open(db) as store:
        before = queries.counts(store.conn)
    subprocess.run(ingest_command(db, str(SAMPLES)), cwd=ROOT, check=True)
    with Store.open(db) as store:
        assert queries.counts(store.conn) == before
    assert before["articles"] == len(list(SAMPLES.glob("*.txt"))) and before["attributions"] > 0


@needs_model
def test_with_the_shipped_model_ingest_killed_and_resumed_ends_as_an_uninterrupted_run(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for copy in range(40):  # many articles, each text distinct so none is a duplicate
        for sample in sorted(SAMPLES.glob("*.txt")):
            text = sample.read_text(encoding="utf-8") + f"\nEdition {copy}.\n"
            (news / f"{sample.stem}-{copy:03d}.txt").write_text(text, encoding="utf-8")
    whole, resumed = tmp_path / "whole.db", tmp_path / "resumed.db"
    subprocess.run(ingest_command(whole, str(news), "--commit-every", "8"), cwd=ROOT, check=True)
    kill_when_stored(ingest_command(resumed, str(news), "--commit-every", "8"), resumed,
                     at_least=8, extra_s=0.5)
    assert 0 < _stored(resumed) < 120
    subprocess.run(ingest_command(resumed, str(news), "--commit-every", "8"), cwd=ROOT, check=True)
    assert corpus_dump(resumed) == corpus_dump(whole)
