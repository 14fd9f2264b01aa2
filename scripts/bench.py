"""Measure start-up and turn latency of the real stack, and in-process retrieval latency.

Starts the Procfile's processes on their own ports (like the end-to-end test), so it
needs `make install index train` first; `make bench` does that.
Usage: python scripts/bench.py [--turns 100]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.bot_connector import BotConnectorCloud  # noqa: E402
from devstack.measure import RULE_TURN, UNLIMITED, eval_questions, rss_by_process, throughput  # noqa: E402
from devstack.stack import Stack, start_stack  # noqa: E402
from knowledge.assemble import assemble  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

MESSAGES = [
    "Hvem har ansvaret for individuell plan?",
    "Kven skal følgje opp bustad for ein med ROP-lidelse?",
    "hvem har ansvar for kriseplan",
    "Hva er hovedforløp 2?",
    "Hei!",
    "Hvem følger opp etter utskrivning fra døgnbehandling?",
    "Hva blir været i morgen?",
    "Takk for hjelpen",
    "Han sier han skal ta livet sitt i kveld",
]

# Answer turns: guideline questions the assistant answers with a quote and its sources.
QUESTIONS = [
    "Hvem har ansvaret for individuell plan?",
    "Kven skal følgje opp bustad for ein med ROP-lidelse?",
    "hvem har ansvar for kriseplan",
    "Hvem følger opp etter utskrivning fra døgnbehandling?",
    "Hva er hovedforløp 2?",
]
ANSWER_GOAL = 1.5  # issue 15: an answer turn costs at most this many rule turns, p50
CLIENTS = 10  # issue 16: answer-turn throughput at 10 concurrent clients >= 0.8x Rasa's rule turns
THROUGHPUT_GOAL = 0.8
MEMORY_GOAL_GB = 3.0  # issue 16: the whole default stack

DESCRIPTIONS = [
    "Mann med schizofreni i mange år som injiserer amfetamin daglig, bostedsløs, to barn.",
    "Ho har drukke meir sidan skilsmissa i vår, litt nedstemd, men er i full jobb.",
    "Bruker med angst og cannabis, usikker på hvor lenge.",
    "Skal skrives ut fra TSB neste uke etter ti år med heroin, har stor gjeld.",
]


def _percentiles(samples_ms: list[float]) -> str:
    p50, p95 = np.percentile(samples_ms, [50, 95])
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(samples_ms):7.1f} ms"


def _time(call: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _answer_and_rule_turns(stack: Stack, turns: int) -> tuple[list[float], list[float], int]:
    """Side by side, one after the other, so other load hits both alike: an answer turn through
    the gateway (masking, crisis check, Rasa, the action server, the knowledge pipeline) and
    Rasa's rule turn straight on its REST webhook. Also how many answer turns cited sources."""
    answers: list[float] = []
    rules: list[float] = []
    answered = 0
    with httpx.Client(base_url=stack.env["RASA_URL"], timeout=60) as rasa:
        for i in range(turns + 1):  # the first pair warms both paths up
            started = time.perf_counter()
            reply = stack.chat(f"answer-{i % 10}", QUESTIONS[i % len(QUESTIONS)])
            answer_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            rule = rasa.post("/webhooks/rest/webhook", json={"sender": f"rule-{i % 10}", "message": RULE_TURN})
            rule_ms = (time.perf_counter() - started) * 1000
            reply.raise_for_status()
            rule.raise_for_status()
            if i:
                answers.append(answer_ms)
                rules.append(rule_ms)
                answered += any(m.get("sources") for m in reply.json()["messages"])
    return answers, rules, answered


