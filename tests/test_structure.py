"""Which blocks of a plain-text article are the article, and which must say nothing."""

from quotegraph.reading.structure import blocks, excluded_regions

ARTICLE = """Minister rejects report as 'fiction'

Photo Credit: Jane Doe / Example Agency

The minister said on Monday that the report was fiction.

- The budget

"We will not cut schools," she said.

Related posts

Minister Says Budget Is Safe
Opposition Calls Report 'Damning', Spokesman Says
"""


def kinds(text: str) -> list[tuple[str, str]]:
    return [(b.kind, text[b.start : b.end]) for b in blocks(text)]


def test_the_first_line_is_the_headline_and_the_credit_line_is_a_credit():
    found = kinds(ARTICLE)
    assert found[0] == ("headline", "Minister rejects report as 'fiction'")
    assert found[1] == ("credit", "Photo Credit: Jane Doe / Example Agency")


def test_body_paragraphs_and_subheads_are_analysed():
    found = {text: kind for kind, text in kinds(ARTICLE)}
    assert found["The minister said on Monday that the report was fiction."] == "body"
    assert found["- The budget"] == "subhead"


def test_everything_from_related_posts_on_is_not_attributed():
    start = ARTICLE.index("Related posts")
    regions = excluded_regions(ARTICLE)
    covered = [lo for lo, _ in regions if lo >= start]
    assert len(covered) == 3
    assert ARTICLE.index("Opposition Calls") in covered


def test_body_text_is_never_excluded():
    body = ARTICLE.index("The minister said")
    assert not any(lo <= body < hi for lo, hi in excluded_regions(ARTICLE))


def test_a_sentence_mentioning_related_matters_is_not_a_trailer():
    text = "Headline\n\nRelated matters were discussed, officials said.\n"
    assert excluded_regions(text) == []
