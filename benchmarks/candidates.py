"""Clustering candidate search with 100k vectors: pgvector's HNSW index vs the in-process index.

Issue 7's last measurement. The vectors are real: the 378 articles of
../shared/eval/clustering/articles.jsonl are featurised once (USE-m3 article vectors), then
replayed as successive epochs with a little noise (as benchmarks/cluster.py does), then spread
evenly over --days (default 365: a busy store, ~8k articles in each 30-day window).

Both indexes answer the clusterer's question: the k nearest articles published in the 30 days
before a query article (it replays in publication order, so that is what it has placed). Reported for each: index build time, query latency (median,
p95) and recall@k against the exact answer (brute force within the window).

- in-process: stages/ann.TimeBucketedIndex (one faiss HNSW index per 30-day bucket);
- PostgreSQL: PostgresStore.nearest_articles, both ways it can answer: ranking the window's
  articles exactly (found through the publication-date index) and pgvector's HNSW index with the
  time filter and iterative scans; the articles and features written through the store's own methods in a fresh database; the
  HNSW index is dropped during the bulk load and built once afterwards (index build time is
  reported separately; inserting 100k vectors one by one into a live HNSW index is ~10x slower).

    eval "$(scripts/pg-test-server.sh start)"
    .venv/bin/python benchmarks/candidates.py --pg "$NEWSWEAVE_TEST_PG" [--n 100000] [--queries 500]
"""
from __future__ import annotations

import argparse
import os
import pickle
import platform
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster import SHARED, featurise  # noqa: E402  (the same featurised stream as cluster.py)

K = 24  # stages/cluster.NEIGHBOURS
WINDOW = timedelta(days=30)


def stream(cache: Path, n: int, days: float | None = None):
    """(id, published, unit vector) for n items: the real articles as shifted, noisy epochs.

    With ``days``, the n items are spread evenly over that many days in stream order instead (a
    busy store: 100k articles in a year puts ~8k in every 30-day window)."""
    base = pickle.loads(cache.read_bytes())
    base.sort(key=lambda t: (t[1], t[0]))
    span = (base[-1][1] - base[0][1]) + timedelta(days=60)
    rng = np.random.default_rng(0)
    out, epoch = [], 0
    while len(out) < n:
        for aid, when, f in base:
            if len(out) >= n:
                break
            v = f.vector + rng.normal(0, 0.01, f.vector.shape).astype(np.float32)
            out.append((f"{aid}~{epoch}", when + span * epoch, (v / np.linalg.norm(v)).astype(np.float32)))
        epoch += 1
    if days:
        t0, step = out[0][1], timedelta(days=days) / n
        out = [(aid, t0 + step * i, v) for i, (aid, _, v) in enumerate(out)]
    return out


def exact(ids_by_pos, mat, when_arr, q_pos: int) -> tuple[set[str], int]:
    """The true k nearest among the articles of the past window of item q_pos (brute force: what
    the clusterer replaying in publication order can see), and the window's size."""
    t = when_arr[q_pos]
    win = np.flatnonzero((when_arr <= t) & (t - when_arr <= WINDOW.total_seconds()))
    sims = mat[win] @ mat[q_pos]
    top = win[np.argsort(-sims, kind="stable")[:K]]
    return {ids_by_pos[i] for i in top}, len(win)


