"""Similarity stage: the shipped scorer orders pairs sensibly and survives bad input."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from newsweave.stages.similarity import (FEATURES, ArticleFeatures, Featurizer, ScoreModel,
                                         chunk_alignment, fit_weights, load_models,
                                         name_tokens, pair_features, pair_similarity, text_similarity)

MOSCOW_EN = ("Chinese defence minister Li Shangfu met President Vladimir Putin in Moscow on Sunday. "
             "The two discussed military cooperation between China and Russia, the Kremlin said.")
MOSCOW_FR = ("Le ministre chinois de la Défense Li Shangfu a été reçu dimanche à Moscou par Vladimir "
             "Poutine. Les deux hommes ont évoqué la coopération militaire entre la Chine et la Russie.")
FOOTBALL = ("The football club confirmed on Friday that its goalkeeper will miss the rest of the season "
            "with a knee injury, and the coach said a replacement would be signed in January.")


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    return Featurizer().setup()


def test_same_story_scores_higher_across_languages() -> None:
    same = text_similarity(MOSCOW_EN, MOSCOW_FR, "en", "fr")
    other = text_similarity(MOSCOW_EN, FOOTBALL, "en", "en")
    assert 0.0 <= other < same <= 1.0
    assert same - other > 0.3


def test_bad_inputs_do_not_crash(featurizer: Featurizer) -> None:
    empty = featurizer.featurize("", "")
    unknown_lang = featurizer.featurize("", MOSCOW_EN, language="xx")
    no_date = featurizer.featurize("Title", MOSCOW_EN, published=None)
    for a in (empty, unknown_lang, no_date):
        s = pair_similarity(a, empty)
        assert 0.0 <= s <= 1.0
    assert text_similarity("", "") >= 0.0


def test_lexical_vectors_split_cjk_words() -> None:
    """Japanese and Korean words come from MeCab, Chinese from jieba (wordfreq's tokenizers)."""
    from newsweave.stages.similarity import lexical_vector

    ja = lexical_vector("岸田文雄首相は水曜日、東京の首相官邸で記者会見を開いた。", "ja")
    assert {"東京", "官邸", "会見"} <= set(ja)
    ko = lexical_vector("대통령은 수요일 서울 용산 대통령실에서 기자회견을 열었다.", "ko")
    assert "서울" in ko and "용산" in ko
    zh = lexical_vector("中国国家主席习近平周三在北京会见了俄罗斯总统普京。", "zh")
    assert "北京" in zh and "普京" in zh


def test_lexical_vector_without_a_tokenizer_falls_back(monkeypatch, caplog) -> None:
    """A language whose word splitter is not installed is split generically instead of failing."""
    import wordfreq

    from newsweave.stages import similarity

    real = wordfreq.tokenize

    def tokenize(text, lang, *args, **kwargs):
        if lang == "ja":
            raise ModuleNotFoundError("No module named 'MeCab'")
        return real(text, lang, *args, **kwargs)

    monkeypatch.setattr(wordfreq, "tokenize", tokenize)
    similarity._wf_lang.cache_clear()
    try:
        vec = similarity.lexical_vector("東京で記者会見 Tokyo press conference", "ja")
        assert vec and "tokyo" in vec
        assert "generic word splitting" in caplog.text
    finally:
        similarity._wf_lang.cache_clear()


def test_entity_ids_override_name_proxy(featurizer: Featurizer) -> None:
    a = featurizer.featurize("", MOSCOW_EN, entities={"Q1", "Q2"})
    assert a.entities == frozenset({"Q1", "Q2"})
    assert {"li", "shangfu", "putin", "moscow"} <= name_tokens(MOSCOW_EN)


def test_time_gap_features(featurizer: Featurizer) -> None:
    d1 = datetime(2023, 4, 16, tzinfo=timezone.utc)
    d2 = datetime(2023, 4, 26, tzinfo=timezone.utc)
    a = featurizer.featurize("", MOSCOW_EN, published=d1)
    b = featurizer.featurize("", MOSCOW_EN, published=d2)
    x = pair_features(a, b)
    assert x[FEATURES.index("gap")] == pytest.approx(np.log1p(10.0))
    assert x[FEATURES.index("nodate")] == 0.0
    assert pair_features(a, featurizer.featurize("", MOSCOW_EN))[FEATURES.index("nodate")] == 1.0


def test_fit_weights_round_trip() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((200, len(FEATURES)))
    y = 2 * X[:, 0] + X[:, 2] + rng.normal(0, 0.05, 200)
    model = fit_weights(X, y, features=("vec", "lex"))
    again = ScoreModel.from_dict(model.to_dict())
    assert np.allclose(model.score(X), again.score(X))
    assert np.corrcoef(model.raw(X), y)[0, 1] > 0.95
    # the prior (a pair with no evidence) is the mean target on the [0, 1] scale
    lo, hi = model.scale
    assert model.meta["prior"] == pytest.approx((y.mean() - lo) / (hi - lo))
    assert again.meta["prior"] == model.meta["prior"]


def test_an_empty_text_gets_the_prior_not_an_extrapolation() -> None:
    prior = load_models()["pair"].meta["prior"]
    assert 0.2 < prior < 0.6
    assert text_similarity("", MOSCOW_EN) == pytest.approx(prior)
    assert text_similarity(MOSCOW_EN, "   ") == pytest.approx(prior)
    assert text_similarity(MOSCOW_EN, MOSCOW_FR) > prior > text_similarity(MOSCOW_EN, FOOTBALL)


def test_shipped_weights_load() -> None:
    models = load_models()
    assert {"pair", "event"} <= set(models)
    assert 0.0 < models["event"].meta["threshold"] < 1.0


def test_chunk_alignment_and_title_features(featurizer: Featurizer) -> None:
    a = featurizer.featurize("Li Shangfu meets Putin in Moscow", MOSCOW_EN)
    b = featurizer.featurize("", MOSCOW_FR, language="fr")
    c = featurizer.featurize("Goalkeeper out for the season", FOOTBALL)
    assert a.title is not None and b.title is not None  # without a title the first chunk stands in
    assert a.chunks is not None and a.chunks.shape[1] == a.vector.shape[0]
    assert chunk_alignment(a.chunks, a.chunks) == pytest.approx(1.0, abs=1e-5)
    assert chunk_alignment(a.chunks, None) is None
    same, other = pair_features(a, b), pair_features(a, c)
    for name in ("title", "align"):
        i = FEATURES.index(name)
        assert same[i] > other[i]
    # Features built without title or chunks (e.g. from stored vectors) still score.
    bare = ArticleFeatures(vector=a.vector, lead=a.lead, lexical=a.lexical)
    assert 0.0 <= pair_similarity(bare, b) <= 1.0
