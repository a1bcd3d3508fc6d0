"""`newsweave eval similarity`: Pearson of the pair scorer against SemEval-2022 Task 8 human scores.

The CSV holds pair_id, lang1, lang2, text1, text2 and Overall (1 = same story ... 4 = unrelated); only
original-language pairs (``^\\d+_\\d+$``) are kept, the others are machine translations. Scores are
correlated with ``-Overall`` so that "higher = more alike" is positive. Reported side by side:

- ``baseline``: cosine of the plain USE embeddings of the two whole texts;
- ``newsweave``: ``pair_similarity`` with the shipped weights (fitted on this very file, so in-sample);
- ``newsweave_cv``: the same scorer refitted in K folds and scored on the held-out fold, the mean
  Pearson over CV_SPLITS random splits into folds (the honest
  figure for unseen pairs; the learned head of stages/pair_head.py is refitted inside each fold
  too, which also makes the in-sample figure optimistic: the head has seen those pairs).

The head and the additive model also train on the file's other scored pairs (ids with a language
suffix, at a lower weight), in every fit and every fold; they are never scored, so the figures
stay on the original pairs.

``fit_pair_model`` is the documented procedure that produced the shipped ``pair`` weights.
"""
from __future__ import annotations

import csv
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import InputError
from ..stages.pair_head import (EXTRA_WEIGHT, HeadInputs, PairHead, fit_head, head_inputs,
                                out_of_fold, save_head, shipped_scores)
from ..stages.similarity import (PAIR_COLUMNS, PAIR_EXTRA, Featurizer, ScoreModel,
                                 default_featurizer, fit_weights, has_texts, load_models,
                                 near_duplicates, pair_features, pair_scores, save_model)

ORIGINAL = re.compile(r"^\d+_\d+$")
# SemEval pairs carry no dates; the views (PAIR_EXTRA) added 0.746 -> 0.78 CV, the linear head
# another 0.01, its bilinear part and the suffixed pairs another 0.015 (benchmarks/RESULTS.md).
PAIR_FEATURES = ("vec", "lead", "lex", "ent", "title", "align") + PAIR_EXTRA
HEAD = PAIR_COLUMNS.index("head")
FOLDS = 5
# The CV figure moves by +-0.003 with the random split of 796 pairs into folds: it is the mean
# Pearson over these splits.
CV_SPLITS = (0, 1, 2)


@dataclass
class SimilarityEvalResult:
    """Pearson correlations (higher = more alike) on the original-language pairs."""

    n_pairs: int
    newsweave: float
    newsweave_cv: float
    baseline: float
    per_language: dict[str, tuple[int, float]] = field(default_factory=dict)  # CV, first split
    seconds: float = 0.0

    def table(self) -> str:
        """A printable table."""
        if self.n_pairs < 2 * FOLDS:
            return (f"SemEval-2022 Task 8 pairs (original languages) with an Overall score: "
                    f"{self.n_pairs}; too few to correlate (predictions, if asked for, were written)")
        lines = [f"SemEval-2022 Task 8 pairs (original languages): {self.n_pairs}",
                 f"{'system':<44}{'Pearson':>8}",
                 f"{'plain USE cosine (baseline)':<44}{self.baseline:>8.3f}",
                 f"{'newsweave pair_similarity (in-sample)':<44}{self.newsweave:>8.3f}",
                 f"{f'newsweave pair_similarity (5-fold CV x{len(CV_SPLITS)})':<44}"
                 f"{self.newsweave_cv:>8.3f}"]
        if self.per_language:
            lines.append("per language pair (5-fold CV, first split):")
        for lp, (n, r) in sorted(self.per_language.items()):
            lines.append(f"  {lp:<42}{r:>8.3f}  (n={n})")
        lines.append(f"time: {self.seconds:.1f} s")
        return "\n".join(lines)


