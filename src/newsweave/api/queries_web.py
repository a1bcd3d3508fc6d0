"""Read-side queries the JSON API and the web pages share (on top of ``newsweave.queries``).

Route handlers never query the store themselves: they call one function here (or in
``newsweave.queries``) and render its plain-data answer as JSON or as a page.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..models import Event
from ..queries import entity_detail, event_row
from ..store.base import Store

_log = logging.getLogger("newsweave.api")
_WORD = re.compile(r"\w+", re.UNICODE)
_MARK = re.compile(r"\[([^\[\]]{1,200})\]")


@dataclass(frozen=True)
class EventFilters:
    """The filters of the events list (all optional)."""

    date_from: str | None = None
    date_to: str | None = None
    language: str | None = None
    outlet: str | None = None
    entity: str | None = None  # an entity id, name or name variant

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _utc(d: datetime | None) -> datetime | None:
    return d.replace(tzinfo=timezone.utc) if d is not None and d.tzinfo is None else d


class _LRU:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class ReadCache:
    """Per-event computed views (report JSON, arrival times), keyed by the event's membership.

    The key holds the event's article ids and copy links, so a regrouping that changes an event's
    articles (or replaces the event) misses the cache and the view is recomputed.
    """

    def __init__(self, size: int = 512) -> None:
        self.reports = _LRU(size)
        self.arrivals = _LRU(size * 8)
        self._build = threading.Lock()  # one report build at a time: it embeds every sentence

    def report(self, store: Store, event_id: str) -> dict[str, Any] | None:
        """The event's report JSON plus the supporting sentence of every citation (cached)."""
        ev = store.get_event(event_id)
        if ev is None:
            return None
        copies = store.copies_in_event(event_id)
        key = (event_id, tuple(ev.article_ids), tuple(sorted(copies.items())), ev.title)
        hit = self.reports.get(key)
        if hit is not None:
            return hit
        with self._build:
            hit = self.reports.get(key)
            if hit is None:
                hit = build_event_view(store, event_id)
                if hit is not None:
                    self.reports.put(key, hit)
        return hit

    def arrival_times(self, store: Store, ev: Event) -> list[datetime]:
        """Publication times of an event's articles (cached by membership)."""
        key = tuple(ev.article_ids)
        hit = self.arrivals.get(key)
        if hit is None:
            arts = (store.get_article(i) for i in ev.article_ids)
            hit = sorted(_utc(a.published) for a in arts if a is not None and a.published)
            self.arrivals.put(key, hit)
        return hit


def build_event_view(store: Store, event_id: str) -> dict[str, Any] | None:
    """What the event page shows, computed once per event membership: the report JSON, the
    supporting sentence of each citation, the claim matrix and the event detail."""
    from ..queries import event_report
    from ..report import report_to_json

    try:
        report = event_report(store, event_id)
    except Exception as e:  # noqa: BLE001 - one bad article must not take the event page down
        _log.exception("report of %s failed", event_id)
        return _fallback_view(store, event_id, f"{type(e).__name__}: {e}"[:300])
    if report is None:
        return None
    data = report_to_json(report)
    sentences = {aid: [s.text for s in e.sentences] for aid, e in report.enrichments.items()}
    from ..queries import event_detail

    return {"report": data, "support": citation_support(data, sentences), "error": None,
            "matrix": claim_matrix(data), "detail": event_detail(store, event_id)}


def _fallback_view(store: Store, event_id: str, reason: str) -> dict[str, Any] | None:
    """A report-shaped view with empty comparison sections, for when the report fails."""
    from ..queries import event_detail

    d = event_detail(store, event_id)
    if d is None:
        return None
    arts = [{"id": a["id"], "outlet": a["outlet"], "language": a["language"], "title": a["title"],
             "url": a["url"], "published": a["published"].isoformat() if a["published"] else None}
            for a in d["articles"]]
    report = {"id": d["id"], "title": d["title"], "single_source": d["sources"] < 2,
              "notes": [f"the comparison report could not be computed ({reason})"],
              "languages": d["languages"],
              "record": {"who": [], "what": None, "action": None, "what_sources": [], "where": [],
                         "when": {"date": None, "sources": [], "basis": None, "text": None,
                                  "others": []},
                         "why": None, "how": None, "main_sentence": None, "disagreements": []},
              "summary": [], "claims": [], "conflicts": [], "quotes": [], "coverage": [],
              "articles": arts}
    return {"report": report, "support": [], "error": reason, "matrix": claim_matrix(report),
            "detail": d}


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text) if len(w) > 2 or w.isdigit()}


