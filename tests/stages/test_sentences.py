"""Sentence splitting on the seeds, hard cases per language, and bad input."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsweave.stages.sentences import split_sentences

BOILERPLATE = ("Yustika", "I’m passionate", "I'm passionate", "That’s why", "That's why",
               "Russian President Vladimir Putin, Defense Minister", "► READ ALSO")


def seed_text(seeds_dir: Path, prefix: str) -> str:
    """The article paragraphs of one seed, without its boilerplate lines."""
    path = next(seeds_dir.glob(f"{prefix}_*.txt"))
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    paras = [l for l in lines if len(l.split()) >= 12 and not l.startswith(BOILERPLATE)]
    return "\n\n".join(paras)


def texts(text: str, language: str | None) -> list[str]:
    out = split_sentences(text, language)
    for i, s in enumerate(out):
        assert s.index == i
        assert text[s.start:s.end] == s.text, "offsets must index the input text"
    return [s.text for s in out]


def test_seed_sentences_have_exact_offsets(seeds_dir):
    for prefix in ("000", "004"):
        text = seed_text(seeds_dir, prefix)
        got = texts(text, "en")
        assert 8 <= len(got) <= 40
        assert all(s == s.strip() and s for s in got)


def test_seed_quote_sentence_kept_whole(seeds_dir):
    got = texts(seed_text(seeds_dir, "000"), "en")
    assert any(s.startswith("The defence minister also stated") and s.endswith("defence ministry.")
               for s in got)
    got = texts(seed_text(seeds_dir, "004"), "en")
    assert ('Li Shangfu said that in his opinion, current Russian-Chinese ties "go beyond the '
            'military-political alliances of the Cold War era."') in got


def test_english_abbreviations_initials_and_quotes():
    text = ('The U.S. Gen. Smith met Dr. Jones in Washington. J. R. R. Tolkien wrote it. '
            'He said: "It is over. We won." Then he left. George W. Bush agreed.')
    assert texts(text, "en") == [
        "The U.S. Gen. Smith met Dr. Jones in Washington.",
        "J. R. R. Tolkien wrote it.",
        'He said: "It is over. We won."',
        "Then he left.",
        "George W. Bush agreed.",
    ]


def test_quote_followed_by_attribution_is_one_sentence():
    text = "“Why speculate?” Mr. Gowdy added. “We should follow the facts.”"
    assert texts(text, "en") == ["“Why speculate?” Mr. Gowdy added.", "“We should follow the facts.”"]


def test_paragraph_breaks_always_split():
    text = "A headline without a full stop\nThe first sentence. The second one.\n\nAnother paragraph"
    assert texts(text, "en") == ["A headline without a full stop", "The first sentence.",
                                 "The second one.", "Another paragraph"]


def test_french_guillemets_and_titles():
    text = "Le président a dit : « C'est fini. Nous avons gagné. » Puis il est parti. M. Dupont est là."
    assert texts(text, "fr") == ["Le président a dit : « C'est fini. Nous avons gagné. »",
                                 "Puis il est parti.", "M. Dupont est là."]


def test_german_low_high_quotes_and_ordinals():
    text = "Er sagte: „Es ist vorbei. Wir haben gewonnen.“ Dann ging er. Am 16. April kam er z.B. an."
    assert texts(text, "de") == ["Er sagte: „Es ist vorbei. Wir haben gewonnen.“", "Dann ging er.",
                                 "Am 16. April kam er z.B. an."]


def test_russian():
    text = "Он сказал: «Всё кончено. Мы победили». Потом ушёл. В 1990 г. он родился."
    assert texts(text, "ru") == ["Он сказал: «Всё кончено. Мы победили».", "Потом ушёл.",
                                 "В 1990 г. он родился."]


@pytest.mark.parametrize("language", ["zh", None, "zh-CN"])
def test_chinese_without_spaces(language):
    text = "李尚福访问俄罗斯。他说：“我们赢了。”然后离开了！真的吗？"
    assert texts(text, language) == ["李尚福访问俄罗斯。", "他说：“我们赢了。”", "然后离开了！", "真的吗？"]


def test_unknown_language_uses_regex_fallback():
    assert texts("Hello world. This is a test! Really? Yes.", "xx") == [
        "Hello world.", "This is a test!", "Really?", "Yes."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\x00\x01"])
def test_empty_and_blank(text):
    assert texts(text, "en") in ([], ["\x00\x01"])


def test_mojibake_does_not_crash():
    text = "Ã©tÃ© Ã  Paris. Le prÃ©sident a dit Â« non Â». \ufffd\ufffd Fin."
    got = texts(text, "fr")
    assert got and "".join(got).replace(" ", "") == text.replace(" ", "")


def test_five_megabytes_is_fast():
    para = ("The minister met the president in Moscow. They discussed cooperation, he said. "
            "Dr. Smith disagreed. ") * 40
    text = (para + "\n") * (5_000_000 // (len(para) + 1))
    start = time.perf_counter()
    got = split_sentences(text, "en")
    assert time.perf_counter() - start < 20
    assert len(got) > 10_000
    blob = "x" * 5_000_000  # no boundary anywhere
    start = time.perf_counter()
    assert split_sentences(blob, "en")
    assert time.perf_counter() - start < 20


def test_speed_on_real_articles():
    """~600-word articles split in a few ms each (the whole enrichment budget is ~66 ms)."""
    import json

    from tests.conftest import shared_path

    rows = [json.loads(l) for l in shared_path("eval", "clustering", "articles.jsonl").open()]
    rows = [r for r in rows if r.get("text") and r.get("language") == "en"][:100]
    split_sentences("Warm up. Done.", "en")
    start = time.perf_counter()
    for r in rows:
        split_sentences(r["text"], "en")
    per_article = (time.perf_counter() - start) / len(rows)
    assert per_article < 0.02, f"{per_article * 1000:.1f} ms per article"
