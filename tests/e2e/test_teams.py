"""Microsoft Teams against the real stack: recorded Teams activities replayed to the gateway,
signed like the Bot Connector signs them, and the replies read from the emulated connector."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import pytest

from devstack.bot_connector import BotConnectorCloud, Sent
from devstack.stack import Stack

pytestmark = pytest.mark.e2e
FNR = "15076500565"


class TeamsUser:
    """One Teams user in a fresh personal chat with the bot."""

    def __init__(self, stack: Stack, cloud: BotConnectorCloud) -> None:
        self.stack, self.cloud = stack, cloud
        self.conversation = f"a:1{secrets.token_hex(24)}"

    def send(self, fixture: str, **changes: Any) -> httpx.Response:
        """Replay a recorded activity in this chat; wait for its replies to arrive."""
        activity = self.cloud.activity(fixture, **changes)
        activity["conversation"]["id"] = self.conversation
        activity["id"] = changes.get("id", secrets.token_hex(6))
        headers = {"Authorization": self.cloud.token_for(activity)}
        return self.stack.api.post("/api/messages", json=activity, headers=headers)

    def say(self, text: str) -> list[dict[str, Any]]:
        """Type a message (or click a button, which sends its payload as text); the bot's replies."""
        since = len(self.cloud.sent)
        assert self.send("message_personal", text=text).status_code == 200
        return [s.activity for s in self.mine(since)]

    def mine(self, since: int = 0) -> list[Sent]:
        return [s for s in self.cloud.messages(since) if s.conversation_id == self.conversation]


