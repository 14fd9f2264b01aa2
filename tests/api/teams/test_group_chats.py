"""Group chats and channels: each user's conversation is their own. The group sees the bot's
answers to what was asked there, but an advisor's words reach only the user who asked, in their
1:1 chat with the bot (opened through the emulated connector, devstack/bot_connector.py).
Rasa is down here, so the advisor button opens a case directly."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.conversation import UNAVAILABLE
from api.teams.bot import PRIVATE_REPLY
from contract.nynorsk import localized
from devstack.bot_connector import BotConnectorCloud
from tests.api.teams.test_bot import advisor_id, send

GROUP = "message_group_chat"
OLA = {
    "id": "29:1Zy8wQ2eR4tU6iO8pA0sD2fG4hJ6kL8zX0cV2bN4mQ6wE8rT0yU2iO4pA6sD8fG0",
    "name": "Ola Nordmann",
    "aadObjectId": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
}


def said_in(cloud: BotConnectorCloud, conversation_id: str, since: int = 0) -> list[str]:
    return [s.activity.get("text", "") for s in cloud.messages(since) if s.conversation_id == conversation_id]


def run(client: TestClient, work: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Call the app's own coroutine (the escalation's) in its event loop."""
    assert client.portal is not None
    return client.portal.call(work, *args)


@pytest.fixture
def advisor(client: TestClient) -> int:
    return advisor_id(client)


def reply_as_advisor(client: TestClient, advisor: int, case: Any, text: str) -> None:
    run(client, client.app.state.escalation.reply, case, text, advisor)  # type: ignore[attr-defined]


def test_group_chat_a_and_b_each_ask_for_an_advisor_and_only_a_gets_the_reply_to_a_in_a_private_chat(
    client: TestClient, cloud: BotConnectorCloud, advisor: int
) -> None:
    kari = cloud.activity(GROUP)
    ola = cloud.activity(GROUP, id="1763626371000", **{"from": OLA})
    group = kari["conversation"]["id"]
    for activity in (kari, ola):
        assert send(client, cloud, activity).status_code == 200
    assert said_in(cloud, group) == [PRIVATE_REPLY, PRIVATE_REPLY]  # no case number or anything else of theirs

    cases = client.app.state.cases  # type: ignore[attr-defined]
    case_a, case_b = cases.list()
    assert case_a.sender != case_b.sender
    stored = json.dumps(case_a.conversation)
    assert kari["from"]["id"] in stored  # Teams needs it to open the private chat
    assert kari["from"]["name"] not in stored and kari["from"]["aadObjectId"] not in stored

    since = len(cloud.sent)
    reply_as_advisor(client, advisor, case_a, "Hei Kari, jeg er rådgiver.")
    kari_private, ola_private = cloud.private_chat(kari["from"]["id"]), cloud.private_chat(OLA["id"])
    assert said_in(cloud, kari_private, since) == ["Hei Kari, jeg er rådgiver."]
    assert said_in(cloud, group, since) == [] and said_in(cloud, ola_private) == []
    (opened,) = cloud.created
    assert opened["members"] == [{"id": kari["from"]["id"]}] and opened["isGroup"] is False

    run(client, client.app.state.escalation.close, cases.get(case_a.id))  # type: ignore[attr-defined]
    assert "avsluttet saken" in said_in(cloud, kari_private, since)[-1]
    assert said_in(cloud, group, since) == [] and said_in(cloud, ola_private) == []

    case_b = cases.get(case_b.id)
    assert case_b.status == "waiting" and "advisor" not in [m.role for m in case_b.messages]


