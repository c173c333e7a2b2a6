"""The one way a hot route skips FastAPI's per-request machinery: declare it with ``fast_route``.

A fast route's handler gets the Request and the raw body bytes and returns plain JSON data;
the mechanism authorises the caller by a direct call, reads the body straight from ASGI
``receive`` and answers with orjson bytes. FastAPI still builds the OpenAPI operation from
the declaration (request schema, response model, errors, bearer security). See
docs/architecture.md, "Fast routes".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from api.auth.deps import BEARER_SECURITY, authorize
from api.auth.permissions import Action

Handler = Callable[[Request, bytes], Awaitable[Any]]
Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class FastRoute(APIRoute):
    """A route whose endpoint takes the Request itself and returns its Response.

    No dependency solving, parameter parsing or response-model pass per request: on the
    scoring route they cost more than the rules. Exceptions reach the app's error handlers.
    """

    def get_route_handler(self) -> Endpoint:
        endpoint: Endpoint = self.endpoint
        return endpoint


def fast_route(
    router: APIRouter,
    path: str,
    *,
    action: Action,
    body: type[BaseModel],
    response_model: type[BaseModel],
    responses: dict[int | str, dict[str, Any]],
    methods: Sequence[str] = ("POST",),
) -> Callable[[Handler], Handler]:
    """Register the decorated handler as a fast route of ``router`` (the handler is unchanged).

    ``action`` is the permission the bearer key needs; ``body`` documents the request body;
    the handler validates the bytes itself (e.g. ``model_validate_json``).
    """

    def register(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            await authorize(request, action)
            return json_response(await handler(request, await read_body(request)))

        # The handler's name and docstring name the OpenAPI operation; no ``__wrapped__``,
        # so FastAPI sees only ``request`` and documents no parameters of its own.
        endpoint.__name__, endpoint.__qualname__ = handler.__name__, handler.__qualname__
        endpoint.__doc__ = handler.__doc__
        router.add_api_route(
            path,
            endpoint,
            methods=list(methods),
            response_model=response_model,
            responses=responses,
            openapi_extra=json_request_body(body) | BEARER_SECURITY,
            route_class_override=FastRoute,
        )
        return handler

    return register


async def read_body(request: Request) -> bytes:
    """The whole request body, read from ASGI ``receive`` (ClientDisconnect if the client left).

    ``Request.body()`` wraps the same loop in an async generator and a context manager,
    which on the scoring route cost more than reading the bytes.
    """
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def json_response(payload: Any, status_code: int = 200) -> Response:
    """Plain JSON data as a response, rendered by orjson."""
    # orjson: the same bytes as pydantic-core for these plain payloads, in a third of the time.
    return Response(orjson.dumps(payload), status_code, media_type="application/json")


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of a route that reads its JSON body itself."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
