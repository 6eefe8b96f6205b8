"""The ``quotegraph`` command line as a user and a script see it.

Most tests swap the extraction engine for a tiny rule-based stand-in (``ScriptedExtractor``), so
they specify the CLI's own behaviour (streaming, formats, failures, exit codes) independently of
the trained model. The tests under "with the shipped model" run the real engine end to end on
the bundled sample articles.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from quotegraph import __version__
from quotegraph.cli import main
from quotegraph.extraction import pipeline
from quotegraph.model import ArticleResult, Attribution, Span, Speaker

SAMPLES = Path(__file__).resolve().parents[1] / "quotegraph" / "samples"
RECORD_KEYS = {"id", "text", "meta", "attributions", "speakers"}
META_KEYS = {"title", "url", "published", "outlet"}
ATTRIBUTION_KEYS = {"id", "source", "cue", "content", "kind", "speaker", "confidence"}
SPEAKER_KEYS = {"id", "name", "type", "descriptions", "mentions"}


class ScriptedExtractor:
    """Stands in for ``Extractor``: "<Name> said <content>." becomes an attribution.

    Raises for any article containing ``BOOM``, to play an engine bug on one document, and is
    interrupted by an article containing ``CTRL-C``, to play a user stopping the run.
    """

    PATTERN = re.compile(r"(?P<source>[A-Z]\w+(?: [A-Z]\w+)*) (?P<cue>said) (?P<content>[^.\n]+)")

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def extract(self, text: str, id: str = "article", meta: dict | None = None) -> ArticleResult:
        return next(self.extract_many([(id, text, meta or {})]))

    def extract_many(
        self, articles: Iterable[tuple[str, str, dict]], batch_size: int = 16
    ) -> Iterator[ArticleResult]:
        articles = list(articles)
        self.batches.append([article_id for article_id, _, _ in articles])
        for article_id, text, meta in articles:
            if "BOOM" in text:
                raise RuntimeError("tagger exploded")
            if "CTRL-C" in text:
                raise KeyboardInterrupt
            yield self._annotate(article_id, text, meta)

    def _annotate(self, article_id: str, text: str, meta: dict) -> ArticleResult:
        result = ArticleResult(id=article_id, text=text, meta=dict(meta))
        for number, match in enumerate(self.PATTERN.finditer(text), start=1):
            speaker = Speaker(f"s{number}", match["source"], "PERSON")
            result.speakers.append(speaker)
            result.attributions.append(
                Attribution(
                    id=f"a{number}",
                    source=Span.of(text, *match.span("source")),
                    cue=Span.of(text, *match.span("cue")),
                    content=[Span.of(text, *match.span("content"))],
                    kind="indirect",
                    speaker=speaker.id,
                    confidence=0.9,
                )
            )
        return result


@pytest.fixture
def engine(monkeypatch) -> ScriptedExtractor:
    """Make the CLI use the scripted stand-in instead of loading the trained model."""
    scripted = ScriptedExtractor()
    monkeypatch.setattr(pipeline, "default_extractor", lambda: scripted)
    return scripted


@pytest.fixture
def news(tmp_path) -> Path:
    """A folder of three small articles, 1 to 3 in sorted order."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "1-mayor.txt").write_text("Bridge vote\n\nHelen Tarrant said the bridge will open.\n")
    (folder / "2-judge.txt").write_text("Ruling\n\nAnita Brennan said the appeal failed.\n")
    (folder / "3-minister.txt").write_text(
        "Clinics\n\nClara Voss said money was found. Omar Reyes said it was not enough.\n"
    )
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``quotegraph ARGV...`` in-process: (exit status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def jsonl_records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def spans_of(record: dict) -> Iterator[dict]:
    for attribution in record["attributions"]:
        yield from (span for span in (attribution["source"], attribution["cue"]) if span)
        yield from attribution["content"]
    for speaker in record["speakers"]:
        yield from speaker["mentions"]


def assert_follows_schema(record: dict) -> None:
    """The keys and invariants of shared/docs/output-schema.md, for one article record."""
    assert RECORD_KEYS <= record.keys()
    assert META_KEYS <= record["meta"].keys()
    speaker_ids = {speaker["id"] for speaker in record["speakers"]}
    for speaker in record["speakers"]:
        assert SPEAKER_KEYS <= speaker.keys()
    for attribution in record["attributions"]:
        assert ATTRIBUTION_KEYS <= attribution.keys()
        assert attribution["content"], "content is never empty"
        assert attribution["kind"] in {"direct", "indirect", "mixed"}
        assert 0.0 <= attribution["confidence"] <= 1.0
        assert attribution["speaker"] is None or attribution["speaker"] in speaker_ids
    for span in spans_of(record):
        assert record["text"][span["start"] : span["end"]] == span["text"]


# --- extract: output formats ------------------------------------------------------------------


def test_jsonl_writes_one_schema_record_per_article_in_input_order(capsys, engine, news):
    status, out, _ = run(capsys, "extract", str(news))
    records = jsonl_records(out)
    assert status == 0
    assert [r["id"] for r in records] == ["1-mayor", "2-judge", "3-minister"]
    for record in records:
        assert_follows_schema(record)
    assert [len(r["attributions"]) for r in records] == [1, 1, 2]
    assert records[0]["meta"]["title"] == "Bridge vote"


def test_the_record_text_is_the_file_exactly_so_offsets_index_the_file(capsys, engine, tmp_path):
    raw = "Zoë’s café\r\n\r\nMarta Lindgren said the café – “Chez Zoë” – will close.\r\n".encode()
    (tmp_path / "cafe.txt").write_bytes(raw)
    status, out, _ = run(capsys, "extract", str(tmp_path / "cafe.txt"))
    [record] = jsonl_records(out)
    assert status == 0
    assert record["text"].encode("utf-8") == raw
    [attribution] = record["attributions"]
    assert attribution["cue"]["start"] == raw.decode().index("said")
    assert_follows_schema(record)


def test_json_format_is_one_valid_pretty_array(capsys, engine, news):
    status, out, _ = run(capsys, "extract", str(news), "--format", "json")
    records = json.loads(out)
    assert status == 0
    assert [r["id"] for r in records] == ["1-mayor", "2-judge", "3-minister"]
    assert out.startswith("[\n  {\n")


def test_table_format_shows_who_said_what_for_each_article(capsys, engine, news):
    status, out, _ = run(capsys, "extract", str(news), "--format", "table")
    assert status == 0
    assert "1-mayor: Bridge vote" in out
    assert "[1] Helen Tarrant | said | indirect | 0.90" in out
    assert "    the bridge will open" in out
    assert "[2] Omar Reyes | said | indirect | 0.90" in out


def test_table_says_so_when_an_article_has_no_attributions(capsys, engine, tmp_path):
    (tmp_path / "weather.txt").write_text("Rain is expected on Sunday.\n")
    _, out, _ = run(capsys, "extract", str(tmp_path / "weather.txt"), "--format", "table")
    assert "(no attributions found)" in out


def test_table_falls_back_to_the_source_text_then_to_unattributed(capsys, monkeypatch):
    from quotegraph.output import format_table

    text = "Critics said it failed. It was, reportedly, a failure."
    result = ArticleResult(
        id="x",
        text=text,
        attributions=[
            Attribution("a1", Span.of(text, 0, 7), Span.of(text, 8, 12), [Span.of(text, 13, 22)]),
            Attribution("a2", None, None, [Span.of(text, 24, 54)], confidence=0.4),
        ],
    )
    table = format_table(result, width=60)
    assert "[1] Critics | said | indirect | 1.00" in table
    assert "[2] (unattributed) | (no cue) | indirect | 0.40" in table


def test_table_shows_the_source_text_beside_the_name_when_it_was_resolved():
    from quotegraph.output import speaker_label

    text = "Mayor Helen Tarrant spoke. She said yes. Mayor Helen Tarrant said no."
    speakers = [Speaker("s1", "Helen Tarrant", "PERSON")]
    by_pronoun = Attribution(
        "a1", Span.of(text, 27, 30), None, [Span.of(text, 36, 39)], speaker="s1"
    )
    by_name = Attribution("a2", Span.of(text, 41, 60), None, [Span.of(text, 66, 68)], speaker="s1")
    result = ArticleResult("x", text, speakers=speakers)
    assert speaker_label(result, by_pronoun) == "Helen Tarrant (She)"
    assert speaker_label(result, by_name) == "Helen Tarrant"


def test_table_wraps_long_content_to_the_width(capsys):
    from quotegraph.output import format_table

    text = "Ann Lee said " + "the plan will work because the numbers add up " * 5
    content = Span.of(text, 13, len(text))
    result = ArticleResult("long", text, attributions=[Attribution("a1", None, None, [content])])
    lines = format_table(result, width=50).splitlines()
    content_lines = [line for line in lines if line.startswith("    ")]
    assert len(content_lines) > 3
    assert all(len(line) <= 50 for line in content_lines)


def test_output_option_writes_the_records_to_a_file_not_stdout(capsys, engine, news, tmp_path):
    target = tmp_path / "out.jsonl"
    status, out, _ = run(capsys, "extract", str(news), "--output", str(target), "--quiet")
    assert status == 0
    assert out == ""
    assert len(jsonl_records(target.read_text(encoding="utf-8"))) == 3


def test_stdin_is_read_when_the_path_is_a_dash(capsys, engine, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b"Ann Lee said yes.\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, _ = run(capsys, "extract", "-")
    [record] = jsonl_records(out)
    assert status == 0
    assert (record["id"], record["text"]) == ("stdin", "Ann Lee said yes.\n")


# --- extract: failures never stop the batch ---------------------------------------------------


def test_a_bad_file_in_the_middle_is_reported_and_the_others_still_come_out(capsys, engine, news):
    latin1 = b"Ruling\n\nAnita Brennan said caf\xe9.\n"
    (news / "2-judge.txt").write_bytes(latin1)
    status, out, err = run(capsys, "extract", str(news))
    assert status == 1
    assert [r["id"] for r in jsonl_records(out)] == ["1-mayor", "3-minister"]
    offset = latin1.index(b"\xe9")
    assert f"{news / '2-judge.txt'}: not valid UTF-8: byte offset {offset}" in err
    assert "2 articles, 3 attributions, 1 failed" in err


def test_an_engine_error_on_one_article_is_reported_and_the_batch_goes_on(capsys, engine, news):
    (news / "2-judge.txt").write_text("Anita Brennan said BOOM.\n")
    status, out, err = run(capsys, "extract", str(news), "--format", "json")
    assert status == 1
    assert [r["id"] for r in json.loads(out)] == ["1-mayor", "3-minister"]
    assert "2-judge.txt: extraction failed (RuntimeError: tagger exploded)" in err
    assert "2 articles, 3 attributions, 1 failed" in err


def test_the_json_array_stays_valid_when_every_document_fails(capsys, engine, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    status, out, err = run(capsys, "extract", str(tmp_path), "--format", "json")
    assert status == 1
    assert json.loads(out) == []
    assert "empty.txt: the file is empty" in err


def test_too_large_files_are_refused_by_the_max_bytes_option(capsys, engine, news):
    sizes = [path.stat().st_size for path in sorted(news.glob("*.txt"))]
    limit = max(sizes[:2])
    assert sizes[2] > limit
    status, out, err = run(capsys, "extract", str(news), "--max-bytes", str(limit))
    assert status == 1
    assert [r["id"] for r in jsonl_records(out)] == ["1-mayor", "2-judge"]
    assert f"3-minister.txt: the file is {sizes[2]} bytes, over the {limit} bytes limit" in err


def test_records_stream_out_before_later_documents_are_read(capsys, engine, tmp_path):
    for number in range(40):
        (tmp_path / f"{number:02d}.txt").write_text(f"Person Number{number} said hello.\n")
    status, out, _ = run(capsys, "extract", str(tmp_path), "--quiet")
    assert status == 0
    assert len(jsonl_records(out)) == 40
    assert len(engine.batches) > 1, "articles must reach the engine in batches, not all at once"


def test_an_interrupted_run_keeps_what_was_written_as_a_valid_json_array(capsys, engine, tmp_path):
    for number in range(20):
        (tmp_path / f"{number:02d}.txt").write_text(f"Person Number{number} said hello.\n")
    (tmp_path / "19.txt").write_text("CTRL-C\n")  # the user stops the run at the last one
    status, out, err = run(capsys, "extract", str(tmp_path), "--format", "json", "--quiet")
    assert status == 130
    assert [r["id"] for r in json.loads(out)] == [f"{number:02d}" for number in range(19)]
    assert "interrupted" in err


def test_a_missing_model_is_one_clear_error_not_a_traceback(capsys, monkeypatch, news):
    def no_model():
        raise FileNotFoundError("no trained model in models/fast; run `quotegraph train`")

    monkeypatch.setattr(pipeline, "default_extractor", no_model)
    status, out, err = run(capsys, "extract", str(news))
    assert status == 1
    assert out == ""
    assert "cannot load the extraction model: no trained model in models/fast" in err


# --- extract: progress and summary on stderr --------------------------------------------------


def test_a_multi_document_run_shows_progress_and_a_summary(capsys, engine, news):
    _, _, err = run(capsys, "extract", str(news))
    assert re.search(r"\[3/3\] [\d.]+ articles/s", err)
    assert err.rstrip().endswith("3 articles, 4 attributions, 0 failed")


def test_a_single_document_shows_no_progress(capsys, engine, news):
    _, _, err = run(capsys, "extract", str(news / "1-mayor.txt"))
    assert "articles/s" not in err
    assert "1 article, 1 attribution, 0 failed" in err


def test_quiet_silences_progress_and_summary_but_not_errors(capsys, engine, news):
    (news / "4-empty.txt").write_text("   \n")
    status, _, err = run(capsys, "extract", str(news), "--quiet")
    assert status == 1
    assert "articles/s" not in err
    assert "4-empty.txt: the file holds only whitespace" in err


# --- usage --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["extract"],
        ["extract", "a.txt", "--format", "xml"],
        ["extract", "a.txt", "--max-bytes", "0"],
        ["summarise", "a.txt"],
        ["eval", "reuters"],
        ["eval", "polnear", "--split", "test"],
    ],
    ids=[
        "no-command",
        "no-path",
        "bad-format",
        "zero-max-bytes",
        "bad-command",
        "bad-corpus",
        "bad-split",
    ],
)
def test_usage_errors_exit_with_status_2_and_say_what_is_wrong(capsys, argv):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "error:" in err


def test_an_unwritable_output_file_is_a_usage_error(capsys, engine, news, tmp_path):
    status, _, err = run(capsys, "extract", str(news), "--output", str(tmp_path / "no" / "x.json"))
    assert status == 2
    assert "cannot write --output" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["extract", "train", "eval", "examples:"]),
        (
            ["extract"],
            ["--format", "--output", "--max-bytes", "--quiet", "examples:", "Exit status"],
        ),
        (["train"], ["--data", "--output", "--epochs", "--seed", "examples:"]),
        (["eval"], ["polnear", "--split", "--data", "--model", "--json", "examples:"]),
    ],
    ids=["main", "extract", "train", "eval"],
)
def test_help_for_every_command_lists_its_options_and_examples(capsys, argv, expected):
    status, out, _ = run(capsys, *argv, "--help")
    assert status == 0
    for text in expected:
        assert text in out


