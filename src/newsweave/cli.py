"""The command line: thin adapters, each calling one library function."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from .config import Settings, load_settings
from .errors import NewsweaveError
from .output import Format, emit, emit_one, plural, truncate

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Newsweave: one news event, every outlet's account, side by side.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure each stage on real labelled data.")
app.add_typer(eval_app, name="eval")
export_app = typer.Typer(no_args_is_help=True, help="Export data for other tools.")
app.add_typer(export_app, name="export")


class _State:
    settings: Settings


state = _State()


def fail(message: str, code: int = 2) -> None:
    """Print an error for the user and exit."""
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(code)


@app.callback()
def main(
    db: Optional[str] = typer.Option(None, "--db", help="Store: a SQLite path (default ./newsweave.db "
                                     "or $NEWSWEAVE_DB) or sqlite:///path."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML settings file."),
) -> None:
    try:
        state.settings = load_settings(config, db=db)
    except (OSError, ValueError) as e:
        fail(f"cannot read settings: {e}")


def _redact(db: str) -> str:
    """A store URL fit for the screen: any password replaced by ***."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", db)


def _open(create: bool = False):
    """The store named by --db; only the commands that write articles create a missing one (a
    mistyped --db would otherwise make an empty store and answer "no article")."""
    from .store import open_store

    db = str(state.settings.db)
    path = db[len("sqlite:///"):] if db.startswith("sqlite:///") else db
    if (not create and path != ":memory:" and "://" not in path
            and not Path(path).expanduser().exists()):
        fail(f"no store at {path}: nothing has been ingested there yet "
             f"(newsweave --db {path} ingest …), or --db names another file", 1)
    try:
        return open_store(db)
    except NewsweaveError as e:
        fail(str(e))


def _article_row(a: Any) -> dict[str, Any]:
    return {"id": a.id, "outlet": a.outlet, "published": a.published, "language": a.language,
            "title": a.title}


def parse_duration(text: str) -> float:
    """'15m', '1h', '30s', '2h30m' or plain seconds -> seconds."""
    if re.fullmatch(r"\d+(\.\d+)?", text.strip()):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.lower()):
        raise typer.BadParameter(f"not a duration: {text!r} (use e.g. 30s, 15m, 1h)")
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return sum(float(n) * mult[u] for n, u in parts)


# ---- ingest ---------------------------------------------------------------------------------

def _print_report(report: Any, fmt: Format) -> None:
    if fmt != Format.table:
        emit_one({"stored": report.stored, "duplicates": [list(d) for d in report.duplicates],
                  "unchanged": report.unchanged,
                  "failed": [{"item": f.item, "stage": f.stage, "reason": f.reason}
                             for f in report.failed]}, fmt)
        return
    from rich.console import Console
    from rich.markup import escape

    err = Console(stderr=True)
    for f in report.failed:  # names and reasons as written: "[draft].html" is not markup
        err.print(f"[red]failed[/red] {escape(f.item)}: {escape(f.reason)}", markup=True,
                  highlight=False)
    Console().print(f"{len(report.stored)} stored, {len(report.duplicates)} duplicates, "
                    f"{len(report.unchanged)} already stored, {len(report.failed)} failed",
                    highlight=False)


