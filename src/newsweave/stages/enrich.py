"""Enrich stage: Article -> Enrichment (sentences, entities, dates, quotes, keywords).

Runs the understanding stages in order over a batch. Every sub-stage is guarded on its own: when
one fails on an article, the article keeps what the others computed and a note says what could
not be computed and why. Canonical entities are resolved through one corpus-wide EntityIndex.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence, TypeVar

from ..models import Article, Enrichment, Entity, Mention

T = TypeVar("T")

# Past this size an article is enriched on its head only: the stages are linear or worse in the
# text length, and a 5 MB "article" is a dump, not news.
MAX_ENRICH_CHARS = 200_000


@dataclass
class EnrichResult:
    enrichments: list[Enrichment] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)  # entities created or changed


class Enricher:
    """Loads the models once (setup) and enriches batches of articles."""

    def __init__(self, known_entities: Sequence[Entity] = ()) -> None:
        self._known = list(known_entities)
        self._ready = False

    def setup(self) -> None:
        """Load every model once (spaCy, natasha, punkt, dateparser tables, yake)."""
        if self._ready:
            return
        from . import dates, keywords, sentences
        from .canonical import EntityIndex
        from .entities import EntityRecognizer

        self.recognizer = EntityRecognizer()
        self.recognizer.setup()
        sentences.setup()
        dates.setup()
        keywords.setup()
        self.index = EntityIndex(self._known)
        self._ready = True

    def enrich(self, articles: Sequence[Article]) -> EnrichResult:
        """Enrich a batch; never raises for one bad article."""
        from .dates import find_dates
        from .entity_clean import clean_mentions, fix_types_by_majority
        from .keywords import extract_keywords
        from .quotes import find_quotes
        from .sentences import split_sentences

        self.setup()
        out = EnrichResult()
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
            raw = []
            for i, (t, a) in enumerate(zip(texts, articles)):
                raw.append(_guard(lambda: self.recognizer.recognize([(t, a.language)])[0], [],
                                  notes[i], "entities"))
        cleaned = [_guard(lambda: clean_mentions(ms, t), ms, notes[i], "entity cleaning")
                   for i, (ms, t) in enumerate(zip(raw, texts))]
        cleaned = _guard(lambda: fix_types_by_majority(cleaned), cleaned, [], "entity types")

        touched: dict[str, None] = {}
        for i, (a, text) in enumerate(zip(articles, texts)):
            lang = a.language
            sents = _guard(lambda: split_sentences(text, lang), [], notes[i], "sentences")
            mentions: list[Mention] = _guard(lambda: self.index.add_article(a.id, cleaned[i]),
                                             cleaned[i], notes[i], "canonical entities")
            for m in mentions:
                m.language = m.language or lang
                if m.entity_id:
                    touched[m.entity_id] = None
            found_dates = _guard(lambda: find_dates(text, lang, a.published), [], notes[i], "dates")
            persons = [m for m in mentions if m.type == "PER"]
            quotes = _guard(lambda: find_quotes(text, sents, persons, lang), [], notes[i], "quotes")
            for q in quotes:
                q.speaker_entity_id = q.speaker_entity_id or _speaker_id(q.speaker, persons)
            kws = _guard(lambda: extract_keywords(text, lang), [], notes[i], "keywords")
            if not sents:
                notes[i].append("no sentences found")
            out.enrichments.append(Enrichment(
                article_id=a.id, language=lang, sentences=sents, mentions=mentions,
                dates=found_dates, quotes=quotes, keywords=kws, notes=notes[i]))
        out.entities = [e for e in (self.index.get(eid) for eid in touched) if e is not None]
        return out


def _speaker_id(speaker: str | None, persons: list[Mention]) -> str | None:
    if not speaker:
        return None
    for m in reversed(persons):
        if speaker in (m.canonical, m.text):
            return m.entity_id
    return None


def _guard(fn: Callable[[], T], default: T, notes: list[str], what: str) -> T:
    """Run one sub-stage; on failure note it and return the default."""
    try:
        return fn()
    except Exception as e:  # one sub-stage failing must not lose the rest of the article
        notes.append(f"{what} could not be computed: {type(e).__name__}: {e}")
        return default
