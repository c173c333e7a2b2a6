"""Read and validate a JSON request body: the capped read, the JSON policy, then the strict model.

The contract's models are strict (a bool is never a number); in Python mode strict pydantic
also rejects ISO date strings, so the body is validated with ``model_validate_json`` — where
dates are read from JSON strings and every other type stays strict — after
``api.json_policy.decode_json`` has applied the one decoding policy to the same bytes.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from api.errors import invalid_input, without_values
from api.fast_route import read_body
from api.json_policy import decode_json
from risk.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


async def parse_json_body(request: Request, model: type[M], *, echo_values: bool = True) -> M:
    """``model`` from the request's JSON; 400/422 naming each place (no values if not ``echo_values``)."""
    raw = await read_body(request)
    try:
        decode_json(raw)
        return model.model_validate_json(raw)
    except ValidationError as error:
        refused = invalid_input(error)
    except InvalidInput as error:  # the JSON policy's 400/422
        refused = error
    raise (refused if echo_values else without_values(refused)) from None


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting ``model`` as the JSON body (its definitions inlined)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    content = {"application/json": {"schema": _inline(schema, definitions)}}
    return {"requestBody": {"required": True, "content": content}}


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline(v, definitions) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, definitions) for v in node]
    return node
