"""NER quality gate on CoNLL-2003 English (eng.testa): floors just under the measured scores."""
from __future__ import annotations

import pytest
from conftest import shared_path

from newsweave.eval.ner import NerEvalResult, iob1_to_spans, run_ner_eval

# Measured with `python -m newsweave.eval.ner ../shared/eval/ner/eng.testa` (3250 sentences):
# PER 0.745, ORG 0.424, LOC 0.819, MISC 0.718, PER+ORG+LOC 0.695. CoNLL's ORG is mostly sports
# teams named after their city, which an OntoNotes model calls places: ORG stays low.
FLOORS = {"PER": 0.73, "ORG": 0.41, "LOC": 0.80, "MISC": 0.70}
OVERALL_FLOOR = 0.68


def test_iob1_and_iob2_spans() -> None:
    assert iob1_to_spans(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-MISC"]) == {
        (0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 6, "MISC")}
    assert iob1_to_spans(["B-ORG", "I-ORG", "B-ORG", "O"]) == {(0, 2, "ORG"), (2, 3, "ORG")}
    assert iob1_to_spans(["I-PER", "I-ORG"]) == {(0, 1, "PER"), (1, 2, "ORG")}


@pytest.fixture(scope="module")
def result() -> NerEvalResult:
    r = run_ner_eval(shared_path("eval", "ner", "eng.testa"))
    print("\n" + r.table())
    return r


def test_ner_gate_per_type(result: NerEvalResult) -> None:
    assert result.sentences == 3250
    for etype, floor in FLOORS.items():
        f1 = result.per_type[etype].f1
        assert f1 >= floor, f"{etype} F1 {f1:.3f} < {floor}\n{result.table()}"


def test_ner_gate_overall(result: NerEvalResult) -> None:
    assert result.overall_f1 >= OVERALL_FLOOR, result.table()
