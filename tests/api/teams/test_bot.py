"""Teams conversations with Rasa down: polite replies in Norwegian, and a human still reachable.

The replies are read from what the emulated Bot Connector received (devstack/bot_connector.py).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from api.conversation import TOO_FAST, UNAVAILABLE
from api.teams.bot import TEXT_ONLY
from devstack.bot_connector import BotConnectorCloud


def send(client: TestClient, cloud: BotConnectorCloud, activity: dict[str, Any]) -> Any:
    return client.post("/api/messages", json=activity, headers={"Authorization": cloud.token_for(activity)})


def texts(cloud: BotConnectorCloud, since: int = 0) -> list[str]:
    return [s.activity.get("text", "") for s in cloud.messages(since)]


def test_message_while_rasa_is_down_gets_a_polite_norwegian_reply_in_the_same_thread(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    activity = cloud.activity("message_personal")
    assert send(client, cloud, activity).status_code == 200
    typing, reply = cloud.wait_for(2)
    assert typing.activity["type"] == "typing"
    assert reply.activity["text"] == UNAVAILABLE
    assert reply.reply_to == activity["id"]
    assert reply.conversation_id == activity["conversation"]["id"]
    assert reply.activity["from"]["id"] == activity["recipient"]["id"]


def test_attachment_without_text_is_asked_to_be_typed(client: TestClient, cloud: BotConnectorCloud) -> None:
    send(client, cloud, cloud.activity("message_personal", text=None))
    assert texts(cloud) == [TEXT_ONLY]


def test_huge_message_is_asked_to_be_shortened_not_sent_on(client: TestClient, cloud: BotConnectorCloud) -> None:
    send(client, cloud, cloud.activity("message_personal", text="bolig " * 2000))
    assert texts(cloud) == ["Meldingen er for lang (over 5000 tegn). Kort den ned og prøv igjen."]


def test_flood_of_messages_gets_a_wait_a_little_reply(client: TestClient, cloud: BotConnectorCloud) -> None:
    for _ in range(21):
        send(client, cloud, cloud.activity("message_personal", text="/greet"))
    assert texts(cloud)[-1] == TOO_FAST
    assert texts(cloud).count(TOO_FAST) == 1


def test_reaction_and_unknown_invoke_are_acknowledged_without_a_reply(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    assert send(client, cloud, cloud.activity("message_reaction")).status_code == 200
    response = send(client, cloud, cloud.activity("invoke_task_fetch"))
    assert response.status_code == 501  # as the Bot Framework SDK answers invokes a bot does not handle
    assert cloud.sent == []


def advisor_id(client: TestClient) -> int:
    """A registered advisor, who writes the replies."""
    advisors = client.app.state.advisors  # type: ignore[attr-defined]
    _, token = advisors.add("kari")
    return int(advisors.by_token(token).id)


def test_advisor_button_opens_a_case_when_rasa_is_down_and_advisor_replies_reach_teams(
    client: TestClient, cloud: BotConnectorCloud
) -> None:
    click = cloud.activity("message_back_click")
    assert send(client, cloud, click).status_code == 200
    assert "sendt til en rådgiver" in texts(cloud)[-1] or "Rådgiverne er på jobb" in texts(cloud)[-1]
    escalation = client.app.state.escalation  # type: ignore[attr-defined]
    cases = client.app.state.cases  # type: ignore[attr-defined]
    (case,) = cases.list()
    assert case.channel == "teams"
    assert case.sender.startswith("teams-")
    stored = json.dumps(case.conversation)
    for private in ("Kari Nordmann", click["from"]["id"], click["from"]["aadObjectId"]):
        assert private not in case.sender and private not in stored

    sent_before = len(cloud.sent)
    advisor = advisor_id(client)
    client.portal.call(escalation.reply, case, "Hei, jeg er rådgiver. Hva gjelder det?", advisor)  # type: ignore[attr-defined]
    proactive = cloud.wait_for(sent_before + 1)[-1]
    assert proactive.activity["text"] == "Hei, jeg er rådgiver. Hva gjelder det?"
    assert proactive.conversation_id == click["conversation"]["id"]
    assert proactive.reply_to is None  # a new message in the chat, not a reply to an old one

    send(client, cloud, cloud.activity("message_personal", text="Det gjelder bolig"))
    assert [m.text for m in cases.get(case.id).messages][-1] == "Det gjelder bolig"


def test_advisor_reply_is_kept_when_teams_is_unreachable(client: TestClient, cloud: BotConnectorCloud) -> None:
    send(client, cloud, cloud.activity("message_back_click"))
    cases = client.app.state.cases  # type: ignore[attr-defined]
    (case,) = cases.list()
    cloud.fail_next.extend([503])
    client.portal.call(client.app.state.escalation.reply, case, "Svar fra rådgiver", advisor_id(client))  # type: ignore[attr-defined]
    assert [m.text for m in cases.get(case.id).messages][-1] == "Svar fra rådgiver"
