"""Quality gate: cited summaries vs lead-3 and TextRank on WikinewsSum, and citation precision."""
from __future__ import annotations

import pytest
from conftest import shared_path

pytest.importorskip("rouge_score", reason="rouge-score is needed for the summaries eval")
pytest.importorskip("sumy", reason="sumy is needed for the TextRank baseline")

from newsweave.eval.summaries import run_summaries_eval  # noqa: E402


def test_summaries_beat_baselines_and_cite_correctly():
    shared_path("eval", "clustering", "articles.jsonl")
    result = run_summaries_eval(shared_path("eval", "summaries", "events.jsonl"))
    for row in result.rows():
        print(row)
    print("citation precision", result.citation_precision, "pairs", result.citation_pairs)
    r2 = {k: v["rouge2"] for k, v in result.rouge.items()}
    assert result.events >= 25
    assert r2["newsweave"] > r2["lead3"] and r2["newsweave"] > r2["textrank"]
    assert r2["newsweave"] >= 0.055
    assert result.citation_precision >= 0.95
