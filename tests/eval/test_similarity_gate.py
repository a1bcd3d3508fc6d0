"""Quality gate: Pearson of pair_similarity on SemEval-2022 Task 8 original pairs (floors under measured)."""
from __future__ import annotations

from pathlib import Path

from conftest import shared_path

from newsweave.eval.similarity import run_similarity_eval

# Measured (python -m newsweave.eval.similarity CSV): baseline 0.683, newsweave 0.847 in-sample
# (the head has seen these pairs), 0.785 5-fold CV with the pair views and the learned head; 0.778
# CV with the views alone, 0.746 before them. The target (0.80) is not reached.
FLOOR_IN_SAMPLE = 0.80
FLOOR_CV = 0.775


def test_similarity_gate(tmp_path: Path) -> None:
    csv_path = shared_path("eval", "similarity", "semeval2022_task8_sample_train.csv")
    out = tmp_path / "pred.csv"
    result = run_similarity_eval(csv_path, predictions_out=out)
    print(result.table())
    assert result.newsweave >= FLOOR_IN_SAMPLE
    assert result.newsweave_cv >= FLOOR_CV
    assert result.newsweave_cv > result.baseline
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "pair_id,similarity" and len(lines) > result.n_pairs
