"""Metadata from plain text: bylines, dates, datelines, captions and credits."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsweave.stages.textmeta import (
    Byline,
    author_from_bio,
    find_date,
    is_caption,
    is_credit,
    is_dateline,
    is_photo_caption,
    lead_dateline,
    parse_byline,
    parse_lead,
    word_count,
)


def utc(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Text by: RFI Follow", Byline(outlet="RFI")),
        ("Texte par : France 24 Suivre", Byline(outlet="France 24")),
        ("With our correspondent in Moscow, Julian Colling", Byline(author="Julian Colling")),
        ("Avec notre correspondante à Bordeaux, Claire Martin", Byline(author="Claire Martin")),
        ("By Tom Baker", Byline(author="Tom Baker")),
        ("By Jane Doe | Reuters", Byline(author="Jane Doe", outlet="Reuters")),
        ("Von Anna Schmidt", Byline(author="Anna Schmidt")),
        ("Por María López", Byline(author="María López")),
        ("di Marco Rossi", Byline(author="Marco Rossi")),
        ("Автор: Ольга Смирнова", Byline(author="Ольга Смирнова")),
        ("Source: CNN", Byline(outlet="CNN")),
    ],
)
def test_bylines(line: str, expected: Byline) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "By Monday, officials said the road would reopen.",
        "By the time rescuers arrived, the fire had spread.",
        "Text messages show the minister knew of the plan.",
        "Military Cooperation Between Russia and China",
        "Russian President Vladimir Putin met Li Shangfu in Moscow on Sunday.",
    ],
)
def test_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("attend a meeting in Moscow, April 16, 2023. © via REUTERS", utc(2023, 4, 16)),
        ("Friday, January 4, 2019", utc(2019, 1, 4)),
        ("à Bayonne, le 12 mars 2024. © AFP", utc(2024, 3, 12)),
        ("Frankfurt am Main, 7. März 2024", utc(2024, 3, 7)),
        ("Madrid, 14 de febrero de 2024", utc(2024, 2, 14)),
        ("Terça feira, 21 de Dezembro de 2004", utc(2004, 12, 21)),
        ("в Москве, 6 сентября 2023 года", utc(2023, 9, 6)),
        ("Genova, 20 novembre 2023", utc(2023, 11, 20)),
        ("Published 2021-06-30 10:00", utc(2021, 6, 30)),
        ("Stand: 03.10.2020", utc(2020, 10, 3)),
        ("2023年4月16日 来源：新华社", utc(2023, 4, 16)),
    ],
)
def test_find_date(text: str, expected: datetime) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["on Sunday, April 16", "in 2022", "Views:1021 11", "He arrived on the 16th.", "March 2024", ""],
)
def test_no_full_date(text: str) -> None:
    assert find_date(text) is None


def test_datelines() -> None:
    assert is_dateline("Friday, January 4, 2019")
    assert is_dateline("Terça feira, 21 de Dezembro de 2004")
    assert is_dateline("Published: April 16, 2023 at 10:32")
    assert not is_dateline("The treaty was signed on April 16, 2023 in Moscow by both ministers.")
    assert not is_dateline("Military Cooperation Between Russia and China")


def test_captions_and_credits() -> None:
    caption = (
        "Russian President Vladimir Putin, Defense Minister Sergei Shoigu and Chinese Defense "
        "Minister Li Shangfu attend a meeting in Moscow, April 16, 2023. © via REUTERS - SPUTNIK"
    )
    assert is_caption(caption) and is_credit(caption)
    assert is_credit("Image resource: ©MIKHAIL TERESHCHENKO/Sputnik/AFP via Getty Images")
    assert not is_caption("Image resource: ©MIKHAIL TERESHCHENKO/Sputnik/AFP via Getty Images")
    assert is_credit("David Becker/Getty Images")
    assert is_credit("Image: Nicholas Moreau.")
    assert is_caption("Fahrgäste warten am Hauptbahnhof auf Informationen. Foto: Boris Roessler/dpa")
    assert not is_credit("usr/src/lib/curses/screen.c")
    assert not is_caption("Li Shangfu said the ties go beyond the alliances of the Cold War era.")
    # An article whose newlines were lost, its photo caption inline: not a caption.
    flat = ("Söder: Bund und Länder tragen Corona-Regeln gemeinsam Markus Söder mit Maske - "
            "© Foto: Markus Schreiber/AP-Pool/dpa Nach viel Streit sieht Bayerns "
            "Ministerpräsident Markus Söder Bund und Länder im Kampf gegen die Corona-Krise nun "
            "auf einem gemeinsamen, guten Kurs. Die Grundregeln würden von allen mitgetragen, "
            "sagte Söder am Mittwoch nach einer Konferenz der Ministerpräsidenten in Berlin.")
    assert not is_caption(flat)
    # A report's paragraph ending with its agency or video credit is no caption either.
    assert not is_caption("The pope was walking through the square, greeting people after a "
                          "Vespers service, when he was grabbed on the arm by a woman. The pope "
                          "appeared to be slightly hurt as she pulled him towards her, and slapped "
                          "her hand when she refused to let go. Credit: Vatican TV via Storyful")
    assert is_caption("Firefighters work at the scene. The blaze started at night. © AP Photo/Ng Han Guan")


def test_author_from_bio() -> None:
    bio = "Yustika Kusuma Putri, she is social media marketer from Indonesia."
    assert author_from_bio(bio) == "Yustika Kusuma Putri"
    assert author_from_bio("Jane Doe is a reporter covering energy.") == "Jane Doe"
    assert author_from_bio("I'm passionate about staying up-to-date with the news.") is None


def test_parse_lead() -> None:
    assert parse_lead("LONDON (Reuters) - Demand hit a record on Tuesday.") == ("Reuters", None)
    assert parse_lead("Madrid, 14 de febrero de 2024 (EFE).- El Consejo aprobó") == (
        "EFE", utc(2024, 2, 14))
    assert parse_lead("Genova, 20 novembre 2023 - Le scuole resteranno chiuse") == (
        None, utc(2023, 11, 20))
    assert parse_lead("Since Moscow dispatched tens of thousands of troops in 2022 - and more") == (
        None, None)


@pytest.mark.parametrize("sentence, place, rest", [
    ("LIMA, Peru (AP) — Peruvian investigators said Monday that fog caused the crash.",
     "LIMA, Peru", "Peruvian investigators"),
    ("PORTO, Dec 31 (Reuters) - A bus crash near the city on Sunday injured 14 people.",
     "PORTO", "A bus crash"),
    ("OSLO (Reuters) - Norway and Sweden agreed on Friday to share the new power line.",
     "OSLO", "Norway and Sweden"),
    ("SALEM, Ore. –- Governor Ana Ruiz signed the water bill late on Tuesday night.",
     "SALEM, Ore.", "Governor Ana Ruiz"),
    ("WASHINGTON -- The senators and the trade envoy met for an hour on Friday.",
     "WASHINGTON", "The senators"),
    ("EUGENE, Ore. - March 3, 2009 - The county library board announced the plan.",
     "EUGENE, Ore.", "The county library"),
    ("LONDON, 5 March 2018 - The bank said on Monday it would cut 500 jobs.", "LONDON", "The bank"),
    ("Washington (CNN) — The Senate voted on Tuesday to confirm the nominee.", "Washington",
     "The Senate"),
    ("(CNN) — The Senate voted on Tuesday to confirm the nominee.", None, "The Senate"),
    ("Photo LEEDS -- At least four people were hurt when a crane toppled over.", "LEEDS",
     "At least four"),
    ("UPDATE - The company said on Monday it would cut jobs.", None, "The company"),
])
def test_lead_dateline(sentence: str, place: str | None, rest: str) -> None:
    found = lead_dateline(sentence)
    assert found is not None and found[1] == place
    assert sentence[found[0]:].startswith(rest)


@pytest.mark.parametrize("sentence", [
    "GM raises its yearly forecast after strong truck sales.",
    "NASA - the space agency - said on Monday that the launch was delayed.",
    "ACME has released a new update for its range of home routers.",
    "US officials said on Monday that they would meet again in May.",
    "NOTES: (1) The figures were revised on May 31, 2010.",
    "The president - who spoke on Monday - said the talks would go on.",
    "SEOUL - Update",
])
def test_no_lead_dateline(sentence: str) -> None:
    assert lead_dateline(sentence) is None


def test_photo_captions_in_the_body() -> None:
    assert is_photo_caption("This photo released by the regional fire service shows the site "
                            "of the blaze.")
    assert is_photo_caption("In this undated photo provided on Wednesday, March 2, 2011, by the "
                            "city council, the mayor sits at a desk.")
    assert is_photo_caption("In this March 2, 2011 photo, rescuers search the site.")
    assert is_photo_caption("These pictures show the aftermath of the storm.")
    assert not is_photo_caption("In a striking new image, the agency has captured a glacier splitting.")
    assert not is_photo_caption("An image of the suspect was released by police on Monday.")
    assert not is_photo_caption("The photos were taken by a tourist, police said.")
    assert not is_photo_caption("This is the biggest photo exhibition ever held in the city.")


def test_word_count() -> None:
    assert word_count("Li Shangfu met Putin.") == 4
    assert word_count("第四十届北京马拉松") == 4  # CJK characters count as half a word
