"""The pair head: a kernel ridge regression over how two texts' vectors interact (stages/pair_head.py)."""
from __future__ import annotations

import numpy as np
import pytest

from newsweave.stages.embed import DIM
from newsweave.stages.pair_head import (BILINEAR_KINDS, EXTRA_WEIGHT, PairHead, fit_head,
                                        head_inputs, head_scores, interactions, out_of_fold,
                                        shipped_head)
from newsweave.stages.similarity import (PAIR_COLUMNS, ArticleFeatures, Featurizer, pair_features,
                                         pair_similarity)

MOSCOW_EN = ("Chinese defence minister Li Shangfu met President Vladimir Putin in Moscow on Sunday. "
             "The two discussed military cooperation between China and Russia, the Kremlin said.")
MOSCOW_FR = ("Le ministre chinois de la Défense Li Shangfu a été reçu dimanche à Moscou par Vladimir "
             "Poutine. Les deux hommes ont évoqué la coopération militaire entre la Chine et la Russie.")
FOOTBALL = ("The football club confirmed on Friday that its goalkeeper will miss the rest of the season "
            "with a knee injury. The coach said a replacement would be signed in January.")


def _unit(rng: np.random.Generator, dim: int = DIM) -> np.ndarray:
    v = rng.standard_normal(dim)
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_interactions_do_not_depend_on_the_order_of_the_pair() -> None:
    rng = np.random.default_rng(0)
    a = ArticleFeatures(vector=_unit(rng), lead=_unit(rng), lexical={}, entities=frozenset())
    b = ArticleFeatures(vector=_unit(rng), lead=_unit(rng), lexical={}, entities=frozenset())
    z = interactions(a, b)
    assert z.shape == (4 * DIM,)
    assert np.array_equal(z, interactions(b, a))
    assert np.allclose(z[:DIM], a.vector * b.vector) and np.allclose(z[DIM:2 * DIM], np.abs(a.vector - b.vector))


def _random_pairs(rng: np.random.Generator, n: int,
                  dim: int = 8) -> list[tuple[ArticleFeatures, ArticleFeatures]]:
    # Few dimensions, so that a few hundred pairs can pin down a bilinear relation.
    def one() -> ArticleFeatures:
        return ArticleFeatures(vector=_unit(rng, dim), lead=_unit(rng, dim), lexical={},
                               title=_unit(rng, dim))
    return [(one(), one()) for _ in range(n)]


def test_the_head_learns_a_planted_bilinear_relation_and_round_trips(tmp_path) -> None:
    # The score is how much dimension 0 of one article meets dimension 1 of the other: no cosine
    # and no element-wise product sees that, the bilinear part does.
    rng = np.random.default_rng(1)
    pairs = _random_pairs(rng, 600)
    y = np.array([a.vector[0] * b.vector[1] + a.vector[1] * b.vector[0] for a, b in pairs]) * 100
    train, test = head_inputs(pairs[:500]), head_inputs(pairs[500:])
    head = fit_head(train, y[:500], alpha=1e-3, bilinear_weight=1.0)
    assert np.corrcoef(head.predict(test), y[500:])[0, 1] > 0.9
    linear_only = fit_head(train, y[:500], alpha=1e-3, bilinear_weight=0.0)
    assert np.corrcoef(linear_only.predict(test), y[500:])[0, 1] < 0.3
    head.save(tmp_path / "head.npz")
    again = PairHead.load(tmp_path / "head.npz")
    assert set(again.bilinear) == set(BILINEAR_KINDS)
    assert np.allclose(again.predict(test), head.predict(test), atol=1e-3 * np.std(y))


def test_the_weights_predict_what_the_kernel_regression_predicts() -> None:
    # The head is fitted in the dual and shipped as weights: both must give the same scores,
    # weighted extra rows included.
    from sklearn.kernel_ridge import KernelRidge

    from newsweave.stages.pair_head import _kernel_parts

    rng = np.random.default_rng(4)
    pairs = _random_pairs(rng, 80)
    H = head_inputs(pairs)
    y = rng.standard_normal(80)
    w = np.where(np.arange(80) < 60, 1.0, 0.3)
    head = fit_head(H.subset(np.arange(70)), y[:70], weights=w[:70], alpha=0.5, bilinear_weight=0.7)
    tr = H.subset(np.arange(70))
    both = H  # kernel rows of all 80 pairs against the 70 training pairs
    parts_tr = _kernel_parts(tr)
    scales = [np.mean(np.diag(p)) for p in parts_tr]
    mix = [1.0] + [0.7] * (len(parts_tr) - 1)
    from newsweave.stages.pair_head import BILINEAR_GROUPS, _bilinear_kernel
    cross = [both.Z @ tr.Z.T] + [sum(_bilinear_kernel(both, tr, k) for k in g) for g in BILINEAR_GROUPS]
    K = sum(m / s * p for m, s, p in zip(mix, scales, parts_tr))
    Kx = sum(m / s * p for m, s, p in zip(mix, scales, cross))
    col = K.mean(0)
    mu = np.average(y[:70], weights=w[:70])
    kr = KernelRidge(alpha=0.5, kernel="precomputed").fit(
        K - col[None] - col[:, None] + col.mean(), y[:70] - mu, sample_weight=w[:70])
    expected = kr.predict(Kx - col[None] - Kx.mean(1)[:, None] + col.mean()) + mu
    assert np.allclose(head.predict(H), expected, atol=1e-8)


