"""Quality gate: single-article 5W1H answers vs the Giveme5W1H gold (floors just under measured)."""
from __future__ import annotations

from conftest import shared_path

from newsweave.eval.fivew import run_fivew_eval

# Measured on the 40 gold articles here (see the report of issue 5); the target is 0.85 on
# who/when/where, not reached yet: these floors only stop regressions.
FLOORS = {"who": 0.60, "when": 0.62, "where": 0.53, "what": 0.17}


def test_fivew_floors():
    result = run_fivew_eval(shared_path("eval", "5w1h"))
    for row in result.rows():
        print(row)
    assert result.articles >= 30
    for q, floor in FLOORS.items():
        assert result.accuracy(q) >= floor, (q, result.accuracy(q))
