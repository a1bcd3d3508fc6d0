"""What the grouping step of one ingest costs in a store of N articles.

`recluster` replays every stored article through copy detection, the online clusterer and
storyline linking; a one-shot `newsweave ingest` rebuilds the stored grouping without judging
anything again and adds its articles to it; a process that keeps running (`watch`, the API
server) keeps the grouping it wrote and adds the new articles to it (Grouper.extend).
This times, at each size: the replay of N articles; a new process's way, rebuilding that
grouping from what the store keeps of it (``Grouper.restore``: event memberships, no scoring)
and adding 1 article, in memory and through a SQLite store as a one-shot ingest runs it (in a
process of its own: reading the stored features, articles and memberships, rebuilding, adding,
writing the grouping; the grouping's imports included), then a second such one-shot ingest
of one more article, which loads the ANN graph the first saved beside the store; adding 1
article, then a batch of 10, to the kept grouping. Apart from
these, the SQLite store's side: writing the whole grouping (a replay or a rebuild) against
writing only what adding the 1 article changed (the kept grouping, ``Store.update_events``).

The stream is synthetic, assembled from real texts as in benchmarks/cluster.py: the 378
articles of ../shared/eval/clustering/articles.jsonl are featurised once (real embeddings), then
replayed as successive 60-day "epochs" with a little noise on the vectors; each epoch's words
carry the epoch number, so that an epoch's texts are not copies of the previous one's. Each size
runs in a fresh process.

    .venv/bin/python benchmarks/grouping.py [--sizes 1000 10000 50000]
"""
from __future__ import annotations

import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import SHARED, sizes_main  # noqa: E402  (the same real features)


