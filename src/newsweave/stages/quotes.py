"""Quotations: article text + sentences + PERSON mentions -> Quote records with their speakers.

Direct quotations are the spans between quote marks (straight, typographic, guillemets, German
„…“, CJK 「…」; found by ``sentences.quoted_spans``, which the sentence splitter shares). The
speaker comes from the reporting clause of the same sentence: a reporting verb ("said",
"a déclaré", "sagte", "dijo", "заявил", "表示") or a source phrase ("according to", "selon",
"laut", "según", "по словам"). Its subject is, in order: a PERSON mention next to the cue; a
pronoun, resolved to the last PERSON mentioned before the quote; a name word matching a known
person ("Li" -> "Li Shangfu"); a title ("the defence minister"), resolved to the last person
introduced with that title, else kept as the phrase. A verb cue beats a source phrase: in
'X stated that … "…", according to a summary by the ministry' X said it, the summary reports it.

Reported speech ("Li stated that …", "a déclaré que …") becomes kind="reported" only when the
speaker is explicit (a name or a title, not a pronoun) and the sentence has no direct quotation.

Scare quotes (1-3 words, no reporting cue in the sentence, e.g. 'black holed') are skipped: they
are not speech, and keeping them would swamp quote comparison with noise. No parser is used:
spaCy's dependency parse exists only for English here and costs more than the whole budget of
this stage, while news attribution is formulaic enough for the patterns below.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from ..models import Mention, Quote, Sentence
from .sentences import normalize_language, quoted_spans

__all__ = ["find_quotes"]

MAX_CHARS = 500_000  # beyond an article; bounded so junk input cannot stall a batch

# Reporting verbs per language; the English list also serves unknown languages.
_VERBS = {
    "en": r"said|says|say|stated|states|remarked|remarks|added|adds|told|tells|wrote|writes|explained"
          r"|noted|insisted|argued|declared|announced|warned|asked|replied|claimed|emphasi[sz]ed"
          r"|stressed|confirmed|continued|recalled|acknowledged|commented|observed|admitted|conceded"
          r"|vowed|pledged|promised|urged|tweeted|posted|testified|reiterated|suggested|answered",
    "fr": r"a déclaré|a dit|a affirmé|a ajouté|a expliqué|a souligné|a indiqué|a estimé|a assuré"
          r"|a précisé|a martelé|a lancé|a insisté|a rappelé|a confié|a reconnu|a averti|a prévenu"
          r"|déclare|dit|affirme|ajoute|explique|souligne|indique|estime|assure|précise|martèle"
          r"|lance|insiste|rappelle|confie|reconnaît|avait déclaré|avait dit",
    "de": r"sagte|sagt|erklärte|erklärt|betonte|betont|meinte|meint|fügte|fügt|warnte|warnt"
          r"|schrieb|schreibt|teilte|teilt|sprach|kündigte|versicherte|unterstrich|so",
    "es": r"dijo|dice|afirmó|afirma|declaró|declara|señaló|señala|añadió|añade|explicó|explica"
          r"|aseguró|asegura|indicó|indica|subrayó|advirtió|manifestó|sostuvo|expresó",
    "it": r"ha detto|ha dichiarato|ha affermato|ha aggiunto|ha spiegato|ha sottolineato|dice|afferma",
    "pt": r"disse|afirmou|declarou|acrescentou|explicou|destacou|ressaltou|diz|afirma",
    "nl": r"zei|zegt|verklaarde|verklaart|stelde|stelt|voegde|schreef",
    "ru": r"заявил|заявила|заявили|сказал|сказала|сказали|отметил|отметила|отметили|добавил"
          r"|добавила|подчеркнул|подчеркнула|сообщил|сообщила|считает|говорит|пояснил|пояснила"
          r"|написал|написала|признал|признала",
    "zh": r"说|表示|称|指出|强调|宣称|认为|透露|坦言|回应|写道",
}
_SOURCES = {
    "en": r"according to",
    "fr": r"selon|d'après|d’après",
    "de": r"laut|nach Angaben von|zufolge",
    "es": r"según|de acuerdo con",
    "it": r"secondo",
    "pt": r"segundo|de acordo com",
    "nl": r"volgens",
    "ru": r"по словам|по мнению|по данным|как сообщил|как заявил",
    "zh": r"据",
}
_THAT = {
    "en": r",?\s+that\b", "fr": r"\s+qu(?:e\b|')", "de": r",\s+(?:dass|es|er|sie)\b",
    "es": r"\s+que\b", "it": r"\s+che\b", "pt": r"\s+que\b", "nl": r",?\s+(?:dat)\b",
    "ru": r",\s+что\b", "zh": r"",
}
_PRONOUNS = {
    "en": {"he", "she"}, "fr": {"il", "elle"}, "de": {"er", "sie"}, "es": {"él", "ella"},
    "it": {"lui", "lei"}, "pt": {"ele", "ela"}, "nl": {"hij", "zij", "ze"}, "ru": {"он", "она"},
    "zh": {"他", "她"},
}
_DETERMINERS = {
    "the", "a", "an", "le", "la", "les", "l'", "l’", "un", "une", "der", "die", "das", "den", "dem",
    "ein", "eine", "el", "los", "las", "il", "lo", "gli", "o", "os", "as", "de", "het", "its",
    "his", "her", "their", "our",
}
# Words that sit between a subject and its verb and are not part of the subject.
_ADVERBS = {
    "also", "later", "then", "further", "previously", "again", "reportedly", "once", "recently",
    "earlier", "subsequently", "himself", "herself", "has", "had", "have", "had", "also,", "aussi",
    "encore", "auch", "noch", "dann", "también", "luego", "также", "тоже", "ещё", "еще",
    "publicly", "repeatedly", "quickly", "simply", "only", "just", "immediately", "separately",
    "then,", "however", "however,", "and",
}
_WORD = re.compile(r"[\w'’.-]+")


@lru_cache(maxsize=32)
def _patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    verbs = _VERBS.get(lang, _VERBS["en"])
    sources = _SOURCES.get(lang, _SOURCES["en"])
    if lang in ("zh", "ja"):
        cue = re.compile(rf"(?P<src>{sources})|(?P<verb>{verbs})")
        that = re.compile(rf"(?P<verb>{verbs})[:：，,]?")
    else:
        cue = re.compile(rf"(?<!\w)(?:(?P<src>{sources})|(?P<verb>{verbs}))(?!\w)", re.IGNORECASE)
        that = re.compile(rf"(?<!\w)(?P<verb>{verbs}){_THAT.get(lang, _THAT['en'])}", re.IGNORECASE)
    return cue, that, re.compile(r"[.!?。！？]+[\"'”’»」]*\s*$")


def _sentence_bounds(sentences: list[Sentence], starts: list[int], pos: int, text: str) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    if 0 <= i < len(sentences) and sentences[i].start <= pos < max(sentences[i].end, pos + 1):
        return sentences[i].start, sentences[i].end
    # No sentence covers it (none given): the line is the clause.
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return lo, len(text) if hi < 0 else hi


class _People:
    """PERSON mentions in text order, with the lookups attribution needs."""

    def __init__(self, text: str, persons: list[Mention]) -> None:
        self.text = text
        self.items = sorted((m for m in persons if m.type == "PER"), key=lambda m: m.start)
        self.starts = [m.start for m in self.items]

    def name(self, m: Mention) -> str:
        return m.canonical or m.text

    def inside(self, lo: int, hi: int) -> list[Mention]:
        i = bisect.bisect_left(self.starts, lo)
        out = []
        while i < len(self.items) and self.items[i].start < hi:
            if self.items[i].end <= hi:
                out.append(self.items[i])
            i += 1
        return out

    def last_before(self, pos: int) -> Mention | None:
        i = bisect.bisect_left(self.starts, pos) - 1
        while i >= 0:
            if self.items[i].end <= pos:
                return self.items[i]
            i -= 1
        return None

    def by_word(self, words: list[str], before: int) -> Mention | None:
        """The last person before ``before`` whose name contains all these capitalised words."""
        wanted = {w.lower() for w in words}
        for m in reversed(self.items):
            if m.start >= before:
                continue
            names = {t.lower() for t in re.findall(r"\w+", f"{m.text} {m.canonical or ''}")}
            if wanted <= names:
                return m
        return None

    def by_title(self, title: str, before: int) -> Mention | None:
        """The last person introduced with this title: "Defence Minister Li Shangfu" (title right
        before the name) or "Li Shangfu, China's defence minister," (apposition)."""
        title = title.lower()
        for m in reversed(self.items):
            if m.start >= before:
                continue
            lead = self.text[max(0, m.start - len(title) - 30):m.start].lower()
            at = lead.rfind(title)
            if at >= 0 and len(lead[at + len(title):].split()) <= 1 and not re.search(r"[.;:!?]", lead[at:]):
                return m
            apposition = self.text[m.end:m.end + len(title) + 40].lower()
            if re.match(rf",\s+(?:[^,.;]*\s)?{re.escape(title)}\b", apposition):
                return m
        return None


def _subject(phrase: str, phrase_end: int, people: _People, lang: str, quote_start: int,
             explicit_only: bool) -> tuple[str | None, Mention | None]:
    """Resolve the words before (or after) a cue to a speaker name and mention."""
    words = _WORD.findall(phrase)
    # English adverbs mostly end in -ly ("Weiner's office initially said")
    while words and (words[-1].lower() in _ADVERBS or (lang == "en" and words[-1].endswith("ly")
                                                         and words[-1].islower())):
        words.pop()
    if not words:
        return None, None
    words = words[-8:]
    last = words[-1].lower()
    if last in _PRONOUNS.get(lang, _PRONOUNS["en"]) or (lang not in _PRONOUNS and last in _PRONOUNS["en"]):
        if explicit_only:
            return None, None
        m = people.last_before(quote_start)
        return (people.name(m), m) if m else (None, None)
    # Keep the clause tail: the subject starts after the last conjunction or relative word.
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower() in {"and", "but", "that", "while", "et", "mais", "que", "und", "dass",
                                 "y", "pero", "и", "но", "что"}:
            words = words[i + 1:]
            break
    if not words:
        return None, None
    caps = [w for w in words if w[:1].isupper() and w.lower() not in _DETERMINERS]
    if caps and all(w[:1].isupper() or w.lower() in _DETERMINERS for w in words):
        m = people.by_word([w.strip(".'’") for w in caps[-2:]], quote_start)
        if m:
            return people.name(m), m
    content = [w for w in words if w.lower() not in _DETERMINERS]
    if not content or len(content) > 6:
        return None, None
    title = " ".join(content)
    m = people.by_title(title, quote_start) if title.lower() != title.upper() else None
    if m is None and len(content) > 1 and content[-1].islower():
        m = people.by_title(content[-1], quote_start)
    if m:
        return people.name(m), m
    phrase_text = " ".join(words)
    if explicit_only and not caps and not words[0].lower() in _DETERMINERS:
        return None, None
    return phrase_text, None


def _speaker_near(cue: re.Match[str], clause_lo: int, clause_hi: int, text: str, people: _People,
                  lang: str, quote: tuple[int, int], explicit_only: bool = False):
    """Speaker for one cue: adjacent PERSON, else subject words before it, else the words after."""
    qs, qe = quote
    is_source = bool(cue.group("src"))
    # Words before the cue, back to the quotation or the clause start.
    lo = qe if qe <= cue.start() else clause_lo
    before = text[lo:cue.start()]
    cut = max(before.rfind(","), before.rfind(";"), before.rfind(":"))
    before_lo = lo + cut + 1 if cut >= 0 and not before[cut + 1:].strip() == "" else lo
    before = text[before_lo:cue.start()]
    # Words after the cue, up to the next punctuation or quotation.
    hi = qs if cue.end() <= qs else clause_hi
    after = re.split(r"[,;:.!?\"“”«»„]", text[cue.end():hi], maxsplit=1)[0]
    after_lo, after_hi = cue.end(), cue.end() + len(after)
    if is_source:
        mentions = people.inside(after_lo, after_hi)
        if mentions:
            return people.name(mentions[0]), mentions[0]
        phrase = after.strip()
        return (phrase or None), None
    near_before = [m for m in people.inside(before_lo, cue.start())
                   if not text[m.end:cue.start()].strip(" ,") or
                   all(w.lower() in _ADVERBS for w in _WORD.findall(text[m.end:cue.start()]))]
    if near_before:
        return people.name(near_before[-1]), near_before[-1]
    if before.strip():
        name, m = _subject(before, cue.start(), people, lang, qs, explicit_only)
        if name:
            return name, m
    near_after = [m for m in people.inside(after_lo, after_hi)
                  if not text[after_lo:m.start].strip() or len(text[after_lo:m.start].split()) <= 4]
    if near_after:
        return people.name(near_after[0]), near_after[0]
    words = after.split()
    if words and not explicit_only and len(words) <= 6 and lang not in ("zh", "ja"):
        name, m = _subject(" ".join(words), after_hi, people, lang, qs, explicit_only)
        return name, m
    return None, None


def _direct(text: str, sentences: list[Sentence], starts: list[int], people: _People, lang: str,
            cue_re: re.Pattern[str]) -> list[Quote]:
    out: list[Quote] = []
    for qs, qe in quoted_spans(text):
        inner_s, inner_e = qs + 1, qe - 1
        while inner_s < inner_e and text[inner_s].isspace():
            inner_s += 1
        while inner_e > inner_s and (text[inner_e - 1].isspace() or text[inner_e - 1] in ",;"):
            inner_e -= 1
        if inner_e <= inner_s:
            continue
        lo, _ = _sentence_bounds(sentences, starts, qs, text)
        _, hi = _sentence_bounds(sentences, starts, max(qs, qe - 1), text)
        # Cues outside the quotation only: the quoted words are not the reporting clause.
        cues = [c for c in cue_re.finditer(text, lo, hi) if c.end() <= qs or c.start() >= qe]
        n_words = len(text[inner_s:inner_e].split()) if lang not in ("zh", "ja") else (inner_e - inner_s) // 2
        if not cues and n_words <= 3:
            continue  # scare quote
        speaker = mention = cue_text = None
        # Verb cues before sources; among each, the one nearest to the quotation.
        ranked = sorted(cues, key=lambda c: (bool(c.group("src")),
                                             min(abs(c.start() - qe), abs(qs - c.end()))))
        for cue in ranked:
            name, m = _speaker_near(cue, lo, hi, text, people, lang, (qs, qe))
            if name:
                speaker, mention, cue_text = name, m, cue.group()
                break
        if cue_text is None and ranked:
            cue_text = ranked[0].group()
        out.append(Quote(text[inner_s:inner_e], inner_s, inner_e, speaker, "direct", cue_text,
                         mention.entity_id if mention else None))
    return out


def _reported(text: str, sentences: list[Sentence], people: _People, lang: str,
              that_re: re.Pattern[str], final_re: re.Pattern[str], direct: list[Quote]) -> list[Quote]:
    out: list[Quote] = []
    quoted_in = [q.start for q in direct]
    for s in sentences:
        m = that_re.search(text, s.start, s.end)
        if not m:
            continue
        if any(s.start <= q < s.end for q in quoted_in):
            continue  # the direct quotation already carries this attribution
        body_s = m.end()
        while body_s < s.end and text[body_s].isspace():
            body_s += 1
        tail = final_re.search(text, body_s, s.end)
        body_e = tail.start() if tail else s.end
        if body_e - body_s < 8:
            continue
        cue = _VerbCue(m)
        name, mention = _speaker_near(cue, s.start, s.end, text, people, lang, (body_s, body_e),
                                      explicit_only=True)
        if not name:
            continue
        out.append(Quote(text[body_s:body_e], body_s, body_e, name, "reported", m.group("verb"),
                         mention.entity_id if mention else None))
    return out


class _VerbCue:
    """The verb part of a 'said that' match, shaped like a cue match for _speaker_near."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def group(self, name: str | int = 0):
        if name == "src":
            return None
        return self._m.group("verb")

    def start(self) -> int:
        return self._m.start("verb")

    def end(self) -> int:
        return self._m.end("verb")


def find_quotes(text: str, sentences: list[Sentence], persons: list[Mention],
                language: str | None) -> list[Quote]:
    """Direct and reported quotations in ``text``, each with its speaker when one is named."""
    if not text or not text.strip():
        return []
    text = text[:MAX_CHARS]
    lang = normalize_language(language) or "en"
    cue_re, that_re, final_re = _patterns(lang if lang in _VERBS else "en")
    sentences = [s for s in sentences if s.start < len(text)]
    starts = [s.start for s in sentences]
    people = _People(text, persons)
    direct = _direct(text, sentences, starts, people, lang, cue_re)
    reported = _reported(text, sentences, people, lang, that_re, final_re, direct)
    return sorted(direct + reported, key=lambda q: q.start)
