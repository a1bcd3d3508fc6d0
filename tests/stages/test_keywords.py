"""YAKE keywords: seeds, languages, Chinese segmentation, bad input and speed."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsweave.stages.keywords import extract_keywords

BOILERPLATE = ("Yustika", "I’m passionate", "I'm passionate", "That’s why", "That's why",
               "Russian President Vladimir Putin, Defense Minister", "► READ ALSO")


def seed_text(seeds_dir: Path, prefix: str) -> str:
    path = next(seeds_dir.glob(f"{prefix}_*.txt"))
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return "\n\n".join(l for l in lines if len(l.split()) >= 12 and not l.startswith(BOILERPLATE))


def test_seed_keywords(seeds_dir):
    for prefix in ("000", "004"):
        got = extract_keywords(seed_text(seeds_dir, prefix), "en")
        assert 5 <= len(got) <= 10
        scores = [s for _, s in got]
        assert scores == sorted(scores), "best (lowest score) first"
        words = " ".join(k for k, _ in got).lower()
        assert "moscow" in words or "putin" in words or "li shangfu" in words


def test_deduplicated_and_no_stopword_edges(seeds_dir):
    got = extract_keywords(seed_text(seeds_dir, "000"), "en", n=10)
    phrases = [k.lower() for k, _ in got]
    assert len(set(phrases)) == len(phrases)
    for p in phrases:
        first, last = p.split()[0], p.split()[-1]
        assert first not in {"the", "of", "and", "a", "to"} and last not in {"the", "of", "and", "a", "to"}


def test_n_is_respected():
    text = ("Chinese Defence Minister Li Shangfu met Russian President Vladimir Putin in Moscow. "
            "The two discussed military cooperation, joint exercises and arms sales. ") * 3
    assert len(extract_keywords(text, "en", n=3)) <= 3
    assert extract_keywords(text, "en", n=0) == []


def test_french_stopwords():
    text = ("Le ministre chinois de la Défense Li Shangfu a rencontré Vladimir Poutine à Moscou. "
            "Les deux pays renforcent leur coopération militaire face aux pays occidentaux.")
    got = [k.lower() for k, _ in extract_keywords(text, "fr", 5)]
    assert got and not any(k.split()[0] in {"le", "la", "de", "les", "à"} for k in got)


def test_chinese_is_segmented():
    text = ("中国国防部长李尚福在莫斯科会见了俄罗斯总统普京。双方讨论了两国军事合作问题。"
            "李尚福表示，中俄关系已经进入新时代。普京称赞了两军联合演习。")
    got = [k for k, _ in extract_keywords(text, "zh", 5)]
    assert got
    assert all(" " not in k for k in got), "CJK words are re-joined without spaces"
    assert all(len(k) < 20 for k in got), "segmented into words, not whole clauses"


@pytest.mark.parametrize("text", ["", "   ", "123 456 !!!", "\x00\x01", "Ã©tÃ© Ã  Paris Â« non Â»"])
def test_bad_input(text):
    got = extract_keywords(text, "fr")
    assert isinstance(got, list)


def test_five_megabytes_is_capped():
    text = "Moscow talks between China and Russia on military cooperation. " * 80_000
    start = time.perf_counter()
    assert extract_keywords(text, "en")
    assert time.perf_counter() - start < 5


def test_speed_on_real_articles():
    import json

    from tests.conftest import shared_path

    rows = [json.loads(l) for l in shared_path("eval", "clustering", "articles.jsonl").open()]
    rows = [r for r in rows if r.get("text") and r.get("language") == "en"][:40]
    extract_keywords("Warm up the extractor.", "en")
    start = time.perf_counter()
    for r in rows:
        extract_keywords(r["text"], "en")
    per_article = (time.perf_counter() - start) / len(rows)
    # generous: yake-rust is ~4 ms here (the reference package 20-35 ms) on an idle machine; the
    # bound catches an uncapped input
    assert per_article < 0.15, f"{per_article * 1000:.1f} ms per article"


def test_ties_ranked_by_phrase_and_scores_rounded():
    from newsweave.stages import keywords

    got = keywords._yake("Lycos Europe stirred a formidable enemy. Spammers fought the Lycos site.",
                         "en", 20, 3)
    assert got == sorted(got, key=lambda ps: (ps[1], ps[0]))
    assert all(s == float(f"{s:.10g}") for _, s in got)


def test_reference_yake_when_yake_rust_fails(monkeypatch):
    from newsweave.stages import keywords

    class Panics:
        def get_n_best(self, text, n):
            raise type("PanicException", (BaseException,), {})("unwrap on None")

    text = "Moscow talks between China and Russia on military cooperation began on Sunday."
    monkeypatch.setattr(keywords, "_fast_extractor", lambda lang, ngram=3: Panics())
    got = extract_keywords(text, "en")
    assert got and any("Moscow" in k or "China" in k for k, _ in got)
