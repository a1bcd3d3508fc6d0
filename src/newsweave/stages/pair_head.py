"""A learned head over how two texts' vectors interact, one more input of the pair scorer.

The pair model (stages/similarity.py) is additive over similarities: cosines of whole texts,
openings, sentences, words. A cosine weighs every dimension of the sentence encoder alike and
never lets one dimension of a text meet another dimension of the other; which of them matter for
"the same news story" (places, actors, the happening) is something the labelled pairs can teach.
The head is a kernel ridge regression of the human score on two kinds of pair representation:

- linear: the element-wise product and absolute difference of the two texts' article and lead
  vectors (the classification head of Sentence-BERT, Reimers and Gurevych, 2019);
- bilinear: ``a @ W @ b`` with a full symmetric 512 x 512 matrix ``W`` per kind of vector
  (article, lead, headline, mean sentence, 25-word opening), so that "Moscow" in one text can
  meet "Kremlin" in the other. Fitted in the dual, where the bilinear kernel of two pairs is
  ``(a.a')(b.b') + (a.b')(b.a')`` (symmetric in each pair's order), then turned into the
  matrices, which ship (no training text or vector of the labelled pairs is kept).

Its output is the ``head`` column of ``pair_features``. Measured on the SemEval-2022 Task 8
sample (benchmarks/RESULTS.md), the pair model's 5-fold CV Pearson: 0.775 without a head, 0.785
with the linear head, 0.80 with linear + bilinear, both it and the additive model trained also on
the file's other scored pairs (ids with a language suffix, weight ``EXTRA_WEIGHT``). The head's
predictions for the training rows are made out of fold (nested), so that the additive model
learns how far to trust it on unseen pairs.

scikit-learn's KernelRidge does the fit; turning its dual coefficients into the weights is
written here (scikit-learn keeps the training rows instead, which would ship the labelled
pairs' vectors and cost a kernel row per training pair at every score).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .similarity import ArticleFeatures

HEAD_PATH = Path(__file__).with_name("pair_head.npz")
LINEAR_KINDS = ("vector", "lead")
# Kinds whose bilinear kernels share one scale (the article and its lead), then one per kind.
BILINEAR_GROUPS: tuple[tuple[str, ...], ...] = (("vector", "lead"), ("title",), ("sentences",),
                                                 ("opening",))
BILINEAR_KINDS = tuple(k for g in BILINEAR_GROUPS for k in g)
OPENING = 2  # index into pair_views.PREFIX_WORDS: the first 25 words
# Measured (5-fold CV, seeds 0-9): bilinear weight 0.3 > 0.5 > 1 > 2; alpha 0.3 ~ 0.1 > 1;
# the suffixed pairs (eval/similarity.py trains on them too) at weight 0.3 (+0.004) ~ 0.5 > 1.
BILINEAR_WEIGHT = 0.3
ALPHA = 0.3
EXTRA_WEIGHT = 0.3
INNER_FOLDS = 5


def _unit_rows(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    return np.divide(m, n, out=np.zeros_like(m), where=n > 0)


def representations(f: "ArticleFeatures") -> dict[str, np.ndarray]:
    """The unit vectors of one text that the head compares; the lead stands in for what a text
    lacks (a headline, or the views of pair_views.py when they were not built)."""
    lead = np.asarray(f.lead, dtype=np.float64)
    views = f.views
    sentences = opening = lead
    if views is not None and len(views.sentences):
        sentences = _unit_rows(np.asarray(views.sentences, dtype=np.float64).mean(axis=0))
    if views is not None and len(views.prefixes) > OPENING:
        opening = np.asarray(views.prefixes[OPENING], dtype=np.float64)
    return dict(vector=np.asarray(f.vector, dtype=np.float64), lead=lead,
                title=lead if f.title is None else np.asarray(f.title, dtype=np.float64),
                sentences=sentences, opening=opening)


def interactions(a: "ArticleFeatures", b: "ArticleFeatures") -> np.ndarray:
    """The linear part's inputs for a pair: a*b and |a-b| of the article vectors, then of the leads."""
    parts = []
    for kind in LINEAR_KINDS:
        x = np.asarray(getattr(a, kind), dtype=np.float64)
        y = np.asarray(getattr(b, kind), dtype=np.float64)
        parts += [x * y, np.abs(x - y)]
    return np.concatenate(parts)


