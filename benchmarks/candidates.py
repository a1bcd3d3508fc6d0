"""Clustering candidate search with 100k vectors: pgvector's HNSW index vs the in-process index.

Issue 7's last measurement. The vectors are real: the 378 articles of
../shared/eval/clustering/articles.jsonl are featurised once (USE-m3 article vectors), then
replayed as successive epochs 60 days apart with a little noise (as benchmarks/cluster.py does), so
the density of news per day stays that of the real data while the store grows to --n vectors.

Both indexes answer the clusterer's question: the k nearest articles published within the
window (30 days) of a query article. Reported for each: index build time, query latency (median,
p95) and recall@k against the exact answer (brute force within the window).

- in-process: stages/ann.TimeBucketedIndex (one faiss HNSW index per 30-day bucket);
- pgvector: PostgresStore.nearest_articles (HNSW, cosine, time filter with iterative scans),
  the articles and features written through the store's own methods in a fresh database; the
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


def stream(cache: Path, n: int):
    """(id, published, unit vector) for n items: the real articles as shifted, noisy epochs."""
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
    return out


def exact(items, ids_by_pos, mat, when_arr, q_pos: int) -> set[str]:
    """The true k nearest within the window of item q_pos (brute force)."""
    t = when_arr[q_pos]
    win = np.flatnonzero(np.abs(when_arr - t) <= WINDOW.total_seconds())
    sims = mat[win] @ mat[q_pos]
    top = win[np.argsort(-sims, kind="stable")[:K]]
    return {ids_by_pos[i] for i in top}


def pct(xs, p):
    return float(np.percentile(np.asarray(xs) * 1000, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", required=True, help="admin DSN of a PostgreSQL+pgvector server "
                    "(scripts/pg-test-server.sh start prints one); a fresh database is created "
                    "and dropped")
    ap.add_argument("--n", type=int, default=100_000, help="vectors (default 100000)")
    ap.add_argument("--queries", type=int, default=500, help="queries (default 500)")
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
        items = stream(cache, args.n)
    ids = [i for i, _, _ in items]
    mat = np.stack([v for _, _, v in items])
    when_arr = np.array([w.timestamp() for _, w, _ in items])
    rng = np.random.default_rng(1)
    # Queries: stored items themselves (as the clusterer asks about an article near others).
    qs = rng.choice(len(items), size=min(args.queries, len(items)), replace=False)
    truth = {int(q): exact(items, ids, mat, when_arr, int(q)) for q in qs}
    ts_of = dict(zip(ids, when_arr))

    # ---- in-process --------------------------------------------------------------------
    t0 = time.perf_counter()
    idx = TimeBucketedIndex(DIM, WINDOW.days)
    for aid, when, v in items:
        idx.add(aid, v, when)
    mem_build = time.perf_counter() - t0
    lat, rec = [], []
    for q in qs:
        aid, when, v = items[q]
        s = time.perf_counter()
        # The clusterer keeps the hits inside the window (stages/cluster._candidates).
        hits = [h for h, _ in idx.search(v, K, when)
                if abs(ts_of[h] - when_arr[q]) <= WINDOW.total_seconds()][:K]
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
        store.nearest_articles(items[0][2], K, items[0][1] - WINDOW, items[0][1] + WINDOW)  # warm
        lat, rec = [], []
        for q in qs:
            aid, when, v = items[q]
            s = time.perf_counter()
            hits = store.nearest_articles(v, K, when - WINDOW, when + WINDOW)
            lat.append(time.perf_counter() - s)
            rec.append(len({h for h, _ in hits} & truth[int(q)]) / len(truth[int(q)]))
        pg = dict(build=pg_build, load=load, p50=pct(lat, 50), p95=pct(lat, 95),
                  recall=float(np.mean(rec)))
        store.close()
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"# candidate search, {args.n} vectors ({DIM} dims), {len(qs)} queries, k={K}, "
          f"window ±{WINDOW.days} days; {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print("| index | load s | build s | median ms | p95 ms | recall@k |")
    print("|---|---|---|---|---|---|")
    print(f"| in-process (faiss HNSW per 30-day bucket) | – | {mem['build']:.1f} | {mem['p50']:.2f} "
          f"| {mem['p95']:.2f} | {mem['recall']:.3f} |")
    print(f"| pgvector HNSW (Store.nearest_articles) | {pg['load']:.1f} | {pg['build']:.1f} "
          f"| {pg['p50']:.2f} | {pg['p95']:.2f} | {pg['recall']:.3f} |")


if __name__ == "__main__":
    main()
