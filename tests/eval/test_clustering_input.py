"""`eval clustering` on a labelled file with bad records: they are named and skipped, the rest scored."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsweave.cli import app
from newsweave.errors import InputError
from newsweave.eval.clustering import read_labelled, run_clustering_eval
from newsweave.store import open_store

QUAKE = "A magnitude 6.1 earthquake struck near Adana on Monday, damaging buildings, AFAD said."
VOTE = "Finns voted on Sunday in a parliamentary election; the National Coalition won narrowly."


def test_bad_records_are_skipped_with_their_reason(tmp_path: Path) -> None:
    good = [dict(id=f"q{i}", event_id="quake", title="Earthquake in Adana", text=QUAKE,
                 published=f"2023-04-1{i}") for i in range(3)]
    good += [dict(id=f"v{i}", event_id="vote", title="Finland votes", text=VOTE,
                  published=f"2023-04-0{i + 2}") for i in range(2)]
    lines = [json.dumps(good[0]), "{not json", json.dumps([1, 2]), json.dumps(dict(id="x", text=QUAKE)),
             json.dumps(good[0] | {"event_id": "vote"}), *map(json.dumps, good[1:]), ""]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    rows, skipped = read_labelled(path)
    assert [r["id"] for r in rows] == ["q0", "q1", "q2", "v0", "v1"]
    assert [s.split(": ", 1)[1] for s in skipped] == [
        "not JSON (Expecting property name enclosed in double quotes)", "not a JSON object",
        "no event_id", "id 'q0' repeats an earlier record"]
    assert skipped[0].startswith(f"{path}:2")
    result = run_clustering_eval(path, cv=False)
    assert result.n_articles == 5 and result.n_events == 2
    assert result.newsweave.b3_f1 == pytest.approx(1.0)
    assert "skipped " + skipped[0] in result.table()
    # Without --cv the cross-validated rows are not printed as NaNs: the table says how to get them.
    assert result.newsweave_cv is None and "nan" not in result.table()
    assert "add --cv" in result.table()
    assert result.by_collection == {}  # no collection field: no breakdown


def test_scores_per_collection(tmp_path: Path) -> None:
    # Records from several collections: each collection's articles are also scored alone.
    rows = [dict(id=f"q{i}", event_id="quake", title="Earthquake in Adana", text=QUAKE,
                 published=f"2023-04-1{i}", collection="news") for i in range(3)]
    rows += [dict(id=f"v{i}", event_id="vote", title="Finland votes", text=VOTE,
                  published=f"2023-04-0{i + 2}", collection="wiki") for i in range(2)]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(map(json.dumps, rows)), encoding="utf-8")
    result = run_clustering_eval(path, cv=False)
    assert sorted(result.by_collection) == ["news", "wiki"]
    n, n_events, nw, base = result.by_collection["news"]
    assert (n, n_events) == (3, 1) and nw.b3_f1 == pytest.approx(1.0)
    assert "by collection" in result.table() and "wiki" in result.table()


def test_a_file_without_labels_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "unlabelled.jsonl"
    path.write_text(json.dumps(dict(id="a", text=QUAKE)) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no labelled article"):
        read_labelled(path)
    res = CliRunner().invoke(app, ["eval", "clustering", str(path)])
    assert res.exit_code == 2 and "unlabelled.jsonl" in res.output


def test_store_events_are_scored_after_ingest(tmp_path: Path) -> None:
    """`ingest FILE` then `eval clustering FILE --store` scores what the product built."""
    recs = [dict(id=f"q{i}", event_id="quake", title="Earthquake in Adana",
                 text=QUAKE + f" Report {i} from the scene.", published=f"2023-04-1{i}T10:00:00Z")
            for i in range(3)]
    recs += [dict(id=f"v{i}", event_id="vote", title="Finland votes",
                  text=VOTE + f" Count {i} of the ballots.", published=f"2023-04-0{i + 2}T10:00:00Z")
             for i in range(2)]
    recs.append(dict(recs[0], id="q-again"))  # same text again: recorded as a duplicate of q0
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(map(json.dumps, recs)) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    r = CliRunner().invoke(app, ["--db", str(db), "ingest", str(path)])
    assert r.exit_code == 0, r.output
    unlisted = tmp_path / "more.jsonl"  # a labelled article that was never ingested
    unlisted.write_text(path.read_text() + json.dumps(dict(recs[1], id="q9")) + "\n")
    r = CliRunner().invoke(app, ["--db", str(db), "eval", "clustering", str(unlisted), "--store"])
    assert r.exit_code == 0, r.output
    assert "6 of 7 labelled articles scored (1 as duplicates of a stored article), 1 not in the store" in r.output
    assert "not in the store: q9" in r.output
    row = next(x for x in r.output.splitlines() if x.startswith("newsweave (the stored events)"))
    assert row.split()[-7:] == ["1.000"] * 6 + ["2"]
    # Relabel one quake article as a third event: --errors names what the store got wrong.
    relabelled = tmp_path / "relabelled.jsonl"
    relabelled.write_text("\n".join(json.dumps(dict(x, event_id="aftershock") if x["id"] == "q2"
                                               else x) for x in recs) + "\n")
    r = CliRunner().invoke(app, ["--db", str(db), "eval", "clustering", str(relabelled),
                                 "--store", "--errors", "2"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    at = lines.index("the 2 gold events that cost the most (B-cubed P + R lost, of 2):")
    assert "'aftershock' (1 article): whole; with 3 of 'quake'" in lines[at + 1]
    assert "'quake' (3 articles): whole; with 1 of 'aftershock'" in lines[at + 2]


def test_store_without_the_labelled_articles_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    path.write_text(json.dumps(dict(id="a", event_id="e", text=QUAKE)) + "\n")
    open_store(tmp_path / "empty.db").close()
    r = CliRunner().invoke(app, ["--db", str(tmp_path / "empty.db"), "eval", "clustering", str(path),
                                 "--store"])
    assert r.exit_code == 2
    assert "none of its 1 labelled articles is in the store" in r.output


def test_records_without_a_language_get_it_detected(tmp_path: Path) -> None:
    # The featuriser weighs words by their language's frequencies: a record without a language
    # field has it detected from its title and text, one with the field keeps it.
    from newsweave.eval.clustering import load_items

    class Recording:
        def featurize_many(self, items):
            self.languages = [i["language"] for i in items]
            return [None] * len(items)

    rows = [dict(id="a", event_id="e", title="Earthquake in Adana", text=QUAKE),
            dict(id="b", event_id="e", title="Élection en Finlande", language=" ",
                 text="Les Finlandais ont voté dimanche lors d'élections législatives; la "
                      "Coalition nationale l'a emporté de justesse."),
            dict(id="c", event_id="e", title="x", text=VOTE, language="fi")]
    rec = Recording()
    load_items(tmp_path / "unused.jsonl", rec, rows)
    assert rec.languages == ["en", "fr", "fi"]


def test_worst_events_say_what_each_gold_event_cost_and_how_it_went_wrong() -> None:
    from newsweave.eval.clustering import score_clusters, worst_events

    gold = {"q1": "quake", "q2": "quake", "q3": "quake", "q4": "quake",
            "v1": "vote", "v2": "vote", "s1": "storm"}
    pred = {"e1": ["q1", "q2", "q3"], "e2": ["q4", "v1", "v2"], "e3": ["s1"]}
    worst = worst_events(pred, gold, 5)
    assert [(w.event, w.articles, w.parts, w.merged) for w in worst] == [
        ("quake", 4, [3, 1], [("vote", 2)]), ("vote", 2, [2], [("quake", 1)])]
    # the costs add up to what B-cubed P and R lose
    s = score_clusters(pred, gold)
    assert sum(w.cost for w in worst) == pytest.approx((1 - s.b3_p) + (1 - s.b3_r))
    assert worst[0].line().startswith("  0.") and "split 3 + 1" in worst[0].line()
    assert "with 2 of 'vote'" in worst[0].line()
    assert worst_events(pred, gold, 1) == worst[:1]
    assert worst_events({"e": ["q1", "q2", "q3", "q4"]}, {k: gold[k] for k in
                                                          ("q1", "q2", "q3", "q4")}, 3) == []


def test_eval_clustering_lists_the_worst_events(tmp_path: Path) -> None:
    rows = [dict(id=f"q{i}", event_id="quake", title="Earthquake in Adana", text=QUAKE,
                 published=f"2023-04-1{i}") for i in range(3)]
    rows += [dict(id=f"v{i}", event_id="vote", title="Finland votes", text=VOTE,
                  published=f"2023-04-0{i + 2}") for i in range(2)]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(map(json.dumps, rows)), encoding="utf-8")
    r = CliRunner().invoke(app, ["eval", "clustering", str(path), "--errors", "3"])
    assert r.exit_code == 0, r.output
    assert "B3 F1" in r.output  # a perfect clustering has nothing to list
    assert "gold events that cost the most" not in r.output
