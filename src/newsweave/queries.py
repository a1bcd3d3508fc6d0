"""Read-side queries shared by the CLI, the API and the web UI."""
from __future__ import annotations

from typing import Any

from .models import Enrichment
from .store.base import Store


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
        return None
    arts = [a for a in (store.get_article(i) for i in store.entity_article_ids(ent.id)) if a]
    langs = sorted({lang for ls in ent.variants.values() for lang in ls if lang})
    return {"id": ent.id, "name": ent.name, "type": ent.type, "variants": ent.variants,
            "languages": langs, "article_count": len(arts),
            "articles": [{"id": a.id, "outlet": a.outlet, "published": a.published,
                          "language": a.language, "title": a.title} for a in arts]}
