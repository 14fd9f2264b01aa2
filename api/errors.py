"""Every error leaves the gateway as JSON with a Norwegian `detail`."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

_TYPE_MESSAGES = {
    "missing": "Feltet «{field}» mangler.",
    "string_type": "Feltet «{field}» må være tekst.",
    "int_type": "Feltet «{field}» må være et heltall.",
    "int_parsing": "Feltet «{field}» må være et heltall.",
    "greater_than_equal": "Feltet «{field}» er for lite.",
    "less_than_equal": "Feltet «{field}» er for stort.",
    "extra_forbidden": "Ukjent felt «{field}».",
    "model_attributes_type": "Forespørselen må være et JSON-objekt.",
    "dict_type": "Forespørselen må være et JSON-objekt.",
}
_STATUS_MESSAGES = {
    404: "Fant ikke siden eller adressen.",
    405: "Metoden er ikke tillatt her.",
    413: "Forespørselen er for stor.",
}


def _message(error: dict[str, Any]) -> str:
    field = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
    if error.get("type") == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "")))
    template = _TYPE_MESSAGES.get(error.get("type", ""), "Ugyldig verdi i feltet «{field}».")
    return template.format(field=field)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse(status_code=400, content={"detail": "Ugyldig JSON i forespørselen."})
    messages = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": _message(e)} for e in errors]
    return JSONResponse(status_code=422, content={"detail": messages[0]["message"], "errors": messages})


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    default = exc.detail == HTTPStatus(exc.status_code).phrase  # Starlette's English text
    detail = _STATUS_MESSAGES.get(exc.status_code, "Noe gikk galt.") if default else exc.detail
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=getattr(exc, "headers", None))


async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return JSONResponse(status_code=500, content={"detail": "Noe gikk galt hos oss. Prøv igjen om litt."})


def install_error_handlers(app: FastAPI) -> None:
    """Register the Norwegian JSON error handlers."""
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