def test_out_of_fold_predictions_never_see_their_own_row() -> None:
    # One pair carries an outlandish score; a head that had seen that row (the kernel has more
    # dimensions than there are rows) predicts it back, one fitted without it does not.
    rng = np.random.default_rng(2)
    pairs = _random_pairs(rng, 100)
    y = np.zeros(100)
    y[7] = 1000.0
    H = head_inputs(pairs)
    oof = out_of_fold(H, y, alpha=1e-3)
    seen = fit_head(H, y, alpha=1e-3).predict(H.subset(np.array([7])))[0]
    assert abs(seen - 1000.0) < 100.0
    assert abs(oof[7]) < 100.0


def test_down_weighted_extra_pairs_teach_the_head_too() -> None:
    rng = np.random.default_rng(5)
    pairs = _random_pairs(rng, 300)
    y = np.array([a.vector[0] * b.vector[1] + a.vector[1] * b.vector[0] for a, b in pairs]) * 100
    H = head_inputs(pairs)
    few = H.subset(np.arange(20))
    test = H.subset(np.arange(200, 300))
    alone = fit_head(few, y[:20], alpha=1e-2)
    weights = np.where(np.arange(200) < 20, 1.0, EXTRA_WEIGHT)
    helped = fit_head(H.subset(np.arange(200)), y[:200], weights, alpha=1e-2)
    assert (np.corrcoef(helped.predict(test), y[200:])[0, 1]
            > np.corrcoef(alone.predict(test), y[200:])[0, 1] + 0.2)


def test_the_shipped_head_is_a_column_of_the_pair_features() -> None:
    head = shipped_head()
    assert head is not None and head.coef.shape == (4 * DIM,)
    assert all(W.shape == (DIM, DIM) and np.allclose(W, W.T) for W in head.bilinear.values())
    f = Featurizer().setup()
    en, fr, foot = f.featurize_many([dict(text=t) for t in (MOSCOW_EN, MOSCOW_FR, FOOTBALL)],
                                    pair_views=True)
    row = pair_features(en, fr)
    assert row[PAIR_COLUMNS.index("head")] == pytest.approx(head_scores([(en, fr)])[0])
    assert head_scores([(en, fr)])[0] == pytest.approx(head_scores([(fr, en)])[0])
    # Higher = more alike, on the human scale's side: the same meeting above a football story.
    assert head_scores([(en, fr)])[0] > head_scores([(en, foot)])[0]
    assert pair_similarity(en, fr) == pytest.approx(pair_similarity(fr, en))
    assert pair_similarity(en, fr) > pair_similarity(en, foot)
    # Without the views (pair_views=False) the lead stands in: still a score, still ordered.
    en2, fr2, foot2 = f.featurize_many([dict(text=t) for t in (MOSCOW_EN, MOSCOW_FR, FOOTBALL)])
    assert head_scores([(en2, fr2)])[0] > head_scores([(en2, foot2)])[0]


def test_an_article_and_its_copy_are_the_same_story() -> None:
    # The model scored an article against itself 0.28 (its shapes dip where the one identical
    # pair it was fitted on, two copies of an IP-block page, was judged "different").
    from pathlib import Path

    from newsweave.stages.similarity import _model, near_duplicates

    seeds = Path(__file__).resolve().parents[2] / "examples" / "seeds"
    rfi, farm = (p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))[::-1])
    f = Featurizer().setup()
    a, a2, b, short = f.featurize_many([dict(text=rfi), dict(text=rfi.replace("\n\n", "\n")),
                                        dict(text=farm), dict(text=MOSCOW_EN)], pair_views=True)
    assert near_duplicates(a, a2) and not near_duplicates(a, b)
    assert pair_similarity(a, a2) == 1.0 and pair_similarity(a, a) == 1.0
    # The two outlets' accounts of the meeting: the same story by the model's own score (which
    # may reach 1.0 too: "1 = the same story"), not by the near-duplicate rule.
    model = _model("pair")
    assert pair_similarity(a, b) == pytest.approx(float(model.score(pair_features(a, b))[0]))
    assert pair_similarity(a, b) > 0.8
    assert not near_duplicates(short, short)  # a few lines: the model's own score


def test_a_model_fitted_with_hold_range_does_not_extrapolate() -> None:
    from newsweave.stages.similarity import fit_weights

    rng = np.random.default_rng(3)
    x = rng.random(500) * 0.5
    y = np.minimum(x, 0.3) - 2 * np.maximum(x - 0.3, 0)  # rises, then falls
    X = np.zeros((500, len(PAIR_COLUMNS)))
    X[:, PAIR_COLUMNS.index("vec")] = x
    held = fit_weights(X, y, features=("vec",), columns=PAIR_COLUMNS, hold_range=True)
    free = fit_weights(X, y, features=("vec",), columns=PAIR_COLUMNS)
    edge, past = X[:1].copy(), X[:1].copy()
    edge[0, PAIR_COLUMNS.index("vec")] = x.max()
    past[0, PAIR_COLUMNS.index("vec")] = 1.0
    assert held.raw(past)[0] == pytest.approx(held.raw(edge)[0])
    assert free.raw(past)[0] < free.raw(edge)[0] - 0.5  # the falling slope carried on
    assert held.meta["ranges"]["vec"] == [pytest.approx(x.min()), pytest.approx(x.max())]