def _read_csv(csv_path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("pair_id", "text1", "text2") if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(str(csv_path), f"no {', '.join(missing)} column (a SemEval-2022 Task 8 "
                                            "CSV has pair_id, lang1, lang2, text1, text2, Overall)")
        return list(reader)


def _has_score(r: dict[str, str]) -> bool:
    """Does the row carry a number in Overall (a blank or "n/a" is no score)?"""
    try:
        return math.isfinite(float((r.get("Overall") or "").strip()))
    except ValueError:
        return False


def _scored(r: dict[str, str]) -> bool:
    """An original-language pair with a score: what the figures are computed on."""
    return bool(ORIGINAL.match(r.get("pair_id") or "")) and _has_score(r)


@dataclass
class _Pairs:
    """What is computed once per pair: its row (PAIR_COLUMNS, ``head`` by the shipped head),
    the head's inputs, and the two rules of ``pair_scores`` (empty text, near-duplicates)."""

    X: np.ndarray
    H: HeadInputs
    empty: np.ndarray
    dup: np.ndarray

    def subset(self, keep: np.ndarray) -> "_Pairs":
        return _Pairs(self.X[keep], self.H.subset(keep), self.empty[keep], self.dup[keep])

    def scores(self, model: ScoreModel) -> np.ndarray:
        return pair_scores(model, self.X, self.empty, self.dup)


def _given_language(r: dict[str, str], side: str) -> str | None:
    # The language column of text ``side`` ("1" or "2"): lang1/lang2, or the task's own
    # url1_lang/url2_lang.
    return r.get(f"lang{side}") or r.get(f"url{side}_lang")


def _languages(rows: list[dict[str, str]], side: str) -> list[str | None]:
    """Each row's language of text ``side`` ("1" or "2"): as its columns give it, detected from
    the text where they do not."""
    from ..stages.language import given_or_detected

    return given_or_detected([_given_language(r, side) for r in rows],
                             [r.get(f"text{side}") or "" for r in rows])


def _features(rows: list[dict[str, str]], featurizer: Featurizer) -> _Pairs:
    langs1, langs2 = _languages(rows, "1"), _languages(rows, "2")
    feats = featurizer.featurize_many(
        [dict(text=r.get("text1") or "", language=lang) for r, lang in zip(rows, langs1)]
        + [dict(text=r.get("text2") or "", language=lang) for r, lang in zip(rows, langs2)],
        pair_views=True)
    n = len(rows)
    pairs = [(feats[i], feats[n + i]) for i in range(n)]
    H = head_inputs(pairs)
    heads = shipped_scores(H)  # the head's inputs are built once, for the row and for refits
    return _Pairs(np.array([pair_features(a, b, head=h) for (a, b), h in zip(pairs, heads)]
                           ).reshape(n, len(PAIR_COLUMNS)),
                  H,
                  np.array([not has_texts(a, b) for a, b in pairs], dtype=bool),
                  np.array([near_duplicates(a, b) for a, b in pairs], dtype=bool))


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


DATA = "SemEval-2022 Task 8 training sample, original pairs"


def _fit(p: _Pairs, y: np.ndarray, extra: _Pairs, y_extra: np.ndarray
         ) -> tuple[ScoreModel, PairHead]:
    """The head on every row, and the additive model on the rows with their ``head`` out of fold;
    the extra pairs (the file's other scored pairs, ids with a language suffix) join both fits at
    weight EXTRA_WEIGHT. They are never scored: the task's figure is on the original pairs."""
    X, H = np.vstack([p.X, extra.X]), p.H.concat(extra.H)
    yy = np.concatenate([y, y_extra])
    w = np.concatenate([np.ones(len(y)), np.full(len(y_extra), EXTRA_WEIGHT)])
    meta = dict(data=DATA, target="-Overall", n=len(y), n_extra=len(y_extra),
                extra_weight=EXTRA_WEIGHT)
    X[:, HEAD] = out_of_fold(H, yy, w)
    model = fit_weights(X, yy, features=PAIR_FEATURES, columns=PAIR_COLUMNS, hold_range=True,
                        sample_weight=w, meta=meta)
    return model, fit_head(H, yy, w, **meta)


def _predict(model: ScoreModel, head: PairHead, p: _Pairs) -> np.ndarray:
    X = p.X.copy()
    X[:, HEAD] = head.predict(p.H)
    return model.raw(X)


def _target(rows: list[dict[str, str]]) -> np.ndarray:
    return -np.array([float(r["Overall"]) for r in rows])


def _extra(r: dict[str, str]) -> bool:
    """A scored row that is not an original pair (the head trains on it too)."""
    return _has_score(r) and not ORIGINAL.match(r.get("pair_id") or "")


def _extra_rows(all_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in all_rows if _extra(r)]


def _labelled(all_rows: list[dict[str, str]], featurizer: Featurizer, every: bool = False
              ) -> tuple[_Pairs, _Pairs, _Pairs]:
    """The CSV's pairs featurised once: (what was featurised, every row in file order when
    ``every``, else only the scored rows; the scored original pairs; the other scored pairs)."""
    scored = np.array([_scored(r) for r in all_rows], dtype=bool)
    extra = np.array([_extra(r) for r in all_rows], dtype=bool)
    use = np.ones(len(all_rows), dtype=bool) if every else scored | extra
    got = _features([r for r, u in zip(all_rows, use) if u], featurizer)
    return got, got.subset(scored[use]), got.subset(extra[use])


def _folds(n: int, k: int = FOLDS, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n) % k


def fit_pair_model(csv_path: Path, save: bool = True) -> ScoreModel:
    """Fit the ``pair`` scorer on every original pair of the CSV and (optionally) save it."""
    all_rows = _read_csv(csv_path)
    _, p, extra = _labelled(all_rows, default_featurizer())
    model, head = _fit(p, _target([r for r in all_rows if _scored(r)]), extra,
                       _target(_extra_rows(all_rows)))
    if save:
        save_model("pair", model)
        save_head(head)
    return model


def run_similarity_eval(csv_path: Path, predictions_out: Path | None = None,
                        progress: Callable[[str], None] | None = None) -> SimilarityEvalResult:
    """Score every original pair with Newsweave and the plain-cosine baseline; Pearson vs -Overall.

    With ``predictions_out``, every pair of the input (translations and unscored ones included, so
    the file lines up with the CSV) is also written as pair_id,similarity. ``progress`` is told
    what the run is doing (it takes minutes on the SemEval sample)."""
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    all_rows = _read_csv(csv_path)
    rows = [r for r in all_rows if _scored(r)]
    extra_rows = _extra_rows(all_rows)
    say(f"{csv_path.name}: {len(all_rows)} pairs, {len(rows)} scored original pairs, "
        f"{len(extra_rows)} other scored pairs to train on; loading the models")
    featurizer = default_featurizer()
    say("featurising the texts")
    model = load_models()["pair"]
    # Each text is featurised once, whether it is scored, written out, trained on or all three.
    got, p, extra = _labelled(all_rows, featurizer, every=predictions_out is not None)
    if predictions_out is not None:
        _write(predictions_out, all_rows, got.scores(model))
    if len(rows) < 2 * FOLDS:
        # Unlabelled (a test split) or too few scored pairs for a correlation: say so.
        nan = float("nan")
        return SimilarityEvalResult(n_pairs=len(rows), newsweave=nan, newsweave_cv=nan, baseline=nan,
                                    seconds=time.perf_counter() - t0)
    y, y_extra = _target(rows), _target(extra_rows)
    pred = p.scores(model)

    cv_preds = []
    for i, split in enumerate(CV_SPLITS):
        say(f"cross-validating: split {i + 1} of {len(CV_SPLITS)}")
        cv_pred = np.zeros(len(rows))
        fold = _folds(len(rows), seed=split)
        for k in range(FOLDS):
            test = fold == k
            # The head too is refitted without the held-out fold (and out of fold inside it).
            fold_model, fold_head = _fit(p.subset(~test), y[~test], extra, y_extra)
            cv_pred[test] = np.where(p.dup[test], fold_model.scale[1],
                                     _predict(fold_model, fold_head, p.subset(test)))
        cv_preds.append(cv_pred)

    n = len(rows)
    plain = featurizer.embedder.embed_texts([r["text1"] for r in rows] + [r["text2"] for r in rows])
    base = np.einsum("ij,ij->i", plain[:n], plain[n:])

    per: dict[str, tuple[int, float]] = {}
    langs = np.array([f"{_given_language(r, '1')}-{_given_language(r, '2')}" for r in rows])
    for lp in sorted(set(langs)):
        m = langs == lp
        if m.sum() >= 10:
            # Out of fold (the first split): in-sample figures say little once the head has
            # seen the pairs.
            per[lp] = (int(m.sum()), _pearson(cv_preds[0][m], y[m]))
    return SimilarityEvalResult(n_pairs=n, newsweave=_pearson(pred, y),
                                newsweave_cv=float(np.mean([_pearson(c, y) for c in cv_preds])),
                                baseline=_pearson(base, y), per_language=per,
                                seconds=time.perf_counter() - t0)


def _write(out: Path, rows: list[dict[str, str]], scores: np.ndarray) -> None:
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pair_id", "similarity"])
        for r, s in zip(rows, scores):
            w.writerow([r["pair_id"], f"{s:.6f}"])


if __name__ == "__main__":  # python -m newsweave.eval.similarity CSV [--fit]
    path = Path(sys.argv[1])
    if "--fit" in sys.argv:
        print(fit_pair_model(path).to_dict())
    print(run_similarity_eval(path).table())
