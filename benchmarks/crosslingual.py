"""Cross-lingual grouping through the whole product: do two accounts of one story in two languages
land in one event, and do two different stories stay apart?

The pairs are SemEval-2022 Task 8's original-language pairs whose two texts are in different
languages (in the training sample all are German-English), judged by people
either the same story (Overall <= 1.5) or different stories (Overall >= 3.5). Each pair is given
one publication day, three days after the previous pair's, so pairs also meet their neighbours in
the 30-day window as in a real stream. The texts go through `ingest` (extraction, language,
entities, embeddings, copies, events) into a fresh SQLite store; the stored events are read back.
Texts that extraction refuses (too short, no article text) and exact duplicates are counted
apart. The SemEval texts are read at run time and never copied.

    .venv/bin/python benchmarks/crosslingual.py [../shared/eval/similarity/semeval2022_task8_sample_train.csv]
"""
from __future__ import annotations

import csv
import json
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared/eval/similarity/semeval2022_task8_sample_train.csv"
SAME, DIFFERENT = 1.5, 3.5
ORIGINAL = re.compile(r"^\d+_\d+$")


def pairs(csv_path: Path) -> list[dict[str, str]]:
    """Cross-language original pairs judged clearly the same story or clearly different."""
    csv.field_size_limit(sys.maxsize)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        overall = (r.get("Overall") or "").strip()
        if not (ORIGINAL.match(r.get("pair_id") or "") and overall and r["lang1"] != r["lang2"]):
            continue
        if float(overall) <= SAME or float(overall) >= DIFFERENT:
            out.append(r)
    return out


def records(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Two JSON records per pair, both dated the pair's day."""
    t0 = datetime(2020, 1, 1, 12, tzinfo=timezone.utc)
    out = []
    for k, r in enumerate(rows):
        day = (t0 + timedelta(days=3 * k)).isoformat()
        for side in ("1", "2"):
            text = r["text" + side].strip()
            out.append({"id": f"{r['pair_id']}/{side}", "title": text.split("\n", 1)[0][:200],
                        "text": text, "published": day, "language": r["lang" + side]})
    return out


def main() -> None:
    from newsweave.config import Settings
    from newsweave.pipeline import ingest
    from newsweave.queries import events_of_articles
    from newsweave.store import open_store

    csv_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV
    rows = pairs(csv_path)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pairs.jsonl"
        src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in records(rows)),
                       encoding="utf-8")
        store = open_store(Path(tmp) / "x.db")
        t = time.perf_counter()
        ingest([str(src)], store, Settings())
        seconds = time.perf_counter() - t
        event_of, _ = events_of_articles(store)
        store.close()
    counts: Counter[tuple[str, str]] = Counter()
    by_langs: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        kind = "same story" if float(r["Overall"]) <= SAME else "different stories"
        a, b = (event_of.get(f"{r['pair_id']}/{s}") for s in ("1", "2"))
        if a is None or b is None:
            outcome = "a text not stored"
        else:
            outcome = "one event" if a == b else "two events"
        counts[kind, outcome] += 1
        by_langs[kind, f"{r['lang1']}-{r['lang2']}", outcome] += 1
    print(f"{len(rows)} cross-language pairs from {csv_path.name}; ingest {seconds:.0f} s")
    for kind in ("same story", "different stories"):
        n = sum(v for (k, _), v in counts.items() if k == kind)
        parts = ", ".join(f"{counts[kind, o]} {o}" for o in ("one event", "two events",
                                                                 "a text not stored"))
        print(f"{kind:<18} {n:>4} pairs: {parts}")
    for (kind, langs, outcome), v in sorted(by_langs.items()):
        print(f"  {kind:<18} {langs:<6} {outcome:<18} {v}")


if __name__ == "__main__":
    main()
