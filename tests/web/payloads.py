"""Hostile articles for the XSS tests: every payload sets window.__xss (or opens a dialog) if it
ever runs, so a page that stays clean proves it was rendered as text."""
from __future__ import annotations

import json

SCRIPT = "<script>window.__xss = 1; alert('xss-script')</script>"
ONERROR = "<img src=x onerror=\"window.__xss = 2; alert('xss-img')\">"
SVG = "<svg onload=\"window.__xss = 3\"></svg>"
JS_LINK = "javascript:window.__xss=4;alert('xss-link')"
BREAKOUT = "\"><script>window.__xss = 5</script><a href=\"javascript:window.__xss=6\">x</a>"

BIG_TITLE = "Enormous headline " + "word " * 210_000  # just over 1 MB


def records() -> list[dict]:
    """Three hostile articles about one made-up event, plus one with a 1 MB title."""
    body = ("The harbour authority of Port Velmar closed the northern pier on Friday after a crane "
            "collapsed, officials said. " + SCRIPT + " Nobody was hurt, the authority said. "
            + ONERROR + " Repairs will take two weeks. " + SVG + " " + BREAKOUT)
    return [
        {"id": "xss-1", "title": "Crane collapse closes Port Velmar pier " + SCRIPT + ONERROR,
         "text": body, "outlet": "Evil <b onmouseover=\"window.__xss=7\">Outlet</b>",
         "url": JS_LINK, "published": "2024-05-10T08:00:00Z", "language": "en",
         "author": SVG},
        {"id": "xss-2", "title": "Port Velmar pier shut after crane falls " + BREAKOUT,
         "text": "A crane collapsed at Port Velmar's northern pier on Friday and the pier was closed, "
                 "the harbour authority said. " + BREAKOUT + " Nobody was injured. Repairs are "
                 "expected to last two weeks.",
         "outlet": "Second Wire", "url": "https://example.org/velmar?a=1&b=\"<x>",
         "published": "2024-05-10T11:30:00Z", "language": "en"},
        {"id": "xss-3", "html": "<html><head><title>Velmar crane " + SCRIPT + "</title></head><body>"
                 "<article><h1>Port Velmar crane collapse</h1><p>A crane collapsed at Port Velmar on "
                 "Friday, closing the northern pier, the harbour authority said.</p>" + SCRIPT
                 + ONERROR + "<p>Nobody was hurt. <a href=\"" + JS_LINK + "\">more</a></p>"
                 "</article></body></html>",
         "outlet": "Html Daily", "url": "http://example.net/velmar",
         "published": "2024-05-10T14:00:00Z", "language": "en"},
        {"id": "xss-big", "title": BIG_TITLE, "text": "A very long headline was published about the "
                 "Port Velmar crane on Friday. Nobody was hurt, officials said.",
         "outlet": "Big Title Times", "published": "2024-05-11T09:00:00Z", "language": "en"},
    ]


def jsonl() -> bytes:
    return "\n".join(json.dumps(r) for r in records()).encode()
