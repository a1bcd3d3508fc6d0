"""The cited extractive summary: actual sentences, every supporting article cited."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from datetime import date

from newsweave.report import build_report
from newsweave.stages.summarize import compress

# The hand-built event builders live in test_compare (pytest runs in importlib mode: no sys.path).
_spec = importlib.util.spec_from_file_location("_builders", Path(__file__).with_name("test_compare.py"))
_builders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_builders)
bow_embed, make = _builders.bow_embed, _builders.make



def _event():
    a = make("a", ["A bus crashed near Lyon on Monday, killing 12 people.",
                   "The driver was arrested by police after the crash.",
                   "The bus was carrying tourists from Spain to Italy.",
                   "Officials said the road had been icy all morning."], places=["Lyon"],
             dates=[("Monday", date(2024, 2, 26))])
    b = make("b", ["A bus crashed near Lyon on Monday, killing 12 people.",
                   "The bus was carrying tourists from Spain to Italy.",
                   "Rescue teams worked through the night at the site."], hours=2, places=["Lyon"])
    c = make("c", ["A bus crashed near Lyon on Monday, killing 12 people.",
                   "Rescue teams worked through the night at the site."], hours=4, places=["Lyon"])
    return [a, b, c]


def test_summary_sentences_are_extracted_and_cited():
    made = _event()
    arts = [x for x, _ in made]
    enr = {e.article_id: e for _, e in made}
    rep = build_report("bus", arts, enr, embed=bow_embed)
    assert 3 <= len(rep.summary) <= 8
    texts = {s.text for e in enr.values() for s in e.sentences}
    for s in rep.summary:
        assert s.text in texts  # extractive: no invented text
        for aid in s.citations:  # every citation really holds the sentence's statement
            assert any(x.text == s.text for x in enr[aid].sentences)
    lead = rep.summary[0]
    assert lead.text.startswith("A bus crashed") and set(lead.citations) == {"a", "b", "c"}
    # Shared claims come before single-source ones.
    support = [len(s.citations) for s in rep.summary]
    assert support == sorted(support, reverse=True)


def test_compress_only_drops_a_leading_connective():
    assert compress("However, the road stayed closed.") == "The road stayed closed."
    assert compress("But officials disagreed.") == "Officials disagreed."
    assert compress("The road stayed closed.") == "The road stayed closed."
