"""Mention cleaning: general repairs of tagger noise, checked on made-up text and on the seeds."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.models import EntityType, Mention
from newsweave.stages.entities import EntityRecognizer
from newsweave.stages.entity_clean import clean_mentions, fix_types_by_majority


def _m(text: str, surface: str, etype: EntityType, nth: int = 0, language: str | None = "en") -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(surface, start, start + len(surface), etype, language=language)


def _texts(ms: list[Mention]) -> list[tuple[str, str]]:
    return [(m.text, m.type) for m in ms]


def test_headline_verb_is_cut_from_a_person() -> None:
    text = ("Brazilian Envoy Greets Lula at Summit\n\nLula da Silva arrived on Monday. "
            "Lula thanked the hosts.")
    out = clean_mentions([_m(text, "Greets Lula", "PER")], text)
    assert _texts(out) == [("Lula", "PER")]
    assert text[out[0].start:out[0].end] == "Lula"


def test_headline_verb_from_the_list_even_in_prose() -> None:
    text = "Pope Francis Visits Warsaw, the Vatican said."
    assert _texts(clean_mentions([_m(text, "Visits Warsaw", "PER")], text)) == [("Warsaw", "LOC")]


def test_given_names_are_not_mistaken_for_verbs() -> None:
    text = "Talks Stall as Thomas Mills Resigns\n\nThomas Mills said he would go. Mills is 54."
    out = clean_mentions([_m(text, "Thomas Mills", "PER")], text)
    assert _texts(out) == [("Thomas Mills", "PER")]


def test_next_line_adverb_and_photo_agency_are_dropped() -> None:
    text = "Photo: JANE DOE/AFP via Shutterstock Images\nMoreover, the talks went on in Vienna."
    ms = [_m(text, "JANE DOE", "PER"), _m(text, "Shutterstock Images\nMoreover", "ORG"),
          _m(text, "Vienna", "LOC")]
    assert _texts(clean_mentions(ms, text)) == [("Vienna", "LOC")]


def test_a_section_label_run_into_the_headline_is_not_part_of_the_name() -> None:
    text = ("Bitcoin Bitcoin price falls below $6,000\n\nThe price of Bitcoin fell again. "
            "Bitcoin traders were nervous.")
    out = clean_mentions([_m(text, "Bitcoin Bitcoin", "PER")], text)
    assert [(m.text, m.start) for m in out] == [("Bitcoin", 8)]
    town = "A train derailed near Gin Gin on Monday. Gin Gin residents helped the passengers."
    assert _texts(clean_mentions([_m(town, "Gin Gin", "LOC")], town)) == [("Gin Gin", "LOC")]


def test_stock_photo_credit_outside_a_credit_line() -> None:
    text = "Pictures by Acme Images\nAdditionally, Oslo said no."
    out = clean_mentions([_m(text, "Acme Images\nAdditionally", "ORG"), _m(text, "Oslo", "LOC")], text)
    assert _texts(out) == [("Oslo", "LOC")]


def test_caption_names_before_the_copyright_sign_are_kept() -> None:
    text = "Prime Minister Jacinda Ardern in Wellington, May 2, 2021. © Pool via AAP - STUFF"
    ms = [_m(text, "Jacinda Ardern", "PER"), _m(text, "Wellington", "LOC"), _m(text, "AAP - STUFF", "ORG")]
    assert _texts(clean_mentions(ms, text)) == [("Jacinda Ardern", "PER"), ("Wellington", "LOC")]


def test_call_to_action_word_trimmed_from_byline() -> None:
    text = "Text by: Deutsche Welle Subscribe\n\nThe report from Deutsche Welle said so."
    out = clean_mentions([_m(text, "Deutsche Welle Subscribe", "ORG")], text)
    assert _texts(out) == [("Deutsche Welle", "ORG")]


def test_dateline_and_unclosed_brackets_are_cut_off() -> None:
    text = ("SAN JOSE, Dec 31 (Reuters) - Costa Rica said so. Talks in Geneva (Switzerland) went on. "
            "The Nature Air (a charter firm said. Paris, 4 March 2021 was cold.")
    ms = [_m(text, "SAN JOSE, Dec 31 (Reuters", "ORG"), _m(text, "Geneva (Switzerland)", "LOC"),
          _m(text, "Nature Air (a", "ORG"), _m(text, "Paris, 4 March", "LOC")]
    out = clean_mentions(ms, text)
    # Trimming takes the closing bracket, so "Geneva (Switzerland)" keeps its name only.
    assert [t for t, _ in _texts(out)] == ["SAN JOSE", "Geneva", "Nature Air", "Paris"]
    assert all(text[m.start:m.end] == m.text for m in out)


def test_title_case_common_noun_is_cut_from_a_headline_name() -> None:
    text = ("New York Family Of 5 Among 12 Killed In Plane Crash\n\nA family from New York was on "
            "board. The Supreme Court Justice spoke.\nSupreme Court Rules On Vote Map\n\nThe court "
            "said the Supreme Court would hear it.")
    ms = [_m(text, "New York Family", "LOC"), _m(text, "Supreme Court", "ORG", nth=1)]
    # "Supreme Court" occurs again in prose: a name, kept whole although "court" occurs too.
    assert _texts(clean_mentions(ms, text)) == [("New York", "LOC"), ("Supreme Court", "ORG")]


def test_a_name_with_digits_is_no_person() -> None:
    text = "COVID-19 spread fast, said Anna Lee."
    out = clean_mentions([_m(text, "COVID-19", "PER"), _m(text, "Anna Lee", "PER")], text)
    assert _texts(out) == [("COVID-19", "MISC"), ("Anna Lee", "PER")]


def test_possessive_leading_article_and_punctuation() -> None:
    text = "It was Olaf Scholz's plan, backed by the Bundesbank. Ask the European Commission!"
    ms = [_m(text, "Olaf Scholz's", "PER"), _m(text, "the Bundesbank.", "ORG"),
          _m(text, "the European Commission!", "ORG")]
    assert _texts(clean_mentions(ms, text)) == [
        ("Olaf Scholz", "PER"), ("Bundesbank", "ORG"), ("European Commission", "ORG")]


def test_foreign_articles_stay_in_english_names() -> None:
    text = "Flights from Los Angeles and El Salvador landed."
    ms = [_m(text, "Los Angeles", "LOC"), _m(text, "El Salvador", "LOC")]
    assert _texts(clean_mentions(ms, text)) == [("Los Angeles", "LOC"), ("El Salvador", "LOC")]
    fr = "Les ministres de la Défense de l'Union européenne"
    out = clean_mentions([_m(fr, "l'Union européenne", "ORG", language="fr")], fr)
    assert _texts(out) == [("Union européenne", "ORG")]


def test_titles_lowercase_and_numbers_are_not_names() -> None:
    text = "The Defence minister of Ruritania; president said; S-500 systems; Ajax 3 Feyenoord."
    ms = [_m(text, "Defence", "ORG"), _m(text, "president", "PER"), _m(text, "S-500", "MISC"),
          _m(text, "Ajax 3", "ORG"), _m(text, "Ruritania;", "LOC")]
    assert _texts(clean_mentions(ms, text)) == [("Ruritania", "LOC"), ("S-500", "MISC"), ("Ajax 3", "ORG")]
    assert _texts(clean_mentions([_m(text, "Ajax 3 Feyenoord", "ORG")], text)) == [("Ajax 3 Feyenoord", "ORG")]


def test_city_typed_as_person_is_retyped_by_gazetteer() -> None:
    text = "In recent weeks, Kiev has repeatedly expressed concern."
    assert _texts(clean_mentions([_m(text, "Kiev", "PER")], text)) == [("Kiev", "LOC")]


def test_offsets_that_do_not_match_are_dropped() -> None:
    assert clean_mentions([Mention("Oslo", 0, 4, "LOC")], "Bergen is wet") == []


def test_majority_type_over_the_corpus() -> None:
    arts = [[Mention("Acme Dynamics", 0, 13, "ORG")] for _ in range(4)]
    arts.append([Mention("Acme Dynamics", 0, 13, "PER")])
    arts.append([Mention("Kiev", 0, 4, "PER")])
    fixed = fix_types_by_majority(arts)
    assert [ms[0].type for ms in fixed] == ["ORG"] * 5 + ["LOC"]
    # a split vote changes nothing
    tie = fix_types_by_majority([[Mention("Jordan", 0, 6, "PER")], [Mention("Jordan", 0, 6, "ORG")]])
    assert [ms[0].type for ms in tie] == ["PER", "ORG"]


@pytest.fixture(scope="module")
def seed_mentions(seeds_dir_module: Path) -> list[tuple[str, list[Mention]]]:
    r = EntityRecognizer(languages=("en",))
    r.setup()
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir_module.glob("*.txt"))]
    return [(t, clean_mentions(ms, t)) for t, ms in zip(texts, r.recognize([(t, "en") for t in texts]))]


@pytest.fixture(scope="module")
def seeds_dir_module() -> Path:
    return Path(__file__).resolve().parents[2] / "examples" / "seeds"


def test_seed_errors_are_gone(seed_mentions: list[tuple[str, list[Mention]]]) -> None:
    found = [(m.text, m.type) for _, ms in seed_mentions for m in ms]
    texts = {t for t, _ in found}
    for bad in ("Meets Putin", "Getty Images", "RFI Follow", "Defence", "Defense", "REUTERS - SPUTNIK"):
        assert not any(bad in t for t in texts), bad
    assert not any("\n" in t for t in texts)
    assert ("Kiev", "PER") not in found and ("Kiev", "LOC") in found
    assert ("Putin", "PER") in found and ("RFI", "ORG") in found
    for text, ms in seed_mentions:
        assert all(text[m.start:m.end] == m.text for m in ms)
