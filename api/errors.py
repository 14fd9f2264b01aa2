"""Every error leaves the gateway as JSON with a Norwegian `detail`; none reaches the server.

Why the last part: Starlette answers an unexpected error and then re-raises it, so uvicorn logs
its traceback and drops the kept-alive connection, and the client's next request on it fails.
`UnexpectedErrors` answers it inside the app instead, and tracebacks are logged at most once a
minute per kind, so a client repeating a failing request cannot flood the log.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas import INVALID_TEXT, refusal
from contract.language import Language
from contract.nynorsk import localized

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Noe gikk galt hos oss. Prøv igjen om litt."
DATABASE_DOWN = "Databasen vår svarer ikke akkurat nå. Prøv igjen om litt."
# FastAPI's detail when a body cannot be read at all; the cause it raises it from says why.
_UNREADABLE_BODY = "There was an error parsing the body"
_UNREADABLE_BECAUSE = {
    UnicodeDecodeError: "Forespørselen må være tekst i UTF-8.",
    RecursionError: "JSON-en i forespørselen har for mange nivåer inni hverandre.",
}

_TYPE_MESSAGES = {
    "missing": "Feltet «{field}» mangler.",
    "string_type": "Feltet «{field}» må være tekst.",
    "string_unicode": INVALID_TEXT,
    "int_type": "Feltet «{field}» må være et heltall.",
    "int_parsing": "Feltet «{field}» må være et heltall.",
    "greater_than_equal": "Feltet «{field}» er for lite.",
    "less_than_equal": "Feltet «{field}» er for stort.",
    "extra_forbidden": "Ukjent felt «{field}».",
    "model_attributes_type": "Forespørselen må være et JSON-objekt.",
    "dict_type": "Forespørselen må være et JSON-objekt.",
}
_STATUS_MESSAGES = {
    400: "Forespørselen kunne ikke leses. Send gyldig JSON.",
    404: "Fant ikke siden eller adressen.",
    405: "Metoden er ikke tillatt her.",
    413: "Forespørselen er for stor.",
}


class InLanguage(StarletteHTTPException):
    """An error whose detail is already in the conversation's written standard; any other detail is
    given in the deployment's `LANGUAGE`."""


def _default_language(app: Any) -> Language:
    """The deployment's `LANGUAGE` (bokmål before the settings are loaded)."""
    settings = getattr(getattr(app, "state", None), "settings", None)
    return settings.language if settings is not None else "nb"


class ThrottledTracebacks:
    """Logs the traceback of an unexpected error at most once per `interval` seconds for each
    kind (its type and the line that raised it); the next one logged says how many were left out."""

    def __init__(
        self, log: logging.Logger, interval: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._log = log
        self._interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._left_out: Counter[str] = Counter()

    def error(self, exc: BaseException) -> None:
        """Log `exc` with its traceback, unless one of its kind was logged within the interval."""
        kind = _kind(exc)
        now = self._clock()
        if kind in self._last and now - self._last[kind] < self._interval:
            self._left_out[kind] += 1
            return
        self._last[kind] = now
        left_out = self._left_out.pop(kind, 0)
        self._log.error("unhandled %s (%d more since the last report)", kind, left_out, exc_info=exc)


def _kind(exc: BaseException) -> str:
    frames = list(traceback.walk_tb(exc.__traceback__))
    where = f" at {frames[-1][0].f_code.co_filename}:{frames[-1][1]}" if frames else ""
    return f"{type(exc).__qualname__}{where}"


class UnexpectedErrors:
    """Answers an unexpected error with the JSON 500 and lets nothing propagate to the server.

    After the response has started (a stream), it can only stop: the server then closes the
    connection, as the client must not take a cut-off response for a whole one."""

    def __init__(self, app: ASGIApp, tracebacks: ThrottledTracebacks) -> None:
        self._app = app
        self._tracebacks = tracebacks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, tracked)
        except Exception as error:
            self._tracebacks.error(error)
            if not started:
                await _internal_error(error, _default_language(scope.get("app")))(scope, receive, send)


def _internal_error(error: Exception, language: Language) -> JSONResponse:
    """500, or 503 when the database cannot be reached: a pause to wait out, not a fault to report."""
    if isinstance(error, OperationalError):
        return JSONResponse(status_code=503, content={"detail": localized(DATABASE_DOWN, language)})
    return JSONResponse(status_code=500, content={"detail": localized(INTERNAL_ERROR, language)})


def _message(error: dict[str, Any], language: Language) -> str:
    field = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
    if error.get("type") == "value_error":
        refused = error.get("ctx", {}).get("error", error.get("msg", ""))
        return refusal(refused if isinstance(refused, ValueError) else ValueError(refused), language)
    template = _TYPE_MESSAGES.get(error.get("type", ""), "Ugyldig verdi i feltet «{field}».")
    return localized(template, language).format(field=field)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors, language = list(exc.errors()), _default_language(request.app)
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse(status_code=400, content={"detail": localized("Ugyldig JSON i forespørselen.", language)})
    messages = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": _message(e, language)} for e in errors
    ]
    return JSONResponse(status_code=422, content={"detail": messages[0]["message"], "errors": messages})


def _http_detail(exc: StarletteHTTPException) -> str:
    """Ours as given; Starlette's and FastAPI's English ones in Norwegian."""
    for cause, message in _UNREADABLE_BECAUSE.items():
        if isinstance(exc.__cause__, cause):
            return message
    if exc.detail in (HTTPStatus(exc.status_code).phrase, _UNREADABLE_BODY):
        return _STATUS_MESSAGES.get(exc.status_code, "Noe gikk galt.")
    return str(exc.detail)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = _http_detail(exc)
    if not isinstance(exc, InLanguage):
        detail = localized(detail, _default_language(request.app))
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    """Register the Norwegian JSON error handlers and `UnexpectedErrors`. Call it before adding
    other middleware: added first, it runs innermost, so its 500 still gets their headers (CORS,
    security). An error in those middlewares is left to Starlette, answered in the same words."""
    tracebacks = ThrottledTracebacks(logger)

    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        tracebacks.error(exc)
        return _internal_error(exc, _default_language(request.app))

    # Starlette types every handler as taking Exception; these take the class they are registered for.
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected_error)
    app.add_middleware(UnexpectedErrors, tracebacks=tracebacks)