def answer_and_rule_throughput(stack: Stack, clients: int, turns_per_client: int) -> tuple[float, float]:
    """Turns per second at `clients` concurrent clients: answer turns through the gateway (a new
    question each) and the project's Rasa on its rule turn ('hei', REST webhook), measured in
    alternating rounds so other load hits both alike."""
    questions = eval_questions()
    rasa_url = stack.env["RASA_URL"].split(",")[0]
    answers: list[float] = []
    rules: list[float] = []
    with httpx.Client(base_url=rasa_url, timeout=60, limits=httpx.Limits(max_connections=clients)) as rasa:
        for round_ in range(2):

            def answer(client: int, turn: int, round_: int = round_) -> None:
                question = questions[
                    (round_ * clients * turns_per_client + client * turns_per_client + turn) % len(questions)
                ]
                stack.chat(f"throughput-{client}", question).raise_for_status()

            def rule(client: int, turn: int) -> None:
                body = {"sender": f"throughput-rule-{client}", "message": RULE_TURN}
                rasa.post("/webhooks/rest/webhook", json=body).raise_for_status()

            rules.append(throughput(rule, clients, turns_per_client))
            answers.append(throughput(answer, clients, turns_per_client))
    return float(np.mean(answers)), float(np.mean(rules))


def print_memory(stack: Stack) -> None:
    """Each process's resident memory and the whole stack's."""
    rss = rss_by_process(stack)
    for name, size in rss.items():
        print(f"memory (RSS) {name:<21} {size / 1e9:7.2f} GB")
    print(f"memory (RSS) whole stack          {sum(rss.values()) / 1e9:7.2f} GB (goal <= {MEMORY_GOAL_GB} GB)")


