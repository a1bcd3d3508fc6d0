"""Quality gate: single-article 5W1H answers vs the Giveme5W1H gold (floors just under measured)."""
from __future__ import annotations

import pytest
from conftest import shared_path

from newsweave.eval.fivew import load_gold, run_fivew_eval, split_eval

# Measured on the 40 gold articles (issue 5): who 0.95, what 0.70, when 0.825 (33/40), where 0.906
# (29/32 scored), why 0.29 (34), how 0.26 (38); the 2-fold held-out figure (parameters chosen on
# the other half of the events) is the same except where 0.875. The target of 0.85 is met on who and
# where; when misses it by articles whose lead names no day while the event was the day before
# publication. These floors stop regressions.
FLOORS = {"who": 0.92, "what": 0.67, "when": 0.80, "where": 0.87, "why": 0.26, "how": 0.23}
HELD_OUT_FLOORS = {**FLOORS, "where": 0.84}


@pytest.fixture(scope="module")
def gold():
    folder = shared_path("eval", "5w1h")
    return folder, load_gold(folder)


def test_fivew_floors(gold):
    result = run_fivew_eval(gold[0], gold=gold[1])
    for row in result.rows():
        print(row)
    assert result.articles >= 30
    for q, floor in FLOORS.items():
        assert result.accuracy(q) >= floor, (q, result.accuracy(q))


def test_fivew_held_out_floors(gold):
    result, chosen = split_eval(gold[0], gold=gold[1])
    print(chosen)
    for q, floor in HELD_OUT_FLOORS.items():
        assert result.accuracy(q) >= floor, (q, result.accuracy(q))
