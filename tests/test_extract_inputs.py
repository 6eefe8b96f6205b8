"""``quotegraph extract`` on real inputs: pages, crawls, duplicates, several processes.

The CLI's engine is the scripted stand-in from ``test_cli`` ("<Name> said <content>."), so these
specify reading and batching, not the model. The tests at the end run the trained model and
check what is and is not attributed; they skip until the model is in quotegraph/models/fast.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_cli import ScriptedExtractor, assert_follows_schema, jsonl_records, run
from test_formats import crawl_pages, news_page, warc_bytes, write

from quotegraph.extraction import pipeline
from quotegraph.reading.structure import NOT_ATTRIBUTED

MODEL = Path(__file__).resolve().parents[1] / "quotegraph" / "models" / "fast" / "tagger.bin"
LAVROV = Path(__file__).resolve().parents[2] / "shared" / "examples" / "lavrov-hanoi.txt"


@pytest.fixture
def engine(monkeypatch) -> ScriptedExtractor:
    scripted = ScriptedExtractor()
    monkeypatch.setattr(pipeline, "default_extractor", lambda: scripted)
    return scripted


def test_a_crawl_gives_a_record_per_page_and_reports_the_rest(capsys, engine, tmp_path):
    crawl = write(tmp_path / "crawl.warc.gz", warc_bytes(crawl_pages()))
    status, out, err = run(capsys, "extract", str(crawl))
    records = jsonl_records(out)
    assert status == 1  # the image and the redirect could not be read
    assert [r["id"] for r in records] == ["lavrov-hanoi", "harbour-bridge"]
    for record in records:
        assert_follows_schema(record)
        assert record["meta"]["source_format"] == "warc"
        assert record["meta"]["blocks"]
    assert "record 4 (https://news.example.com/logo.png): not an HTML page" in err
    assert re.search(r"\[4\] [\d.]+ articles/s", err)  # 2 pages and 2 skipped records
    assert "2 articles" in err and "2 failed" in err


def test_duplicates_are_counted_apart_and_are_not_failures(capsys, engine, tmp_path):
    write(tmp_path / "a.html", news_page())
    write(tmp_path / "b.html", news_page())
    status, out, err = run(capsys, "extract", str(tmp_path))
    assert status == 0
    assert [r["id"] for r in jsonl_records(out)] == ["a"]
    assert err.rstrip().endswith("0 failed, 1 duplicate skipped")


def test_several_processes_give_the_same_records_in_the_same_order(capsys, engine, tmp_path):
    for number in range(40):
        write(tmp_path / f"{number:02d}.txt", f"Story {number}\n\nPerson Number{number} said hi.\n")
    write(tmp_path / "17.txt", "")  # a failure in the middle keeps its place
    _, serial, _ = run(capsys, "extract", str(tmp_path), "--quiet")
    status, parallel, err = run(capsys, "extract", str(tmp_path), "--quiet", "--jobs", "2")
    assert status == 1
    assert parallel == serial
    assert len(jsonl_records(parallel)) == 39
    assert "17.txt: the file is empty" in err


def test_jobs_must_be_a_positive_number(capsys):
    status, _, err = run(capsys, "extract", "a.txt", "--jobs", "0")
    assert status == 2
    assert "--jobs" in err


# --- with the trained model: what is and is not attributed -------------------------------------

needs_model = pytest.mark.skipif(not MODEL.exists(), reason="no trained model in models/fast yet")


def attributed_starts(record: dict) -> list[int]:
    """Where each attribution's cue and content begin."""
    starts = []
    for attribution in record["attributions"]:
        starts.append(attribution["content"][0]["start"])
        if attribution["cue"]:
            starts.append(attribution["cue"]["start"])
    return starts


def assert_nothing_attributed_outside_the_article(record: dict) -> None:
    for start in attributed_starts(record):
        [kind] = [b["kind"] for b in record["meta"]["blocks"] if b["start"] <= start < b["end"]]
        assert kind not in NOT_ATTRIBUTED, f"attribution in a {kind} block at {start}"


@needs_model
def test_the_founding_example_attributes_nothing_in_its_credit_or_related_posts(capsys):
    if not LAVROV.exists():
        pytest.skip(f"{LAVROV} is not beside the checkout")
    status, out, _ = run(capsys, "extract", str(LAVROV), "--quiet")
    [record] = jsonl_records(out)
    assert status == 0
    assert record["attributions"], "the body says who said what"
    text = record["text"]
    credit = text.index("Photo Credit")
    related = text.index("Related posts")
    for start in attributed_starts(record):
        assert not credit <= start < text.index("\n", credit)
        assert start < related
    assert_nothing_attributed_outside_the_article(record)


@needs_model
def test_a_page_is_attributed_in_its_body_and_nowhere_else(capsys, tmp_path):
    page = write(tmp_path / "lavrov.html", news_page())
    status, out, _ = run(capsys, "extract", str(page), "--quiet")
    [record] = jsonl_records(out)
    assert status == 0
    assert_follows_schema(record)
    body = [b for b in record["meta"]["blocks"] if b["kind"] == "body"]
    assert any(
        any(b["start"] <= start < b["end"] for b in body) for start in attributed_starts(record)
    ), "“... on a daily basis,” he said is an attribution in the body"
    assert_nothing_attributed_outside_the_article(record)


@needs_model
def test_every_page_of_a_crawl_keeps_its_attributions_inside_the_article(capsys, tmp_path):
    crawl = write(tmp_path / "crawl.warc.gz", warc_bytes(crawl_pages()))
    _, out, _ = run(capsys, "extract", str(crawl), "--quiet")
    records = jsonl_records(out)
    assert len(records) == 2
    for record in records:
        assert_follows_schema(record)
        assert_nothing_attributed_outside_the_article(record)
    assert any(record["attributions"] for record in records)
    json.dumps(records)  # the records, blocks included, are plain JSON
