"""Similarity stage: one scorer for "do these two articles (or an article and an event) report the same story".

Features of a pair (``pair_features``), each cheap once an article is featurised:

- ``vec``: cosine of the multilingual article vectors (embed.py recipe);
- ``lead``: cosine of the lead vectors (mean of the first ``LEAD_CHUNKS`` chunks: news puts the event first);
- ``lex``: cosine of TF-IDF word vectors, where IDF comes from wordfreq's general-language frequencies
  (stateless: the score of a pair does not depend on what else was ingested, or in which order);
- ``ent``: overlap coefficient of the canonical entity-id sets (or of capitalised-name tokens when no
  entity ids were given, e.g. for a language without an entity model);
- ``gap`` / ``nodate``: log1p of the day gap between the dates; ``nodate`` = 1 when either is unknown;
- ``title``: cosine of the headline vectors (a text given without a title uses its first chunk);
- ``align``: chunk alignment, the mean over each text's chunks of the best cosine to the other text's
  chunks, averaged both ways (two accounts of one story share passages even when their overall mix of
  background differs);
- ``knn`` / ``size``: used by the event scorer only (cluster.py): the best cosine to the event's members
  found by the ANN search, and log1p of the event's size; for a pair they are ``vec`` and 0.

Two texts scored as a pair (``pair_similarity``) are also compared view by view (stages/pair_views.py:
``prefix``, ``sentf``, ``winshare``, ``minlen``, ``numbers``, and ``vec_prefix`` = vec × prefix),
which need ``featurize_many(..., pair_views=True)``, by ``lexstem`` (the lexical cosine with words
cut to stems, ``stem_key``: inflected forms of one name or word meet), and by ``head``, a kernel
ridge regression over how their vectors interact, element by element and dimension with
dimension (stages/pair_head.py): the ``PAIR_EXTRA`` columns.

The scorer is an additive model: each feature goes through a piecewise-linear basis (hinges at knots
placed at the feature's quantiles on the fitting data) and a linear combination of the basis is the
score. ``fit_weights`` fits it (ridge regression on a graded target, or logistic regression on a binary
one) and the fitted knots and weights live in ``similarity_weights.json`` beside this module:
``pair`` fitted on SemEval-2022 Task 8 (graded: 1 = same story ... 4 = unrelated, see
eval/similarity.py) and ``event`` fitted on the clustering dev set (same event or not, see
stages/cluster.py).
"""
from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .embed import DIM, Embedder, split_chunks
from .pair_head import head_scores
from .pair_views import (PairView, build_views, min_length, number_overlap, prefix_max, sentence_f,
                         window_share)

FEATURES = ("vec", "lead", "lex", "ent", "gap", "nodate", "title", "align", "knn", "size")
PAIR_EXTRA = ("prefix", "sentf", "winshare", "minlen", "vec_prefix", "head", "numbers", "lexstem")
PAIR_COLUMNS = FEATURES + PAIR_EXTRA  # the columns of pair_features
LEAD_CHUNKS = 2
N_KNOTS = 3  # interior knots per feature: enough to bend a saturating cosine, few enough to stay smooth
WEIGHTS_PATH = Path(__file__).with_name("similarity_weights.json")
_MAX_ZIPF = 8.0  # wordfreq's Zipf scale tops out near 8 ("the"); 8 - zipf is an IDF in log10 units
log = logging.getLogger(__name__)
_WORD = re.compile(r"\w+", re.UNICODE)
# A capitalised token not at the start of a sentence: a cheap, language-agnostic proxy for names.
_NAME = re.compile(r"(?<![.!?\n:]\s)(?<![.!?\n:])(?<=\s)([^\W\d_][\w'’-]{1,})", re.UNICODE)


@dataclass
class ArticleFeatures:
    """Everything the scorer needs about one article (or one event, aggregated)."""

    vector: np.ndarray  # (512,) L2-normalised article vector; zeros when there is no text
    lead: np.ndarray  # (512,) L2-normalised lead vector
    lexical: dict[str, float]  # L2-normalised TF-IDF weights by lower-cased word
    entities: frozenset[str] = field(default_factory=frozenset)
    published: datetime | None = None
    language: str | None = None
    title: np.ndarray | None = None  # (512,) headline vector; None when unknown (the lead stands in)
    chunks: np.ndarray | None = None  # (k, 512) unit vectors of the body chunks; None when not kept
    views: PairView | None = None  # finer views for pair scoring; None unless asked for


