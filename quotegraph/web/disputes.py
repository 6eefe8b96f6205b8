"""Disputes for people: an article's disputes as lines of its side table, the corpus's
who-disputes-whom edges as table rows, and a small drawing of that graph as inline SVG.

Like the timeline chart, the drawing is laid out here and drawn by the template, so the page
needs no graph library and every name is escaped like any other text. Everything reports who
says what about whom; nothing here rules on who is right.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from quotegraph.disputes import DISPUTE_ACTS
from quotegraph.model import ArticleResult, Attribution, Dispute
from quotegraph.store.queries import DisputeEdge, DisputeGraph, DisputeRow

#: Legend entry for a dispute's evidence (CSS class, name, meaning), shown where there are any.
DISPUTE_LEGEND = ("disputed", "Dispute",
                  "a dispute's evidence: who accuses, denies or rejects whom (wavy underline)")
#: The most parties the drawing shows; the table below it lists every edge.
MAX_DRAWN_NODES = 14
DRAWING_SIZE = 560
_LABEL_ROOM = 130  # each side, for the names beside the circle
_RADIUS = 200
_APART = 4.0  # how far an arrow sits to its own left, so A -> B and B -> A do not overlap
_NODE_RADIUS = 7


def is_dispute_act(act: str | None) -> bool:
    return act in DISPUTE_ACTS


# --- one article ------------------------------------------------------------------------------


@dataclass
class DisputeLine:
    """One dispute in an article's side table: "Speaker → act → party: claim"."""

    id: str
    attribution: str  # the disputing attribution, for the link to its marks
    number: int | None  # that attribution's tag number
    speaker: str
    speaker_url: str | None
    act: str
    party: str | None
    party_url: str | None
    claim: str | None  # the disputed claim's content, where the text gives it


def dispute_lines(
    record: ArticleResult, links: dict[str, tuple[int, str]], numbers: dict[str, int]
) -> list[DisputeLine]:
    """The article's disputes in text order, named with the corpus's names where it knows
    them (``links``: local speaker id -> corpus id and name)."""
    attributions = {a.id: a for a in record.attributions}
    lines = [_line(record, dispute, links, numbers, attributions) for dispute in record.disputes]
    return sorted(lines, key=lambda line: (line.number or 0, line.id))


def _line(
    record: ArticleResult, dispute: Dispute, links: dict[str, tuple[int, str]],
    numbers: dict[str, int], attributions: dict[str, Attribution],
) -> DisputeLine:
    disputing = attributions.get(dispute.attribution)
    source = disputing.source.text if disputing and disputing.source else None
    speaker, speaker_url = _named(record, links, dispute.speaker, source or "(unattributed)")
    party, party_url = None, None
    if dispute.party is not None:
        party, party_url = _named(record, links, dispute.party.speaker, dispute.party.span.text)
    claim = attributions.get(dispute.claim or "")
    return DisputeLine(
        id=dispute.id, attribution=dispute.attribution, number=numbers.get(dispute.attribution),
        speaker=speaker, speaker_url=speaker_url, act=dispute.act, party=party,
        party_url=party_url,
        claim=" … ".join(" ".join(f.text.split()) for f in claim.content) if claim else None,
    )


def _named(
    record: ArticleResult, links: dict[str, tuple[int, str]], local: str | None, written: str
) -> tuple[str, str | None]:
    """A party's display name and speaker page: the corpus's, else the article's, else as
    written."""
    link = links.get(local or "")
    if link:
        return link[1], f"/speakers/{link[0]}"
    speaker = record.speaker(local)
    return (speaker.name if speaker else " ".join(written.split())), None


# --- the corpus -------------------------------------------------------------------------------


@dataclass
class EdgeRow:
    """One row of the Disputes page: who disputes whom, how often, with one example."""

    speaker: str
    speaker_url: str | None
    act: str
    party: str
    party_url: str | None
    count: int
    articles: int
    example: DisputeRow | None
    example_url: str | None


