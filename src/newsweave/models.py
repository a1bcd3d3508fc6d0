"""Dataclasses passed between stages. Stages never pass loose dicts."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Literal

RawKind = Literal["text", "html", "record"]


@dataclass
class RawItem:
    """One article as received from a source, before extraction.

    ``kind`` says how to read ``content``: plain text, HTML, or a structured record whose
    ``content`` is the text (or HTML when ``is_html``) and whose other fields came with it.
    """

    source: str  # where it came from: path, path:line, URL, feed URL#entry, warc path#offset
    kind: RawKind
    content: str
    id: str | None = None  # public id given by the input (file stem, record "id")
    url: str | None = None
    title: str | None = None
    published: datetime | None = None
    outlet: str | None = None
    author: str | None = None
    language: str | None = None
    description: str | None = None
    fetched_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)


DateSource = Literal["given", "markup", "text", "url", "ingest"]


@dataclass
class Article:
    """A clean article: main text without boilerplate, plus its metadata."""

    id: str
    title: str
    text: str
    source: str
    url: str | None = None
    canonical_url: str | None = None
    published: datetime | None = None
    date_source: DateSource = "ingest"  # "ingest": no date found, placed by ingest time
    outlet: str | None = None
    author: str | None = None
    language: str | None = None
    description: str | None = None
    caption: str | None = None  # photo caption, kept apart from the body
    ingested_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    duplicate_of: str | None = None
    notes: list[str] = field(default_factory=list)  # what could not be computed, and why

    @property
    def content_hash(self) -> str:
        """Hash of the normalized text: equal for exact duplicates."""
        return text_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("published", "ingested_at"):
            if d[k] is not None:
                d[k] = d[k].isoformat()
        return d


def normalize_text(text: str) -> str:
    """Lower-cased, NFKC, punctuation-insensitive, whitespace-folded text for exact-dup checks."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = re.sub(r"[^\w]+", " ", t)
    return t.strip()


def text_hash(text: str) -> str:
    return hashlib.sha1(normalize_text(text).encode("utf-8")).hexdigest()


def stable_id(prefix: str, value: str) -> str:
    """A short stable public id derived from a URL or a text."""
    return f"{prefix}_{hashlib.sha1(value.encode('utf-8')).hexdigest()[:16]}"


@dataclass
class AddResult:
    """What the store did with one batch."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (new id, id of original)
    unchanged: list[str] = field(default_factory=list)  # already stored under this id
    # refused: the id is already taken by an article with another text and another canonical URL
    # (source of the refused article, id, source of the stored one); nothing stored was changed
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Failure:
    """One input or item that could not be processed, and why."""

    item: str
    reason: str
    stage: str = "ingest"


@dataclass
class IngestReport:
    """Summary of one ingest run."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class SearchHit:
    id: str
    title: str
    outlet: str | None
    published: datetime | None
    snippet: str
    score: float


# ---- understanding (enrichment) ------------------------------------------------------------

EntityType = Literal["PER", "ORG", "LOC", "MISC"]


@dataclass
class Sentence:
    index: int
    start: int  # character offsets into Article.text
    end: int
    text: str


@dataclass
class Mention:
    """A named-entity mention in one article."""

    text: str
    start: int
    end: int
    type: EntityType
    language: str | None = None
    canonical: str | None = None  # canonical name after within-article and corpus resolution
    entity_id: str | None = None  # stable key of the canonical entity


@dataclass
class DateMention:
    """A date expression resolved to a calendar range (single day: start == end)."""

    text: str
    start: int
    end: int
    date_from: date
    date_to: date
    granularity: Literal["day", "week", "month", "year"] = "day"


@dataclass
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None
    kind: Literal["direct", "reported"] = "direct"
    cue: str | None = None  # the reporting verb or phrase ("said", "according to")
    speaker_entity_id: str | None = None


@dataclass
class Entity:
    """One canonical real-world person, place, organisation or other named thing."""

    id: str
    name: str
    type: EntityType
    variants: dict[str, list[str]] = field(default_factory=dict)  # variant -> languages
    article_count: int = 0


@dataclass
class Enrichment:
    """Everything the understanding stages computed for one article."""

    article_id: str
    language: str | None
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    keywords: list[tuple[str, float]] = field(default_factory=list)  # (phrase, score: lower=better)
    notes: list[str] = field(default_factory=list)


@dataclass
class SentenceVectors:
    """Multilingual vectors of the sentences an event report compares (stages/sentvec.py),
    stored with the article so that a report never embeds them again: ``key`` fingerprints the
    enrichment's sentences they were computed from (an article enriched again no longer
    matches and is embedded anew), ``indexes`` are those sentences' indexes, ``vectors`` a
    (len(indexes), 512) float32 array of L2-normalised rows."""

    article_id: str
    key: str
    indexes: list[int]
    vectors: Any


# ---- grouping --------------------------------------------------------------------------------


@dataclass
class StoredFeatures:
    """What the grouping stages keep per article so that events can be rebuilt without
    re-embedding: article and lead vectors (float32 arrays), lexical weights, entity ids, and
    the copy detector's signature of the text."""

    article_id: str
    vector: Any  # numpy (512,) float32, L2-normalised
    lead: Any  # numpy (512,) float32
    # term -> TF-IDF weight; a store hands out a mapping that decodes itself on first use
    # (serialize.JSONMapping): grouping a large store reads every article's weights but compares
    # only a few.
    lexical: Mapping[str, float] = field(default_factory=dict)
    entities: list[str] = field(default_factory=list)
    title: Any = None  # numpy (512,) float32 headline vector, or None (no headline)
    # numpy (128,) uint32 MinHash signature of the text (stages/dedup.signature), which the copy
    # detector compares; empty: too short to compare; None: not computed (features stored before
    # signatures were: the detector hashes the text then).
    minhash: Any = None


@dataclass
class Event:
    """One real-world event: the articles that report it."""

    id: str
    title: str
    date: date | None  # first publication day among its articles
    article_ids: list[str] = field(default_factory=list)
    first_published: datetime | None = None
    last_published: datetime | None = None
    n_sources: int = 0  # independent outlets (copies not counted)
    languages: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    story_id: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class Story:
    """A storyline: successive events about the same main entities and place."""

    id: str
    title: str
    event_ids: list[str] = field(default_factory=list)
    first_date: date | None = None
    last_date: date | None = None
