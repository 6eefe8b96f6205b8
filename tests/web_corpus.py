"""A corpus for the web tests, built from hand-written records (no model needed), and the
articles that test escaping and non-article blocks."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from store_articles import LAVROV_ARTICLES, SMITH_ARTICLES, Said, record

from quotegraph.model import ArticleResult, Attribution, Dispute, Span, Speaker, Target, kind_of
from quotegraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "quotegraph" / "models" / "fast" / "tagger.bin"
FOUNDING_EXAMPLE = ROOT.parent / "shared" / "examples" / "lavrov-hanoi.txt"
NO_MODEL = f"needs the trained model ({MODEL.relative_to(ROOT)} is absent)"

#: An article whose text is an attack if it is ever treated as markup.
SCRIPT_TEXT = (
    "Council <script>window.__pwned = 1; alert('pwned')</script> vote delayed\n\n"
    "Mayor Helen Tarrant said the <b>vote</b> would be held <img src=x onerror=alert(1)> "
    "next week.\n\n"
    "Photo credit: <i>Jane Okafor</i> / Marlow Gazette"
)

SCRIPT_ARTICLE = record(
    "script-article",
    SCRIPT_TEXT,
    Said("Mayor Helen Tarrant", "said",
         ["the <b>vote</b> would be held <img src=x onerror=alert(1)> next week"],
         speaker="Helen Tarrant", descriptions=["Mayor"]),
    outlet="Marlow Gazette", published="2024-04-02",
)

CREDITED_ARTICLE = record(
    "credited",
    "Harbour bridge to be rebuilt\n\n"
    "Photo credit: Jane Okafor / Marlow Gazette\n\n"
    "Mayor Helen Tarrant said the council would borrow the money.\n\n"
    "Related posts\n"
    "- Harbour bridge closed to lorries after inspection finds cracks",
    Said("Mayor Helen Tarrant", "said", ["the council would borrow the money"],
         speaker="Helen Tarrant", descriptions=["Mayor"]),
    outlet="Marlow Gazette", published="2024-04-01",
)

# --- disputes: records as the dispute analysis gives them ---------------------------------------


def _at(text: str, piece: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span.of(text, start, start + len(piece))


def claim_of(result: ArticleResult, owner: str | None, noun: str, clause: str) -> Attribution:
    """An embedded claim ("opposition leaders’ claims that ..."), added to ``result``."""
    body = result.text.index("\n")  # the headline may word the claim too
    source = _at(result.text, owner, body) if owner else None
    cue = _at(result.text, noun, source.end if source else body)
    content = [_at(result.text, clause, cue.end)]
    claim = Attribution(
        f"a{len(result.attributions) + 1}", source, cue, content, kind_of(content), None, 0.6,
        act="claim", act_confidence=0.8, embedded=True,
    )
    result.attributions.append(claim)
    return claim


def disputed(
    result: ArticleResult, attribution: str, act: str, party: str | None,
    party_speaker: str | None = None, claim: Attribution | None = None, role: str = "accused",
) -> None:
    """Make ``attribution`` a dispute (its act, its target, one edge) the way the rules would."""
    disputing = next(a for a in result.attributions if a.id == attribution)
    disputing.act, disputing.act_confidence = act, 0.85
    target = None
    if party is not None:
        after = disputing.cue.start if disputing.cue else 0
        target = Target(_at(result.text, party, after), role, party_speaker,
                        claim.id if claim else None)
        disputing.targets.append(target)
    spans = [s for s in (disputing.source, disputing.cue, *disputing.content) if s]
    evidence = Span.of(result.text, min(s.start for s in spans), max(s.end for s in spans))
    result.disputes.append(Dispute(
        f"d{len(result.disputes) + 1}", act, attribution, disputing.speaker, target,
        claim.id if claim else None, evidence, 0.85,
    ))


def _kovac_articles() -> tuple[ArticleResult, ...]:
    """A spokeswoman and an opposition leader dispute each other's account, in two outlets."""
    post = record(
        "post-brod-shelling",
        "Ministry calls opposition claims of shelling in Brod \u2018lies\u2019\n\n"
        "ZAGREB (Adriatic Post) - Ministry spokeswoman Maria Kovac on Thursday called opposition "
        "leaders\u2019 claims that army units had shelled the village of Brod \u201clies.\u201d She "
        "accused Ivan Horvat of staging the photographs.\n\n"
        "Opposition leader Ivan Horvat rejected Kovac\u2019s account as \u201ca smear.\u201d\n\n"
        "Horvat said the villagers had filmed the shelling themselves.",
        Said("Ministry spokeswoman Maria Kovac", "called",
             [("opposition leaders\u2019 claims that army units had shelled the village of "
               "Brod \u201clies.\u201d")], speaker="Maria Kovac",
             descriptions=["Ministry spokeswoman"]),
        Said("She", "accused", ["Ivan Horvat of staging the photographs"], speaker="Maria Kovac"),
        Said("Opposition leader Ivan Horvat", "rejected",
             ["Kovac\u2019s account as \u201ca smear.\u201d"], speaker="Ivan Horvat",
             descriptions=["Opposition leader"]),
        Said("Horvat", "said", ["the villagers had filmed the shelling themselves"],
             speaker="Ivan Horvat"),
        outlet="Adriatic Post", published="2024-05-02",
    )
    horvat = next(s.id for s in post.speakers if s.name == "Ivan Horvat")
    kovac = post.attributions[0].speaker
    claim = claim_of(post, "opposition leaders", "claims",
                     "army units had shelled the village of Brod")
    disputed(post, "a1", "reject", "opposition leaders", None, claim, role="claimant")
    disputed(post, "a2", "accuse", "Ivan Horvat", horvat)
    disputed(post, "a3", "reject", "Kovac", kovac, role="claimant")
    for a in post.attributions:
        a.act = a.act or "state"

    daily = record(
        "daily-kovac-horvat",
        "Spokeswoman repeats charge against opposition leader\n\n"
        "Maria Kovac accused Ivan Horvat of misleading voters about the shelling in Brod.",
        Said("Maria Kovac", "accused", ["Ivan Horvat of misleading voters about the shelling in Brod"]),
        outlet="Zagreb Daily", published="2024-05-03",
    )
    daily.speakers.append(_speaker(daily, "Ivan Horvat"))
    disputed(daily, "a1", "accuse", "Ivan Horvat", daily.speakers[-1].id)
    return post, daily


