"""Extract stage: RawItem -> Article (clean text, metadata, public id, language)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from typing import TYPE_CHECKING, Any

from ..errors import StageError
from ..models import Article, RawItem, stable_id, text_hash

if TYPE_CHECKING:  # pragma: no cover
    from .html import HtmlDoc

STAGE = "extract"
MAX_TITLE_CHARS = 1000
FUTURE_SLACK = timedelta(days=2)  # time zones and an early-published scheduled story fit in it


def canonical_url(url: str | None) -> str | None:
    """Normalised URL used to spot the same page fetched twice (tracking parameters dropped)."""
    if not url:
        return None
    # courlan (a trafilatura dependency) knows the tracking parameters and host normalisation.
    from courlan import normalize_url

    try:
        return normalize_url(url.strip(), strict=True)
    except Exception:  # courlan raises assorted errors on odd URLs; keep the URL as given
        return url.strip()


def _first_sentence(text: str, limit: int = 120) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _snippet_doc(fragment: str) -> "HtmlDoc":
    """Plain text of a short HTML fragment (a feed entry's summary)."""
    import lxml.html

    from .html import HtmlDoc

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        for br in root.iter("br", "p", "div", "li", "h1", "h2", "h3"):
            br.tail = "\n" + (br.tail or "")
        text = root.text_content()
    except Exception:  # lxml rejects some fragments (e.g. bare text with control characters)
        text = fragment
    text = "\n".join(ln.strip() for ln in text.splitlines() if ln.strip())
    return HtmlDoc(title=None, text=text, author=None, published=None, outlet=None,
                   canonical_url=None, language=None, description=None, caption=None)


def _iso639_1(code: str | None) -> str | None:
    """'en-US', 'EN', 'fr_FR' -> 'en', 'fr'; anything else that is not 2-3 letters -> None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base.isalpha() and 2 <= len(base) <= 3 else None


def _in_future(when: datetime, now: datetime) -> bool:
    """Later than any time zone's now (with a day to spare): a wrong date, not a publication."""
    aware = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return aware > now + FUTURE_SLACK


def extract(item: RawItem, *, now: datetime | None = None) -> Article:
    """Turn one raw item into a clean Article, or raise StageError naming the item."""
    now = now or datetime.now(timezone.utc)
    title = item.title
    published, date_source = item.published, "given" if item.published else "ingest"
    outlet, author, language = item.outlet, item.author, item.language
    description = item.description
    notes: list[str] = list(item.meta.get("notes") or [])  # what the source noticed (dates, decoding)
    if published is not None and _in_future(published, now):
        notes.append(f"published {published.isoformat()} is in the future (ingested "
                     f"{now.date().isoformat()}): ignored")
        published, date_source = None, "ingest"
    is_html = item.kind == "html" or (item.kind == "record" and item.meta.get("is_html"))
    try:
        if is_html:
            from .html import extract_html

            try:
                doc = extract_html(item.content, item.url)
            except StageError:
                if not item.meta.get("feed_url"):
                    raise
                # A feed entry carries a summary snippet, not a page: keep its text as it is.
                doc = _snippet_doc(item.content)
                notes.append("text is the feed entry's summary, not the full article")
            found: Any = doc
            found_text, found_date = doc.text, "markup"
        else:
            from .cleantext import clean_text

            # Plain-text files carry their headline as the first line; records carry it apart.
            found = clean_text(item.content, headline=item.kind == "text", title=title)
            found_text, found_date = found.body, "text"
    except StageError as e:
        raise StageError(STAGE, item.source, e.reason) from e  # name the input, not "<html>"
    except Exception as e:  # a library failing on one odd page must not stop the batch
        raise StageError(STAGE, item.source, f"{type(e).__name__}: {e}") from e

    # What the input itself gave wins; the markup or the text fill the gaps.
    title = title or found.title
    if published is None and found.published is not None and not _in_future(found.published, now):
        published, date_source = found.published, found_date
    if published is None and item.url:
        # Last: the day the address gives (/2004/11/19/), where nothing else names one.
        from .urldate import url_date

        published = url_date(item.url, now)
        if published is not None:
            date_source = "url"
            notes.append("publication day taken from the URL")
    outlet = outlet or found.outlet
    author = author or found.author
    caption = found.caption
    language = language or getattr(found, "language", None)
    description = description or getattr(found, "description", None)
    canon = getattr(found, "canonical_url", None)
    text = (found_text or "").strip()
    if not text:
        raise StageError(STAGE, item.source, "no article text found")
    title = (title or "").strip() or _first_sentence(text)
    if len(title) > MAX_TITLE_CHARS:
        # A "title" this long is a page dump or an attack, not a headline: keep its head only.
        notes.append(f"title was {len(title)} characters: cut to {MAX_TITLE_CHARS}")
        title = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=timezone.utc)
    if published is None:
        notes.append("no publication date found: placed by ingest time")
    canon = canonical_url(canon or item.url)
    if item.id:
        article_id = item.id.strip()
    elif canon:
        article_id = stable_id("u", canon)
    else:
        article_id = stable_id("h", text_hash(text))
    language = _iso639_1(language)
    if not language:
        from .language import detect_language

        language = detect_language(title + "\n" + text)
        if language is None:
            notes.append("language could not be identified")
    return Article(
        id=article_id, title=title, text=text, source=item.source, url=item.url,
        canonical_url=canon, published=published, date_source=date_source,  # type: ignore[arg-type]
        outlet=outlet, author=author, language=language, description=description,
        caption=caption, ingested_at=now, notes=notes,
    )
