"""What a Teams user sees: buttons that send what the bot understands, sources that fold out."""

from __future__ import annotations

from api.schemas import Button, ChatMessage, SourceOut
from api.teams.cards import activity_for, user_text

SOURCE = SourceOut(
    id="rop-4.2-1", document="ROP-retningslinjen", title="4.2 Individuell plan", text="Kommunen skal ...", score=0.9
)
THUMBS = [
    Button(title="👍 Nyttig", payload="/feedback_positive"),
    Button(title="👎 Ikke nyttig", payload="/feedback_negative"),
]


def test_plain_reply_keeps_the_bots_lines_apart_in_teams_markdown() -> None:
    activity = activity_for(ChatMessage(text="Kort svar: kommunen.\n«Sitat»\nKilde: ROP"))
    assert activity["type"] == "message"
    assert activity["textFormat"] == "markdown"
    assert activity["text"] == "Kort svar: kommunen.\n\n«Sitat»\n\nKilde: ROP"
    assert "attachments" not in activity


def test_quick_reply_is_a_message_back_button_sending_the_payload_and_showing_the_title() -> None:
    message = ChatMessage(
        text="Hvor alvorlige?", buttons=[Button(title="Alvorlige", payload='/inform{"severity":"severe"}')]
    )
    card = activity_for(message)["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    (action,) = card["content"]["actions"]
    assert action["type"] == "Action.Submit"
    assert action["title"] == "Alvorlige"
    assert action["data"]["msteams"] == {
        "type": "messageBack",
        "text": '/inform{"severity":"severe"}',
        "displayText": "Alvorlige",
    }


def test_thumbs_become_teams_own_feedback_buttons_not_card_buttons() -> None:
    activity = activity_for(ChatMessage(text="Svar", buttons=THUMBS))
    assert activity["channelData"] == {"feedbackLoopEnabled": True}
    assert "attachments" not in activity  # nothing else to show: stays a plain message


def test_sources_fold_out_under_a_show_card_with_document_section_and_quote() -> None:
    activity = activity_for(ChatMessage(text="Svar", buttons=THUMBS, sources=[SOURCE]))
    actions = activity["attachments"][0]["content"]["actions"]
    (show,) = [a for a in actions if a["type"] == "Action.ShowCard"]
    assert show["title"] == "Vis kilder (1)"
    texts = [block["text"] for block in show["card"]["body"]]
    assert texts == ["**ROP-retningslinjen**, 4.2 Individuell plan", "«Kommunen skal ...»"]
    assert activity["channelData"] == {"feedbackLoopEnabled": True}


def test_user_text_drops_the_mention_of_the_bot_and_html_from_the_client() -> None:
    assert user_text("<at>ROP-veiviser</at> hvem har ansvaret for bolig?\n") == "hvem har ansvaret for bolig?"
    assert user_text("<p>IP &amp; koordinator</p>") == "IP & koordinator"
    assert user_text(None) == ""


def test_a_quoted_bullet_passage_is_a_markdown_list_in_the_message_and_under_vis_kilder() -> None:
    passage = "- Kommunene bør tilstrebe fleksible botilbud\n- Tilbud om oppfølging i bolig skal være tilgjengelig"
    bullets = SOURCE.model_copy(update={"text": passage})
    message = ChatMessage(text=f"Dette står i ROP-retningslinjen:\n«{passage}»\nKilde: ROP", buttons=THUMBS)
    text = activity_for(message)["text"]
    assert text.split("\n\n") == [
        "Dette står i ROP-retningslinjen:",
        "- «Kommunene bør tilstrebe fleksible botilbud\n- Tilbud om oppfølging i bolig skal være tilgjengelig»",
        "Kilde: ROP",
    ]
    card = activity_for(ChatMessage(text="Svar", sources=[bullets]))["attachments"][0]["content"]
    (show,) = card["actions"]
    quote = show["card"]["body"][1]["text"]
    assert quote.splitlines() == [
        "- «Kommunene bør tilstrebe fleksible botilbud",
        "- Tilbud om oppfølging i bolig skal være tilgjengelig»",
    ]


def test_the_line_introducing_a_list_stays_a_paragraph_before_it() -> None:
    text = activity_for(ChatMessage(text="«IP blir kommunenes ansvar\n- Koordinator har hovedansvaret»"))["text"]
    assert text == "«IP blir kommunenes ansvar\n\n- Koordinator har hovedansvaret»"
