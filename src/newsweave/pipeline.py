"""Runs the stages over batches of inputs with a per-item error policy.

A bad input or item is recorded as a Failure with its reason and the batch goes on; each batch of
articles is stored in one transaction.
"""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from .config import Settings
from .models import Article, Enrichment, Failure, IngestReport, RawItem, SentenceVectors
from .store.base import Store

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    from .runners.base import Processed, Runner
    from .stages.enrich import Enricher
    from .stages.group import Grouping, GroupingState

ProgressFn = Callable[[str, str], None]  # (event: "stored"|"duplicate"|"unchanged"|"failed", item)


@dataclass
class Pipeline:
    """The ingest flow: sources -> extract -> store.

    ``runner`` decides where the per-article stages run (default: the one ``settings.runner``
    names, in-process unless "ray"); storing, entity linking and grouping always run here, in
    input order, so every runner gives the same stored result."""

    store: Store
    settings: Settings
    progress: ProgressFn | None = None
    enricher: "Enricher | None" = None
    runner: "Runner | None" = None

    def _tick(self, event: str, item: str) -> None:
        if self.progress:
            self.progress(event, item)

    def run_items(self, items: Iterable[RawItem | Failure], report: IngestReport | None = None
                  ) -> IngestReport:
        """Extract and store raw items (Failures from the sources are passed into the report)."""
        from .runners import make_runner

        report = report or IngestReport()
        runner = self.runner or make_runner(self.settings)
        try:
            batch: list[Processed] = []
            for p in runner.process(items, self.settings):
                if p.failure is not None or p.article is None:
                    failure = p.failure or Failure(item="?", reason="no article", stage="extract")
                    report.failed.append(failure)
                    self._tick("failed", failure.item)
                    continue
                batch.append(p)
                if len(batch) >= self.settings.batch_size:
                    self._flush(batch, report)
                    batch = []
            if batch:
                self._flush(batch, report)
        finally:
            if self.runner is None:  # a runner passed in belongs to the caller
                runner.close()
        if self.settings.enrich:
            # Articles stored by an earlier, interrupted run get their enrichment now.
            self.enrich_missing()
        if self.enricher is not None:
            self.enricher.close()
        if self.settings.group and (report.stored or self.store.articles_without_features()):
            report.failed.extend(self.group(stored=report.stored).failed)
        return report

    def group(self, *, from_scratch: bool = False, stored: Sequence[str] = ()) -> "Grouping":
        """Featurise what is new, then update copies, events and stories.

        A process that grouped this store before (``watch``, the API server) adds the new
        articles (``stored`` by this run, or still without features) to the grouping it kept,
        when nothing else changed the store in between; another process rebuilds the stored
        grouping and adds them to that (``_restore``); ``from_scratch``, or when neither can be
        built on, every stored article is replayed in publication order."""
        from .runners.base import feature_entities
        from .stages.group import Grouper

        grouper = Grouper(threshold=self.settings.event_threshold)
        state = _GROUPINGS.pop(self.store, None)  # dropped unless this run completes
        ids = self.store.articles_without_features()
        # Stored by this run with features computed by the runner's workers: new to a kept
        # grouping too, although they need no featurising here.
        pending = set(ids)
        ready = [i for i in dict.fromkeys(stored) if i not in pending]
        if state is not None and (from_scratch or not _unchanged_since(
                state.token, self.store, len(ids) + len(ready))
                or not grouper.built_like(state)):
            state = None
        step = self.settings.batch_size
        failed: list[Failure] = []
        new_articles: list[Article] = []
        for i in range(0, len(ids), step):
            arts = [a for a in (self.store.get_article(x) for x in ids[i:i + step]) if a]
            ents = {a.id: feature_entities(self.store.get_enrichment(a.id)) for a in arts}
            self.store.save_features(self._featurize(grouper, arts, ents, failed))
            new_articles.extend(arts)
            self._tick("embedded", f"{min(i + step, len(ids))}/{len(ids)}")
        types = {e.id: e.type for e in self.store.all_entities()}
        grouping = None
        base: int | None = None  # the stored grouping's version that ``grouping`` extends
        if state is not None:
            new_articles.extend(a for a in (self.store.get_article(x) for x in ready) if a)
            new_features = {f.article_id: f for f in self.store.load_features(
                [a.id for a in new_articles])}
            grouping = grouper.extend(state, new_articles, new_features, types)
        kept = grouping is not None
        if kept:
            base = state.token[1]
            log.info("grouping: added %d articles to the kept grouping", len(new_articles))
        else:
            features = {f.article_id: f for f in self.store.load_features()}
            articles = self._grouping_articles(features)
            restored = None if state is not None or from_scratch else \
                self._restore(grouper, articles, features, types, pending)
            if restored is not None:
                grouping, base = restored
            else:
                grouping = grouper.group(articles, features, types, self.store)
                log.info("grouping: replayed %d stored articles", len(articles))
            self._backfill_signatures(features, grouping)
        # The store holds the grouping we kept or rebuilt (nobody wrote since, which the store
        # checks as it writes): only what changed. Otherwise everything.
        if not (base is not None and self._write_changes(grouping, base)):
            self.store.replace_events(grouping.events, grouping.copies, grouping.stories)
        if grouping.state is not None:
            grouping.state.token = _token(self.store)
            _GROUPINGS[self.store] = grouping.state
            if not kept:
                # Built here (rebuilt from the store or replayed): what the next process can
                # load instead of building again (the ANN graph of a SQLite store, in a file
                # beside it). A process that keeps its grouping does not rewrite it per batch.
                grouping.state.clusterer.save_index()
        grouping.failed = failed
        return grouping

    def _grouping_articles(self, features: dict) -> list[Article]:
        """Every stored article as grouping reads it: without its text, except where the copy
        detector needs the text because no stored signature stands for it (features stored
        before migration 007, or none at all; when that is more than a tenth of the store, one
        read of everything). Texts are most of a store: at 50,000 articles reading them all
        cost ~400 MB of peak memory and over a second (benchmarks/RESULTS.md)."""
        articles = list(self.store.iter_articles(text=False))
        need = [i for i, a in enumerate(articles)
                if (f := features.get(a.id)) is None or f.minhash is None]
        if len(need) > len(articles) // 10:  # a store from before 007: one read beats many
            return list(self.store.iter_articles())
        for i in need:
            articles[i] = self.store.get_article(articles[i].id) or articles[i]
        return articles

    def _restore(self, grouper, articles: list[Article], features: dict, types: dict,
                 featurised: set[str]) -> "tuple[Grouping, int] | None":
        """A process that did not write the stored grouping (a one-shot ``ingest``) rebuilds
        it from the store and adds the articles no event holds yet, instead of judging every
        stored article again; None (replay instead) when the stored grouping cannot be built
        on. An article featurised only now was kept in an event of its own by the last
        grouping (its features had failed): a replay gives it its real event. With the grouping,
        the version of the stored one it was rebuilt from, which the write of what changed
        checks."""
        version = self.store.grouping_version()  # before reading it: a later write shows
        membership = self.store.event_memberships()
        if not membership or featurised & membership.keys():
            return None
        grouped = [a for a in articles if a.id in membership]
        if len(grouped) != len(membership):  # the grouping names articles the store lacks
            return None
        state = grouper.restore(grouped, features, membership, types, self.store,
                                self.store.event_story_ids())
        if state is None:
            log.info("grouping: the stored grouping cannot be rebuilt; replaying the store")
            return None
        new = [a for a in articles if a.id not in membership]
        grouping = grouper.extend(state, new, features, types)
        if grouping is None:
            return None
        log.info("grouping: rebuilt the stored grouping (%d articles) and added %d",
                 len(grouped), len(new))
        return grouping, version

    def _write_changes(self, grouping: "Grouping", version: int) -> bool:
        """Write only the events an extension changed; False when the store refused (another
        process wrote a grouping since ``version``)."""
        by_id = {e.id: e for e in grouping.events}
        return self.store.update_events([by_id[e] for e in grouping.written], grouping.removed,
                                        grouping.copies, grouping.stories, version=version)

    def _backfill_signatures(self, features: dict, grouping: "Grouping") -> None:
        """Features stored before copy signatures were (migration 007) get the signatures this
        grouping computed, so that the next rebuild does not hash those texts again."""
        from dataclasses import replace

        import numpy as np

        missing = [f for f in features.values() if f.minhash is None]
        if not missing or grouping.state is None:
            return
        detector = grouping.state.detector
        # Every stored article went through the detector: one it holds no signature of had a
        # text too short to compare, whose signature is empty.
        filled = []
        for f in missing:
            sig = detector.signature_of(f.article_id)
            filled.append(replace(f, minhash=np.zeros(0, np.uint32) if sig is None else sig))
        for i in range(0, len(filled), self.settings.batch_size):
            self.store.save_features(filled[i:i + self.settings.batch_size])
        log.info("grouping: stored the copy signatures of %d older articles", len(filled))

    def _featurize(self, grouper, arts: list[Article], ents, failed: list[Failure]) -> list:
        """Features of a batch; an article whose featurisation raises is left out and reported
        (it stays stored, in an event of its own, and is tried again by the next grouping)."""
        from .runners.base import each_or_none

        def report(a: Article, exc: Exception) -> None:
            failed.append(Failure(a.id, f"stored, but its grouping features failed "
                                        f"({type(exc).__name__}: {exc}); it is in an event of its "
                                        "own until a later ingest or `recluster` succeeds",
                                  stage="group"))
            self._tick("failed", a.id)

        feats = each_or_none(lambda b: grouper.featurize(b, ents), arts, report)
        return [f for f in feats if f is not None]

    def _enricher(self) -> "Enricher":
        if self.enricher is None:
            from .runners.base import LinkingEnricher

            self.enricher = LinkingEnricher(self.store.all_entities(), workers=self.settings.workers)
        return self.enricher

    def enrich_articles(self, articles: Sequence[Article]) -> int:
        """Run the understanding stages on stored articles and store the results."""
        return len(self._enrich(articles))

    def _enrich(self, articles: Sequence[Article], partials: "dict | None" = None,
                sentences: "dict | None" = None) -> dict[str, "Enrichment"]:
        """Enrich (or, with partials computed by a runner, only link) and store; id -> result.
        ``sentences``: report sentence vectors a runner computed, by article id."""
        if not articles:
            return {}
        enricher = self._enricher()
        if partials and hasattr(enricher, "add_partials"):
            enricher.add_partials(partials)
        result = enricher.enrich(articles)
        self.store.save_enrichments(result.enrichments, result.entities)
        self._save_sentence_vectors(result.enrichments, sentences or {})
        return {e.article_id: e for e in result.enrichments}

    def _save_sentence_vectors(self, enrichments: Sequence[Enrichment],
                               computed: dict[str, SentenceVectors]) -> None:
        """Store the vectors of the sentences an event report compares (stages/sentvec.py), so
        that opening an event does not embed its articles: those a runner computed when they
        match the stored sentences, the others embedded here. They are a cache: an article
        whose vectors fail here is logged and embedded by the first report that needs it."""
        from .stages.sentvec import usable

        ready: list[SentenceVectors] = []
        todo: list[Enrichment] = []
        for e in enrichments:
            sv = computed.get(e.article_id)
            if usable(sv, e):
                ready.append(sv)
            else:
                todo.append(e)
        if todo:
            from .runners.base import each_or_none
            from .stages.sentvec import default_embed, embed_sentences

            def failed(e: Enrichment, exc: Exception) -> None:
                log.warning("%s: sentence vectors not computed (%s: %s); a report embeds them",
                            e.article_id, type(exc).__name__, exc)

            ready += [sv for sv in each_or_none(lambda b: embed_sentences(b, default_embed), todo,
                                                failed) if sv is not None]
        if ready:
            self.store.save_sentence_vectors(ready)

    def enrich_missing(self) -> int:
        """Enrich every stored article that has no enrichment yet, in batches."""
        ids = self.store.unenriched_article_ids()
        done = 0
        for i in range(0, len(ids), self.settings.batch_size):
            arts = [a for a in (self.store.get_article(x) for x in ids[i:i + self.settings.batch_size])
                    if a is not None]
            done += self.enrich_articles(arts)
            self._tick("enriched", f"{done}/{len(ids)}")
        return done

    def fill_sentence_vectors(self) -> int:
        """Compute and store the report sentence vectors that enriched articles lack (a store
        filled by an earlier version, or whose vectors failed), in batches; returns how many
        articles got them. (An article enriched again gets new ones with its enrichment.)"""
        ids = self.store.articles_without_sentence_vectors()
        done = 0
        for i in range(0, len(ids), self.settings.batch_size):
            todo = [e for e in (self.store.get_enrichment(x)
                                for x in ids[i:i + self.settings.batch_size]) if e is not None]
            self._save_sentence_vectors(todo, {})
            done += len(todo)
            self._tick("enriched", f"sentence vectors {done}/{len(ids)}")
        return done

    def _flush(self, batch: "list[Processed]", report: IngestReport) -> None:
        result = self.store.add_articles([p.article for p in batch])
        report.stored += result.stored
        report.duplicates += result.duplicates
        report.unchanged += result.unchanged
        for source, aid, stored_from in result.conflicts:
            report.failed.append(Failure(
                source, f"id {aid!r} is already taken by another article (stored from "
                        f"{stored_from}, with a different text); not stored, nothing changed: "
                        "give this item an id of its own", stage="store"))
            self._tick("failed", source)
        stored = set(result.stored)
        mine = [p for p in batch if p.article.id in stored]
        linked: dict = {}
        if self.settings.enrich and mine:
            linked = self._enrich([p.article for p in mine],
                                  {p.article.id: p.enrichment for p in mine if p.enrichment},
                                  {p.article.id: p.sentences for p in mine if p.sentences})
        features = [p.features for p in mine if p.features is not None]
        if self.settings.group and features:
            from .runners.base import feature_entities

            for f in features:
                f.entities = feature_entities(linked.get(f.article_id))
            self.store.save_features(features)
        for i in result.stored:
            self._tick("stored", i)
        for i, _ in result.duplicates:
            self._tick("duplicate", i)
        for i in result.unchanged:
            self._tick("unchanged", i)


