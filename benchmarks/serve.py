"""Serving latency with ~10k stored articles: home page, one event page and /api/events under
concurrent load from a second process (loopback only, bounded in count and time).

The store (built once, reused with --db) holds:
- the bundled demo corpus (the two seeds + the Wikinews records) and the 378 clustering texts of
  ../shared/eval (read at run time, never copied into the repo), ingested by the real pipeline with
  enrichment (sentences, entities, dates, quotes) and grouping features;
- replicas of those articles up to --n: distinct ids, publication dates shifted by whole weeks per
  replica round, and a marker line appended so no two texts are identical. Replicas reuse the
  original's stored enrichment, report sentence vectors and grouping vectors (re-running the
  models on copies would only cost time), then events, copies and storylines are rebuilt over
  everything by the real grouper.

Load: `newsweave serve` runs in one process; a second process sends --requests requests per URL
from --concurrency threads (httpx, keep-alive) after one warm-up request per URL (which computes
and caches the event's report). Latency is measured per request at the client.

    .venv/bin/python benchmarks/serve.py [--n 10000] [--db /tmp/serve-bench.db] [--requests 400]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "examples/seeds"
WIKINEWS = ROOT / "examples/wikinews/wikinews.jsonl"
CLUSTERING = SHARED / "eval/clustering/articles.jsonl"


def build_store(db: Path, n: int) -> None:
    """Ingest the real corpus, replicate it to n articles, regroup (see the module docstring)."""
    from newsweave.config import Settings
    from newsweave.pipeline import Pipeline, ingest
    from newsweave.store import open_store

    store = open_store(db)
    t0 = time.perf_counter()
    inputs = [str(SEEDS), str(WIKINEWS)]
    with tempfile.TemporaryDirectory() as tmp:
        if CLUSTERING.exists():
            recs = []
            for line in CLUSTERING.open(encoding="utf-8"):
                r = json.loads(line)
                recs.append({k: r.get(k) for k in ("id", "title", "text", "published", "outlet",
                                                     "url", "language")})
            p = Path(tmp) / "clustering.jsonl"
            p.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
            inputs.append(str(p))
        else:
            print(f"note: {CLUSTERING} is absent; replicating the demo corpus only", file=sys.stderr)
        settings = Settings(db=str(db), enrich=True, group=False)
        rep = ingest(inputs, store, settings)
    base = list(store.iter_articles())
    pipe = Pipeline(store, Settings(db=str(db), enrich=True, group=True))
    pipe.group()  # features of the originals (and a first grouping)
    print(f"base: {len(base)} articles ingested, enriched and embedded in "
          f"{time.perf_counter() - t0:.0f} s ({len(rep.failed)} failed)", file=sys.stderr)
    feats = {f.article_id: f for f in store.load_features()}
    sents = store.load_sentence_vectors([a.id for a in base])  # what ingest stored for reports
    r = 1
    while store.count_articles() < n:
        batch, enr, fts, svs = [], [], [], []
        for a in base:
            if store.count_articles() + len(batch) >= n:
                break
            new_id = f"{a.id}~r{r}"
            pub = a.published + timedelta(weeks=r) if a.published else None
            batch.append(replace(a, id=new_id, published=pub, url=None, canonical_url=None,
                                 text=a.text + f"\n\n(Replica {r} of {a.id}.)"))
            e = store.get_enrichment(a.id)
            if e is not None:
                enr.append(replace(e, article_id=new_id))
            if a.id in feats:
                fts.append(replace(feats[a.id], article_id=new_id))
            if a.id in sents:
                svs.append(replace(sents[a.id], article_id=new_id))
        store.add_articles(batch)
        store.save_enrichments(enr, [])
        store.save_features(fts)
        store.save_sentence_vectors(svs)
        r += 1
    t1 = time.perf_counter()
    pipe.group()
    print(f"replicated to {store.count_articles()} articles; regrouped in "
          f"{time.perf_counter() - t1:.0f} s: {store.count_events()} events", file=sys.stderr)
    store.close()


LOAD = r'''
import json, sys, threading, time
import httpx
base, urls, n, conc, budget = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
out = {}
for url in urls:
    with httpx.Client(base_url=base, timeout=30) as c:
        c.get(url)  # warm-up: the event's report is computed and cached here
    lat, errors, left = [], 0, [n]
    lock = threading.Lock()
    stop = time.monotonic() + budget
    def worker():
        global errors
        with httpx.Client(base_url=base, timeout=30) as c:
            while True:
                with lock:
                    if left[0] <= 0 or time.monotonic() > stop:
                        return
                    left[0] -= 1
                t = time.perf_counter()
                r = c.get(url)
                dt = time.perf_counter() - t
                with lock:
                    lat.append(dt)
                    if r.status_code != 200:
                        errors += 1
    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(conc)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    wall = time.perf_counter() - t0
    lat.sort()
    out[url] = {"requests": len(lat), "errors": errors, "rps": len(lat) / wall,
                "median_ms": 1000 * lat[len(lat) // 2],
                "p95_ms": 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))],
                "max_ms": 1000 * lat[-1]}
print(json.dumps(out))
'''


def run_load(db: Path, requests: int, concurrency: int, budget: float) -> dict:
    """Serve the store and measure the three URLs from a second process."""
    import httpx

    from newsweave.testing import served

    with served(db, {"NEWSWEAVE_TOKEN": "bench-only"}) as base:
        events = httpx.get(base + "/api/events", params={"limit": 200}, timeout=30).json()["items"]
        # The largest event on the first page: the heaviest event page a reader would open first.
        ev = max(events, key=lambda e: (e["articles"], e["id"]))
        urls = ["/", f"/events/{ev['id']}", "/api/events"]
        t = time.perf_counter()
        httpx.get(base + urls[1], timeout=300)
        cold = time.perf_counter() - t
        res = subprocess.run([sys.executable, "-c", LOAD, base, json.dumps(urls), str(requests),
                              str(concurrency), str(budget)], capture_output=True, text=True,
                             timeout=budget * len(urls) + 120)
        if res.returncode != 0:
            raise SystemExit(res.stderr[-2000:])
        out = json.loads(res.stdout)
        out["_event"] = {"id": ev["id"], "articles": ev["articles"], "cold_report_s": cold}
        out["_store"] = httpx.get(base + "/api/health", timeout=10).json()
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="articles in the store")
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "serve-bench.db",
                    help="store to build or reuse")
    ap.add_argument("--rebuild", action="store_true", help="build the store even if it exists")
    ap.add_argument("--requests", type=int, default=400, help="requests per URL")
    ap.add_argument("--concurrency", type=int, default=8, help="client threads")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds at most per URL")
    args = ap.parse_args()
    if args.rebuild or not args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.db) + suffix).unlink(missing_ok=True)
        build_store(args.db, args.n)
    out = run_load(args.db, args.requests, args.concurrency, args.budget)
    ev, st = out.pop("_event"), out.pop("_store")
    print(f"# serve latency — {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"store: {st['articles']} articles, {st['events']} events; event page: {ev['id']} "
          f"({ev['articles']} articles; first, uncached report {ev['cold_report_s']:.2f} s)")
    print(f"load: {args.requests} requests per URL, {args.concurrency} concurrent connections, "
          "from a second process, after one warm-up request")
    print(f"{'url':<34} {'req':>5} {'err':>4} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} "
          f"{'max ms':>8}")
    for url, r in out.items():
        label = "/events/{id}" if url.startswith("/events/") else url
        print(f"{label:<34} {r['requests']:>5} {r['errors']:>4} {r['rps']:>7.1f} "
              f"{r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}")


if __name__ == "__main__":
    main()
