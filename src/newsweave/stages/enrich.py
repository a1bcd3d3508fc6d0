"""Enrich stage: Article -> Enrichment (sentences, entities, dates, quotes, keywords).

Two phases. ``analyse`` is per article and needs no shared state (sentences, NER, cleaning,
within-article coreference, dates, quotes, keywords), so it can run in worker processes, each
loading the models once. ``link`` is sequential and corpus-wide: entity types by majority and
canonical entity ids through one EntityIndex. Every sub-stage is guarded on its own: when one
fails on an article, the article keeps what the others computed and a note says what could not be
computed and why.
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Sequence, TypeVar

from ..models import Article, Enrichment, Entity, Mention

T = TypeVar("T")

# Past this size an article is enriched on its head only: the stages are linear or worse in the
# text length, and a 5 MB "article" is a dump, not news.
MAX_ENRICH_CHARS = 100_000
# Below this many articles a worker pool costs more (loading models per worker) than it saves.
MIN_PARALLEL = 48


@dataclass
class EnrichResult:
    enrichments: list[Enrichment] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)  # entities created or changed


class Analyser:
    """The per-article half: models loaded once in setup()."""

    def __init__(self) -> None:
        self._ready = False

    def setup(self) -> None:
        """Load punkt, dateparser tables and yake once; each language's NER model (spaCy,
        natasha) is loaded the first time an article in that language comes."""
        if self._ready:
            return
        from . import dates, keywords, sentences
        from .entities import EntityRecognizer

        self.recognizer = EntityRecognizer()
        sentences.setup()
        dates.setup()
        keywords.setup()
        self._ready = True

    def analyse(self, articles: Sequence[Article]) -> list[Enrichment]:
        """Everything computable from one article alone; mentions not yet linked to entity ids."""
        from .canonical import resolve_article
        from .dates import find_dates
        from .entity_clean import clean_mentions
        from .keywords import extract_keywords
        from .quotes import find_quotes
        from .sentences import split_sentences

        self.setup()
        texts = [a.text[:MAX_ENRICH_CHARS] for a in articles]
        notes: list[list[str]] = [[] for _ in articles]
        for i, a in enumerate(articles):
            if len(a.text) > MAX_ENRICH_CHARS:
                notes[i].append(f"text is {len(a.text)} characters: enriched the first "
                                f"{MAX_ENRICH_CHARS} only")
            if not a.language:
                notes[i].append("language unknown: entities from names and gazetteer only")
        try:
            raw = self.recognizer.recognize([(t, a.language) for t, a in zip(texts, articles)])
        except Exception:  # fall back to one article at a time to isolate the bad one
            raw = [_guard(lambda: self.recognizer.recognize([(t, a.language)])[0], [],
                          notes[i], "entities") for i, (t, a) in enumerate(zip(texts, articles))]
        out = []
        for i, (a, text) in enumerate(zip(articles, texts)):
            lang = a.language
            ms = _guard(lambda: clean_mentions(raw[i], text), raw[i], notes[i], "entity cleaning")
            ms = _guard(lambda: resolve_article(ms), ms, notes[i], "coreference")
            for m in ms:
                m.language = m.language or lang
            sents = _guard(lambda: split_sentences(text, lang), [], notes[i], "sentences")
            if not sents:
                notes[i].append("no sentences found")
            found_dates = _guard(lambda: find_dates(text, lang, a.published), [], notes[i], "dates")
            persons = [m for m in ms if m.type == "PER"]
            quotes = _guard(lambda: find_quotes(text, sents, persons, lang), [], notes[i], "quotes")
            kws = _guard(lambda: extract_keywords(text, lang), [], notes[i], "keywords")
            out.append(Enrichment(article_id=a.id, language=lang, sentences=sents, mentions=ms,
                                  dates=found_dates, quotes=quotes, keywords=kws, notes=notes[i]))
        return out


@lru_cache(maxsize=1)
def shared_analyser() -> Analyser:
    """One Analyser per process: its models are loaded once however many batches or stores."""
    a = Analyser()
    a.setup()
    return a


class Enricher:
    """Enriches batches: analyse (in-process or in a worker pool), then link entities."""

    def __init__(self, known_entities: Sequence[Entity] = (), workers: int = 1) -> None:
        self._known = list(known_entities)
        self.workers = max(1, workers)
        self._analyser: Analyser | None = None
        self._pool: ProcessPoolExecutor | None = None
        self.index = None

    def setup(self) -> None:
        """Build the entity index; load the models here unless workers do it."""
        if self.index is None:
            from .canonical import EntityIndex

            self.index = EntityIndex(self._known)
        if self.workers == 1 and self._analyser is None:
            self._analyser = shared_analyser()

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _analyse(self, articles: Sequence[Article]) -> list[Enrichment]:
        if self.workers == 1 or len(articles) < MIN_PARALLEL:
            if self._analyser is None:
                self._analyser = shared_analyser()
            return self._analyser.analyse(articles)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, initializer=_worker_init)
        step = -(-len(articles) // (self.workers * 2))
        chunks = [list(articles[i:i + step]) for i in range(0, len(articles), step)]
        return [e for part in self._pool.map(_worker_analyse, chunks) for e in part]

    def enrich(self, articles: Sequence[Article]) -> EnrichResult:
        """Enrich a batch; never raises for one bad article."""
        from .entity_clean import fix_types_by_majority

        self.setup()
        partial = self._analyse(articles)
        mentions = [e.mentions for e in partial]
        mentions = _guard(lambda: fix_types_by_majority(mentions), mentions, [], "entity types")
        out = EnrichResult()
        touched: dict[str, None] = {}
        for e, ms in zip(partial, mentions):
            linked: list[Mention] = _guard(lambda: self.index.add_article(e.article_id, ms), ms,
                                           e.notes, "canonical entities")
            for m in linked:
                m.language = m.language or e.language
                if m.entity_id:
                    touched[m.entity_id] = None
            persons = [m for m in linked if m.type == "PER"]
            quotes = [replace(q, speaker=_canonical(q.speaker, persons) or q.speaker,
                              speaker_entity_id=q.speaker_entity_id or _speaker_id(q.speaker, persons))
                      for q in e.quotes]
            out.enrichments.append(replace(e, mentions=linked, quotes=quotes))
        out.entities = [x for x in (self.index.get(eid) for eid in touched) if x is not None]
        return out


_WORKER: Analyser | None = None


def _worker_init() -> None:
    global _WORKER
    _WORKER = Analyser()
    _WORKER.setup()


def _worker_analyse(chunk: list[Article]) -> list[Enrichment]:
    assert _WORKER is not None
    return _WORKER.analyse(chunk)


def _match(speaker: str | None, persons: list[Mention]) -> Mention | None:
    if not speaker:
        return None
    for m in reversed(persons):
        if speaker in (m.canonical, m.text):
            return m
    return None


def _speaker_id(speaker: str | None, persons: list[Mention]) -> str | None:
    m = _match(speaker, persons)
    return m.entity_id if m else None


def _canonical(speaker: str | None, persons: list[Mention]) -> str | None:
    m = _match(speaker, persons)
    return m.canonical if m else None


def _guard(fn: Callable[[], T], default: T, notes: list[str], what: str) -> T:
    """Run one sub-stage; on failure note it and return the default."""
    try:
        return fn()
    except Exception as e:  # one sub-stage failing must not lose the rest of the article
        notes.append(f"{what} could not be computed: {type(e).__name__}: {e}")
        return default
