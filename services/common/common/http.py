"""HTTP plumbing every service's API shares: a unit of work per request, and use-case errors as 4xx.

Routes take the service's unit of work as a dependency (``UnitOfWorkDep``, or a service's own alias with
its type): the dependency opens a transaction, builds the unit of work with the request's origin
(correlation id, the caller's centrale and identity as actor), commits when the route returns, and rolls
back when it raises. Errors of the one tree in ``common.errors`` then become their status codes here,
after the rollback, so a refused command leaves nothing behind. Validation errors are answered without
the submitted values (FastAPI's default echoes them as ``input``: personal data, or a 50 MB body, back to the
sender and into any log of the reply), and a rate limit with 429 and ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from common.auth import Caller, identify
from common.errors import Conflict, Forbidden, NotFound, Rejected
from common.ratelimit import RateLimited
from common.runtime import get_runtime
from common.uow import Origin, PostgresUnitOfWork

__all__ = [
    "UnitOfWorkDep",
    "install_error_handlers",
    "request_origin",
    "request_unit_of_work",
    "validation_details",
]


def request_origin(request: Request, caller: Caller | None) -> Origin:
    """Where commands of this request come from: this service, the request's correlation id, the caller."""
    runtime = get_runtime(request)
    return Origin.of_request(
        service=runtime.spec.name,
        region=runtime.settings.region,
        correlation_id=request.state.correlation_id,
        tenant=caller.centrale_id if caller else None,
        actor=caller.actor if caller else None,
    )


async def request_unit_of_work(
    request: Request, caller: Annotated[Caller | None, Depends(identify)]
) -> AsyncIterator[PostgresUnitOfWork]:
    """The service's unit of work for one request: committed when the route returns, rolled back when it raises."""
    runtime = get_runtime(request)
    assert runtime.pool is not None, "pool is opened in the lifespan before requests are served"
    async with runtime.pool.acquire() as conn, conn.transaction():
        yield runtime.spec.unit_of_work(conn, request_origin(request, caller), runtime.clock, None)


# scope="function": the transaction ends when the route function returns, before the response is sent,
# so a failed commit is the caller's error too and a 201 always means "stored".
UnitOfWorkDep = Annotated[PostgresUnitOfWork, Depends(request_unit_of_work, scope="function")]


def _printable(text: str) -> str:
    """``text`` with anything a JSON reply cannot encode (a lone surrogate) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def validation_details(error: RequestValidationError) -> list[dict[str, object]]:
    """Where and why the request is invalid, without the submitted value (no ``input``, no ``ctx``)."""
    return [
        {
            "loc": [part if isinstance(part, int) else _printable(str(part)) for part in item["loc"]],
            "msg": _printable(str(item["msg"])),
            "type": str(item["type"]),
        }
        for item in error.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Answer the use-case errors with 404, 403, 409 and 422 (field-level, like validation errors), never 500.

    Also: request validation as 422 without echoing the input, and rate limits as 429 with ``Retry-After``.
    """

    async def invalid(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return JSONResponse({"detail": validation_details(error)}, status_code=422)

    async def too_many(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RateLimited)
        return JSONResponse({"detail": str(error)}, status_code=429, headers={"Retry-After": str(error.retry_after_s)})

    async def not_found(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error) or "not found"}, status_code=404)

    async def forbidden(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error) or "forbidden"}, status_code=403)

    async def conflict(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=409)

    async def rejected(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Rejected)
        return JSONResponse({"detail": error.detail()}, status_code=422)

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(Rejected, rejected)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(RateLimited, too_many)
