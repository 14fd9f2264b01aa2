"""A described person gets a pathway, who leads, what else to do and why, or the questions
that must be answered first; nothing is guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import load_knowledge_base
from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.referral_rules import load_referral_rules
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def referral() -> ReferralEngine:
    return create_referral_engine(KnowledgeSettings())


@pytest.mark.parametrize(
    ("description", "pathway"),
    [
        ("Kvinne som har drukket mer de siste ukene etter skilsmissen, litt nedfor, men fungerer godt i jobben.", 1),
        ("Mann som har røykt hasj i helgene i mange år, jobber fast og har det greit.", 2),
        ("Ung mann som fikk sin første psykose for tre uker siden etter mye amfetamin.", 2),
        ("Har hatt schizofreni i femten år og injiserer heroin daglig.", 3),
        ("Ho har hatt bipolar liding sidan ungdomen og drikk tungt i periodar.", 3),
    ],
)
def test_severity_and_duration_in_the_text_give_the_pathway(
    referral: ReferralEngine, description: str, pathway: int
) -> None:
    result = referral.suggest(description)
    assert result.pathway == pathway
    assert not result.missing and not result.urgent


def test_pathway_three_means_both_lead_together_and_cites_the_guideline(referral: ReferralEngine) -> None:
    result = referral.suggest("Har hatt schizofreni i femten år og injiserer heroin daglig.")
    assert "samtidig" in result.lead
    assert result.sources[0].passage_id.startswith("sm:")
    assert "Hovedforløp 3" in result.sources[0].quote or "Forløp 3" in result.sources[0].quote
    assert "kommunen" in result.actors and any("DPS" in a for a in result.actors)


def test_what_the_text_does_not_say_is_asked_not_guessed(referral: ReferralEngine) -> None:
    result = referral.suggest("Bruker med mye angst og cannabis.")
    assert result.pathway is None
    assert result.severity == "moderate" and result.missing == ["duration"]
    assert result.questions[0].slot == "duration" and set(result.questions[0].options) == {"short", "long"}


def test_answers_given_by_the_user_win_over_the_text(referral: ReferralEngine) -> None:
    result = referral.suggest("Bruker med angst og cannabis.", severity="severe", duration="long")
    assert result.pathway == 3 and result.missing == []


def test_negated_diagnosis_does_not_count(referral: ReferralEngine) -> None:
    result = referral.suggest("Han er ikke psykotisk, men har drukket litt for mye de siste ukene og er litt nedfor.")
    assert result.severity == "mild" and result.pathway == 1


@pytest.mark.parametrize(
    ("description", "recommendation"),
    [
        ("Sonar ein lang dom, har brukt heroin sidan ungdomen.", "kriminalomsorg"),
        ("Skal skrives ut fra døgnbehandling i TSB neste uke, drukket i mange år.", "utskrivning"),
        ("Har to barn på 4 og 7 og har drukket daglig i ti år.", "barn_som_parorende"),
        ("Mistet jobben og har stor gjeld, drikker mye.", "nav"),
        ("Møter aldri opp til timer på DPS, schizofreni i mange år.", "act"),
        ("Har gjort flere selvmordsforsøk tidligere, bipolar lidelse i mange år.", "kriseplan"),
        ("Bostedsløs, klarer ikke å ta vare på seg selv, psykose og amfetamin i mange år.", "samhandlingsteam"),
    ],
)
def test_extra_recommendation_appears_with_its_quoted_source(
    referral: ReferralEngine, description: str, recommendation: str
) -> None:
    result = referral.suggest(description)
    found = {r.id: r for r in result.recommendations}
    assert recommendation in found, sorted(found)
    source = found[recommendation].source
    passages = {p.id: p.text for p in load_knowledge_base(KnowledgeSettings()).passages}
    assert source.quote in passages[source.passage_id]


def test_no_children_means_no_children_recommendation(referral: ReferralEngine) -> None:
    result = referral.suggest("Har ingen barn, har drukket daglig i ti år.")
    assert "barn_som_parorende" not in {r.id for r in result.recommendations}


def test_description_of_an_emergency_is_urgent_and_says_113(referral: ReferralEngine) -> None:
    result = referral.suggest("Han har schizofreni og sier nå at han skal ta livet sitt i kveld.")
    assert result.urgent and result.crisis is not None and result.crisis.kind == "suicide"
    assert "113" in result.lead


def test_substances_and_diagnoses_are_listed_so_the_worker_can_check(referral: ReferralEngine) -> None:
    result = referral.suggest("Ho har bipolar liding og brukar amfetamin og alkohol dagleg sidan ungdomen.")
    assert {"amfetamin", "alkohol"} <= set(result.substances)
    assert "bipolar lidelse" in result.diagnoses


def test_rule_citing_a_missing_topic_stops_loading(tmp_path: Path) -> None:
    settings = KnowledgeSettings()
    base = load_knowledge_base(settings)
    path = tmp_path / "referral.yml"
    path.write_text(
        settings.referral_file.read_text(encoding="utf-8").replace("topic: kriseplan", "topic: finnes-ikke"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="finnes-ikke"):
        load_referral_rules(path, base.topics, set(base.services))


def test_pathway_table_must_cover_every_severity_and_duration(tmp_path: Path) -> None:
    settings = KnowledgeSettings()
    base = load_knowledge_base(settings)
    path = tmp_path / "referral.yml"
    text = settings.referral_file.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    severity: [severe]\n    duration: [long]", "    severity: [severe]\n    duration: []")
    )
    with pytest.raises(ValueError, match="every severity"):
        load_referral_rules(path, base.topics, set(base.services))
