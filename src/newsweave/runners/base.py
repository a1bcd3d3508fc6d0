"""The runner seam: where the per-article stages run (in this process, or on a Ray cluster).

A runner turns raw items into ``Processed`` records, one per item, in input order: the Article
(or a Failure with its reason), its partial Enrichment (mentions not yet linked to entity ids) and
its grouping features (entity ids not yet filled in) when it computed them. Everything corpus-wide
stays in the pipeline: storing (duplicates are decided there), entity linking and clustering.

``BatchWorker`` is the per-article half that a remote worker runs on one batch; it loads its models
once in ``setup()``. ``LinkingEnricher`` lets the pipeline link precomputed analyses through the
same code path as in-process enrichment, so both give the same entities.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Protocol, Sequence

from ..config import Settings
from ..errors import InputError, StageError
from ..models import Article, Enrichment, Failure, RawItem, SentenceVectors, StoredFeatures
from ..stages.enrich import Enricher

# Entity types that go into an article's grouping features.
FEATURE_ENTITY_TYPES = ("PER", "ORG", "LOC")


@dataclass
class Processed:
    """One input item after the per-article stages."""

    article: Article | None = None
    failure: Failure | None = None
    enrichment: Enrichment | None = None  # partial: mentions not linked (None: not computed)
    features: StoredFeatures | None = None  # entities empty until linked (None: not computed)
    # the report sentence vectors of the enrichment's sentences (None: not computed); linking
    # does not change sentences, so they hold for the linked enrichment too
    sentences: SentenceVectors | None = None


class Runner(Protocol):
    """Runs the per-article stages; yields one Processed per item, in input order."""

    name: str

    def process(self, items: Iterable[RawItem | Failure], settings: Settings
                ) -> Iterator[Processed]:
        """Extract (and, remote runners, analyse and featurise) every item."""
        ...

    def close(self) -> None:
        """Release what the runner started (worker pools, a local cluster)."""
        ...


def extract_item(item: RawItem | Failure) -> Processed:
    """Extract one raw item; a source Failure or a bad item becomes a Processed failure."""
    from ..stages.extract import extract

    if isinstance(item, Failure):
        return Processed(failure=item)
    try:
        return Processed(article=extract(item))
    except (StageError, InputError) as e:
        return Processed(failure=Failure(item=item.source, reason=getattr(e, "reason", str(e)),
                                         stage=getattr(e, "stage", "extract")))


def feature_entities(enrichment: Enrichment | None) -> list[str]:
    """The canonical entity ids (people, organisations, places) that grouping compares."""
    return sorted({m.entity_id for m in (enrichment.mentions if enrichment else [])
                   if m.entity_id and m.type in FEATURE_ENTITY_TYPES})


class BatchWorker:
    """The per-article half on one batch: extract, language, analyse, featurise.

    Models load once in setup(). A bad item never fails the batch: extraction errors become
    Failures; an analysis or featurisation that raises leaves that field None, and the pipeline
    computes it in-process later (so the outcome is the same as without a worker)."""

    def __init__(self, enrich: bool = True, group: bool = True) -> None:
        self.enrich = enrich
        self.group = group
        self.analyser = None
        self.grouper = None

    def setup(self) -> "BatchWorker":
        """Load the analysis models and the embedder once."""
        if self.enrich and self.analyser is None:
            from ..stages.enrich import Analyser

            self.analyser = Analyser()
            self.analyser.setup()
        if self.group and self.grouper is None:
            from ..stages.group import Grouper

            self.grouper = Grouper()
            self.grouper.setup()
        return self

    def run(self, items: Sequence[RawItem | Failure]) -> list[Processed]:
        """Every item of the batch, processed, in the same order."""
        self.setup()
        out = [extract_item(x) for x in items]
        done = [p for p in out if p.article is not None]
        arts = [p.article for p in done]
        # A failing article leaves its field None: the pipeline recomputes it in-process, where
        # a failure is reported by name.
        if self.analyser is not None and arts:
            for p, e in zip(done, each_or_none(self.analyser.analyse, arts)):
                p.enrichment = e
        if self.grouper is not None and arts:
            for p, f in zip(done, each_or_none(lambda b: self.grouper.featurize(b, {}), arts)):
                p.features = f
            # The encoder is loaded for the features: the report sentences are embedded here too,
            # not in the process that stores (stages/sentvec.py).
            from ..stages.sentvec import default_embed, embed_sentences

            analysed = [p for p in done if p.enrichment is not None]
            for p, sv in zip(analysed, each_or_none(lambda b: embed_sentences(b, default_embed),
                                                    [p.enrichment for p in analysed])):
                p.sentences = sv
        return out


def each_or_none(fn, arts: list[Article], on_error=None) -> list:
    """fn over the batch; if it raises, one article at a time, None where it still raises
    (``on_error(article, exception)`` is told of each)."""
    try:
        return list(fn(arts))
    except Exception:  # isolate the bad article
        out = []
        for a in arts:
            try:
                out.append(fn([a])[0])
            except Exception as exc:
                if on_error is not None:
                    on_error(a, exc)
                out.append(None)
        return out


class LinkingEnricher(Enricher):
    """An Enricher whose per-article analyses may have been computed elsewhere (a worker).

    Linking (types by majority over the batch, canonical entity ids, quote speakers) runs exactly
    as in ``Enricher.enrich``; only the analysis of articles with a precomputed one is skipped."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.partials: dict[str, Enrichment] = {}

    def add_partials(self, partials: Mapping[str, Enrichment]) -> None:
        """Analyses to use instead of computing them (consumed when used)."""
        self.partials.update(partials)

    def setup(self) -> None:
        """Build the entity index; the models load only if something is left to analyse here."""
        if self.index is None:
            from ..stages.canonical import EntityIndex

            self.index = EntityIndex(self._known)

    def _analyse(self, articles: Sequence[Article]) -> list[Enrichment]:
        missing = [a for a in articles if a.id not in self.partials]
        computed = dict(zip([a.id for a in missing], super()._analyse(missing))) if missing else {}
        return [self.partials.pop(a.id) if a.id in self.partials else computed[a.id]
                for a in articles]
