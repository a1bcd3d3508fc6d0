"""Record stage: the reconciled who / what / where / when (and a best-effort why / how) of an event.

Each independent source is read on its own by the single-article extractor (``stages.fivew``, the
Giveme5W1H-style reader of headline and lead); the record reconciles those answers across sources,
counting each independent source once (a copy adds nothing):

- who: the actors the per-source who answers name (resolved to canonical people and organisations,
  a bare title such as "Chinese Defense Minister" to the person it introduces elsewhere) plus the
  people and organisations the articles name prominently, ranked by support.
- what: the per-source main action most supported across sources (the same action verb or its noun
  in another source's lead, or the same statement aligned across sources by the multilingual
  sentence embeddings), nominalised and short ("met ... to discuss X" -> "meeting on X").
- where: the per-source where answers grouped by the place entity behind them, shown in the surface
  form most used.
- when: the day most sources' when answers name; disagreeing days are kept. If no answer names a day,
  a day named in a lead or the main claim (the extractor sets aside days ahead of publication, such as
  a scheduled summit); only then the publication date, and ``basis`` says so.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from ..models import Article, Enrichment
from .compare import Claim, Unit, content_tokens, entity_keys, fold, root_of
from .fivew import FiveW, _parse, extract_fivew, extract_when, load_parser, prefetch

__all__ = ["RecordEntity", "RecordWhen", "Record", "build_record", "parse_main", "nominal_of",
           "load_parser"]

LEAD = 3  # sentences of an article that count as its lead
WHO_MAX = 8
# Independent sources read by the extractor (their leads parsed: ~20 ms each); the others add
# entities only. The earliest 8 and 8 spread over the time line: a 300-source event's first
# report takes 1.6 s, 2.5 s with 40 (benchmarks/report.py --real).
MAX_ANSWERS = 16
_END_BOUND = re.compile(r"\b(through|thru|until|till|to|by|ending|ends?|runs? through|before)\s*$",
                        re.IGNORECASE)
_START_BOUND = re.compile(r"\b(from|since|starting|begins?|began|on|in|at|last|this)\s*$", re.IGNORECASE)
# Common news verbs whose noun is not verb+"ing"; others fall back to the verb phrase itself.
NOMINAL = {
    "meet": "meeting", "visit": "visit", "attack": "attack", "kill": "killing", "arrest": "arrest",
    "announce": "announcement", "sign": "signing", "hold": "holding", "discuss": "discussion",
    "win": "win", "lose": "loss", "elect": "election", "resign": "resignation", "die": "death",
    "launch": "launch", "crash": "crash", "derail": "derailment", "explode": "explosion",
    "protest": "protest", "strike": "strike", "vote": "vote", "agree": "agreement",
    "approve": "approval", "reject": "rejection", "ban": "ban", "release": "release",
    "invade": "invasion", "receive": "reception", "talk": "talks", "travel": "trip",
    "arrive": "arrival", "raid": "raid", "sue": "lawsuit", "charge": "charges", "fire": "firing",
    "blame": "blaming", "acquire": "acquisition", "buy": "purchase", "sell": "sale",
    "merge": "merger", "close": "closure", "open": "opening", "appoint": "appointment",
    "decide": "decision", "collapse": "collapse", "injure": "injuries", "rescue": "rescue",
    "shoot": "shooting", "bomb": "bombing", "warn": "warning", "cancel": "cancellation",
    "increase": "increase", "cut": "cut", "raise": "rise", "investigate": "investigation",
}
_VERB_OF = {n: v for v, n in NOMINAL.items()} | {n + "s": v for v, n in NOMINAL.items()}
# The preposition a noun takes for its verb's object ("met X" -> "meeting with X").
_NOUN_PREP = {"meet": "with", "talk": "with", "visit": "to", "travel": "to", "attack": "on",
              "raid": "on", "ban": "on", "strike": "on", "vote": "on", "agree": "on"}
_PURPOSE_ON = {"discuss", "talk", "negotiate", "debate", "consult", "address"}
_REPORTING = {"say", "tell", "state", "announce", "report", "claim", "add", "note", "confirm"}
_LIGHT = {"be", "have", "do", "say", "tell", "make", "get", "go", "come", "take", "give", "see"}
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "this", "that", "who"}


@dataclass
class RecordEntity:
    name: str
    type: str  # PER / ORG / LOC, or ACTOR: an unnamed actor a who answer describes ("police")
    sources: list[str]  # article ids naming it (copies included)
    independent: int  # how many independent sources name it (copies don't count)
    score: float = 0.0
    main: int = 0  # independent sources naming it in their main-action sentence
    key: str = ""  # entity key (entity id or folded name)
    answers: int = 0  # independent sources whose own who / where answer names it
    written: list[str] = field(default_factory=list)  # those answers as written, most used first
    canonical: str | None = None  # the canonical entity behind the name, when there is one


@dataclass
class RecordWhen:
    date: date | None
    sources: list[str]
    basis: str = "text"  # "text": named in the articles; "published": none named, publication day
    text: str | None = None  # the expression, as written
    others: list[tuple[date, list[str]]] = field(default_factory=list)  # disagreeing days
    # Every day the sources' answers name, when they name more than one: (day, sources, as written).
    disagreement: list[tuple[date, list[str], str | None]] = field(default_factory=list)


@dataclass
class Record:
    who: list[RecordEntity]
    what: str | None  # nominal phrase for display ("meeting on military cooperation")
    action: str | None  # the verb phrase as written ("met with Russian President Vladimir Putin")
    what_sources: list[str]
    where: list[RecordEntity]
    when: RecordWhen
    actor: str | None = None  # the best-supported actor
    why: str | None = None
    how: str | None = None
    main_sentence: str | None = None
    main_people: list[str] = field(default_factory=list)  # as written in the main sentence
    main_places: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    answers: dict[str, FiveW] = field(default_factory=dict)  # article id -> its own answers


def _span_text(tokens: Sequence[Any]) -> str:
    return tokens[0].doc[tokens[0].i: tokens[-1].i + 1].text if tokens else ""


def _subtree(tok: Any) -> list[Any]:
    toks = list(tok.subtree)
    while toks and toks[-1].is_punct:
        toks.pop()
    while toks and toks[0].is_punct:
        toks.pop(0)
    return toks


def _trim_phrase(toks: list[Any], limit: int = 9) -> list[Any]:
    # Long objects carry relative clauses and appositions: keep the head's own phrase.
    cut = []
    for t in toks:
        if t.dep_ in ("relcl", "acl", "appos", "advcl", "cc") and t != toks[0] and cut:
            break
        if t.is_punct and t.text in ",;:(":
            break
        cut.append(t)
    return cut[:limit]


@dataclass
class Parsed:
    """What the dependency parse of one sentence says about its main event."""

    actor: str | None
    actor_entity: str | None
    verb: str | None
    action: str | None
    what: str | None
    places: list[str]
    people: list[str] = field(default_factory=list)  # persons and organisations, in order


def parse_main(sentence: str) -> Parsed | None:
    """Actor, action, nominal what and places of one (English) sentence."""
    nlp = load_parser()
    if nlp is None or not sentence.strip():
        return None
    doc = nlp(sentence)
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return None
    verb = roots[0]
    # "X said (that) Y did Z": the event is Y did Z, unless X is the only actor we have.
    if verb.lemma_ in _REPORTING:
        comp = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX")]
        if comp:
            verb = comp[0]
    comp = [c for c in verb.children if c.dep_ in ("acomp", "attr", "xcomp")]
    if verb.pos_ == "AUX" and comp and comp[0].pos_ == "VERB":
        verb = comp[0]
    return _read_verb(doc, verb)


@lru_cache(maxsize=2048)
def nominal_of(sentence: str, action: str) -> Parsed | None:
    """The parse of ``sentence`` around the verb that starts ``action`` (a verb phrase in it)."""
    nlp = load_parser()
    k = sentence.find(action) if sentence and action else -1
    if nlp is None or k < 0:
        return parse_main(sentence) if sentence else None
    doc = _parse(sentence)  # the lead sentence's parse is usually cached from extract_fivew
    inside = [t for t in doc if k <= t.idx < k + len(action)]
    verbs = [t for t in inside if t.pos_ == "VERB"] or [t for t in inside if t.pos_ == "AUX"]
    verb = (verbs or inside or [None])[0]
    return _read_verb(doc, verb) if verb is not None else parse_main(sentence)


def _read_verb(doc: Any, verb: Any) -> Parsed:
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    actor = actor_ent = by = None
    if subj:
        toks = _trim_phrase(_subtree(subj[0]), 12)
        actor = _span_text(toks)
        ents = [e for e in doc.ents if e.label_ in ("PERSON", "ORG", "NORP", "GPE")
                and e.start >= toks[0].i and e.end <= toks[-1].i + 1] if toks else []
        if ents:
            actor_ent = max(ents, key=lambda e: (e.label_ in ("PERSON", "ORG"), len(e))).text
        if subj[0].lower_ in _PRONOUNS:
            actor = None
    if subj and subj[0].dep_ == "nsubjpass":
        agent = [c for c in verb.children if c.dep_ == "agent"]
        if agent and list(agent[0].children):
            toks = _trim_phrase(_subtree(list(agent[0].children)[0]), 8)
            by = "by " + _span_text(toks) if toks else None
            ents = [e for e in doc.ents if e.label_ in ("PERSON", "ORG") and toks
                    and e.start >= toks[0].i and e.end <= toks[-1].i + 1]
            if ents:
                actor_ent = ents[0].text
    objects, purpose = [], None
    time_place = {t.i for e in doc.ents if e.label_ in ("DATE", "TIME", "GPE", "LOC", "FAC")
                  for t in e}
    for c in verb.children:
        if c.dep_ in ("dobj", "attr", "acomp", "prt", "dative", "oprd") and not objects:
            objects = [c] if c.dep_ == "prt" else _trim_phrase(_subtree(c))
        elif c.dep_ == "prep" and not objects and c.lower_ not in ("in", "at", "on", "during",
                                                                      "after", "since", "amid"):
            pobj = [g for g in c.children if g.dep_ == "pobj"]
            if pobj and pobj[0].i not in time_place:
                objects = _trim_phrase(_subtree(c))
        elif c.dep_ in ("advcl", "xcomp") and any(g.lower_ == "to" for g in c.children):
            purpose = c
    verb_toks = [verb] + [c for c in verb.children if c.dep_ == "prt"]
    if objects and objects[0].dep_ == "prt":
        objects = []
    action_toks = sorted(set(verb_toks) | set(objects), key=lambda t: t.i)
    if len(verb_toks) == 1 and not objects and purpose is not None:
        action_toks = sorted(set(verb_toks) | set(_trim_phrase(_subtree(purpose))), key=lambda t: t.i)
    action = _span_text(action_toks) if action_toks else None
    noun = NOMINAL.get(verb.lemma_)
    what = None
    if noun:
        tail = ""
        if purpose is not None and purpose.lemma_ in _PURPOSE_ON:
            obj = [g for g in purpose.children if g.dep_ == "dobj"]
            if obj:
                tail = "on " + _span_text(_trim_phrase(_subtree(obj[0]), 6))
        if not tail and objects:
            obj_text = _span_text(objects)
            tail = obj_text if objects[0].dep_ == "prep" else \
                f"{_NOUN_PREP.get(verb.lemma_, 'of')} {obj_text}"
        if not tail and by:  # "received by Putin" -> "reception by Putin"
            tail = by
        what = f"{noun} {tail}".strip()
    else:
        what = action
    places = [e.text for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")]
    people = [e.text for e in doc.ents if e.label_ in ("PERSON", "ORG")]
    return Parsed(actor, actor_ent, verb.lemma_, action, what, places, people)


# ---- per-source answers ------------------------------------------------------------------------

@dataclass
class _Answer:
    article: Article
    fivew: FiveW
    lemmas: frozenset[str]  # lemmas (verbs as their verb) of the headline and lead


_CACHE: dict[str, tuple[FiveW, frozenset[str]]] = {}
_CACHE_MAX = 1024


def _fingerprint(a: Article, enr: Enrichment) -> str:
    # Same article and enrichment, same answers: an event of many re-posted copies reads one.
    parts = (a.title, a.text, a.language, a.published.date() if a.published else None,
             [(s.start, s.end) for s in enr.sentences[:40]],
             [(m.text, m.start, m.type, m.canonical) for m in enr.mentions],
             [(d.start, d.text, d.date_from, d.date_to, d.granularity) for d in enr.dates])
    return hashlib.sha1(repr(parts).encode("utf-8", "replace")).hexdigest()


def _lemmas(items: Sequence[tuple[Article, Enrichment]]) -> list[frozenset[str]]:
    """The verb and noun lemmas of each article's headline and lead, tagged in one batch."""
    nlp = load_parser()
    if not nlp:
        return [frozenset() for _ in items]
    texts = [[a.title or ""] + [s.text for s in enr.sentences[:LEAD]] for a, enr in items]
    docs = iter(nlp.pipe([t for ts in texts for t in ts], disable=["parser", "ner"]))
    return [frozenset(_VERB_OF.get(t.lemma_.lower(), t.lemma_.lower())
                      for doc in (next(docs) for _ in ts) for t in doc
                      if t.pos_ in ("VERB", "NOUN")) for ts in texts]


