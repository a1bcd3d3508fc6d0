"""The server store: PostgreSQL via psycopg 3 and a connection pool, numbered migrations,
full-text search on a generated tsvector, article vectors in pgvector.

Every method behaves like the SQLite store's (the shipped conformance suite holds both to it);
enrichment, entities, features and events live in ``postgres_grouping``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Iterator, Sequence

from ..errors import MissingDependency, StoreError
from ..models import AddResult, Article, SearchHit
from . import serialize as ser
from .base import (DuplicateRecord, StoreStats, article_columns, boolean_query, marks_split_words,
                   same_article)
from .postgres_grouping import GroupingMixin, register_vector

try:
    import psycopg
    from psycopg.rows import dict_row
    from psycopg.types.json import set_json_loads
    from psycopg_pool import ConnectionPool
except ImportError as exc:  # pragma: no cover - depends on the install
    raise MissingDependency(getattr(exc, "name", None) or "psycopg", "postgres") from exc

_ARTICLE_COLS = ("id", "title", "text", "source", "url", "canonical_url", "published",
                 "date_source", "outlet", "author", "language", "description", "caption",
                 "content_hash", "ingested_at", "notes")
_SELECT_ARTICLE = f"SELECT {article_columns(_ARTICLE_COLS, 'a.')} FROM articles a"
# The same row without the long columns (what grouping reads of every stored article).
_SELECT_ARTICLE_HEAD = f"SELECT {article_columns(_ARTICLE_COLS, 'a.', text=False)} FROM articles a"
# Writers of articles take this transaction lock so that duplicate detection sees every article
# committed before it, as SQLite's BEGIN IMMEDIATE guarantees.
_ADD_LOCK = 0x6E77_6164  # "nwad"
_MIGRATE_LOCK = 0x6E77_6D67  # "nwmg"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_HEADLINE = "StartSel=[, StopSel=], MaxWords=14, MinWords=6, ShortWord=0, MaxFragments=1, " \
            "FragmentDelimiter=…"


def migrations() -> list[tuple[int, str, str]]:
    """The numbered PostgreSQL migration scripts shipped with the package: (number, name, sql)."""
    out = []
    for entry in resources.files("newsweave.store").joinpath("pg_migrations").iterdir():
        m = re.match(r"(\d+)_.*\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def safe_dsn(dsn: str) -> str:
    """The DSN without its password, for messages."""
    try:
        d = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        return "postgresql://…"
    host = d.get("host") or "localhost"
    port = f":{d['port']}" if d.get("port") else ""
    user = f"{d['user']}@" if d.get("user") else ""
    return f"postgresql://{user}{host}{port}/{d.get('dbname') or ''}"


def _raw_json(data: str | bytes) -> str:
    # json/jsonb columns come back as text and are parsed by the shared serialisers, exactly as
    # SQLite's TEXT columns are.
    return data if isinstance(data, str) else bytes(data).decode("utf-8")


def _configure(conn: "psycopg.Connection") -> None:
    set_json_loads(_raw_json, conn)
    conn.execute("SET TIME ZONE 'UTC'")
    register_vector(conn)


class PostgresStore(GroupingMixin):
    """Store on a PostgreSQL database (15+, with the pgvector extension)."""

    vector_index = True  # pgvector HNSW serves nearest_articles (the clusterer searches there)

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 4,
                 timeout: float = 15.0) -> None:
        self.dsn = dsn
        self.name = safe_dsn(dsn)
        try:
            # One direct connection first: a wrong password, host or database gives the
            # server's own message instead of a pool time-out.
            with psycopg.connect(dsn, autocommit=True, connect_timeout=int(timeout)) as conn:
                _configure(conn)
                self._migrate(conn)
        except psycopg.Error as e:
            raise StoreError(f"cannot open store {self.name}: {_reason(e)}") from e
        self._pool = ConnectionPool(
            dsn, min_size=min_size, max_size=max_size, open=False, name="newsweave",
            kwargs={"autocommit": True, "row_factory": dict_row}, configure=_configure,
            # A connection broken by a server restart is replaced, not handed out.
            check=ConnectionPool.check_connection, timeout=timeout)
        try:
            self._pool.open(wait=True, timeout=timeout)
        except psycopg.Error as e:
            self._pool.close()
            raise StoreError(f"cannot open store {self.name}: {_reason(e)}") from e

    # -- plumbing ------------------------------------------------------------------------------

    def _migrate(self, conn: "psycopg.Connection") -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
        for number, name, sql in migrations():
            with conn.transaction():
                # Two processes opening a new database at once must not both migrate it.
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                if conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s",
                                (number,)).fetchone():
                    continue
                try:
                    conn.execute(sql)  # no parameters: several statements in one go
                except psycopg.errors.InsufficientPrivilege as e:
                    raise StoreError(
                        f"cannot open store {self.name}: migration {name}: {_reason(e)} "
                        "(the vector extension must be created by a superuser: "
                        "CREATE EXTENSION vector)") from e
                conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, now())", (number, name))

    def schema_version(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")[0]["v"])

    @contextmanager
    def transaction(self, what: str = "write failed") -> Iterator["psycopg.Cursor"]:
        """One write transaction: everything in it lands, or nothing does."""
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                yield cur
        except psycopg.Error as e:
            raise StoreError(f"store {self.name}: {what}: {_reason(e)}") from e

    def _query(self, sql: str, params: Sequence[Any] | dict | None = None, *,
               binary: bool = False) -> list[dict]:
        try:
            with self._pool.connection() as conn:
                return conn.execute(sql, params, binary=binary).fetchall()
        except psycopg.Error as e:
            raise StoreError(f"store {self.name}: {_reason(e)}") from e

    def cache_path(self, name: str) -> "Path | None":
        """None: a server store has no file beside it (and its own vector index)."""
        return None

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles -------------------------------------------------------------------------------

    def add_articles(self, articles: Sequence[Article]) -> AddResult:
        """Store a batch in one transaction; exact duplicates are recorded, not stored."""
        result = AddResult()
        with self.transaction("batch not stored (nothing of it was written)") as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_ADD_LOCK,))
            for a in articles:
                self._add_one(cur, a, result)
        return result

    def _add_one(self, cur: "psycopg.Cursor", a: Article, result: AddResult) -> None:
        h = a.content_hash
        row = cur.execute(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE id = %(id)s) "
            "OR EXISTS (SELECT 1 FROM duplicates WHERE id = %(id)s) AS seen, "
            "(SELECT ARRAY[content_hash, canonical_url, source] FROM articles "
            " WHERE id = %(id)s) AS same, "
            "(SELECT id FROM articles WHERE canonical_url = %(cu)s ORDER BY seq LIMIT 1) AS by_url, "
            "(SELECT id FROM articles WHERE content_hash = %(h)s ORDER BY seq LIMIT 1) AS by_text",
            {"id": a.id, "cu": a.canonical_url, "h": h}).fetchone()
        if row["same"] is not None and not same_article(a, row["same"][0], row["same"][1]):
            result.conflicts.append((a.source, a.id, row["same"][2]))
            return
        if row["seen"]:
            result.unchanged.append(a.id)
            return
        original, reason = (row["by_url"], "url") if row["by_url"] else (row["by_text"], "text")
        if original is not None:
            cur.execute("INSERT INTO duplicates VALUES (%s, %s, %s, %s, %s, now())",
                        (a.id, original, reason, a.source, a.url))
            result.duplicates.append((a.id, original))
            return
        cur.execute(f"INSERT INTO articles ({', '.join(_ARTICLE_COLS)}) "
                    f"VALUES ({', '.join(['%s'] * (len(_ARTICLE_COLS) - 1))}, %s::jsonb)",
                    (a.id, a.title, a.text, a.source, a.url, a.canonical_url, _utc(a.published),
                     a.date_source, a.outlet, a.author, a.language, a.description, a.caption, h,
                     _utc(a.ingested_at), ser.dump(a.notes)))
        result.stored.append(a.id)

    @staticmethod
    def _article(r: dict) -> Article:
        return Article(
            id=r["id"], title=r["title"], text=r["text"], source=r["source"], url=r["url"],
            canonical_url=r["canonical_url"], published=r["published"],
            date_source=r["date_source"], outlet=r["outlet"], author=r["author"],
            language=r["language"], description=r["description"], caption=r["caption"],
            ingested_at=r["ingested_at"] or datetime.now(timezone.utc),
            notes=json.loads(r["notes"] or "[]"))

    def get_article(self, article_id: str) -> Article | None:
        """One article by its public id."""
        rows = self._query(_SELECT_ARTICLE + " WHERE a.id = %s", (article_id,))
        return self._article(rows[0]) if rows else None

    def list_articles(self, limit: int = 50, offset: int = 0, *, language: str | None = None,
                      outlet: str | None = None) -> list[Article]:
        """Articles newest first (publication date, else ingest time)."""
        where, params = [], []
        if language:
            where.append("a.language = %s")
            params.append(language)
        if outlet:
            where.append("a.outlet = %s")
            params.append(outlet)
        sql = _SELECT_ARTICLE + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY a.sort_at DESC, a.seq DESC LIMIT %s OFFSET %s"
        return [self._article(r) for r in self._query(sql, (*params, limit, offset))]

    def iter_articles(self, *, order: str = "published", text: bool = True) -> Iterator[Article]:
        """All articles, oldest first by publication date (else ingest time), then id;
        ``text=False``: without their text, description and caption (left empty)."""
        select = _SELECT_ARTICLE if text else _SELECT_ARTICLE_HEAD
        for r in self._query(select + " ORDER BY a.sort_at, a.id"):
            yield self._article(r)

    def iter_stored_articles(self, batch: int = 500) -> Iterator[Article]:
        """Every article in the order it was stored (for copying a store)."""
        last = 0
        while True:
            rows = self._query(_SELECT_ARTICLE.replace("SELECT ", "SELECT a.seq, ", 1)
                               + " WHERE a.seq > %s ORDER BY a.seq LIMIT %s", (last, batch))
            for r in rows:
                yield self._article(r)
            if len(rows) < batch:
                return
            last = rows[-1]["seq"]

    def count_articles(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM articles")[0]["n"])

    def duplicates_of(self, article_id: str) -> list[DuplicateRecord]:
        rows = self._query("SELECT id, original_id, reason, source, url FROM duplicates "
                           "WHERE original_id = %s ORDER BY recorded_at, id", (article_id,))
        return [DuplicateRecord(**r) for r in rows]

    def iter_duplicates(self) -> list[DuplicateRecord]:
        """Every recorded duplicate, in the order recorded."""
        return [DuplicateRecord(**r) for r in self._query(
            "SELECT id, original_id, reason, source, url, recorded_at FROM duplicates "
            "ORDER BY recorded_at, id")]

    def import_duplicates(self, records: Sequence[DuplicateRecord]) -> None:
        """Record duplicates as they are (copying a store); known ids are left alone."""
        with self.transaction("duplicates not stored") as cur:
            cur.executemany(
                "INSERT INTO duplicates VALUES (%s, %s, %s, %s, %s, COALESCE(%s, now())) "
                "ON CONFLICT (id) DO NOTHING",
                [(d.id, d.original_id, d.reason, d.source, d.url, _utc(d.recorded_at))
                 for d in records])

    # -- search ---------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search (tsvector, ts_rank_cd with the title weighted up), with a snippet."""
        words = re.findall(r"\w+", query, flags=re.UNICODE)
        if not words:
            return []
        if marks_split_words(query):
            return self._substring_search(unicodedata.normalize("NFC", query.strip()), limit)
        rows = self._ranked("to_tsquery('simple', %(q)s)", _tsquery(query, " & "), limit)
        if not rows and len(words) > 1:
            # No article has every word: fall back to any word, still ranked.
            rows = self._ranked("to_tsquery('simple', %(q)s)", _tsquery(query, " | "), limit)
        hits = [SearchHit(id=r["id"], title=r["title"], outlet=r["outlet"], published=r["published"],
                          snippet=r["snip"], score=float(r["score"])) for r in rows]
        if not hits and _CJK.search(query):
            hits = self._substring_search(query.strip(), limit)
        return hits

    def _ranked(self, tsquery: str, q: str, limit: int) -> list[dict]:
        # Rank first, then headline only the rows kept: ts_headline is the expensive part.
        # Weights {D, C, B, A}: the title (A) counts four times the text (B), as in SQLite.
        sql = (f"WITH q AS (SELECT {tsquery} AS q), top AS ("
               "SELECT a.seq, ts_rank_cd('{0.1, 0.2, 0.25, 1.0}', a.fts, q.q) AS score "
               "FROM articles a, q WHERE a.fts @@ q.q ORDER BY score DESC, a.seq LIMIT %(limit)s) "
               "SELECT a.id, a.title, a.outlet, a.published, top.score, "
               "ts_headline('simple', a.text, q.q, %(opts)s) AS snip "
               "FROM top JOIN articles a ON a.seq = top.seq, q ORDER BY top.score DESC, a.seq")
        return self._query(sql, {"q": q, "limit": limit, "opts": _HEADLINE})

    def _substring_search(self, query: str, limit: int) -> list[SearchHit]:
        # The 'simple' parser does not segment Chinese/Japanese, whose words are not
        # space-delimited: fall back to a substring scan, ranked by occurrences.
        rows = self._query(
            "SELECT id, title, outlet, published, text, "
            "(length(title || text) - length(replace(title || text, %(q)s, ''))) / length(%(q)s) AS n "
            "FROM articles WHERE strpos(title, %(q)s) > 0 OR strpos(text, %(q)s) > 0 "
            "ORDER BY n DESC, seq LIMIT %(limit)s", {"q": query, "limit": limit})
        out = []
        for r in rows:
            i = max(r["text"].find(query), 0)
            snip = r["text"][max(0, i - 30): i + len(query) + 30].replace(query, f"[{query}]")
            out.append(SearchHit(id=r["id"], title=r["title"], outlet=r["outlet"],
                                 published=r["published"], snippet=snip, score=float(r["n"])))
        return out

    def stats(self) -> StoreStats:
        row = self._query(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT outlet) AS outlets, MIN(published) AS first, "
            "MAX(published) AS last, COUNT(*) FILTER (WHERE date_source = 'ingest') AS undated "
            "FROM articles")[0]
        langs = {r["language"] or "unknown": r["n"] for r in self._query(
            "SELECT language, COUNT(*) AS n FROM articles GROUP BY language ORDER BY n DESC")}
        counts = self._query(
            "SELECT (SELECT COUNT(*) FROM duplicates) AS dups, "
            "(SELECT COUNT(*) FROM enrichments) AS enriched, (SELECT COUNT(*) FROM entities) AS ents, "
            "(SELECT COUNT(*) FROM events) AS events, "
            "(SELECT COUNT(*) FROM event_articles WHERE copy_of IS NOT NULL) AS copies, "
            "(SELECT COUNT(*) FROM stories) AS stories")[0]
        extra = {"enriched articles": counts["enriched"], "entities": counts["ents"],
                 "events": counts["events"], "copies": counts["copies"],
                 "stories": counts["stories"]}
        return StoreStats(articles=row["n"], duplicates=counts["dups"], outlets=row["outlets"],
                          languages=langs, first_published=row["first"], last_published=row["last"],
                          undated=int(row["undated"] or 0), extra=extra)

    # -- feeds ----------------------------------------------------------------------------------

    def get_feed_state(self, url: str) -> dict | None:
        rows = self._query("SELECT url, etag, last_modified, checked_at, error FROM feed_state "
                           "WHERE url = %s", (url,))
        return dict(rows[0]) if rows else None

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None,
                       checked_at: datetime, error: str | None) -> None:
        with self.transaction("feed state not stored") as cur:
            cur.execute("INSERT INTO feed_state VALUES (%s, %s, %s, %s, %s) ON CONFLICT (url) DO "
                        "UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                        "checked_at = excluded.checked_at, error = excluded.error",
                        (url, etag, last_modified, _utc(checked_at), error))

    def iter_feed_states(self) -> list[dict]:
        """The state of every polled feed, by URL."""
        return [dict(r) for r in self._query(
            "SELECT url, etag, last_modified, checked_at, error FROM feed_state ORDER BY url")]


def _utc(dt: datetime | None) -> datetime | None:
    # Naive datetimes are UTC, as the SQLite store reads them.
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt


def _reason(e: BaseException) -> str:
    """psycopg's message on one line, with a plain word for a lost server."""
    text = " ".join(str(e).split()) or type(e).__name__
    if isinstance(e, psycopg.OperationalError) and not isinstance(e, psycopg.errors.QueryCanceled):
        low = text.lower()
        if any(w in low for w in ("closed the connection", "terminating connection", "connection refused",
                                  "server closed", "connection is lost", "consuming input failed",
                                  "couldn't get a connection")):
            return f"lost the connection to the server ({text})"
    return text


def _tsquery(query: str, join: str) -> str:
    """A to_tsquery text for free text: every word, or its stems as prefixes (base.query_terms),
    joined by ``join`` (" & " all, " | " any). Words are \\w+ runs, quoted as lexemes."""
    return boolean_query(query, "'{}'", "'{}':*", " | ", join)
