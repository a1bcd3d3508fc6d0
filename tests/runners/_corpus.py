"""A small real corpus and a runner-independent snapshot of a store, for comparing runners."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from newsweave.config import Settings
from newsweave.pipeline import Pipeline
from newsweave.sources import iter_raw
from newsweave.store import open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
N_WIKINEWS = 10
FLOAT_TOL = 1e-4


def corpus_inputs(tmp: Path) -> list[str]:
    """The two seeds, a copy of one seed (a duplicate to detect), ~10 Wikinews records."""
    lines = (EXAMPLES / "wikinews" / "wikinews.jsonl").read_text(encoding="utf-8").splitlines()
    wn = tmp / "wikinews10.jsonl"
    wn.write_text("\n".join(lines[:N_WIKINEWS]) + "\n", encoding="utf-8")
    seed = sorted((EXAMPLES / "seeds").glob("*.txt"))[0]
    dup = tmp / "copy" / "copy_of_seed.txt"
    dup.parent.mkdir(parents=True, exist_ok=True)
    dup.write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp / "bad" / "empty.txt"  # one bad item: reported as a failure, never stops a batch
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("   \n", encoding="utf-8")
    return [str(EXAMPLES / "seeds"), str(dup.parent), str(wn), str(bad.parent)]


def build(db: Path, inputs: list[str], runner: Any = None, batch_size: int = 8):
    """Ingest inputs into a fresh SQLite store with the given runner; returns the report."""
    settings = Settings(db=str(db), batch_size=batch_size)
    store = open_store(str(db))
    try:
        return Pipeline(store, settings, runner=runner).run_items(iter_raw(inputs, settings))
    finally:
        store.close()


def _plain(obj: Any) -> Any:
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def snapshot(db: Path) -> dict[str, Any]:
    """Everything stored, minus what legitimately differs between two runs (ingest times)."""
    store = open_store(str(db))
    try:
        arts = {}
        for a in store.iter_articles():
            d = a.to_dict()
            d.pop("ingested_at")
            arts[a.id] = d
        enrich = {i: _plain(store.get_enrichment(i)) for i in arts}
        entities = sorted((e.id, e.name, e.type, sorted(e.variants), e.article_count)
                          for e in store.all_entities())
        feats = {f.article_id: f for f in store.load_features()}
        events = []
        for ev in store.list_events(limit=10_000):
            full = store.get_event(ev.id)
            events.append((full.id, full.title, sorted(full.article_ids), full.story_id,
                           full.n_sources))
        dups = sorted((d.id, d.original_id, d.reason) for d in store.iter_duplicates())
        return {"articles": arts, "enrichments": enrich, "entities": entities,
                "features": feats, "events": sorted(events), "duplicates": dups,
                "sentences": store.load_sentence_vectors(list(arts))}
    finally:
        store.close()


def assert_same_store(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal stores: exact for everything but feature vectors (equal within float tolerance)."""
    assert a["articles"].keys() == b["articles"].keys()
    for k in a["articles"]:
        assert a["articles"][k] == b["articles"][k], k
    for k in a["enrichments"]:
        assert a["enrichments"][k] == b["enrichments"][k], k
    assert a["entities"] == b["entities"]
    assert a["duplicates"] == b["duplicates"]
    # report sentence vectors: the same sentences, vectors equal within int8 steps
    assert a["sentences"].keys() == b["sentences"].keys() == a["articles"].keys()
    for k, sa in a["sentences"].items():
        sb = b["sentences"][k]
        assert (sa.key, sa.indexes) == (sb.key, sb.indexes), k
        assert np.allclose(sa.vectors, sb.vectors, atol=0.02), k
    assert a["features"].keys() == b["features"].keys()
    for k, fa in a["features"].items():
        fb = b["features"][k]
        assert fa.entities == fb.entities, k
        assert np.allclose(fa.vector, fb.vector, atol=FLOAT_TOL), k
        assert np.allclose(fa.lead, fb.lead, atol=FLOAT_TOL), k
        ta, tb = getattr(fa, "title", None), getattr(fb, "title", None)
        assert (ta is None) == (tb is None), k
        assert ta is None or np.allclose(ta, tb, atol=FLOAT_TOL), k
        assert fa.lexical.keys() == fb.lexical.keys(), k
        assert np.allclose([fa.lexical[t] for t in fa.lexical],
                           [fb.lexical[t] for t in fa.lexical], atol=FLOAT_TOL), k
    assert a["events"] == b["events"]
