"""Ingest throughput into SQLite: plain-text and HTML articles per second, and peak memory.

Inputs are real texts read at run time from ../shared/eval (never copied into the repo):
- plain text: the clustering articles written out as .txt files (headline line + body);
- HTML: the trafilatura evaluation pages.
Each scenario runs in its own process so that its peak RSS is its own.

    .venv/bin/python benchmarks/ingest.py [--repeat N] [--no-enrich]
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def prepare_text(dst: Path, repeat: int) -> int:
    """Write the clustering articles as .txt files; `repeat` copies with distinct ids."""
    src = SHARED / "eval/clustering/articles.jsonl"
    n = 0
    for r in range(repeat):
        for line in src.open(encoding="utf-8"):
            rec = json.loads(line)
            body = (rec.get("text") or "").strip()
            if not body:
                continue
            # A marker line makes copies distinct so that they are stored, not deduplicated.
            (dst / f"{rec['id']}_{r}.txt").write_text(
                f"{rec.get('title') or 'Untitled'}\n\n{body}\n\nCopy {r}.\n", encoding="utf-8")
            n += 1
    return n


def prepare_html(dst: Path) -> int:
    """Unpack the extraction evaluation pages."""
    with tarfile.open(SHARED / "eval/extraction/trafilatura_eval/html.tar.gz") as tar:
        tar.extractall(dst, filter="data")
    return len(list(dst.rglob("*.html")))


def run_one(inputs: list[str], db: Path, enrich: bool) -> dict:
    """Ingest in this process and report time and peak memory."""
    from newsweave.config import Settings
    from newsweave.pipeline import ingest
    from newsweave.store import open_store

    store = open_store(db)
    settings = Settings(db=str(db))
    if not enrich:
        settings = settings.with_overrides(enrich=False)
    t = time.perf_counter()
    report = ingest(inputs, store, settings)
    dt = time.perf_counter() - t
    store.close()
    return {"stored": len(report.stored), "failed": len(report.failed),
            "duplicates": len(report.duplicates), "seconds": round(dt, 2),
            "articles_per_s": round(len(report.stored) / dt, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="copies of the text corpus (378 each)")
    ap.add_argument("--no-enrich", action="store_true", help="ingest without the understanding stages")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        db, *inputs = args.child
        print(json.dumps(run_one(inputs, Path(db), not args.no_enrich)))
        return
    if not SHARED.exists():
        sys.exit(f"{SHARED} is not present: the benchmark reads its inputs from there")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "txt").mkdir()
        (tmp / "html").mkdir()
        n_txt = prepare_text(tmp / "txt", args.repeat)
        n_html = prepare_html(tmp / "html")
        for name, inp, n in (("plain text", tmp / "txt", n_txt), ("HTML", tmp / "html", n_html)):
            cmd = [sys.executable, __file__, "--child", str(tmp / f"{name[:4]}.db"), str(inp)]
            if args.no_enrich:
                cmd.insert(2, "--no-enrich")
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            results[name] = {"inputs": n, **json.loads(out.stdout.strip().splitlines()[-1])}
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, "
          f"Python {platform.python_version()}")
    for name, r in results.items():
        print(f"{name:10s} {r['inputs']:5d} inputs  {r['stored']:5d} stored  {r['failed']:3d} failed  "
              f"{r['seconds']:7.2f} s  {r['articles_per_s']:7.1f} articles/s  peak RSS {r['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
