"""Terminal rendering of richer objects (rich). Used by the CLI only."""
from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text


def _t(value: Any) -> Text:
    # Text from the articles is shown as written: "[sic]" or "[/b]" is not rich markup.
    return Text(str(value))


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
            meta.add_row(key, _t(d[key]))
    for note in d.get("notes") or []:
        meta.add_row("note", _t(note))
    for dup in d.get("duplicates") or []:
        meta.add_row("duplicate",
                     _t(f"{dup['id']} (same {dup['reason']}) from {dup['source']}"))
    console.print(Panel(meta, title=_t(d["title"]), title_align="left"))
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
        console.print(f"[dim]{s['index']:>3}[/dim] {escape(s['text'])}", highlight=False)
    t = Table(title="entities")
    for c in ("name", "type", "mentions"):
        t.add_column(c, overflow="fold")
    for g in e["entities"]:
        variants = sorted({m["text"] for m in g["mentions"]})
        t.add_row(_t(g["name"]), _t(g["type"]), _t(f"{len(g['mentions'])}: " + ", ".join(variants)))
    console.print(t)
    t = Table(title="dates")
    for c in ("text", "resolved", "granularity"):
        t.add_column(c)
    for x in e["dates"]:
        span = x["from"] if x["from"] == x["to"] else f"{x['from']} … {x['to']}"
        t.add_row(_t(x["text"]), _t(span), _t(x["granularity"]))
    console.print(t)
    t = Table(title="quotes")
    for c in ("speaker", "quote", "kind"):
        t.add_column(c, overflow="fold")
    for q in e["quotes"]:
        t.add_row(_t(q["speaker"] or "?"), _t(q["text"]), _t(q["kind"]))
    console.print(t)
    console.print("keywords: " + ", ".join(k["phrase"] for k in e["keywords"]), highlight=False,
                  markup=False)
    for n in e["notes"]:
        console.print(f"[yellow]note[/yellow] {escape(n)}", highlight=False)


def print_entity(d: dict[str, Any]) -> None:
    """An entity: variants with languages, then its articles."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{escape(d['name'])}[/bold] ({d['type']}, {d['article_count']} articles) "
                  f"{d['id']}", highlight=False)
    console.print("languages: " + ", ".join(d["languages"]), highlight=False, markup=False)
    t = Table(title="name variants")
    t.add_column("variant")
    t.add_column("languages")
    for v, langs in sorted(d["variants"].items()):
        t.add_row(_t(v), _t(", ".join(l or "?" for l in langs)))
    console.print(t)
    t = Table(title="articles")
    for c in ("id", "outlet", "published", "language", "title"):
        t.add_column(c, overflow="fold")
    for a in d["articles"]:
        t.add_row(*map(_t, (a["id"], a["outlet"] or "", str(a["published"] or "")[:16],
                            a["language"] or "", a["title"])))
    console.print(t)
