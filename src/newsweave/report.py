"""The event report: record, cited summary, claims, conflicts, quotes, coverage and sources.

``build_report`` runs the compare, record and summarize stages over the articles of one event and
returns an ``EventReport``; ``report_to_json`` / ``report_to_markdown`` / ``print_report`` render it.
``enrich_articles`` builds the ``Enrichment`` the report needs from bare articles with the same
understanding stages as ingest (used by the evaluations and by callers without a store).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np

from .models import Article, Enrichment
from .stages.compare import (Claim, Conflict, CoverageRow, QuoteGroup, align_claims,
                             align_quotes, coverage, find_conflicts, prepare_units, root_of,
                             text_reuse)
from .stages.record import Record, build_record
from .stages.summarize import SummarySentence, summarize

__all__ = ["EventReport", "build_report", "report_to_json", "report_to_markdown", "print_report",
           "enrich_articles", "sentence_vectors"]

EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass
class EventReport:
    """Everything Newsweave says about one event."""

    id: str
    title: str
    articles: list[Article]
    record: Record
    summary: list[SummarySentence]
    claims: list[Claim]
    conflicts: list[Conflict]
    quotes: list[QuoteGroup]
    coverage: list[CoverageRow]
    copies: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Kept for checks (citation support) and re-rendering; not part of the JSON.
    enrichments: dict[str, Enrichment] = field(default_factory=dict, repr=False)
    vectors: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def single_source(self) -> bool:
        return len({root_of(a.id, self.copies) for a in self.articles}) < 2


def _default_embed(texts: Sequence[str]) -> np.ndarray:
    from .stages.sentvec import default_embed

    return default_embed(texts)


def sentence_vectors(enrichments: dict[str, Enrichment], embed: EmbedFn | None = None,
                     everything: bool = False) -> dict[str, np.ndarray]:
    """One row per sentence of each article, in one batch: L2-normalised vectors of the sentences
    a report compares (stages/sentvec.py), zeros for the others; ``everything``: every sentence."""
    from .stages.sentvec import embed_sentences, full_matrix

    items = list(enrichments.items())
    done = embed_sentences([e for _, e in items], embed or _default_embed, everything)
    return {aid: full_matrix(sv, e) for (aid, e), sv in zip(items, done)}


def _utc(d: datetime | None) -> datetime | None:
    return d.replace(tzinfo=timezone.utc) if d is not None and d.tzinfo is None else d


def build_report(event_id: str, articles: list[Article], enrichments: dict[str, Enrichment],
                 vectors: dict[str, np.ndarray] | None = None, copies: dict[str, str] | None = None,
                 title: str | None = None, embed: EmbedFn | None = None) -> EventReport:
    """The side-by-side report of one event (``vectors``: article id -> its sentence vectors)."""
    copies = {k: v for k, v in (copies or {}).items() if k != v}
    # Naive and aware publication times cannot be compared; naive ones are taken as UTC.
    articles = [a if a.published is None or a.published.tzinfo else
                _replace_published(a) for a in articles]
    articles.sort(key=lambda a: (a.published is None, a.published or datetime.min.replace(
        tzinfo=timezone.utc), a.id))
    ids = [a.id for a in articles]
    units = prepare_units(articles, enrichments, copies)
    missing = {a.id: enrichments[a.id] for a in articles if a.id in enrichments
               and (vectors is None or a.id not in vectors)}
    vectors = dict(vectors or {})
    if missing:
        vectors.update(sentence_vectors(missing, embed))
    unit_vecs = (np.stack([vectors[u.article_id][u.index] for u in units]).astype(np.float32)
                 if units else np.zeros((0, 512), np.float32))
    claims = align_claims(units, unit_vecs, ids, copies)
    conflicts = find_conflicts(claims)
    quotes = align_quotes(articles, enrichments, vectors, copies, claims=claims)
    record = build_record(articles, enrichments, claims, units, copies)
    summary = summarize(claims, units, unit_vecs)
    rows = coverage(articles, claims, copies,
                    text_reuse(units, {a.id: a.outlet for a in articles}))
    notes = []
    roots = {root_of(a, copies) for a in ids}
    if len(roots) < 2:
        notes.append("single source: only one independent article reports this event; nothing to "
                     "compare it with" + (f" ({len(ids) - 1} copies)" if len(ids) > 1 else ""))
    if record.when.basis == "published":
        notes.append("when: no article names the event's day; the first publication date is shown")
    for a in articles:
        if a.id not in enrichments:
            notes.append(f"{a.id}: no enrichment; left out of the comparison")
    return EventReport(event_id, title or _pick_title(articles, claims), articles, record, summary,
                       claims, conflicts, quotes, rows, copies, notes, enrichments, vectors)


def _replace_published(a: Article) -> Article:
    from dataclasses import replace

    return replace(a, published=_utc(a.published))


def _pick_title(articles: Sequence[Article], claims: Sequence[Claim]) -> str:
    # The headline of the earliest original: an outlet's own words, not a made-up title.
    for a in articles:
        if a.title and not a.duplicate_of:
            return a.title
    return claims[0].text if claims else ""


# ---- renderings -------------------------------------------------------------------------------

def report_to_json(report: EventReport) -> dict[str, Any]:
    """The report as JSON-ready data (the public contract: fields are added, never removed)."""
    r = report.record
    return {
        "id": report.id,
        "title": report.title,
        "single_source": report.single_source,
        "notes": list(report.notes),
        "languages": sorted({a.language for a in report.articles if a.language}),
        "record": {
            "who": [{"name": e.name, "type": e.type, "sources": e.sources,
                     "independent_sources": e.independent, "answer_sources": e.answers,
                     "as_written": e.written, "entity": e.canonical} for e in r.who],
            "what": r.what,
            "action": r.action,
            "what_sources": r.what_sources,
            "where": [{"name": e.name, "sources": e.sources,
                       "independent_sources": e.independent, "answer_sources": e.answers,
                       "as_written": e.written, "entity": e.canonical} for e in r.where],
            "when": {"date": r.when.date.isoformat() if r.when.date else None,
                     "sources": r.when.sources, "basis": r.when.basis, "text": r.when.text,
                     "others": [{"date": d.isoformat(), "sources": s} for d, s in r.when.others],
                     "disagreement": [{"date": d.isoformat(), "sources": s, "text": t}
                                      for d, s, t in r.when.disagreement]},
            "why": r.why,
            "how": r.how,
            "main_sentence": r.main_sentence,
            "disagreements": r.disagreements,
            # Each independent source's own answers (single-article extractor), side by side.
            "per_source": [{"article": aid, "who": f.who, "what": f.what,
                            "when": f.when.isoformat() if f.when else None,
                            "when_basis": f.when_basis, "where": f.where, "why": f.why,
                            "how": f.how} for aid, f in r.answers.items()],
        },
        "summary": [{"text": s.text, "citations": s.citations, "article": s.article,
                     "sentence": s.sentence, "claim": s.claim} for s in report.summary],
        "claims": [{"id": c.id, "text": c.text, "sources": c.sources, "missing_from": c.missing_from,
                    "independent_sources": c.support,
                    "wordings": [{"article": u.article_id, "sentence": u.index, "text": u.text}
                                 for u in c.units]} for c in report.claims],
        "conflicts": [{"about": c.about, "kind": c.kind, "claim": c.claim,
                       "sides": [{"value": s.value, "sources": s.sources} for s in c.sides]}
                      for c in report.conflicts],
        "quotes": [{"speaker": q.speaker, "kind": q.kind,
                    "variants": [{"article": v.article, "text": v.text, "speaker": v.speaker,
                                  "relation": v.relation, "language": v.language}
                                 for v in q.variants]} for q in report.quotes],
        "coverage": [{"outlet": c.outlet, "article": c.article, "lag_hours": c.lag_hours,
                      "copy_of": c.copy_of, "unique_claims": c.unique_claims,
                      "language": c.language,
                      "reuses": [{"article": r.source, "sentences": r.sentences, "share": r.share}
                                 for r in c.reuses]} for c in report.coverage],
        "articles": [{"id": a.id, "outlet": a.outlet,
                      "published": a.published.isoformat() if a.published else None,
                      "language": a.language, "title": a.title, "url": a.url}
                     for a in report.articles],
    }


def missing_outlets(sources: Sequence[str], missing_from: Sequence[str],
                    outlets: Mapping[str, str]) -> list[str]:
    """The outlets (once each) none of whose articles carries a claim.

    ``missing_from`` lists articles; an outlet with one article carrying the claim and another not
    did report it, so it is not named."""
    have = {outlets.get(a, a) for a in sources}
    return [o for o in dict.fromkeys(outlets.get(a, a) for a in missing_from) if o not in have]


def _n_sources(n: int) -> str:
    return f"{n} source" if n == 1 else f"{n} sources"


def report_to_markdown(report: EventReport) -> str:
    """The report as a Markdown document."""
    d = report_to_json(report)
    outlets = {a["id"]: f"{a['outlet'] or a['id']}" for a in d["articles"]}
    num = {a["id"]: i + 1 for i, a in enumerate(d["articles"])}
    cite = lambda ids: "".join(f"[{num[i]}]" for i in ids if i in num)  # noqa: E731
    rec = d["record"]
    out = [f"# {d['title']}", ""]
    for note in d["notes"]:
        out.append(f"> {note}")
    if d["notes"]:
        out.append("")
    out += ["## Record", ""]
    out.append("- **Who:** " + ("; ".join(f"{w['name']} ({_n_sources(w['independent_sources'])})"
                                           for w in rec["who"]) or "—"))
    out.append(f"- **What:** {rec['what'] or '—'}")
    out.append("- **Where:** " + (", ".join(w["name"] for w in rec["where"]) or "—"))
    when = rec["when"]
    out.append(f"- **When:** {when['date'] or '—'}"
               + (" (publication date; no day named)" if when["basis"] == "published" else "")
               + (" " + cite(when["sources"]) if when["basis"] == "text" else ""))
    for dis in rec["disagreements"]:
        out.append(f"- **Disagreement:** {dis}")
    out += ["", "## Summary", ""]
    for s in d["summary"]:
        out.append(f"- {s['text']} {cite(s['citations'])}")
    shared = [c for c in d["claims"] if c["independent_sources"] > 1]
    single = [c for c in d["claims"] if c["independent_sources"] <= 1]
    out += ["", "## Claims", ""]
    if shared:
        out += ["### Reported by several outlets", ""]
        for c in shared:
            absent = missing_outlets(c["sources"], c["missing_from"], outlets)
            out.append(f"- {c['text']} {cite(c['sources'])}"
                       + (f" — not in {', '.join(absent)}" if absent else ""))
        out.append("")
    if single:
        out += ["### Reported by one outlet", ""]
        out += [f"- {c['text']} {cite(c['sources'])}" for c in single]
        out.append("")
    if d["conflicts"]:
        out += ["## Conflicts", ""]
        for c in d["conflicts"]:
            out.append(f"- **{c['about']}:** " + " vs ".join(
                f"{s['value']} {cite(s['sources'])}" for s in c["sides"]))
        out.append("")
    if d["quotes"]:
        out += ["## Quotes", ""]
        for q in d["quotes"]:
            out.append(f"- **{q['speaker'] or 'unknown speaker'}** ({q['kind']})")
            for v in q["variants"]:
                out.append(f"  - {outlets.get(v['article'], v['article'])}: “{v['text']}”"
                           f" ({v['relation']})")
        out.append("")
    out += ["## Coverage", "", "| outlet | lag (h) | copy of | repeats sentences of | claims only here |",
            "|---|---|---|---|---|"]
    for c in d["coverage"]:
        lag = "" if c["lag_hours"] is None else f"{c['lag_hours']:g}"
        reused = ", ".join(f"{cite([r['article']])} ({r['sentences']})"
                           for r in c.get("reuses", ())) or "—"
        out.append(f"| {c['outlet'] or c['article']} {cite([c['article']])} | {lag} | "
                   f"{c['copy_of'] or 'original'} | {reused} | {len(c['unique_claims'])} |")
    out += ["", "## Sources", ""]
    for a in d["articles"]:
        when = a["published"] or "date unknown"
        url = f" {a['url']}" if a["url"] else ""
        out.append(f"{num[a['id']]}. {a['outlet'] or ''} — {a['title']} ({when}, "
                   f"{a['language'] or '?'}){url}")
    return "\n".join(out) + "\n"


def print_report(report: EventReport) -> None:
    """The report on the terminal (rich)."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(report_to_markdown(report)))


# ---- enrichment for callers without a store --------------------------------------------------

def enrich_articles(articles: Sequence[Article]) -> dict[str, Enrichment]:
    """The Enrichment of bare articles, by the same stages as ingest (entities linked across them)."""
    from .stages.enrich import Enricher

    return {e.article_id: e for e in Enricher().enrich(list(articles)).enrichments}
