"""Read-side queries shared by the CLI, the API and the web UI."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterator

from .errors import StoreError
from .models import Enrichment, Event, Story
from .store.base import Store

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    from .report import EventReport


def article_detail(store: Store, article_id: str) -> dict[str, Any] | None:
    """One article with its metadata, clean text and recorded duplicates, as plain data."""
    a = store.get_article(article_id)
    if a is None:
        return None
    d = a.to_dict()
    d["duplicates"] = [{"id": x.id, "reason": x.reason, "source": x.source, "url": x.url}
                       for x in store.duplicates_of(article_id)]
    e = store.get_enrichment(article_id)
    d["enrichment"] = None if e is None else enrichment_data(e)
    return d


def article_similarity(store: Store, a_id: str, b_id: str) -> dict[str, Any] | str:
    """How alike two stored articles are: the pair scorer's similarity in [0, 1] (1 = the same
    story; eval similarity measures it), and whether grouping put them in one event. The id
    that is not stored, when one is not."""
    from .stages.similarity import default_featurizer, pair_similarity

    arts = [store.get_article(a_id), store.get_article(b_id)]
    for key, a in zip((a_id, b_id), arts):
        if a is None:
            return key
    fa, fb = default_featurizer().featurize_many(
        [dict(title=a.title, text=a.text, language=a.language) for a in arts], pair_views=True)
    events = [store.event_of_article(a.id)[0] for a in arts]
    return {"similarity": round(pair_similarity(fa, fb), 4),
            "same_event": events[0] is not None and events[0] == events[1],
            "articles": [{"id": a.id, "title": a.title, "outlet": a.outlet,
                          "language": a.language, "event": ev} for a, ev in zip(arts, events)]}


def enrichment_data(e: Enrichment) -> dict[str, Any]:
    """An article's enrichment as plain data, entities grouped by canonical entity."""
    groups: dict[str, dict[str, Any]] = {}
    for m in e.mentions:
        key = m.entity_id or f"{m.type}:{m.canonical or m.text}"
        g = groups.setdefault(key, {"entity_id": m.entity_id, "name": m.canonical or m.text,
                                    "type": m.type, "mentions": []})
        g["mentions"].append({"text": m.text, "start": m.start, "end": m.end})
    return {
        "language": e.language,
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text}
                      for s in e.sentences],
        "entities": sorted(groups.values(), key=lambda g: (-len(g["mentions"]), g["name"])),
        "dates": [{"text": d.text, "start": d.start, "end": d.end, "from": d.date_from.isoformat(),
                   "to": d.date_to.isoformat(), "granularity": d.granularity} for d in e.dates],
        "quotes": [{"text": q.text, "speaker": q.speaker, "kind": q.kind, "cue": q.cue,
                    "speaker_entity_id": q.speaker_entity_id, "start": q.start, "end": q.end}
                   for q in e.quotes],
        "keywords": [{"phrase": k, "score": round(s, 4)} for k, s in e.keywords],
        "notes": e.notes,
    }


def entity_detail(store: Store, key: str) -> dict[str, Any] | None:
    """One canonical entity with its variants (and their languages) and its articles."""
    ent = store.get_entity(key)
    if ent is None:
        # Another spelling, script or exonym of a known name ("Poutine", "Путин", "Kyiv"):
        # resolve it the way ingest resolves mentions.
        from .stages.canonical import EntityIndex

        found = EntityIndex(store.all_entities()).lookup(key)
        ent = store.get_entity(found.id) if found else None
    if ent is None:
        return None
    arts = [a for a in (store.get_article(i) for i in store.entity_article_ids(ent.id)) if a]
    langs = sorted({lang for ls in ent.variants.values() for lang in ls if lang})
    return {"id": ent.id, "name": ent.name, "type": ent.type, "variants": ent.variants,
            "languages": langs, "article_count": len(arts),
            "articles": [{"id": a.id, "outlet": a.outlet, "published": a.published,
                          "language": a.language, "title": a.title} for a in arts]}


def event_row(e: Event) -> dict[str, Any]:
    """One line of the events list."""
    # "latest": the day of its newest article; events are listed by it, and a running event's
    # first day alone would hide why it sits where it does.
    return {"id": e.id, "title": e.title, "date": e.date,
            "latest": e.last_published.date() if e.last_published else e.date,
            "articles": len(e.article_ids),
            "sources": e.n_sources, "languages": e.languages, "outlets": e.outlets,
            "story_id": e.story_id}


