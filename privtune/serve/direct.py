"""Direct dispatch of the inference routes, past FastAPI's per-request machinery.

`/v1/chat/completions` and `/v1/completions` stay FastAPI routes (they are in the route table
the role policy walks, and in /openapi.json), but once the gateway middleware has authenticated
the caller, checked the role and the rate limit and read the body, it calls their endpoint
itself: the body is validated by pydantic straight from the JSON bytes, and the endpoint's
response is sent as is. That skips FastAPI's request wrapper, dependency solver, exception and
exit-stack middlewares and a ``json.loads`` + Python-mode validation, about a third of what the
gateway cost per request (benchmarks/serve_overhead.py, ``python_calls_per_request``).

Semantics kept: a body that is not JSON, or is declared with a non-JSON content type, or that
fails validation gets the same OpenAI 400 error FastAPI's path gives (`validation_error_response`:
location and message only, never the input, which would echo the prompt).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from privtune.serve.schemas import error_response


# pydantic puts the branch of a union (or a validator's name) into an error's location: "stop.str",
# "stop.list[str].1". Clients read ``param`` as a field name: the path ends before such a tag.
_TYPE_TAG = re.compile(r"^(str|int|float|bool|none|list|dict|.*[\[(].*)$")


def _field_path(loc: Any) -> list[Any]:
    path: list[Any] = []
    for part in loc:
        if part == "body" and not path:
            continue
        if isinstance(part, str) and _TYPE_TAG.match(part):
            break
        path.append(part)
    return path


def validation_error_response(errors: list[Any]) -> JSONResponse:
    """400 naming the first error's location and message (pydantic's ``input`` is left out)."""
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid" or first.get("msg") == "JSON decode error":
        # the location is the decoder's character offset, not a field: it was "1: JSON decode error", param "1"
        at = next((x for x in first.get("loc", ()) if isinstance(x, int)), None)
        reason = str((first.get("ctx") or {}).get("error", ""))
        if "surrogate" in reason or "hex escape" in reason:
            # Python's json reads "\ud83d" alone, so this parse is the only one that objects; JavaScript
            # clients send it for a string cut inside an emoji. Named, the client can find it.
            return error_response(400, "the body is not valid JSON: a \\u escape is half of a UTF-16 surrogate "
                                  "pair (\\ud800-\\udfff without its other half, e.g. text cut inside an emoji)",
                                  "invalid_json")
        return error_response(400, "the body is not valid JSON" + (f" (at character {at})" if at is not None else ""),
                              "invalid_json")
    # an unknown field (`unserved.misspelt_field`) is named by its error, the request's whole body by its location
    loc = ".".join(str(x) for x in _field_path(first.get("loc", ()))) or str((first.get("ctx") or {}).get("field", ""))
    return error_response(400, f"{loc or 'body'}: {first.get('msg')}", "invalid_request", loc or None)


def _is_json(content_type: bytes | None) -> bool:
    """FastAPI's rule (strict content type): ``application/json`` or ``application/*+json``, required."""
    if not content_type:
        return False
    mime = content_type.split(b";", 1)[0].strip().lower()
    maintype, _, subtype = mime.partition(b"/")
    return maintype == b"application" and (subtype == b"json" or subtype.endswith(b"+json"))


def _unparsable(body: bytes, errors: list[Any]) -> JSONResponse:
    """FastAPI's answer to a body that is not JSON (its decoder's offset as the location); only
    failed requests pay for this second parse."""
    if "recursion limit" in str((errors[0].get("ctx") or {}).get("error", "")):
        # pydantic's parser stops at 200 levels; the second parse then raised RecursionError from
        # 1,000 levels (a 500 for `[[[[...`, a few kB): no OpenAI body nests anywhere near that deep
        return error_response(400, "the body nests too deeply (more than 200 levels of arrays or objects)",
                              "invalid_json")
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        return validation_error_response([{"loc": ("body", exc.pos), "msg": "JSON decode error"}])
    except ValueError:  # not UTF-8
        return error_response(400, "There was an error parsing the body", "http_error")
    return validation_error_response(errors)


class DirectRoutes:
    """Endpoint function -> its body model, for the routes the middleware dispatches itself."""

    def __init__(self, routes: dict[Callable[..., Any], type[BaseModel]]) -> None:
        self.routes = routes

    def __contains__(self, endpoint: object) -> bool:
        return endpoint in self.routes

    async def __call__(self, endpoint: Callable[..., Any], scope: Scope, receive: Receive, send: Send,
                       body: bytes) -> None:
        """Validate ``body`` (already read, size-checked) and run ``endpoint``; ``receive`` is the
        connection's own, which a streaming response watches for the client going away."""
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), None)
        response: Any
        if not body:
            response = validation_error_response([{"loc": ("body",), "msg": "Field required"}])
        elif not _is_json(content_type):
            response = validation_error_response(
                [{"loc": ("body",), "msg": "Input should be a valid dictionary or object to extract fields from"}])
        else:
            try:
                parsed = self.routes[endpoint].model_validate_json(body)
            except ValidationError as exc:
                errors = exc.errors(include_input=False, include_url=False)
                response = (_unparsable(body, errors) if errors and errors[0]["type"] == "json_invalid"
                            else validation_error_response(errors))
            else:
                response = await endpoint(Request(scope, receive), parsed)
        if not isinstance(response, Response):
            response = JSONResponse(response)
        await response(scope, receive, send)
