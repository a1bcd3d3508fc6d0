"""Quality gate: single-article 5W1H answers vs the Giveme5W1H gold (floors just under measured)."""
from __future__ import annotations

from conftest import shared_path

from newsweave.eval.fivew import run_fivew_eval

# Measured on the 40 gold articles (issue 5): who 0.95, what 0.70, when 0.75, where 0.78 (32 scored),
# why 0.29 (34), how 0.26 (38); the 2-fold held-out figure is the same except where 0.75. The target
# of 0.85 is met on who only; these floors stop regressions.
FLOORS = {"who": 0.92, "what": 0.67, "when": 0.72, "where": 0.75, "why": 0.26, "how": 0.23}


def test_fivew_floors():
    result = run_fivew_eval(shared_path("eval", "5w1h"))
    for row in result.rows():
        print(row)
    assert result.articles >= 30
    for q, floor in FLOORS.items():
        assert result.accuracy(q) >= floor, (q, result.accuracy(q))
