"""Enrichment throughput: sentences + entities + canonical entities + dates + quotes + keywords.

English news articles of about 600 words (400-800) from ../shared/eval/clustering/articles.jsonl,
read at run time. Reports articles per second after the models are loaded, peak memory, and the
CPU time per article (this process and its workers) with the load average: on a shared machine the
wall-clock rate depends on what else runs, the CPU time much less.

    .venv/bin/python benchmarks/enrich.py [--n 200] [--workers 1]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def load_articles(n: int) -> list:
    from newsweave.models import Article

    out = []
    for line in (SHARED / "eval/clustering/articles.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        words = len((r.get("text") or "").split())
        if r.get("language", "en") == "en" and 400 <= words <= 800:
            out.append(Article(id=r["id"], title=r.get("title") or "", text=r["text"], source="bench",
                               language="en", published=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    while len(out) < n:  # repeat the pool with distinct ids when n is larger than the pool
        out += [Article(**{**a.__dict__, "id": f"{a.id}-{len(out)}"}) for a in out[: n - len(out)]]
    return out[:n]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of this process and of the given (live) child processes."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:  # Linux only; elsewhere the workers' share is left out
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    arts = load_articles(args.n)
    words = sum(len(a.text.split()) for a in arts) / len(arts)
    from newsweave.stages.enrich import Enricher

    t = time.perf_counter()
    e = Enricher(workers=args.workers)
    e.setup()
    e.enrich(arts[: max(8, 48 * (args.workers > 1))])  # warm up: models loaded (in each worker)
    load = time.perf_counter() - t
    pool = getattr(e, "_pool", None)
    pids = list(getattr(pool, "_processes", None) or {})
    t, cpu = time.perf_counter(), cpu_seconds(pids)
    for i in range(0, len(arts), 200):
        e.enrich(arts[i:i + 200])
    dt = time.perf_counter() - t
    cpu = cpu_seconds(pids) - cpu
    loadavg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    e.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {len(arts)} articles, "
          f"{words:.0f} words on average; workers {args.workers}")
    print(f"model load {load:.1f} s; enrich {dt:.1f} s = {len(arts) / dt:.1f} articles/s; "
          f"peak RSS {max(peak, peak_children):.0f} MB")
    print(f"CPU {1000 * cpu / len(arts):.0f} ms per article ({len(arts) / cpu:.1f} articles per "
          f"CPU-second); load average {loadavg:.2f} at the end")


if __name__ == "__main__":
    main()
