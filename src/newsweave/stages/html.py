"""HTML stage: main text and metadata of one web page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from newsweave.errors import StageError
from newsweave.stages import html_text

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

STAGE = "extract"
# ISO date-time with an optional numeric offset, the format asked of htmldate.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_LANG = re.compile(r"^\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*$")
_TAG = re.compile(r"<\s*[A-Za-z!/?]")


@dataclass
class HtmlDoc:
    """What one HTML page says: clean main text plus the metadata found in its markup."""

    title: str | None
    text: str  # paragraphs separated by newlines
    author: str | None = None
    published: datetime | None = None  # timezone-aware
    outlet: str | None = None
    canonical_url: str | None = None
    language: str | None = None  # ISO 639-1, from markup only
    description: str | None = None
    caption: str | None = None


def extract_html(html: str, url: str | None = None) -> HtmlDoc:
    """Extract the main text and metadata of one HTML page; StageError when it has no main text."""
    item = url or "<html>"
    if not html or not html.strip():
        raise StageError(STAGE, item, "empty input")
    if not _TAG.search(html[:5000]):
        raise StageError(STAGE, item, "input is not HTML")
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise StageError(STAGE, item, "HTML could not be parsed")
    language = markup_language(tree)
    try:
        text = main_text(html, url, language, tree=tree)
    except Exception as e:  # a library bug on one odd page must surface as this item's failure
        raise StageError(STAGE, item, f"{type(e).__name__}: {e}") from e
    if not text:
        raise StageError(STAGE, item, "no main text found")
    if not html_text.has_prose(text):
        raise StageError(STAGE, item, "no main text found: only short lines (menus, links)")
    caption = _caption(tree)
    meta = _metadata(tree, url)
    text = html_text.without_title(text, meta.title)
    return HtmlDoc(
        title=meta.title or None,
        text=text,
        author=meta.author or None,
        published=parse_published(meta.date),
        outlet=meta.sitename or None,
        canonical_url=meta.url or url,
        language=language,
        description=meta.description or None,
        caption=caption,
    )


def main_text(
    html: str, url: str | None = None, language: str | None = None, tree: HtmlElement | None = None
) -> str:
    """Main text of a page, merged from trafilatura's precision and recall modes and fallbacks."""
    precise = html_text.trafilatura_text(html, url, favor_precision=True)
    recall = html_text.trafilatura_text(html, url, favor_recall=True)
    readable, justext = html_text.generic_texts(html if tree is None else tree, url, language)
    return html_text.merge(precise, recall, readable, justext)


def _metadata(tree: HtmlElement, url: str | None) -> Document:
    from trafilatura import extract_metadata

    # original_date: the publication date, not the last update; the format keeps the offset.
    date_config = {"original_date": True, "extensive_search": True, "outputformat": _DATE_FORMAT}
    return extract_metadata(tree, default_url=url, date_config=date_config)


def parse_published(value: str | None) -> datetime | None:
    """A timezone-aware datetime from htmldate's output; date-only or naive values are UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def markup_language(tree: HtmlElement) -> str | None:
    """ISO 639-1 language declared in the markup (html lang, content-language, og:locale)."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    candidates += tree.xpath(
        '//meta[translate(@http-equiv, "CONTENTLAGU", "contentlagu")="content-language"]/@content'
    )
    candidates += tree.xpath('//meta[@property="og:locale"]/@content')
    for value in candidates:
        match = _LANG.match(value or "")
        if match:
            return match.group(1).lower()
    return None


def _caption(tree: HtmlElement) -> str | None:
    """First photo caption, preferring one inside the article element."""
    for path in ("//article//figcaption", "//main//figcaption", "//figcaption"):
        for node in tree.xpath(path):
            text = html_text.norm(node.text_content())
            if text:
                return text
    return None
