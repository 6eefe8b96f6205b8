"""Articles written for the corpus tests, as the records extraction would give for them.

Each article is real-looking news text; :func:`record` finds each attribution's source, cue and
content in the text (so offsets are exact) and builds the speakers from the names given. No
model is involved: these tests specify the store, not the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quotegraph.model import ArticleResult, Attribution, Span, Speaker, kind_of


@dataclass
class Said:
    """One attribution as a test writes it: the texts of its parts and who the speaker is."""

    source: str
    cue: str
    content: list[str]
    speaker: str | None = None  # the record's speaker name; defaults to the source
    type: str = "PERSON"
    descriptions: list[str] = field(default_factory=list)


def record(article_id: str, text: str, *said: Said, **meta: object) -> ArticleResult:
    """The record for ``text``, with every ``Said`` located in it (a source is looked for after
    the previous attribution's source, so a name in the headline is not taken for it)."""
    result = ArticleResult(id=article_id, text=text, meta={"title": text.split("\n")[0], **meta})
    speakers: dict[str, Speaker] = {}
    after = 0
    for number, item in enumerate(said, start=1):
        source = _span(text, item.source, near=after)
        after = source.end
        cue = _span(text, item.cue, near=source.start)
        content = [_span(text, piece) for piece in item.content]
        name = item.speaker or item.source
        speaker = speakers.get(name)
        if speaker is None:
            speaker = Speaker(f"s{len(speakers) + 1}", name, item.type, [])
            speakers[name] = speaker
        speaker.descriptions += [d for d in item.descriptions if d not in speaker.descriptions]
        if source not in speaker.mentions:
            speaker.mentions.append(source)
        result.attributions.append(
            Attribution(f"a{number}", source, cue, content, kind_of(content), speaker.id, 0.9)
        )
    result.speakers = list(speakers.values())
    return result


def _span(text: str, piece: str, near: int = 0) -> Span:
    start = text.find(piece, near)
    if start < 0:
        start = text.index(piece)
    return Span.of(text, start, start + len(piece))


LAVROV_REUTERS = record(
    "reuters-lavrov-hanoi",
    "Lavrov says Moscow will answer any provocation\n\n"
    "HANOI (Reuters) - Russian Foreign Minister Sergey Lavrov said on Tuesday that Moscow "
    "would not accept new sanctions without a response.\n\n"
    "\u201cWe will respond to any provocation with all the means at our disposal, and nobody "
    "should doubt it,\u201d Lavrov told reporters after talks in Hanoi.\n\n"
    "The Russian Defense Ministry said air defences had shot down eleven drones overnight.",
    Said("Russian Foreign Minister Sergey Lavrov", "said",
         ["Moscow would not accept new sanctions without a response"],
         speaker="Sergey Lavrov", descriptions=["Russian Foreign Minister"]),
    Said("Lavrov", "told",
         [("\u201cWe will respond to any provocation with all the means at our disposal, and "
           "nobody should doubt it,\u201d")], speaker="Sergey Lavrov"),
    Said("The Russian Defense Ministry", "said",
         ["air defences had shot down eleven drones overnight"],
         speaker="Russian Defense Ministry", type="ORG"),
    outlet="Reuters", published="2024-03-05",
)

LAVROV_TASS = record(
    "tass-lavrov",
    "Lavrov: Russia ready for talks, but will respond to provocations\n\n"
    "MOSCOW, March 6 (TASS) - Sergei Lavrov said Russia remained open to negotiations.\n\n"
    "\u201cWe will respond to any provocation with all the means at our disposal,\u201d the "
    "minister said.\n\n"
    "Russia's Defence Ministry said the drills in the Baltic had ended on schedule.",
    Said("Sergei Lavrov", "said", ["Russia remained open to negotiations"]),
    Said("the minister", "said",
         ["\u201cWe will respond to any provocation with all the means at our disposal,\u201d"],
         speaker="Sergei Lavrov", descriptions=["the minister"]),
    Said("Russia's Defence Ministry", "said", ["the drills in the Baltic had ended on schedule"],
         type="ORG"),
    outlet="TASS", published="2024-03-06",
)

LAVROV_GUARDIAN = record(
    "guardian-lavrov-warning",
    "Russia warns west over sanctions\n\n"
    "Lavrov said Russia would respond to provocations with every means it had.\n\n"
    "\u201cWe will respond to any provocation \u2026 and nobody should doubt it,\u201d he said.\n\n"
    "The Russian Ministry of Defence said it was moving units closer to the border.",
    Said("Lavrov", "said", ["Russia would respond to provocations with every means it had"]),
    Said("he", "said",
         ["\u201cWe will respond to any provocation \u2026 and nobody should doubt it,\u201d"],
         speaker="Lavrov"),
    Said("The Russian Ministry of Defence", "said",
         ["it was moving units closer to the border"],
         speaker="the Russian Ministry of Defence", type="ORG"),
    outlet="Guardian", published="2024-03-04",
)

SENATOR_SMITH = record(
    "senate-farm-bill",
    "Senate passes farm bill\n\n"
    "Senator John Smith said the bill would protect family farms from rising costs.\n\n"
    "\u201cThis is the best deal rural America has had in a decade,\u201d Smith said.",
    Said("Senator John Smith", "said", ["the bill would protect family farms from rising costs"],
         speaker="John Smith", descriptions=["Senator"]),
    Said("Smith", "said",
         ["\u201cThis is the best deal rural America has had in a decade,\u201d"],
         speaker="John Smith"),
    outlet="AP", published="2024-05-02",
)

CEO_SMITH = record(
    "smith-foods-results",
    "Smith Foods profits fall\n\n"
    "Maria Smith, chief executive of Smith Foods, said profits fell because of higher grain "
    "prices.\n\n\u201cWe expect a better second half,\u201d she said.",
    Said("Maria Smith", "said", ["profits fell because of higher grain prices"],
         descriptions=["chief executive of Smith Foods"]),
    Said("she", "said", ["\u201cWe expect a better second half,\u201d"], speaker="Maria Smith"),
    outlet="Bloomberg", published="2024-05-03",
)

SMITH_THE_SENATOR = record(
    "farm-bill-reaction",
    "Farmers welcome bill\n\n"
    "Smith, the senator who wrote the bill, said farmers had waited too long for help.",
    Said("Smith, the senator who wrote the bill", "said", ["farmers had waited too long for help"],
         speaker="Smith", descriptions=["the senator who wrote the bill"]),
    outlet="Farm Journal", published="2024-05-04",
)

SMITH_UNKNOWN = record(
    "county-fair",
    "County fair opens\n\nSmith said the weather had kept visitors away on the first day.",
    Said("Smith", "said", ["the weather had kept visitors away on the first day"]),
    outlet="Valley News", published="2024-05-05",
)

LAVROV_ARTICLES = (LAVROV_REUTERS, LAVROV_TASS, LAVROV_GUARDIAN)
SMITH_ARTICLES = (SENATOR_SMITH, CEO_SMITH, SMITH_THE_SENATOR, SMITH_UNKNOWN)
