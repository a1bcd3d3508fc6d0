"""Canonical entities: one name per person, place or organisation, within and across articles.

Within an article (``resolve_article``): titles are stripped ("President Putin" -> "Putin"), full
names that differ only by middle names or initials are one person, a lone surname or given name
joins the full name it belongs to when exactly one full name in the article has it ("Li" ->
"Li Shangfu", but not when "Li Qiang" is there too), and well-known names and exonyms map to
their English form through the small gazetteer in ``names`` ("Vladimir Poutine", "Путин" ->
Vladimir Putin; "Kiev" -> Kyiv; a given name one edit off a known person's, same surname).

Across articles (``EntityIndex``): every canonical name has a key (romanised, folded; see
``names.name_key``) and a stable id ``ent_`` + hash of type and key. A lone surname that no
article resolved joins a known full name only when that full name is the only one with this
surname that shares enough co-occurring entities with the article. The index is rebuilt from the
stored ``Entity`` rows (or by replaying stored mentions, which also restores co-occurrence).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from newsweave.models import Entity, EntityType, Mention, stable_id
from newsweave.stages import names

__all__ = ["resolve_article", "EntityIndex", "entity_id"]


def _base(m: Mention) -> str:
    base = (m.canonical or m.text).strip()
    if m.type == "PER":
        base = names.strip_titles(base)
    return base


def _known(base: str, m: Mention) -> str | None:
    entry = names.gazetteer_lookup(base, m.language)
    if entry is not None and (entry.type == m.type or entry.type != "PER" and m.type != "PER"):
        return entry.name
    if m.type == "PER":
        if len(base.split()) == 1:
            entry = names.gazetteer_surname(base, m.language)
        else:
            entry = names.gazetteer_person_fuzzy(base, m.language)
        if entry is not None:
            return entry.name
    return None


def _person_groups(bases: list[tuple[str, str | None]]) -> dict[str, str]:
    """Full name -> the article's canonical form (same first and last token = same person)."""
    groups: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for base, lang in bases:
        toks = names.name_key(base, lang).split()
        if len(toks) >= 2:
            groups[(toks[0], toks[-1])][base] += 1
    out: dict[str, str] = {}
    for counter in groups.values():
        best = max(counter, key=lambda b: (counter[b], len(b)))
        for b in counter:
            out[b] = best
    return out


_ACRONYM_GLUE = frozenset("of the and for on in de la du des et für und".split())


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.replace("-", " ").split() if w.casefold() not in _ACRONYM_GLUE).upper()


def _acronyms(mentions: list[Mention], bases: list[str], known: list[str | None]) -> dict[str, str]:
    """Acronym -> long form, when exactly one long name in the article spells it ("ECB")."""
    longs = {k or b for m, b, k in zip(mentions, bases, known) if m.type in ("ORG", "MISC") and len(b.split()) >= 2}
    out: dict[str, str] = {}
    for m, b in zip(mentions, bases):
        if m.type == "ORG" and b.isupper() and 2 <= len(b) <= 8 and b.isalpha():
            matches = {lf for lf in longs if _initials(lf) == b}
            if len(matches) == 1:
                out[b] = matches.pop()
    return out


def resolve_article(mentions: list[Mention]) -> list[Mention]:
    """Set ``canonical`` on every mention of one article (titles, surnames, exonyms resolved)."""
    bases = [_base(m) for m in mentions]
    known = [_known(b, m) if b else None for b, m in zip(bases, mentions)]
    per_full = [
        (known[i] or b, m.language) for i, (b, m) in enumerate(zip(bases, mentions))
        if m.type == "PER" and len((known[i] or b).split()) >= 2
    ]
    groups = _person_groups(per_full)
    by_token: dict[str, set[str]] = defaultdict(set)
    for full, lang in per_full:
        toks = names.name_key(full, lang).split()
        for t in {toks[0], toks[-1]}:
            by_token[t].add(groups.get(full, full))
    acronyms = _acronyms(mentions, bases, known)
    out: list[Mention] = []
    for m, base, k in zip(mentions, bases, known):
        canonical = k or acronyms.get(base) or base or m.text
        if m.type == "PER":
            if len(canonical.split()) >= 2:
                canonical = groups.get(canonical, canonical)
            else:
                cands = by_token.get(names.name_key(base, m.language), set())
                if len(cands) == 1:  # only one person in this article could be meant
                    canonical = next(iter(cands))
                elif len(cands) > 1:
                    canonical = base  # "Li" beside "Li Shangfu" and "Li Qiang": stay unresolved
        out.append(replace(m, canonical=canonical))
    return out