def ingest(inputs: Sequence[str], store: Store, settings: Settings, *,
           progress: ProgressFn | None = None, stdin=None) -> IngestReport:
    """Read every input (files, folders, globs, URLs, feeds, WARC, '-'), extract, store."""
    from .sources import iter_raw

    return Pipeline(store, settings, progress).run_items(iter_raw(inputs, settings, stdin=stdin))


def ingest_items(items: Iterable[RawItem], store: Store, settings: Settings, *,
                 progress: ProgressFn | None = None) -> IngestReport:
    """Extract and store items that are already in memory (feeds polled by `watch`, the API)."""
    return Pipeline(store, settings, progress).run_items(items)


def extract_only(inputs: Sequence[str], settings: Settings, *, stdin=None
                 ) -> Iterable[Article | Failure]:
    """Extraction without a store: one Article (or Failure) per input item."""
    from .sources import iter_raw
    from .runners.base import extract_item

    for item in iter_raw(inputs, settings, stdin=stdin):
        p = extract_item(item)
        yield p.article if p.article is not None else p.failure


def enrich_store(store: Store, settings: Settings, *, progress: ProgressFn | None = None) -> int:
    """Enrich the stored articles that have no enrichment yet; returns how many were enriched."""
    return Pipeline(store, settings, progress).enrich_missing()