def edge_rows(graph: DisputeGraph) -> list[EdgeRow]:
    """The graph's edges, most frequent first, each with its first example."""
    rows = []
    for edge in graph.edges:
        example = edge.examples[0] if edge.examples else None
        rows.append(EdgeRow(
            speaker=graph.nodes[edge.source], speaker_url=node_url(edge.source), act=edge.act,
            party=graph.nodes[edge.target], party_url=node_url(edge.target), count=edge.count,
            articles=edge.articles, example=example,
            example_url=dispute_url(example) if example else None,
        ))
    return rows


def node_url(node: str) -> str | None:
    """The speaker page of a graph node that is a corpus speaker ("speaker:12")."""
    kind, _, key = node.partition(":")
    return f"/speakers/{key}" if kind == "speaker" and key.isdigit() else None


def dispute_url(row: DisputeRow) -> str:
    """A stored dispute's place on its article's page (its line in the Disputes list)."""
    return f"/articles/{quote(row.article_id, safe='')}#d-{quote(row.dispute_id, safe='')}"


# --- the drawing ------------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    name: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor of the label: start, middle or end
    url: str | None


@dataclass
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    act: str
    count: int
    width: float
    title: str


@dataclass
class Drawing:
    """The nodes on a circle and an arrow per edge; ``left_out`` counts parties not drawn."""

    size: int = DRAWING_SIZE
    view_box: str = f"{-_LABEL_ROOM} 0 {DRAWING_SIZE + 2 * _LABEL_ROOM} {DRAWING_SIZE}"
    nodes: list[Node] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    left_out: int = 0


def drawing(graph: DisputeGraph, max_nodes: int = MAX_DRAWN_NODES) -> Drawing:
    """The most involved parties (by disputes made and received) on a circle, with arrows from
    the disputing speaker to the disputed party, thicker for more disputes."""
    weight: Counter[str] = Counter()
    for edge in graph.edges:
        weight[edge.source] += edge.count
        weight[edge.target] += edge.count
    chosen = [node for node, _ in weight.most_common(max_nodes)]
    placed = {node: _place(graph, node, n, len(chosen)) for n, node in enumerate(chosen)}
    arrows = [_arrow(graph, edge, placed) for edge in graph.edges
              if edge.source in placed and edge.target in placed and edge.source != edge.target]
    return Drawing(nodes=list(placed.values()), arrows=arrows,
                   left_out=len(graph.nodes) - len(placed))


def _place(graph: DisputeGraph, node: str, n: int, total: int) -> Node:
    angle = -math.pi / 2 + 2 * math.pi * n / max(total, 1)
    centre = DRAWING_SIZE / 2
    x, y = centre + _RADIUS * math.cos(angle), centre + _RADIUS * math.sin(angle)
    cos = math.cos(angle)
    anchor = "middle" if abs(cos) < 0.3 else "start" if cos > 0 else "end"
    label_x = x + 12 * cos
    label_y = y + 16 * math.sin(angle) + 4
    return Node(node, graph.nodes[node], round(x, 1), round(y, 1), round(label_x, 1),
                round(label_y, 1), anchor, node_url(node))


def _arrow(graph: DisputeGraph, edge: DisputeEdge, placed: dict[str, Node]) -> Arrow:
    """A line from the disputing speaker to the party, stopped short of both dots and moved a
    little to its left (so the answer to a dispute runs beside it, not over it)."""
    a, b = placed[edge.source], placed[edge.target]
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    gap = _NODE_RADIUS + 3
    ux, uy = dx / length, dy / length
    side_x, side_y = uy * _APART, -ux * _APART
    who, whom = graph.nodes[edge.source], graph.nodes[edge.target]
    title = f"{who} → {edge.act} → {whom}: {edge.count}× in {edge.articles} article(s)"
    return Arrow(round(a.x + ux * gap + side_x, 1), round(a.y + uy * gap + side_y, 1),
                 round(b.x - ux * (gap + 4) + side_x, 1), round(b.y - uy * (gap + 4) + side_y, 1),
                 edge.act,
                 edge.count, round(min(1.5 + edge.count, 6.0), 1), title)