@app.command()
def ingest(
    inputs: list[str] = typer.Argument(..., help="Files, folders, globs, URLs, feeds, WARC, '-' for stdin."),
    allow_private: bool = typer.Option(False, "--allow-private",
                                       help="Allow URLs on loopback/private addresses."),
    fmt: Format = typer.Option(Format.table, "--format", help="Summary format."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                          help="Processes for the per-article stages."),
    runner: Optional[str] = typer.Option(None, "--runner", help="Where the per-article stages run: "
                                         "local (default, in-process) or ray (one Ray actor per "
                                         "--workers)."),
    address: Optional[str] = typer.Option(None, "--address", help="With --runner ray: the cluster to "
                                          "join ('auto': the running one); default: start a local "
                                          "Ray."),
) -> None:
    """Ingest articles from any source into the store."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .pipeline import ingest as run_ingest

    settings = state.settings.with_overrides(allow_private=allow_private or None, workers=workers,
                                             runner=runner, ray_address=address)
    if settings.runner not in ("local", "ray"):
        fail(f"unknown runner {settings.runner!r}: use local or ray")
    store = _open(create=True)
    counts = {"stored": 0, "duplicate": 0, "unchanged": 0, "failed": 0}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True, disable=not sys.stderr.isatty(),
                  console=__import__("rich.console").console.Console(stderr=True)) as bar:
        task = bar.add_task("ingesting", total=None)

        def tick(event: str, item: str) -> None:
            counts[event] = counts.get(event, 0) + 1
            what = f"{event} {item}" if event in ("enriched", "embedded") else truncate(item, 50)
            bar.update(task, description=f"{counts['stored']} stored, {counts['duplicate']} "
                       f"duplicates, {counts['failed']} failed — {what}")

        try:
            report = run_ingest(inputs, store, settings, progress=tick, stdin=sys.stdin.buffer)
        except NewsweaveError as e:
            fail(str(e))
        finally:
            store.close()
    _print_report(report, fmt)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def extract(
    inputs: list[str] = typer.Argument(..., help="Files, folders, URLs, feeds, WARC, '-'."),
    fmt: Format = typer.Option(Format.jsonl, "--format"),
    allow_private: bool = typer.Option(False, "--allow-private"),
) -> None:
    """Extract clean text and metadata without storing anything."""
    from .models import Failure
    from .pipeline import extract_only

    settings = state.settings.with_overrides(allow_private=allow_private or None)
    rows, failed = [], 0
    for res in extract_only(inputs, settings, stdin=sys.stdin.buffer):
        if isinstance(res, Failure):
            failed += 1
            typer.secho(f"failed {res.item}: {res.reason}", fg="red", err=True)
            continue
        d = res.to_dict()
        row = {"source": res.source, **{k: d[k] for k in (
            "id", "title", "text", "published", "outlet", "language", "author", "url",
            "canonical_url", "description", "caption", "date_source", "notes")}}
        if fmt == Format.jsonl:
            emit([row], fmt)
        else:
            rows.append(row)
    if fmt == Format.json:
        emit(rows, fmt)
    elif fmt == Format.table:
        emit([{**r, "text": truncate(r["text"], 80)} for r in rows], fmt,
             ["source", "title", "published", "outlet", "language", "text"])
    if failed:
        raise typer.Exit(1)


@app.command()
def watch(
    feeds_file: Path = typer.Argument(..., help="A text file with one feed URL per line."),
    every: str = typer.Option("15m", "--every", help="Polling interval, e.g. 30s, 15m, 1h."),
    rounds: Optional[int] = typer.Option(None, "--rounds", help="Stop after N rounds."),
    allow_private: bool = typer.Option(False, "--allow-private"),
) -> None:
    """Keep polling feeds, ingesting only what is new."""
    from .pipeline import ingest_items
    from .sources.watch import read_feed_list, watch as run_watch

    try:
        urls = read_feed_list(feeds_file)
    except (OSError, NewsweaveError) as e:
        fail(f"{feeds_file}: {e}")
    if not urls:
        fail(f"{feeds_file}: no feed URLs in it")
    interval = parse_duration(every)
    settings = state.settings.with_overrides(allow_private=allow_private or None)
    store = _open(create=True)

    def on_items(items: list) -> None:
        report = ingest_items(items, store, settings)
        _print_report(report, Format.table)

    def on_error(url: str, reason: str) -> None:
        typer.secho(f"failed {url}: {reason}", fg="red", err=True)

    try:
        run_watch(urls, interval, on_items, settings, store, rounds=rounds, on_error=on_error)
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        store.close()


@app.command()
def enrich() -> None:
    """Run the understanding stages on stored articles that have not been enriched yet, and
    embed the sentences reports compare for enriched articles that lack them (a store filled
    by an earlier version)."""
    from .pipeline import enrich_store, fill_sentence_vectors

    store = _open()
    try:
        n = enrich_store(store, state.settings)
        filled = fill_sentence_vectors(store, state.settings)
    except NewsweaveError as e:
        fail(str(e))
    finally:
        store.close()
    typer.echo(f"{n} articles enriched" + (f"; report sentence vectors stored for {filled} "
                                            "articles that lacked them" if filled else ""))


# ---- browse ---------------------------------------------------------------------------------

@app.command()
def articles(
    limit: int = typer.Option(50, "--limit", min=1),
    offset: int = typer.Option(0, "--offset", min=0),
    language: Optional[str] = typer.Option(None, "--language"),
    outlet: Optional[str] = typer.Option(None, "--outlet"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List stored articles, newest first."""
    store = _open()
    rows = [_article_row(a) for a in store.list_articles(limit, offset, language=language,
                                                         outlet=outlet)]
    store.close()
    emit(rows, fmt, ["id", "outlet", "published", "language", "title"])


