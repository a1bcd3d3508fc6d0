"""Main-text extraction from HTML: several extractors, merged line by line.

trafilatura's precision mode drops boilerplate but also drops short legitimate lines; its recall
mode keeps them but lets menus, credits and teasers in. Long prose lines are rarely boilerplate,
so the merge takes every long line from the recall output and short lines only when precision
mode kept them too; drops short runs dangling before the first or after the last prose line
(bylines, "more topics", credits, call-to-action lines); then adds long lines that two independent
generic extractors (readability, jusText) agree on but trafilatura missed.
"""
from __future__ import annotations

import re
from copy import deepcopy
from collections.abc import Callable
from typing import Any

from . import textmeta
from .cleantext import INVISIBLE, teaser_or_prompt

# A line this long (in characters, whitespace folded) counts as prose: kept without agreement.
PROSE_CHARS = 100
# Edge runs made only of lines shorter than this, outside the prose span, are dropped.
EDGE_CHARS = 40
# The prose span for edge trimming starts/ends at lines at least this long.
ANCHOR_CHARS = 80

_WS = re.compile(r"\s+")
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 td th blockquote pre br tr section article dd dt figcaption "
    "head item list quote row cell".split()
)


def norm(text: str) -> str:
    """Whitespace-folded text without invisible characters (soft hyphens, zero-width marks),
    used for containment tests between outputs: one extractor keeps a paragraph's soft hyphens
    where another drops them, and the same paragraph must not be taken twice."""
    return _WS.sub(" ", text.translate(INVISIBLE)).strip()


def lines(text: str | None) -> list[str]:
    """Non-empty, stripped lines of an extractor's output."""
    return [ln.strip() for ln in (text or "").split("\n") if ln.strip()]


def trafilatura_text(html: str, url: str | None, **options: Any) -> str | None:
    """Plain text from trafilatura with comments off and tables on, plus the given options."""
    import trafilatura

    return trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, include_formatting=False,
        **options,
    )


def generic_texts(html: Any, url: str | None, language: str | None) -> tuple[str, str]:
    """Texts from readability and jusText, as bundled by trafilatura (html: string or lxml tree)."""
    # trafilatura.external is where trafilatura keeps its own fallbacks; reusing them keeps the
    # exact cleaning trafilatura applies before handing a tree to either algorithm.
    from trafilatura.external import try_justext, try_readability
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return "", ""
    try:
        readable = _element_text(try_readability(deepcopy(tree)))
    except Exception:  # a generic fallback failing must not fail the item
        readable = ""
    try:
        justext = _element_text(try_justext(deepcopy(tree), url, language))
    except Exception:
        justext = ""
    return readable, justext


def _element_text(element: Any) -> str:
    """Text of an lxml element with one line per block element."""
    parts: list[str] = []
    for el in element.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    return "\n".join(
        ln.strip() for ln in re.sub(r"[ \t]+", " ", "".join(parts)).split("\n") if ln.strip()
    )


def merge(precise: str | None, recall: str | None, readable: str, justext: str) -> str:
    """Merge the candidate outputs into one main text (see the module docstring)."""
    if not recall:
        out = lines(precise)
    elif not precise:
        out = lines(recall)
    else:
        precise_n = norm(precise)
        out = [ln for ln in lines(recall) if len(norm(ln)) >= PROSE_CHARS or norm(ln) in precise_n]
        out = _insert_missing(out, lines(precise), lambda n: True)
    # Trimmed before the rescue: rescued lines are prose and must not move the prose span.
    out = trim_edges(out)
    agreed = (norm(readable), norm(justext))
    for source in (readable, justext):
        out = _insert_missing(
            out, lines(source),
            lambda n: len(n) >= PROSE_CHARS and all(n in a for a in agreed) and not _not_text(n)
        )
    return "\n".join(out)


def _insert_missing(out: list[str], source: list[str], accept: Callable[[str], bool]) -> list[str]:
    """Add accepted source lines absent from out, after the source line that precedes them."""
    result = list(out)
    normed = [norm(ln) for ln in result]
    cursor = 0
    for ln in source:
        n = norm(ln)
        at = next((i for i, other in enumerate(normed) if n in other), None)
        if at is not None:
            cursor = at + 1
            continue
        if not accept(n):
            continue
        # Lines the new one contains are the same paragraph cut shorter: replace, don't repeat.
        inside = [i for i, other in enumerate(normed) if other in n]
        if inside:
            cursor = inside[0]
            for i in reversed(inside):
                del result[i], normed[i]
        result.insert(cursor, ln)
        normed.insert(cursor, n)
        cursor += 1
    return result


