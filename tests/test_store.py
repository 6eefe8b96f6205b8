"""The corpus store, specified on a real SQLite file with records written for the tests.

Speakers across articles, quotes traced across outlets, idempotent re-ingestion, replacement of
changed articles, user decisions that survive re-ingestion, queries and exports. No model is
needed: the records are built by hand from realistic articles (tests/store_articles.py).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace

import pytest
from store_articles import (
    CEO_SMITH,
    LAVROV_ARTICLES,
    LAVROV_GUARDIAN,
    LAVROV_REUTERS,
    LAVROV_TASS,
    SENATOR_SMITH,
    SMITH_ARTICLES,
    SMITH_THE_SENATOR,
    SMITH_UNKNOWN,
    Said,
    record,
)

from quotegraph.store import SchemaError, Store, queries
from quotegraph.store import export as corpus_export
from quotegraph.store.schema import LATEST
from quotegraph.store.speakers import Member, cluster_block, org_key, parse_person


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "corpus.db") as opened:
        yield opened


def speaker_of(store: Store, article_id: str, local_id: str) -> tuple[int, str]:
    """The corpus speaker (id, name) an article's speaker was identified as."""
    return store.conn.execute(
        "SELECT sp.id, sp.name FROM article_speakers s JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE s.article_id = ? AND s.local_id = ?",
        (article_id, local_id),
    ).fetchone()


def speaker_named(store: Store, name: str) -> queries.SpeakerSummary:
    found = [s for s in queries.top_speakers(store.conn, limit=100).items if s.name == name]
    assert len(found) == 1, f"expected one speaker named {name!r}, got {found}"
    return found[0]


# --- the database file --------------------------------------------------------------------------


def test_a_new_corpus_is_a_versioned_wal_sqlite_file(tmp_path):
    path = tmp_path / "news.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"articles", "attributions", "speakers", "claims", "attributions_fts"} <= tables


def test_opening_twice_does_not_migrate_again(tmp_path):
    path = tmp_path / "news.db"
    with Store.open(path) as first:
        first.write_batch([LAVROV_REUTERS])
    with Store.open(path) as second:
        assert queries.counts(second.conn)["articles"] == 1


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaError, match="not a quotegraph corpus"):
        Store.open(path)
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert tables == {"users"}


