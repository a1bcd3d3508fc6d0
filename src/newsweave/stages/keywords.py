"""Keywords: article text -> the n best key phrases with YAKE scores (lower = better).

YAKE is unsupervised and ships stopword lists for ~35 languages. The reference implementation
(``yake``) is pure Python and costs ~0.15 ms per word here (25-35 ms for the 1500-character head
of an article, a quarter of the whole enrichment budget of 15 articles/s on 2 cores), so the
extraction runs on ``yake-rust``, a port of the same algorithm with the same scores (to ~1e-15)
at ~4 ms. The stopword lists stay the reference package's, so both agree on every language; the
reference implementation is the fallback when yake-rust is missing or fails. On 300 articles of
shared/eval/clustering the final keywords share 96% of their phrases with the reference package's
(the rest: order among tied scores, and one more phrase where its dedup removed one).
The extraction reads only the head of the article: news puts who/what/where in the first
paragraphs, and the phrases found there agree with whole-text runs on the leading keywords.
Chinese (and, roughly, Japanese) is segmented with jieba first (YAKE splits on spaces); both, when
jieba is missing, fall back to overlapping character trigrams (YAKE ignores terms shorter than 3
characters, so bigrams, the usual stand-in for segmentation, would yield nothing).
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

from .sentences import normalize_language

__all__ = ["extract_keywords", "setup"]

# ~250 words of English: ~4 ms per article with yake-rust (25-35 ms with the reference package).
MAX_CHARS = 1500
MAX_CJK_CHARS = 600  # CJK packs about 2.5x more content per character
MAX_NGRAM = 3
# yake's stopword files use a few non-ISO names
_YAKE_LANG = {"cs": "cz", "pt": "pt", "nb": "no", "nn": "no"}
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_SPACE = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]) (?=[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff])")
_lock = threading.Lock()


@lru_cache(maxsize=64)
def _extractor(lang: str, top: int, ngram: int = MAX_NGRAM):
    import yake

    return yake.KeywordExtractor(lan=lang, n=ngram, top=top, dedup_lim=0.9, dedup_func="seqm")


@lru_cache(maxsize=64)
def _fast_extractor(lang: str, ngram: int = MAX_NGRAM):
    """yake-rust with the reference package's stopwords for ``lang``; None when not installed."""
    try:
        import yake_rust
    except ImportError:
        return None
    stopwords = set(_extractor(lang, 1, ngram).stopword_set)  # "noLang" list for unknown codes
    # No deduplication inside: yake-rust sums in hash-map order, so equal scores differ in the
    # last bits from one process to the next and its dedup would keep one or the other of two
    # tied near-duplicates. Ranked here on rounded scores, the overlap filter of
    # extract_keywords (stricter than YAKE's dedup) picks the same phrases in every process.
    return yake_rust.Yake(stopwords=stopwords, ngrams=ngram, remove_duplicates=False)


def _yake(body: str, lang: str, top: int, ngram: int) -> list[tuple[str, float]]:
    """YAKE's best ``top`` candidates, ranked by score (10 significant digits), then phrase."""
    fast = _fast_extractor(lang, ngram)
    raw = None
    if fast is not None:
        try:
            raw = fast.get_n_best(body, n=top * 2)  # undeduplicated: more near-duplicates
        except BaseException as exc:  # a Rust panic is a BaseException (pyo3's PanicException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
    if raw is None:
        raw = _extractor(lang, top, ngram).extract_keywords(body)
    return sorted(((p, float(f"{s:.10g}")) for p, s in raw), key=lambda ps: (ps[1], ps[0]))


@lru_cache(maxsize=1)
def _jieba():
    try:
        import jieba
    except ImportError:
        return None
    with _lock:
        jieba.setLogLevel(60)  # its dictionary-loading chatter goes to stderr otherwise
        jieba.initialize()
    return jieba


def _segment_cjk(text: str) -> tuple[str, bool]:
    """Space-separated words for scripts written without spaces; True when jieba did it."""
    # jieba's dictionary is Chinese, but its kanji-run splits still beat n-grams for Japanese
    seg = _jieba()

    def words(m: re.Match[str]) -> str:
        run = m.group()
        if seg is not None:
            return " " + " ".join(w for w in seg.cut(run) if w.strip()) + " "
        if len(run) <= 3:
            return " " + run + " "
        # YAKE ignores terms under 3 characters, so the stand-in is character trigrams
        return " " + " ".join(run[i:i + 3] for i in range(len(run) - 2)) + " "

    return _CJK_RUN.sub(words, text), seg is not None


def _head(text: str, limit: int) -> str:
    """The first ``limit`` characters, extended to the end of the sentence under way."""
    if len(text) <= limit:
        return text
    stop = re.search(r"[.!?。！？]\s", text[limit:limit + 400])
    return text[: limit + (stop.end() if stop else 0)]


def _tokens(phrase: str) -> set[str]:
    return set(re.findall(r"\w+", phrase.casefold()))


def extract_keywords(text: str, language: str | None, n: int = 10) -> list[tuple[str, float]]:
    """The ``n`` best key phrases of ``text`` as (phrase, score), best (lowest score) first."""
    if not text or not text.strip() or n <= 0:
        return []
    lang = normalize_language(language) or "en"
    cjk = lang in ("zh", "ja") or (lang not in ("ko",) and len(_CJK_RUN.findall(text[:500])) > 5)
    body = _head(text, MAX_CJK_CHARS if cjk else MAX_CHARS)
    ngram = MAX_NGRAM
    if cjk:
        body, segmented = _segment_cjk(body)
        ngram = MAX_NGRAM if segmented else 1  # joined overlapping trigrams would be garbage
    try:
        # extra candidates: the overlap filter below drops many of YAKE's near-duplicates
        raw = _yake(body, _YAKE_LANG.get(lang, lang), n * 3, ngram)
    except Exception:  # yake fails on degenerate input (no words, only digits); no keywords then
        return []
    out: list[tuple[str, float]] = []
    kept: list[set[str]] = []
    for phrase, score in raw:
        toks = _tokens(phrase)  # before re-joining CJK words, so overlap is counted in words
        if cjk:
            phrase = _CJK_SPACE.sub("", phrase)
        if not toks or all(t.isdigit() for t in toks):
            continue
        # One entry per idea: "CPAC Crowd", "Crowd Glenn", "CPAC Crowd Glenn" are one keyword.
        if any(len(toks & k) * 2 >= min(len(toks), len(k)) for k in kept):
            continue
        kept.append(toks)
        out.append((phrase, score))
        if len(out) == n:
            break
    return out


def setup(languages: tuple[str, ...] = ("en",)) -> None:
    """Load YAKE's stopwords (and jieba's dictionary when "zh" is listed) once."""
    for lang in languages:
        extract_keywords("Warm up the keyword extractor with a short sentence.", lang)
        if normalize_language(lang) == "zh":
            _jieba()
