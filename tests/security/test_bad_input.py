"""Bad input never gives a 5xx, and never costs much (issue #14 §5)."""

from __future__ import annotations

import http.client
import json
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from api.errors import ThrottledTracebacks
from api.main import create_app
from api.settings import Settings
from knowledge.pipeline import KnowledgePipeline
from tests.api.conftest import conversation_headers

JSON = {"Content-Type": "application/json"}
INVALID_TEXT = "Teksten har ugyldige tegn. Skriv den på nytt."
INTERNAL_ERROR = "Noe gikk galt hos oss. Prøv igjen om litt."
DATABASE_DOWN = "Databasen vår svarer ikke akkurat nå. Prøv igjen om litt."
GIVE_UP_SECONDS = 5.0  # the old code took minutes for a 5,000-letter word


def _word(length: int, seed: int = 0) -> str:
    """One long "word" of random letters, which no typo repair can match."""
    letters = random.Random(seed)
    return "".join(letters.choice("abdefgiklmnorstuv") for _ in range(length))


def _asked(client: TestClient, question: str) -> int:
    return client.post("/api/ask", json={"question": question}).status_code


def _timed(client: TestClient, question: str) -> float:
    """Seconds /api/ask takes to answer `question` (with 200); infinity when it has not answered
    after GIVE_UP_SECONDS (the request is left to finish in the background)."""
    codes: list[int] = []
    start = time.perf_counter()
    worker = threading.Thread(target=lambda: codes.append(_asked(client, question)), daemon=True)
    worker.start()
    worker.join(GIVE_UP_SECONDS)
    if not codes:
        return float("inf")
    assert codes == [200]
    return time.perf_counter() - start