def _stream(cache: Path, n: int):
    """n synthetic articles with their stored features and entity types, in publication order."""
    import numpy as np

    from newsweave.models import Article, StoredFeatures
    from newsweave.stages.dedup import signature

    base_items = pickle.loads(cache.read_bytes())
    base_items.sort(key=lambda t: (t[1], t[0]))
    texts = {}
    for line in (SHARED / "eval/clustering/articles.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        texts[r["id"]] = (r.get("title") or "", r.get("text") or "", r.get("language"))
    span = (base_items[-1][1] - base_items[0][1]) + timedelta(days=60)
    rng = np.random.default_rng(0)
    arts, feats, types = [], {}, {}
    epoch = 0
    while len(arts) < n:
        for aid, when, f in base_items:
            if len(arts) >= n:
                break
            key = f"{aid}~{epoch}"
            title, text, lang = texts[aid]
            arts.append(Article(id=key, title=title, text=" ".join(f"{w}{epoch}" for w in text.split()),
                                source=key, published=when + span * epoch, language=lang,
                                outlet=f"outlet {zlib.crc32(aid.encode()) % 50}"))
            v = f.vector + rng.normal(0, 0.01, f.vector.shape).astype(np.float32)
            v /= np.linalg.norm(v) or 1.0
            ents = sorted(f.entities)
            # the copy detector's signature, computed with the features as ingest does
            feats[key] = StoredFeatures(key, v, f.lead, dict(f.lexical), ents, f.title,
                                        signature(arts[-1].text))
            for e in ents:  # name tokens stand in for entities; a stable type for each
                types[e] = ("LOC", "PER", "ORG")[zlib.crc32(e.encode()) % 3]
        epoch += 1
    return arts, feats, types


_ONE_SHOT = """
import json, sys, time
from newsweave.config import Settings
from newsweave.pipeline import Pipeline
from newsweave.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1])
start = time.perf_counter()
g = Pipeline(store=store, settings=Settings()).group(stored=[sys.argv[2]])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "stories": len(g.stories),
                  "events": sorted([e.id, sorted(e.article_ids)] for e in g.events)}))
"""


def _members(e) -> tuple:
    return (e.id, tuple(sorted(e.article_ids)))


def run(cache: Path, n: int) -> dict:
    # The stores it writes (1.3 GB each at 50k) go when it ends, whatever happens.
    with tempfile.TemporaryDirectory() as tmp:
        return _run(cache, n, Path(tmp))


def _run(cache: Path, n: int, tmp: Path) -> dict:
    from newsweave.models import Entity
    from newsweave.stages.group import Grouper
    from newsweave.store.sqlite import SQLiteStore

    arts, feats, types = _stream(cache, n + 11)
    stored, one, ten = arts[:n], arts[n:n + 1], arts[n + 1:]
    start = time.perf_counter()
    g = Grouper().group(stored, feats, types)
    replay = time.perf_counter() - start
    membership = {a: (e.id, g.copies.get(a)) for e in g.events for a in e.article_ids}
    # A store holding this grouping and the features of the stored articles and of 1 new one.
    one_shot_db = tmp / "one-shot.db"
    kept = SQLiteStore(one_shot_db)
    # (each text made unique: the store refuses an exact duplicate, which the stream has)
    kept.add_articles([replace(a, text=f"{a.text} [{a.id}]") for a in stored + one])
    kept.save_features([feats[a.id] for a in stored + one])
    # The entities' types, which storylines are linked by (as enrichment would have stored them).
    kept.save_enrichments([], [Entity(id=e, name=e, type=t) for e, t in sorted(types.items())])
    kept.replace_events(g.events, g.copies, g.stories)
    kept.close()
    start = time.perf_counter()
    state = Grouper().restore(stored, feats, membership, types)
    assert state is not None
    restored = Grouper().extend(state, one, feats, types)
    restore_one = time.perf_counter() - start
    # A one-shot ingest's grouping through the store, in a process of its own as `ingest` runs
    # (this one holds two groupings already): read the stored features, articles and
    # memberships, rebuild, add the new article, write the grouping.
    out = subprocess.run([sys.executable, "-c", _ONE_SHOT, str(one_shot_db), one[0].id],
                         capture_output=True, text=True, check=True)
    through_store = json.loads(out.stdout.strip().splitlines()[-1])
    one_shot = through_store["seconds"]
    assert through_store["events"] == sorted([e.id, sorted(e.article_ids)] for e in restored.events)
    assert through_store["stories"] == len(restored.stories)
    want = sorted(map(_members, restored.events))
    # A second one-shot ingest of one more article: the first left its ANN graph beside the
    # store (``<db>.ann-cache``), which this one loads instead of inserting every vector.
    nxt = ten[0]
    add = SQLiteStore(one_shot_db)
    add.add_articles([replace(nxt, text=f"{nxt.text} [{nxt.id}]")])
    add.save_features([feats[nxt.id]])
    add.close()
    out = subprocess.run([sys.executable, "-c", _ONE_SHOT, str(one_shot_db), nxt.id],
                         capture_output=True, text=True, check=True)
    second = json.loads(out.stdout.strip().splitlines()[-1])
    again = Grouper().extend(restored.state, [nxt], feats, types)
    assert second["events"] == sorted([e.id, sorted(e.article_ids)] for e in again.events)
    # The store's side (SQLite): writing the whole grouping, as a replay or rebuild does.
    store = SQLiteStore(tmp / "bench.db")
    store.add_articles([replace(a, text=f"{a.text} [{a.id}]") for a in arts])
    start = time.perf_counter()
    store.replace_events(g.events, g.copies, g.stories)
    write_all = time.perf_counter() - start
    start = time.perf_counter()
    g = Grouper().extend(g.state, one, feats, types)
    add_one = time.perf_counter() - start
    assert want == sorted(map(_members, g.events))
    # ... and writing only what adding one article changed, as the kept grouping does.
    by_id = {e.id: e for e in g.events}
    start = time.perf_counter()
    assert store.update_events([by_id[e] for e in g.written], g.removed, g.copies, g.stories,
                               version=store.grouping_version())
    write_changed = time.perf_counter() - start
    store.close()
    start = time.perf_counter()
    g = Grouper().extend(g.state, ten, feats, types)
    add_ten = time.perf_counter() - start
    assert g is not None
    return {"n": n, "replay_s": round(replay, 2), "replay_ms_per_article": round(1000 * replay / n, 2),
            "restore_add_1_s": round(restore_one, 2), "one_shot_store_s": round(one_shot, 2),
            "second_one_shot_s": round(second["seconds"], 2),
            "write_all_s": round(write_all, 3), "write_changed_s": round(write_changed, 3),
            "add_1_s": round(add_one, 3), "add_10_s": round(add_ten, 3), "events": len(g.events),
            "stories": len(g.stories),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    for r in sizes_main(__doc__, __file__, run, [1000, 10000, 50000]) or []:
        print(f"{r['n']:>7} stored  replay {r['replay_s']:8.2f} s ({r['replay_ms_per_article']} ms/article)"
              f"  rebuild + add 1: {r['restore_add_1_s']:.2f} s"
              f" (through the store: {r['one_shot_store_s']:.2f} s, the next one-shot with the"
              f" cached graph: {r['second_one_shot_s']:.2f} s)"
              f"  add 1: {r['add_1_s']:.3f} s  add 10: {r['add_10_s']:.3f} s  {r['events']} events"
              f"  {r['stories']} stories  peak RSS {r['peak_rss_mb']} MB"
              f"  | SQLite: write all {r['write_all_s']:.3f} s, write what 1 article changed"
              f" {r['write_changed_s']:.3f} s")


if __name__ == "__main__":
    main()