def _show(lookup: Any, key: str, missing: str, printer_name: str, fmt: Format) -> None:
    """Look one thing up in the store and print it (rich) or emit it as JSON."""
    store = _open()
    try:
        detail = lookup(store, key)
    finally:
        store.close()
    if detail is None:
        fail(missing, 1)
    if fmt != Format.table:
        emit_one(detail, fmt)
        return
    from . import render

    getattr(render, printer_name)(detail)


@app.command()
def article(article_id: str, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Show one article: clean text, metadata, sentences, entities, dates, quotes, keywords."""
    from .queries import article_detail

    _show(article_detail, article_id, f"no article with id {article_id!r}", "print_article", fmt)


@app.command()
def similarity(a: str = typer.Argument(..., help="A stored article id."),
               b: str = typer.Argument(..., help="Another stored article id."),
               fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """How alike two stored articles are (1 = the same story), and whether they share an event."""
    from .queries import article_similarity

    store = _open()
    try:
        d = article_similarity(store, a, b)
    finally:
        store.close()
    if isinstance(d, str):
        fail(f"no article with id {d!r}", 1)
    if fmt != Format.table:
        emit_one(d, fmt)
        return
    typer.echo(f"similarity {d['similarity']:.3f} (1 = the same story) · "
               f"{'the same event' if d['same_event'] else 'different events'}")
    for x in d["articles"]:
        typer.echo(f"  {x['id']} · {x['outlet'] or '?'} · {x['language'] or '?'} · {x['title']}")


@app.command()
def entities(
    limit: int = typer.Option(50, "--limit", min=1),
    offset: int = typer.Option(0, "--offset", min=0),
    type: Optional[str] = typer.Option(None, "--type", help="PER, ORG, LOC or MISC."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Canonical entities with how many articles mention them."""
    store = _open()
    ents = store.list_entities(limit, offset, type=type.upper() if type else None)
    store.close()
    rows = [{"id": e.id, "name": e.name, "type": e.type, "articles": e.article_count,
             "variants": sorted(e.variants)} for e in ents]
    emit(rows, fmt, ["name", "type", "articles", "variants", "id"])


@app.command()
def entity(name: str, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """One entity: its name variants, their languages, and the articles mentioning it."""
    from .queries import entity_detail

    _show(entity_detail, name, f"no entity named {name!r}", "print_entity", fmt)


@app.command()
def events(
    limit: int = typer.Option(50, "--limit", min=1),
    offset: int = typer.Option(0, "--offset", min=0),
    language: Optional[str] = typer.Option(None, "--language"),
    outlet: Optional[str] = typer.Option(None, "--outlet"),
    since: Optional[str] = typer.Option(None, "--since", help="YYYY-MM-DD"),
    until: Optional[str] = typer.Option(None, "--until", help="YYYY-MM-DD"),
    min_articles: int = typer.Option(1, "--min-articles", min=1),
    entity: Optional[str] = typer.Option(None, "--entity", help=(
        "Only events whose articles name this entity (an id, a name or a name variant).")),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Events with the newest news first: first and latest day, articles, independent sources, languages, title."""
    from .queries import event_row

    store = _open()
    try:
        entity_id = None
        if entity:
            ent = store.get_entity(entity)
            if ent is None:
                fail(f"no entity called {entity!r} (see `newsweave entities`)")
            entity_id = ent.id
        evs = store.list_events(limit, offset, language=language, outlet=outlet, date_from=since,
                                date_to=until, min_articles=min_articles, entity=entity_id)
    finally:
        store.close()
    emit([event_row(e) for e in evs], fmt,
         ["id", "date", "latest", "articles", "sources", "languages", "title"])


@app.command()
def event(event_id: str, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """One event: its articles, outlets, copies and first reporter."""
    from .queries import event_detail, story_detail

    store = _open()
    d = event_detail(store, event_id)
    story = story_detail(store, d["story_id"]) if d and d["story_id"] else None
    store.close()
    if d is None:
        fail(f"no event with id {event_id!r}", 1)
    if fmt != Format.table:
        emit_one(d, fmt)
        return
    first = d["first_reporter"]
    # d["articles"] is the list of the event's articles here (event_row's count is replaced).
    typer.echo(f"{d['title']}\n{d['id']} · {d['date']} · {plural(len(d['articles']), 'article')} · "
               f"{plural(d['sources'], 'independent source')} · {', '.join(d['languages'])}"
               + (f"\nfirst reported by {first['outlet'] or first['id']} at {first['published']}"
                  if first else ""))
    if story:
        typer.echo(f"storyline {story['id']}: {story['title']} ("
                   + " → ".join(f"{e['date']} {e['id']}" for e in story["events"]) + ")")
    for f in d["flags"]:
        typer.echo(f"note: {f}")
    emit(d["articles"], fmt, ["id", "outlet", "published", "language", "copy_of", "title"])


@app.command()
def stories(limit: int = typer.Option(50, "--limit", min=1),
            fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Storylines: chains of related events over time."""
    from .queries import story_rows

    store = _open()
    rows = story_rows(store, limit)
    store.close()
    if fmt != Format.table:
        emit(rows, fmt)
        return
    emit([{**r, "events": [f"{e['date']} {e['title']} ({e['articles']})" for e in r["events"]]}
          for r in rows], fmt, ["id", "first_date", "last_date", "title", "events"])


@app.command()
def report(
    event_id: Optional[str] = typer.Argument(None, help="The event (see `newsweave events`)."),
    article: Optional[str] = typer.Option(None, "--article", help="Report the event of this article."),
    fmt: str = typer.Option("terminal", "--format", help="terminal, md or json"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """The side-by-side report of one event: record, cited summary, claims, conflicts, quotes."""
    from .queries import event_report
    from .report import print_report, report_to_json, report_to_markdown

    if fmt not in ("terminal", "md", "json"):
        fail(f"--format must be terminal, md or json, not {fmt!r}")
    if (event_id is None) == (article is None):
        fail("give an EVENT_ID or --article ARTICLE_ID")
    store = _open()
    try:
        if article is not None:
            event_id, _ = store.event_of_article(article)
            if event_id is None:
                fail(f"article {article!r} is not in any event (is it stored? run `newsweave recluster`)", 1)
        rep = event_report(store, event_id)
    finally:
        store.close()
    if rep is None:
        fail(f"no event with id {event_id!r}", 1)
    if fmt == "terminal" and output is None:
        print_report(rep)
        return
    from .output import dumps

    text = dumps(report_to_json(rep), indent=2) if fmt == "json" else report_to_markdown(rep)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"report written to {output}")
    else:
        typer.echo(text)


@app.command()
def recluster(
    event_threshold: Optional[float] = typer.Option(
        None, "--event-threshold",  # its range is checked once, by Settings
        help="How sure the event model must be before an article joins an event (default: the "
             "fitted 0.40, or $NEWSWEAVE_EVENT_THRESHOLD); higher gives tighter events. Later "
             "ingests use the setting, not this flag."),
) -> None:
    """Rebuild copies, events and storylines from scratch over the whole store."""
    from .pipeline import regroup_store

    try:
        settings = state.settings.with_overrides(event_threshold=event_threshold)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--event-threshold") from None
    store = _open()
    try:
        g = regroup_store(store, settings)
    finally:
        store.close()
    for f in g.failed:
        typer.echo(f"warning: {f.item}: {f.reason}", err=True)
    typer.echo(f"{len(g.events)} events, {len(g.copies)} copies, {len(g.stories)} storylines")


@export_app.command("events")
def export_events_cmd(fmt: Format = typer.Option(Format.jsonl, "--format")) -> None:
    """Every event with its articles (id, outlet, published, language, title, copy_of)."""
    from .queries import export_events

    store = _open()
    try:
        rows = export_events(store)
        if fmt == Format.json:
            emit(list(rows), fmt)
        else:
            emit(rows if fmt == Format.jsonl else list(rows), Format.jsonl)
    finally:
        store.close()


@app.command()
def search(query: str, limit: int = typer.Option(20, "--limit", min=1),
           fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Full-text search over titles and texts, best first, with snippets."""
    store = _open()
    hits = store.search(query, limit)
    store.close()
    rows = [{"id": h.id, "score": round(h.score, 3), "outlet": h.outlet, "published": h.published,
             "title": h.title, "snippet": h.snippet} for h in hits]
    if not rows and fmt == Format.table:
        typer.echo(f"no articles match {query!r}")
        return
    emit(rows, fmt, ["id", "score", "outlet", "published", "title", "snippet"])


@app.command()
def stats(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Counts: articles, duplicates, outlets, languages, date range."""
    store = _open()
    st = store.stats()
    store.close()
    if fmt != Format.table:
        emit_one(st, fmt)
        return
    rows = [{"what": k, "value": v} for k, v in (
        ("store", _redact(state.settings.db)), ("articles", st.articles), ("duplicates recorded", st.duplicates),
        ("outlets", st.outlets),
        ("languages", ", ".join(f"{k} {v}" for k, v in st.languages.items())),
        ("first published", st.first_published), ("last published", st.last_published),
        ("without a date", st.undated), *st.extra.items())]
    emit(rows, fmt, ["what", "value"])


# ---- serve ----------------------------------------------------------------------------------

@app.command()
def serve(
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1 "
                                       "or $NEWSWEAVE_HOST)."),
    port: Optional[int] = typer.Option(None, "--port", min=0, max=65535,
                                       help="Port (default 8000 or $NEWSWEAVE_PORT)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="Let writes (POST /api/ingest, the "
                                 "ingest form) through without NEWSWEAVE_TOKEN; 127.0.0.1 only."),
    allow_private: bool = typer.Option(False, "--allow-private",
                                       help="Let ingested URLs point at loopback/private addresses."),
) -> None:
    """Serve the web UI and the JSON API (/api, /openapi.json) over the store."""
    try:
        from .api.app import serve as run_server
        from .api.security import check_bind
    except ImportError as e:
        fail(f"{e.name} is not installed: pip install 'newsweave[web]'")
    settings = state.settings.with_overrides(host=host, port=port,
                                             allow_private=allow_private or None)
    try:
        check_bind(settings.host, no_auth)
    except ValueError as e:
        fail(str(e))
    if not no_auth and not settings.token:
        typer.secho("note: NEWSWEAVE_TOKEN is not set: reads are served, writes are refused",
                    err=True)
    typer.secho(f"serving {settings.db} on http://{settings.host}:{settings.port}/", err=True)
    try:
        run_server(settings, host=settings.host, port=settings.port, no_auth=no_auth)
    except NewsweaveError as e:
        fail(str(e))


@app.command("migrate-to")
def migrate_to(target: str = typer.Argument(..., help="Destination store: postgresql://… URL, "
                                            "sqlite:///path or a SQLite path.")) -> None:
    """Copy everything in the --db store into another store (e.g. SQLite -> PostgreSQL)."""
    from .store import open_store
    from .store.migrate import migrate_store

    src = _open()
    try:
        dst = open_store(target)
    except NewsweaveError as e:
        src.close()
        fail(str(e))
    try:
        rep = migrate_store(src, dst, progress=lambda what, n: typer.echo(f"{what}: {n}", err=True))
    except NewsweaveError as e:
        fail(f"migration stopped (run it again to finish): {e}")
    finally:
        src.close()
        dst.close()
    typer.echo(f"copied {rep.summary()}")


# ---- eval -----------------------------------------------------------------------------------

@eval_app.command("extraction")
def eval_extraction(folder: Path, limit: Optional[int] = typer.Option(None, "--limit")) -> None:
    """HTML extraction vs trafilatura defaults on a trafilatura-style eval folder."""
    from .eval.extraction import run_extraction_eval

    if not folder.exists():
        fail(f"{folder}: no such folder")
    if not (folder / "evaldata.json").is_file():
        fail(f"{folder}: no evaldata.json (a trafilatura-style eval folder holds evaldata.json "
             "and the pages, as html.tar.gz or unpacked)")
    result = run_extraction_eval(folder, limit=limit)
    typer.echo(result.format_table())


@eval_app.command("ner")
def eval_ner(conll: Path, limit: Optional[int] = typer.Option(None, "--limit")) -> None:
    """Entity-level P/R/F1 on a CoNLL-2003 file (IOB1)."""
    from .eval.ner import run_ner_eval

    if not conll.exists():
        fail(f"{conll}: no such file")
    typer.echo(run_ner_eval(conll, limit=limit).table())


@eval_app.command("clustering")
def eval_clustering(path: Path, cv: bool = typer.Option(False, "--cv/--no-cv",
                                                         help="Also report 2-fold CV over events."),
                    store: bool = typer.Option(False, "--store", help=(
                        "Score the events already in the --db store (built by `newsweave ingest "
                        "PATH`) instead of streaming the file.")),
                    errors: int = typer.Option(0, "--errors", min=0, help=(
                        "Also list the N gold events Newsweave gets most wrong: what each costs, "
                        "how it was split, what it was merged with."))
                    ) -> None:
    """B-cubed and pairwise P/R/F1 of event clustering vs the TF-IDF baseline."""
    from .eval.clustering import run_clustering_eval, score_store

    if not path.exists():
        fail(f"{path}: no such file")
    try:
        if store:
            st = _open()
            try:
                typer.echo(score_store(st, path, errors=errors).table())
            finally:
                st.close()
        else:
            typer.echo(run_clustering_eval(path, cv=cv, errors=errors).table())
    except NewsweaveError as e:
        fail(str(e))


@eval_app.command("similarity")
def eval_similarity(csv: Path, predictions: Optional[Path] = typer.Option(None, "--predictions")
                    ) -> None:
    """Pearson of pair similarity with the SemEval-2022 Task 8 human scores."""
    from .eval.similarity import run_similarity_eval

    if not csv.exists():
        fail(f"{csv}: no such file")
    try:
        typer.echo(run_similarity_eval(
            csv, predictions, progress=lambda msg: typer.echo(f"... {msg}", err=True)).table())
    except NewsweaveError as e:
        fail(str(e))


def _rows_table(rows: list[dict[str, Any]], title: str) -> None:
    emit(rows, Format.table, title=title)


@eval_app.command("5w1h")
def eval_fivew(folder: Path, limit: Optional[int] = typer.Option(None, "--limit"),
               held_out: bool = typer.Option(False, "--held-out",
                                             help="Also the 2-fold held-out figure (split by event).")
               ) -> None:
    """Per-question accuracy of who/what/when/where/why/how against Giveme5W1H gold."""
    from .eval.fivew import load_gold, run_fivew_eval, split_eval

    if not folder.exists():
        fail(f"{folder}: no such folder")
    gold = load_gold(folder, limit)
    _rows_table(run_fivew_eval(folder, gold=gold).rows(), "5W1H accuracy")
    if held_out:
        pooled, chosen = split_eval(folder, gold=gold)
        _rows_table(pooled.rows(), "5W1H accuracy, 2-fold held out (parameters per fold: "
                    + "; ".join(", ".join(f"{k}={v}" for k, v in c.items()) for c in chosen) + ")")


@eval_app.command("summaries")
def eval_summaries(events: Path, articles: Optional[Path] = typer.Option(None, "--articles"),
                   limit: Optional[int] = typer.Option(None, "--limit")) -> None:
    """ROUGE of cited summaries vs baselines on WikinewsSum, and citation precision."""
    from .eval.summaries import run_summaries_eval

    if not events.exists():
        fail(f"{events}: no such file")
    _rows_table(run_summaries_eval(events, articles, limit=limit).rows(), "summaries")


if __name__ == "__main__":  # pragma: no cover
    app()