def card(activity: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def shown(activities: list[dict[str, Any]]) -> str:
    """All text the user sees, plain or in cards."""
    parts = [a.get("text", "") for a in activities]
    parts += [b["text"] for a in activities if a.get("attachments") for b in card(a)["body"]]
    return " ".join(parts)


def buttons(activities: list[dict[str, Any]]) -> dict[str, str]:
    """Card button title -> the text Teams posts back when it is clicked."""
    return {
        action["title"]: action["data"]["msteams"]["text"]
        for a in activities
        if a.get("attachments")
        for action in card(a)["actions"]
        if action["type"] == "Action.Submit"
    }


@pytest.fixture
def user(stack: Stack, cloud: BotConnectorCloud) -> TeamsUser:
    return TeamsUser(stack, cloud)


def test_teams_install_greets_the_user_with_the_emergency_number(user: TeamsUser) -> None:
    assert user.send("conversation_update_installed").status_code == 200
    (greeting,) = user.mine()
    assert "113" in shown([greeting.activity])


def test_teams_question_gets_a_short_answer_with_sources_to_fold_out_and_teams_thumbs(user: TeamsUser) -> None:
    (answer,) = user.say("Hvem har ansvaret for individuell plan?")
    assert "koordinator" in shown([answer])
    assert answer["channelData"] == {"feedbackLoopEnabled": True}
    (sources,) = [a for a in card(answer)["actions"] if a["type"] == "Action.ShowCard"]
    assert sources["title"].startswith("Vis kilder")
    assert any("«" in block["text"] for block in sources["card"]["body"])


def test_teams_channel_message_is_read_without_the_at_mention(stack: Stack, cloud: BotConnectorCloud) -> None:
    since = len(cloud.sent)
    activity = cloud.activity("message_channel_mention")
    assert stack.api.post(
        "/api/messages", json=activity, headers={"Authorization": cloud.token_for(activity)}
    ).is_success
    replies = [s.activity for s in cloud.messages(since) if s.conversation_id == activity["conversation"]["id"]]
    assert "bolig" in shown(replies).lower()


def test_teams_thumbs_down_is_an_invoke_answered_200_then_thanked_with_an_advisor_offer(user: TeamsUser) -> None:
    user.say("Hvem har ansvaret for individuell plan?")
    since = len(user.cloud.sent)
    response = user.send("invoke_feedback")
    assert response.status_code == 200
    replies = [s.activity for s in user.mine(since)]
    assert "Takk" in shown(replies)
    assert buttons(replies) == {"Snakk med en rådgiver": "/request_advisor"}


def test_teams_referral_buttons_post_back_text_the_bot_understands(user: TeamsUser) -> None:
    asked = user.say("Jeg har en bruker med schizofreni som bruker amfetamin.")
    assert "Hvor lenge" in shown(asked)
    suggestion = user.say(buttons(asked)["Langvarige (mer enn et år)"])
    assert "hovedforløp 3" in shown(suggestion)


def test_teams_emergency_is_answered_at_once_with_113_and_legevakt(user: TeamsUser) -> None:
    replies = user.say("Han sier han skal ta livet sitt i kveld")
    assert "113" in shown(replies) and "116 117" in shown(replies)


def test_teams_hand_off_masks_the_case_relays_the_advisor_live_and_resumes_after_closing(
    user: TeamsUser, advisor: dict[str, str]
) -> None:
    user.say(f"Bruker med fødselsnummer {FNR}, Per Hansen, trenger bolig. Hvem har ansvaret?")
    handed = user.say("/request_advisor")  # the "Snakk med en rådgiver" button
    assert "Saken din (nr." in shown(handed) or "Rådgiverne er på jobb" in shown(handed)
    api = user.stack.api
    cases = api.get("/api/advisor/cases", headers=advisor).json()
    (case,) = [c for c in cases if c["channel"] == "teams" and "trenger bolig" in json.dumps(c, ensure_ascii=False)]
    transcript = json.dumps(case["messages"], ensure_ascii=False)
    assert FNR not in transcript and "Hansen" not in transcript and "[fødselsnummer]" in transcript

    since = len(user.cloud.sent)
    reply = api.post(
        f"/api/advisor/cases/{case['id']}/messages", json={"text": "Hei! NAV og kommunen."}, headers=advisor
    )
    assert reply.status_code == 200
    user.cloud.wait_for(since + 1)
    (relayed,) = user.mine(since)
    assert relayed.activity["text"] == "Hei! NAV og kommunen." and relayed.reply_to is None

    assert api.post(f"/api/advisor/cases/{case['id']}/close", headers=advisor).status_code == 200
    assert "avsluttet saken" in shown([s.activity for s in user.mine(since)])
    assert "koordinator" in shown(user.say("Hvem har ansvaret for individuell plan?"))


def test_teams_group_chat_hand_off_is_noticed_in_the_group_and_answered_in_the_users_private_chat(
    user: TeamsUser, advisor: dict[str, str]
) -> None:
    user.send("message_group_chat", text="<at>ROP-veiviser</at> Hvem har ansvaret for bolig i gruppechatten?")
    since = len(user.cloud.sent)
    assert user.send("message_group_chat", text="<at>ROP-veiviser</at> /request_advisor").status_code == 200
    handed = [s.activity for s in user.mine(since)]
    assert handed[-1]["text"] == "En rådgiver svarer deg i en privat chat med meg, ikke her."
    assert "Saken din" not in shown(handed) and "Rådgiverne er på jobb" not in shown(handed)

    api = user.stack.api
    cases = api.get("/api/advisor/cases", headers=advisor).json()
    (case,) = [c for c in cases if "gruppechatten" in json.dumps(c, ensure_ascii=False)]
    since = len(user.cloud.sent)
    reply = api.post(f"/api/advisor/cases/{case['id']}/messages", json={"text": "Hei fra rådgiver."}, headers=advisor)
    assert reply.status_code == 200
    (relayed,) = user.cloud.wait_for(since + 1)[since:]
    kari = user.cloud.activity("message_group_chat")["from"]["id"]
    assert (relayed.conversation_id, relayed.activity["text"]) == (user.cloud.private_chat(kari), "Hei fra rådgiver.")
    assert user.mine(since) == []  # the group saw nothing of it
