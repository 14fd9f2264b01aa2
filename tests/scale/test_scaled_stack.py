"""The scaled profile with real servers: nginx in front of 2 gateway workers, 2 Rasa replicas on
PostgreSQL's tracker store and Redis's lock store. One conversation's turns stay whole and in
order across replicas; a killed replica or worker costs at most the turns in flight (a clear 503);
a PostgreSQL or Redis restart is named in /health and survived."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from api.upstream import NO_REPLY
from devstack.scaled import start_scaled_stack, wait_for_replicas
from devstack.services import PostgresServer, RedisServer
from devstack.stack import Stack

pytestmark = pytest.mark.e2e

GREETINGS = ["hei", "takk", "god morgen", "tusen takk", "hallo", "takk for hjelpen", "god dag", "hei igjen"]
RECOVER_SECONDS = 60.0
CRISIS = "Han sier han skal ta livet sitt i kveld"


@pytest.fixture(scope="module")
def scaled(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, postgres_server: PostgresServer
) -> Iterator[Stack]:
    unlimited = {"CHAT_MESSAGES_PER_MINUTE": "100000"}  # the load test sends faster than a worker types
    stack = start_scaled_stack(
        tmp_path_factory.mktemp("scaled"), redis_server.url, postgres_server, extra_env=unlimited
    )
    yield stack
    stack.stop()


def tracker_events(stack: Stack, sender: str) -> list[tuple[str, str]]:
    """(event type, user text or action name) of a conversation, as Rasa stored them in PostgreSQL."""
    query = "SELECT type_name, data::json->>'text', action_name FROM events WHERE sender_id = %s ORDER BY id"
    with psycopg.connect(stack.env["TRACKER_STORE_URL"], connect_timeout=5) as connection:
        rows = connection.execute(query, (sender,)).fetchall()
    return [(kind, text if kind == "user" else action or "") for kind, text, action in rows]


def user_texts(events: list[tuple[str, str]]) -> list[str]:
    return [text for kind, text in events if kind == "user"]


def assert_turns_whole(events: list[tuple[str, str]]) -> None:
    """Every user message is followed by the bot's turn up to action_listen before the next one:
    two replicas never ran turns of one conversation at the same time."""
    listening = True
    for kind, name in events:
        if kind == "user":
            assert listening, f"a turn began before the last one ended: {events}"
            listening = False
        elif kind == "action" and name == "action_listen":
            listening = True


def test_concurrent_turns_of_one_conversation_run_one_at_a_time_none_lost_or_doubled(scaled: Stack) -> None:
    sender = scaled.conversation_id("concurrent")
    with ThreadPoolExecutor(len(GREETINGS)) as pool:
        statuses = list(pool.map(lambda text: scaled.chat("concurrent", text).status_code, GREETINGS))
    assert statuses == [200] * len(GREETINGS)
    events = tracker_events(scaled, sender)
    assert Counter(user_texts(events)) == Counter(GREETINGS)
    assert_turns_whole(events)


def test_sequential_turns_keep_their_order_across_replicas(scaled: Stack) -> None:
    sender = scaled.conversation_id("sequential")
    for text in GREETINGS:
        assert scaled.chat("sequential", text).status_code == 200
    assert user_texts(tracker_events(scaled, sender)) == GREETINGS


def test_gateway_names_a_dead_replica_in_health_and_answers_on_the_other(scaled: Stack) -> None:
    os.killpg(scaled.pid("rasa2"), signal.SIGKILL)
    health = scaled.api.get("/health")
    assert health.status_code == 200
    assert health.json()["components"]["rasa_replicas"].startswith("1 av 2 svarer")
    assert [scaled.chat("one-replica", text).status_code for text in GREETINGS[:4]] == [200] * 4
    wait_for_replicas(scaled, RECOVER_SECONDS * 3)


class Load:
    """Clients that each send turns in their own conversation until stopped: every turn's text
    (distinct) and status, so losses and doubles can be found in the tracker."""

    def __init__(self, stack: Stack, clients: int) -> None:
        self.stack = stack
        self.results: dict[str, list[tuple[str, int]]] = {f"load-{i}": [] for i in range(clients)}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, args=(label,)) for label in self.results]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)

    def _send(self, label: str) -> None:
        with httpx.Client(base_url=str(self.stack.api.base_url), timeout=60) as client:
            headers = self.stack.auth(label)
            while not self._stop.is_set():
                text = f"{GREETINGS[len(self.results[label]) % len(GREETINGS)]} nr {len(self.results[label])}"
                try:
                    status = client.post("/api/chat", json={"message": text}, headers=headers).status_code
                except httpx.HTTPError as error:
                    status = -1
                    print(f"{label}: {text!r} got no answer: {error!r}")
                self.results[label].append((text, status))

    def successes(self) -> int:
        return sum(status == 200 for results in self.results.values() for _, status in results)


def test_killing_a_rasa_replica_and_a_gateway_worker_under_load_fails_only_turns_in_flight(scaled: Stack) -> None:
    clients = 4
    with Load(scaled, clients) as load:
        time.sleep(3)
        before_kill = load.successes()
        for name in ("rasa1", "api1"):
            os.killpg(scaled.pid(name), signal.SIGKILL)
        time.sleep(8)
        after_kill = load.successes()
    failed = [(label, text, status) for label, res in load.results.items() for text, status in res if status != 200]
    assert before_kill > 0 and after_kill > before_kill, "turns went on on the survivors"
    assert all(status == 503 for *_, status in failed), f"failures other than a clear 503: {failed}"
    assert len(failed) <= 2 * clients, f"more than the turns in flight failed: {failed}"
    for label, results in load.results.items():
        stored = Counter(user_texts(tracker_events(scaled, scaled.conversation_id(label))))
        assert all(stored[text] == 1 for text, status in results if status == 200), f"{label}: answered but lost"
        assert all(count == 1 for count in stored.values()), f"{label}: a turn was doubled: {stored}"
    wait_for_replicas(scaled, RECOVER_SECONDS * 3)  # the restarted replica answers the gateways again
    port = re.search(r"^api1: .*API_PORT=(\d+);", (scaled.logs / "Procfile").read_text(), re.MULTILINE)
    assert port, "the Procfile names api1's port"
    assert httpx.get(f"http://127.0.0.1:{port[1]}/health", timeout=10).status_code == 200  # the worker is back


def test_redis_restart_is_named_in_health_and_survived(scaled: Stack, redis_server: RedisServer) -> None:
    redis_server.stop()
    try:
        components = scaled.api.get("/health").json()["components"]
        assert components["redis"] != "ok" and "Redis" in components["redis"]
        assert scaled.chat("redis-outage", "hei").status_code in (200, 503)
        assert "113" in scaled.chat("redis-outage", CRISIS).text  # nothing blocks the emergency reply
    finally:
        redis_server.start()
    assert answers_again(scaled, "redis-back")


def test_postgresql_restart_is_named_in_health_and_survived_without_forgetting(
    scaled: Stack, postgres_server: PostgresServer
) -> None:
    assert scaled.chat("postgres-outage", "god morgen").status_code == 200
    postgres_server.stop()
    try:
        health = scaled.api.get("/health")
        assert health.status_code == 503
        assert "databasen svarer ikke" in health.json()["components"]["database"]
        # Rasa fails the turn (bot.strict_tracker_store) instead of greeting as if the conversation were new
        during = scaled.chat("postgres-outage", "hei")
        assert during.status_code == 503 or during.json()["messages"][0]["text"] == NO_REPLY.text
        assert "113" in scaled.chat("postgres-outage", CRISIS).text
    finally:
        postgres_server.start()
    assert answers_again(scaled, "postgres-outage")
    stored = user_texts(tracker_events(scaled, scaled.conversation_id("postgres-outage")))
    assert stored[0] == "god morgen" and stored.count("hei") >= 3  # the conversation went on where it was


def answers_again(stack: Stack, label: str) -> bool:
    """Whether turns succeed again (three in a row) within RECOVER_SECONDS."""
    deadline, in_a_row = time.monotonic() + RECOVER_SECONDS, 0
    while time.monotonic() < deadline and in_a_row < 3:
        reply = stack.chat(label, "hei")
        answered = reply.status_code == 200 and reply.json()["messages"][0]["text"] != NO_REPLY.text
        in_a_row = in_a_row + 1 if answered else 0
        time.sleep(0.2)
    return in_a_row == 3 and stack.api.get("/health").status_code == 200