def _seconds_to_answer(client: TestClient, questions: Iterable[str]) -> float:
    """The best timing (the machine is shared) over questions new to every cache on the way
    (spaCy's tokenizer keeps the words it has seen); stops at the first that gave up."""
    timings: list[float] = []
    for question in questions:
        timings.append(_timed(client, question))
        if timings[-1] == float("inf"):
            break
    return min(timings)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/ask", b'{"question": "Hvem har ansvaret for bolig \\ud800?"}'),
        ("/api/referral", b'{"description": "Mann i 40-\\udc00rene med rusproblemer"}'),
        ("/api/advisor/login", b'{"name": "kari\\ud800", "password": "hemmelig"}'),
        ("/api/advisor/login", b'{"name": "kari", "password": "\\ud800"}'),
    ],
)
def test_lone_surrogate_gets_norwegian_422(client: TestClient, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_TEXT


def test_lone_surrogate_in_chat_message_gets_norwegian_422(client: TestClient) -> None:
    headers = {**JSON, **conversation_headers(client)}
    response = client.post("/api/chat", content=b'{"message": "hei \\ud800"}', headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_TEXT


def test_emoji_written_as_a_surrogate_pair_is_still_read(client: TestClient) -> None:
    body = b'{"question": "Hvem har ansvaret for individuell plan? \\ud83d\\ude42"}'
    assert client.post("/api/ask", content=body, headers=JSON).status_code == 200


def test_invalid_utf8_gets_norwegian_400(client: TestClient) -> None:
    response = client.post(
        "/api/ask", content='{"question": "Hvem har ansvaret for bolig på Bærum?"}'.encode("latin-1"), headers=JSON
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Forespørselen må være tekst i UTF-8."}


def test_deeply_nested_json_gets_norwegian_400(client: TestClient) -> None:
    response = client.post("/api/ask", content=b"[" * 5000 + b"]" * 5000, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON-en i forespørselen har for mange nivåer inni hverandre."}


def test_sender_with_trailing_newline_is_refused(client: TestClient) -> None:
    """The conversation comes from the token; a client-named sender of any shape is refused."""
    body = {"sender": "abc\n", "message": "hei"}
    response = client.post("/api/chat", json=body, headers=conversation_headers(client))
    assert response.status_code == 422 and response.json()["detail"] == "Ukjent felt «sender»."


def _punctuation(length: int, seed: int) -> str:
    return "(" * (length - 1) + "xyz"[seed]


@pytest.mark.parametrize(
    "make_word",
    [
        _word,  # typo repair and compound splitting (the old code took time cubic in its length)
        _punctuation,  # spaCy's tokenizer, quadratic in a run of punctuation
        lambda length, seed: ("boligoppfølging" * length)[seed : seed + length],  # no ae/oe/aa: a regex backtracked
    ],
    ids=["letters", "punctuation", "compound"],
)
def test_five_thousand_character_word_costs_little_more_than_five_hundred(
    client: TestClient, make_word: Callable[[int, int], str]
) -> None:
    short = _seconds_to_answer(client, (make_word(500, seed) for seed in range(3)))
    long = _seconds_to_answer(client, (make_word(5000, seed) for seed in range(3)))
    assert long < 0.5
    assert long < 4 * short + 0.05


def test_long_punctuation_run_costs_masking_little_and_hides_no_name(client: TestClient) -> None:
    mask = client.app.state.masker.mask  # type: ignore[attr-defined]

    def seconds(run: int) -> float:
        timings = []
        for seed in range(3):
            start = time.perf_counter()
            assert mask(_punctuation(run, seed) + " Kari Nordmann ringer i morgen").endswith("[navn] ringer i morgen")
            timings.append(time.perf_counter() - start)
        return min(timings)

    short, long = seconds(500), seconds(5000)
    assert long < 4 * short + 0.05


def test_concurrent_long_words_are_both_answered(client: TestClient) -> None:
    words = [letter * 3000 for letter in "aeio"]  # the old code took 3 s each, and 3 of 4 failed
    start = threading.Barrier(len(words))

    def ask(word: str) -> int:
        start.wait()
        return _asked(client, word)

    with ThreadPoolExecutor(len(words)) as pool:
        assert list(pool.map(ask, words)) == [200] * len(words)


@pytest.fixture
def live_gateway(settings: Settings, engine: KnowledgePipeline) -> Iterator[tuple[str, int]]:
    """The real app behind a real uvicorn server, with one route that fails unexpectedly."""
    app = create_app(settings, engine=engine)

    async def fail() -> None:
        raise RuntimeError("provoked")

    async def database_down() -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    app.add_api_route("/test/fail", fail)
    app.add_api_route("/test/database-down", database_down)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.05)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(30)


def test_connection_still_works_after_an_internal_error(live_gateway: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*live_gateway, timeout=10)
    connection.request("GET", "/test/fail")
    failed = connection.getresponse()
    assert (failed.status, json.loads(failed.read())) == (500, {"detail": INTERNAL_ERROR})
    kept = connection.sock
    connection.request("POST", "/api/ask", body=json.dumps({"question": "Hvem har ansvaret for bolig?"}), headers=JSON)
    answered = connection.getresponse()
    assert answered.status == 200 and json.loads(answered.read())["sources"]
    assert connection.sock is kept  # the same connection, not a new one opened behind the scenes
    connection.close()


def test_database_outage_is_a_503_with_a_norwegian_reason_not_a_500(live_gateway: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*live_gateway, timeout=10)
    connection.request("GET", "/test/database-down")
    failed = connection.getresponse()
    assert (failed.status, json.loads(failed.read())) == (503, {"detail": DATABASE_DOWN})
    connection.close()


def test_repeated_internal_errors_log_one_traceback(
    live_gateway: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    connection = http.client.HTTPConnection(*live_gateway, timeout=10)
    for _ in range(3):
        connection.request("GET", "/test/fail")
        response = connection.getresponse()
        assert response.status == 500 and b"Traceback" not in response.read()
    connection.close()
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    assert "RuntimeError" in tracebacks[0].getMessage()


def test_a_flood_of_one_error_logs_its_traceback_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    tracebacks = ThrottledTracebacks(logging.getLogger("test.errors"), clock=lambda: now[0])

    def raised(kind: type[Exception]) -> Exception:
        try:
            raise kind("provoked")
        except Exception as error:
            return error

    for second in (0.0, 10.0, 59.9):
        now[0] = second
        tracebacks.error(raised(RuntimeError))
    tracebacks.error(raised(KeyError))  # another kind is reported on its own
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [RuntimeError, KeyError]
    now[0] = 60.0
    tracebacks.error(raised(RuntimeError))
    assert len(caplog.records) == 3
    assert "2 more" in caplog.records[-1].getMessage()


@pytest.mark.parametrize("name", ["kari\x00", "ka\nri", "\x1b[31mkari"])
def test_control_characters_in_a_login_name_get_norwegian_422(client: TestClient, name: str) -> None:
    response = client.post("/api/advisor/login", json={"name": name, "password": "x"})
    assert response.status_code == 422 and "«name»" in response.json()["detail"]