def fill_sentence_vectors(store: Store, settings: Settings, *,
                          progress: ProgressFn | None = None) -> int:
    """Store the report sentence vectors enriched articles lack; returns for how many."""
    return Pipeline(store, settings, progress).fill_sentence_vectors()


def regroup_store(store: Store, settings: Settings, *, progress: ProgressFn | None = None
                  ) -> "Grouping":
    """Re-cluster the whole store from scratch: copies, events, storylines."""
    return Pipeline(store, settings, progress).group(from_scratch=True)


# The grouping each open store was last given by this process, so that the next ingest into it
# (`watch`, the API server) adds its articles instead of replaying the whole store. Held weakly:
# a closed and dropped store takes its grouping with it.
_GROUPINGS: "weakref.WeakKeyDictionary[Store, GroupingState]" = weakref.WeakKeyDictionary()


def _token(store: Store) -> tuple[int, int]:
    """What the store looked like after a grouping was written: articles, grouping version."""
    return (store.count_articles(), store.grouping_version())


def _unchanged_since(token: tuple, store: Store, new: int) -> bool:
    # Since our last write, only the ``new`` articles still to be featurised may have come in.
    # Another process's grouping (its ingest or recluster) bumps the grouping version, even when
    # it leaves as many events as ours, and then its grouping, not ours, is the one to build on.
    articles, version = token
    return store.grouping_version() == version and store.count_articles() == articles + new
