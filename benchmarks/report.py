"""Report build time for a large event.

Default: the two seeds replicated to N articles. Worst case for the comparison stages: N
near-identical accounts (none declared a copy), so every sentence aligns with hundreds of others.
Enrichment and sentence vectors are computed once for the two seeds and reused; the figure is
build_report's own time (best of 3).

--real: N distinct real articles (the texts of ../shared/eval/clustering, read at run time,
never copied into the repo) as one event, each from its own outlet: thousands of different
sentences. Enriched once; their sentence vectors computed as ingest stores them
(stages/sentvec.py, packed and unpacked as a store keeps them: store/serialize.py). Reports the time of a report
whose vectors are stored (what the report command and the event page pay) and, once, of one
that embeds every sentence itself (an article stored before sentence vectors were).

    .venv/bin/python benchmarks/report.py [--n 300] [--real]
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


def report_times(arts: list, enr: dict, vecs: dict, runs: int = 3) -> list[float]:
    """Seconds of ``runs`` reports of one event, after one of two articles (models loaded)."""
    from newsweave.report import build_report

    build_report("warm", arts[:2], enr, vectors=vecs)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        build_report("many", arts, enr, vectors=vecs)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--real", action="store_true", help="N distinct real articles (see above)")
    args = ap.parse_args()
    if args.real:
        return real(args.n)
    from newsweave.models import Article
    from newsweave.report import enrich_articles, sentence_vectors
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
    times = report_times(many, enrs, vecs)
    sentences = sum(len(e.sentences) for e in enrs.values())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {args.n} articles, "
          f"{sentences} sentences")
    print(f"build_report: best {min(times):.2f} s, median {sorted(times)[1]:.2f} s")


def real(n: int) -> None:
    import json

    from newsweave.models import Article
    from newsweave.report import build_report, enrich_articles
    from newsweave.stages.sentvec import default_embed, embed_sentences, full_matrix
    from newsweave.store.serialize import sentence_vectors_bytes, sentence_vectors_from_bytes

    path = ROOT.parent / "shared/eval/clustering/articles.jsonl"
    arts = []
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        if not (r.get("text") or "").strip():
            continue
        published = datetime.fromisoformat(r["published"]).replace(tzinfo=timezone.utc) \
            if r.get("published") else None
        arts.append(Article(id=f"r{len(arts):04d}", title=r.get("title") or "", text=r["text"],
                            source=str(path), language="en", outlet=f"outlet {len(arts)}",
                            published=published))
        if len(arts) == n:
            break
    t = time.perf_counter()
    enr = enrich_articles(arts)
    t_enrich = time.perf_counter() - t
    t = time.perf_counter()
    stored = {sv.article_id: sentence_vectors_from_bytes(sv.article_id, sv.key,
                                                         sentence_vectors_bytes(sv))
              for sv in embed_sentences(list(enr.values()), default_embed)}
    t_embed = time.perf_counter() - t
    vecs = {aid: full_matrix(stored[aid], e) for aid, e in enr.items()}
    # The first report parses the leads it reads; later ones in the same process find them parsed.
    times = report_times(arts, enr, vecs)
    from newsweave.stages import fivew, record

    record._CACHE.clear()
    fivew._parse.cache_clear()
    t = time.perf_counter()
    build_report("cold", arts, enr)
    cold = time.perf_counter() - t
    sentences = sum(len(e.sentences) for e in enr.values())
    embedded = sum(len(sv.indexes) for sv in stored.values())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {len(arts)} distinct articles, "
          f"{sentences} sentences ({embedded} embedded for reports)")
    print(f"ingest side: enrichment {t_enrich:.1f} s, sentence vectors {t_embed:.1f} s "
          f"({1000 * t_embed / len(arts):.0f} ms per article)")
    print(f"build_report with stored vectors: first {times[0]:.2f} s, then {times[1]:.2f} s and "
          f"{times[2]:.2f} s; with nothing stored or parsed (embeds every sentence): {cold:.2f} s")


if __name__ == "__main__":
    main()
