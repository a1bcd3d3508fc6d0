"""Read-side queries shared by the CLI, the API and the web UI."""
from __future__ import annotations

from typing import Any

from .store.base import Store


def article_detail(store: Store, article_id: str) -> dict[str, Any] | None:
    """One article with its metadata, clean text and recorded duplicates, as plain data."""
    a = store.get_article(article_id)
    if a is None:
        return None
    d = a.to_dict()
    d["duplicates"] = [{"id": x.id, "reason": x.reason, "source": x.source, "url": x.url}
                       for x in store.duplicates_of(article_id)]
    return d