def citation_support(report: dict[str, Any], sentences: dict[str, list[str]]
                     ) -> list[list[dict[str, Any]]]:
    """For each summary sentence, for each cited article: the sentence of that article that
    supports it.

    First choice is the report's own alignment: the summary sentence names the claim it states,
    and the claim's ``wordings`` hold each supporting article's sentence (article, index, text).
    When an article is cited but has no wording in that claim (a copy credited through its
    original), the sentence of that article with the highest word overlap (Jaccard over words of
    3+ letters and numbers) with the summary sentence is shown instead, marked ``basis="overlap"``.
    """
    claims = {c["id"]: c for c in report.get("claims", [])}
    out: list[list[dict[str, Any]]] = []
    for s in report.get("summary", []):
        wordings = {w["article"]: w for w in claims.get(s.get("claim"), {}).get("wordings", [])}
        row = []
        for aid in s.get("citations", []):
            w = wordings.get(aid)
            if w is not None:
                row.append({"article": aid, "sentence": w["sentence"], "text": w["text"],
                            "basis": "claim"})
                continue
            target = _words(s["text"])
            best, best_i, best_score = None, None, 0.0
            for i, t in enumerate(sentences.get(aid, [])):
                ws = _words(t)
                score = len(ws & target) / len(ws | target) if ws | target else 0.0
                if score > best_score:
                    best, best_i, best_score = t, i, score
            row.append({"article": aid, "sentence": best_i, "text": best, "basis": "overlap"})
        out.append(row)
    return out


def claim_matrix(report: dict[str, Any], max_claims: int = 40, max_columns: int = 24
                 ) -> dict[str, Any]:
    """Claims x articles: "reported", "absent" or "contradicts" in each cell.

    An article contradicts a claim when a conflict about that claim puts it on another side than
    the claim's representative article (the first source). Large events are cut to the
    ``max_claims`` best-supported claims and the first ``max_columns`` original articles (copies
    left out); ``hidden_claims`` / ``hidden_columns`` say how much was left out.
    """
    arts = report.get("articles", [])
    copies = {c["article"] for c in report.get("coverage", []) if c.get("copy_of")}
    originals = [a for a in arts if a["id"] not in copies] or arts
    number = {a["id"]: i + 1 for i, a in enumerate(arts)}
    columns = [{"id": a["id"], "num": number[a["id"]], "outlet": a.get("outlet") or a["id"],
                "language": a.get("language")} for a in originals[:max_columns]]
    against: dict[int, dict[str, str]] = {}
    for c in report.get("conflicts", []):
        if c.get("claim") is None:
            continue
        side_of = {src: i for i, side in enumerate(c["sides"]) for src in side["sources"]}
        claim = next((x for x in report.get("claims", []) if x["id"] == c["claim"]), None)
        ref = side_of.get(claim["sources"][0]) if claim and claim["sources"] else None
        for src, i in side_of.items():
            if ref is not None and i != ref:
                against.setdefault(c["claim"], {})[src] = c["sides"][i]["value"]
    rows = []
    claims = report.get("claims", [])
    shown = sorted(claims, key=lambda c: (-c["independent_sources"], c["id"]))[:max_claims]
    for c in sorted(shown, key=lambda c: c["id"]):
        cells = []
        for col in columns:
            if col["id"] in against.get(c["id"], {}):
                cells.append({"state": "contradicts", "value": against[c["id"]][col["id"]]})
            elif col["id"] in c["sources"]:
                cells.append({"state": "reported", "value": None})
            else:
                cells.append({"state": "absent", "value": None})
        rows.append({"claim": c["id"], "text": c["text"], "support": c["independent_sources"],
                     "cells": cells})
    return {"columns": columns, "rows": rows, "hidden_claims": len(claims) - len(rows),
            "hidden_columns": len(arts) - len(columns)}


def event_rows(store: Store, cache: ReadCache, filters: EventFilters, limit: int, offset: int
               ) -> tuple[list[dict[str, Any]], bool, str | None]:
    """A page of events (with arrival times), whether there is a next page, and a filter problem.

    The entity filter accepts a name or variant as well as an id; an unknown entity matches none.
    """
    entity_id, problem = None, None
    if filters.entity:
        ent = store.get_entity(filters.entity)
        if ent is None:
            return [], False, f"no entity called {filters.entity!r}"
        entity_id = ent.id
    events = store.list_events(limit + 1, offset, language=filters.language,
                               outlet=filters.outlet, entity=entity_id,
                               date_from=filters.date_from, date_to=filters.date_to)
    rows = []
    for ev in events[:limit]:
        row = event_row(ev)
        row["first_published"] = ev.first_published
        row["last_published"] = ev.last_published
        row["arrivals"] = cache.arrival_times(store, ev)
        rows.append(row)
    return rows, len(events) > limit, problem