@lru_cache(maxsize=1)
def _wordfreq() -> Any:
    import wordfreq  # imported on first use: keeps `import newsweave.stages.similarity` cheap

    return wordfreq


@lru_cache(maxsize=64)
def _wf_lang(lang: str | None) -> str:
    wf = _wordfreq()
    if not lang or lang not in wf.available_languages():
        return "en"  # unknown language: English frequencies still down-weight numbers and shared names
    try:
        wf.tokenize("a", lang)  # ja/ko need MeCab and its dictionaries, zh needs jieba
    except ImportError as exc:
        log.warning("lexical similarity for %r uses generic word splitting: %s", lang, exc)
        return "en"
    return lang


def lexical_vector(text: str, lang: str | None = None) -> dict[str, float]:
    """TF-IDF vector of a text: sublinear tf times (8 - Zipf frequency), L2-normalised."""
    wf = _wordfreq()
    wl = _wf_lang(lang)
    counts = Counter(w for w in wf.tokenize(text or "", wl) if any(c.isalnum() for c in w))
    vec = {w: (1.0 + math.log(k)) * max(0.0, _MAX_ZIPF - wf.zipf_frequency(w, wl))
           for w, k in counts.items()}
    return _unit(vec)


# Arabic spellings that vary for one word (hamza on alef, taa marbuta, alef maqsura) and its
# article and preposition-plus-article prefixes, dropped before words are cut to a stem.
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})
_AR_PREFIX = re.compile(r"^(?:وال|بال|كال|فال|لل|ال)")
STEM_CHARS = 4


def stem_key(word: str, lang: str | None = None) -> str:
    """A word cut to its first ``STEM_CHARS`` characters (Arabic spelling folded and its article
    dropped first): a language-agnostic light stemmer, so that "Moskau"/"Moskaus",
    "Trump"/"Trumpa", "seçim"/"seçimde" meet. Hand-written because no stemmer covers every
    language the encoder reads (Snowball has no Polish, Turkish, Chinese ...); measured on SemEval
    (benchmarks/RESULTS.md): 4 letters +0.006 Pearson, 5 letters +0.004, 6 letters +0.003, each
    better on 10 of 10 splits."""
    if lang == "ar":
        word = _AR_PREFIX.sub("", word.translate(_AR_FOLD)) or word
    return word[:STEM_CHARS]


def stem_vector(lexical: Mapping[str, float], lang: str | None = None) -> dict[str, float]:
    """A lexical vector (``lexical_vector``) with its words merged by ``stem_key``."""
    merged: Counter[str] = Counter()
    for w, x in lexical.items():
        merged[stem_key(w, lang)] += x
    return _unit(merged)


def _unit(vec: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in vec.values()))
    return {w: x / norm for w, x in vec.items()} if norm > 0 else {}


def name_tokens(text: str) -> frozenset[str]:
    """Capitalised-name tokens (case-folded): the entity proxy when no entity ids are given."""
    return frozenset(m.casefold() for m in _NAME.findall(" " + (text or "")) if m[0].isupper())