def test_a_corpus_from_a_newer_quotegraph_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(SchemaError, match="newer quotegraph"):
        Store.open(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: bread, milk\n" * 100)
    with pytest.raises(SchemaError, match="not an SQLite database"):
        Store.open(path)


def test_read_only_commands_do_not_create_a_corpus(tmp_path):
    with pytest.raises(FileNotFoundError, match="quotegraph ingest"):
        Store.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


# --- storing articles ---------------------------------------------------------------------------


def test_a_stored_article_reads_back_as_the_same_record(store):
    store.write_batch([LAVROV_REUTERS])
    view = queries.article_view(store.conn, LAVROV_REUTERS.id)
    assert view.record.to_dict() == LAVROV_REUTERS.to_dict()
    assert view.outlet == "Reuters" and view.published == "2024-03-05"


def test_reingesting_the_same_articles_changes_nothing(store):
    first = store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    before = queries.counts(store.conn)
    again = store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    assert first.stored == 7 and again.stored == 0 and again.unchanged == 7
    assert queries.counts(store.conn) == before


def test_a_changed_text_replaces_the_articles_rows(store):
    store.write_batch([SMITH_UNKNOWN])
    corrected = record(
        SMITH_UNKNOWN.id,
        "County fair opens\n\nOrganiser Dana Smith said rain had kept visitors away on the "
        "first day. Dana Smith said the fair would stay open an extra weekend.",
        Said("Organiser Dana Smith", "said", ["rain had kept visitors away on the first day"],
             speaker="Dana Smith"),
        Said("Dana Smith", "said", ["the fair would stay open an extra weekend"]),
        outlet="Valley News",
    )
    report = store.write_batch([corrected])
    assert report.replaced == 1
    view = queries.article_view(store.conn, SMITH_UNKNOWN.id)
    assert view.record.to_dict() == corrected.to_dict()
    assert queries.counts(store.conn)["attributions"] == 2
    assert not queries.find_quotes(store.conn, text="weather").items, "old text still searchable"
    assert [s.name for s in queries.top_speakers(store.conn).items] == ["Dana Smith"]


def test_a_batch_that_fails_leaves_nothing_behind(store):
    broken = replace(LAVROV_TASS, speakers=[*LAVROV_TASS.speakers, LAVROV_TASS.speakers[0]])
    with pytest.raises(sqlite3.IntegrityError):
        store.write_batch([LAVROV_REUTERS, broken])
    assert set(queries.counts(store.conn).values()) == {0}


def test_deleting_an_article_removes_what_was_extracted_from_it(store):
    store.write_batch(LAVROV_ARTICLES)
    assert store.delete_article(LAVROV_TASS.id)
    assert queries.article_view(store.conn, LAVROV_TASS.id) is None
    assert all(q.article_id != LAVROV_TASS.id for q in queries.find_quotes(store.conn).items)
    assert not store.delete_article(LAVROV_TASS.id)


# --- speakers across articles -------------------------------------------------------------------


def test_name_variants_of_one_person_are_one_speaker(store):
    store.write_batch(LAVROV_ARTICLES)
    lavrov = speaker_named(store, "Sergey Lavrov")
    assert lavrov.type == "PERSON" and lavrov.articles == 3 and lavrov.statements == 6
    assert {"Sergey Lavrov", "Sergei Lavrov", "Lavrov"} <= set(lavrov.aliases)
    assert "Russian Foreign Minister" in lavrov.descriptions
    assert "the minister" in lavrov.descriptions


def test_title_before_a_name_is_a_description_not_part_of_the_name():
    person = parse_person("Russian Foreign Minister Sergey Lavrov")
    assert (person.given, person.surname) == ("sergei", "lavrov")
    assert person.titles == ("Russian", "Foreign", "Minister")
    assert parse_person("Martin Luther King Jr.").surname == "king"
    assert parse_person("Ursula von der Leyen").surname == "von der leien"
    assert parse_person("the Foreign Minister") is None


def test_organisation_variants_are_one_speaker(store):
    store.write_batch(LAVROV_ARTICLES)
    ministry = [s for s in queries.top_speakers(store.conn).items if s.type == "ORG"]
    assert len(ministry) == 1
    assert set(ministry[0].aliases) == {
        "Russian Defense Ministry", "Russia's Defence Ministry", "the Russian Ministry of Defence",
    }


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Russian Defense Ministry", "the Russian Ministry of Defence"),
        ("Russia's Defence Ministry", "Ministry of Defence of Russia"),
        ("British Foreign Office", "the UK Foreign Office"),
    ],
)
def test_organisation_keys_fold_spelling_demonyms_and_word_order(one, other):
    assert org_key(one) == org_key(other)


def test_different_organisations_stay_apart():
    assert org_key("Russian Defense Ministry") != org_key("Ukrainian Defense Ministry")
    assert org_key("Russian Defense Ministry") != org_key("Russian Foreign Ministry")


def test_two_people_with_one_surname_are_not_merged(store):
    store.write_batch(SMITH_ARTICLES)
    senator = speaker_of(store, SENATOR_SMITH.id, "s1")
    chief = speaker_of(store, CEO_SMITH.id, "s1")
    assert senator[1] == "John Smith" and chief[1] == "Maria Smith"
    assert senator[0] != chief[0]


def test_a_surname_joins_the_person_its_title_points_to(store):
    store.write_batch(SMITH_ARTICLES)
    assert speaker_of(store, SMITH_THE_SENATOR.id, "s1") == speaker_of(store, SENATOR_SMITH.id, "s1")


def test_a_surname_with_no_evidence_between_two_people_stays_on_its_own(store):
    store.write_batch(SMITH_ARTICLES)
    alone = speaker_of(store, SMITH_UNKNOWN.id, "s1")
    assert alone[1] == "Smith"
    assert alone[0] not in {speaker_of(store, a.id, "s1")[0] for a in (SENATOR_SMITH, CEO_SMITH)}


def test_a_surname_joins_the_only_person_with_it_and_leaves_when_a_second_appears(store):
    store.write_batch([SENATOR_SMITH, SMITH_UNKNOWN])
    assert speaker_of(store, SMITH_UNKNOWN.id, "s1")[1] == "John Smith"
    store.write_batch([CEO_SMITH])
    assert speaker_of(store, SMITH_UNKNOWN.id, "s1")[1] == "Smith"


def test_speaker_identity_does_not_depend_on_ingest_order(tmp_path):
    def identities(order) -> set[tuple[str, str, str]]:
        with Store.open(tmp_path / f"{len(list(tmp_path.iterdir()))}.db") as store:
            for article in order:
                store.write_batch([article])
            rows = store.conn.execute(
                "SELECT s.article_id, s.local_id, sp.name FROM article_speakers s "
                "JOIN speakers sp ON sp.id = s.speaker_id"
            )
            return set(rows)

    articles = [*LAVROV_ARTICLES, *SMITH_ARTICLES]
    assert identities(articles) == identities(list(reversed(articles)))


