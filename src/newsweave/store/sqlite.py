"""The embedded store: stdlib sqlite3, WAL, foreign keys, numbered migrations, FTS5."""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import StoreError
from ..models import (AddResult, Article, Entity, Enrichment, Event, SearchHit,
                      SentenceVectors, Story, StoredFeatures)
from . import serialize as ser
from .base import (DuplicateRecord, StoreStats, article_columns, boolean_query,
                   event_filter_sql, marks_split_words, same_article, time_bounds)

_ARTICLE_COLS = ("id", "title", "text", "source", "url", "canonical_url", "published",
                 "date_source", "outlet", "author", "language", "description", "caption",
                 "content_hash", "ingested_at", "notes")


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _d(value: "date | None") -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> "date | None":
    return date.fromisoformat(value) if value else None


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migration scripts shipped with the package: (number, name, sql)."""
    out = []
    for entry in resources.files("newsweave.store").joinpath("migrations").iterdir():
        m = re.match(r"(\d+)_.*\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def fts_query(query: str, any_word: bool = False) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, or its stems as prefixes
    (base.query_terms); all of them required, or ``any_word``."""
    return boolean_query(query, '"{}"', '"{}"*', " OR ", " OR " if any_word else " AND ")


class SQLiteStore:
    """Store on one SQLite file (or ':memory:')."""

    vector_index = False  # nearest_articles scans the stored vectors

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot open store {self.path}: folder {parent} does not exist")
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 10000")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
            self._lock = threading.RLock()
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot open store {self.path}: {e}") from e

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything in it lands, or nothing does."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                # BaseException: a Ctrl-C mid-batch must roll back too.
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction whose database errors become StoreErrors saying what was lost."""
        try:
            with self.transaction() as c:
                yield c
        except sqlite3.DatabaseError as e:
            raise StoreError(f"store {self.path}: {what}: {e}") from e

    def _migrate(self) -> None:
        self._conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        done = {r[0] for r in self._conn.execute("SELECT version FROM schema_migrations")}
        for number, name, sql in migrations():
            if number in done:
                continue
            with self.transaction() as c:
                # executescript would COMMIT our transaction; run statements one by one instead.
                for stmt in _split_sql(sql):
                    c.execute(stmt)
                c.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                          (number, name, _iso(datetime.now(timezone.utc))))

    def schema_version(self) -> int:
        row = self._conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def cache_path(self, name: str) -> Path | None:
        """``<store file>.<name>`` (None in memory)."""
        if self.path == ":memory:":
            return None
        return Path(f"{self.path}.{name}").expanduser()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self._query_rows(sql, params))

    def _query_rows(self, sql: str, params: Sequence[Any] = (), size: int = 1000
                    ) -> Iterator[sqlite3.Row]:
        """The rows of a large read, fetched ``size`` at a time (the caller converts each batch
        before the next is read, instead of holding every raw row beside its conversion)."""
        try:
            with self._lock:
                cur = self._conn.execute(sql, params)
                while rows := cur.fetchmany(size):
                    yield from rows
        except sqlite3.DatabaseError as e:
            raise StoreError(f"store {self.path}: {e}") from e

    # -- articles -------------------------------------------------------------------------------

    def add_articles(self, articles: Sequence[Article]) -> AddResult:
        """Store a batch in one transaction; exact duplicates are recorded, not stored."""
        result = AddResult()
        try:
            with self.transaction() as c:
                for a in articles:
                    self._add_one(c, a, result)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"store {self.path}: batch not stored: {e}") from e
        return result

    def _add_one(self, c: sqlite3.Connection, a: Article, result: AddResult) -> None:
        h = a.content_hash
        same = c.execute("SELECT content_hash, canonical_url, source FROM articles WHERE id = ?",
                         (a.id,)).fetchone()
        if same is not None and not same_article(a, same[0], same[1]):
            result.conflicts.append((a.source, a.id, same[2]))
            return
        if same is not None or c.execute("SELECT 1 FROM duplicates WHERE id = ?",
                                         (a.id,)).fetchone():
            result.unchanged.append(a.id)
            return
        original = None
        reason = ""
        if a.canonical_url:
            row = c.execute("SELECT id FROM articles WHERE canonical_url = ? ORDER BY rowid LIMIT 1",
                            (a.canonical_url,)).fetchone()
            if row:
                original, reason = row[0], "url"
        if original is None:
            row = c.execute("SELECT id FROM articles WHERE content_hash = ? ORDER BY rowid LIMIT 1",
                            (h,)).fetchone()
            if row:
                original, reason = row[0], "text"
        if original is not None:
            c.execute("INSERT INTO duplicates VALUES (?, ?, ?, ?, ?, ?)",
                      (a.id, original, reason, a.source, a.url, _iso(datetime.now(timezone.utc))))
            result.duplicates.append((a.id, original))
            return
        values = (a.id, a.title, a.text, a.source, a.url, a.canonical_url, _iso(a.published),
                  a.date_source, a.outlet, a.author, a.language, a.description, a.caption, h,
                  _iso(a.ingested_at), json.dumps(a.notes, ensure_ascii=False))
        c.execute(f"INSERT INTO articles ({', '.join(_ARTICLE_COLS)}) "
                  f"VALUES ({', '.join('?' * len(_ARTICLE_COLS))})", values)
        result.stored.append(a.id)

    @staticmethod
    def _article(row: sqlite3.Row) -> Article:
        return Article(
            id=row["id"], title=row["title"], text=row["text"], source=row["source"],
            url=row["url"], canonical_url=row["canonical_url"], published=_dt(row["published"]),
            date_source=row["date_source"], outlet=row["outlet"], author=row["author"],
            language=row["language"], description=row["description"], caption=row["caption"],
            ingested_at=_dt(row["ingested_at"]) or datetime.now(timezone.utc),
            notes=json.loads(row["notes"] or "[]"),
        )

    def get_article(self, article_id: str) -> Article | None:
        """One article by its public id."""
        rows = self._query("SELECT * FROM articles WHERE id = ?", (article_id,))
        return self._article(rows[0]) if rows else None

    def list_articles(self, limit: int = 50, offset: int = 0, *, language: str | None = None,
                      outlet: str | None = None) -> list[Article]:
        """Articles newest first (publication date, else ingest time)."""
        where, params = [], []
        if language:
            where.append("language = ?")
            params.append(language)
        if outlet:
            where.append("outlet = ?")
            params.append(outlet)
        sql = "SELECT * FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY COALESCE(published, ingested_at) DESC, rowid DESC LIMIT ? OFFSET ?"
        return [self._article(r) for r in self._query(sql, (*params, limit, offset))]

    def iter_articles(self, *, order: str = "published", text: bool = True) -> Iterator[Article]:
        """All articles, oldest first by publication date (else ingest time), then id;
        ``text=False``: without their text, description and caption (left empty)."""
        rows = self._query(f"SELECT {article_columns(_ARTICLE_COLS, text=text)} FROM articles "
                           "ORDER BY COALESCE(published, ingested_at), id")
        for r in rows:
            yield self._article(r)

    def count_articles(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM articles")[0][0])

    def duplicates_of(self, article_id: str) -> list[DuplicateRecord]:
        rows = self._query("SELECT id, original_id, reason, source, url FROM duplicates "
                           "WHERE original_id = ? ORDER BY recorded_at, id", (article_id,))
        return [DuplicateRecord(*tuple(r)) for r in rows]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search (FTS5, BM25 with the title weighted up), with a snippet."""
        q = fts_query(query)
        if not q:
            return []
        if marks_split_words(query):
            return self._substring_search(unicodedata.normalize("NFC", query.strip()), limit)
        sql = ("SELECT a.id, a.title, a.outlet, a.published, "
               "snippet(articles_fts, 1, '[', ']', '…', 14) AS snip, "
               "bm25(articles_fts, 4.0, 1.0) AS score "
               "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
               "WHERE articles_fts MATCH ? ORDER BY score LIMIT ?")
        rows = self._query(sql, (q, limit))
        if not rows and " AND " in q:
            # No article has every word: fall back to any word, still ranked by BM25.
            rows = self._query(sql, (fts_query(query, any_word=True), limit))
        hits = [SearchHit(id=r["id"], title=r["title"], outlet=r["outlet"],
                          published=_dt(r["published"]), snippet=r["snip"], score=-float(r["score"]))
                for r in rows]
        if not hits and _CJK.search(query):
            hits = self._substring_search(query.strip(), limit)
        return hits

    def _substring_search(self, query: str, limit: int) -> list[SearchHit]:
        # FTS5's unicode61 tokenizer does not segment Chinese/Japanese, whose words are not
        # space-delimited, and splits Indic words at their vowel signs: a substring scan instead,
        # ranked by occurrences.
        rows = self._query(
            "SELECT id, title, outlet, published, text, "
            "(LENGTH(title || text) - LENGTH(REPLACE(title || text, ?, ''))) / LENGTH(?) AS n "
            "FROM articles WHERE instr(title, ?) > 0 OR instr(text, ?) > 0 ORDER BY n DESC LIMIT ?",
            (query, query, query, query, limit))
        out = []
        for r in rows:
            i = max(r["text"].find(query), 0)
            snip = r["text"][max(0, i - 30): i + len(query) + 30].replace(query, f"[{query}]")
            out.append(SearchHit(id=r["id"], title=r["title"], outlet=r["outlet"],
                                 published=_dt(r["published"]), snippet=snip, score=float(r["n"])))
        return out

    def stats(self) -> StoreStats:
        row = self._query(
            "SELECT COUNT(*), COUNT(DISTINCT outlet), MIN(published), MAX(published), "
            "SUM(date_source = 'ingest') FROM articles")[0]
        langs = {r[0] or "unknown": r[1] for r in self._query(
            "SELECT language, COUNT(*) FROM articles GROUP BY language ORDER BY COUNT(*) DESC")}
        dups = self._query("SELECT COUNT(*) FROM duplicates")[0][0]
        extra = {"enriched articles": self._query("SELECT COUNT(*) FROM enrichments")[0][0],
                 "entities": self._query("SELECT COUNT(*) FROM entities")[0][0],
                 "events": self._query("SELECT COUNT(*) FROM events")[0][0],
                 "copies": self._query("SELECT COUNT(*) FROM event_articles "
                                       "WHERE copy_of IS NOT NULL")[0][0],
                 "stories": self._query("SELECT COUNT(*) FROM stories")[0][0]}
        return StoreStats(articles=row[0], duplicates=dups, outlets=row[1], languages=langs,
                          first_published=_dt(row[2]), last_published=_dt(row[3]),
                          undated=int(row[4] or 0), extra=extra)

    # -- enrichment and entities ----------------------------------------------------------------

    def save_enrichments(self, items: Sequence[Enrichment], entities: Sequence[Entity]) -> None:
        """Replace the enrichment of these articles and upsert the entities, in one transaction."""
        now = _iso(datetime.now(timezone.utc))
        try:
            with self.transaction() as c:
                for ent in entities:
                    c.execute("INSERT INTO entities VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                              "name = excluded.name, type = excluded.type, variants = excluded.variants",
                              (ent.id, ent.name, ent.type, ser.dump(ent.variants)))
                for e in items:
                    row = ser.enrichment_row(e)
                    c.execute("INSERT OR REPLACE INTO enrichments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (*row.values(), now))
                    c.execute("DELETE FROM mentions WHERE article_id = ?", (e.article_id,))
                    c.executemany(
                        "INSERT OR IGNORE INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(e.article_id, m.start, m.end, m.text, m.type, m.language, m.canonical,
                          m.entity_id) for m in e.mentions])
        except sqlite3.DatabaseError as err:
            raise StoreError(f"store {self.path}: enrichment not stored: {err}") from err

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        """What the understanding stages stored for one article."""
        rows = self._query("SELECT e.*, a.text FROM enrichments e JOIN articles a ON a.id = e.article_id "
                           "WHERE e.article_id = ?", (article_id,))
        if not rows:
            return None
        return ser.enrichment_from_rows(article_id, rows[0], self._query(
            "SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (article_id,)))

    def unenriched_article_ids(self) -> list[str]:
        """Articles stored without enrichment, oldest first."""
        return [r[0] for r in self._query(
            "SELECT a.id FROM articles a LEFT JOIN enrichments e ON e.article_id = a.id "
            "WHERE e.article_id IS NULL ORDER BY COALESCE(a.published, a.ingested_at), a.id")]

    def _entity(self, r: sqlite3.Row) -> Entity:
        return Entity(id=r["id"], name=r["name"], type=r["type"], variants=json.loads(r["variants"]),
                      article_count=int(r["n"] or 0))

    _ENTITY_SQL = ("SELECT e.*, (SELECT COUNT(DISTINCT m.article_id) FROM mentions m "
                   "WHERE m.entity_id = e.id) AS n FROM entities e")

    def list_entities(self, limit: int = 50, offset: int = 0, *, type: str | None = None
                      ) -> list[Entity]:
        """Canonical entities, most articles first."""
        sql = self._ENTITY_SQL + (" WHERE e.type = ?" if type else "")
        sql += " ORDER BY n DESC, e.name LIMIT ? OFFSET ?"
        return [self._entity(r) for r in self._query(sql, ((type,) if type else ()) + (limit, offset))]

    def all_entities(self) -> list[Entity]:
        """Every canonical entity (to rebuild the in-memory entity index)."""
        return [self._entity(r) for r in self._query(self._ENTITY_SQL + " ORDER BY e.id")]

    def get_entity(self, key: str) -> Entity | None:
        """An entity by id, canonical name or any name variant (case-insensitive)."""
        rows = self._query(self._ENTITY_SQL + " WHERE e.id = ? OR e.name = ? COLLATE NOCASE "
                           "ORDER BY n DESC LIMIT 1", (key, key))
        if not rows:
            rows = self._query(
                self._ENTITY_SQL + " WHERE e.id IN (SELECT entity_id FROM mentions "
                "WHERE text = ? COLLATE NOCASE OR canonical = ? COLLATE NOCASE) ORDER BY n DESC LIMIT 1",
                (key, key))
        if not rows:
            low = key.casefold()
            for ent in self.all_entities():
                if any(v.casefold() == low for v in ent.variants):
                    return ent
            return None
        return self._entity(rows[0])

    def entity_article_ids(self, entity_id: str) -> list[str]:
        """Articles mentioning an entity, newest first."""
        return [r[0] for r in self._query(
            "SELECT DISTINCT a.id FROM mentions m JOIN articles a ON a.id = m.article_id "
            "WHERE m.entity_id = ? ORDER BY COALESCE(a.published, a.ingested_at) DESC",
            (entity_id,))]

    # -- grouping: features, events, stories -----------------------------------------------------

    def save_features(self, items: Sequence[StoredFeatures]) -> None:
        """Store (or replace) the grouping features of articles, in one transaction."""
        with self._writing("features not stored") as c:
            c.executemany("INSERT OR REPLACE INTO article_features (article_id, vector, lead, "
                          "lexical, entities, title, minhash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          [(f.article_id, ser.vector_bytes(f.vector), ser.vector_bytes(f.lead),
                            ser.dump(f.lexical), ser.dump(f.entities),
                            None if f.title is None else ser.vector_bytes(f.title),
                            ser.signature_bytes(f.minhash)) for f in items])

    def load_features(self, article_ids: Sequence[str] | None = None) -> list[StoredFeatures]:
        """Stored features (all, or of these articles), in publication order."""
        # The lexical JSON as UTF-8 bytes: kept undecoded (ser.JSONMapping) for most articles,
        # and half the size of a str once a term outside Latin-1 makes it 2-4 bytes a character.
        sql = ("SELECT f.article_id, f.vector, f.lead, CAST(f.lexical AS BLOB) AS lexical, "
               "f.entities, f.title, f.minhash "
               "FROM article_features f JOIN articles a ON a.id = f.article_id")
        params: tuple = ()
        if article_ids is not None:
            sql += f" WHERE f.article_id IN ({', '.join('?' * len(article_ids))})"
            params = tuple(article_ids)
        sql += " ORDER BY COALESCE(a.published, a.ingested_at), a.id"
        return [StoredFeatures(r["article_id"], ser.vector_array(r["vector"]),
                               ser.vector_array(r["lead"]), ser.JSONMapping(r["lexical"]),
                               ser.load(r["entities"]),
                               None if r["title"] is None else ser.vector_array(r["title"]),
                               ser.signature_array(r["minhash"]))
                for r in self._query_rows(sql, params)]

    def save_sentence_vectors(self, items: Sequence[SentenceVectors]) -> None:
        """Store (or replace) articles' report sentence vectors, in one transaction."""
        with self._writing("sentence vectors not stored") as c:
            c.executemany("INSERT OR REPLACE INTO sentence_vectors (article_id, key, data) "
                          "VALUES (?, ?, ?)",
                          [(sv.article_id, sv.key, ser.sentence_vectors_bytes(sv)) for sv in items])

    def load_sentence_vectors(self, article_ids: Sequence[str]) -> dict[str, SentenceVectors]:
        """The stored report sentence vectors of these articles (those that have some)."""
        ids, rows = list(article_ids), []
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows += [tuple(r) for r in self._query(
                "SELECT article_id, key, data FROM sentence_vectors WHERE "
                f"article_id IN ({', '.join('?' * len(part))})", part)]
        return ser.sentence_vectors_from_rows(rows)

    def articles_without_sentence_vectors(self) -> list[str]:
        """Enriched articles that have no report sentence vectors stored, oldest first."""
        return [r[0] for r in self._query(
            "SELECT a.id FROM articles a JOIN enrichments e ON e.article_id = a.id "
            "LEFT JOIN sentence_vectors v ON v.article_id = a.id WHERE v.article_id IS NULL "
            "ORDER BY COALESCE(a.published, a.ingested_at), a.id")]

    def articles_without_features(self) -> list[str]:
        """Articles not yet featurised for grouping, oldest first."""
        return [r[0] for r in self._query(
            "SELECT a.id FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
            "WHERE f.article_id IS NULL ORDER BY COALESCE(a.published, a.ingested_at), a.id")]

    def replace_events(self, events: Sequence[Event], copies: dict[str, str],
                       stories: Sequence[Story]) -> None:
        """Replace every event, membership and story in one transaction."""
        with self._writing("events not stored") as c:
            c.execute("UPDATE store_state SET value = value + 1 WHERE key = 'grouping_version'")
            c.execute("DELETE FROM event_articles")
            c.execute("DELETE FROM events")
            c.execute("DELETE FROM stories")
            c.executemany("INSERT INTO stories VALUES (?, ?, ?, ?)", [
                (s.id, s.title, _d(s.first_date), _d(s.last_date)) for s in stories])
            self._insert_events(c, events, copies)

    def update_events(self, events: Sequence[Event], removed: Sequence[str],
                      copies: dict[str, str], stories: Sequence[Story], *, version: int) -> bool:
        """Write these events (each replacing its stored row and memberships), delete the
        ``removed`` ones, and make the stories exactly ``stories``; other events stay as they
        are. One transaction, and only if the grouping version is still ``version`` (False,
        nothing written, when another process replaced the grouping in between)."""
        with self._writing("events not stored") as c:
            now = c.execute("SELECT value FROM store_state WHERE key = 'grouping_version'").fetchone()
            if int(now[0]) != version:
                return False
            c.execute("UPDATE store_state SET value = value + 1 WHERE key = 'grouping_version'")
            gone = [e.id for e in events] + list(removed)
            for i in range(0, len(gone), 500):
                part = gone[i:i + 500]
                marks = ", ".join("?" * len(part))
                c.execute(f"DELETE FROM event_articles WHERE event_id IN ({marks})", part)
                c.execute(f"DELETE FROM events WHERE id IN ({marks})", part)
            keep = [s.id for s in stories]
            # Stories are few (one per chain of events); an upsert keeps the rows unchanged
            # events point to (a delete would null their story ids).
            c.executemany("INSERT INTO stories VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                          "title = excluded.title, first_date = excluded.first_date, "
                          "last_date = excluded.last_date",
                          [(s.id, s.title, _d(s.first_date), _d(s.last_date)) for s in stories])
            self._insert_events(c, events, copies)
            c.execute("DELETE FROM stories WHERE id NOT IN (SELECT value FROM json_each(?))",
                      (json.dumps(keep),))
        return True

    @staticmethod
    def _insert_events(c: sqlite3.Connection, events: Sequence[Event], copies: dict[str, str]
                       ) -> None:
        c.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (e.id, e.title, _d(e.date), _iso(e.first_published), _iso(e.last_published),
             len(e.article_ids), e.n_sources, ser.dump(e.languages), ser.dump(e.outlets),
             ser.dump(e.flags), e.story_id) for e in events])
        c.executemany("INSERT INTO event_articles VALUES (?, ?, ?)", [
            (a, e.id, copies.get(a)) for e in events for a in e.article_ids])

    def _members(self, event_ids: Sequence[str]) -> dict[str, list[str]]:
        """Article ids of several events in one query, each in publication order."""
        out: dict[str, list[str]] = {e: [] for e in event_ids}
        for i in range(0, len(event_ids), 500):
            part = list(event_ids[i:i + 500])
            for x in self._query(
                    "SELECT ea.event_id, ea.article_id FROM event_articles ea "
                    "JOIN articles a ON a.id = ea.article_id "
                    f"WHERE ea.event_id IN ({', '.join('?' * len(part))}) "
                    "ORDER BY COALESCE(a.published, a.ingested_at), a.id", part):
                out[x[0]].append(x[1])
        return out

    def _event(self, r: sqlite3.Row, ids: list[str] | None = None) -> Event:
        if ids is None:
            ids = self._members([r["id"]])[r["id"]]
        return Event(id=r["id"], title=r["title"], date=_date(r["date"]), article_ids=ids,
                     first_published=_dt(r["first_published"]), last_published=_dt(r["last_published"]),
                     n_sources=r["n_sources"], languages=json.loads(r["languages"]),
                     outlets=json.loads(r["outlets"]), story_id=r["story_id"],
                     flags=json.loads(r["flags"]))

    def list_events(self, limit: int = 50, offset: int = 0, *, language: str | None = None,
                    outlet: str | None = None, entity: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    min_articles: int = 1) -> list[Event]:
        """Events newest first, filtered by language, outlet, entity id, date range."""
        where, params = event_filter_sql("?", min_articles=min_articles, language=language,
                                         outlet=outlet, entity=entity, date_from=date_from,
                                         date_to=date_to)
        sql = (f"SELECT e.* FROM events e WHERE {' AND '.join(where)} "
               "ORDER BY e.last_published DESC, e.id LIMIT ? OFFSET ?")
        rows = self._query(sql, (*params, limit, offset))
        members = self._members([r["id"] for r in rows])
        return [self._event(r, members[r["id"]]) for r in rows]

    def count_events(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM events")[0][0])

    def grouping_version(self) -> int:
        return int(self._query(
            "SELECT value FROM store_state WHERE key = 'grouping_version'")[0][0])

    def get_event(self, event_id: str) -> Event | None:
        """One event by id."""
        rows = self._query("SELECT * FROM events WHERE id = ?", (event_id,))
        return self._event(rows[0]) if rows else None

    def event_of_article(self, article_id: str) -> tuple[str | None, str | None]:
        """(event id, id of the article it copies) for one article."""
        rows = self._query("SELECT event_id, copy_of FROM event_articles WHERE article_id = ?",
                           (article_id,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def copies_in_event(self, event_id: str) -> dict[str, str]:
        """Article id -> the article it copies, for one event's copies."""
        return {r[0]: r[1] for r in self._query(
            "SELECT article_id, copy_of FROM event_articles WHERE event_id = ? AND copy_of IS NOT NULL",
            (event_id,))}

    def event_memberships(self) -> dict[str, tuple[str, str | None]]:
        """Every grouped article id -> (event id, id of the article it copies or None)."""
        return {r[0]: (r[1], r[2]) for r in self._query(
            "SELECT article_id, event_id, copy_of FROM event_articles")}

    def event_story_ids(self) -> dict[str, str | None]:
        """Every stored event id -> its storyline's id or None."""
        return {r[0]: r[1] for r in self._query("SELECT id, story_id FROM events")}

    def list_stories(self, limit: int = 50, offset: int = 0) -> list[Story]:
        """Storylines, newest first, with their events in date order."""
        return [self._story(r) for r in self._query(
            "SELECT * FROM stories ORDER BY last_date DESC, id LIMIT ? OFFSET ?", (limit, offset))]

    def get_story(self, story_id: str) -> Story | None:
        """One storyline with its events in date order."""
        rows = self._query("SELECT * FROM stories WHERE id = ?", (story_id,))
        return self._story(rows[0]) if rows else None

    def _story(self, r: sqlite3.Row) -> Story:
        ids = [x[0] for x in self._query(
            "SELECT id FROM events WHERE story_id = ? ORDER BY date, id", (r["id"],))]
        return Story(id=r["id"], title=r["title"], event_ids=ids,
                     first_date=_date(r["first_date"]), last_date=_date(r["last_date"]))

    # -- feeds ----------------------------------------------------------------------------------

    def get_feed_state(self, url: str) -> dict | None:
        rows = self._query("SELECT * FROM feed_state WHERE url = ?", (url,))
        if not rows:
            return None
        d = dict(rows[0])
        d["checked_at"] = _dt(d["checked_at"])
        return d

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None,
                       checked_at: datetime, error: str | None) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO feed_state VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                      "etag = excluded.etag, last_modified = excluded.last_modified, "
                      "checked_at = excluded.checked_at, error = excluded.error",
                      (url, etag, last_modified, _iso(checked_at), error))

    # -- nearest neighbours and reading everything out -----------------------------------------

    def nearest_articles(self, vector: Any, k: int, since: "datetime | date | None" = None,
                         until: "datetime | date | None" = None) -> list[tuple[str, float]]:
        """The k stored articles most similar (cosine) to a vector, best first, by brute force
        over the stored features; ``since``/``until`` bound the publication time (undated
        articles always pass)."""
        import numpy as np

        q = np.asarray(vector, dtype=np.float32).ravel()
        qn = float(np.linalg.norm(q))
        if k <= 0 or qn == 0:
            return []
        lo, hi = time_bounds(since, until)
        ids, vecs = [], []
        for r in self._query("SELECT f.article_id, f.vector, a.published FROM article_features f "
                             "JOIN articles a ON a.id = f.article_id"):
            when = _dt(r["published"])
            if when is not None and ((lo and when < lo) or (hi and when > hi)):
                continue
            ids.append(r["article_id"])
            vecs.append(ser.vector_array(r["vector"]))
        if not ids:
            return []
        m = np.vstack(vecs)
        norms = np.linalg.norm(m, axis=1)
        keep = norms > 0
        sims = (m @ q) / np.where(keep, norms, 1.0) / qn
        out = [(ids[i], float(sims[i])) for i in np.flatnonzero(keep)]
        return sorted(out, key=lambda x: (-x[1], x[0]))[:k]

    def iter_stored_articles(self) -> Iterator[Article]:
        """Every article in the order it was stored (for copying a store)."""
        last = 0
        while True:
            rows = self._query("SELECT * FROM articles WHERE rowid > ? ORDER BY rowid LIMIT 500",
                               (last,))
            for r in rows:
                yield self._article(r)
            if len(rows) < 500:
                return
            last = rows[-1]["rowid"]

    def iter_duplicates(self) -> list[DuplicateRecord]:
        """Every recorded duplicate, in the order recorded."""
        return [DuplicateRecord(r["id"], r["original_id"], r["reason"], r["source"], r["url"],
                                _dt(r["recorded_at"]))
                for r in self._query("SELECT * FROM duplicates ORDER BY recorded_at, id")]

    def import_duplicates(self, records: Sequence[DuplicateRecord]) -> None:
        """Record duplicates as they are (copying a store); known ids are left alone."""
        now = _iso(datetime.now(timezone.utc))
        try:
            with self.transaction() as c:
                c.executemany("INSERT OR IGNORE INTO duplicates VALUES (?, ?, ?, ?, ?, ?)",
                              [(d.id, d.original_id, d.reason, d.source, d.url,
                                _iso(d.recorded_at) or now) for d in records])
        except sqlite3.DatabaseError as e:
            raise StoreError(f"store {self.path}: duplicates not stored: {e}") from e

    def iter_feed_states(self) -> list[dict]:
        """The state of every polled feed, by URL."""
        return [{**dict(r), "checked_at": _dt(r["checked_at"])}
                for r in self._query("SELECT * FROM feed_state ORDER BY url")]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; sqlite3.complete_statement keeps trigger bodies whole."""
    stmts, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf.strip() and line.strip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            stmts.append(buf.strip())
            buf = ""
    if buf.strip():
        stmts.append(buf.strip())
    return stmts
