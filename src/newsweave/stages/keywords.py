"""Keywords: article text -> the n best key phrases with YAKE scores (lower = better).

YAKE is unsupervised and ships stopword lists for ~35 languages, but it is pure Python and costs
~0.15 ms per word here (about 100 ms for a 600-word article, more than the whole enrichment
budget), so it reads only the head of the article: news puts who/what/where in the first
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

# ~250 words of English: measured ~25-35 ms per article for YAKE on this machine.
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
        raw = _extractor(_YAKE_LANG.get(lang, lang), n * 3, ngram).extract_keywords(body)
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
        out.append((phrase, float(score)))
        if len(out) == n:
            break
    return out


def setup(languages: tuple[str, ...] = ("en",)) -> None:
    """Load YAKE's stopwords (and jieba's dictionary when "zh" is listed) once."""
    for lang in languages:
        extract_keywords("Warm up the keyword extractor with a short sentence.", lang)
        if normalize_language(lang) == "zh":
            _jieba()