def without_title(text: str, title: str | None) -> str:
    """The text without a first line that is the page's headline again (kept apart as the
    title; the plain-text cleaner drops a repeated title the same way), when prose follows."""
    out = lines(text)
    if title and len(out) > 1 and norm(out[0]).casefold() == norm(title).casefold() \
            and has_prose("\n".join(out[1:])):
        return "\n".join(out[1:])
    return text


def has_prose(text: str) -> bool:
    """True when the text holds at least one prose-length line: link lists and menus do not."""
    return any(len(norm(ln)) >= ANCHOR_CHARS for ln in lines(text))


def _bare_url(line: str) -> bool:
    # A line that is only an address (a page's own URL printed above the text, a link): never
    # prose, however long.
    return bool(_URL_LINE.match(norm(line)))


# A picture's or table's caption or credit standing as a line of its own ("© Oli Scarff/Getty
# Images", "Foto: dpa", "(Bild: ...)", "Abbildung 4: ...", "Figure 2: ..."): not the article's
# text. (The plain text path keeps such lines apart as the caption, see cleantext; a page's
# caption comes from its markup instead. textmeta's credit labels, used for plain texts, take
# more lines here: a gallery's "Photos: ..." captions, 30 lines of one file, not measured.)
_CAPTION = re.compile(
    r"^\(?(?:©|\(c\)\s|(?:abbildung|abb\.|figure|fig\.|grafik|tabelle|table|bild|foto|photo|image"
    r"|credit|quelle|source|fuente|crédit)\s*\d*\s*:)", re.IGNORECASE)


def _not_text(line: str) -> bool:
    """A line of the page that is not the article's: a teaser of another article, a call to
    action (cleantext.teaser_or_prompt, shared with plain texts) or a caption/credit line."""
    n = norm(line)
    return bool(_CAPTION.match(n)) or teaser_or_prompt(n) is not None


_LABEL = re.compile(r"^[^\W\d_][\w-]*(?: [\w-]+)?\s*:$")


def _drop_date_labels(out: list[str]) -> list[str]:
    """Drop a one- or two-word label before a date ("Veröffentlichung:" / "2. Februar 2022"):
    the page's metadata."""
    return [ln for i, ln in enumerate(out) if not (
        i + 1 < len(out) and _LABEL.match(norm(ln)) and textmeta.is_dateline(out[i + 1]))]


def _drop_listings(out: list[str]) -> list[str]:
    """Drop the items of a list of other articles: headlines (no sentence end, under
    PROSE_CHARS * 1.6 characters) each followed by a line that is only its date ("Grupo Conti
    asegura ..." / "Lunes 18 abril, 2022"), both lines, when the text holds two or more (one
    such pair is the article's own heading and date)."""
    items = []
    for i in range(len(out) - 1):
        head = norm(out[i]).rstrip("\"”»)’'")
        if head.startswith("|") or norm(out[i + 1]).startswith("|"):
            continue  # a table's rows (a discography, results with dates) are the article's
        if len(head) < PROSE_CHARS * 1.6 and not head.endswith((".", "!", "?", ":", ";")) \
                and textmeta.is_dateline(out[i + 1]):
            items.append(i)
    if len(items) < 2:
        return out
    gone = {j for i in items for j in (i, i + 1)}
    return [ln for j, ln in enumerate(out) if j not in gone]


def trim_edges(out: list[str]) -> list[str]:
    """Drop leading and trailing runs of short lines (and bare URLs) around the prose span,
    inline teasers of other articles, caption and credit lines, calls to action, and a last line
    that is a heading of nothing ("More topics:", what followed it was not kept)."""
    out = _drop_listings(_drop_date_labels([ln for ln in out if not _not_text(ln)]))
    while len(out) > 1 and norm(out[-1]).endswith(":") and len(norm(out[-1])) < ANCHOR_CHARS:
        out = out[:-1]
    anchors = [i for i, ln in enumerate(out)
               if len(norm(ln)) >= ANCHOR_CHARS and not _bare_url(ln)]
    if not anchors:
        return out
    first, last = anchors[0], anchors[-1]

    def edge(ln: str) -> bool:
        return len(norm(ln)) < EDGE_CHARS or _bare_url(ln)

    if all(edge(ln) for ln in out[last + 1:]):
        out = out[: last + 1]
    if all(edge(ln) for ln in out[:first]):
        out = out[first:]
    return out
