"""The CLI as a user runs it: the demo corpus, idempotent ingest, browsing, bad input."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from newsweave.cli import app

from conftest import EXAMPLES

SEED_A = "000_91d4f52043ef8cf0"
SEED_B = "004_d179e931f6170d12"


def run(db, *args):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def test_ingest_twice_stores_nothing_new(demo_db):
    r = run(demo_db, "ingest", str(EXAMPLES / "seeds"))
    assert r.exit_code == 0
    assert "0 stored" in r.output and "2 already stored" in r.output


def test_articles_newest_first(demo_db):
    rows = json.loads(run(demo_db, "articles", "--limit", "100", "--format", "json").stdout)
    assert len(rows) == 42
    assert {SEED_A, SEED_B} <= {r["id"] for r in rows}
    dates = [r["published"] for r in rows if r["published"]]
    assert dates == sorted(dates, reverse=True)
    assert set(rows[0]) == {"id", "outlet", "published", "language", "title"}


def test_article_json_has_clean_text(demo_db):
    r = run(demo_db, "article", SEED_A, "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["id"] == SEED_A and d["language"] == "en"
    assert "Li Shangfu met with Russian President Vladimir Putin" in d["text"]
    for junk in ("Spread the love", "Views:", "Website | + posts", "Yustika"):
        assert junk not in d["text"]
    assert d["title"].startswith("US-Sanctioned Chinese Defense Minister Meets Putin")


def test_article_table_and_missing(demo_db):
    r = run(demo_db, "article", SEED_B)
    assert r.exit_code == 0 and "Li Shangfu" in r.stdout
    r = run(demo_db, "article", "no-such-id")
    assert r.exit_code == 1 and "no article" in r.output


def test_search_finds_the_seeds_first(demo_db):
    rows = json.loads(run(demo_db, "search", "defence minister Moscow", "--format", "json").stdout)
    assert rows and rows[0]["id"] in {SEED_A, SEED_B}
    assert all("snippet" in r for r in rows)


def test_stats(demo_db):
    d = json.loads(run(demo_db, "stats", "--format", "json").stdout)
    assert d["articles"] == 42 and d["languages"]["en"] == 42


def test_extract_only_jsonl(tmp_path):
    db = tmp_path / "untouched.db"
    r = run(db, "extract", str(EXAMPLES / "seeds"), "--format", "jsonl")
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["source"].split("/")[-1] for x in lines] == [f"{SEED_A}.txt", f"{SEED_B}.txt"]
    for x in lines:
        assert {"source", "title", "text", "published", "outlet", "language"} <= set(x)
    assert not db.exists()


def test_bad_inputs_do_not_stop_the_batch(tmp_path):
    (tmp_path / "in").mkdir()
    good = tmp_path / "in" / "good.txt"
    good.write_text("A headline\n\nThe minister arrived in Moscow on Sunday for talks. "
                    "He met the president and discussed cooperation.\n")
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "[b]bin.html").write_bytes(bytes(range(256)) * 40)  # not rich markup
    (tmp_path / "in" / "bad.jsonl").write_text('{"text": "Valid line about a storm in Paris."}\n{oops\n')
    db = tmp_path / "x.db"
    r = run(db, "ingest", str(tmp_path / "in"), str(tmp_path / "missing.txt"))
    assert r.exit_code == 1
    out = r.output
    assert "empty.txt" in out and "[b]bin.html" in out and "bad.jsonl:2" in out
    assert "missing.txt" in out
    assert "2 stored" in out
    ids = {x["id"] for x in json.loads(run(db, "articles", "--format", "json").stdout)}
    assert "good" in ids


def test_an_id_taken_by_another_article_is_refused_by_name(tmp_path):
    """Two folders with a 1.txt each: the file stem is the id, so the second is refused with the
    reason (not reported as "already stored"), and the stored one is untouched."""
    for folder, body in (("a", "Floods hit Porto on Tuesday and forty residents were evacuated."),
                         ("b", "A ferry ran aground off Kiel on Monday; no one was hurt.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "1.txt").write_text(f"Headline {folder}\n\n{body}\n")
    db = tmp_path / "x.db"
    r = run(db, "ingest", str(tmp_path / "a"), str(tmp_path / "b"))
    assert r.exit_code == 1
    assert "1 stored" in r.output and "0 already stored" in r.output and "1 failed" in r.output
    assert "already taken by another article" in r.output and "b/1.txt" in r.output.replace("\n", "")
    art = json.loads(run(db, "article", "1", "--format", "json").stdout)
    assert "Porto" in art["text"]
    again = run(db, "ingest", str(tmp_path / "a"))
    assert again.exit_code == 0 and "1 already stored" in again.output


def test_entities_and_entity_lookup_by_any_spelling(demo_db):
    rows = json.loads(run(demo_db, "entities", "--type", "PER", "--limit", "200",
                          "--format", "json").stdout)
    names = {r["name"] for r in rows}
    assert {"Vladimir Putin", "Li Shangfu", "Sergei Shoigu"} <= names
    assert all(r["type"] == "PER" for r in rows)
    for spelling in ("Putin", "Vladimir Putin", "Poutine", "Путин"):
        d = json.loads(run(demo_db, "entity", spelling, "--format", "json").stdout)
        assert d["name"] == "Vladimir Putin", spelling
        assert {SEED_A, SEED_B} <= {a["id"] for a in d["articles"]}
    assert run(demo_db, "entity", "Nobody Atall").exit_code == 1


def test_article_shows_its_understanding(demo_db):
    d = json.loads(run(demo_db, "article", SEED_B, "--format", "json").stdout)
    e = d["enrichment"]
    assert e["sentences"] and e["keywords"]
    names = {g["name"] for g in e["entities"]}
    assert {"Vladimir Putin", "Li Shangfu", "Sergei Shoigu", "Moscow"} <= names
    assert any(x["from"] == "2023-04-16" for x in e["dates"])
    assert any(q["speaker"] == "Li Shangfu" and "Cold War" in q["text"] for q in e["quotes"])


def test_reading_a_store_that_does_not_exist_is_an_error(tmp_path):
    """A mistyped --db used to create an empty store and answer "no article"; reading commands now
    say there is no store there, and create nothing. Ingest still creates it."""
    db = tmp_path / "typo.db"
    for args in (["events"], ["article", "x"], ["search", "Moscow"], ["stats"], ["recluster"]):
        r = run(db, *args)
        assert r.exit_code == 1 and f"no store at {db}" in r.output, args
    assert not db.exists()
    (tmp_path / "a.txt").write_text("Headline\n\nFloods hit Porto on Tuesday and forty residents "
                                    "were evacuated from riverside houses.\n")
    assert run(db, "ingest", str(tmp_path / "a.txt")).exit_code == 0
    assert run(db, "stats").exit_code == 0


def test_ingest_a_zip_of_articles(tmp_path, demo_db):
    # The seeds zipped with a PNG: the seeds are the articles already stored (same ids from the
    # members' names), the PNG fails with the archive's and the member's name.
    import zipfile

    archive = tmp_path / "seeds.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for seed in (SEED_A, SEED_B):
            zf.write(EXAMPLES / "seeds" / f"{seed}.txt", f"seeds/{seed}.txt")
        zf.writestr("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    r = run(demo_db, "ingest", str(archive))
    assert r.exit_code == 1
    assert "0 stored" in r.output and "2 already stored" in r.output and "1 failed" in r.output
    flat = "".join(r.output.split())  # the console wraps long lines
    assert "".join(f"{archive}!logo.png: not a text document: the member is a PNG image".split()) \
        in flat
