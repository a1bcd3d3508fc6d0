"""Plain-text article cleaning: headline, body without boilerplate, caption, and text metadata.

Boilerplate is found by general rules, not by a list of known sentences:

* page chrome: a short line made only of interface words in any of several languages
  ("Advertising", "Read more", "I subscribe", "2 min", "Views: 1021", "Share on Facebook");
* calls to action: "Read also: ...", newsletter, app and follow prompts, "more news on:";
* position: lines before the first real paragraph that carry no sentence (reading time,
  datelines, bylines, captions), a trailing block after the last real paragraph, the list
  that follows a "same topics" / "tags" heading, and everything after an author-box marker
  ("Website | + posts", "About the author").

Short lines *between* paragraphs are kept: they are the article's section subheadings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from . import textmeta
from .textmeta import Byline, word_count

__all__ = ["CleanText", "clean_text", "clean_body", "is_boilerplate", "prompts_reader",
           "teaser_or_prompt"]


@dataclass
class CleanText:
    """A plain-text article split into headline, body and what was recognised around it."""

    title: str
    body: str
    caption: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    author: str | None = None
    removed: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why each removed line went, same order


# Interface words of news pages (en, fr, de, es, pt, it, ru). A short line made only of these
# (and numbers) is page chrome: a reader gets no news from it.
_UI_WORDS = set(
    """
    advertising advertisement advert ad ads sponsored promoted promotion read more also full story
    stories article articles share shares sharing tweet email e-mail print comment comments comment
    subscribe subscribed subscription unsubscribe i you me us follow following listen watch video
    videos photo photos gallery image images audio podcast min mins minute minutes reading read time
    close open menu search login log sign in up register next previous prev back to top home
    continue main the this a an of on our for with now here click tap page views view viewed
    download app copy link save bookmark loading updated published newsletter newsletters scroll down
    live related topics topic tags tag more top news latest breaking facebook twitter x whatsapp
    linkedin telegram instagram youtube pinterest reddit tiktok vk rss messenger flipboard all
    publicité pub lire aussi plus partager partagez imprimer commenter commentaires commentaire
    abonner abonnez abonne abonné je m s vous nous suivre suivez écouter regarder vidéo vidéos
    lecture fermer la le les l de du des d sur à au article en savoir voir
    anzeige werbung mehr lesen sie auch teilen drucken kommentare kommentar abonnieren folgen
    uns hören lesezeit zum thema artikel weiterlesen ansehen bild bilder foto fotos
    publicidad leer más también compartir imprimir comentarios comentario suscríbete suscribirse
    suscribir seguir síguenos escuchar ver vídeo lectura minutos noticia noticias
    publicidade leia mais também compartilhar compartilhe partilhar partilhe comentários assine
    inscreva se siga ouvir assistir leitura notícia notícias
    pubblicità leggi anche condividi stampa commenti commento iscriviti abbonati segui ascolta
    guarda lettura minuti notizia notizie
    реклама читать читайте также далее ещё еще поделиться печать комментарии комментарий
    подписаться подпишитесь следить слушать смотреть видео фото чтения время мин минуты минут
    просмотры просмотров новости
    vues aufrufe visitas visualizações visualizzazioni
    """.split()
)

_CTA_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("share", re.compile(r"^(?:spread the love|sharing is caring|share this\b.*|partagez cet.*)$", re.I)),
    ("read-also", re.compile(
        r"^\W*(?:read|see|lire|à lire|voir|lesen sie|lies|siehe|leer|lea|leia|veja|leggi|vedi|"
        r"читайте|смотрите|см\.)\s*(?:also|more|aussi|égalemen?t|auch|mehr|también|más|"
        r"também|mais|anche|также|ещё|еще|too)\b.{0,160}$", re.I)),
    ("read-also", re.compile(r"^\W*(?:related|à lire|lire|mehr zum thema|leia|leggi)\s*[:：].{0,160}$", re.I)),
    # An inline teaser of another article: "VEA TAMBIÉN: <its headline>", "Siehe auch: ...".
    ("read-also", re.compile(
        r"^\W*(?:more on this(?: story)?|siehe auch|auch interessant|das könnte sie (?:auch )?"
        r"interessieren|(?:vea|lea|lee|mira) (?:también|además)|notas? relacionadas?|vedi anche|"
        r"(?:czytaj|zobacz) (?:też|także|również))\s*[:：].{0,160}$", re.I)),
    ("more-news", re.compile(
        r"\b(?:more|further|latest|other)\s+(?:news|stories|articles|coverage|updates)\b.{0,80}[:：]"
        r"|\b(?:plus d'(?:actualités|infos|articles)|mehr (?:nachrichten|news|artikel)|"
        r"más noticias|mais notícias|altre notizie|больше новостей)\b", re.I)),
    ("newsletter", re.compile(
        r"(?=.*\b(?:newsletters?|lettre d'information|infolettre|boletín|boletim|рассылк\w*)\b)"
        r"(?=.*\b(?:receive|get|sign|subscribe|inbox|mailbox|recevez|recevoir|inscri\w*|abonn\w*|"
        r"erhalten|abonnieren|anmelden|recib\w*|suscr\w*|receb\w*|assin\w*|ricev\w*|iscri\w*|"
        r"получ\w*|подпи\w*)\b)", re.I)),
    # "download the RFI application": the outlet's own app, named with a determiner.
    ("app", re.compile(
        r"\b(?:download\w*|install\w*|get|télécharg\w*|laden sie|descarg\w*|"
        r"baix\w*|scaric\w*|скача\w*|установ\w*)\b"
        r"(?=.{0,40}?(?:\b(?:the|our|notre|unsere\w*|die|la|nuestra|o|a|nossa|nosso|nostra|наше\w*)\s+|\bl['’])"
        r"(?:[\w-]+\s+){0,2}(?:app|apps|application|appli|aplicación|aplicativo|aplicação|"
        r"applicazione|приложени\w*)\b)", re.I)),
    ("follow", re.compile(
        r"^(?:follow|suivez|folgen sie|síguenos|sigue|siga|segui|seguici|следите|подписывайтесь)\b"
        r".{0,80}\b(?:on|us|news|updates|live|sur|nous|uns|auf|en|no|nas|su|в|за|nachrichten|"
        r"actualité|noticias|notícias|notizie|новост\w*)\b", re.I)),
    ("rights", re.compile(
        r"\b(?:all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos "
        r"reservados|todos os direitos reservados|tutti i diritti riservati|все права защищены)\b", re.I)),
    ("click", re.compile(r"^(?:click|tap|cliquez|klicken sie|haga clic|clique|clicca)\b.{0,80}$", re.I)),
]

# A heading after which the page lists tags or related links, not article text.
_TAGS_HEADING = re.compile(
    r"^\W*(?:read on(?: on)? the same (?:topics?|subjects?)|on the same (?:topics?|subjects?)|"
    r"(?:more )?on (?:this|these|the same) (?:topics?|subjects?)|related(?: topics| articles| stories| "
    r"news| content| tags| coverage)?|tags|topics|keywords|sur (?:les? )?mêmes? sujets?|"
    r"lire sur (?:les? )?mêmes? sujets?|sur le même thème|mots[- ]clés|thèmes|à lire aussi|"
    r"schlagwörter|schlagworte|mehr zum thema|themen|weitere artikel|etiquetas|temas(?: relacionados)?|"
    r"noticias relacionadas|notas relacionadas|notícias relacionadas|tópicos|argomenti|articoli correlati|tag|теги|"
    r"темы|по теме|похожие (?:новости|статьи))\s*[:：]?$",
    re.I,
)
# An author box: everything after it is the author's bio and the site's footer.
_AUTHOR_BOX = re.compile(
    r"^(?:(?:website|site|web)\s*\|\s*)?\+\s*posts$|^(?:about the author|à propos de l'auteur|"
    r"l'auteur|über den autor|über die autorin|zur person|sobre el autor|sobre la autora|"
    r"sobre o autor|sobre a autora|l'autore|sull'autore|об авторе|author bio|the author)\s*:?$",
    re.I,
)
_TERMINAL = (*textmeta.SENTENCE_END, ";")
_CLOSERS = "\"'”’»)]›"
_BULLET = re.compile(r"^\s*(?:[•·▪▫◦‣∙●○■□►▶➤»\-–—*+]|\d{1,2}[.)])\s+")
# Zero-width space, word joiner, BOM, soft hyphen: invisible and meaningless in extracted text.
# (ZWJ/ZWNJ stay: Indic and Persian spelling needs them.)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)


# A call to action: the page addressing its reader ("you", "du", "vous", "te", a formal "Sie"
# inside a sentence) about subscribing, newsletters, membership, donations or a button, in a line
# short enough to be a notice and without quotation marks (a quoted "you have to subscribe to
# the idea" is the story's). On 12,968 lines of news texts it flags two, both notices (a
# newsletter promotion, "Subscribe to Updates"; benchmarks/RESULTS.md, extraction, session 16).
_YOU = re.compile(r"\b(?:you|your|you['’]re|du|dich|dir|dein\w*|tú|tu|te|usted|ustedes|vous|votre|"
                  r"vos)\b", re.I)
_FORMAL_YOU = re.compile(r"(?<!^)(?<![.!?:]\s)\b(?:Sie|Ihnen|Ihre?[nmrs]?)\b")
_ASK = re.compile(r"subscri|abonn|suscr|newsletter|mitglied|unterstütz|únete|síguenos|button|spende"
                  r"|donat|submit", re.I)
# The same asks as an imperative opening the line, or the site's own channel, where no pronoun
# names the reader ("Unterstütze RosaMag ...!", "¡Mira lo que tiene nuestro canal de YouTube!").
_ASK_OPENING = re.compile(
    r"^\W*(?:subscribe|sign up|donate|unterstütze|abonniere|spende|suscríbete|únete|síguenos|"
    r"abonnez-vous|inscrivez-vous|iscriviti|abbonati)\b"
    r"|\b(?:our|unser\w*|nuestr[oa]s?|notre|nos|nostr[oa])\s+(?:[\w-]+\s+)?(?:channel|kanal|canal|"
    r"chaîne|newsletter|podcast|app)\b", re.I)
_QUOTES = re.compile(r"[\"„“”«»]")
CTA_CHARS = 200


def prompts_reader(line: str) -> bool:
    """A notice asking the reader to subscribe, sign up, join, donate or press a button."""
    line = line.strip()
    if len(line) >= CTA_CHARS or _QUOTES.search(line):
        return False
    addressed = bool(_YOU.search(line) or _FORMAL_YOU.search(line))
    return bool(_ASK_OPENING.search(line)) or (addressed and bool(_ASK.search(line)))


# The heading of a page's reference list ("Quellenangaben:", "Sources", "Einzelnachweise").
_REFERENCES_HEADING = re.compile(
    r"^\W*(?:quellen(?:angaben)?|einzelnachweise|literatur(?:angaben)?|sources|references|"
    r"références|fuentes|referencias|fontes|fonti|źródła)\s*[:：]?$", re.I)


def teaser_or_prompt(line: str) -> str | None:
    """Why a line is a call to action, a teaser of another article or the heading of a related,
    tags or references list, or None: the rules of ``is_boilerplate`` that hold anywhere in a
    page's text, tables and short lines included (its "chrome" and "symbols" rules would take a
    table's rows), plus the heading of a reference list, which only pages are checked for."""
    line = line.strip()
    if _TAGS_HEADING.match(line):
        return "tags"
    if _REFERENCES_HEADING.match(line):
        return "references"
    if word_count(line) <= 25:
        for reason, pattern in _CTA_PATTERNS:
            if reason in ("read-also", "newsletter") and pattern.search(line):
                return reason
    return "call-to-action" if prompts_reader(line) else None


