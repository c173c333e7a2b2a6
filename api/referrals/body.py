"""Validate a strict request body from the raw JSON (FastAPI validates Python objects).

The contract's models are strict (a bool is never a number); in Python mode strict pydantic
also rejects ISO date strings, so the body is validated with ``model_validate_json`` —
where dates are read from JSON strings and every other type stays strict.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


async def parse_json_body(request: Request, model: type[M]) -> M:
    """``model`` validated from the request's raw JSON; RequestValidationError (422) if invalid."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        located = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(located, body=raw) from None


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