def test_the_installed_command_answers_version_and_help():
    command = [sys.executable, "-m", "quotegraph.cli"]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"quotegraph {__version__}"
    usage = subprocess.run([*command, "extract"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2
    assert "the following arguments are required: PATH" in usage.stderr


# --- train and eval hand over to their packages -------------------------------------------------


def fake_module(monkeypatch, name: str, status: int = 0) -> list:
    """Install a stand-in module ``name`` whose ``main(args)`` records its arguments."""
    calls: list = []
    module = types.ModuleType(name)
    module.main = lambda args: calls.append(args) or status
    monkeypatch.setitem(sys.modules, name, module)
    return calls


def test_train_hands_its_options_to_the_training_package(capsys, monkeypatch):
    calls = fake_module(monkeypatch, "quotegraph.training.train")
    status, _, _ = run(
        capsys, "train", "--data", "/corpora/polnear", "--epochs", "3", "--seed", "7"
    )
    [args] = calls
    assert status == 0
    assert (args.data, args.epochs, args.seed) == ("/corpora/polnear", 3, 7)
    assert Path(args.output).parts[-3:] == ("quotegraph", "models", "fast")


def test_eval_hands_its_options_to_the_evaluation_package(capsys, monkeypatch):
    calls = fake_module(monkeypatch, "quotegraph.evaluation.cli", status=3)
    status, _, _ = run(capsys, "eval", "polnear", "--split", "dev", "--model", "runs/m", "--json")
    [args] = calls
    assert status == 3
    assert (args.corpus, args.split, args.model, args.json, args.data) == (
        "polnear",
        "dev",
        "runs/m",
        True,
        None,
    )


def test_a_missing_training_package_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "quotegraph.training.train", None)  # import now fails
    status, _, err = run(capsys, "train")
    assert status == 1
    assert "`train` is not available in this installation" in err


# --- with the shipped model (these need the trained model in quotegraph/models/fast) -----------


def test_the_samples_give_schema_records_whose_spans_index_the_text(capsys):
    status, out, _ = run(capsys, "extract", str(SAMPLES), "--quiet")
    records = jsonl_records(out)
    assert status == 0
    assert len(records) == len(list(SAMPLES.glob("*.txt")))
    for record in records:
        assert_follows_schema(record)
        assert record["attributions"], f"{record['id']}: no attribution found"


def test_the_sample_table_names_the_mayor_and_her_cue(capsys):
    status, out, _ = run(
        capsys, "extract", str(SAMPLES / "harbour-bridge-vote.txt"), "--format", "table"
    )
    assert status == 0
    assert re.search(r"\] Helen Tarrant[^|]* \| said \|", out)
