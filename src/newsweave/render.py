"""Terminal rendering of richer objects (rich). Used by the CLI only."""
from __future__ import annotations

from typing import Any


def print_article(d: dict[str, Any]) -> None:
    """An article: metadata table, then the clean text."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    console = Console()
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    for key in ("id", "outlet", "published", "date_source", "language", "author", "url",
                "canonical_url", "caption", "source"):
        if d.get(key):
            meta.add_row(key, str(d[key]))
    for note in d.get("notes") or []:
        meta.add_row("note", note)
    for dup in d.get("duplicates") or []:
        meta.add_row("duplicate", f"{dup['id']} (same {dup['reason']}) from {dup['source']}")
    console.print(Panel(meta, title=d["title"], title_align="left"))
    console.print(d["text"], highlight=False, markup=False)
