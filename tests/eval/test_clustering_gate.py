"""Quality gate: event clustering on the labelled dev articles, Newsweave and the baseline, one run."""
from __future__ import annotations

from conftest import shared_path

from newsweave.eval.clustering import run_clustering_eval

# Measured (python -m newsweave.eval.clustering .../articles.jsonl): baseline B3 F1 0.865 / pairwise
# 0.777; newsweave with far candidates (in-sample) B3 F1 0.902 / pairwise 0.821 (2-fold CV over
# events: 0.917 / 0.862, baseline CV 0.904 / 0.851). Floors sit just under; the target
# (B3 >= 0.95, pairwise >= 0.90) is not reached.
FLOOR_B3 = 0.89
FLOOR_PAIRWISE = 0.80
BASELINE_B3 = 0.85


def test_clustering_gate() -> None:
    path = shared_path("eval", "clustering", "articles.jsonl")
    result = run_clustering_eval(path, cv=False)  # the CV figures take ~3 more minutes: see the report
    print(result.table())
    assert result.n_articles == 378 and result.n_events == 99
    assert result.baseline.b3_f1 >= BASELINE_B3
    assert result.newsweave.b3_f1 >= FLOOR_B3
    assert result.newsweave.pw_f1 >= FLOOR_PAIRWISE
