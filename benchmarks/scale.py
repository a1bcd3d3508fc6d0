"""Scale: the same corpus through the local runner and Ray, into SQLite and PostgreSQL.

Issue 7's scenarios: (a) local runner + SQLite, (b) local runner + PostgreSQL, (c) Ray runner with
2 workers + PostgreSQL (and Ray + SQLite for comparison); articles per second for each, and what Ray costs at this size
(its fixed start-up: the cluster and one model load per actor, measured on a tiny run of the same
kind, and the marginal rate once it runs). The corpus is assembled at run time from the bundled
Wikinews records and the clustering texts in ../shared/eval (never copied into the repo), cycled to
--n articles with distinct ids; a marker keeps the copies from being deduplicated (the corpus's
own duplicate texts stay duplicates). Each run is a fresh process and a fresh store, so each pays
its own model loading.

    .venv/bin/python benchmarks/scale.py [--n 1000] [--small 8] [--workers 2]
        [--pg ADMIN_DSN] [--scenarios local-sqlite local-pg ray-pg ray-sqlite]

With --pg (e.g. the DSN printed by `scripts/pg-test-server.sh start`), every PostgreSQL run gets
a fresh database on that server, dropped afterwards.
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = [ROOT / "examples/wikinews/wikinews.jsonl", SHARED / "eval/clustering/articles.jsonl"]
FIELDS = ("title", "text", "published", "outlet", "language")
SCENARIOS = ("local-sqlite", "local-pg", "ray-pg", "ray-sqlite")


def assemble(dst: Path, n: int) -> int:
    """Write n records (ids distinct, texts distinct) as one JSONL file; returns how many."""
    base = []
    for src in SOURCES:
        if not src.exists():
            print(f"note: {src} is absent; the corpus is built without it", file=sys.stderr)
            continue
        for line in src.open(encoding="utf-8"):
            rec = json.loads(line)
            if (rec.get("text") or "").strip():
                base.append(rec)
    if not base:
        raise SystemExit("no source texts found")
    with dst.open("w", encoding="utf-8") as out:
        for i in range(n):
            rec, r = base[i % len(base)], i // len(base)
            row = {k: rec.get(k) for k in FIELDS}
            row["id"] = rec["id"] if r == 0 else f"{rec['id']}~{r}"
            if r:  # URL dropped and text marked (at the start: cleaning keeps it), or the copy
                row["text"] = f"Copy {r}: {rec['text'].lstrip()}"  # is stored as a duplicate
            else:
                row["url"] = rec.get("url")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return n


def run_child(runner: str, workers: int, corpus: Path, db: str) -> dict:
    """One ingest in this process: wall time, Ray start-up time, what was stored."""
    from newsweave.config import Settings
    from newsweave.pipeline import Pipeline
    from newsweave.sources import iter_raw
    from newsweave.store import open_store

    settings = Settings(db=db, workers=1 if runner == "local" else workers, runner=runner)
    store = open_store(db)
    t0 = time.perf_counter()
    startup = 0.0
    if runner == "ray":
        from newsweave.runners.ray import RayRunner

        run = RayRunner(workers=workers)
        run.connect()
        startup = time.perf_counter() - t0
    else:
        from newsweave.runners.local import LocalRunner

        run = LocalRunner()
    try:
        report = Pipeline(store, settings, runner=run).run_items(iter_raw([str(corpus)], settings))
    finally:
        run.close()
    seconds = time.perf_counter() - t0
    out = {"stored": len(report.stored), "failed": len(report.failed), "seconds": seconds,
           "startup": startup, "events": store.count_events(),
           "entities": len(store.all_entities())}
    store.close()
    return out


def _pg_database(admin: str) -> str:
    """A fresh database on the server of an admin DSN; returns its DSN."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"nw_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template1')
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def _drop_database(admin: str, dsn: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(dsn).path.lstrip("/")}" WITH (FORCE)')


def measure(scenario: str, workers: int, n: int, tmp: Path, pg: str | None) -> dict:
    """Run one scenario ("local-sqlite", "ray-pg", ...) in a fresh process and a fresh store."""
    runner, backend = scenario.split("-")
    corpus = tmp / f"corpus_{n}.jsonl"
    if not corpus.exists():
        assemble(corpus, n)
    if backend == "pg":
        if not pg:
            raise SystemExit(f"{scenario} needs --pg ADMIN_DSN")
        db = _pg_database(pg)
    else:
        db = str(tmp / f"{runner}_{n}.db")
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", runner, str(workers),
                               str(corpus), db], capture_output=True, text=True)
    finally:
        if backend == "pg":
            _drop_database(pg, db)
    if proc.returncode != 0:
        raise SystemExit(f"{scenario} n={n} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="articles in the corpus (default 1000)")
    ap.add_argument("--small", type=int, default=8,
                    help="articles in the tiny run that measures fixed costs (0: skip it)")
    ap.add_argument("--workers", type=int, default=2, help="Ray actors (default 2)")
    ap.add_argument("--pg", help="admin DSN of a PostgreSQL+pgvector server for the -pg scenarios")
    ap.add_argument("--scenarios", nargs="+", choices=SCENARIOS, help="default: local-sqlite and "
                    "ray-sqlite, plus local-pg and ray-pg with --pg")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        runner, workers, corpus, db = args.child
        print(json.dumps(run_child(runner, int(workers), Path(corpus), db)))
        return
    scenarios = args.scenarios or [s for s in SCENARIOS if args.pg or s.endswith("sqlite")]

    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for sc in scenarios:
            big = measure(sc, args.workers, args.n, tmp, args.pg)
            small = measure(sc, args.workers, args.small, tmp, args.pg) if args.small else None
            rows.append((sc, big, small))
            print(f"done: {sc} {big}", file=sys.stderr, flush=True)
    print(f"# scale: {args.n} articles, {date.today()}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print("| runner + store | stored | failed | events | entities | seconds | articles/s "
          "| Ray start-up s | fixed s (tiny run) | marginal articles/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for sc, big, small in rows:
        runner, backend = sc.split("-")
        name = ("local (1 process)" if runner == "local" else f"ray ({args.workers} actors)") + \
            (" + PostgreSQL" if backend == "pg" else " + SQLite")
        fixed = small["seconds"] if small else None
        marginal = ((big["stored"] - small["stored"]) / (big["seconds"] - fixed)
                    if small and big["seconds"] > fixed else None)
        print(f"| {name} | {big['stored']} | {big['failed']} | {big['events']} | {big['entities']} "
              f"| {big['seconds']:.1f} | {big['stored'] / big['seconds']:.2f} "
              f"| {big['startup']:.1f} | {fixed if fixed is None else round(fixed, 1)} "
              f"| {'' if marginal is None else round(marginal, 2)} |")
    by = {sc: big for sc, big, _ in rows}
    for backend in ("sqlite", "pg"):
        local, ray = by.get(f"local-{backend}"), by.get(f"ray-{backend}")
        if local and ray:
            print(f"\nRay overhead ({backend}) at {args.n} articles: "
                  f"{ray['seconds'] - local['seconds']:+.1f} s "
                  f"({ray['seconds'] / local['seconds']:.2f}x the local time); same counts: "
                  f"{(local['stored'], local['events'], local['entities']) == (ray['stored'], ray['events'], ray['entities'])}")


if __name__ == "__main__":
    main()
