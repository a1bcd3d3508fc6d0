"""The runner seam, in process: the default runner, runner selection, precomputed analyses."""
from __future__ import annotations

import pytest

from newsweave.config import Settings, load_settings
from newsweave.errors import NewsweaveError
from newsweave.models import Failure, RawItem
from newsweave.runners import InlineBatchRunner, LocalRunner, make_runner
from newsweave.runners.base import BatchWorker
from runners._corpus import assert_same_store, build, snapshot


def test_local_run_stores_the_corpus(local_result):
    report, snap = local_result
    assert len(report.stored) == 12
    assert [d[0] for d in report.duplicates] == ["copy_of_seed"]
    assert any(f.item.endswith("empty.txt") for f in report.failed)
    members = [i for _, _, ids, _, _ in snap["events"] for i in ids]
    assert sorted(members) == sorted(snap["articles"])  # every article in exactly one event
    assert all(snap["enrichments"][i] for i in snap["articles"])
    assert set(snap["features"]) == set(snap["articles"])


def test_worker_half_in_process_gives_the_same_store(local_result, corpus, tmp_path):
    # Analyses and features computed per batch (as a Ray actor does), then linked by the
    # pipeline: the same store as analysing after storing.
    db = tmp_path / "inline.db"
    report = build(db, corpus, runner=InlineBatchRunner(batch_size=4))
    ref_report, ref = local_result
    assert report.stored == ref_report.stored
    assert report.duplicates == ref_report.duplicates
    assert [f.item for f in report.failed] == [f.item for f in ref_report.failed]
    assert_same_store(snapshot(db), ref)


def test_batch_worker_never_fails_the_batch():
    items = [Failure("in.jsonl:3", "not JSON", "source"),
             RawItem(source="blank.html", kind="html", content="<html><body></body></html>"),
             RawItem(source="ok.txt", kind="text", id="ok",
                     content="Rain in Paris\n\nIt rained in Paris on Monday, officials said.")]
    out = BatchWorker(enrich=False, group=False).run(items)
    assert [p.failure is not None for p in out] == [True, True, False]
    assert out[1].failure.stage == "extract" and out[1].failure.item == "blank.html"
    assert out[2].article.id == "ok" and out[2].enrichment is None and out[2].features is None


def test_batch_worker_embeds_the_report_sentences_of_what_it_analysed():
    from newsweave.stages.sentvec import report_sentences, sentences_key

    text = ("Rain in Paris\n\nIt rained in Paris on Monday, officials said. The river rose by "
            "two metres overnight. \"We are ready,\" the mayor said.")
    out = BatchWorker(enrich=True, group=True).run([RawItem(source="ok.txt", kind="text", id="ok",
                                                            content=text)])
    p = out[0]
    assert p.sentences is not None and p.sentences.key == sentences_key(p.enrichment)
    assert p.sentences.indexes == report_sentences(p.enrichment) != []
    assert p.sentences.vectors.shape == (len(p.sentences.indexes), 512)


def test_local_runner_only_extracts():
    p, = LocalRunner().process([RawItem(source="a.txt", kind="text", id="a",
                                        content="Title\n\nSome text about a meeting.")], Settings())
    assert p.article.id == "a" and p.enrichment is None and p.features is None


def test_runner_from_settings_env_and_cli():
    assert isinstance(make_runner(Settings()), LocalRunner)
    s = load_settings(env={"NEWSWEAVE_RUNNER": "ray", "NEWSWEAVE_RAY_ADDRESS": "auto"})
    assert (s.runner, s.ray_address) == ("ray", "auto")
    assert load_settings(env={"NEWSWEAVE_RUNNER": "ray"}, runner="local").runner == "local"
    with pytest.raises(NewsweaveError, match="unknown runner"):
        make_runner(Settings(runner="spark"))


def test_ray_runner_is_built_lazily():
    pytest.importorskip("ray")
    r = make_runner(Settings(runner="ray", ray_address="auto", workers=3))
    assert (r.name, r.address, r.workers) == ("ray", "auto", 3)  # nothing started yet


def test_cli_rejects_an_unknown_runner(tmp_path):
    from typer.testing import CliRunner

    from newsweave.cli import app

    r = CliRunner().invoke(app, ["--db", str(tmp_path / "x.db"), "ingest", "--runner", "spark",
                                 str(tmp_path)])
    assert r.exit_code == 2 and "unknown runner" in r.output
