"""Rendering data for the terminal: table (rich), json, jsonl. Used by the CLI only."""
from __future__ import annotations

import json
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

    cols = list(columns or (rows[0].keys() if rows else []))
    table = Table(title=title, show_lines=False)
    for c in cols:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*[_cell(r.get(c)) for c in cols])
    Console().print(table)


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


def truncate(s: str | None, n: int) -> str:
    s = (s or "").replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def lines(items: Iterable[str]) -> str:
    return "\n".join(items)
