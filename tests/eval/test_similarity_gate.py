"""Quality gate: Pearson of pair_similarity on SemEval-2022 Task 8 original pairs (floors under measured)."""
from __future__ import annotations

from pathlib import Path

from conftest import shared_path

from newsweave.eval.similarity import run_similarity_eval

# Measured (python -m newsweave.eval.similarity CSV): baseline 0.683, newsweave 0.951 in-sample
# (the head has seen these pairs: not a guide), 0.808 5-fold CV (mean of three splits) with the
# pair views, the word overlap on 4-letter stems (0.805 on 5-letter ones), the shared numbers
# and the linear + bilinear head, trained also on the suffixed pairs; 0.801 without the stems,
# 0.800 without the numbers, 0.785 with the linear head alone, 0.778 with the views alone, 0.746
# before them. The target is 0.80.
FLOOR_IN_SAMPLE = 0.85
FLOOR_CV = 0.79


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
