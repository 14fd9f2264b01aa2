"""Severity and duration are read the way a clinician reads them: from ages and years, everyday
function and the course, in dialect and nynorsk too. What must not matter (han/hun, a name, an
age, a spelling) does not change the reading; what matters (weeks or years) does."""

from __future__ import annotations

import pytest

from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def referral() -> ReferralEngine:
    return create_referral_engine(KnowledgeSettings())


def _reading(referral: ReferralEngine, description: str) -> tuple[str | None, str | None]:
    result = referral.suggest(description)
    return result.severity, result.duration


@pytest.mark.parametrize(
    ("description", "duration"),
    [
        ("Ho byrja å drikke da ho va 19, no e ho 44 og har mista jobben.", "long"),
        ("Han har røykt hasj fra han gikk på ungdomsskolen og bor nå hos mora.", "long"),
        ("Angsten har fulgt henne gjennom hele arbeidslivet, men hun er i jobb.", "long"),
        ("Depresjonene kommer og går, og han er sykmeldt i perioder.", "long"),
        ("Han har vært inn og ut av DPS og TSB og bor nå i bemannet bolig.", "long"),
        ("Ho har drukke meir dei siste par vekene etter at faren døydde, men er i jobb.", "short"),
        ("Han var nedfor etter bruddet, men det gikk over etter et par uker, og han er i jobb som før.", "short"),
    ],
)
def test_duration_is_read_from_ages_years_and_course(referral: ReferralEngine, description: str, duration: str) -> None:
    assert referral.suggest(description).duration == duration


@pytest.mark.parametrize(
    ("description", "severity"),
    [
        ("Han klarar ikkje å handle sjølv lenger og heimetenesta kjem med mat, sia han va ung.", "severe"),
        ("Hun står i fare for å miste leiligheten og har ligget i senga i flere dager, siden i vinter.", "severe"),
        ("Han fungerer i jobben og trener som før, men drikker en del i helgene de siste månedene.", "mild"),
        ("Jenta går på skolen som vanlig, men har røykt hasj på fester siden i høst.", "mild"),
    ],
)
def test_severity_is_read_from_everyday_function(referral: ReferralEngine, description: str, severity: str) -> None:
    assert referral.suggest(description).severity == severity


def test_tvangstanker_is_not_coercion(referral: ReferralEngine) -> None:
    result = referral.suggest("Ho har hatt tvangstankar sidan ho var lita, men har fast jobb og klarer seg bra.")
    assert (result.severity, result.duration, result.pathway) == ("mild", "long", 2)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # han / hun
            "Han har drukket tett siden han var 17 og har mistet leiligheten to ganger.",
            "Hun har drukket tett siden hun var 17 og har mistet leiligheten to ganger.",
        ),
        (  # a name
            "Ola har ikke klart å handle selv de siste ukene og ligger mest i senga.",
            "Fatima har ikke klart å handle selv de siste ukene og ligger mest i senga.",
        ),
        (  # an age that leaves the duration the same
            "Mann på 34 som har brukt amfetamin i mange år, bor på hospits og klarer ikke å betale noe.",
            "Mann på 58 som har brukt amfetamin i mange år, bor på hospits og klarer ikke å betale noe.",
        ),
        (  # bokmål / nynorsk
            "Hun har ikke vært på jobb siden påske og ligger mest i senga, mannen sier hun drikker hver dag.",
            "Ho har ikkje vore på jobb sidan påske og ligg mest i senga, mannen seier ho drikk kvar dag.",
        ),
        (  # dialect spelling and missing æøå
            "Hun har slitt med angst i hele voksenlivet, men er i full jobb og har det greit.",
            "Hu har slitt med angst i heile voksenlivet, men e i full jobb og har det greit.",
        ),
        (
            "Han har drukket i mange år og klarer ikke lenger å ta vare på seg selv.",
            "Han har drukket i mange aar og klarer ikkje lenger aa ta vare paa seg sjol.",
        ),
    ],
)
def test_what_must_not_matter_gives_the_same_reading(referral: ReferralEngine, first: str, second: str) -> None:
    reading = _reading(referral, first)
    assert None not in reading
    assert _reading(referral, second) == reading


@pytest.mark.parametrize(
    ("weeks", "years"),
    [
        (
            "Hun har drukket mye de siste ukene og er sykmeldt, men tar seg av barna.",
            "Hun har drukket mye de siste årene og er sykmeldt, men tar seg av barna.",
        ),
        (
            "Ho har ikkje klart å handle sjølv sidan for tre veker sidan, og heimetenesta kjem med mat.",
            "Ho har ikkje klart å handle sjølv sidan for tre år sidan, og heimetenesta kjem med mat.",
        ),
    ],
)
def test_weeks_or_years_changes_the_duration_and_pathway(referral: ReferralEngine, weeks: str, years: str) -> None:
    short, long = referral.suggest(weeks), referral.suggest(years)
    assert (short.duration, long.duration) == ("short", "long")
    assert short.severity == long.severity and short.pathway != long.pathway


@pytest.mark.parametrize(
    ("description", "missing"),
    [
        ("Bruker med schizofreni som bruker amfetamin.", ["duration"]),
        ("Har en mann på 40 som drikker, hva gjør jeg?", ["severity", "duration"]),
        ("Kvinne henvist fra fastlegen for rus og psykiske plager, vi har ikke møtt henne ennå.", ["duration"]),
    ],
)
def test_a_description_that_does_not_say_is_asked_not_read_between_the_lines(
    referral: ReferralEngine, description: str, missing: list[str]
) -> None:
    result = referral.suggest(description)
    assert set(missing) <= set(result.missing) and result.pathway is None