def _speaker(result: ArticleResult, name: str) -> Speaker:
    """A party the article names who says nothing in it (so the record lists them anyway)."""
    mention = _at(result.text, name, result.text.index("\n"))
    return Speaker(f"s{len(result.speakers) + 1}", name, "PERSON", [], [mention])


#: A dispute whose party and claim are attacks if they are ever treated as markup.
SCRIPT_DISPUTE_TEXT = (
    "Council rejects the <script>window.__party = 1</script> Group claims\n\n"
    "Councillor Dana Mills rejected the <script>window.__party = 1</script> Group\u2019s claims "
    "that <script>window.__claim = 1</script> the vote was rigged."
)


def _script_dispute() -> ArticleResult:
    party = "<script>window.__party = 1</script> Group"
    result = record(
        "script-dispute", SCRIPT_DISPUTE_TEXT,
        Said("Councillor Dana Mills", "rejected",
             [(f"the {party}\u2019s claims that <script>window.__claim = 1</script> the vote "
               "was rigged")], speaker="Dana Mills", descriptions=["Councillor"]),
        outlet="Council Watch", published="2024-04-05",
    )
    clause = "<script>window.__claim = 1</script> the vote was rigged"
    claim = claim_of(result, party, "claims", clause)
    disputed(result, "a1", "reject", party, None, claim, role="claimant")
    return result


DISPUTE_ARTICLES: tuple[ArticleResult, ...] = (*_kovac_articles(), _script_dispute())

RECORDS: tuple[ArticleResult, ...] = (
    *LAVROV_ARTICLES, *SMITH_ARTICLES, SCRIPT_ARTICLE, CREDITED_ARTICLE, *DISPUTE_ARTICLES,
)


def build_corpus(path: Path) -> Path:
    """A corpus database at ``path`` holding :data:`RECORDS`."""
    with Store.open(path) as store:
        store.write_batch(RECORDS)
    return path


def client_for(app: Any) -> Any:
    """Starlette's test client, without its warning about the httpx package version."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app)
