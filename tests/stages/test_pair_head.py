"""The pair head: a ridge regression over how two texts' vectors interact (stages/pair_head.py)."""
from __future__ import annotations

import numpy as np
import pytest

from newsweave.stages.embed import DIM
from newsweave.stages.pair_head import (PairHead, fit_head, head_scores, interactions, out_of_fold,
                                        shipped_head)
from newsweave.stages.similarity import (PAIR_COLUMNS, ArticleFeatures, Featurizer, pair_features,
                                         pair_similarity)

MOSCOW_EN = ("Chinese defence minister Li Shangfu met President Vladimir Putin in Moscow on Sunday. "
             "The two discussed military cooperation between China and Russia, the Kremlin said.")
MOSCOW_FR = ("Le ministre chinois de la Défense Li Shangfu a été reçu dimanche à Moscou par Vladimir "
             "Poutine. Les deux hommes ont évoqué la coopération militaire entre la Chine et la Russie.")
FOOTBALL = ("The football club confirmed on Friday that its goalkeeper will miss the rest of the season "
            "with a knee injury. The coach said a replacement would be signed in January.")


def _unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal(DIM)
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_interactions_do_not_depend_on_the_order_of_the_pair() -> None:
    rng = np.random.default_rng(0)
    a = ArticleFeatures(vector=_unit(rng), lead=_unit(rng), lexical={}, entities=frozenset())
    b = ArticleFeatures(vector=_unit(rng), lead=_unit(rng), lexical={}, entities=frozenset())
    z = interactions(a, b)
    assert z.shape == (4 * DIM,)
    assert np.array_equal(z, interactions(b, a))
    assert np.allclose(z[:DIM], a.vector * b.vector) and np.allclose(z[DIM:2 * DIM], np.abs(a.vector - b.vector))


def test_the_head_learns_a_planted_relation_and_round_trips() -> None:
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((400, 20))
    w = rng.standard_normal(20)
    y = Z @ w + 0.5
    head = fit_head(Z, y, alpha=0.01)
    assert np.allclose(head.predict(Z), y, atol=0.01)
    again = PairHead.from_dict(head.to_dict())
    assert np.allclose(again.predict(Z), head.predict(Z))


def test_out_of_fold_predictions_never_see_their_own_row() -> None:
    # One row with an outlandish target: a head that had seen it would predict it back.
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((100, 5))
    y = np.zeros(100)
    Z[:, 0] = 0.0
    Z[7] = 0.0
    Z[7, 0] = 50.0  # its own direction, so only it can teach the head that direction
    y[7] = 1000.0
    oof = out_of_fold(Z, y, alpha=0.001)
    assert abs(oof[7]) < 10.0
    assert abs(fit_head(Z, y, alpha=0.001).predict(Z[7:8])[0] - 1000.0) < 10.0


def test_the_shipped_head_is_a_column_of_the_pair_features() -> None:
    head = shipped_head()
    assert head is not None and head.coef.shape == (4 * DIM,)
    f = Featurizer().setup()
    en, fr, foot = f.featurize_many([dict(text=t) for t in (MOSCOW_EN, MOSCOW_FR, FOOTBALL)],
                                    pair_views=True)
    row = pair_features(en, fr)
    assert row[PAIR_COLUMNS.index("head")] == pytest.approx(head_scores([(en, fr)])[0])
    # Higher = more alike, on the human scale's side: the same meeting above a football story.
    assert head_scores([(en, fr)])[0] > head_scores([(en, foot)])[0]
    assert pair_similarity(en, fr) == pytest.approx(pair_similarity(fr, en))
    assert pair_similarity(en, fr) > pair_similarity(en, foot)



def test_an_article_and_its_copy_are_the_same_story() -> None:
    # The model scored an article against itself 0.28 (its shapes dip where the one identical
    # pair it was fitted on, two copies of an IP-block page, was judged "different").
    from pathlib import Path

    from newsweave.stages.similarity import near_duplicates

    seeds = Path(__file__).resolve().parents[2] / "examples" / "seeds"
    rfi, farm = (p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))[::-1])
    f = Featurizer().setup()
    a, a2, b, short = f.featurize_many([dict(text=rfi), dict(text=rfi.replace("\n\n", "\n")),
                                        dict(text=farm), dict(text=MOSCOW_EN)], pair_views=True)
    assert near_duplicates(a, a2) and not near_duplicates(a, b)
    assert pair_similarity(a, a2) == 1.0 and pair_similarity(a, a) == 1.0
    assert pair_similarity(a, b) < 1.0
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