def _unit_vec(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else np.zeros(DIM, dtype=np.float32)


class Featurizer:
    """Turns articles into ArticleFeatures in batches; ``setup()`` loads the embedder once."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or Embedder()

    def setup(self) -> "Featurizer":
        """Load the models once; returns self."""
        self.embedder.setup()
        _wordfreq()
        return self

    def featurize_many(self, articles: Sequence[Mapping[str, Any]],
                       pair_views: bool = False) -> list[ArticleFeatures]:
        """Features for dicts with keys title, text, language, published, entities (all optional).

        ``pair_views`` also builds the views that pair scoring compares (pair_views.py)."""
        pieces: list[str] = []
        langs: list[str | None] = []
        spans: list[tuple[int, int, bool]] = []
        for a in articles:
            start = len(pieces)
            title = (a.get("title") or "").strip()
            if title:
                pieces.append(title)
            pieces.extend(split_chunks(a.get("text") or ""))
            langs.extend([a.get("language")] * (len(pieces) - start))
            spans.append((start, len(pieces), bool(title)))
        # one batch for titles and chunks of all articles
        vecs = self.embedder.embed_texts(pieces, langs)
        out = []
        for a, (start, end, has_title) in zip(articles, spans):
            block = vecs[start:end]
            body = block[1:] if has_title else block
            if has_title and len(body):
                vector = _unit_vec(block[0] + _unit_vec(body.mean(axis=0)))
            else:
                vector = _unit_vec(block.mean(axis=0)) if len(block) else np.zeros(DIM, np.float32)
            # The lead includes the title: both state the event; without a title it is the first chunks.
            lead_block = block[: LEAD_CHUNKS + int(has_title)]
            lead = _unit_vec(lead_block.mean(axis=0)) if len(lead_block) else vector
            text = " ".join(filter(None, [a.get("title"), a.get("text")]))
            ents = a.get("entities")
            out.append(ArticleFeatures(
                vector=vector, lead=lead, lexical=lexical_vector(text, a.get("language")),
                entities=frozenset(ents) if ents else name_tokens(text),
                published=a.get("published"), language=a.get("language"),
                # Without a title the first chunk stands in: news states the event up front.
                title=block[0] if len(block) else None,
                chunks=body if len(body) else None))
        if pair_views:
            texts = ["\n".join(filter(None, [(a.get("title") or "").strip(), a.get("text") or ""]))
                     for a in articles]
            for f, v in zip(out, build_views(texts, self.embedder.embed_texts)):
                f.views = v
        return out

    def featurize(self, title: str, text: str, language: str | None = None,
                  published: datetime | None = None,
                  entities: Iterable[str] | None = None) -> ArticleFeatures:
        """Features of one article."""
        return self.featurize_many([dict(title=title, text=text, language=language,
                                         published=published, entities=entities)])[0]


def lexical_cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two sparse unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return float(sum(x * b.get(w, 0.0) for w, x in a.items()))


def entity_overlap(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Overlap coefficient |A∩B| / min(|A|,|B|); 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def day_gap(a: datetime | None, b: datetime | None) -> float | None:
    """Absolute gap in days, or None when a date is unknown."""
    if a is None or b is None:
        return None
    try:
        return abs((a - b).total_seconds()) / 86400.0
    except TypeError:  # naive vs aware: compare wall clocks rather than fail
        return abs((a.replace(tzinfo=None) - b.replace(tzinfo=None)).total_seconds()) / 86400.0


def chunk_alignment(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    """Mean best chunk-to-chunk cosine, averaged over both directions; None without chunks."""
    if a is None or b is None or not len(a) or not len(b):
        return None
    sims = np.asarray(a, np.float32) @ np.asarray(b, np.float32).T
    return 0.5 * float(sims.max(axis=1).mean() + sims.max(axis=0).mean())


def title_cosine(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """Cosine of the headline vectors, or of the lead vectors when either headline is unknown."""
    if a.title is None or b.title is None:
        return float(a.lead @ b.lead)
    return float(a.title @ b.title)


def pair_features(a: ArticleFeatures, b: ArticleFeatures, gap_days: float | None = None,
                  head: float | None = None) -> np.ndarray:
    """The raw feature row (PAIR_COLUMNS order) of a pair; ``gap_days`` overrides the date gap,
    ``head`` the shipped head's score (for a caller that scored many pairs' heads at once)."""
    gap = day_gap(a.published, b.published) if gap_days is None else gap_days
    vec = float(a.vector @ b.vector)
    align = chunk_alignment(a.chunks, b.chunks)
    align = vec if align is None else align  # without chunks the article vector stands in
    title = title_cosine(a, b)
    if a.views is not None and b.views is not None:
        prefix = prefix_max(a.views, b.views)
        extra = [prefix, sentence_f(a.views, b.views), window_share(a.views, b.views),
                 min_length(a.views, b.views), vec * prefix]
        numbers = number_overlap(a.views, b.views)
    else:  # without views the nearest coarse stand-ins: headline, chunk alignment
        extra = [title, align, 0.0, 0.0, vec * title]
        numbers = 0.0
    extra += [float(head_scores([(a, b)])[0]) if head is None else float(head), numbers,
              lexical_cosine(stem_vector(a.lexical, a.language), stem_vector(b.lexical, b.language))]
    return np.array([
        vec,
        float(a.lead @ b.lead),
        lexical_cosine(a.lexical, b.lexical),
        entity_overlap(a.entities, b.entities),
        math.log1p(gap) if gap is not None else 0.0,
        1.0 if gap is None else 0.0,
        title,
        align,
        vec,
        0.0,
        *extra,
    ], dtype=np.float64)


# ---- the additive piecewise-linear model -------------------------------------------------------


@dataclass
class ScoreModel:
    """Additive model: score = bias + sum_f sum_j w[f][j] * basis_j(x_f); optional sigmoid."""

    knots: dict[str, list[float]]
    weights: dict[str, list[float]]
    bias: float
    link: str = "identity"  # "identity" (graded target) or "logistic" (probability)
    scale: tuple[float, float] = (0.0, 1.0)  # identity link: maps the raw score to [0, 1]
    meta: dict[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = FEATURES  # the column names of the rows it scores

    @property
    def prior(self) -> float:
        """The score of a pair with no evidence (an empty text): the fitting data's mean."""
        return float(self.meta.get("prior", 0.5))

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Raw scores for feature rows X (n, len(self.columns))."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        s = np.full(len(X), self.bias)
        ranges = self.meta.get("ranges", {})
        for i, name in enumerate(self.columns):
            if name in self.weights:
                x = X[:, i]
                if name in ranges:
                    # Beyond what the fitting data held the hinges would extrapolate their last
                    # slope: two identical texts (every cosine 1.0, above any SemEval pair)
                    # scored 0.28. A feature is held at the edge of its fitted range instead.
                    x = np.clip(x, *ranges[name])
                # Elementwise, summed along each row: a row's score does not depend on how many
                # rows are scored with it (a matrix product may sum in another order per batch).
                w = np.asarray(self.weights[name], dtype=np.float64)
                s += (_basis(x, self.knots[name]) * w).sum(axis=1)
        return s

    def score(self, X: np.ndarray) -> np.ndarray:
        """Similarity in [0, 1]: higher = more alike."""
        r = self.raw(X)
        if self.link == "logistic":
            return 1.0 / (1.0 + np.exp(-r))
        lo, hi = self.scale
        return np.clip((r - lo) / (hi - lo), 0.0, 1.0)

    def to_dict(self) -> dict[str, Any]:
        return dict(knots=self.knots, weights=self.weights, bias=self.bias, link=self.link,
                    scale=list(self.scale), meta=self.meta, columns=list(self.columns))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ScoreModel":
        return cls(knots=d["knots"], weights=d["weights"], bias=float(d["bias"]),
                   link=d.get("link", "identity"), scale=tuple(d.get("scale", (0.0, 1.0))),
                   meta=dict(d.get("meta", {})), columns=tuple(d.get("columns", FEATURES)))


