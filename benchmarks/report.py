"""Report build time for a large event: the two seeds replicated to N articles.

Worst case for the comparison stages: N near-identical accounts (none declared a copy), so every
sentence aligns with hundreds of others. Enrichment and sentence vectors are computed once for
the two seeds and reused; the figure is build_report's own time (best of 3), which is what the
report command and the event page pay once per event.

    .venv/bin/python benchmarks/report.py [--n 300]
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    from newsweave.models import Article
    from newsweave.report import build_report, enrich_articles, sentence_vectors
    from newsweave.stages.cleantext import clean_text

    arts = []
    for i, f in enumerate(sorted((ROOT / "examples/seeds").glob("*.txt"))):
        c = clean_text(f.read_text(encoding="utf-8"))
        arts.append(Article(id=f.stem, title=c.title, text=c.body, source=str(f), language="en",
                            outlet=c.outlet or f"outlet {i}",
                            published=c.published or datetime(2023, 4, 17, tzinfo=timezone.utc)))
    enr = enrich_articles(arts)
    vec = sentence_vectors(enr)
    rng = np.random.default_rng(0)
    many, enrs, vecs = [], {}, {}
    for n in range(args.n):
        src = arts[n % 2]
        aid = f"a{n:04d}"
        many.append(replace(src, id=aid, outlet=f"outlet {n}",
                            published=src.published.replace(minute=n % 60)))
        enrs[aid] = replace(enr[src.id], article_id=aid)
        v = vec[src.id] + rng.normal(0, 0.003, vec[src.id].shape).astype(np.float32)
        vecs[aid] = v / np.linalg.norm(v, axis=1, keepdims=True)
    build_report("warm", many[:2], enrs, vectors=vecs)  # parsers and models loaded once
    times = []
    for _ in range(3):
        t = time.perf_counter()
        build_report("many", many, enrs, vectors=vecs)
        times.append(time.perf_counter() - t)
    sentences = sum(len(e.sentences) for e in enrs.values())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {args.n} articles, "
          f"{sentences} sentences")
    print(f"build_report: best {min(times):.2f} s, median {sorted(times)[1]:.2f} s")


if __name__ == "__main__":
    main()