def _answers(articles: Sequence[Article], enrichments: dict[str, Enrichment],
             copies: dict[str, str] | None) -> dict[str, _Answer]:
    """One answer per independent source (the original itself when present), earliest first."""
    reps: dict[str, Article] = {}
    for a in articles:
        if a.id not in enrichments:
            continue
        r = root_of(a.id, copies)
        if r not in reps or a.id == r:
            reps[r] = a
    picked = list(reps.items())
    if len(picked) > MAX_ANSWERS:  # the earliest half, the other half spread over the time line
        half, rest = MAX_ANSWERS // 2, picked[MAX_ANSWERS // 2:]
        picked = picked[:half] + [rest[i * len(rest) // (MAX_ANSWERS - half)]
                                  for i in range(MAX_ANSWERS - half)]
    keyed = [(r, a, _fingerprint(a, enrichments[a.id])) for r, a in picked]
    new = {k: (a, enrichments[a.id]) for _, a, k in keyed if k not in _CACHE}
    if len(_CACHE) + len(new) > _CACHE_MAX:
        _CACHE.clear()
    # The parser is English-only (dates are read in every language); the English articles read
    # for the first time are parsed and tagged in batches, not one by one.
    english = [(k, a, e) for k, (a, e) in new.items()
               if (e.language or a.language or "en").startswith("en")]
    if len(english) > 1:
        prefetch([(a, e) for _, a, e in english])
    lemmas = dict(zip((k for k, _, _ in english), _lemmas([(a, e) for _, a, e in english]))) \
        if english else {}
    for k, (a, e) in new.items():
        _CACHE[k] = (extract_fivew(a, e), lemmas[k]) if k in lemmas else \
            (extract_when(a, e), frozenset())
    return {r: _Answer(a, *_CACHE[k]) for r, a, k in keyed}


_fold = lru_cache(maxsize=1 << 16)(fold)


@dataclass
class _Names:
    """Who and what is named in the event's articles, indexed once per record."""

    by_name: dict[str, dict[str, str]]  # folded name (as written or canonical) -> type -> entity key
    titles: dict[str, list[tuple[frozenset[str], str]]]  # title's last word -> (its words, person)


def _names(articles: Sequence[Article], enrichments: dict[str, Enrichment]) -> _Names:
    seen: dict[str, Counter] = defaultdict(Counter)
    titles: dict[str, list[tuple[frozenset[str], str]]] = defaultdict(list)
    for a in articles:
        enr = enrichments.get(a.id)
        keys = entity_keys(enr.mentions) if enr else {}
        for i, m in enumerate(enr.mentions if enr else ()):
            for form in {m.text, m.canonical or m.text}:
                seen[_fold(re.sub(r"['’]s$", "", form))][(m.type, keys[i])] += 1
            if m.type == "PER":  # "Chinese Defence Minister Li Shangfu": the title before a name
                before = re.split(r"[.!?;:,()\"“”]", a.text[max(0, m.start - 60): m.start])[-1].split()
                if before:
                    titles[_fold(before[-1])].append((content_tokens(" ".join(before[-5:])), keys[i]))
    by_name: dict[str, dict[str, str]] = defaultdict(dict)
    for name, c in seen.items():
        for (typ, key), _n in c.most_common():  # the most frequent entity per name and type
            by_name[name].setdefault(typ, key)
    return _Names(by_name, titles)


def _lookup(phrase: str, names: _Names, types: Sequence[str]) -> list[tuple[str, str]]:
    """(key, type) of the entities named in a phrase, longest name first at each position."""
    words = _fold(re.sub(r"['’]s\b", "", phrase)).replace(",", " ").split()
    out, i = [], 0
    while i < len(words):
        for n in range(min(5, len(words) - i), 0, -1):
            hit = names.by_name.get(" ".join(words[i:i + n]), {})
            typ = next((t for t in types if t in hit), None)
            if typ:
                if (hit[typ], typ) not in out:
                    out.append((hit[typ], typ))
                i += n - 1
                break
        i += 1
    return out


def _titled(phrase: str, names: _Names) -> str | None:
    """The person a bare title names: "Chinese Defense Minister" -> "... Minister Li Shangfu"."""
    want = content_tokens(phrase)
    head = _fold(phrase).split()[-1] if phrase.split() else ""
    votes = Counter(key for have, key in names.titles.get(head, ()) if want and have
                    and 2 * len(want & have) / (len(want) + len(have)) >= 0.5)
    return votes.most_common(1)[0][0] if votes else None


# ---- who and where -----------------------------------------------------------------------------

def _title_has(title: str, name: str) -> bool:
    return bool(title) and _fold(name.split()[-1]) in _fold(title)


def _entities(articles: Sequence[Article], enrichments: dict[str, Enrichment], types: set[str],
              copies: dict[str, str] | None, lead_units: dict[str, set[int]],
              main: dict[str, set[int]]) -> list[RecordEntity]:
    names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    etype: dict[str, str] = {}
    sources: dict[str, list[str]] = defaultdict(list)
    weight: dict[str, dict[str, float]] = defaultdict(dict)  # key -> root -> best prominence
    with_actor: set[str] = set()  # named in an early sentence beside a headline/lead actor
    for art in articles:
        enr = enrichments.get(art.id)
        if not enr:
            continue
        keys = entity_keys(enr.mentions)
        sent_of = _sentence_index(enr)
        root = root_of(art.id, copies)
        for i, m in enumerate(enr.mentions):
            if m.type not in types:
                continue
            k = keys[i]
            names[k][m.canonical or m.text] += 1
            etype[k] = m.type
            if art.id not in sources[k]:
                sources[k].append(art.id)
            s = sent_of(m.start)
            w = 3.0 if s in main.get(art.id, ()) else 2.0 if s in lead_units.get(art.id, ()) \
                else 1.0 if s is not None and s < 8 else 0.3
            if _title_has(art.title, m.canonical or m.text):
                w += 1.0
            weight[k][root] = max(weight[k].get(root, 0.0), w)
        # Who else took part: named in an early sentence together with a lead actor.
        lead_keys = {keys[i] for i, m in enumerate(enr.mentions) if m.type == "PER"
                     and sent_of(m.start) in lead_units.get(art.id, ())}
        by_sent: dict[int | None, set[str]] = defaultdict(set)
        for i, m in enumerate(enr.mentions):
            if m.type in types:
                by_sent[sent_of(m.start)].add(keys[i])
        for s_i, ks in by_sent.items():
            if s_i is not None and s_i < 8 and ks & lead_keys:
                with_actor.update(ks - lead_keys)
    out = []
    for k, per_root in weight.items():
        best = max(names[k].items(), key=lambda kv: (len(kv[0].split()) > 1, kv[1], len(kv[0])))[0]
        best = re.sub(r"['’]s$", "", best)
        score = round(sum(per_root.values()), 2) + (1.0 if k in with_actor else 0.0)
        out.append(RecordEntity(best, etype[k], sources[k], len(per_root), score,
                                sum(1 for w in per_root.values() if w >= 3.0), key=k, canonical=best))
    out.sort(key=lambda e: (-e.score, -e.independent, e.name))
    return out


def _sentence_index(enr: Enrichment):
    starts = [(s.start, s.end, s.index) for s in enr.sentences]

    def find(offset: int) -> int | None:
        for s, e, i in starts:
            if s <= offset < e:
                return i
        return None
    return find


@dataclass
class _Sources:
    """The independent sources of an event: root -> its articles (copies included)."""

    members: _Sources
    order: dict[str, int]  # article id -> position in the event

    def expand(self, roots: Sequence[str] | set[str]) -> list[str]:
        ids = {a for r in roots for a in self.members.get(r, [r])}
        return sorted(ids, key=lambda a: (self.order.get(a, len(self.order)), a))


def _sources(articles: Sequence[Article], copies: dict[str, str] | None) -> _Sources:
    out: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        out[root_of(a.id, copies)].append(a.id)
    return _Sources(out, {a.id: i for i, a in enumerate(articles)})


def _reconcile(entities: list[RecordEntity], answers: dict[str, _Answer], attr: str,
               resolve: Any, members: _Sources) -> list[RecordEntity]:
    """Entities with the support of the sources whose ``attr`` answer names them (``resolve``:
    answer -> [(entity key, type)]); actors and places only an answer names are added."""
    named: dict[str, set[str]] = defaultdict(set)
    written: dict[str, Counter] = defaultdict(Counter)
    types: dict[str, str] = {}
    for root, ans in answers.items():
        phrase = getattr(ans.fivew, attr)
        for key, typ in resolve(phrase) if phrase else ():
            named[key].add(root)
            written[key][phrase] += 1
            types[key] = typ
    by_key = {e.key: e for e in entities}
    for k, roots in named.items():
        e = by_key.get(k)
        if e is None:  # an unnamed actor ("police") or a place no entity stage caught
            e = by_key[k] = RecordEntity(written[k].most_common(1)[0][0], types[k],
                                         members.expand(roots), len(roots))
        e.answers = len(roots)
        e.written = [w for w, _ in written[k].most_common()]
    return list(by_key.values())


def _who(people: list[RecordEntity], answers: dict[str, _Answer], names: _Names,
         members: _Sources) -> list[RecordEntity]:
    def resolve(who: str) -> list[tuple[str, str]]:
        hits = _lookup(who, names, ("PER", "ORG"))
        titled = None if hits else _titled(who, names)
        if hits or titled:
            return hits or [(titled, "PER")]
        # A country or group acting ("UK", "Taliban"), else a description ("a gunman").
        found = _lookup(who, names, ("LOC", "MISC"))[:1]
        return [(found[0][0] if found else "actor:" + " ".join(sorted(content_tokens(who))
                                                               or [_fold(who)]), "ACTOR")]

    out = _reconcile(people, answers, "who", resolve, members)
    # Actors: named by an answer, in some source's headline or lead, or by several sources.
    out = [e for e in out if e.answers or e.score >= 2.0 or e.independent >= 2]
    out.sort(key=lambda e: (-e.answers, -e.score, -e.independent, e.name))
    return out[:WHO_MAX]


def _where(places: list[RecordEntity], answers: dict[str, _Answer], names: _Names,
           members: _Sources) -> list[RecordEntity]:
    def resolve(where: str) -> list[tuple[str, str]]:
        found = _lookup(where, names, ("LOC",))  # "Croydon, London": the more specific, named first
        return [(found[0][0] if found else "place:" + _fold(where), "LOC")]

    out = [e for e in _reconcile(places, answers, "where", resolve, members) if e.answers]
    for e in out:
        e.name = e.written[0]  # the surface form most used; the entity stays in ``canonical``
    out.sort(key=lambda e: (-e.answers, -e.score, e.name))
    return out[:4]


# ---- when --------------------------------------------------------------------------------------

def _when(answers: dict[str, _Answer], articles: Sequence[Article],
          enrichments: dict[str, Enrichment], copies: dict[str, str] | None,
          members: _Sources, lead: dict[str, set[int]]) -> RecordWhen:
    """The day most sources' answers name; else a day a lead names; else the first publication."""
    votes: dict[date, set[str]] = defaultdict(set)
    text_of: dict[date, str | None] = {}
    for root, ans in answers.items():
        if ans.fivew.when_basis == "text" and ans.fivew.when is not None:
            votes[ans.fivew.when].add(root)
            text_of.setdefault(ans.fivew.when, ans.fivew.when_text)
    if not votes:  # the extractor sets aside days ahead of publication ("the summit opens on ...")
        for art in articles:
            enr = enrichments.get(art.id)
            sent_of = _sentence_index(enr) if enr else None
            for d in enr.dates if enr else ():
                before = art.text[max(0, d.start - 14): d.start]
                if d.granularity != "day" or d.date_from != d.date_to \
                        or sent_of(d.start) not in lead.get(art.id, ()) \
                        or (_END_BOUND.search(before) and not _START_BOUND.search(before)):
                    continue  # not a day, deep in the body (background), or "runs through April 19"
                votes[d.date_from].add(root_of(art.id, copies))
                text_of.setdefault(d.date_from, d.text)
    if votes:
        ranked = sorted(votes, key=lambda dy: (-len(votes[dy]), dy))  # most sources, then earliest
        srcs = {dy: members.expand(votes[dy]) for dy in ranked}
        best = ranked[0]
        dis = [(dy, srcs[dy], text_of[dy]) for dy in ranked] if len(ranked) > 1 else []
        return RecordWhen(best, srcs[best], "text", text_of[best],
                          [(dy, srcs[dy]) for dy in ranked[1:]], dis)
    dated = sorted((a for a in articles if a.published), key=lambda a: a.published)
    if dated:
        return RecordWhen(dated[0].published.date(), [dated[0].id], "published", None)
    return RecordWhen(None, [], "none")


# ---- what --------------------------------------------------------------------------------------

def _main_claim(claims: Sequence[Claim]) -> Claim | None:
    pool = [c for c in claims if min(u.order for u in c.units) < LEAD] or list(claims)
    return max(pool, key=lambda c: (c.support, -min(u.order for u in c.units))) if pool else None


def _short(text: str | None, limit: int = 8) -> str | None:
    return " ".join(text.split()[:limit]) if text else None


def _what(answers: dict[str, _Answer], claims: Sequence[Claim], enrichments: dict[str, Enrichment]
          ) -> tuple[_Answer | None, Parsed | None, set[str]]:
    """The main action most supported across sources: (its source's answer, its parse, supporters)."""
    claim_of = {(u.article_id, u.index): c for c in claims for u in c.units}
    best: tuple[tuple, _Answer | None, Parsed | None, set[str]] = ((), None, None, set())
    for order, (root, ans) in enumerate(answers.items()):
        f = ans.fivew
        if not f.what or not f.sentence:
            continue
        p = nominal_of(f.sentence, f.what)
        verb = p.verb.lower() if p and p.verb else f.what.split()[0].lower()
        support = {root}
        if verb not in _LIGHT:  # the same action, as a verb or its noun, in another source's lead
            noun = NOMINAL.get(verb)
            support |= {r for r, b in answers.items() if verb in b.lemmas or (noun and noun in b.lemmas)}
        # The same statement in other sources, aligned by the (multilingual) sentence embeddings.
        enr = enrichments.get(ans.article.id)
        idx = next((s.index for s in enr.sentences if s.text == f.sentence), None) if enr else None
        claim = claim_of.get((ans.article.id, idx)) if idx is not None else None
        if claim is not None:
            support |= set(claim.roots)
        has_tail = bool(p and p.what and verb in NOMINAL and len(p.what.split()) > 1)
        key = (len(support), verb in NOMINAL, has_tail, -order)
        if key > best[0]:
            best = (key, ans, p, support)
    return best[1:]


def build_record(articles: Sequence[Article], enrichments: dict[str, Enrichment],
                 claims: Sequence[Claim], units: Sequence[Unit],
                 copies: dict[str, str] | None = None) -> Record:
    """Reconcile the sources' own who / what / where / when answers across the articles of one event."""
    lead_units: dict[str, set[int]] = defaultdict(set)
    for u in units:
        if u.order < LEAD:
            lead_units[u.article_id].add(u.index)
    mc = _main_claim(claims)
    main: dict[str, set[int]] = defaultdict(set)
    if mc:
        for u in mc.units:
            main[u.article_id].add(u.index)
    members = _sources(articles, copies)
    answers = _answers(articles, enrichments, copies)
    people = _entities(articles, enrichments, {"PER", "ORG"}, copies, lead_units, main)
    names = _names(articles, enrichments)
    who = _who(people, answers, names, members)
    places = _entities(articles, enrichments, {"LOC"}, copies, lead_units, main)
    where = _where(places, answers, names, members)
    if not where:  # no source's answer names a place: the places of the main claim, else the lead
        main_places = sorted((p for p in places if p.main), key=lambda p: (-p.main, -p.score))
        where = (main_places or [p for p in places if p.score >= 2.0])[:4]
    lead = {a: main.get(a, set()) | lead_units.get(a, set()) for a in set(main) | set(lead_units)}
    when = _when(answers, articles, enrichments, copies, members, lead)
    ans, parsed, support = _what(answers, claims, enrichments)
    f = ans.fivew if ans else None
    what = parsed.what if parsed and parsed.verb in NOMINAL else (f.what if f else None)
    why = f.why if f and f.why else next((a.fivew.why for a in answers.values() if a.fivew.why), None)
    how = f.how if f and f.how else next((a.fivew.how for a in answers.values() if a.fivew.how), None)
    disagreements = []
    if when.disagreement:
        disagreements.append("when: " + "; ".join(
            f"{d} ({len(s)} source{'s' if len(s) != 1 else ''})" for d, s, _ in when.disagreement))
    return Record(
        who=who,
        what=_short(what),
        action=f.what if f else None,
        what_sources=members.expand(support) or (mc.sources if mc else [a.id for a in articles[:1]]),
        where=where,
        when=when,
        actor=who[0].name if who else None,
        why=why,
        how=how,
        main_sentence=f.sentence if f else (mc.text if mc else None),
        main_people=parsed.people if parsed else [],
        main_places=parsed.places if parsed else [],
        disagreements=disagreements,
        answers={a.article.id: a.fivew for a in answers.values()},
    )