def test_group_chat_the_private_chat_notice_is_in_nynorsk_for_a_nynorsk_writer(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    send(
        client,
        cloud,
        cloud.activity(GROUP, text="Kven har ansvaret for individuell plan? Eg veit ikkje kva eg skal gjere."),
    )
    send(client, cloud, cloud.activity(GROUP, id="1763626380000"))
    unavailable, notice = said_in(cloud, cloud.activity(GROUP)["conversation"]["id"])
    assert unavailable == localized(UNAVAILABLE, "nn") != UNAVAILABLE
    assert notice == localized(PRIVATE_REPLY, "nn") != PRIVATE_REPLY


def test_channel_thread_reply_is_answered_in_that_thread(client: TestClient, cloud: BotConnectorCloud) -> None:
    in_thread = cloud.activity("message_channel_mention", id="1763626299999")  # a reply under post 1763626202555
    send(client, cloud, in_thread)
    typing, answer = cloud.wait_for(2)
    assert answer.activity["text"] == UNAVAILABLE
    for sent in (typing, answer):
        assert sent.conversation_id == in_thread["conversation"]["id"]  # "...;messageid=1763626202555"
        assert sent.reply_to == "1763626299999"


def test_channel_thread_advisor_request_is_noticed_in_the_thread_and_answered_in_private(
    client: TestClient, cloud: BotConnectorCloud, advisor: int
) -> None:
    asked = cloud.activity("message_channel_mention", text="<at>ROP-veiviser</at> /request_advisor")
    send(client, cloud, asked)
    assert said_in(cloud, asked["conversation"]["id"]) == [PRIVATE_REPLY]
    (case,) = client.app.state.cases.list()  # type: ignore[attr-defined]
    since = len(cloud.sent)
    reply_as_advisor(client, advisor, case, "Hei Ola.")
    (private,) = cloud.messages(since)
    assert (private.conversation_id, private.reply_to) == (cloud.private_chat(OLA["id"]), None)


def test_personal_chat_advisor_reply_stays_in_the_chat_without_opening_another(
    client: TestClient, cloud: BotConnectorCloud, advisor: int
) -> None:
    click = cloud.activity("message_back_click")
    send(client, cloud, click)
    assert PRIVATE_REPLY not in said_in(cloud, click["conversation"]["id"])
    (case,) = client.app.state.cases.list()  # type: ignore[attr-defined]
    assert "user" not in case.conversation
    since = len(cloud.sent)
    reply_as_advisor(client, advisor, case, "Svar i samme chat")
    assert said_in(cloud, click["conversation"]["id"], since) == ["Svar i samme chat"]
    assert cloud.created == []


def test_group_chat_connector_refusing_the_private_chat_is_logged_and_the_reply_stays_in_the_case(
    client: TestClient, cloud: BotConnectorCloud, advisor: int, caplog: pytest.LogCaptureFixture
) -> None:
    kari = cloud.activity(GROUP)
    send(client, cloud, kari)
    cases = client.app.state.cases  # type: ignore[attr-defined]
    (case,) = cases.list()
    since = len(cloud.sent)
    cloud.fail_next.append(403)  # e.g. the app is not installed for the user's personal scope
    with caplog.at_level(logging.WARNING, logger="api.teams.bot"):
        reply_as_advisor(client, advisor, case, "Svar som ikke kom fram")
    assert cloud.messages(since) == [] and cloud.created == []
    assert f"case {case.id} not delivered to Teams: conversation not opened: connector answered 403" in caplog.text
    assert [m.text for m in cases.get(case.id).messages][-1] == "Svar som ikke kom fram"
    reply_as_advisor(client, advisor, case, "Nytt forsøk")  # the connector accepts again: nothing was left broken
    assert said_in(cloud, cloud.private_chat(kari["from"]["id"]), since) == ["Nytt forsøk"]


def private_message(cloud: BotConnectorCloud, user: dict[str, str], text: str, **changes: Any) -> dict[str, Any]:
    """What `user` types in their 1:1 chat with the bot (the chat the advisor's replies open)."""
    activity = cloud.activity("message_personal", text=text, **{"from": user}, **changes)
    activity["conversation"] = {**activity["conversation"], "id": cloud.private_chat(user["id"])}
    return activity


def group_case(client: TestClient, cloud: BotConnectorCloud) -> tuple[dict[str, Any], Any]:
    """Kari asks for an advisor in the group chat: her (only) case."""
    kari = cloud.activity(GROUP)
    send(client, cloud, kari)
    (case,) = client.app.state.cases.list()  # type: ignore[attr-defined]
    return kari, case


def console_lines(client: TestClient, case_id: int) -> list[tuple[str, str]]:
    """The case's transcript as an advisor's console reads it."""
    _, token = client.app.state.advisors.add("per")  # type: ignore[attr-defined]
    response = client.get(f"/api/advisor/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    return [(line["role"], line["text"]) for line in response.json()["messages"]]


def test_group_case_a_answers_in_her_private_chat_and_it_reaches_her_case_not_the_group_or_the_bot(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    kari, case = group_case(client, cloud)
    since = len(cloud.sent)
    send(client, cloud, private_message(cloud, kari["from"], "Takk. Det gjelder en bruker på avrusning."))

    assert console_lines(client, case.id)[-1] == ("worker", "Takk. Det gjelder en bruker på avrusning.")
    (ack,) = said_in(cloud, cloud.private_chat(kari["from"]["id"]), since)
    assert ack.startswith("Meldingen er lagt til saken din.")  # the case's answer, not Rasa's (down here)
    assert said_in(cloud, kari["conversation"]["id"], since) == []
    assert len(client.app.state.cases.list()) == 1  # type: ignore[attr-defined]


def test_group_case_b_in_his_own_private_chat_or_in_hers_does_not_reach_a_case(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    kari, case = group_case(client, cloud)
    before = console_lines(client, case.id)
    ola_own = private_message(cloud, OLA, "Hvem har ansvaret for individuell plan?", id="1763626390000")
    ola_in_karis = {
        **ola_own,
        "conversation": {**ola_own["conversation"], "id": cloud.private_chat(kari["from"]["id"])},
    }
    for activity in (ola_own, ola_in_karis):
        since = len(cloud.sent)
        send(client, cloud, activity)
        assert said_in(cloud, activity["conversation"]["id"], since) == [UNAVAILABLE]  # the bot's, Rasa being down

    assert client.app.state.cases.get(case.id).messages[-1].text == before[-1][1]  # type: ignore[attr-defined]
    cases = client.app.state.cases  # type: ignore[attr-defined]
    assert cases.active_for_user("teams", kari["from"]["id"], "another-tenant") is None
    assert cases.active_for_user("teams", kari["from"]["id"], kari["conversation"]["tenantId"]).id == case.id


def test_group_case_closed_then_her_private_chat_message_goes_to_the_bot_again(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    kari, case = group_case(client, cloud)
    run(client, client.app.state.escalation.close, case)  # type: ignore[attr-defined]
    closed = [m.text for m in client.app.state.cases.get(case.id).messages]  # type: ignore[attr-defined]
    since = len(cloud.sent)
    send(client, cloud, private_message(cloud, kari["from"], "Hvem har ansvaret for individuell plan?"))

    assert said_in(cloud, cloud.private_chat(kari["from"]["id"]), since) == [UNAVAILABLE]
    assert [m.text for m in client.app.state.cases.get(case.id).messages] == closed  # type: ignore[attr-defined]


def test_group_case_emergency_in_her_private_chat_gets_113_first_and_reaches_her_case(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    kari, case = group_case(client, cloud)
    since = len(cloud.sent)
    send(client, cloud, private_message(cloud, kari["from"], "Han har tatt en overdose og puster ikke"))

    first, *_ = [
        s.activity for s in cloud.messages(since) if s.conversation_id == cloud.private_chat(kari["from"]["id"])
    ]
    card = json.dumps(first, ensure_ascii=False)  # a card: the advisor button comes with it
    assert "113" in card and "116 117" in card
    assert console_lines(client, case.id)[-1] == ("worker", "Han har tatt en overdose og puster ikke")
    assert said_in(cloud, kari["conversation"]["id"], since) == []


def test_group_case_and_a_case_of_her_private_chat_her_private_message_goes_to_the_private_chats_case(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    click = cloud.activity("message_back_click")  # Kari asks for an advisor in her 1:1 chat first
    send(client, cloud, click)
    group_request = cloud.activity(GROUP)
    send(client, cloud, group_request)
    cases = client.app.state.cases  # type: ignore[attr-defined]
    private_case, group_case_ = cases.list()
    assert "user" in group_case_.conversation and "user" not in private_case.conversation

    mine = private_message(cloud, click["from"], "Gjelder saken fra i går.")
    send(client, cloud, {**mine, "conversation": click["conversation"]})
    assert console_lines(client, private_case.id)[-1] == ("worker", "Gjelder saken fra i går.")
    assert "Gjelder saken fra i går." not in [m.text for m in cases.get(group_case_.id).messages]
