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
    e = d.get("enrichment")
    if not e:
        console.print("\n[dim]not enriched yet: run `newsweave enrich`[/dim]")
        return
    _print_enrichment(console, e)


def _print_enrichment(console: Any, e: dict[str, Any]) -> None:
    from rich.table import Table

    console.rule("sentences")
    for s in e["sentences"]:
        console.print(f"[dim]{s['index']:>3}[/dim] {s['text']}", highlight=False)
    t = Table(title="entities")
    for c in ("name", "type", "mentions"):
        t.add_column(c, overflow="fold")
    for g in e["entities"]:
        variants = sorted({m["text"] for m in g["mentions"]})
        t.add_row(g["name"], g["type"], f"{len(g['mentions'])}: " + ", ".join(variants))
    console.print(t)
    t = Table(title="dates")
    for c in ("text", "resolved", "granularity"):
        t.add_column(c)
    for x in e["dates"]:
        span = x["from"] if x["from"] == x["to"] else f"{x['from']} … {x['to']}"
        t.add_row(x["text"], span, x["granularity"])
    console.print(t)
    t = Table(title="quotes")
    for c in ("speaker", "quote", "kind"):
        t.add_column(c, overflow="fold")
    for q in e["quotes"]:
        t.add_row(q["speaker"] or "?", q["text"], q["kind"])
    console.print(t)
    console.print("keywords: " + ", ".join(k["phrase"] for k in e["keywords"]), highlight=False)
    for n in e["notes"]:
        console.print(f"[yellow]note[/yellow] {n}", highlight=False)


def print_entity(d: dict[str, Any]) -> None:
    """An entity: variants with languages, then its articles."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{d['name']}[/bold] ({d['type']}, {d['article_count']} articles) {d['id']}",
                  highlight=False)
    console.print("languages: " + ", ".join(d["languages"]), highlight=False)
    t = Table(title="name variants")
    t.add_column("variant")
    t.add_column("languages")
    for v, langs in sorted(d["variants"].items()):
        t.add_row(v, ", ".join(l or "?" for l in langs))
    console.print(t)
    t = Table(title="articles")
    for c in ("id", "outlet", "published", "language", "title"):
        t.add_column(c, overflow="fold")
    for a in d["articles"]:
        t.add_row(a["id"], a["outlet"] or "", str(a["published"] or "")[:16], a["language"] or "",
                  a["title"])
    console.print(t)
