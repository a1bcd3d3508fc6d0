"""`newsweave eval clustering`: B-cubed and pairwise P/R/F1 of event clustering on labelled articles.

The articles (JSONL: id, event_id, title, text, published, language, ...) are streamed in publication
order (undated ones after the dated, in file order: "placed at ingest time") through

- ``newsweave``: stages/cluster.py's online EventClusterer with the shipped ``event`` weights, and
- ``baseline``: online TF-IDF cosine average-linkage (each article joins the existing cluster with the
  highest mean cosine to its members when that reaches a threshold), threshold tuned for B-cubed F1.

Because the shipped weights were fitted on this very file, the all-data figures are in-sample. The
cross-validated figures split the *events* in two halves (seeded), fit each system on one half's
stream (weights + threshold for Newsweave, threshold for the baseline), score it on the other half's
stream, both ways, over ``CV_SEEDS`` seeds, and report the mean.
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..stages.cluster import ClusterItem, cluster_articles, fit_event_model, stream_order
from ..stages.similarity import Featurizer, default_featurizer

if TYPE_CHECKING:  # pragma: no cover
    from ..store.base import Store

CV_SEEDS = (0, 1, 2)
THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.05, 0.96, 0.025), 3))


@dataclass
class Scores:
    """B-cubed and pairwise precision, recall, F1."""

    b3_p: float
    b3_r: float
    b3_f1: float
    pw_p: float
    pw_r: float
    pw_f1: float
    n_clusters: int = 0


@dataclass
class ClusteringEvalResult:
    """Both systems on all data (in-sample) and cross-validated over events."""

    n_articles: int
    n_events: int
    newsweave: Scores
    baseline: Scores
    newsweave_cv: Scores | None  # None: cross-validation was not asked for
    baseline_cv: Scores | None
    baseline_threshold: float
    newsweave_threshold: float
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # records left out, each with its reason
    # Per value of the records' ``collection`` field (when it has two or more): articles, gold
    # events, and both systems' all-data clusterings scored on that collection's articles alone.
    by_collection: dict[str, tuple[int, int, Scores, Scores]] = field(default_factory=dict)
    worst: list[GoldEventError] = field(default_factory=list)  # --errors: Newsweave's, all data

    def table(self) -> str:
        """A printable table."""
        head = f"{'system':<40}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}{'PW P':>7}{'PW R':>7}{'PW F1':>7}{'#ev':>6}"
        rows = [(f"baseline tf-idf avg-link t={self.baseline_threshold:.3f} (all)", self.baseline),
                ("baseline (2-fold CV over events)", self.baseline_cv),
                (f"newsweave online t={self.newsweave_threshold:.3f} (all)", self.newsweave),
                ("newsweave (2-fold CV over events)", self.newsweave_cv)]
        lines = [f"articles: {self.n_articles}, gold events: {self.n_events}", head]
        for name, s in rows:
            if s is None:
                continue
            lines.append(f"{name:<40}{s.b3_p:>7.3f}{s.b3_r:>7.3f}{s.b3_f1:>7.3f}"
                         f"{s.pw_p:>7.3f}{s.pw_r:>7.3f}{s.pw_f1:>7.3f}{s.n_clusters:>6}")
        if self.newsweave_cv is None:
            lines.append("(not run: 2-fold cross-validation over events, each system fitted on one "
                         "half and scored on the other; add --cv)")
        if self.by_collection:
            lines.append("by collection (all data, each collection's articles scored alone):")
            lines.append(f"  {'collection':<30}{'arts':>6}{'events':>7}  newsweave B3 / PW"
                         f"   baseline B3 / PW")
            for name, (n, n_ev, nw, base) in self.by_collection.items():
                lines.append(f"  {name[:30]:<30}{n:>6}{n_ev:>7}      {nw.b3_f1:.3f} / {nw.pw_f1:.3f}"
                             f"      {base.b3_f1:.3f} / {base.pw_f1:.3f}")
        lines += _worst_lines(self.worst)
        lines.append("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
        lines += [f"skipped {x}" for x in self.skipped]
        return "\n".join(lines)


# ---- metrics --------------------------------------------------------------------------------


def score_clusters(pred: Mapping[str, Sequence[str]], gold: Mapping[str, str]) -> Scores:
    """B-cubed (per-item averaged) and pairwise P/R/F1 of predicted clusters against gold labels."""
    label = {a: cid for cid, members in pred.items() for a in members}
    items = [a for a in gold if a in label]
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for a in items:
        by_pred[label[a]].add(a)
        by_gold[gold[a]].add(a)
    p = r = 0.0
    for a in items:
        inter = len(by_pred[label[a]] & by_gold[gold[a]])
        p += inter / len(by_pred[label[a]])
        r += inter / len(by_gold[gold[a]])
    p, r = p / len(items), r / len(items)

    def pairs(groups: Mapping[str, set[str]]) -> set[tuple[str, str]]:
        return {tuple(sorted(x)) for g in groups.values() for x in combinations(g, 2)}

    pp, gp = pairs(by_pred), pairs(by_gold)
    tp = len(pp & gp)
    pw_p = tp / len(pp) if pp else 1.0
    pw_r = tp / len(gp) if gp else 1.0
    return Scores(p, r, _f1(p, r), pw_p, pw_r, _f1(pw_p, pw_r), len(by_pred))


@dataclass
class GoldEventError:
    """How one gold event came out: what it cost, into how many events it was split, and which
    other gold events share those events with it."""

    event: str
    articles: int
    cost: float  # its articles' share of the B-cubed precision and recall lost (P loss + R loss)
    parts: list[int]  # the sizes of its pieces (its articles per predicted event), largest first
    merged: list[tuple[str, int]]  # other gold events in those predicted events, with articles

    def line(self) -> str:
        split = "whole" if len(self.parts) == 1 else "split " + " + ".join(map(str, self.parts))
        joined = "; with " + ", ".join(f"{n} of {e!r}" for e, n in self.merged[:3]) + (
            f" and {len(self.merged) - 3} more" if len(self.merged) > 3 else "") \
            if self.merged else ""
        size = f"{self.articles} article{'' if self.articles == 1 else 's'}"
        return f"  {self.cost:.4f}  {self.event!r} ({size}): {split}{joined}"


def worst_events(pred: Mapping[str, Sequence[str]], gold: Mapping[str, str], limit: int
                 ) -> list[GoldEventError]:
    """The ``limit`` gold events whose articles cost the most B-cubed P + R, worst first."""
    label = {a: c for c, members in pred.items() for a in members if a in gold}
    members: dict[str, set[str]] = defaultdict(set)
    for a, c in label.items():
        members[c].add(a)
    by_gold: dict[str, list[str]] = defaultdict(list)
    for a in label:
        by_gold[gold[a]].append(a)
    n = len(label)
    out = []
    for g, arts in by_gold.items():
        cost = 0.0
        for a in arts:
            cluster = members[label[a]]
            same = sum(1 for b in cluster if gold[b] == g)
            cost += (1 - same / len(cluster)) + (1 - same / len(arts))
        parts = Counter(label[a] for a in arts)
        others = Counter(gold[b] for c in parts for b in members[c] if gold[b] != g)
        out.append(GoldEventError(g, len(arts), cost / n, sorted(parts.values(), reverse=True),
                                  sorted(others.items(), key=lambda t: (-t[1], t[0]))))
    out.sort(key=lambda e: (-e.cost, e.event))
    return [e for e in out[:limit] if e.cost > 0]


def _worst_lines(errors: Sequence[GoldEventError]) -> list[str]:
    if not errors:
        return []
    return [f"the {len(errors)} gold events that cost the most (B-cubed P + R lost, of 2):",
            *(e.line() for e in errors)]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _b3_f1(pred: Mapping[str, Sequence[str]], gold: Mapping[str, str]) -> float:
    return score_clusters(pred, gold).b3_f1


def _mean(scores: Sequence[Scores]) -> Scores:
    vals = np.array([[s.b3_p, s.b3_r, s.b3_f1, s.pw_p, s.pw_r, s.pw_f1, s.n_clusters] for s in scores])
    m = vals.mean(axis=0)
    return Scores(*[float(x) for x in m[:6]], n_clusters=int(round(m[6])))


# ---- data -----------------------------------------------------------------------------------


def parse_date(value: Any) -> datetime | None:
    """An aware datetime from the dataset's date strings (ISO or 'December 13, 2004'), or None."""
    if not value:
        return None
    try:
        d = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        try:
            d = datetime.strptime(str(value), "%B %d, %Y")
        except ValueError:
            return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def read_labelled(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The usable records of a labelled JSONL file, and one line per record skipped (file:line: why).

    A record needs a JSON object with a non-empty ``id`` and ``event_id``; a repeated id is skipped
    (its gold label would be ambiguous). Raises InputError when nothing usable is left."""
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    seen: set[str] = set()
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            skipped.append(f"{path}:{n}: not JSON ({e.msg})")
            continue
        if not isinstance(r, dict):
            skipped.append(f"{path}:{n}: not a JSON object")
            continue
        missing = [k for k in ("id", "event_id") if not r.get(k)]
        if missing:
            skipped.append(f"{path}:{n}: no {' or '.join(missing)}")
            continue
        r["id"], r["event_id"] = str(r["id"]), str(r["event_id"])
        if r["id"] in seen:
            skipped.append(f"{path}:{n}: id {r['id']!r} repeats an earlier record")
            continue
        seen.add(r["id"])
        rows.append(r)
    if not rows:
        raise InputError(str(path), "no labelled article (JSON lines with id and event_id)")
    return rows, skipped


def load_items(path: Path, featurizer: Featurizer | None = None,
               rows: list[dict[str, Any]] | None = None) -> tuple[list[ClusterItem], dict[str, str]]:
    """ClusterItems (featurised) and gold event ids from a labelled JSONL file (or its read rows)."""
    rows = rows if rows is not None else read_labelled(path)[0]
    dates = [parse_date(r.get("published")) for r in rows]
    known = [d for d in dates if d is not None]
    # Undated articles arrive "at ingest time": after every dated one, in file order.
    ingest = max(known) if known else datetime(2000, 1, 1, tzinfo=timezone.utc)
    featurizer = featurizer or default_featurizer()
    from ..stages.language import given_or_detected

    # A record without a language has it detected from its text, as ingest would.
    langs = given_or_detected([str(r.get("language") or "") for r in rows],
                              [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in rows])
    feats = featurizer.featurize_many([dict(title=r.get("title"), text=r.get("text"),
                                            language=lang, published=d)
                                       for r, d, lang in zip(rows, dates, langs)])
    items = [ClusterItem(article_id=r["id"], published=d, features=f, ingested_at=ingest)
             for r, d, f in zip(rows, dates, feats)]
    return items, {r["id"]: r["event_id"] for r in rows}


# ---- baseline -------------------------------------------------------------------------------


def _tfidf_matrix(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    m = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1).fit_transform(texts)
    return (m @ m.T).toarray()


def baseline_clusters(order: Sequence[str], sims: np.ndarray, index: Mapping[str, int],
                      threshold: float) -> dict[str, list[str]]:
    """Online average-linkage: join the cluster with the best mean cosine if >= threshold."""
    clusters: list[list[int]] = []
    for aid in order:
        i = index[aid]
        best, best_s = -1, -1.0
        for c, members in enumerate(clusters):
            s = float(sims[i, members].mean())
            if s > best_s:
                best, best_s = c, s
        if best >= 0 and best_s >= threshold:
            clusters[best].append(i)
        else:
            clusters.append([i])
    ids = list(index)
    return {f"c{n}": [ids[i] for i in members] for n, members in enumerate(clusters)}


def _tune_baseline(order: Sequence[str], sims: np.ndarray, index: Mapping[str, int],
                   gold: Mapping[str, str]) -> float:
    return max(THRESHOLDS, key=lambda t: (_b3_f1(baseline_clusters(order, sims, index, t), gold), -t))


# ---- harness --------------------------------------------------------------------------------


def _halves(gold: Mapping[str, str], seed: int) -> tuple[set[str], set[str]]:
    events = sorted(set(gold.values()))
    perm = np.random.default_rng(seed).permutation(len(events))
    a = {events[i] for i in perm[: len(events) // 2]}
    return a, set(events) - a


def run_clustering_eval(path: Path, cv: bool = True, errors: int = 0) -> ClusteringEvalResult:
    """Stream the labelled articles through Newsweave and the baseline; score both (all and CV);
    with ``errors``, the gold events Newsweave gets most wrong (``worst_events``)."""
    t0 = time.perf_counter()
    records, skipped = read_labelled(path)
    items, gold = load_items(path, rows=records)
    t_feat = time.perf_counter() - t0
    order = [it.article_id for it in stream_order(items)]
    texts = {r["id"]: f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in records}
    index = {aid: i for i, aid in enumerate(texts)}
    sims = _tfidf_matrix(list(texts.values()))

    t1 = time.perf_counter()
    b_t = _tune_baseline(order, sims, index, gold)
    base_pred = baseline_clusters(order, sims, index, b_t)
    base_all = score_clusters(base_pred, gold)
    t2 = time.perf_counter()
    from ..stages.similarity import load_models
    n_t = float(load_models()["event"].meta["threshold"])
    nw_pred = cluster_articles(items)
    nw_all = score_clusters(nw_pred, gold)
    t3 = time.perf_counter()
    by_collection = {}
    groups: dict[str, dict[str, str]] = defaultdict(dict)
    for r in records:
        groups[str(r.get("collection") or "(none)")][r["id"]] = r["event_id"]
    if len(groups) > 1:
        by_collection = {name: (len(g), len(set(g.values())), score_clusters(nw_pred, g),
                                score_clusters(base_pred, g)) for name, g in sorted(groups.items())}

    base_cv: list[Scores] = []
    nw_cv: list[Scores] = []
    if cv:
        for seed in CV_SEEDS:
            halves = _halves(gold, seed)
            for train_ev, test_ev in (halves, halves[::-1]):
                tr = [it for it in items if gold[it.article_id] in train_ev]
                te = [it for it in items if gold[it.article_id] in test_ev]
                g_tr = {it.article_id: gold[it.article_id] for it in tr}
                g_te = {it.article_id: gold[it.article_id] for it in te}
                o_tr = [a for a in order if a in g_tr]
                o_te = [a for a in order if a in g_te]
                t = _tune_baseline(o_tr, sims, index, g_tr)
                base_cv.append(score_clusters(baseline_clusters(o_te, sims, index, t), g_te))
                model = fit_event_model(tr, g_tr, _b3_f1, thresholds=THRESHOLDS)
                nw_cv.append(score_clusters(
                    cluster_articles(te, model, model.meta["threshold"]), g_te))
    t4 = time.perf_counter()
    return ClusteringEvalResult(
        n_articles=len(items), n_events=len(set(gold.values())), newsweave=nw_all, baseline=base_all,
        newsweave_cv=_mean(nw_cv) if nw_cv else None, baseline_cv=_mean(base_cv) if base_cv else None,
        baseline_threshold=b_t, newsweave_threshold=n_t, skipped=skipped,
        by_collection=by_collection, worst=worst_events(nw_pred, gold, errors) if errors else [],
        seconds={"featurise": t_feat, "baseline": t2 - t1, "newsweave stream": t3 - t2, "cv": t4 - t3})


@dataclass
class StoreClusteringResult:
    """How the events already in a store (built by ``newsweave ingest``) score against the labels."""

    store: str
    n_labelled: int
    scores: Scores
    n_scored: int
    via_duplicate: int  # labelled articles stored as a recorded duplicate, scored with their original
    missing: list[str] = field(default_factory=list)  # labelled ids the store does not hold
    skipped: list[str] = field(default_factory=list)
    worst: list[GoldEventError] = field(default_factory=list)

    def table(self) -> str:
        """A printable table."""
        s = self.scores
        lines = [f"events in {self.store}: {self.n_scored} of {self.n_labelled} labelled articles "
                 f"scored ({self.via_duplicate} as duplicates of a stored article), "
                 f"{len(self.missing)} not in the store (not ingested, failed or without text)",
                 f"{'system':<40}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}{'PW P':>7}{'PW R':>7}{'PW F1':>7}{'#ev':>6}",
                 f"{'newsweave (the stored events)':<40}{s.b3_p:>7.3f}{s.b3_r:>7.3f}{s.b3_f1:>7.3f}"
                 f"{s.pw_p:>7.3f}{s.pw_r:>7.3f}{s.pw_f1:>7.3f}{s.n_clusters:>6}"]
        if self.missing:
            shown = ", ".join(self.missing[:5]) + (", ..." if len(self.missing) > 5 else "")
            lines.append(f"not in the store: {shown}")
        lines += _worst_lines(self.worst)
        lines += [f"skipped {x}" for x in self.skipped]
        return "\n".join(lines)


def score_store(store: "Store", path: Path, errors: int = 0) -> StoreClusteringResult:
    """Score the events a store holds (what ingest built, copies and all) against a labelled file.

    Labelled articles are matched by the public id given at ingest (the record's ``id``); one that
    was recorded as an exact duplicate is scored in its original's event."""
    from ..queries import events_of_articles

    rows, skipped = read_labelled(path)
    gold = {r["id"]: r["event_id"] for r in rows}
    label, duplicates = events_of_articles(store)
    scored = {a: g for a, g in gold.items() if a in label}
    if not scored:
        raise InputError(str(path), f"none of its {len(gold)} labelled articles is in the store "
                                    f"{getattr(store, 'path', '')}: run `newsweave ingest` on it first")
    pred: dict[str, list[str]] = defaultdict(list)
    for a in scored:
        pred[label[a]].append(a)
    return StoreClusteringResult(
        store=str(getattr(store, "path", "") or "the store"), n_labelled=len(gold),
        scores=score_clusters(pred, scored), n_scored=len(scored),
        via_duplicate=len(duplicates & scored.keys()),
        missing=[a for a in gold if a not in label], skipped=skipped,
        worst=worst_events(pred, scored, errors) if errors else [])


def fit_and_save(path: Path) -> None:
    """Fit the shipped ``event`` weights and threshold on every labelled article (documented procedure)."""
    items, gold = load_items(path)
    model = fit_event_model(items, gold, _b3_f1, thresholds=THRESHOLDS, save=True)
    print(json.dumps(model.to_dict(), indent=1))


if __name__ == "__main__":  # python -m newsweave.eval.clustering JSONL [--fit]
    p = Path(sys.argv[1])
    if "--fit" in sys.argv:
        fit_and_save(p)
    print(run_clustering_eval(p, cv="--no-cv" not in sys.argv).table())
