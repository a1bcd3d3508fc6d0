"""Main-text extraction eval: Newsweave vs trafilatura defaults on trafilatura's benchmark.

The folder holds ``evaldata.json`` ({url: {"file", "with", "without", ...}}) and the pages:
``html.tar.gz`` (``html/<file>``) or the files themselves anywhere below it. Scoring follows
upstream ``tests/eval_common.py``: outputs and segments are whitespace-normalised; per document
TP = "with" segments found, FN = not found, FP = "without" segments found, TN = not found; counts
are micro-summed; a crash or empty output counts as a miss.
"""
from __future__ import annotations

import json
import re
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from .metrics import PRF

DEFAULT_CACHE = Path.home() / ".cache" / "newsweave" / "eval" / "extraction"
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass
class SystemScores(PRF):
    """Micro-summed confusion counts and time for one extraction system."""

    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0
    docs: int = 0
    failures: int = 0  # documents where the system raised or returned nothing

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0

    @property
    def seconds_per_doc(self) -> float:
        return self.seconds / self.docs if self.docs else 0.0

    def add(self, item: dict[str, Any], output: str | None) -> None:
        """Score one document's output against its segments."""
        self.docs += 1
        found = _norm(output) if output else None
        if found is None:
            self.failures += 1
        tp = sum(_norm(s) in found for s in item["with"]) if found else 0
        fp = sum(_norm(s) in found for s in item["without"]) if found else 0
        self.tp += tp
        self.fp += fp
        self.fn += len(item["with"]) - tp
        self.tn += len(item["without"]) - fp


@dataclass
class ExtractionEvalResult:
    """Scores of every system on the same documents, in one run."""

    docs: int
    with_segments: int
    without_segments: int
    systems: list[SystemScores] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # pages evaldata names but the folder lacks

    def system(self, name: str) -> SystemScores:
        """Scores of the system with this name."""
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def newsweave(self) -> SystemScores:
        return self.system("newsweave")

    @property
    def trafilatura(self) -> SystemScores:
        return self.system("trafilatura-default")

    def format_table(self) -> str:
        """A small plain-text table: one row per system."""
        head = (
            f"{self.docs} documents, {self.with_segments} text & "
            f"{self.without_segments} boilerplate segments"
        )
        cols = f"{'system':<22}{'precision':>10}{'recall':>8}{'accuracy':>10}{'F1':>8}" \
               f"{'s/doc':>8}{'failed':>8}"
        rows = [
            f"{s.name:<22}{s.precision:>10.3f}{s.recall:>8.3f}{s.accuracy:>10.3f}{s.f1:>8.4f}"
            f"{s.seconds_per_doc:>8.3f}{s.failures:>8}"
            for s in self.systems
        ]
        lines = [head, cols, "-" * len(cols), *rows]
        if self.missing:
            shown = ", ".join(self.missing[:5]) + (", ..." if len(self.missing) > 5 else "")
            lines.append(f"{len(self.missing)} documents left out: page not in the folder ({shown})")
        return "\n".join(lines)


def newsweave_system(html: str, url: str | None) -> str | None:
    """Newsweave's main text for one page (None when it finds none)."""
    from newsweave.errors import StageError
    from newsweave.stages.html import extract_html

    try:
        return extract_html(html, url).text
    except StageError:
        return None


def trafilatura_default(html: str, url: str | None) -> str | None:
    """Plain trafilatura.extract with its defaults, the reference system."""
    import trafilatura

    return trafilatura.extract(html)


SYSTEMS: dict[str, Callable[[str, str | None], str | None]] = {
    "newsweave": newsweave_system,
    "trafilatura-default": trafilatura_default,
}


def unpack_html(folder: Path, cache_dir: Path | None = None) -> Path:
    """Extract html.tar.gz once into a cache directory (never into the repo); return html/."""
    archive = folder / "html.tar.gz"
    stat = archive.stat()
    target = (cache_dir or DEFAULT_CACHE) / f"{folder.name}-{stat.st_size}-{int(stat.st_mtime)}"
    done = target / ".complete"
    if not done.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")  # "data" refuses absolute paths and links out
        done.touch()
    return target / "html"


def html_files(folder: Path, cache_dir: Path | None = None) -> dict[str, Path]:
    """Where each page of an eval folder is, by file name: in ``html.tar.gz`` (unpacked once into
    a cache) or already unpacked anywhere below the folder (``html/``, or upstream's ``eval/`` and
    ``cache/``). The first found wins for a name."""
    roots = [unpack_html(folder, cache_dir)] if (folder / "html.tar.gz").exists() else []
    found: dict[str, Path] = {}
    for root in [*roots, folder]:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                found.setdefault(p.name, p)
    return found


def run_extraction_eval(
    folder: Path, limit: int | None = None, cache_dir: Path | None = None
) -> ExtractionEvalResult:
    """Score Newsweave and trafilatura defaults on a trafilatura-style eval folder. A document
    whose page is not in the folder is left out and named (``ExtractionEvalResult.missing``)."""
    from trafilatura.utils import decode_file

    folder = Path(folder)
    evaldata: dict[str, dict[str, Any]] = json.loads(
        (folder / "evaldata.json").read_text(encoding="utf-8")
    )
    files = html_files(folder, cache_dir)
    items = sorted(evaldata.items())[:limit] if limit else sorted(evaldata.items())
    missing = [i["file"] for _, i in items if Path(i["file"]).name not in files]
    items = [(url, i) for url, i in items if Path(i["file"]).name in files]
    result = ExtractionEvalResult(
        docs=0,
        with_segments=sum(len(i["with"]) for _, i in items),
        without_segments=sum(len(i["without"]) for _, i in items),
        systems=[SystemScores(name) for name in SYSTEMS],
        missing=missing,
    )
    for url, item in items:
        # Decoded once, outside the timings, the way trafilatura decodes bytes itself.
        html = decode_file(files[Path(item["file"]).name].read_bytes())
        result.docs += 1
        for scores, system in zip(result.systems, SYSTEMS.values()):
            start = time.perf_counter()
            try:
                output = system(html, url)
            except Exception:  # a crash counts as a full miss, as upstream does
                output = None
            scores.seconds += time.perf_counter() - start
            scores.add(item, output)
    return result
