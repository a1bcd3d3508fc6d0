"""5W1H eval: single-article answers (``stages.fivew``) vs Giveme5W1H gold annotations.

Each gold file holds an article (title, text, publication date) and, per question, a list of
annotations: a phrase with ``coderPhraseCount`` (how many of the coders chose it) and, for *when*,
the resolved date (``parsed``). The gold offers several acceptable phrases per question; an answer
is correct when it matches any phrase at least one coder chose: equal after normalisation, or
content-token overlap (Dice over stemmed content words) >= ``OVERLAP``; for *when*, the answer
phrase is the day as the article writes it ("late Thursday"), and the answer is also correct when
its calendar day equals a gold ``parsed`` day. Annotations without text record coders who found no
answer; a question with no phrase (and, for *when*, no date) is not scored, since "no answer" is
not something the extractor claims. Phrases no coder chose (count 0) are not acceptable answers.

``split_eval`` reports a 2-fold figure: the articles are split by gold event (``category``) so no
event is on both sides, the extractor's few parameters are chosen on one half and scored on the
other, and the two held-out halves are pooled.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..models import Article
from ..stages.compare import content_tokens, fold

__all__ = ["QUESTIONS", "OVERLAP", "PARAMS", "answer_article", "matches", "load_gold",
           "run_fivew_eval", "split_eval", "FiveWResult"]

QUESTIONS = ("who", "what", "when", "where", "why", "how")
OVERLAP = 0.5


def matches(answer: str | None, gold: str | None) -> bool:
    """Normalised exact match, or content-token Dice overlap >= OVERLAP."""
    if not answer or not gold:
        return False
    if " ".join(fold(answer).split()) == " ".join(fold(gold).split()):
        return True
    a, g = content_tokens(answer), content_tokens(gold)
    return bool(a and g) and 2 * len(a & g) / (len(a) + len(g)) >= OVERLAP


def answer_article(article: Article, enrichment: Any, **params: Any) -> dict[str, Any]:
    """who/what/when/where/why/how of one article (when: a date) from ``stages.fivew``."""
    from ..stages.fivew import extract_fivew

    r = extract_fivew(article, enrichment, **params)
    return {"who": r.who, "what": r.what, "when": r.when, "when_text": r.when_text,
            "where": r.where, "why": r.why, "how": r.how}


@dataclass
class FiveWResult:
    articles: int = 0
    scored: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def accuracy(self, q: str) -> float:
        return self.correct.get(q, 0) / self.scored[q] if self.scored.get(q) else 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One row per question, for a table."""
        return [{"question": q, "scored": self.scored.get(q, 0), "correct": self.correct.get(q, 0),
                 "accuracy": round(self.accuracy(q), 3)} for q in QUESTIONS]


def _gold(d: dict[str, Any], q: str) -> tuple[list[str], list[date]]:
    ann = [a for a in (d.get("fiveWoneH") or {}).get(q, {}).get("annotated", [])
           if a.get("coderPhraseCount", 1) > 0]
    texts = [a["text"] for a in ann if a.get("text") and a["text"].strip()]
    days = []
    for a in ann:
        if a.get("parsed"):
            try:
                days.append(date.fromisoformat(str(a["parsed"])[:10]))
            except ValueError:
                pass
    return texts, days


def _load_article(d: dict[str, Any], name: str) -> Article:
    pub = None
    if d.get("date_publish"):
        try:
            pub = datetime.fromisoformat(str(d["date_publish"]))
        except ValueError:
            pub = None
    return Article(id=name, title=d.get("title") or "", text=d.get("text") or "", source=name,
                   url=d.get("url"), published=pub, outlet=d.get("publisher"), language="en")


# The extractor's tunable parameters and the values the split chooses among (defaults first).
PARAMS: dict[str, tuple[Any, ...]] = {"lead": (3, 2, 4, 5), "country": (0.25, 0.5),
                                      "date_lead": (4, 3, 5)}


