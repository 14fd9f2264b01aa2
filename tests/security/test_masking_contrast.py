"""Masking decides by the slot a word stands in, not by its case or the pronoun around it: a name
in a name's slot is masked, an ordinary word in the same slot stays. Identity numbers, birth dates,
e-mail, phone numbers and addresses are masked however they are written, and no input is slow.
All names, numbers and addresses here are made up."""

from __future__ import annotations

import time

import pytest
import spacy

from api.privacy import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    FNR,
    NAME,
    NUMBER,
    PHONE,
    Masker,
    NameLexicon,
    any_of,
    spacy_name_finder,
)
from api.settings import Settings


@pytest.fixture(scope="module")
def names() -> NameLexicon:
    return NameLexicon.load(Settings().names_file)


@pytest.fixture(scope="module")
def masker(names: NameLexicon) -> Masker:
    """As the gateway wires it: the NER, told the everyday words, and the name lists."""
    return Masker(any_of(spacy_name_finder(spacy.load("nb_rop_core"), names), names.find))


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("skal sende henvisning til {} i morgen", ("jonas bakke", "sosialkontoret")),
        ("jeg har snakket med {} om saken", ("lars eriksen", "fastlegen")),
        ("han har time hos {} på fredag", ("marte solheim", "legen")),
        ("henvisningen kom fra {} (fastlege)", ("jonas bakke", "legevakta")),
        ("han ble hentet av {} og politiet", ("anders", "ambulansen")),
        ("sønnen hennes, {}, er 12", ("thomas", "som bur heime")),
        ("vi har en bruker som heter {}", ("bror", "noe")),
        ("{} er 23 og har angst", ("liv", "han")),
        ("{}, 50 år, har rusproblem", ("per", "mannen")),
    ],
    ids=lambda pair: pair if isinstance(pair, str) else pair[0],
)
def test_a_name_in_a_slot_is_masked_and_an_ordinary_word_there_stays(
    masker: Masker, name: str, word: tuple[str, str]
) -> None:
    person, ordinary = word
    assert masker.mask(name.format(person)) == name.format(NAME)
    assert masker.mask(name.format(ordinary)) == name.format(ordinary)


@pytest.mark.parametrize(
    "template",
    [
        "{} heter sindre kvalheim og er 45 år",
        "{} bur hjå sigrid no, ho er 70",
        "{} blir kalt kjetta av kompisene",
        "{} er 40 år, fnr 0101 7012345, hva gjør jeg?",
    ],
)
def test_han_and_hun_get_the_same_masking(masker: Masker, template: str) -> None:
    assert masker.mask(template.format("han")).removeprefix("han") == masker.mask(template.format("hun")).removeprefix(
        "hun"
    )
    assert NAME in masker.mask(template.format("han")) or FNR in masker.mask(template.format("han"))


@pytest.mark.parametrize("question", ["Kva gjer eg med ein brukar som ikkje vil ha hjelp?", "Kven har ansvaret?"])
def test_nynorsk_question_words_are_no_names(masker: Masker, question: str) -> None:
    assert masker.mask(question) == question


def test_the_guideline_title_sammen_om_mestring_is_no_name(masker: Masker) -> None:
    text = "Hva sier Sammen om mestring om kriseplan?"
    assert masker.mask(text) == text


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("K.H. er 45 år og bor alene", f"{NAME} er 45 år og bor alene"),
        ("brukeren (K. H., 45) har IP", f"brukeren ({NAME}, 45) har IP"),
        ("han går på A.A.-møter og m.m.", "han går på A.A.-møter og m.m."),
    ],
)
def test_initials_are_masked_but_not_abbreviations(masker: Masker, typed: str, masked: str) -> None:
    assert masker.mask(typed) == masked


@pytest.mark.parametrize("number", ["01 01 70 12345", "0101 7012345", "01.01.70 123 45", "010170-12345"])
def test_fodselsnummer_with_wrong_check_digits_after_fnr_is_masked(number: str) -> None:
    assert Masker().mask(f"fnr: {number}") == f"fnr: {FNR}"
    assert Masker().mask(f"personnummer {number}") == f"personnummer {FNR}"


def test_eleven_digits_that_start_with_a_birth_date_are_masked_in_any_grouping() -> None:
    assert Masker().mask("nummeret hans er 01 01 70 12345") == f"nummeret hans er {NUMBER}"
    assert Masker().mask("saksnummer 2024 1234 567") == "saksnummer 2024 1234 567"


@pytest.mark.parametrize("date", ["01.01.1970", "3/5-82", "03.05.82", "3. mai 1982", "030582"])
def test_birth_dates_are_masked(date: str) -> None:
    assert Masker().mask(f"han er født {date} og bor alene") == f"han er født {BIRTH_DATE} og bor alene"
    assert Masker().mask(f"ho er fødd {date}") == f"ho er fødd {BIRTH_DATE}"


def test_dates_that_are_no_birth_dates_stay() -> None:
    text = "møte 03.05.2024, han ble født i 1982"
    assert Masker().mask(text) == text


@pytest.mark.parametrize(
    "address", ["KARI.NORDMANN@NAV.NO", "ola_h@firma.online", "ola.nordmann(at)nav.no", "o.n@kommune.oslo.no"]
)
def test_email_in_capitals_with_any_domain_or_written_with_at_is_masked(address: str) -> None:
    assert Masker().mask(f"send til {address} i dag") == f"send til {EMAIL} i dag"


@pytest.mark.parametrize("phone", ["91.52.38.71", "915-23-871", "0047 915 23 871", "9152 3871", "22 33 44 55"])
def test_phone_numbers_in_any_grouping_are_masked(phone: str) -> None:
    assert Masker().mask(f"tlf {phone}, ring etter 12") == f"tlf {PHONE}, ring etter 12"


@pytest.mark.parametrize(
    "address", ["Øvre Slottsgate 7", "Vestre Ringvei 102 B", "hagegata 5a 0653 oslo", "kyrkjevegen 3, 6800 førde"]
)
def test_street_addresses_with_a_prefix_or_a_lower_case_place_are_masked_whole(address: str) -> None:
    assert Masker().mask(f"han bur i {address} no") == f"han bur i {ADDRESS} no"


@pytest.mark.parametrize("run", ["a" * 50_000, "1" * 50_000, "ab1" * 17_000, "a." * 25_000, "a@" * 25_000])
def test_a_50000_character_run_of_letters_or_digits_is_masked_in_well_under_a_second(run: str) -> None:
    started = time.perf_counter()
    Masker().mask(run)
    assert time.perf_counter() - started < 0.5  # the e-mail pattern alone took 8-20 s


def test_a_message_of_10000_names_is_masked_in_well_under_a_second(names: NameLexicon) -> None:
    started = time.perf_counter()
    masked = Masker(names.find).mask("ola " * 10_000)
    assert time.perf_counter() - started < 1.0  # each name scanned the whole run after it: 147 s
    assert masked == NAME + " "


@pytest.mark.parametrize("medicine", ["Antabus", "Elvanse", "Suboxone", "Seroquel"])
def test_a_capitalised_medicine_is_no_name_but_a_name_in_its_slot_is(masker: Masker, medicine: str) -> None:
    assert masker.mask(f"Kan man gi {medicine} til en som ruser seg?") == f"Kan man gi {medicine} til en som ruser seg?"
    assert masker.mask("Kan man gi Torunn Aas til en som ruser seg?") == f"Kan man gi {NAME} til en som ruser seg?"
