"""5W1H eval: the record logic applied to single articles vs Giveme5W1H gold annotations.

Each gold file holds an article (title, text, publication date) and, per question, the phrases the
coders chose (``coderPhraseCount``) and, for *when*, the resolved date (``parsed``). An answer is
correct when it matches any gold phrase: equal after normalisation, or content-token overlap
(Dice over stemmed content words) >= ``OVERLAP``; for *when*, also when its calendar day equals a
gold ``parsed`` day. Questions whose gold has no phrase (and, for *when*, no date) are not scored.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..models import Article
from ..stages.compare import content_tokens, fold

__all__ = ["QUESTIONS", "OVERLAP", "answer_article", "matches", "run_fivew_eval", "FiveWResult"]

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


def answer_article(article: Article, enrichment: Any) -> dict[str, Any]:
    """who/what/when/where/why/how of one article from the record logic (when: a date)."""
    from ..stages.compare import align_claims, prepare_units
    from ..stages.record import build_record

    enr = {article.id: enrichment}
    units = prepare_units([article], enr)
    claims = align_claims(units, np.zeros((len(units), 1), np.float32), [article.id])
    rec = build_record([article], enr, claims, units)
    # A named actor first (the subject's entity, else a person or organisation in the main
    # sentence), then the subject phrase itself ("Several people"), then the top entity.
    parsed_actor_is_entity = rec.actor and any(rec.actor in p or p in rec.actor
                                               for p in rec.main_people)
    who = (rec.actor if parsed_actor_is_entity else None) \
        or (rec.main_people[0] if rec.main_people else None) \
        or rec.actor or (rec.who[0].name if rec.who else None)
    where = (rec.main_places[0] if rec.main_places else None) \
        or (rec.where[0].name if rec.where else None)
    return {
        "who": who,
        "what": rec.action or rec.what,
        "when": rec.when.date,
        "when_text": rec.when.text,
        "where": where,
        "why": rec.why,
        "how": rec.how,
    }


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
    ann = (d.get("fiveWoneH") or {}).get(q, {}).get("annotated", [])
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


def run_fivew_eval(folder: Path, limit: int | None = None) -> FiveWResult:
    """Per-question accuracy of single-article 5W1H answers against the gold folder."""
    from ..report import enrich_articles

    t0 = time.perf_counter()
    files = sorted(Path(folder).glob("*.json"))[:limit] if limit else sorted(Path(folder).glob("*.json"))
    docs = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    arts = [_load_article(d, f.stem) for d, f in zip(docs, files)]
    enr = enrich_articles(arts)
    res = FiveWResult(articles=len(arts))
    for d, a in zip(docs, arts):
        ans = answer_article(a, enr[a.id])
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
    res.seconds = time.perf_counter() - t0
    return res
