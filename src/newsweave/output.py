"""Rendering data for the terminal: table (rich), json, jsonl. Used by the CLI only."""
from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable, Sequence


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def jsonable(obj: Any) -> Any:
    """Dataclasses, datetimes and tuples made JSON-ready."""
    if is_dataclass(obj) and not isinstance(obj, type):
        obj = asdict(obj)
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    return obj


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(jsonable(obj), ensure_ascii=False, indent=indent)


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")  # how _cell prints a datetime
SHORT_CELL = 24  # a column whose cells are all this short is kept whole when there is room
TEXT_MIN_WIDTH = 16


def emit(rows: Sequence[dict[str, Any]], fmt: Format, columns: Sequence[str] | None = None,
         title: str | None = None) -> None:
    """Print rows as a rich table, a JSON list or JSON lines."""
    if fmt == Format.json:
        sys.stdout.write(dumps(list(rows), indent=2) + "\n")
        return
    if fmt == Format.jsonl:
        for r in rows:
            sys.stdout.write(dumps(r) + "\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cols = list(columns or (rows[0].keys() if rows else []))
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widest = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    # Ids, days and counts read badly folded ("2023-04-1 / 6"): they are kept whole, and the
    # text columns (titles, names, snippets: anything with spaces, or long) share what is left.
    whole = [w <= SHORT_CELL and not any(" " in row[i] and not _STAMP.match(row[i]) for row in cells)
             for i, w in enumerate(widest)]
    console = Console()
    needed = (sum(w if k else min(w, TEXT_MIN_WIDTH) for w, k in zip(widest, whole))
              + 3 * len(cols) + 1)
    if needed > console.width:
        _emit_records(console, cols, cells, title)
        return
    table = Table(title=title, show_lines=False)
    for c, keep, w in zip(cols, whole, widest):
        if keep:
            table.add_column(c, no_wrap=True)
        else:
            table.add_column(c, overflow="fold", ratio=max(1, w // TEXT_MIN_WIDTH),
                             min_width=min(w, TEXT_MIN_WIDTH))
    for row in cells:
        table.add_row(*(Text(v) for v in row))  # as written: "[protesters]" is not markup
    console.print(table)


def _emit_records(console: Any, cols: Sequence[str], cells: Sequence[Sequence[str]],
                  title: str | None) -> None:
    """A console too narrow for the table: one block per row, a field per line (as psql's
    expanded display), so that ids and days stay whole and only long text folds."""
    from rich.table import Table
    from rich.text import Text

    if title:
        console.print(title, style="bold")
    for i, row in enumerate(cells):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for c, v in zip(cols, row):
            grid.add_row(c, Text(v))
        if i:
            console.print()
        console.print(grid)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, (list, tuple)):
        return ", ".join(_cell(x) for x in v)
    return str(v)


def emit_one(obj: Any, fmt: Format) -> None:
    """Print one object as JSON (json and jsonl alike)."""
    sys.stdout.write(dumps(obj, indent=2 if fmt == Format.json else None) + "\n")


def plural(n: int, word: str) -> str:
    """"1 article", "3 articles" (the CLI and the web pages say counts the same way)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def truncate(s: str | None, n: int) -> str:
    s = (s or "").replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def lines(items: Iterable[str]) -> str:
    return "\n".join(items)
