"""Personal data typed by workers is masked before it is stored, logged or sent on."""

from __future__ import annotations

import pytest
import spacy

from api.privacy import (
    EMAIL,
    FNR,
    NAME,
    NUMBER,
    PHONE,
    Masker,
    NameLexicon,
    any_of,
    is_national_id,
    spacy_name_finder,
)
from api.settings import Settings

VALID_FNR = "15076500565"  # a synthetic fødselsnummer with correct check digits
VALID_DNR = "55076510007"  # a synthetic D-number (day + 40)


@pytest.fixture(scope="module")
def masker() -> Masker:
    """As the gateway wires it: the NER and the name lists."""
    names = NameLexicon.load(Settings().names_file)
    return Masker(any_of(spacy_name_finder(spacy.load("nb_rop_core")), names.find))


def test_check_digits_decide_what_is_a_national_id() -> None:
    assert is_national_id(VALID_FNR) and is_national_id(VALID_DNR)
    assert not is_national_id(VALID_FNR[:-1] + "6")  # wrong second check digit
    assert not is_national_id("12345678901")


@pytest.mark.parametrize(
    "typed",
    [f"fnr {VALID_FNR} har IP", f"fnr {VALID_FNR[:6]} {VALID_FNR[6:]} har IP", f"fnr {VALID_FNR[:6]}-{VALID_FNR[6:]}"],
)
def test_fodselsnummer_written_in_any_grouping_is_masked(typed: str) -> None:
    masked = Masker().mask(typed)
    assert FNR in masked and "00565" not in masked


def test_d_number_is_masked_as_a_national_id() -> None:
    assert Masker().mask(f"D-nummer {VALID_DNR}") == f"D-nummer {FNR}"


def test_eleven_digits_with_wrong_check_digits_are_masked_as_a_number() -> None:
    assert Masker().mask("kontonr 12345678901") == f"kontonr {NUMBER}"


@pytest.mark.parametrize("phone", ["91234567", "912 34 567", "91 23 45 67", "+47 912 34 567", "0047 22334455"])
def test_norwegian_phone_numbers_are_masked(phone: str) -> None:
    assert Masker().mask(f"ring meg på {phone} i dag") == f"ring meg på {PHONE} i dag"


def test_short_numbers_years_and_doses_are_left_alone() -> None:
    text = "mann på 45 år, drukket i 20 år, hovedforløp 3, ring 113 eller 116 117"
    assert Masker().mask(text) == text


def test_email_addresses_are_masked() -> None:
    assert Masker().mask("send til kari.nordmann@bergen.kommune.no nå") == f"send til {EMAIL} nå"


def test_person_names_are_masked_by_the_norwegian_ner(masker: Masker) -> None:
    masked = masker.mask("Brukeren min Per Hansen har schizofreni, og Kari er søsteren hans")
    assert "Per" not in masked and "Hansen" not in masked and "Kari" not in masked
    assert masked.count(NAME) == 2 and "schizofreni" in masked


def test_services_and_places_are_not_taken_for_names(masker: Masker) -> None:
    text = "Hvem har ansvar for IP når DPS og NAV i Bergen kommune er inne?"
    assert masker.mask(text) == text


def test_everything_at_once(masker: Masker) -> None:
    masked = masker.mask(f"Ola Nordmann ({VALID_FNR}), tlf 41234567, ola@example.no")
    assert masked == f"{NAME} ({FNR}), tlf {PHONE}, {EMAIL}"


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("brukeren per hansen har IP", f"brukeren {NAME} har IP"),
        ("kari nordmann trenger bolig", f"{NAME} trenger bolig"),
        ("kari anne hansen flytter", f"{NAME} flytter"),
        ("tor olsen, 45 år, ruser seg", f"{NAME}, 45 år, ruser seg"),
        ("han heter kjetil og bruker amfetamin", f"han heter {NAME} og bruker amfetamin"),
        ("pasienten heiter ingrid", f"pasienten heiter {NAME}"),
    ],
)
def test_person_names_typed_in_lower_case_are_masked_too(masker: Masker, typed: str, masked: str) -> None:
    assert masker.mask(typed) == masked


@pytest.mark.parametrize(
    "text",
    [
        "to ganger per uke, tre timer per dag",
        "en gang per måned per pasient",
        "liv og helse i kommunen",
        "hva heter du",
        "hva heter lederen for psykisk helse i kommunen",
    ],
)
def test_ordinary_words_that_are_also_names_are_not_masked(masker: Masker, text: str) -> None:
    assert masker.mask(text) == text


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("hei, det e Tone frå rustenesta", f"hei, det e {NAME} frå rustenesta"),
        ("hei, det er Tone fra rustjenesten", f"hei, det er {NAME} fra rustjenesten"),
        ("Dette er Per på NAV-kontoret", f"Dette er {NAME} på NAV-kontoret"),
        ("jeg er Bjørn og jobber i kommunen", f"jeg er {NAME} og jobber i kommunen"),
    ],
)
def test_a_worker_introducing_herself_by_a_name_that_is_also_a_word_is_masked(
    masker: Masker, typed: str, masked: str
) -> None:
    """'Tone' and 'Per' are ordinary words too; after 'det e'/'dette er' and capitalised, they are names."""
    assert masker.mask(typed) == masked


@pytest.mark.parametrize(
    "text",
    [
        "det er viktig at DPS er med",
        "Det er DPS som har ansvaret",
        "jeg er sykepleier i kommunen",
        "Jeg er NAV-veileder og har en bruker",
        "her er per uke",
    ],
)
def test_ordinary_words_after_det_er_or_jeg_er_are_not_masked(masker: Masker, text: str) -> None:
    assert masker.mask(text) == text