def _basis(x: np.ndarray, knots: Sequence[float]) -> np.ndarray:
    # x itself plus one hinge per knot: a continuous piecewise-linear function of x.
    x = np.asarray(x, dtype=np.float64)
    return np.concatenate([x[:, None], np.maximum(0.0, x[:, None] - np.asarray(knots, np.float64))],
                          axis=1)


def fit_weights(X: np.ndarray, y: np.ndarray, *, binary: bool = False,
                features: Sequence[str] = FEATURES, n_knots: int = N_KNOTS,
                alpha: float | None = None, sample_weight: np.ndarray | None = None,
                meta: Mapping[str, Any] | None = None,
                columns: Sequence[str] = FEATURES, hold_range: bool = False) -> ScoreModel:
    """Fit the additive scorer on rows X (``columns``) and targets y (graded: ridge; binary: logistic).
    ``hold_range``: the scorer holds each feature within the range it was fitted on (meta
    "ranges") rather than extrapolating past it."""
    from sklearn.linear_model import LogisticRegression, Ridge, RidgeCV

    knots: dict[str, list[float]] = {}
    ranges: dict[str, list[float]] = {}
    cols = []
    for name in features:
        x = X[:, list(columns).index(name)]
        ranges[name] = [float(np.min(x)), float(np.max(x))]
        qs = np.unique(np.round(np.quantile(x, np.linspace(0, 1, n_knots + 2)[1:-1]), 4))
        qs = [float(q) for q in qs if np.min(x) < q < np.max(x)]
        knots[name] = qs
        cols.append(_basis(x, qs))
    B = np.column_stack(cols)
    if binary:
        # C is fixed rather than tuned: with a few dozen coefficients and thousands of rows the fit
        # is insensitive to it, and a fixed value keeps the procedure simple to re-run.
        clf = LogisticRegression(C=1.0 if alpha is None else 1.0 / alpha, max_iter=5000)
        clf.fit(B, y, sample_weight=sample_weight)
        coef, bias = clf.coef_[0], float(clf.intercept_[0])
    else:
        reg = (Ridge(alpha=alpha) if alpha is not None
               else RidgeCV(alphas=np.logspace(-3, 3, 13)))
        reg.fit(B, y, sample_weight=sample_weight)
        coef, bias = reg.coef_, float(reg.intercept_)
    weights: dict[str, list[float]] = {}
    pos = 0
    for name in features:
        k = len(knots[name]) + 1
        weights[name] = [float(c) for c in coef[pos:pos + k]]
        pos += k
    model = ScoreModel(knots=knots, weights=weights, bias=bias,
                       link="logistic" if binary else "identity",
                       meta=dict(meta or {}, **({"ranges": ranges} if hold_range else {})),
                       columns=tuple(columns))
    if not binary:
        r = model.raw(X)
        model.scale = (float(np.min(r)), float(np.max(r)))
    # ScoreModel.prior: the fitting data's mean target, on the score's scale.
    mean = float(np.average(y, weights=sample_weight))
    lo, hi = model.scale
    model.meta["prior"] = mean if binary else (
        float(np.clip((mean - lo) / (hi - lo), 0.0, 1.0)) if hi > lo else 0.5)
    return model