def test_same_name_variants_get_the_same_key_in_a_block():
    members = [Member("a", "s1", "Sergey Lavrov", "PERSON"), Member("b", "s1", "Lavrov", "PERSON"),
               Member("c", "s1", "S. Lavrov", "PERSON"), Member("d", "s1", "Sergei Lavrov", "PERSON")]
    assert set(cluster_block(members)) == {"person:sergei lavrov"}


# --- user decisions -----------------------------------------------------------------------------


def test_merge_is_kept_when_articles_are_ingested_again(store):
    store.write_batch(SMITH_ARTICLES)
    alone = speaker_of(store, SMITH_UNKNOWN.id, "s1")
    ceo = speaker_of(store, CEO_SMITH.id, "s1")
    store.merge_speakers(alone[0], ceo[0])
    assert speaker_of(store, SMITH_UNKNOWN.id, "s1")[0] == ceo[0]
    store.delete_article(SMITH_UNKNOWN.id)
    store.write_batch([SMITH_UNKNOWN])
    assert speaker_of(store, SMITH_UNKNOWN.id, "s1") == ceo


def test_split_detaches_a_name_and_is_kept_when_articles_are_ingested_again(store):
    store.write_batch(LAVROV_ARTICLES)
    lavrov = speaker_named(store, "Sergey Lavrov")
    assert store.split_speaker(lavrov.id, "lavrov")  # case does not matter
    assert speaker_of(store, LAVROV_GUARDIAN.id, "s1")[1] == "Lavrov"
    assert speaker_of(store, LAVROV_TASS.id, "s1")[1] == "Sergey Lavrov"
    store.delete_article(LAVROV_GUARDIAN.id)
    store.write_batch([LAVROV_GUARDIAN])
    assert speaker_of(store, LAVROV_GUARDIAN.id, "s1")[1] == "Lavrov"


def test_splitting_a_merged_name_undoes_the_merge(store):
    store.write_batch(SMITH_ARTICLES)
    alone = speaker_of(store, SMITH_UNKNOWN.id, "s1")
    ceo = speaker_of(store, CEO_SMITH.id, "s1")
    store.merge_speakers(alone[0], ceo[0])
    assert store.split_speaker(ceo[0], "Smith") == ["undid the merge of person:smith"]
    assert speaker_of(store, SMITH_UNKNOWN.id, "s1")[1] == "Smith"


def test_split_of_a_name_the_speaker_does_not_have_says_which_names_it_has(store):
    store.write_batch(LAVROV_ARTICLES)
    lavrov = speaker_named(store, "Sergey Lavrov")
    with pytest.raises(LookupError, match="Sergei Lavrov"):
        store.split_speaker(lavrov.id, "Lavrova")


# --- quotes traced across outlets ---------------------------------------------------------------


def test_a_quote_carried_verbatim_trimmed_and_cut_is_one_claim(store):
    store.write_batch(LAVROV_ARTICLES)
    claims = queries.top_claims(store.conn, min_occurrences=2).items
    assert len(claims) == 1
    claim = claims[0]
    assert claim.occurrences == 3 and claim.outlets == 3
    assert claim.first_seen == "2024-03-04"  # the Guardian had it first
    assert claim.text.startswith("We will respond to any provocation with all the means")
    assert claim.text.endswith("nobody should doubt it")  # the fullest wording
    assert claim.speakers == ["Sergey Lavrov"]


def test_claim_occurrences_list_article_outlet_and_date_earliest_first(store):
    store.write_batch(LAVROV_ARTICLES)
    claim = queries.top_claims(store.conn).items[0]
    detail = queries.claim_detail(store.conn, claim.id)
    assert [(o.outlet, o.published) for o in detail.occurrences] == [
        ("Guardian", "2024-03-04"), ("Reuters", "2024-03-05"), ("TASS", "2024-03-06"),
    ]


def test_an_indirect_report_of_the_same_statement_is_linked(store):
    paraphrase = record(
        "dw-lavrov",
        "Moscow threatens response\n\nLavrov said Russia would respond to any provocation with "
        "all the means at its disposal.",
        Said("Lavrov", "said",
             ["Russia would respond to any provocation with all the means at its disposal"]),
        outlet="DW", published="2024-03-07",
    )
    store.write_batch([*LAVROV_ARTICLES, paraphrase])
    detail = queries.claim_detail(store.conn, queries.top_claims(store.conn).items[0].id)
    assert [r.article_id for r in detail.reports] == ["dw-lavrov"]


