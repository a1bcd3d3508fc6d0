"""Fixtures for the runner tests: the small corpus and its store built by the local runner."""
from __future__ import annotations

import pytest

from runners._corpus import build, corpus_inputs, snapshot


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> list[str]:
    """Inputs of the small real corpus (seeds, a duplicate, Wikinews records, bad items)."""
    return corpus_inputs(tmp_path_factory.mktemp("runner_corpus"))


@pytest.fixture(scope="session")
def local_result(corpus, tmp_path_factory):
    """(report, snapshot) of the corpus ingested with the default local runner."""
    db = tmp_path_factory.mktemp("runner_local") / "local.db"
    report = build(db, corpus)
    return report, snapshot(db)
