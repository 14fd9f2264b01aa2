"""Personal data must not slip past masking because of how it is written: lower case, after a
preposition or a relative, hyphenated, without æøå, with an age, in nynorsk or dialect. Minimal
pairs differ only in what must not matter; ordinary words that look like names stay.
All names and numbers here are made up (the identity numbers have valid check digits)."""

from __future__ import annotations

import pytest
import spacy

from api.privacy import ADDRESS, FNR, NAME, PHONE, Masker, NameLexicon, any_of, spacy_name_finder
from api.settings import Settings

D_NUMBER = "41017010083"  # day 01 + 40: a D-number


@pytest.fixture(scope="module")
def masker() -> Masker:
    """As the gateway wires it: the NER and the name lists."""
    names = NameLexicon.load(Settings().names_file)
    return Masker(any_of(spacy_name_finder(spacy.load("nb_rop_core")), names.find))


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("jeg snakket med torunn om saken", f"jeg snakket med {NAME} om saken"),
        ("jeg snakket med Torunn om saken", f"jeg snakket med {NAME} om saken"),
        ("han bor hos sigrid nå", f"han bor hos {NAME} nå"),
        ("ho bur hjå sigrid no", f"ho bur hjå {NAME} no"),
        ("vi sendte brevet til henning solberg", f"vi sendte brevet til {NAME}"),
    ],
)
def test_lower_case_name_after_a_preposition_is_masked(masker: Masker, typed: str, masked: str) -> None:
    assert masker.mask(typed) == masked


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("moren hans, Gunvor, ringte i går", f"moren hans, {NAME}, ringte i går"),
        ("moren hennes, gunvor, ringte i går", f"moren hennes, {NAME}, ringte i går"),
        ("mora hennar, mildrid, ringte i går", f"mora hennar, {NAME}, ringte i går"),
        ("kona til trond ringte i går", f"kona til {NAME} ringte i går"),
        ("mannen til per ringte i går", f"mannen til {NAME} ringte i går"),
        ("sønnen hennes vetle ringte i går", f"sønnen hennes {NAME} ringte i går"),
        ("sonen hass, torstein, ringte i går", f"sonen hass, {NAME}, ringte i går"),
        ("dattera mi sigrun ringte i går", f"dattera mi {NAME} ringte i går"),
    ],
)
def test_name_after_a_relative_is_masked_in_any_dialect(masker: Masker, typed: str, masked: str) -> None:
    assert masker.mask(typed) == masked


@pytest.mark.parametrize(
    "typed",
    ["Marit-Helene har IP", "marit-helene har IP", "Strand-Olsen har IP", "marit-helene strand-olsen har IP"],
)
def test_hyphenated_names_are_masked_whole(masker: Masker, typed: str) -> None:
    assert masker.mask(typed) == f"{NAME} har IP"


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("bjørn haugland er innlagt", f"{NAME} er innlagt"),
        ("bjorn haugland er innlagt", f"{NAME} er innlagt"),
        ("søren (52) er innlagt", f"{NAME} (52) er innlagt"),
        ("soren (52) er innlagt", f"{NAME} (52) er innlagt"),
        ("øyvind, 38 år, er innlagt", f"{NAME}, 38 år, er innlagt"),
        ("oyvind, 38 år, er innlagt", f"{NAME}, 38 år, er innlagt"),
    ],
)
def test_names_typed_without_special_letters_are_masked_alike(masker: Masker, typed: str, masked: str) -> None:
    assert masker.mask(typed) == masked


@pytest.mark.parametrize(
    "typed",
    [D_NUMBER, f"{D_NUMBER[:6]} {D_NUMBER[6:]}", f"{D_NUMBER[:6]}.{D_NUMBER[6:]}", "4101 70 100 83", "41.01.70 10083"],
)
def test_d_number_in_any_grouping_is_masked(typed: str) -> None:
    assert Masker().mask(f"d-nr {typed} er registrert") == f"d-nr {FNR} er registrert"


@pytest.mark.parametrize(
    "phone", ["+47 915 23 871", "+47 91 52 38 71", "+4791523871", "(+47) 915 23 871", "915 238 71"]
)
def test_phone_numbers_with_country_code_or_any_grouping_are_masked(phone: str) -> None:
    assert Masker().mask(f"ring {phone} etter kl 16") == f"ring {PHONE} etter kl 16"


@pytest.mark.parametrize(
    "typed",
    ["han bor i Storgata 14 B", "han bor i storgata 14b", "han bor i Kongens gate 3", "han bor i fjellveien 22"],
)
def test_street_addresses_are_masked(typed: str) -> None:
    assert Masker().mask(typed) == f"han bor i {ADDRESS}"


@pytest.mark.parametrize(
    "text",
    [
        "møtet er 21.02.2024 kl 10, frist 01.02.2024",
        "kostnad 25 000 000 kroner",
        "to ganger per dag i mai, tre timer per uke",
        "vi ses per e-post eller per telefon",
        "snakket med faren hans per telefon",
        "hun er frank om rusbruken og trenger sol og frisk luft",
        "han har hatt et tøft liv, og livet hans er vanskelig",
        "sønnen hennes ringde i går og kona hans drikk mykje",
        "moren hans, som er 70, hjelper til",
        "Gutt (16) med angst, mannen (52) har IP",
        "han trener på arbeidsplass 2 dager i uka og går i gata 3 ganger om dagen",
        "fastlegen, NAV, DPS, TSB, ACT og FACT er inne",
        "pasienten kommer fra Oslo til Bergen i juni",
    ],
)
def test_ordinary_words_that_look_like_names_or_numbers_stay(masker: Masker, text: str) -> None:
    assert masker.mask(text) == text