@dataclass
class HeadInputs:
    """What the head reads of n pairs: the linear inputs Z and each side's vectors by kind."""

    Z: np.ndarray  # (n, 4 * dim)
    A: dict[str, np.ndarray]  # kind -> (n, dim), the first text of each pair
    B: dict[str, np.ndarray]  # kind -> (n, dim), the second

    def subset(self, keep: np.ndarray) -> "HeadInputs":
        return HeadInputs(self.Z[keep], {k: v[keep] for k, v in self.A.items()},
                          {k: v[keep] for k, v in self.B.items()})

    def concat(self, other: "HeadInputs") -> "HeadInputs":
        return HeadInputs(np.vstack([self.Z, other.Z]),
                          {k: np.vstack([v, other.A[k]]) for k, v in self.A.items()},
                          {k: np.vstack([v, other.B[k]]) for k, v in self.B.items()})


def head_inputs(pairs: Sequence[tuple["ArticleFeatures", "ArticleFeatures"]]) -> HeadInputs:
    reps = [(representations(a), representations(b)) for a, b in pairs]
    dim = len(pairs[0][0].vector) if pairs else 0
    Z = (np.stack([interactions(a, b) for a, b in pairs]) if pairs
         else np.zeros((0, 2 * len(LINEAR_KINDS) * dim)))

    def side(i: int, kind: str) -> np.ndarray:
        return np.stack([r[i][kind] for r in reps]) if reps else np.zeros((0, dim))

    return HeadInputs(Z, {k: side(0, k) for k in BILINEAR_KINDS},
                      {k: side(1, k) for k in BILINEAR_KINDS})


@dataclass
class PairHead:
    """score = intercept + coef . Z + sum over kinds of a_kind @ W_kind @ b_kind."""

    coef: np.ndarray
    bilinear: dict[str, np.ndarray]
    intercept: float
    meta: dict = field(default_factory=dict)

    def predict(self, inputs: HeadInputs) -> np.ndarray:
        out = inputs.Z @ self.coef + self.intercept
        for kind, W in self.bilinear.items():
            out += np.einsum("ij,ij->i", inputs.A[kind] @ W, inputs.B[kind])
        return out

    def save(self, path: Path) -> None:
        # Half precision halves the package (5 x 512 x 512 weights); scores move by < 1e-3.
        arrays = {f"W_{k}": W.astype(np.float16) for k, W in self.bilinear.items()}
        with open(path, "wb") as fh:
            np.savez_compressed(fh, coef=self.coef.astype(np.float32),
                                intercept=np.array(self.intercept),
                                meta=np.array(json.dumps(self.meta)), **arrays)

    @classmethod
    def load(cls, path: Path) -> "PairHead":
        with np.load(path, allow_pickle=False) as z:
            bilinear = {k[2:]: z[k].astype(np.float64) for k in z.files if k.startswith("W_")}
            return cls(z["coef"].astype(np.float64), bilinear, float(z["intercept"]),
                       json.loads(str(z["meta"])))


def _bilinear_kernel(P: HeadInputs, Q: HeadInputs, kind: str) -> np.ndarray:
    aa = P.A[kind] @ Q.A[kind].T
    bb = P.B[kind] @ Q.B[kind].T
    ab = P.A[kind] @ Q.B[kind].T
    ba = P.B[kind] @ Q.A[kind].T
    return aa * bb + ab * ba