def event_detail(store: Store, event_id: str) -> dict[str, Any] | None:
    """An event: its articles (publication order), outlets, copies and first reporter."""
    ev = store.get_event(event_id)
    if ev is None:
        return None
    copies = store.copies_in_event(event_id)
    arts = [a for a in (store.get_article(i) for i in ev.article_ids) if a]
    first = next((a for a in arts if a.published and a.id not in copies), None)
    return {**event_row(ev), "first_published": ev.first_published,
            "last_published": ev.last_published, "flags": ev.flags,
            "first_reporter": {"id": first.id, "outlet": first.outlet,
                               "published": first.published} if first else None,
            "articles": [{"id": a.id, "outlet": a.outlet, "published": a.published,
                          "language": a.language, "title": a.title, "url": a.url,
                          "copy_of": copies.get(a.id)} for a in arts]}


def iter_events(store: Store, batch: int = 500) -> Iterator[Event]:
    """Every stored event, a page at a time."""
    offset = 0
    while events := store.list_events(batch, offset):
        yield from events
        offset += len(events)


def events_of_articles(store: Store) -> tuple[dict[str, str], set[str]]:
    """The event of every stored article and of every recorded exact duplicate (its original's
    event), and the ids among them that are such duplicates."""
    event_of = {aid: ev.id for ev in iter_events(store) for aid in ev.article_ids}
    duplicates = set()
    for d in store.iter_duplicates():
        if d.id not in event_of and d.original_id in event_of:
            event_of[d.id] = event_of[d.original_id]
            duplicates.add(d.id)
    return event_of, duplicates


def export_events(store: Store, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every event in the export contract: id, title, date, articles[...], story_id."""
    for ev in iter_events(store, batch):
        d = event_detail(store, ev.id)
        assert d is not None
        yield {"id": ev.id, "title": ev.title, "date": ev.date.isoformat() if ev.date else None,
               "articles": [{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                             for k, v in a.items() if k != "url"} for a in d["articles"]],
               "story_id": ev.story_id}


def event_report(store: Store, event_id: str) -> "EventReport | None":
    """The full comparison report of one event (record, summary, claims, conflicts, quotes…)."""
    from .report import build_report

    ev = store.get_event(event_id)
    if ev is None:
        return None
    arts = [a for a in (store.get_article(i) for i in ev.article_ids) if a]
    enrichments = {a.id: e for a in arts if (e := store.get_enrichment(a.id)) is not None}
    return build_report(ev.id, arts, enrichments, vectors=report_vectors(store, enrichments),
                        copies=store.copies_in_event(ev.id), title=ev.title)


def report_vectors(store: Store, enrichments: dict[str, Enrichment]) -> dict[str, Any]:
    """The sentence vectors a report of these articles compares: stored at ingest; an article
    without them (stored before they were, or enriched again since) is embedded now and its
    vectors stored for the next report (unless the store refuses the write: then just used)."""
    from .report import _default_embed
    from .stages.sentvec import vectors_for_report

    vectors, fresh = vectors_for_report(enrichments, store.load_sentence_vectors(list(enrichments)),
                                        _default_embed)
    if fresh:
        try:
            store.save_sentence_vectors(fresh)
        except StoreError as e:
            log.warning("sentence vectors not kept: %s", e)
    return vectors


def story_rows(store: Store, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Storylines with their events' titles and dates."""
    return [_story(store, s) for s in store.list_stories(limit, offset)]


def story_detail(store: Store, story_id: str) -> dict[str, Any] | None:
    """One storyline with its events' titles and dates, or None."""
    s = store.get_story(story_id)
    return _story(store, s) if s else None


def _story(store: Store, s: Story) -> dict[str, Any]:
    evs = [e for e in (store.get_event(i) for i in s.event_ids) if e]
    return {"id": s.id, "title": s.title, "first_date": s.first_date, "last_date": s.last_date,
            "events": [{"id": e.id, "date": e.date, "title": e.title,
                        "articles": len(e.article_ids), "sources": e.n_sources} for e in evs]}
