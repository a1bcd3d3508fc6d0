"""Geometry of the small inline SVG charts the pages draw on the server.

Each function returns numbers and short labels only; the templates turn them into ``<svg>``
elements (escaped like everything else), so no markup is built from data here.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Sequence


def _utc(d: datetime) -> datetime:
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d


def _span_label(seconds: float) -> str:
    if seconds < 2 * 3600:
        return f"{max(seconds / 60, 1):.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def arrival_bars(times: Sequence[datetime], bins: int = 12, width: int = 120, height: int = 24
                 ) -> dict[str, Any]:
    """How an event's coverage arrived: article counts in ``bins`` equal slices of its span
    (at least one day, from the first publication)."""
    times = sorted(_utc(t) for t in times)
    out: dict[str, Any] = {"width": width, "height": height, "bars": [], "label": "",
                           "count": len(times)}
    if not times:
        out["label"] = "no publication dates"
        return out
    start = times[0]
    span = max((times[-1] - start).total_seconds(), 86400.0)
    counts = [0] * bins
    for t in times:
        counts[min(int((t - start).total_seconds() / span * bins), bins - 1)] += 1
    top = max(counts)
    bw = width / bins
    for i, n in enumerate(counts):
        if not n:
            continue
        h = max(2.0, (height - 2) * n / top)
        lo = start + timedelta(seconds=span * i / bins)
        out["bars"].append({"x": round(i * bw + 1, 1), "y": round(height - h, 1),
                            "w": round(bw - 2, 1), "h": round(h, 1),
                            "label": f"{n} article{'s' if n > 1 else ''} from "
                                     f"{lo:%Y-%m-%d %H:%M}"})
    out["label"] = (f"1 dated article, {start:%Y-%m-%d}" if len(times) == 1 else
                    f"{len(times)} dated articles over {_span_label(span)}")
    return out


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str) and value:
        try:
            return _utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def outlet_timeline(articles: Sequence[dict[str, Any]], width: int = 640, row_h: int = 26,
                    label_w: int = 150) -> dict[str, Any]:
    """When each outlet published: one row per outlet, one dot per dated article, with ticks."""
    dated = [(a, t) for a in articles if (t := _parse(a.get("published"))) is not None]
    outlets: list[str] = []
    for a in articles:
        name = a.get("outlet") or "unknown outlet"
        if name not in outlets:
            outlets.append(name)
    height = row_h * max(len(outlets), 1) + 30
    out: dict[str, Any] = {"width": width, "height": height, "label_w": label_w, "rows": [],
                           "dots": [], "ticks": [],
                           "undated": [a for a in articles if _parse(a.get("published")) is None]}
    for i, name in enumerate(outlets):
        out["rows"].append({"y": i * row_h + row_h / 2 + 4, "label": name[:24],
                            "line_y": i * row_h + row_h / 2})
    if not dated:
        return out
    t0 = min(t for _, t in dated)
    t1 = max(t for _, t in dated)
    span = max((t1 - t0).total_seconds(), 3600.0)
    plot = width - label_w - 20
    for a, t in dated:
        row = outlets.index(a.get("outlet") or "unknown outlet")
        out["dots"].append({"x": round(label_w + 10 + plot * (t - t0).total_seconds() / span, 1),
                            "y": row * row_h + row_h / 2, "id": a["id"],
                            "label": f"{a.get('outlet') or a['id']}: {t:%Y-%m-%d %H:%M} UTC"})
    for k in range(5 if t1 > t0 else 1):
        t = t0 + timedelta(seconds=span * k / 4)
        fmt = "%m-%d %H:%M" if span < 3 * 86400 else "%Y-%m-%d"
        out["ticks"].append({"x": round(label_w + 10 + plot * k / 4, 1),
                             "y": height - 8, "label": t.strftime(fmt)})
    return out


def month_bars(rows: Sequence[dict[str, Any]], width: int = 640, height: int = 120
               ) -> dict[str, Any]:
    """Events per month as bars (``rows``: [{"month": "YYYY-MM", "events": n}])."""
    out: dict[str, Any] = {"width": width, "height": height, "bars": []}
    if not rows:
        return out
    first, last = rows[0]["month"], rows[-1]["month"]
    y0, m0 = map(int, first.split("-"))
    y1, m1 = map(int, last.split("-"))
    n_months = (y1 - y0) * 12 + (m1 - m0) + 1
    counts = {r["month"]: r["events"] for r in rows}
    top = max(counts.values())
    bw = (width - 10) / n_months
    for k in range(n_months):
        y, m = divmod(m0 - 1 + k, 12)
        key = f"{y0 + y:04d}-{m + 1:02d}"
        n = counts.get(key, 0)
        if not n:
            continue
        h = max(2.0, (height - 22) * n / top)
        out["bars"].append({"x": round(5 + k * bw, 1), "y": round(height - 18 - h, 1),
                            "w": round(max(bw - 1, 1), 1), "h": round(h, 1),
                            "label": f"{key}: {n} event{'s' if n > 1 else ''}"})
    out["first"], out["last"] = first, last
    return out
