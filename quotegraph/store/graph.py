"""The who-disputes-whom graph as JSON or GraphML, for Gephi, yEd, networkx and the like."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

from quotegraph.store.queries import DisputeGraph

DISPUTE_FORMATS = ("table", "json", "graphml")


def graph_json(graph: DisputeGraph) -> str:
    return json.dumps(graph.to_dict(), ensure_ascii=False, indent=2)


def graph_graphml(graph: DisputeGraph) -> str:
    """GraphML with a ``name`` per node and ``act``, ``count``, ``articles``, ``example`` per
    edge (a directed multigraph: one edge per speaker, party and act)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="name" for="node" attr.name="name" attr.type="string"/>',
        '  <key id="act" for="edge" attr.name="act" attr.type="string"/>',
        '  <key id="count" for="edge" attr.name="count" attr.type="int"/>',
        '  <key id="articles" for="edge" attr.name="articles" attr.type="int"/>',
        '  <key id="example" for="edge" attr.name="example" attr.type="string"/>',
        '  <graph id="disputes" edgedefault="directed">',
    ]
    for node_id, name in graph.nodes.items():
        lines.append(f"    <node id={quoteattr(node_id)}><data key=\"name\">{_text(name)}</data></node>")
    for n, edge in enumerate(graph.edges):
        example = edge.examples[0].evidence if edge.examples else ""
        lines += [
            f"    <edge id=\"e{n}\" source={quoteattr(edge.source)} target={quoteattr(edge.target)}>",
            f"      <data key=\"act\">{_text(edge.act)}</data>",
            f"      <data key=\"count\">{edge.count}</data>",
            f"      <data key=\"articles\">{edge.articles}</data>",
            f"      <data key=\"example\">{_text(example)}</data>",
            "    </edge>",
        ]
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines)


def graph_table(graph: DisputeGraph) -> str:
    """For people: one line per edge, most frequent first, with one example."""
    if not graph.edges:
        return "(no disputes yet; ingest articles with `quotegraph ingest`)\n"
    out = []
    for edge in graph.edges:
        who, whom = graph.nodes[edge.source], graph.nodes[edge.target]
        out.append(f"{who} --{edge.act}--> {whom}  ({edge.count}x, {edge.articles} articles)")
        for example in edge.examples[:1]:
            out.append(f"    {example.article_id}: {' '.join(example.evidence.split())[:160]}")
            if example.claim:
                out.append(f"    claim: {' '.join(example.claim.split())[:160]}")
    return "\n".join(out) + "\n"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
