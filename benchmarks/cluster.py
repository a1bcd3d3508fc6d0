"""Online clustering at scale: per-article time and peak memory at 1k, 10k and 100k articles.

The stream is synthetic, assembled from real texts: the 378 articles of
../shared/eval/clustering/articles.jsonl are featurised once (real embeddings, lexical weights,
name tokens), then replayed as successive "epochs", each shifted 60 days later than the previous
one, with a little noise on the vectors so that no two items are identical. This keeps the
density of news per day constant as the store grows, as in a real stream, while the ANN index and
the stored history grow with the size. Each size runs in a fresh process.

    .venv/bin/python benchmarks/cluster.py [--sizes 1000 10000 100000]
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def featurise(cache: Path) -> None:
    """Real features of the real articles, pickled for the child processes."""
    from newsweave.sources.timestamps import parse_date
    from newsweave.stages.similarity import Featurizer

    recs = [json.loads(x) for x in (SHARED / "eval/clustering/articles.jsonl").open(encoding="utf-8")]
    fz = Featurizer()
    fz.setup()
    dicts = []
    for r in recs:
        published, _ = parse_date(r.get("published"))
        dicts.append(dict(title=r.get("title") or "", text=r.get("text") or "",
                          language=r.get("language"), published=published))
    feats = fz.featurize_many(dicts)
    base = datetime(2020, 1, 1, tzinfo=timezone.utc)
    items = [(r["id"], d["published"] or base, f) for r, d, f in zip(recs, dicts, feats)]
    cache.write_bytes(pickle.dumps(items))


def run(cache: Path, n: int) -> dict:
    import numpy as np

    from newsweave.stages.cluster import ClusterItem, EventClusterer

    base_items = pickle.loads(cache.read_bytes())
    base_items.sort(key=lambda t: (t[1], t[0]))
    t0 = base_items[0][1]
    span = (base_items[-1][1] - t0) + timedelta(days=60)
    rng = np.random.default_rng(0)
    clusterer = EventClusterer().setup()
    done, epoch = 0, 0
    start = time.perf_counter()
    while done < n:
        shift = span * epoch
        for aid, when, f in base_items:
            if done >= n:
                break
            v = f.vector + rng.normal(0, 0.01, f.vector.shape).astype(np.float32)
            v /= np.linalg.norm(v) or 1.0
            clusterer.add(ClusterItem(f"{aid}~{epoch}", when + shift,
                                      replace(f, vector=v, published=when + shift)))
            done += 1
        epoch += 1
    dt = time.perf_counter() - start
    return {"n": n, "seconds": round(dt, 2), "ms_per_article": round(1000 * dt / n, 3),
            "events": len(clusterer.events()),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def sizes_main(doc: str, script: str, run_one, default_sizes: list[int]) -> list[dict] | None:
    """The command line shared by the size benchmarks: ``--sizes``, or (in a child process)
    ``--child CACHE N``, which prints ``run_one(CACHE, N)`` as JSON and returns None."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=default_sizes)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), int(args.child[1]))))
        return None
    return run_sizes(script, args.sizes)


def run_sizes(script: str, sizes: list[int]) -> list[dict]:
    """Featurise once, then run ``script --child CACHE N`` in a fresh process for each size;
    prints the machine line and returns each child's JSON result."""
    if not SHARED.exists():
        sys.exit(f"{SHARED} is not present: the benchmark reads its inputs from there")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "features.pkl"
        featurise(cache)
        results = []
        for n in sizes:
            out = subprocess.run([sys.executable, script, "--child", str(cache), str(n)],
                                 capture_output=True, text=True, check=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    return results


def main() -> None:
    results = sizes_main(__doc__, __file__, run, [1000, 10000, 100000])
    for r in results or []:
        print(f"{r['n']:>7} articles  {r['seconds']:8.2f} s  {r['ms_per_article']:7.3f} ms/article  "
              f"{r['events']:>6} events  peak RSS {r['peak_rss_mb']} MB")
    if results and len(results) > 1:
        print(f"per-article time, largest / smallest: "
              f"{results[-1]['ms_per_article'] / results[0]['ms_per_article']:.2f}x")


if __name__ == "__main__":
    main()
