"""Which blocks of a plain-text article are the article, and which must say nothing."""

from itertools import pairwise

from quotegraph.reading.structure import article_blocks, blocks, excluded_regions

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


# --- the blocks of a news article, as meta["blocks"] lists them --------------------------------

LAVROV_LIKE = """Lavrov calls Ukraine’s claims that Russian forces hit its own cities ‘lies’

Photo Credit: Anadolu Agency (AA)

Russia’s foreign minister accuses Kyiv of using West-supplied weapons against civilians

By Jane Doe

HANOI (AA) - Russian Foreign Minister Sergey Lavrov called the claims “lies,” he said.

“Facts are well-known,” he said.

Sergey Lavrov speaks in Hanoi, July 6, 2022. REUTERS/Jane A. Doe

Read more: West sees Moldova as next Ukraine

Sign up for our daily newsletter

Related posts

Russia Expects a Visit From China’s Xi Jinping in the Spring, Ministry Says
"""


def kind_of(text: str, line: str) -> str:
    start = text.index(line)
    [kind] = [b.kind for b in blocks(text) if b.start <= start < b.end]
    return kind


def test_every_block_of_a_news_page_gets_its_kind():
    expected = {
        "Lavrov calls Ukraine’s claims": "headline",
        "Photo Credit: Anadolu": "credit",
        "Russia’s foreign minister accuses": "standfirst",
        "By Jane Doe": "byline",
        "HANOI (AA) - ": "dateline",
        "Russian Foreign Minister Sergey": "body",
        "“Facts are well-known,”": "body",
        "Sergey Lavrov speaks in Hanoi": "caption",
        "Read more: West sees": "related",
        "Sign up for our daily": "boilerplate",
        "Related posts": "related",
        "Russia Expects a Visit": "related",
    }
    assert {line: kind_of(LAVROV_LIKE, line) for line in expected} == expected


def test_the_dateline_is_split_from_the_first_paragraph_which_stays_body():
    text = "Senate passes bill\n\nWASHINGTON, July 7 (Reuters) - The senator said it would pass.\n"
    found = kinds(text)
    assert found[1:] == [
        ("dateline", "WASHINGTON, July 7 (Reuters) - "),
        ("body", "The senator said it would pass."),
    ]


def test_article_blocks_are_json_ready_and_cover_every_line_in_order():
    found = article_blocks(LAVROV_LIKE)
    assert all(set(b) == {"start", "end", "kind"} for b in found)
    assert [b["start"] for b in found] == sorted(b["start"] for b in found)
    assert all(b["end"] <= after["start"] for b, after in pairwise(found))


def test_bylines_credits_captions_and_prompts_are_excluded_but_the_headline_is_not():
    regions = excluded_regions(LAVROV_LIKE)

    def excluded(line: str) -> bool:
        start = LAVROV_LIKE.index(line)
        return any(lo <= start < hi for lo, hi in regions)

    for line in ["By Jane Doe", "Photo Credit", "Sergey Lavrov speaks", "Read more", "Sign up"]:
        assert excluded(line), line
    for line in ["Lavrov calls", "Russia’s foreign minister", "HANOI", "“Facts are"]:
        assert not excluded(line), line


def test_known_blocks_from_the_reader_take_precedence_over_the_text():
    text = "Headline\n\nThe minister said yes.\n"
    known = [{"start": 10, "end": 32, "kind": "caption"}]
    assert excluded_regions(text, known) == [(10, 32)]


def test_sentences_that_merely_start_like_bylines_or_credits_stay_body():
    for sentence in [
        "By Tuesday the roads will open again, the mayor said.",
        "Published reports say the minister resigned on Monday night.",
        "A Reuters/Ipsos poll found that most voters disagree.",
        "The minister said the photo by Smith was fake.",
    ]:
        assert kinds(f"Headline\n\n{sentence}\n")[1] == ("body", sentence)


def test_the_body_resumes_after_a_related_box_in_the_middle():
    text = (
        "Headline\n\nThe mayor said the bridge would open.\n\nRelated coverage\n\n"
        "Bridge closed for repairs\n\n"
        "The work, which began in March, will cost the town 14 million pounds over the next "
        "three years, the council's finance chief said on Tuesday.\n"
    )
    assert kinds(text)[-1][0] == "body"
