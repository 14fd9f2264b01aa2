"""Severity and duration are read the way a clinician reads them: from ages and years, everyday
function and the course, in dialect and nynorsk too. What must not matter (han/hun, a name, an
age, a spelling) does not change the reading; what matters (weeks or years) does."""

from __future__ import annotations

import pytest

from knowledge.base import load_knowledge_base
from knowledge.loaders import load_semantic_encoder
from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.referral_model import LevelReader, train_level_reader
from knowledge.referral_rules import ReferralRules
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


@pytest.mark.parametrize(
    ("function_kept", "function_lost"),
    [
        (
            "Hun har drukket en flaske vin hver dag i mange år, men fungerer godt på jobb og har det greit.",
            "Hun har drukket en flaske vin hver dag i mange år og klarer ikke lenger å handle eller lage mat.",
        ),
        (
            "Han røyker hasj daglig siden ungdomsskolen, men er i fast jobb og har egen leilighet.",
            "Han røyker hasj daglig siden ungdomsskolen og trenger hjelp til å handle og betale regninger.",
        ),
    ],
)
def test_function_outweighs_amount_of_use(referral: ReferralEngine, function_kept: str, function_lost: str) -> None:
    """Daily use with work and home kept is mild; the same use with daily living lost is severe."""
    assert (referral.suggest(function_kept).severity, referral.suggest(function_lost).severity) == ("mild", "severe")


def test_a_bout_that_is_over_with_function_back_is_mild_and_short(referral: ReferralEngine) -> None:
    result = referral.suggest(
        "Han fikk angstanfall og drakk mye noen helger i en tung eksamensperiode. Nå har han kommet seg "
        "og er tilbake på studiet, og han trener igjen."
    )
    assert (result.severity, result.duration, result.pathway) == ("mild", "short", 1)


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
        (  # past vs now within the episode: what she did then is as severe as what she does
            "Etter bruddet i vinter drakk hun seg full hver kveld og sluttet å spise.",
            "Etter bruddet i vinter drikker hun seg full hver kveld og har sluttet å spise.",
        ),
        (  # word order: the pronoun after the verb
            "I høst sluttet hun å spise og drakk hver dag, og hun ble innlagt en uke.",
            "I høst sluttet å spise og drakk hver dag, og hun ble innlagt en uke.",
        ),
        (  # dialect: "treng hjelp te/tel", plural in -a, "pa" for "på"
            "Han har hatt psykoser i mange år, trenger hjelp til å handle og har hatt flere innleggelser.",
            "Han har hatt psykosa i mange ar, treng hjelp tel å handle og har hatt fleire innleggelsa.",
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


@pytest.fixture(scope="module")
def reader_e5() -> LevelReader:
    settings = KnowledgeSettings()
    encoder = load_semantic_encoder(settings).encoder
    assert encoder is not None, "the e5 encoder must load in the test environment"
    return train_level_reader(settings.tuning_dir, _rules(settings).respell, encoder, settings.semantic_cache_dir)


@pytest.fixture(scope="module")
def reader_ngrams() -> LevelReader:
    settings = KnowledgeSettings()
    return train_level_reader(settings.tuning_dir, _rules(settings).respell)


def _rules(settings: KnowledgeSettings) -> ReferralRules:
    return load_knowledge_base(settings).referral


@pytest.mark.parametrize("which", ["reader_e5", "reader_ngrams"])
@pytest.mark.parametrize(
    ("weeks", "years"),
    [
        (
            "Ho har vore slik berre dei siste vekene, etter at ho flytta hit, men ho klarer jobben.",
            "Ho har vore slik heilt sidan ho var 20, og no er ho 45, men ho klarer jobben.",
        ),
        (
            "Han ble nedfor og drakk mer etter at han mistet jobben, men etter noen uker var han på beina igjen.",
            "Han har vært nedfor så lenge jeg har kjent ham, og det er mange år, men han klarer jobben.",
        ),
    ],
)
def test_the_learned_reader_tells_weeks_from_years(
    request: pytest.FixtureRequest, which: str, weeks: str, years: str
) -> None:
    reader: LevelReader = request.getfixturevalue(which)
    assert (reader.read("duration", weeks), reader.read("duration", years)) == ("short", "long")


@pytest.mark.parametrize("which", ["reader_e5", "reader_ngrams"])
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # han / hun
            "Han har ikke vært på jobb siden han var 30, og nå er han 55 og bor alene med hjelp fra kommunen.",
            "Hun har ikke vært på jobb siden hun var 30, og nå er hun 55 og bor alene med hjelp fra kommunen.",
        ),
        (  # a name
            "Kari har slitt med nervene og tatt piller helt siden ungdomstida og sitter mest hjemme nå.",
            "Amina har slitt med nervene og tatt piller helt siden ungdomstida og sitter mest hjemme nå.",
        ),
        (  # bokmål / trøndersk
            "Han har drukket tett siden han var 18 og er nå 50, kona ordner alt hjemme for ham.",
            "Hainn har drekki tett sia hainn va 18 og e no 50, kona ordne alt heime for han.",
        ),
    ],
)
def test_what_must_not_matter_does_not_move_the_learned_reading(
    request: pytest.FixtureRequest, which: str, first: str, second: str
) -> None:
    reader: LevelReader = request.getfixturevalue(which)
    reading = reader.read("duration", first)
    assert reading == "long"
    assert reader.read("duration", second) == reading


def test_without_the_encoder_the_referral_engine_still_reads_and_asks() -> None:
    referral = create_referral_engine(KnowledgeSettings(semantic_encoder="off"))
    assert referral.suggest("Har hatt schizofreni i femten år og injiserer heroin daglig.").pathway == 3
    asked = referral.suggest("Har en mann på 40 som drikker, hva gjør jeg?")
    assert asked.pathway is None and set(asked.missing) == {"severity", "duration"}
