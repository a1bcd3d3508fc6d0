"""The PostgreSQL store's second half: enrichment, entities, features (pgvector), events, stories.

A mixin of ``PostgresStore``: it uses the store's ``_query`` and ``transaction``.
"""
from __future__ import annotations

import json
import struct
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Sequence

from ..models import Enrichment, Entity, Event, SentenceVectors, Story, StoredFeatures
from . import serialize as ser
from .base import event_filter_sql, time_bounds

if TYPE_CHECKING:  # pragma: no cover
    from contextlib import AbstractContextManager

    import psycopg

_ENTITY_SQL = ("SELECT e.id, e.name, e.type, e.variants, (SELECT COUNT(DISTINCT m.article_id) "
               "FROM mentions m WHERE m.entity_id = e.id) AS n FROM entities e")
_VEC = "%b"  # a Vec parameter, sent in pgvector's binary format


# Up to this many articles in a time window, nearest_articles ranks them all exactly; above it, it
# asks the HNSW index with the time filter. Measured at 100k vectors (benchmarks/candidates.py):
# exact ranking costs ~26 µs an article (the vectors are read from TOAST), so ~210 ms for an 8k
# window, where HNSW answers in ~35 ms with recall 0.96; but with a selective filter (a window of a
# few articles among 100k) HNSW walks far, ~270 ms with recall 0.64, where exact ranking is < 1 ms.
EXACT_WINDOW_MAX = 1_000


class Vec:
    """A float32 vector to send as a pgvector ``vector`` (binary: no text round trip)."""

    __slots__ = ("array",)

    def __init__(self, v: Any) -> None:
        import numpy as np

        self.array = np.asarray(v, dtype=">f4").ravel()


def _vec_param(v: Any) -> Vec:
    return Vec(v)


def _vec_value(v: Any) -> Any:
    return v  # already a float32 array: see register_vector


def register_vector(conn: "psycopg.Connection") -> None:
    """Teach one connection pgvector's binary format (dim: int16, unused: int16, float4[dim],
    big-endian), both ways; floats then travel exactly, without formatting or parsing."""
    import numpy as np
    from psycopg.adapt import Dumper, Loader
    from psycopg.pq import Format
    from psycopg.types import TypeInfo

    info = TypeInfo.fetch(conn, "vector")
    if info is None:  # before the migration that creates the extension
        return

    class VectorDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj: Vec) -> bytes:
            return struct.pack(">HH", obj.array.size, 0) + obj.array.tobytes()

    class VectorLoader(Loader):
        format = Format.BINARY

        def load(self, data: Any) -> Any:
            dim = struct.unpack_from(">H", data)[0]
            return np.frombuffer(bytes(data), dtype=">f4", count=dim, offset=4).astype(np.float32)

    class VectorTextLoader(Loader):
        def load(self, data: Any) -> Any:
            text = bytes(data).decode("ascii").strip("[]")
            return np.array([float(x) for x in text.split(",")] if text else [], dtype=np.float32)

    conn.adapters.register_dumper(Vec, VectorDumper)
    conn.adapters.register_loader(info.oid, VectorLoader)
    conn.adapters.register_loader(info.oid, VectorTextLoader)