def pct(xs, p):
    return float(np.percentile(np.asarray(xs) * 1000, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", required=True, help="admin DSN of a PostgreSQL+pgvector server "
                    "(scripts/pg-test-server.sh start prints one); a fresh database is created "
                    "and dropped")
    ap.add_argument("--n", type=int, default=100_000, help="vectors (default 100000)")
    ap.add_argument("--queries", type=int, default=500, help="queries (default 500)")
    ap.add_argument("--days", type=float, default=365.0,
                    help="days the stream spans (default 365; 0: the real data's own density)")
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is not present: the benchmark reads its inputs from there")

    import psycopg

    from newsweave.stages.ann import TimeBucketedIndex
    from newsweave.stages.embed import DIM
    from newsweave.store.postgres import PostgresStore
    from newsweave.testing import make_article
    from newsweave.models import StoredFeatures

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "features.pkl"
        featurise(cache)
        items = stream(cache, args.n, args.days or None)
    ids = [i for i, _, _ in items]
    mat = np.stack([v for _, _, v in items])
    when_arr = np.array([w.timestamp() for _, w, _ in items])
    rng = np.random.default_rng(1)
    # Queries: stored items themselves (as the clusterer asks about an article near others).
    qs = rng.choice(len(items), size=min(args.queries, len(items)), replace=False)
    answers = {int(q): exact(ids, mat, when_arr, int(q)) for q in qs}
    truth = {q: a for q, (a, _) in answers.items()}
    sizes = [n for _, n in answers.values()]
    ts_of = dict(zip(ids, when_arr))

    # ---- in-process --------------------------------------------------------------------
    t0 = time.perf_counter()
    idx = TimeBucketedIndex(DIM, WINDOW.days, global_index=False)  # as the clusterer builds it
    for aid, when, v in items:
        idx.add(aid, v, when)
    mem_build = time.perf_counter() - t0
    lat, rec = [], []
    for q in qs:
        aid, when, v = items[q]
        s = time.perf_counter()
        # The clusterer keeps the hits inside the window (stages/cluster._candidates).
        hits = [h for h, _ in idx.search(v, K, when)
                if 0 <= when_arr[q] - ts_of[h] <= WINDOW.total_seconds()][:K]
        lat.append(time.perf_counter() - s)
        got = set(hits)
        rec.append(len(got & truth[int(q)]) / len(truth[int(q)]))
    mem = dict(build=mem_build, p50=pct(lat, 50), p95=pct(lat, 95), recall=float(np.mean(rec)))

    # ---- pgvector ----------------------------------------------------------------------
    from urllib.parse import urlsplit, urlunsplit

    name = f"nw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template1')
    dsn = urlunsplit(urlsplit(args.pg)._replace(path=f"/{name}"))
    try:
        store = PostgresStore(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DROP INDEX IF EXISTS article_features_vector")
        t0 = time.perf_counter()
        zero = np.zeros(DIM, np.float32)
        for i in range(0, len(items), 2000):
            chunk = items[i:i + 2000]
            store.add_articles([make_article(aid, published=when, text=f"Body {aid}.", title=aid,
                                             source=f"bench:{aid}") for aid, when, _ in chunk])
            store.save_features([StoredFeatures(aid, v, zero, {}, [], None) for aid, _, v in chunk])
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("CREATE INDEX article_features_vector ON article_features "
                         "USING hnsw (vector vector_cosine_ops)")
            conn.execute("ANALYZE")
        pg_build = time.perf_counter() - t0
        import newsweave.store.postgres_grouping as pgg

        pg = {}
        for mode, limit in (("exact", 10**12), ("hnsw", -1)):
            # The store picks exact ranking when the window holds <= EXACT_WINDOW_MAX articles;
            # both ways are measured here to show why.
            pgg.EXACT_WINDOW_MAX = limit
            store.nearest_articles(items[0][2], K, items[0][1] - WINDOW, items[0][1])  # warm
            lat, rec = [], []
            for q in qs:
                aid, when, v = items[q]
                s = time.perf_counter()
                # The clusterer's question (ann.StoreIndex): the nearest of the past window.
                hits = store.nearest_articles(v, 2 * K, when - WINDOW, when)
                lat.append(time.perf_counter() - s)
                rec.append(len({h for h, _ in hits[:K]} & truth[int(q)]) / len(truth[int(q)]))
            pg[mode] = dict(p50=pct(lat, 50), p95=pct(lat, 95), recall=float(np.mean(rec)))
        pg.update(load=load, build=pg_build)
        store.close()
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"# candidate search, {args.n} vectors ({DIM} dims), {len(qs)} queries, k={K}, "
          f"past {WINDOW.days} days, spread over {args.days:g} days; {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print("| index | load s | build s | median ms | p95 ms | recall@k |")
    print("|---|---|---|---|---|---|")
    print(f"| in-process (faiss HNSW per 30-day bucket) | – | {mem['build']:.1f} | {mem['p50']:.2f} "
          f"| {mem['p95']:.2f} | {mem['recall']:.3f} |")
    for mode, label in (("exact", "PostgreSQL, window ranked exactly (date index)"),
                        ("hnsw", "PostgreSQL, pgvector HNSW + time filter")):
        r = pg[mode]
        print(f"| {label} | {pg['load']:.1f} | {pg['build']:.1f} | {r['p50']:.2f} | {r['p95']:.2f} "
              f"| {r['recall']:.3f} |")
    print(f"\nwindow: {np.mean(sizes):.0f} articles on average in the past {WINDOW.days} days of a query")


if __name__ == "__main__":
    main()
