"""Pair views: openings, sentences and windows of two texts compared view by view."""
from __future__ import annotations

import numpy as np
import pytest

from newsweave.stages.pair_views import (PREFIX_WORDS, build_views, min_length, number_overlap,
                                         prefix_max, sentence_f, split_sentences, split_windows,
                                         text_numbers, window_share)
from newsweave.stages.similarity import (PAIR_COLUMNS, ArticleFeatures, Featurizer, ScoreModel,
                                         STEM_CHARS, fit_weights, lexical_cosine, lexical_vector,
                                         pair_features, stem_key, stem_vector)

MOSCOW_EN = ("Chinese defence minister Li Shangfu met President Vladimir Putin in Moscow on Sunday. "
             "The two discussed military cooperation between China and Russia, the Kremlin said. "
             "Li is under United States sanctions since 2018 over arms purchases from Russia.")
MOSCOW_FR = ("Le ministre chinois de la Défense Li Shangfu a été reçu dimanche à Moscou par Vladimir "
             "Poutine. Les deux hommes ont évoqué la coopération militaire entre la Chine et la "
             "Russie. Li est visé par des sanctions américaines depuis 2018.")
FOOTBALL = ("The football club confirmed on Friday that its goalkeeper will miss the rest of the season "
            "with a knee injury. The coach said a replacement would be signed in January.")


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    return Featurizer().setup()


def test_sentences_are_cut_and_fragments_joined() -> None:
    long = " ".join(f"w{i}" for i in range(120))
    pieces = split_sentences(f"By AFP.\n\nParis.  {long}. Short one here now.")
    # The dateline fragments join the next piece; a 120-word run is cut at 50 words.
    assert pieces[0] == "By AFP. Paris. " + " ".join(f"w{i}" for i in range(50))
    assert pieces[1] == " ".join(f"w{i}" for i in range(50, 100))
    assert all(len(p.split()) >= 4 for p in pieces)
    assert all(len(p.split()) <= 50 + 3 for p in pieces)
    assert split_sentences("") == [] and split_sentences("Hi.") == ["Hi."]
    assert len(split_sentences(". ".join(["one two three four"] * 100))) == 30


def test_windows_overlap_and_are_bounded() -> None:
    words = [f"w{i}" for i in range(1000)]
    wins = split_windows(" ".join(words))
    assert len(wins) == 20
    assert wins[0].split()[12] == wins[1].split()[0]  # stride 12, width 25
    assert split_windows("") == [] and split_windows("a b c") == ["a b c"]


def test_views_rank_the_same_story_above_another(featurizer: Featurizer) -> None:
    en, fr, foot = build_views([MOSCOW_EN, MOSCOW_FR, FOOTBALL], featurizer.embedder.embed_texts)
    assert en.prefixes.shape == (len(PREFIX_WORDS), 512)
    assert prefix_max(en, en) == pytest.approx(1.0, abs=1e-5)
    for f in (prefix_max, sentence_f, window_share):
        assert f(en, fr) > f(en, foot), f.__name__
    assert min_length(en, foot) == pytest.approx(np.log1p(len(FOOTBALL.split())))


def test_numbers_read_alike_across_languages_and_leave_years_out() -> None:
    # Thousands separators of either convention, a no-break space, decimals and another script's
    # digits give the same digit strings; years and one-digit numbers are left out.
    assert text_numbers("The toll rose to 85,000 on Friday, up 3.5 percent.") == {"85000", "35"}
    assert text_numbers("Die Zahl stieg auf 85.000, ein Plus von 3,5 Prozent.") == {"85000", "35"}
    assert text_numbers("85\u00a0000 morts, ٢٥ blessés") == {"85000", "25"}
    assert text_numbers("In 2019 100 people met 7 times in 1999.") == {"100"}
    assert text_numbers("") == frozenset()


def test_number_overlap_is_a_jaccard_of_the_numbers() -> None:
    views = [build_views([t], lambda xs: np.zeros((len(xs), 512), np.float32))[0] for t in
             ("58 killed and 527 injured", "527 wounded, 58 dead, 22,000 fans", "no numbers here")]
    assert number_overlap(views[0], views[1]) == pytest.approx(2 / 3)
    assert number_overlap(views[0], views[2]) == 0.0
    assert views[2].numbers == frozenset()


def test_empty_text_has_empty_views(featurizer: Featurizer) -> None:
    empty, en = build_views(["", MOSCOW_EN], featurizer.embedder.embed_texts)
    assert empty.n_words == 0 and not len(empty.sentences) and not len(empty.windows)
    assert prefix_max(empty, en) == sentence_f(empty, en) == window_share(empty, en) == 0.0


def test_pair_row_with_and_without_views(featurizer: Featurizer) -> None:
    a, b = featurizer.featurize_many([dict(title="Li Shangfu in Moscow", text=MOSCOW_EN),
                                      dict(text=MOSCOW_FR, language="fr")], pair_views=True)
    row = pair_features(a, b)
    assert row.shape == (len(PAIR_COLUMNS),)
    assert row[PAIR_COLUMNS.index("vec_prefix")] == pytest.approx(
        row[PAIR_COLUMNS.index("vec")] * row[PAIR_COLUMNS.index("prefix")])
    # Both texts give 2018 only, a year: no shared number counts.
    assert row[PAIR_COLUMNS.index("numbers")] == 0.0
    # Features from stored vectors (no views) still give a full row.
    bare = ArticleFeatures(vector=a.vector, lead=a.lead, lexical=a.lexical)
    assert np.isfinite(pair_features(bare, b)).all()
    assert featurizer.featurize("", MOSCOW_EN).views is None  # views are built only when asked


def test_model_scores_rows_by_its_own_columns() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((300, len(PAIR_COLUMNS)))
    y = X[:, PAIR_COLUMNS.index("prefix")] + rng.normal(0, 0.01, 300)
    model = fit_weights(X, y, features=("vec", "prefix"), columns=PAIR_COLUMNS)
    again = ScoreModel.from_dict(model.to_dict())
    assert again.columns == PAIR_COLUMNS
    assert np.allclose(model.raw(X), again.raw(X))
    assert np.corrcoef(again.raw(X), y)[0, 1] > 0.99


def test_stems_let_inflected_forms_meet() -> None:
    # Invented sentences: the same names inflected (German genitive, Polish cases, Arabic article).
    de_a = lexical_vector("Der Minister reiste nach Moskau und traf den Präsidenten.", "de")
    de_b = lexical_vector("Moskaus Präsident empfing den Minister.", "de")
    assert lexical_cosine(stem_vector(de_a, "de"), stem_vector(de_b, "de")) > \
        lexical_cosine(de_a, de_b)
    assert stem_key("trumpa", "pl") == stem_key("trumpem", "pl") == "trumpowi"[:STEM_CHARS]
    assert stem_key("والرئيس", "ar") == stem_key("الرئيس", "ar") == stem_key("رئيس", "ar")
    assert stem_key("أحمد", "ar") == stem_key("احمد", "ar")
    assert stem_vector({}, "en") == {}
    v = stem_vector(de_a, "de")
    assert abs(sum(x * x for x in v.values()) - 1.0) < 1e-9
