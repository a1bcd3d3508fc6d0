"""Quality gate: Newsweave's HTML extraction on trafilatura's benchmark pages (150 of 990).

Runs both systems in one run and fails on regression: Newsweave must not fall below trafilatura's
defaults nor below the floor measured last (session 16: F1 0.951, P 0.953, R 0.949).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_path

from newsweave.eval.extraction import run_extraction_eval

# Just under the measured scores: small wiggle for library patch releases, not for regressions.
F1_FLOOR = 0.945
PRECISION_FLOOR = 0.945
RECALL_FLOOR = 0.945
SECONDS_PER_DOC_CEILING = 0.6  # measured ~0.19 s on 2 cores; generous for loaded CI machines


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    folder = shared_path("eval", "extraction", "trafilatura_eval")
    return run_extraction_eval(folder, cache_dir=Path(tmp_path_factory.mktemp("extraction")))


def test_scores_every_document(result) -> None:
    assert result.docs == 150
    assert result.with_segments == 447 and result.without_segments == 450


def test_not_worse_than_trafilatura_defaults(result) -> None:
    print("\n" + result.format_table())
    assert result.newsweave.f1 >= result.trafilatura.f1


def test_floors(result) -> None:
    nw = result.newsweave
    assert nw.f1 >= F1_FLOOR, result.format_table()
    assert nw.precision >= PRECISION_FLOOR, result.format_table()
    assert nw.recall >= RECALL_FLOOR, result.format_table()
    assert nw.failures == 0


def test_time_per_document(result) -> None:
    assert result.newsweave.seconds_per_doc <= SECONDS_PER_DOC_CEILING