def test_a_short_common_phrase_from_different_people_is_not_one_claim(store):
    def short(article_id: str, name: str) -> object:
        return record(article_id, f"Talks end\n\n\u201cWe will see,\u201d {name} said.",
                      Said(name, "said", ["\u201cWe will see,\u201d"]))

    store.write_batch([short("one", "Helen Tarrant"), short("two", "Omar Reyes")])
    assert queries.top_claims(store.conn, min_occurrences=2).items == []


def test_different_quotes_are_different_claims(store):
    store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    assert queries.counts(store.conn)["claims"] == 3


# --- queries ------------------------------------------------------------------------------------


def test_quotes_by_speaker_include_every_name_variant(store):
    store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    page = queries.find_quotes(store.conn, speaker="Sergei Lavrov")
    assert {q.article_id for q in page.items} == {a.id for a in LAVROV_ARTICLES}
    assert {q.speaker for q in page.items} == {"Sergey Lavrov"}


def test_quotes_filtered_by_outlet_dates_and_words(store):
    store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    assert {q.article_id for q in queries.find_quotes(store.conn, outlet="tass").items} == {
        LAVROV_TASS.id}
    window = queries.find_quotes(store.conn, since="2024-03-05", until="2024-03-06").items
    assert {q.article_id for q in window} == {LAVROV_REUTERS.id, LAVROV_TASS.id}
    drones = queries.find_quotes(store.conn, text="DRONES overnight").items
    assert [q.content for q in drones] == ["air defences had shot down eleven drones overnight"]


def test_quotes_come_newest_first_and_pages_cover_everything_once(store):
    store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    everything = queries.find_quotes(store.conn, limit=100).items
    dates = [q.published for q in everything]
    assert dates == sorted(dates, reverse=True)
    seen, cursor = [], None
    while True:
        page = queries.find_quotes(store.conn, limit=3, cursor=cursor)
        seen += [q.id for q in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [q.id for q in everything]


def test_speakers_page_by_statements(store):
    store.write_batch([*LAVROV_ARTICLES, *SMITH_ARTICLES])
    first = queries.top_speakers(store.conn, limit=2)
    second = queries.top_speakers(store.conn, limit=100, cursor=first.next_cursor)
    names = [s.name for s in first.items + second.items]
    assert names[0] == "Sergey Lavrov" and len(names) == len(set(names))
    counts = [s.statements for s in first.items + second.items]
    assert counts == sorted(counts, reverse=True)


def test_a_date_that_is_not_a_date_is_a_clear_error(store):
    with pytest.raises(queries.QueryError, match="YYYY-MM-DD"):
        queries.find_quotes(store.conn, since="last week")


# --- export -------------------------------------------------------------------------------------


def test_jsonl_export_is_the_schema_record_with_corpus_fields(store):
    store.write_batch(LAVROV_ARTICLES)
    out = io.StringIO()
    assert corpus_export.export_jsonl(store.conn, out) == 3
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    by_id = {r["id"]: r for r in records}
    assert by_id[LAVROV_TASS.id]["speakers"][0]["corpus_speaker"]["name"] == "Sergey Lavrov"
    assert by_id[LAVROV_TASS.id]["attributions"][1]["claim"] is not None
    for r in records:
        r["speakers"] = [{k: v for k, v in s.items() if k != "corpus_speaker"} for s in r["speakers"]]
        r["attributions"] = [{k: v for k, v in a.items() if k != "claim"} for a in r["attributions"]]
    assert by_id[LAVROV_REUTERS.id] == LAVROV_REUTERS.to_dict()


def test_csv_export_is_one_row_per_attribution(store):
    store.write_batch(LAVROV_ARTICLES)
    out = io.StringIO()
    assert corpus_export.export_csv(store.conn, out) == 9
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 9 and set(rows[0]) == set(corpus_export.COLUMNS)
    assert {r["speaker"] for r in rows if r["article_id"] == LAVROV_TASS.id} >= {"Sergey Lavrov"}


def test_parquet_export_reads_back(store, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    store.write_batch(LAVROV_ARTICLES)
    path = tmp_path / "quotes.parquet"
    assert corpus_export.export_parquet(store.conn, str(path)) == 9
    table = pq.read_table(path)
    assert table.num_rows == 9 and table.column_names == list(corpus_export.COLUMNS)


def test_parquet_without_pyarrow_says_how_to_install_it(store, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(corpus_export.MissingDependency, match=r"pip install 'quotegraph\[parquet\]'"):
        corpus_export.export_parquet(store.conn, str(tmp_path / "x.parquet"))