class GroupingMixin:
    """Enrichment, entities, grouping features, events and stories on PostgreSQL."""

    if TYPE_CHECKING:  # pragma: no cover
        def _query(self, sql: str, params: Any = None) -> list[dict]: ...
        def transaction(self, what: str = ...) -> "AbstractContextManager[psycopg.Cursor]": ...

    # -- enrichment and entities ----------------------------------------------------------------

    def save_enrichments(self, items: Sequence[Enrichment], entities: Sequence[Entity]) -> None:
        """Replace the enrichment of these articles and upsert the entities, in one transaction."""
        with self.transaction("enrichment not stored") as cur:
            if entities:
                cur.executemany(
                    "INSERT INTO entities VALUES (%s, %s, %s, %s::json) ON CONFLICT (id) DO UPDATE "
                    "SET name = excluded.name, type = excluded.type, variants = excluded.variants",
                    [(e.id, e.name, e.type, ser.dump(e.variants)) for e in entities])
            for e in items:
                row = ser.enrichment_row(e)
                cur.execute(
                    "INSERT INTO enrichments VALUES (%(article_id)s, %(language)s, %(sentences)s::jsonb, "
                    "%(dates)s::jsonb, %(quotes)s::jsonb, %(keywords)s::jsonb, %(notes)s::jsonb, now()) "
                    "ON CONFLICT (article_id) DO UPDATE SET language = excluded.language, "
                    "sentences = excluded.sentences, dates = excluded.dates, quotes = excluded.quotes, "
                    "keywords = excluded.keywords, notes = excluded.notes, "
                    "computed_at = excluded.computed_at", row)
                cur.execute("DELETE FROM mentions WHERE article_id = %s", (e.article_id,))
                if e.mentions:
                    cur.executemany(
                        "INSERT INTO mentions VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING",
                        [(e.article_id, m.start, m.end, m.text, m.type, m.language, m.canonical,
                          m.entity_id) for m in e.mentions])

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        """What the understanding stages stored for one article."""
        rows = self._query("SELECT e.*, a.text FROM enrichments e JOIN articles a ON a.id = e.article_id "
                           "WHERE e.article_id = %s", (article_id,))
        if not rows:
            return None
        return ser.enrichment_from_rows(article_id, rows[0], self._query(
            "SELECT * FROM mentions WHERE article_id = %s ORDER BY start", (article_id,)))

    def unenriched_article_ids(self) -> list[str]:
        """Articles stored without enrichment, oldest first."""
        return [r["id"] for r in self._query(
            "SELECT a.id FROM articles a LEFT JOIN enrichments e ON e.article_id = a.id "
            "WHERE e.article_id IS NULL ORDER BY a.sort_at, a.id")]

    @staticmethod
    def _entity(r: dict) -> Entity:
        return Entity(id=r["id"], name=r["name"], type=r["type"], variants=json.loads(r["variants"]),
                      article_count=int(r["n"] or 0))

    def list_entities(self, limit: int = 50, offset: int = 0, *, type: str | None = None
                      ) -> list[Entity]:
        """Canonical entities, most articles first."""
        sql = _ENTITY_SQL + (" WHERE e.type = %s" if type else "")
        sql += " ORDER BY n DESC, e.name, e.id LIMIT %s OFFSET %s"
        return [self._entity(r) for r in self._query(sql, ((type,) if type else ()) + (limit, offset))]

    def all_entities(self) -> list[Entity]:
        """Every canonical entity (to rebuild the in-memory entity index)."""
        return [self._entity(r) for r in self._query(_ENTITY_SQL + " ORDER BY e.id")]

    def get_entity(self, key: str) -> Entity | None:
        """An entity by id, canonical name or any name variant (case-insensitive)."""
        rows = self._query(_ENTITY_SQL + " WHERE e.id = %(k)s OR lower(e.name) = lower(%(k)s) "
                           "ORDER BY n DESC LIMIT 1", {"k": key})
        if not rows:
            rows = self._query(
                _ENTITY_SQL + " WHERE e.id IN (SELECT entity_id FROM mentions WHERE "
                "lower(text) = lower(%(k)s) OR lower(canonical) = lower(%(k)s)) ORDER BY n DESC LIMIT 1",
                {"k": key})
        if not rows:
            low = key.casefold()
            for ent in self.all_entities():
                if any(v.casefold() == low for v in ent.variants):
                    return ent
            return None
        return self._entity(rows[0])

    def entity_article_ids(self, entity_id: str) -> list[str]:
        """Articles mentioning an entity, newest first."""
        return [r["id"] for r in self._query(
            "SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM mentions m "
            "WHERE m.article_id = a.id AND m.entity_id = %s) ORDER BY a.sort_at DESC, a.id",
            (entity_id,))]

    # -- grouping: features ---------------------------------------------------------------------

    def save_features(self, items: Sequence[StoredFeatures]) -> None:
        """Store (or replace) the grouping features of articles, in one transaction."""
        with self.transaction("features not stored") as cur:
            cur.executemany(
                "INSERT INTO article_features (article_id, vector, lead, lexical, entities, title, "
                f"minhash) VALUES (%s, {_VEC}, {_VEC}, %s::json, %s::jsonb, %b, %b) "
                "ON CONFLICT (article_id) DO UPDATE SET vector = excluded.vector, "
                "lead = excluded.lead, lexical = excluded.lexical, entities = excluded.entities, "
                "title = excluded.title, minhash = excluded.minhash",
                [(f.article_id, _vec_param(f.vector), _vec_param(f.lead), ser.dump(f.lexical),
                  ser.dump(f.entities), None if f.title is None else _vec_param(f.title),
                  ser.signature_bytes(f.minhash))
                 for f in items])

    def load_features(self, article_ids: Sequence[str] | None = None) -> list[StoredFeatures]:
        """Stored features (all, or of these articles), in publication order."""
        # The lexical JSON as UTF-8 bytes (see the SQLite store's load_features).
        sql = ("SELECT f.article_id, f.vector, f.lead, convert_to(f.lexical::text, 'UTF8') AS "
               "lexical, f.entities, f.title, f.minhash "
               "FROM article_features f JOIN articles a ON a.id = f.article_id")
        params: tuple = ()
        if article_ids is not None:
            sql += " WHERE f.article_id = ANY(%s)"
            params = (list(article_ids),)
        sql += " ORDER BY a.sort_at, a.id"
        return [StoredFeatures(r["article_id"], _vec_value(r["vector"]), _vec_value(r["lead"]),
                               ser.JSONMapping(r["lexical"]), ser.load(r["entities"]),
                               None if r["title"] is None else _vec_value(r["title"]),
                               ser.signature_array(r["minhash"]))
                for r in self._query(sql, params, binary=True)]

    def save_sentence_vectors(self, items: Sequence[SentenceVectors]) -> None:
        """Store (or replace) articles' report sentence vectors, in one transaction."""
        with self.transaction("sentence vectors not stored") as cur:
            cur.executemany(
                "INSERT INTO sentence_vectors (article_id, key, data) VALUES (%s, %s, %b) "
                "ON CONFLICT (article_id) DO UPDATE SET key = excluded.key, data = excluded.data",
                [(sv.article_id, sv.key, ser.sentence_vectors_bytes(sv)) for sv in items])

    def load_sentence_vectors(self, article_ids: Sequence[str]) -> dict[str, SentenceVectors]:
        """The stored report sentence vectors of these articles (those that have some)."""
        if not article_ids:
            return {}
        rows = self._query("SELECT article_id, key, data FROM sentence_vectors "
                           "WHERE article_id = ANY(%s)", (list(article_ids),), binary=True)
        return ser.sentence_vectors_from_rows((r["article_id"], r["key"], r["data"]) for r in rows)

    def articles_without_sentence_vectors(self) -> list[str]:
        """Enriched articles that have no report sentence vectors stored, oldest first."""
        return [r["id"] for r in self._query(
            "SELECT a.id FROM articles a JOIN enrichments e ON e.article_id = a.id "
            "LEFT JOIN sentence_vectors v ON v.article_id = a.id WHERE v.article_id IS NULL "
            "ORDER BY a.sort_at, a.id")]

    def articles_without_features(self) -> list[str]:
        """Articles not yet featurised for grouping, oldest first."""
        return [r["id"] for r in self._query(
            "SELECT a.id FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
            "WHERE f.article_id IS NULL ORDER BY a.sort_at, a.id")]

    def nearest_articles(self, vector: Any, k: int, since: datetime | date | None = None,
                         until: datetime | date | None = None) -> list[tuple[str, float]]:
        """The k stored articles most similar (cosine) to a vector, best first, from the HNSW
        index; ``since``/``until`` bound the publication time (undated articles always pass)."""
        q = _vec_param(vector)
        if k <= 0 or not q.array.any():
            return []
        lo, hi = time_bounds(since, until)
        params: list[Any] = [q]
        # One range OR'ed with IS NULL: the planner answers it with two bitmap scans of the
        # publication-date index (two OR'ed conditions, one per bound, filter every row instead).
        if lo is not None and hi is not None:
            cond = "(a.published BETWEEN %s AND %s OR a.published IS NULL)"
            params += [lo, hi]
        elif lo is not None or hi is not None:
            cond = f"(a.published {'>=' if lo is not None else '<='} %s OR a.published IS NULL)"
            params.append(lo if lo is not None else hi)
        else:
            cond = "TRUE"
        with self.transaction("nearest articles") as cur:
            exact = False
            if lo is not None or hi is not None:
                # A time window: when it holds few articles, rank them all (exact, found through
                # the publication-date index); see EXACT_WINDOW_MAX for the measured trade-off.
                n = cur.execute(f"SELECT count(*) AS n FROM articles a WHERE {cond}",
                                params[1:]).fetchone()["n"]
                exact = n <= EXACT_WINDOW_MAX
            if exact:
                rows = cur.execute(
                    "WITH w AS MATERIALIZED (SELECT f.article_id, f.vector FROM articles a "
                    f"JOIN article_features f ON f.article_id = a.id WHERE {cond}) "
                    f"SELECT article_id, vector <=> {_VEC} AS d FROM w ORDER BY d LIMIT %s",
                    (*params[1:], q, k)).fetchall()
            else:
                # Iterative scans keep the filtered HNSW search returning k rows when it can.
                cur.execute("SELECT set_config('hnsw.ef_search', %s, true), "
                            "set_config('hnsw.iterative_scan', 'strict_order', true)",
                            (str(min(max(40, k), 1000)),))
                rows = cur.execute(
                    f"SELECT f.article_id, f.vector <=> {_VEC} AS d FROM article_features f "
                    f"JOIN articles a ON a.id = f.article_id WHERE {cond} "
                    "ORDER BY d LIMIT %s", (*params, k)).fetchall()
        # Ties (the index gives them in any order) are broken by id, as the other stores do.
        # Zero vectors have no cosine (NaN, sorted last): they are never neighbours.
        out = [(r["article_id"], 1.0 - float(r["d"])) for r in rows if r["d"] == r["d"]]
        return sorted(out, key=lambda x: (-x[1], x[0]))

    # -- grouping: events and stories -----------------------------------------------------------

    def replace_events(self, events: Sequence[Event], copies: dict[str, str],
                       stories: Sequence[Story]) -> None:
        """Replace every event, membership and story in one transaction."""
        with self.transaction("events not stored") as cur:
            cur.execute("UPDATE store_state SET value = value + 1 WHERE key = 'grouping_version'")
            cur.execute("DELETE FROM event_articles")
            cur.execute("DELETE FROM events")
            cur.execute("DELETE FROM stories")
            if stories:
                cur.executemany("INSERT INTO stories VALUES (%s, %s, %s, %s)", [
                    (s.id, s.title, s.first_date, s.last_date) for s in stories])
            self._insert_events(cur, events, copies)

    def update_events(self, events: Sequence[Event], removed: Sequence[str],
                      copies: dict[str, str], stories: Sequence[Story], *, version: int) -> bool:
        """Write these events (each replacing its stored row and memberships), delete the
        ``removed`` ones, and make the stories exactly ``stories``; other events stay as they
        are. One transaction, and only if the grouping version is still ``version`` (False,
        nothing written, when another process replaced the grouping in between)."""
        with self.transaction("events not stored") as cur:
            # The row lock makes the check and the writes one step against other writers.
            now = cur.execute("SELECT value FROM store_state WHERE key = 'grouping_version' "
                              "FOR UPDATE").fetchone()
            if int(now["value"]) != version:
                return False
            cur.execute("UPDATE store_state SET value = value + 1 WHERE key = 'grouping_version'")
            gone = [e.id for e in events] + list(removed)
            if gone:
                cur.execute("DELETE FROM event_articles WHERE event_id = ANY(%s)", (gone,))
                cur.execute("DELETE FROM events WHERE id = ANY(%s)", (gone,))
            if stories:
                # An upsert keeps the rows unchanged events point to (a delete would null them).
                cur.executemany(
                    "INSERT INTO stories VALUES (%s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
                    "title = excluded.title, first_date = excluded.first_date, "
                    "last_date = excluded.last_date",
                    [(s.id, s.title, s.first_date, s.last_date) for s in stories])
            self._insert_events(cur, events, copies)
            cur.execute("DELETE FROM stories WHERE NOT (id = ANY(%s))", ([s.id for s in stories],))
        return True

    @staticmethod
    def _insert_events(cur: "psycopg.Cursor", events: Sequence[Event], copies: dict[str, str]
                       ) -> None:
        if events:
            cur.executemany(
                "INSERT INTO events VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, "
                "%s::jsonb, %s)", [
                    (e.id, e.title, e.date, e.first_published, e.last_published,
                     len(e.article_ids), e.n_sources, ser.dump(e.languages), ser.dump(e.outlets),
                     ser.dump(e.flags), e.story_id) for e in events])
        members = [(a, e.id, copies.get(a)) for e in events for a in e.article_ids]
        if members:
            cur.executemany("INSERT INTO event_articles VALUES (%s, %s, %s)", members)

    def _events(self, rows: list[dict]) -> list[Event]:
        if not rows:
            return []
        ids: dict[str, list[str]] = {r["id"]: [] for r in rows}
        for m in self._query(
                "SELECT ea.event_id, ea.article_id FROM event_articles ea "
                "JOIN articles a ON a.id = ea.article_id WHERE ea.event_id = ANY(%s) "
                "ORDER BY a.sort_at, a.id", (list(ids),)):
            ids[m["event_id"]].append(m["article_id"])
        return [Event(id=r["id"], title=r["title"], date=r["date"], article_ids=ids[r["id"]],
                      first_published=r["first_published"], last_published=r["last_published"],
                      n_sources=r["n_sources"], languages=json.loads(r["languages"]),
                      outlets=json.loads(r["outlets"]), story_id=r["story_id"],
                      flags=json.loads(r["flags"])) for r in rows]

    def list_events(self, limit: int = 50, offset: int = 0, *, language: str | None = None,
                    outlet: str | None = None, entity: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    min_articles: int = 1) -> list[Event]:
        """Events newest first, filtered by language, outlet, entity id, date range."""
        # Dates compare as ISO text, so a partial date ('2023-04') filters as it does in SQLite.
        where, params = event_filter_sql("%s", min_articles=min_articles, language=language,
                                         outlet=outlet, entity=entity, date_from=date_from,
                                         date_to=date_to, date_col="e.date::text")
        sql = (f"SELECT e.* FROM events e WHERE {' AND '.join(where)} "
               "ORDER BY e.last_published DESC NULLS LAST, e.id LIMIT %s OFFSET %s")
        return self._events(self._query(sql, (*params, limit, offset)))

    def count_events(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM events")[0]["n"])

    def grouping_version(self) -> int:
        return int(self._query(
            "SELECT value FROM store_state WHERE key = 'grouping_version'")[0]["value"])

    def get_event(self, event_id: str) -> Event | None:
        """One event by id."""
        found = self._events(self._query("SELECT * FROM events WHERE id = %s", (event_id,)))
        return found[0] if found else None

    def event_of_article(self, article_id: str) -> tuple[str | None, str | None]:
        """(event id, id of the article it copies) for one article."""
        rows = self._query("SELECT event_id, copy_of FROM event_articles WHERE article_id = %s",
                           (article_id,))
        return (rows[0]["event_id"], rows[0]["copy_of"]) if rows else (None, None)

    def copies_in_event(self, event_id: str) -> dict[str, str]:
        """Article id -> the article it copies, for one event's copies."""
        return {r["article_id"]: r["copy_of"] for r in self._query(
            "SELECT article_id, copy_of FROM event_articles WHERE event_id = %s "
            "AND copy_of IS NOT NULL", (event_id,))}

    def event_memberships(self) -> dict[str, tuple[str, str | None]]:
        """Every grouped article id -> (event id, id of the article it copies or None)."""
        return {r["article_id"]: (r["event_id"], r["copy_of"]) for r in self._query(
            "SELECT article_id, event_id, copy_of FROM event_articles")}

    def event_story_ids(self) -> dict[str, str | None]:
        """Every stored event id -> its storyline's id or None."""
        return {r["id"]: r["story_id"] for r in self._query("SELECT id, story_id FROM events")}

    def list_stories(self, limit: int = 50, offset: int = 0) -> list[Story]:
        """Storylines, newest first, with their events in date order."""
        return self._stories(self._query("SELECT * FROM stories ORDER BY last_date DESC NULLS LAST, "
                                         "id LIMIT %s OFFSET %s", (limit, offset)))

    def get_story(self, story_id: str) -> Story | None:
        """One storyline with its events in date order."""
        found = self._stories(self._query("SELECT * FROM stories WHERE id = %s", (story_id,)))
        return found[0] if found else None

    def _stories(self, rows: list[Any]) -> list[Story]:
        """Story rows with their events (one query for all of them)."""
        if not rows:
            return []
        evs: dict[str, list[str]] = {r["id"]: [] for r in rows}
        for r in self._query("SELECT id, story_id FROM events WHERE story_id = ANY(%s) "
                             "ORDER BY date NULLS FIRST, id", (list(evs),)):
            evs[r["story_id"]].append(r["id"])
        return [Story(id=r["id"], title=r["title"], event_ids=evs[r["id"]],
                      first_date=r["first_date"], last_date=r["last_date"]) for r in rows]
