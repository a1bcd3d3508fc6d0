"""Canonical entities within an article and across articles and languages."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.models import EntityType, Mention
from newsweave.stages import names
from newsweave.stages.canonical import EntityIndex, entity_id, resolve_article
from newsweave.stages.entities import EntityRecognizer
from newsweave.stages.entity_clean import clean_mentions, fix_types_by_majority


def _ms(*items: tuple[str, EntityType], language: str = "en") -> list[Mention]:
    out, pos = [], 0
    for text, etype in items:
        out.append(Mention(text, pos, pos + len(text), etype, language=language))
        pos += len(text) + 1
    return out


def _canon(ms: list[Mention]) -> list[str | None]:
    return [m.canonical for m in resolve_article(ms)]


def test_lone_surname_joins_the_only_full_name() -> None:
    ms = _ms(("Putin", "PER"), ("Li Shangfu", "PER"), ("Li", "PER"), ("Vladimir Putin", "PER"))
    assert _canon(ms) == ["Vladimir Putin", "Li Shangfu", "Li Shangfu", "Vladimir Putin"]


def test_two_people_with_one_surname_stay_apart() -> None:
    ms = _ms(("Li Shangfu", "PER"), ("Li Qiang", "PER"), ("Li", "PER"))
    assert _canon(ms) == ["Li Shangfu", "Li Qiang", "Li"]


def test_titles_and_spelling_variants() -> None:
    ms = _ms(("President Putin", "PER"), ("Defence Minister Grant Shapps", "PER"), ("Shapps", "PER"))
    assert _canon(ms) == ["Vladimir Putin", "Grant Shapps", "Grant Shapps"]
    assert names.name_key("Defence Ministry") == names.name_key("Defense Ministry")
    assert names.strip_titles("Chinese Defence Minister Li Shangfu") == "Li Shangfu"


def test_acronyms_keep_their_doubled_letters() -> None:
    # Spelling slack collapses doubled letters in names; in an acronym they are the name.
    ms = _ms(("EU", "ORG"), ("EEUU", "LOC"), ("BBC", "ORG"), ("B.C.", "LOC"), language="es")
    assert _canon(ms) == ["European Union", "United States", "BBC", "B.C."]
    assert names.name_key("BBC") != names.name_key("B.C.")
    assert names.name_key("EE.UU.") == names.name_key("EEUU") != names.name_key("EU")
    assert names.name_key("Mohammed") == names.name_key("Mohamed")  # names keep their slack


def test_middle_names_and_initials_are_one_person() -> None:
    ms = _ms(("John F. Kennedy", "PER"), ("John Kennedy", "PER"), ("John Kennedy", "PER"), ("Kennedy", "PER"))
    assert set(_canon(ms)) == {"John Kennedy"}


def test_well_known_names_one_edit_off() -> None:
    assert _canon(_ms(("Williams Burns", "PER"))) == ["William Burns"]
    assert _canon(_ms(("Williams Burns", "PER"), ("Burns", "PER"))) == ["William Burns", "William Burns"]
    # the surname must match exactly, and an unknown name is left alone
    assert _canon(_ms(("William Byrns", "PER"), ("Wiliam Smith", "PER"))) == ["William Byrns", "Wiliam Smith"]


def test_transliteration_and_exonyms() -> None:
    assert names.transliterate("Сергей Шойгу") == "Sergey Shoygu"
    assert names.transliterate("Київ", "uk") == "Kyiv"
    assert names.name_key("Сергей Шойгу") == names.name_key("Sergei Shoigu")
    assert names.name_key("Zelenskyy") == names.name_key("Зеленский") == names.name_key("Zelensky")
    assert _canon(_ms(("Kiev", "LOC"))) == ["Kyiv"]
    assert _canon(_ms(("Moscou", "LOC"), ("Poutine", "PER"), ("l'OTAN", "ORG"), language="fr")) == [
        "Moscow", "Vladimir Putin", "l'OTAN"]


def test_index_merges_languages_and_is_stable() -> None:
    index = EntityIndex()
    a = index.add_article("a", _ms(("Vladimir Putin", "PER"), ("Kyiv", "LOC"), ("Moscow", "LOC")))
    b = index.add_article("b", _ms(("Vladimir Poutine", "PER"), ("Kiev", "LOC"), language="fr"))
    c = index.add_article("c", [Mention("Путина", 0, 6, "PER", language="ru", canonical="Путин"),
                                 Mention("Киев", 7, 11, "LOC", language="ru")])
    putin = a[0].entity_id
    assert putin == b[0].entity_id == c[0].entity_id
    assert a[1].entity_id == b[1].entity_id == c[1].entity_id
    ent = index.get(putin)
    assert ent is not None and ent.name == "Vladimir Putin" and ent.type == "PER"
    assert ent.article_count == 3
    assert ent.variants["Vladimir Poutine"] == ["fr"] and ent.variants["Путина"] == ["ru"]
    assert putin == entity_id("PER", names.name_key("Vladimir Putin"))
    assert index.lookup("Путин") is ent and index.lookup("Poutine") is ent and index.lookup("Kiev").name == "Kyiv"
    # adding the same article again does not count it twice
    index.add_article("a", _ms(("Vladimir Putin", "PER")))
    assert index.get(putin).article_count == 3


def test_index_rebuilt_from_stored_entities() -> None:
    first = EntityIndex()
    first.add_article("a", _ms(("Li Shangfu", "PER"), ("Moscow", "LOC"), ("Sergei Shoigu", "PER")))
    stored = first.entities()
    again = EntityIndex(stored)
    out = again.add_article("b", _ms(("Li Shangfu", "PER"), ("Сергей Шойгу", "PER"), language="en"))
    ids = {e.name: e.id for e in stored}
    assert out[0].entity_id == ids["Li Shangfu"] and out[1].entity_id == ids["Sergei Shoigu"]
    assert {e.id for e in again.entities()} == set(ids.values())
    assert again.get(ids["Li Shangfu"]).article_count == 2


def test_lone_surname_across_articles_needs_context() -> None:
    index = EntityIndex()
    index.add_article("a", _ms(("Li Shangfu", "PER"), ("Moscow", "LOC"), ("Sergei Shoigu", "PER")))
    index.add_article("b", _ms(("Li Qiang", "PER"), ("Beijing", "LOC"), ("Wang Yi", "PER")))
    with_context = index.add_article("c", _ms(("Li", "PER"), ("Moscow", "LOC"), ("Sergei Shoigu", "PER")))
    without = index.add_article("d", _ms(("Li", "PER"), ("Paris", "LOC")))
    assert with_context[0].canonical == "Li Shangfu"
    assert without[0].canonical == "Li" and without[0].entity_id != with_context[0].entity_id
    # two people named Li are known: a lookup finds the unresolved "Li", neither of them
    assert index.lookup("Li").name == "Li"
    assert EntityIndex(e for e in index.entities() if e.name != "Li").lookup("Li") is None


def test_rebuild_by_replaying_mentions_restores_context() -> None:
    stored = [("a", _ms(("Li Shangfu", "PER"), ("Moscow", "LOC"), ("Sergei Shoigu", "PER"))),
              ("b", _ms(("Li Qiang", "PER"), ("Beijing", "LOC")))]
    index = EntityIndex.rebuild(stored)
    out = index.add_article("c", _ms(("Li", "PER"), ("Moscow", "LOC"), ("Shoigu", "PER")))
    assert out[0].canonical == "Li Shangfu"


# ---- the seeds -------------------------------------------------------------------------------

_BOILERPLATE = ("Spread the love", "Advertising", "Read more", "I subscribe", "Newsletter", "Views:",
                "Website |", "Read on on the same topics")


def _paragraphs(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(ln for ln in lines if not ln.strip().startswith(_BOILERPLATE))


@pytest.fixture(scope="module")
def seed_index() -> tuple[EntityIndex, list[list[Mention]]]:
    seeds = sorted((Path(__file__).resolve().parents[2] / "examples" / "seeds").glob("*.txt"))
    texts = [(_paragraphs(p), "en") for p in seeds]
    texts.append(("Президент России Владимир Путин принял в Москве министра обороны Китая Ли Шанфу. "
                  "Путин назвал визит важным.", "ru"))
    recognizer = EntityRecognizer()
    recognizer.setup()
    found = recognizer.recognize(texts)
    cleaned = fix_types_by_majority([clean_mentions(ms, t) for ms, (t, _) in zip(found, texts)])
    index = EntityIndex()
    resolved = [index.add_article(f"seed{i}", ms) for i, ms in enumerate(cleaned)]
    return index, resolved


def test_seed_canonical_entities(seed_index: tuple[EntityIndex, list[list[Mention]]]) -> None:
    index, resolved = seed_index
    by_name = {(e.name, e.type) for e in index.entities()}
    expected = {
        ("Vladimir Putin", "PER"), ("Li Shangfu", "PER"), ("Xi Jinping", "PER"), ("Sergei Shoigu", "PER"),
        ("Alexander Gabuev", "PER"), ("William Burns", "PER"), ("Moscow", "LOC"), ("Russia", "LOC"),
        ("China", "LOC"), ("Ukraine", "LOC"), ("NATO", "ORG"), ("CIA", "ORG"), ("RFI", "ORG"),
        ("Kyiv", "LOC"),
    }
    assert expected <= by_name, expected - by_name
    names_found = {e.name for e in index.entities()}
    for bad in ("Meets Putin", "Getty Images Additionally", "Getty Images", "RFI Follow", "Putin", "Li"):
        assert bad not in names_found, bad
    assert ("Kiev", "PER") not in by_name and ("Kyiv", "PER") not in by_name


def test_seed_putin_in_every_spelling_is_one_entity(seed_index: tuple[EntityIndex, list[list[Mention]]]) -> None:
    index, resolved = seed_index
    putin = index.lookup("Vladimir Putin")
    assert putin is not None
    spellings = {m.text for ms in resolved for m in ms if m.entity_id == putin.id}
    assert {"Putin", "Vladimir Putin", "Vladimir Poutine", "Владимир Путин", "Путин"} <= spellings
    assert set(putin.variants["Владимир Путин"]) == {"ru"}
    assert putin.article_count == 3
    li = index.lookup("Li Shangfu")
    assert li is not None and {"Li", "Li Shangfu", "Ли Шанфу"} <= {
        m.text for ms in resolved for m in ms if m.entity_id == li.id}
    burns = index.lookup("William Burns")
    assert burns is not None and "Williams Burns" in burns.variants


def test_acronym_spelled_out_in_the_article() -> None:
    ms = _ms(("Bank for International Settlements", "ORG"), ("BIS", "ORG"))
    assert _canon(ms) == ["Bank for International Settlements"] * 2
    index = EntityIndex()
    first = index.add_article("a", ms)
    later = index.add_article("b", _ms(("BIS", "ORG")))
    assert later[0].entity_id == first[0].entity_id
