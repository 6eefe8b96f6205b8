"""The pieces behind the pages: marking an article, the timeline chart, the new queries."""

from __future__ import annotations

from store_articles import LAVROV_REUTERS
from web_corpus import CREDITED_ARTICLE, build_corpus

from quotegraph.model import ArticleResult, Attribution, Span
from quotegraph.store import Store, queries
from quotegraph.web.analysis import _safe_name
from quotegraph.web.chart import timeline
from quotegraph.web.marking import highlight_words, mark_article


def test_marking_keeps_every_character_once_in_order():
    blocks = mark_article(LAVROV_REUTERS)
    shown = "".join(piece.text for block in blocks for piece in block.pieces)
    expected = "".join(LAVROV_REUTERS.text[b["start"]:b["end"]] for b in _blocks(LAVROV_REUTERS))
    assert shown == expected


def test_each_attribution_has_one_anchor_and_its_number():
    pieces = [p for block in mark_article(LAVROV_REUTERS) for p in block.pieces]
    anchors = [p for p in pieces if p.anchor]
    assert sorted(p.attribution for p in anchors) == ["a1", "a2", "a3"]
    assert [p.number for p in anchors] == [1, 2, 3]
    roles = {(p.attribution, p.role) for p in pieces if p.role}
    assert ("a2", "source") in roles and ("a2", "cue") in roles and ("a2", "content") in roles


def test_nested_spans_take_the_innermost_role():
    text = 'He said "she told me it was fine" today.'
    outer = Attribution("a1", Span.of(text, 0, 2), Span.of(text, 3, 7), [Span.of(text, 8, 33)])
    inner = Attribution("a2", Span.of(text, 9, 12), Span.of(text, 13, 17), [Span.of(text, 21, 32)])
    record = ArticleResult("nested", text, {}, [outer, inner])
    pieces = mark_article(record)[0].pieces
    assert "".join(p.text for p in pieces) == text
    she = next(p for p in pieces if p.text == "she")
    assert (she.role, she.attribution) == ("source", "a2")
    quote_mark = next(p for p in pieces if p.text.startswith('"'))
    assert (quote_mark.role, quote_mark.attribution) == ("content", "a1")


def test_blocks_never_attributed_carry_no_marks():
    blocks = mark_article(CREDITED_ARTICLE)
    kinds = {b.kind: b for b in blocks}
    assert not kinds["credit"].attributed and not kinds["related"].attributed
    assert all(p.role is None for b in blocks if not b.attributed for p in b.pieces)


def test_meta_blocks_that_do_not_fit_the_text_are_ignored():
    record = ArticleResult.from_dict(LAVROV_REUTERS.to_dict())
    record.meta["blocks"] = [{"start": 0, "end": 10_000, "kind": "body"}]
    shown = "".join(p.text for b in mark_article(record) for p in b.pieces)
    assert "Lavrov" in shown and len(shown) < len(record.text)


def test_timeline_is_daily_for_short_spans_and_monthly_for_long_ones():
    short = timeline([queries.Count("2024-03-04", 2), queries.Count("2024-03-06", 1)])
    assert short.unit == "day" and [b.count for b in short.bars] == [2, 0, 1]
    assert short.peak == 2 and short.bars[0].height > short.bars[2].height > 0
    long = timeline([queries.Count("2023-01-15", 1), queries.Count("2024-02-01", 3),
                     queries.Count("2024-02-20", 1)])
    assert long.unit == "month" and len(long.bars) == 14 and long.bars[-1].count == 4
    assert timeline([]).bars == []


def test_highlight_words_marks_whole_words_case_blind():
    pieces = highlight_words("Provocations: we respond to any provocation.", ["provocation"])
    assert [text for text, hit in pieces if hit] == ["provocation"]
    assert "".join(text for text, _ in pieces) == "Provocations: we respond to any provocation."


def test_uploaded_names_are_made_safe_and_keep_their_ending():
    assert _safe_name("../../etc/passwd") == "passwd"
    assert _safe_name("C:\\news\\story one.html") == "story-one.html"
    assert _safe_name("...") == "article.txt"


def test_statements_per_day_and_outlets_quoting(tmp_path):
    with Store.open(build_corpus(tmp_path / "q.db")) as store:
        lavrov = queries.find_speakers(store.conn, "Sergey Lavrov")[0].id
        days = queries.statements_per_day(store.conn, lavrov)
        assert [(c.key, c.count) for c in days] == [
            ("2024-03-04", 2), ("2024-03-05", 2), ("2024-03-06", 2)]
        outlets = queries.outlets_quoting(store.conn, lavrov)
        assert {c.key for c in outlets} == {"Reuters", "TASS", "Guardian"}
        everywhere = {c.key: c.count for c in queries.outlet_counts(store.conn)}
        assert everywhere["Marlow Gazette"] == 2 and everywhere["Reuters"] == 1


def _blocks(record):
    from quotegraph.web.marking import blocks_of

    return blocks_of(record)


def test_serve_is_a_command_bound_to_loopback_by_default():
    from quotegraph.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.handler.__name__) == ("127.0.0.1", 8000, "run_serve")
    assert build_parser().parse_args(["serve", "--no-fetch"]).no_fetch


def test_the_command_line_does_not_import_the_web_stack():
    import subprocess
    import sys

    probe = "import sys, quotegraph.cli; print('fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
