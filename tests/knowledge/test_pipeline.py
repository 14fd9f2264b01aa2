"""Questions get the passage that answers them, with a confidence; other questions get no answer."""

from __future__ import annotations

import pytest

from knowledge.pipeline import KnowledgePipeline
from knowledge.safety import NO_CRISIS, Verdict


@pytest.mark.parametrize(
    ("question", "expected_words"),
    [
        ("Hvem har ansvaret for individuell plan?", "hos koordinator"),
        ("Kven har ansvaret for IP?", "hos koordinator"),
        ("Hvem skal sørge for bolig, økonomi og arbeid?", "Kommunen og NAV har i fellesskap ansvar"),
        ("Hva er hovedforløp 3?", "Hovedforløp 3 omfatter alvorlige og langvarige"),
        ("Skal det lages kriseplaner?", "kriseplaner"),
        ("Hvem har ansvar for barn som pårørende?", "Barn som pårørende"),
    ],
)
def test_question_finds_the_answering_passage_in_top_three(
    engine: KnowledgePipeline, question: str, expected_words: str
) -> None:
    answer = engine.ask(question, top_k=3)
    assert not answer.out_of_scope
    assert any(expected_words in s.text for s in answer.sources), [s.text[:60] for s in answer.sources]


def test_answer_is_the_best_sources_wording(engine: KnowledgePipeline) -> None:
    answer = engine.ask("Hvem har ansvaret for individuell plan?")
    assert answer.answer == answer.sources[0].text
    assert answer.sources[0].score >= answer.sources[-1].score
    assert 0 < answer.confidence <= 1


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("Hva blir været i Bergen i morgen?", "not_covered"),
        ("Hvordan søker jeg om foreldrepenger?", "not_covered"),
        ("Hvem vant fotballkampen i går?", "not_covered"),
        ("Oppskrift på lasagne", "not_covered"),
        ("Hva er telefonnummeret til DPS-et i Kristiansand?", "not_covered"),  # local facts
        ("Hvem leder FACT-teamet i Hammerfest?", "not_covered"),
        ("Hvor mye metadon kan jeg gi en ny pasient?", "clinical"),
        ("Hvordan trappe ned benzodiazepiner for en ROP-pasient?", "clinical"),
        ("Kan DPS stille diagnosen schizofreni på telefon?", "clinical"),
    ],
)
def test_unanswerable_questions_get_no_answer_and_say_why(
    engine: KnowledgePipeline, question: str, reason: str
) -> None:
    answer = engine.ask(question)
    assert answer.out_of_scope and answer.answer is None and answer.reason == reason


@pytest.mark.parametrize("question", ["?", "hvem hva hvor", "   ...   "])
def test_question_without_content_words_gets_no_answer(engine: KnowledgePipeline, question: str) -> None:
    answer = engine.ask(question)
    assert answer.out_of_scope and answer.sources == []


def test_top_k_limits_the_sources(engine: KnowledgePipeline) -> None:
    assert len(engine.ask("kriseplan", top_k=1).sources) == 1
    assert len(engine.ask("kriseplan", top_k=5).sources) == 5


def test_responsibility_question_gets_a_short_answer_naming_who_is_responsible(engine: KnowledgePipeline) -> None:
    answer = engine.ask("Hvem har ansvaret for individuell plan?")
    assert answer.short_answer is not None and answer.short_answer.startswith("Kommunen")
    assert "kommunen" in answer.responsible
    assert answer.quotes and answer.quotes[0] == answer.answer
    assert answer.sources[0].recommendation and "kommunen" in answer.sources[0].services


@pytest.mark.parametrize("question", ["Kven har ansvar for bustad?", "bolig ansvar kommune?"])
def test_nynorsk_and_half_sentences_reach_the_same_topic(engine: KnowledgePipeline, question: str) -> None:
    answer = engine.ask(question)
    assert answer.topic is not None and "Bolig" in answer.topic
    assert any("botilbud" in s.text for s in answer.sources)


def test_misspelt_question_is_repaired_towards_the_guidelines_words(engine: KnowledgePipeline) -> None:
    answer = engine.ask("hvem er kordinator for ip")
    assert not answer.out_of_scope
    assert any("koordinator" in s.text for s in answer.sources)


def test_a_question_about_diagnoses_in_the_guidelines_is_not_mistaken_for_clinical_advice(
    engine: KnowledgePipeline,
) -> None:
    answer = engine.ask("Kan kommunen stille diagnoser på psykiske lidelser, eller bare spesialisthelsetjenesten?")
    assert answer.reason != "clinical"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("hun har egen leilighet, hvem har ansvar for bolig?", "han har egen leilighet, hvem har ansvar for bolig?"),
        ("Per er 45 år, hvem lager individuell plan?", "Siri er 23 år, hvem lager individuell plan?"),
        ("ka skjer med IP-en når han bli innlagt", "hva skjer med IP-en når han blir innlagt"),
        ("kven lagar kriseplanen saman med brukaren", "hvem lager kriseplanen sammen med brukeren"),
    ],
)
def test_what_must_not_matter_does_not_change_the_passage(engine: KnowledgePipeline, first: str, second: str) -> None:
    """Minimal pairs: a pronoun, a name and age, dialect or nynorsk spelling."""
    assert engine.ask(first).sources[0].id == engine.ask(second).sources[0].id


@pytest.mark.parametrize(
    ("dialect", "bokmal"),
    [
        ("kæm e det som ska lag individuell plan, oss eller dæm på DPS", "hvem er det som skal lage individuell plan"),
        (
            "ka ska vi gjøre når han ikkje møter opp på timene hos dps, e det vårres ansvar å følge opp",
            "hva skal vi gjøre når han ikke møter opp på timene hos DPS, er det vårt ansvar å følge opp",
        ),
    ],
)
def test_dialect_small_words_do_not_make_a_question_look_off_topic(
    engine: KnowledgePipeline, dialect: str, bokmal: str
) -> None:
    """'kæm', 'e', 'ska', 'dæm' are 'hvem', 'er', 'skal', 'de': stop words, not words the guidelines never use."""
    answer, reference = engine.ask(dialect), engine.ask(bokmal)
    assert not answer.out_of_scope
    assert answer.sources[0].id == reference.sources[0].id
    assert engine.features(dialect)[3] <= 0.2  # the share of unknown words


def test_a_verdict_the_caller_already_has_is_used_not_decided_again(engine: KnowledgePipeline) -> None:
    question = "hvem har ansvaret for individuell plan?"
    assert engine.ask(question).emergency_hint is None
    assert engine.ask(question, verdict=Verdict("uncertain")).emergency_hint is not None
    assert engine.ask(question, verdict=NO_CRISIS).answer == engine.ask(question).answer


def test_a_clinical_question_is_refused_before_any_passage_is_searched(engine: KnowledgePipeline) -> None:
    answer = engine.ask("hvor mange mg metadon kan jeg gi ham i kveld?")
    assert answer.reason == "clinical" and answer.sources == [] and answer.confidence == 0.0


def test_with_e5_the_pipeline_reads_semantic_signals(engine: KnowledgePipeline) -> None:
    signals = engine.signals("trenger å vite kem som har ansvar for boligen når han skrives ut fra DPS")
    assert engine.semantic and signals.semantic is not None
    assert signals.semantic.scores.shape == (len(engine.passage_ids),)
    assert 0.5 < signals.semantic.example_cosine <= 1.0