def entity_id(etype: str, key: str) -> str:
    """Stable public id of an entity: ``ent_`` + hash of its type and name key."""
    return stable_id("ent", f"{etype}:{key}")


def _compatible(a: EntityType, b: EntityType) -> bool:
    # Taggers confuse ORG/LOC/MISC for the same name (a country as actor); a person is a person.
    return a == b or (a != "PER" and b != "PER")


class EntityIndex:
    """Corpus-wide canonical entities with stable ids; rebuildable from stored entities."""

    def __init__(self, entities: Iterable[Entity] = (), min_context: int = 2) -> None:
        self.min_context = min_context
        self._entities: dict[str, Entity] = {}
        self._by_key: dict[str, list[str]] = defaultdict(list)  # canonical key -> ids
        self._by_variant: dict[str, set[str]] = defaultdict(set)  # any surface key -> ids
        self._by_token: dict[str, set[str]] = defaultdict(set)  # first/last token of PER names
        self._types: dict[str, Counter[EntityType]] = {}
        self._articles: dict[str, set[str]] = defaultdict(set)
        self._context: dict[str, Counter[str]] = defaultdict(Counter)
        for e in entities:
            self._entities[e.id] = replace(e, variants={k: list(v) for k, v in e.variants.items()})
            self._types[e.id] = Counter({e.type: max(1, e.article_count)})
            self._register(e.id, e.name, e.type, None)
            for v in e.variants:
                self._by_variant[names.name_key(v)].add(e.id)

    @classmethod
    def rebuild(cls, articles: Iterable[tuple[str, Sequence[Mention]]],
                entities: Iterable[Entity] = (), min_context: int = 2) -> EntityIndex:
        """An index replayed from stored (article id, mentions), restoring co-occurrence too."""
        index = cls(entities, min_context=min_context)
        for article_id, mentions in articles:
            index.add_article(article_id, mentions)
        return index

    def _register(self, eid: str, canonical: str, etype: EntityType, language: str | None) -> None:
        key = names.name_key(canonical, language)
        if eid not in self._by_key[key]:
            self._by_key[key].append(eid)
        self._by_variant[key].add(eid)
        toks = key.split()
        if etype == "PER" and len(toks) >= 2:
            self._by_token[toks[0]].add(eid)
            self._by_token[toks[-1]].add(eid)

    def _register_alias(self, eid: str, alias: str, language: str | None) -> None:
        key = names.name_key(alias, language)
        if key and eid not in self._by_key[key]:
            self._by_key[key].append(eid)

    def _find(self, key: str, etype: EntityType) -> str | None:
        ids = self._by_key.get(key, [])
        for eid in ids:
            if self._entities[eid].type == etype:
                return eid
        for eid in ids:
            if _compatible(self._entities[eid].type, etype):
                return eid
        return None

    def _surname_match(self, key: str, article_ids: set[str]) -> str | None:
        cands = [eid for eid in self._by_token.get(key, ()) if self._entities[eid].type == "PER"]
        backed = [eid for eid in cands
                  if sum(1 for a in article_ids if self._context[eid][a] > 0) >= self.min_context]
        return backed[0] if len(backed) == 1 else None

    def add_article(self, article_id: str, mentions: Sequence[Mention]) -> list[Mention]:
        """Resolve one article's mentions and set ``entity_id`` on each (new entities created)."""
        resolved = resolve_article(list(mentions))
        ids: list[str | None] = [None] * len(resolved)
        lone: list[int] = []
        for i, m in enumerate(resolved):
            canonical = m.canonical or m.text
            key = names.name_key(canonical, m.language)
            if not key:
                continue
            eid = self._find(key, m.type)
            if eid is None and m.type == "PER" and len(key.split()) == 1:
                lone.append(i)  # decided once the article's other entities are known
                continue
            ids[i] = eid or self._create(canonical, m.type, key, m.language)
        article_ids = {e for e in ids if e}
        for i in lone:
            m = resolved[i]
            key = names.name_key(m.canonical or m.text, m.language)
            eid = self._surname_match(key, article_ids) or self._find(key, m.type)
            ids[i] = eid or self._create(m.canonical or m.text, m.type, key, m.language)
        out: list[Mention] = []
        for m, eid in zip(resolved, ids):
            if eid is None:
                out.append(m)
                continue
            self._observe(eid, article_id, m)
            out.append(replace(m, entity_id=eid, canonical=self._entities[eid].name))
        present = {e for e in ids if e}
        for eid in present:
            for other in present:
                if other != eid:
                    self._context[eid][other] += 1
        return out

    def _create(self, canonical: str, etype: EntityType, key: str, language: str | None) -> str:
        eid = entity_id(etype, key)
        if eid not in self._entities:
            self._entities[eid] = Entity(id=eid, name=canonical, type=etype)
            self._types[eid] = Counter()
        self._register(eid, canonical, etype, language)
        return eid

    def _observe(self, eid: str, article_id: str, m: Mention) -> None:
        e = self._entities[eid]
        self._types[eid][m.type] += 1
        e.type = self._types[eid].most_common(1)[0][0]
        if m.type == "ORG" and m.text.isupper() and m.text.isalpha() and m.text != e.name:
            # the article spelled this acronym out: later articles may use it alone
            self._register_alias(eid, m.text, m.language)
        langs = e.variants.setdefault(m.text, [])  # surface forms as written, by language
        if m.language and m.language not in langs:
            langs.append(m.language)
        self._by_variant[names.name_key(m.text, m.language)].add(eid)
        if article_id not in self._articles[eid]:
            self._articles[eid].add(article_id)
            e.article_count += 1

    def entities(self) -> list[Entity]:
        """All entities, most widely reported first."""
        return sorted(self._entities.values(), key=lambda e: (-e.article_count, e.name))

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this id, if known."""
        return self._entities.get(entity_id)

    def lookup(self, name: str, type: EntityType | None = None) -> Entity | None:
        """The entity a name denotes (canonical name, exonym, known variant or unique surname)."""
        candidates = [name]
        entry = names.gazetteer_lookup(name) or (names.gazetteer_surname(name) if type in (None, "PER") else None)
        if entry is not None:
            candidates.insert(0, entry.name)
        for cand in candidates:
            key = names.name_key(cand)
            ids = [i for i in self._by_key.get(key, []) if type is None or self._entities[i].type == type]
            if ids:  # one name, several types: the most reported reading
                return max((self._entities[i] for i in ids), key=lambda e: e.article_count)
            ids = [i for i in self._by_variant.get(key, ()) if type is None or self._entities[i].type == type]
            if len(key.split()) == 1 and len(self._by_token.get(key, ())) > 1:
                continue  # a surname two known people share ("Li") names neither
            if len(ids) == 1:  # nor does a variant two entities share
                return self._entities[ids[0]]
        key = names.name_key(name)
        if len(key.split()) == 1 and type in (None, "PER"):
            people = [i for i in self._by_token.get(key, ()) if self._entities[i].type == "PER"]
            if len(people) == 1:
                return self._entities[people[0]]
        return None