def _tokens(line: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", line.lower())


def _letter_share(line: str) -> float:
    chars = [c for c in line if not c.isspace()]
    return sum(c.isalpha() for c in chars) / len(chars) if chars else 0.0


def is_boilerplate(line: str) -> str | None:
    """Why a single line is page boilerplate (chrome, call to action, credit), or None."""
    line = line.strip()
    if not line:
        return None
    words = word_count(line)
    if _AUTHOR_BOX.match(line):
        return "author-box"
    if _TAGS_HEADING.match(line):
        return "tags"
    if words <= 8 and all(t in _UI_WORDS for t in _tokens(line)):
        return "chrome"  # also catches number-only lines ("16:55:48", "___")
    if words <= 6 and _letter_share(line) < 0.5 and not textmeta.is_dateline(line):
        return "symbols"  # dates stay: a dateline gives the publication date
    if words <= 25:
        for reason, pattern in _CTA_PATTERNS:
            if pattern.search(line):
                return reason
    if prompts_reader(line):
        return "call-to-action"
    if words <= 12 and textmeta.is_credit(line) and not textmeta.is_caption(line):
        return "credit"
    return None


def _has_sentence(line: str) -> bool:
    """A line that reads as prose: ends like a sentence, or is too long to be a heading."""
    words = word_count(line)
    return words >= 15 or (words >= 3 and line.rstrip(_CLOSERS).endswith(_TERMINAL))


def _is_paragraph(line: str) -> bool:
    """A real article paragraph: prose of some length."""
    words = word_count(line)
    return words >= 15 or (words >= 6 and line.rstrip(_CLOSERS).endswith(_TERMINAL))


def _lines(raw: str) -> list[str]:
    text = raw.translate(INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return [" ".join(line.split()) for line in text.split("\n")]


class _Cleaner:
    """One pass over the lines of one article; state lives here, not in module globals."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.why: list[str | None] = [None] * len(lines)
        self.byline = Byline()
        self.caption: str | None = None
        self.published: datetime | None = None
        self.bio_author: str | None = None

    def drop(self, i: int, reason: str) -> None:
        if self.why[i] is None:
            self.why[i] = reason

    def kept(self) -> list[int]:
        return [i for i, r in enumerate(self.why) if r is None]

    def run(self) -> None:
        self._mark_lines()
        self._mark_author_box()
        self._mark_tag_lists()
        self._mark_lead()
        self._mark_trailing()

    def _note_byline(self, b: Byline) -> None:
        self.byline.author = self.byline.author or b.author
        self.byline.outlet = self.byline.outlet or b.outlet

    def _mark_lines(self) -> None:
        prev = None
        for i, line in enumerate(self.lines):
            if line == prev:
                self.drop(i, "duplicate")  # scrapers often repeat the lead or the standfirst
                continue
            prev = line
            reason = is_boilerplate(line)
            if reason:
                self.drop(i, reason)
                continue
            byline = textmeta.parse_byline(line)
            if byline:
                self._note_byline(byline)
                self.drop(i, "byline")
            elif textmeta.is_caption(line):
                self.caption = self.caption or line
                self.drop(i, "caption")

    def _mark_author_box(self) -> None:
        for i, reason in enumerate(self.why):
            if reason == "author-box" and any(_is_paragraph(self.lines[j]) for j in self.kept() if j < i):
                for j in range(i + 1, len(self.lines)):
                    if self.bio_author is None and self.lines[j]:
                        self.bio_author = textmeta.author_from_bio(self.lines[j])
                    self.drop(j, "author-box")
                return

    def _mark_tag_lists(self) -> None:
        for i, reason in enumerate(list(self.why)):
            if reason != "tags":
                continue
            for j in range(i + 1, len(self.lines)):
                line = self.lines[j]
                if _is_paragraph(line) and not _BULLET.match(line):
                    break
                self.drop(j, "tags")

    def _mark_lead(self) -> None:
        kept = self.kept()
        first = next((i for i in kept if _is_paragraph(self.lines[i])), None)
        for i in kept:
            if first is not None and i >= first:
                outlet, published = textmeta.parse_lead(self.lines[i])
                self.byline.outlet = self.byline.outlet or outlet
                self.published = self.published or published
                return
            line = self.lines[i]
            if textmeta.is_dateline(line):
                self.published = self.published or textmeta.find_date(line)
                self.drop(i, "dateline")
            elif word_count(line) <= 3 and not _has_sentence(line):
                self.drop(i, "lead-chrome")

    def _mark_trailing(self) -> None:
        for i in reversed(self.kept()):
            line = self.lines[i]
            # "Read more:" introduces the links below it; a whole paragraph that happens to end
            # with "Autor:" (an article whose newlines were lost) is still the article.
            lead_in = line.rstrip().endswith((":", "：")) and not _is_paragraph(line)
            if _has_sentence(line) and not lead_in:
                return
            self.drop(i, "trailing")

    def date_from_text(self) -> datetime | None:
        """The dateline's date, else a date in a byline, the caption or a lead line."""
        if self.published:
            return self.published
        lead = []
        for i, line in enumerate(self.lines):
            if self.why[i] is None and _is_paragraph(line):
                break
            if self.why[i] in ("byline", "caption", None):
                lead.append(line)
        for line in lead:
            found = textmeta.find_date(line)
            if found:
                return found
        return None


def _split_title(lines: list[str]) -> tuple[str, int]:
    for i, line in enumerate(lines):
        if not line or is_boilerplate(line) or textmeta.is_dateline(line):
            continue
        return line.lstrip("#").strip(), i
    return "", len(lines)


def _clean(raw: str, *, headline: bool, title: str | None) -> CleanText:
    lines = _lines(raw)
    head_removed: list[str] = []
    found_title = ""
    if headline:
        found_title, at = _split_title(lines)
        head_removed = [line for line in lines[:at] if line]
        lines = lines[at + 1:]
    lines = [line for line in lines if line]
    if title and lines and lines[0].casefold() == title.strip().casefold():
        head_removed.append(lines.pop(0))
    cleaner = _Cleaner(lines)
    cleaner.run()
    kept = [lines[i] for i in cleaner.kept()]
    removed = head_removed + [lines[i] for i, r in enumerate(cleaner.why) if r]
    reasons = ["before-title"] * len(head_removed) + [r for r in cleaner.why if r]
    if title and head_removed and head_removed[-1].casefold() == title.strip().casefold():
        reasons[len(head_removed) - 1] = "title"
    return CleanText(
        title=found_title,
        body="\n\n".join(kept),
        caption=cleaner.caption,
        outlet=cleaner.byline.outlet,
        published=cleaner.date_from_text(),
        author=cleaner.byline.author or cleaner.bio_author,
        removed=removed,
        reasons=reasons,
    )


def clean_text(raw: str, *, headline: bool = True, title: str | None = None) -> CleanText:
    """Split a plain-text article (headline first) into title, clean body, caption and metadata.

    With ``headline=False`` the text has no headline line; ``title`` (the record's) drops a first
    line that repeats it."""
    return _clean(raw, headline=headline, title=title)


def clean_body(text: str, *, title: str | None = None) -> tuple[str, list[str]]:
    """Remove boilerplate from article text that has no headline line; returns (body, removed)."""
    result = _clean(text, headline=False, title=title)
    return result.body, result.removed