def article_rows(store: Store, limit: int, offset: int, language: str | None = None,
                 outlet: str | None = None) -> tuple[list[dict[str, Any]], bool]:
    """A page of articles, newest first, and whether there is a next page."""
    arts = store.list_articles(limit + 1, offset, language=language, outlet=outlet)
    rows = [{"id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published,
             "language": a.language, "url": a.url} for a in arts[:limit]]
    return rows, len(arts) > limit


def entity_rows(store: Store, limit: int, offset: int, type: str | None = None
                ) -> tuple[list[dict[str, Any]], bool]:
    """A page of canonical entities, most articles first, and whether there is a next page."""
    ents = store.list_entities(limit + 1, offset, type=type)
    rows = [{"id": e.id, "name": e.name, "type": e.type, "articles": e.article_count,
             "variants": sorted(e.variants)} for e in ents[:limit]]
    return rows, len(ents) > limit


def entity_page(store: Store, key: str, max_articles: int = 200, max_events: int = 500
                ) -> dict[str, Any] | None:
    """An entity with its events over time and the entities named most often beside it."""
    d = entity_detail(store, key)
    if d is None:
        return None
    events = store.list_events(max_events, 0, entity=d["id"])
    d["events"] = [event_row(e) for e in events]
    months = Counter(e.date.strftime("%Y-%m") for e in events if e.date)
    d["events_by_month"] = [{"month": m, "events": n} for m, n in sorted(months.items())]
    together: Counter[str] = Counter()
    names: dict[str, tuple[str, str]] = {}
    for a in d["articles"][:max_articles]:
        enr = store.get_enrichment(a["id"])
        if enr is None:
            continue
        seen = set()
        for m in enr.mentions:
            if m.entity_id and m.entity_id != d["id"] and m.entity_id not in seen:
                seen.add(m.entity_id)
                names.setdefault(m.entity_id, (m.canonical or m.text, m.type))
        together.update(seen)
    d["co_occurring"] = [{"id": i, "name": names[i][0], "type": names[i][1], "articles": n}
                         for i, n in together.most_common(20)]
    return d


def highlight(snippet: str, query: str) -> list[dict[str, Any]]:
    """A store snippet (matches marked with [ ]) as segments ``{"text", "match"}`` to render
    escaped; brackets around anything that is not a query word are left as text."""
    words = {w.casefold() for w in _WORD.findall(query)}
    out, pos = [], 0
    for m in _MARK.finditer(snippet):
        inner = m.group(1)
        if not any(w.casefold() in words or any(w.casefold().startswith(q) for q in words)
                   for w in _WORD.findall(inner)):
            continue
        if m.start() > pos:
            out.append({"text": snippet[pos:m.start()], "match": False})
        out.append({"text": inner, "match": True})
        pos = m.end()
    if pos < len(snippet):
        out.append({"text": snippet[pos:], "match": False})
    return out


def search_all(store: Store, query: str, limit: int = 20) -> dict[str, Any]:
    """Full-text search: matching articles (snippet segments) and the events they belong to."""
    query = query.strip()
    if not query:
        return {"query": query, "articles": [], "events": []}
    hits = store.search(query, limit)
    articles, event_ids = [], []
    for h in hits:
        eid, _ = store.event_of_article(h.id)
        if eid and eid not in event_ids:
            event_ids.append(eid)
        articles.append({"id": h.id, "title": h.title, "outlet": h.outlet,
                         "published": h.published, "score": round(h.score, 4),
                         "snippet": h.snippet, "event_id": eid,
                         "highlight": highlight(h.snippet, query)})
    events = [event_row(e) for e in (store.get_event(i) for i in event_ids) if e]
    return {"query": query, "articles": articles, "events": events}


def article_page(store: Store, article_id: str) -> dict[str, Any] | None:
    """One article as the article page shows it: metadata, paragraphs, its event."""
    from ..queries import article_detail

    d = article_detail(store, article_id)
    if d is None:
        return None
    eid, copy_of = store.event_of_article(article_id)
    d["event_id"], d["copy_of"] = eid, copy_of
    d["paragraphs"] = [p.strip() for p in re.split(r"\n\s*\n", d.get("text") or "") if p.strip()]
    return d
