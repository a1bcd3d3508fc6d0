"""The Store protocol: every backend (SQLite, PostgreSQL) implements it and passes
the conformance suite shipped in ``newsweave.testing``."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from datetime import date, datetime, time, timezone
from typing import Any, Iterator, Protocol, Sequence, runtime_checkable

from ..models import (AddResult, Article, Enrichment, Entity, Event, SearchHit,
                      SentenceVectors, Story, StoredFeatures)


@dataclass
class StoreStats:
    articles: int = 0
    duplicates: int = 0
    outlets: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    first_published: datetime | None = None
    last_published: datetime | None = None
    undated: int = 0  # articles placed by ingest time (no date found)
    extra: dict[str, int] = field(default_factory=dict)  # counts later stages add (entities, events…)


@dataclass
class DuplicateRecord:
    id: str
    original_id: str
    reason: str  # "url" | "text"
    source: str
    url: str | None
    recorded_at: datetime | None = None  # filled by iter_duplicates (copying a store)


def article_columns(columns: Sequence[str], prefix: str = "", text: bool = True) -> str:
    """The SELECT list of an article row; ``text=False`` reads the long columns (text,
    description, caption) as empty, which is all grouping needs of most stored articles."""
    empty = {"text": "''", "description": "NULL", "caption": "NULL"}
    return ", ".join(f"{empty[c]} AS {c}" if not text and c in empty else f"{prefix}{c}"
                     for c in columns)


def time_bounds(since: datetime | date | None, until: datetime | date | None
                ) -> tuple[datetime | None, datetime | None]:
    """Aware UTC bounds from datetimes or days (a day ``until`` includes the whole day)."""
    def aware(d: datetime | date | None, end: bool) -> datetime | None:
        if d is None:
            return None
        if not isinstance(d, datetime):
            d = datetime.combine(d, time.max if end else time.min)
        return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d.astimezone(timezone.utc)

    return aware(since, False), aware(until, True)


STEM_MIN = 4  # shorter stems would match too much as prefixes ("war*": warn, ward, warm)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from nltk.stem.snowball import SnowballStemmer  # lazy: only search needs it

    return SnowballStemmer("english")


# British and American spellings of one stem ("defenc"/"defens", "organis"/"organiz",
# "labour"/"labor", "centr"/"center"): news outlets write either, a search should find both.
# Prefixes that do not exist match nothing, so a rule that misfires costs nothing.
_SPELLINGS = ((r"enc$", "ens"), (r"ens$", "enc"), (r"is$", "iz"), (r"iz$", "is"), (r"ys$", "yz"),
              (r"yz$", "ys"), (r"our$", "or"), (r"(?<=[^aeiou])or$", "our"), (r"tr$", "ter"),
              (r"ter$", "tr"),
              (r"(?<=[^aeiou])i$", "y"))  # Snowball's own y -> i: "citi" must also find "city"


def query_terms(query: str) -> list[tuple[str | None, tuple[str, ...]]]:
    """The words of a search query as (word to match exactly, stems to match as prefixes):
    "protesters" -> (None, ("protest",)), which finds protest, protests, protested and
    protesters; "defence" -> (None, ("defenc", "defens")); "cities" -> ("cities", ("citi",));
    "war" -> ("war", ()). The stores index words as written (no stemmer: articles come in every
    language), so inflections and spellings are matched here, on the query side. Snowball's
    English rules: other languages' words mostly come through whole, which only makes them a
    prefix of themselves. The exact word is left out when a prefix covers it (a token matched
    twice loses its highlight in FTS5's snippets)."""
    out: list[tuple[str | None, tuple[str, ...]]] = []
    for w in re.findall(r"\w+", query, flags=re.UNICODE):
        w = w.lower()
        stem = _stemmer().stem(w) if w.isalpha() else ""  # numbers and codes: as written
        if len(stem) < STEM_MIN:
            out.append((w, ()))
            continue
        stems = tuple(dict.fromkeys(
            [stem] + [re.sub(pat, rep, stem) for pat, rep in _SPELLINGS if re.search(pat, stem)]))
        out.append((None if any(w.startswith(x) for x in stems) else w, stems))
    return out


def boolean_query(query: str, word: str, prefix: str, either: str, join: str) -> str:
    """A store's boolean query for free text (query_terms): each word as ``word`` or its stems as
    ``prefix`` (format strings with {}), alternatives joined by ``either``, words by ``join``."""
    def group(exact: str | None, stems: tuple[str, ...]) -> str:
        alts = ([word.format(exact)] if exact else []) + [prefix.format(s) for s in stems]
        return alts[0] if len(alts) == 1 else f"({either.join(alts)})"

    return join.join(group(w, s) for w, s in query_terms(query))


def marks_split_words(query: str) -> bool:
    """Does the query hold vowel signs or other combining marks (Devanagari, Bengali, Thai...)?
    FTS5's unicode61 tokenizer and PostgreSQL's 'simple' parser break words at them ("बारिश"
    becomes ब, र, श), so such words would match any text with the same letters: the stores
    search those queries as substrings."""
    return any(unicodedata.category(c) in ("Mn", "Mc") for c in unicodedata.normalize("NFC", query))


def same_article(a: Article, stored_hash: str | None, stored_canonical_url: str | None) -> bool:
    """Is ``a`` the article already stored under its id: the same text, or the same page (a
    canonical URL fetched again after an edit)? Otherwise the id is taken by another article."""
    return a.content_hash == stored_hash or (
        bool(a.canonical_url) and a.canonical_url == stored_canonical_url)


@runtime_checkable
class Store(Protocol):
    """Where articles and everything computed from them live."""

    #: True when ``nearest_articles`` is served by an approximate nearest-neighbour index inside the
    #: store (PostgreSQL: pgvector HNSW), so the event clusterer searches its candidates there;
    #: False when it is a scan (SQLite), and the clusterer builds its own in-process index.
    vector_index: bool

    def add_articles(self, articles: Sequence[Article]) -> AddResult:
        """Store a batch in one transaction; exact duplicates are recorded, not stored."""
        ...

    def get_article(self, article_id: str) -> Article | None:
        """One article by its public id (a recorded duplicate resolves to None)."""
        ...

    def list_articles(self, limit: int = 50, offset: int = 0, *, language: str | None = None,
                      outlet: str | None = None) -> list[Article]:
        """Articles newest first (publication date, else ingest time)."""
        ...

    def iter_articles(self, *, order: str = "published", text: bool = True
                      ) -> "Sequence[Article] | object":
        """All articles, oldest first by publication date (for re-processing); ``text=False``:
        without their text, description and caption (empty), a lighter read for grouping."""
        ...

    def count_articles(self) -> int:
        """How many articles are stored."""
        ...

    def duplicates_of(self, article_id: str) -> list[DuplicateRecord]:
        """The recorded exact duplicates of one stored article."""
        ...

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over title and text, best first, with a snippet."""
        ...

    def stats(self) -> StoreStats:
        """Counts for `newsweave stats`."""
        ...

    def save_enrichments(self, items: Sequence[Enrichment], entities: Sequence[Entity]) -> None:
        """Replace these articles' enrichment and upsert the entities, in one transaction."""
        ...

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        """Sentences, mentions, dates, quotes and keywords stored for one article."""
        ...

    def unenriched_article_ids(self) -> list[str]:
        """Articles stored without enrichment, oldest first."""
        ...

    def list_entities(self, limit: int = 50, offset: int = 0, *, type: str | None = None
                      ) -> list[Entity]:
        """Canonical entities, most articles first, with article counts."""
        ...

    def all_entities(self) -> list[Entity]:
        """Every canonical entity."""
        ...

    def get_entity(self, key: str) -> Entity | None:
        """An entity by id, canonical name or name variant (case-insensitive)."""
        ...

    def entity_article_ids(self, entity_id: str) -> list[str]:
        """Articles mentioning an entity, newest first."""
        ...

    def save_features(self, items: Sequence[StoredFeatures]) -> None:
        """Store or replace articles' grouping features, in one transaction."""
        ...

    def load_features(self, article_ids: Sequence[str] | None = None) -> list[StoredFeatures]:
        """Stored grouping features, in publication order."""
        ...

    def articles_without_features(self) -> list[str]:
        """Articles not featurised yet, oldest first."""
        ...

    def save_sentence_vectors(self, items: Sequence[SentenceVectors]) -> None:
        """Store or replace articles' report sentence vectors (stages/sentvec.py), in one
        transaction."""
        ...

    def load_sentence_vectors(self, article_ids: Sequence[str]) -> dict[str, SentenceVectors]:
        """The stored report sentence vectors of these articles (those that have some)."""
        ...

    def articles_without_sentence_vectors(self) -> list[str]:
        """Enriched articles that have no report sentence vectors stored, oldest first."""
        ...

    def replace_events(self, events: Sequence[Event], copies: dict[str, str],
                       stories: Sequence[Story]) -> None:
        """Replace all events, memberships (with copy_of) and stories in one transaction."""
        ...

    def update_events(self, events: Sequence[Event], removed: Sequence[str],
                      copies: dict[str, str], stories: Sequence[Story], *, version: int) -> bool:
        """Write these events (each replacing its row and memberships), delete the removed
        ids, make the stories exactly ``stories``, leave every other event as it is; one
        transaction (a grouping that changed a few events does not rewrite them all), made
        only while the grouping version is still ``version``: False, and nothing written, when
        another process replaced the grouping since."""
        ...

    def list_events(self, limit: int = 50, offset: int = 0, *, language: str | None = None,
                    outlet: str | None = None, entity: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    min_articles: int = 1) -> list[Event]:
        """Events, most recently updated first, with filters."""
        ...

    def count_events(self) -> int:
        """How many events are stored."""
        ...

    def grouping_version(self) -> int:
        """How many times the events were replaced (``replace_events``), by any process."""
        ...

    def get_event(self, event_id: str) -> Event | None:
        """One event with its article ids in publication order."""
        ...

    def event_of_article(self, article_id: str) -> tuple[str | None, str | None]:
        """(event id, original it copies) of one article."""
        ...

    def copies_in_event(self, event_id: str) -> dict[str, str]:
        """Copy id -> original id within one event."""
        ...

    def event_memberships(self) -> dict[str, tuple[str, str | None]]:
        """Every grouped article id -> (its event id, the original it copies or None): what a
        new process rebuilds the grouping from (``Grouper.restore``)."""
        ...

    def event_story_ids(self) -> dict[str, str | None]:
        """Every stored event id -> the id of its storyline or None: with ``event_memberships``,
        what lets a new process write only the events its ingest changed."""
        ...

    def list_stories(self, limit: int = 50, offset: int = 0) -> list[Story]:
        """Storylines, newest first."""
        ...

    def get_story(self, story_id: str) -> Story | None:
        """One storyline with its event ids in date order, or None."""
        ...

    def get_feed_state(self, url: str) -> dict | None:
        """Conditional-GET state of one feed, or None."""
        ...

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None,
                       checked_at: datetime, error: str | None) -> None:
        """Remember a feed's ETag/Last-Modified and last error."""
        ...

    def nearest_articles(self, vector: Any, k: int, since: datetime | date | None = None,
                         until: datetime | date | None = None) -> list[tuple[str, float]]:
        """(article id, cosine similarity) of the k stored feature vectors nearest to ``vector``,
        best first (ties by id); ``since``/``until`` bound the publication time, inclusive, and
        undated articles always pass; zero vectors are never returned."""
        ...

    def cache_path(self, name: str) -> Path | None:
        """A file, beside the store, where something derived from it can be kept for the next
        process (``name`` tells them apart; the content is checked by whoever reads it, and the
        file may be deleted at any time); None when the store has no such place (an in-memory
        or server store)."""
        ...

    # -- reading everything out (copying a store) ---------------------------------------------

    def iter_stored_articles(self) -> Iterator[Article]:
        """Every article in the order it was stored."""
        ...

    def iter_duplicates(self) -> list[DuplicateRecord]:
        """Every recorded duplicate (with recorded_at), in the order recorded."""
        ...

    def import_duplicates(self, records: Sequence[DuplicateRecord]) -> None:
        """Record duplicates as given (their originals must be stored); known ids are kept."""
        ...

    def iter_feed_states(self) -> list[dict]:
        """The state of every polled feed (url, etag, last_modified, checked_at, error), by URL."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def event_filter_sql(ph: str, *, min_articles: int = 1, language: str | None = None,
                     outlet: str | None = None, entity: str | None = None,
                     date_from: str | None = None, date_to: str | None = None,
                     date_col: str = "e.date") -> tuple[list[str], list[Any]]:
    """WHERE clauses and parameters of the events list, for any backend's placeholder ``ph``."""
    member = ("EXISTS (SELECT 1 FROM event_articles ea JOIN articles a ON a.id = ea.article_id "
              "WHERE ea.event_id = e.id AND a.{} = " + ph + ")")
    where, params = [f"e.n_articles >= {ph}"], [min_articles]
    for clause, value in (
            (member.format("language"), language),
            (member.format("outlet"), outlet),
            ("EXISTS (SELECT 1 FROM event_articles ea JOIN mentions m ON m.article_id = "
             f"ea.article_id WHERE ea.event_id = e.id AND m.entity_id = {ph})", entity),
            (f"{date_col} >= {ph}", date_from),
            (f"{date_col} <= {ph}", date_to)):
        if value:
            where.append(clause)
            params.append(value)
    return where, params