def _kernel_parts(P: HeadInputs) -> list[np.ndarray]:
    """The linear kernel, then each bilinear group's, on the rows of P."""
    parts = [P.Z @ P.Z.T]
    for group in BILINEAR_GROUPS:
        parts.append(sum(_bilinear_kernel(P, P, k) for k in group))
    return parts


def fit_head(inputs: HeadInputs, y: np.ndarray, weights: np.ndarray | None = None,
             alpha: float = ALPHA, bilinear_weight: float = BILINEAR_WEIGHT, **meta) -> PairHead:
    """Kernel ridge regression of y on the pairs, turned into PairHead's weights.

    Each kernel part is scaled by its mean diagonal, so that the linear part and every bilinear
    group start equal and ``bilinear_weight`` sets their balance. The kernel is centred on the
    training rows, as a ridge regression with an intercept centres its inputs."""
    from sklearn.kernel_ridge import KernelRidge

    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    parts = _kernel_parts(inputs)
    scales = [float(np.mean(np.diag(p))) or 1.0 for p in parts]
    mix = [1.0] + [bilinear_weight] * len(BILINEAR_GROUPS)
    K = sum(m / s * p for m, s, p in zip(mix, scales, parts))
    col = K.mean(axis=0)
    total = float(col.mean())
    Kc = K - col[None, :] - col[:, None] + total
    mu = float(np.average(y, weights=w))
    dual = KernelRidge(alpha=alpha, kernel="precomputed").fit(Kc, y - mu, sample_weight=w).dual_coef_
    dual = np.asarray(dual, dtype=np.float64).ravel()
    # f(x) = sum_i dual_i Kc(x, x_i) + mu = sum_i beta_i K(x, x_i) + intercept
    beta = dual - dual.sum() / len(dual)
    intercept = mu - float(dual @ col) + float(dual.sum()) * total
    coef = inputs.Z.T @ beta / scales[0]
    bilinear = {}
    for group, m, s in zip(BILINEAR_GROUPS, mix[1:], scales[1:]):
        for k in group:
            a, b = inputs.A[k], inputs.B[k]
            M = (a * beta[:, None]).T @ b
            bilinear[k] = m / s * (M + M.T)
    return PairHead(coef, bilinear, intercept,
                    dict(meta, alpha=alpha, bilinear_weight=bilinear_weight, rows=int(len(y))))


def out_of_fold(inputs: HeadInputs, y: np.ndarray, weights: np.ndarray | None = None,
                folds: int = INNER_FOLDS, seed: int = 0, alpha: float = ALPHA) -> np.ndarray:
    """The head's prediction for each row from a head fitted without that row's fold: what the
    additive model is fitted on, so that it sees the head as it will be on unseen pairs."""
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    fold = np.random.default_rng(seed).permutation(len(y)) % folds
    out = np.zeros(len(y))
    for k in range(folds):
        test = fold == k
        out[test] = fit_head(inputs.subset(~test), y[~test], w[~test],
                             alpha=alpha).predict(inputs.subset(test))
    return out


@lru_cache(maxsize=1)
def shipped_head(path: Path = HEAD_PATH) -> PairHead | None:
    """The fitted head, or None when no head was shipped (its column is then 0)."""
    if not path.exists():
        return None
    return PairHead.load(path)


def save_head(head: PairHead, path: Path = HEAD_PATH) -> None:
    head.save(path)
    shipped_head.cache_clear()


def shipped_scores(inputs: HeadInputs) -> np.ndarray:
    """The shipped head's score of each pair of ``inputs`` (0 without a head)."""
    head = shipped_head()
    if head is None or not len(inputs.Z):
        return np.zeros(len(inputs.Z))
    return head.predict(inputs)


def head_scores(pairs: Sequence[tuple["ArticleFeatures", "ArticleFeatures"]]) -> np.ndarray:
    """The shipped head's score of each pair (0 without a head)."""
    if not pairs or shipped_head() is None:
        return np.zeros(len(pairs))
    return shipped_scores(head_inputs(pairs))