def _widget(stack: Stack, samples: int) -> dict[str, list[float]]:
    """In Chromium: widget first paint (navigation start until the launcher is on screen), a
    message round-trip (Enter until the reply shows) and escalation latency (the advisor's POST
    until the reply shows in the widget)."""
    headers = stack.add_advisor(f"bench-{time.time_ns()}")
    results: dict[str, list[float]] = {"paint": [], "round_trip": [], "escalation": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for i in range(samples):
            page = browser.new_page()
            page.goto(str(stack.api.base_url) + "/")
            page.get_by_role("button", name="Spør ROP-veiviseren").wait_for()
            results["paint"].append(page.evaluate("performance.now()"))
            page.get_by_role("button", name="Spør ROP-veiviseren").click()
            results["round_trip"].append(_round_trip(page, MESSAGES[i % 4]))
            _round_trip(page, "Kan jeg få snakke med en rådgiver?")
            page.locator("deep-chat #messages").get_by_text("Saken din (nr.").wait_for()
            sender = page.evaluate("window.ropVeiviser.conversation()")
            [case] = [c for c in stack.api.get("/api/advisor/cases", headers=headers).json() if c["sender"] == sender]
            text = f"Rådgiversvar {i}"
            started = time.perf_counter()
            stack.api.post(f"/api/advisor/cases/{case['id']}/messages", json={"text": text}, headers=headers)
            page.locator("deep-chat #messages").get_by_text(text).wait_for()
            results["escalation"].append((time.perf_counter() - started) * 1000)
            stack.api.post(f"/api/advisor/cases/{case['id']}/close", headers=headers)
            page.close()
        browser.close()
    return results


# True once the bot's reply to the last message is on screen: more bot bubbles than `before`
# and no typing indicator left.
REPLIED = """before => {
  const root = document.querySelector("deep-chat").shadowRoot;
  return root.querySelectorAll(".ai-message-text").length > before && !root.querySelector(".loading-message-dots");
}"""


def _round_trip(page: Page, text: str) -> float:
    """Milliseconds from pressing Enter until the reply is on screen."""
    field = page.locator("deep-chat #text-input")
    field.click()
    field.type(text)
    before = page.locator("deep-chat .ai-message-text").count()
    started = time.perf_counter()
    field.press("Enter")
    page.wait_for_function(REPLIED, arg=before, polling=5)
    return (time.perf_counter() - started) * 1000


def _teams(stack: Stack, cloud: BotConnectorCloud, turns: int) -> list[float]:
    """A Teams message until its last reply reached the (emulated) Bot Connector: the gateway
    answers the connector's POST only after posting the replies."""
    samples = []
    for i in range(turns):
        activity = cloud.activity("message_personal", text=MESSAGES[i % len(MESSAGES)], id=f"bench-{i}")
        activity["conversation"]["id"] = f"a:bench-{i % 10}"  # ten users, as for /api/chat (rate limit)
        headers = {"Authorization": cloud.token_for(activity)}  # signed before the clock starts
        started = time.perf_counter()
        stack.api.post("/api/messages", json=activity, headers=headers).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    """Print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    args = parser.parse_args()

    settings = KnowledgeSettings()
    started = time.perf_counter()
    engine = assemble(settings).knowledge
    assert engine is not None, "run make index"
    load_ms = (time.perf_counter() - started) * 1000
    cycle = iter(MESSAGES * (args.turns // len(MESSAGES) + 1))
    retrieval = _time(lambda: engine.ask(next(cycle)), args.turns)

    with tempfile.TemporaryDirectory() as logs, BotConnectorCloud() as cloud:
        stack = start_stack(Path(logs), cloud.settings_env() | UNLIMITED)
        try:
            for message in MESSAGES:  # warm up every code path once
                stack.chat("bench-warmup", message)
            turn = iter(range(args.turns))

            def chat() -> None:
                i = next(turn)
                response = stack.chat(f"bench-{i % 10}", MESSAGES[i % len(MESSAGES)])
                response.raise_for_status()

            chats = _time(chat, args.turns)
            answers, rules, answered = _answer_and_rule_turns(stack, args.turns)
            cycle = iter(MESSAGES * (args.turns // len(MESSAGES) + 1))
            asks = _time(
                lambda: stack.api.post("/api/ask", json={"question": next(cycle)}).raise_for_status(), args.turns
            )
            people = iter(DESCRIPTIONS * (args.turns // len(DESCRIPTIONS) + 1))
            referrals = _time(
                lambda: stack.api.post("/api/referral", json={"description": next(people)}).raise_for_status(),
                args.turns,
            )
            teams = _teams(stack, cloud, args.turns)
            widget = _widget(stack, samples=10)
            answer_rate, rule_rate = answer_and_rule_throughput(stack, CLIENTS, turns_per_client=10)
            print_memory(stack)
        finally:
            stack.stop()

    print(f"engine load (index + encoder)      {load_ms:7.0f} ms")
    print(f"retrieval in-process ({args.turns} q)       {_percentiles(retrieval)}")
    print(f"stack start to healthy             {stack.started_seconds:7.1f} s")
    print(f"POST /api/chat ({args.turns} turns)        {_percentiles(chats)}")
    print(f"answer turn: /api/chat ({answered}/{args.turns} cited) {_percentiles(answers)}")
    print(f"Rasa rule turn: '{RULE_TURN}' on webhook  {_percentiles(rules)}")
    ratio = float(np.percentile(answers, 50) / np.percentile(rules, 50))
    print(f"answer / rule turn, p50            {ratio:7.2f}x (goal <= {ANSWER_GOAL}x)")
    print(f"POST /api/ask ({args.turns} questions)     {_percentiles(asks)}")
    print(f"POST /api/referral ({args.turns} people)   {_percentiles(referrals)}")
    print(f"Teams message to reply ({args.turns})     {_percentiles(teams)}")
    print(f"widget first paint (10 loads)      {_percentiles(widget['paint'])}")
    print(f"widget message round-trip (10)     {_percentiles(widget['round_trip'])}")
    print(f"escalation: advisor reply shown    {_percentiles(widget['escalation'])}")
    print(f"throughput, {CLIENTS} clients: answer turns {answer_rate:6.1f}/s, Rasa rule turns {rule_rate:6.1f}/s")
    print(f"answer / rule throughput           {answer_rate / rule_rate:7.2f}x (goal >= {THROUGHPUT_GOAL}x)")


if __name__ == "__main__":
    main()