Gold = tuple[list[dict[str, Any]], list[Article], dict[str, Any]]  # gold docs, articles, enrichments


def load_gold(folder: Path, limit: int | None = None) -> Gold:
    """The gold files of a folder, their articles and enrichments (the slow part: do it once)."""
    return _load(folder, limit)


def _load(folder: Path, limit: int | None) -> Gold:
    from ..report import enrich_articles

    files = sorted(Path(folder).glob("*.json"))
    files = files[:limit] if limit else files
    docs = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    arts = [_load_article(d, f.stem) for d, f in zip(docs, files)]
    return docs, arts, enrich_articles(arts)


def _score(docs: list[dict[str, Any]], arts: list[Article], enr: dict[str, Any],
           params: dict[str, Any] | None = None) -> FiveWResult:
    res = FiveWResult(articles=len(arts))
    for d, a in zip(docs, arts):
        ans = answer_article(a, enr[a.id], **(params or {}))
        for q in QUESTIONS:
            texts, days = _gold(d, q)
            if not texts and not (q == "when" and days):
                continue
            res.scored[q] = res.scored.get(q, 0) + 1
            if q == "when":
                ok = (ans["when"] in days) or any(matches(ans["when_text"], t) for t in texts)
            else:
                ok = any(matches(ans[q], t) for t in texts)
            if ok:
                res.correct[q] = res.correct.get(q, 0) + 1
            else:
                res.misses.append({"article": a.id, "question": q, "answer": str(ans[q]),
                                   "gold": texts or [str(x) for x in days]})
    return res


def run_fivew_eval(folder: Path, limit: int | None = None, gold: Gold | None = None) -> FiveWResult:
    """Per-question accuracy of single-article 5W1H answers against the gold folder."""
    t0 = time.perf_counter()
    docs, arts, enr = gold or _load(folder, limit)
    res = _score(docs, arts, enr)
    res.seconds = time.perf_counter() - t0
    return res


def _folds(docs: list[dict[str, Any]]) -> list[int]:
    """Fold (0/1) per article: whole gold events to the smaller fold, largest events first."""
    sizes: dict[str, int] = {}
    for d in docs:
        sizes[str(d.get("category"))] = sizes.get(str(d.get("category")), 0) + 1
    fold_of: dict[str, int] = {}
    load = [0, 0]
    for cat in sorted(sizes, key=lambda c: (-sizes[c], c)):
        f = 0 if load[0] <= load[1] else 1
        fold_of[cat] = f
        load[f] += sizes[cat]
    return [fold_of[str(d.get("category"))] for d in docs]


def _grid() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{}]
    for name, values in PARAMS.items():
        out = [{**g, name: v} for g in out for v in values]
    return out


def split_eval(folder: Path, limit: int | None = None, gold: Gold | None = None
               ) -> tuple[FiveWResult, list[dict[str, Any]]]:
    """2-fold held-out accuracy: parameters chosen on one half of the events, scored on the other."""
    t0 = time.perf_counter()
    docs, arts, enr = gold or _load(folder, limit)
    folds = _folds(docs)
    pooled = FiveWResult(articles=len(arts))
    chosen = []
    for held in (0, 1):
        train = [i for i, f in enumerate(folds) if f != held]
        test = [i for i, f in enumerate(folds) if f == held]

        def total(params: dict[str, Any], idx: list[int] = train) -> float:
            r = _score([docs[i] for i in idx], [arts[i] for i in idx], enr, params)
            return sum(r.accuracy(q) for q in QUESTIONS)

        best = max(_grid(), key=total)  # ties keep the defaults (listed first)
        chosen.append(best)
        r = _score([docs[i] for i in test], [arts[i] for i in test], enr, best)
        for q in QUESTIONS:
            pooled.scored[q] = pooled.scored.get(q, 0) + r.scored.get(q, 0)
            pooled.correct[q] = pooled.correct.get(q, 0) + r.correct.get(q, 0)
        pooled.misses += r.misses
    pooled.seconds = time.perf_counter() - t0
    return pooled, chosen