def load_models(path: Path = WEIGHTS_PATH) -> dict[str, ScoreModel]:
    """The fitted models by name ("pair", "event") from the weights JSON."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: ScoreModel.from_dict(v) for k, v in data.items()}


def save_model(name: str, model: ScoreModel, path: Path = WEIGHTS_PATH) -> None:
    """Write (or replace) one named model in the weights JSON."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[name] = model.to_dict()
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def _model(name: str) -> ScoreModel:
    return load_models()[name]


# Two texts this close are one text (a copy, a re-post, the same article twice): the same story.
# The model cannot say so itself: the only identical pair it was fitted on is two copies of a
# site's IP-block page that annotators judged by the articles behind them ("different"), so its
# shapes dip at the top. Short texts (fewer distinct words than any real article) keep the
# model's score for that reason.
DUPLICATE_COSINE = 0.99
DUPLICATE_LEXICAL = 0.98
DUPLICATE_MIN_TERMS = 60


def near_duplicates(a: ArticleFeatures, b: ArticleFeatures) -> bool:
    """Are two featurised texts the same text (see DUPLICATE_*)?"""
    return (min(len(a.lexical), len(b.lexical)) >= DUPLICATE_MIN_TERMS
            and float(a.vector @ b.vector) >= DUPLICATE_COSINE
            and lexical_cosine(a.lexical, b.lexical) >= DUPLICATE_LEXICAL)


def pair_similarity(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """How alike two articles are, in [0, 1] (1 = same story), with the fitted ``pair`` model.

    Features built with ``pair_views=True`` give the measured accuracy; without views the coarse
    stand-ins of pair_features are used and the score is rougher."""
    return float(pair_scores(_model("pair"), pair_features(a, b), [not has_texts(a, b)],
                             [near_duplicates(a, b)])[0])


def pair_scores(model: ScoreModel, X: np.ndarray, empty: Sequence[bool],
                duplicate: Sequence[bool]) -> np.ndarray:
    """The pair model's scores of rows X, with its two rules: a pair with an empty text (nothing
    to compare) gets the fitted prior rather than whatever the additive model extrapolates to at
    all-zero features (0.79 here), and near-duplicates are the same story (1.0)."""
    out = model.score(X)
    out[np.asarray(duplicate, dtype=bool)] = 1.0
    out[np.asarray(empty, dtype=bool)] = model.prior
    return out


def has_texts(a: ArticleFeatures, b: ArticleFeatures) -> bool:
    """Do both featurised texts hold something (words or a vector)?"""
    return all(bool(f.lexical) or bool(np.any(f.vector)) for f in (a, b))


_FEATURIZER: Featurizer | None = None


def default_featurizer() -> Featurizer:
    """A process-wide Featurizer, set up on first use."""
    global _FEATURIZER
    if _FEATURIZER is None:
        _FEATURIZER = Featurizer().setup()
    return _FEATURIZER


def text_similarity(text_a: str, text_b: str, lang_a: str | None = None,
                    lang_b: str | None = None) -> float:
    """pair_similarity of two raw texts (no title, no date), in [0, 1]."""
    fa, fb = default_featurizer().featurize_many(
        [dict(text=text_a, language=lang_a), dict(text=text_b, language=lang_b)], pair_views=True)
    return pair_similarity(fa, fb)
