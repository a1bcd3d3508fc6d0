"""A learned linear head over how two texts' vectors interact, one more input of the pair scorer.

The pair model (stages/similarity.py) is additive over similarities: cosines of whole texts,
openings, sentences, words. A cosine weighs every dimension of the sentence encoder alike; which
dimensions matter for "the same news story" (places, actors, the happening) is something the
labelled pairs can teach. Following the classification head of Sentence-BERT (Reimers and
Gurevych, 2019), the head is a ridge regression of the human score on the element-wise product
and absolute difference of the two texts' article vectors and lead vectors (4 x 512 inputs).
Its output is the ``head`` column of ``pair_features``.

Measured on the SemEval-2022 Task 8 sample (benchmarks/RESULTS.md): the pair model's 5-fold CV
Pearson 0.775 -> 0.785, the head's own predictions for the training rows made out of fold
(nested), so that the additive model learns how far to trust it on unseen pairs. Hand-written
(a dot product with stored coefficients) rather than a pickled scikit-learn object: the weights
ship as JSON, like the pair model's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .similarity import ArticleFeatures

HEAD_PATH = Path(__file__).with_name("pair_head.json")
ALPHA = 3.0  # ridge penalty: 3 and 10 gave the same CV (0.785 / 0.784), 30 less (0.780)
INNER_FOLDS = 5


def interactions(a: "ArticleFeatures", b: "ArticleFeatures") -> np.ndarray:
    """The head's inputs for a pair: a*b and |a-b| of the article vectors, then of the leads."""
    parts = []
    for x, y in ((a.vector, b.vector), (a.lead, b.lead)):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        parts += [x * y, np.abs(x - y)]
    return np.concatenate(parts)


@dataclass
class PairHead:
    """score = intercept + coef · interactions(a, b), on the training target's scale."""

    coef: np.ndarray
    intercept: float
    meta: dict

    def predict(self, Z: np.ndarray) -> np.ndarray:
        return np.atleast_2d(Z) @ self.coef + self.intercept

    def to_dict(self) -> dict:
        return dict(coef=[float(c) for c in self.coef], intercept=self.intercept, meta=self.meta)

    @classmethod
    def from_dict(cls, d: dict) -> "PairHead":
        return cls(np.asarray(d["coef"], dtype=np.float64), float(d["intercept"]), dict(d["meta"]))


def fit_head(Z: np.ndarray, y: np.ndarray, alpha: float = ALPHA, **meta) -> PairHead:
    """Ridge regression of y on the interaction rows Z."""
    from sklearn.linear_model import Ridge

    reg = Ridge(alpha=alpha).fit(Z, y)
    return PairHead(np.asarray(reg.coef_, dtype=np.float64), float(reg.intercept_),
                    dict(meta, alpha=alpha, n=int(len(y))))


def out_of_fold(Z: np.ndarray, y: np.ndarray, folds: int = INNER_FOLDS, seed: int = 0,
                alpha: float = ALPHA) -> np.ndarray:
    """The head's prediction for each row from a head fitted without that row's fold: what the
    additive model is fitted on, so that it sees the head as it will be on unseen pairs."""
    fold = np.random.default_rng(seed).permutation(len(y)) % folds
    out = np.zeros(len(y))
    for k in range(folds):
        test = fold == k
        out[test] = fit_head(Z[~test], y[~test], alpha).predict(Z[test])
    return out


@lru_cache(maxsize=1)
def shipped_head(path: Path = HEAD_PATH) -> PairHead | None:
    """The fitted head, or None when no head was shipped (its column is then 0)."""
    if not path.exists():
        return None
    return PairHead.from_dict(json.loads(path.read_text(encoding="utf-8")))


def save_head(head: PairHead, path: Path = HEAD_PATH) -> None:
    path.write_text(json.dumps(head.to_dict()) + "\n", encoding="utf-8")
    shipped_head.cache_clear()


def head_scores(pairs: Sequence[tuple["ArticleFeatures", "ArticleFeatures"]]) -> np.ndarray:
    """The shipped head's score of each pair (0 without a head)."""
    head = shipped_head()
    if head is None or not pairs:
        return np.zeros(len(pairs))
    return head.predict(np.stack([interactions(a, b) for a, b in pairs]))
