"""How storyline linking treats the pieces of one labelled event, on a store built by ingest.

There is no labelled storyline data. What the clustering dev set does label: when the clusterer
splits one real-world event into several events (a shooting and, weeks later, the claim of
responsibility), those events belong to one running story, and a storyline should chain them.
This counts, over the events of a store, the pairs of events holding articles of the same
labelled event that end up in one storyline (higher is better), next to the pairs of events of
different labelled events that are chained (related stories, or wrong links: they are listed so
that they can be read), for each value of the text-closeness threshold.

    newsweave --db walk.db ingest ../shared/eval/clustering/articles.jsonl
    .venv/bin/python benchmarks/storylines.py walk.db ../shared/eval/clustering/articles.jsonl \
        [--cosine 0.5 0.6 0.7 1.01]

``--semeval CSV`` instead checks the cosine alone against human judgements: the share of the
SemEval-2022 Task 8 original-language pairs, by their Overall score (1 = the same story ... 4 =
unrelated), whose article vectors reach each cosine.

    .venv/bin/python benchmarks/storylines.py --semeval \
        ../shared/eval/similarity/semeval2022_task8_sample_train.csv
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path, nargs="?")
    ap.add_argument("gold", type=Path, nargs="?", help="JSONL with id and event_id per article")
    ap.add_argument("--semeval", type=Path, help="SemEval-2022 Task 8 CSV: the cosine alone")
    ap.add_argument("--cosine", type=float, nargs="+", default=None,
                    help="STORY_MIN_COSINE values to try (above 1: the entity rule alone)")
    args = ap.parse_args()
    if args.semeval:
        semeval(args.semeval, args.cosine or [0.5, 0.55, 0.6, 0.65, 0.7])
        return
    if not (args.db and args.gold):
        ap.error("give a store and its labelled file, or --semeval CSV")

    from newsweave import open_store
    from newsweave.stages import storylines

    gold = {}
    with args.gold.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            gold[r["id"]] = r["event_id"]
    store = open_store(str(args.db))
    events = store.list_events(limit=10**9)
    features = {f.article_id: f for f in store.load_features()}
    types = {e.id: e.type for e in store.all_entities()}
    labels = {e.id: {gold[a] for a in e.article_ids if a in gold} for e in events}
    titles = {e.id: e.title for e in events}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {len(events)} events")
    for cosine in args.cosine or [storylines.STORY_MIN_COSINE]:
        storylines.STORY_MIN_COSINE = cosine
        for e in events:
            e.story_id = None
        stories = storylines.link_stories(events, features, types)
        story_of = {eid: s.id for s in stories for eid in s.event_ids}
        same = linked_same = linked_other = 0
        other_pairs = []
        for a, b in itertools.combinations(events, 2):
            chained = a.id in story_of and story_of[a.id] == story_of.get(b.id)
            if labels[a.id] & labels[b.id]:
                same += 1
                linked_same += chained
            elif chained:
                linked_other += 1
                other_pairs.append((titles[a.id], titles[b.id]))
        print(f"STORY_MIN_COSINE {cosine}: {len(stories)} storylines; pairs of events of one "
              f"labelled event chained: {linked_same}/{same}; pairs of different labelled events "
              f"chained: {linked_other}")
        for s in stories:
            print(f"  {s.first_date} .. {s.last_date}: " + " | ".join(
                titles[e][:45] for e in s.event_ids))


def semeval(path: Path, cosines: list[float]) -> None:
    import numpy as np

    from newsweave.eval.similarity import _read_csv, _scored
    from newsweave.stages.similarity import default_featurizer

    rows = [r for r in _read_csv(path) if _scored(r)]
    feats = default_featurizer().featurize_many(
        [dict(text=r["text1"], language=r["lang1"]) for r in rows]
        + [dict(text=r["text2"], language=r["lang2"]) for r in rows])
    n = len(rows)
    cos = np.array([float(feats[i].vector @ feats[n + i].vector) for i in range(n)])
    overall = np.array([float(r["Overall"]) for r in rows])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {n} pairs")
    for lo, hi in [(1, 1.5), (1.5, 2.5), (2.5, 3.5), (3.5, 4.01)]:
        m = (overall >= lo) & (overall < hi)
        print(f"Overall [{lo}, {hi}): {int(m.sum())} pairs; " + ", ".join(
            f"cosine >= {t}: {np.mean(cos[m] >= t):.2f}" for t in cosines))


if __name__ == "__main__":
    main()
