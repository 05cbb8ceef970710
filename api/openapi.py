"""The OpenAPI description as the service answers: every error response of every operation is
``application/problem+json`` with the Problem schema (flask-smorest would document them as application/json with
its own error shape), and a query parameter is absent or a value, never null. An apispec plugin, so every
blueprint is covered without a decorator per view."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import APISpec, BasePlugin
from marshmallow import INCLUDE, Schema, fields

PROBLEM_JSON = "application/problem+json"


class FieldErrorOut(Schema):
    field = fields.String(required=True, metadata={"example": "price"})
    message = fields.String(required=True, metadata={"example": "Not a valid number."})


class ProblemOut(Schema):
    """RFC 7807 problem details; more members (element_id, retry_after, …) come with some codes."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"example": "/problems/invalid_input"})
    title = fields.String(required=True, metadata={"example": "Invalid input"})
    status = fields.Integer(required=True, metadata={"example": 422})
    code = fields.String(required=True, metadata={"description": "stable snake_case code", "example": "invalid_input"})
    detail = fields.String(required=True, metadata={"example": "price: not a valid amount"})
    request_id = fields.String(metadata={"description": "the X-Request-Id of the request",
                                         "example": "4335a0207f264fe1b4d5c61d328ade72"})
    field = fields.String(metadata={"description": "the input at fault", "example": "price"})
    rule = fields.String(metadata={"description": "the POLICY.md rule that refuses the request", "example": "CA-2"})
    errors = fields.List(fields.Nested(FieldErrorOut), metadata={
        "description": "every field at fault", "example": [{"field": "price", "message": "Not a valid number."}]})


# Status → (component name, what it means here).
RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "malformed request: the body is not JSON (bad_request)"),
    "401": ("Unauthenticated", "no valid bearer token (missing_token, invalid_token, …)"),
    "403": ("Forbidden", "the caller may not do this"),
    "404": ("NotFound", "no such object, or one the caller may not see"),
    "409": ("Conflict", "the request collides with the current state"),
    "413": ("BodyTooLarge", "the body is larger than 4 MiB (body_too_large)"),
    "414": ("UriTooLong", "the path and query are longer than 2048 characters (uri_too_long)"),
    "422": ("InvalidInput", "input refused, naming the field: see the input rules in docs/api.md"),
    "429": ("TooManyRequests", "too many attempts; see Retry-After"),
    "503": ("Unavailable", "the database does not answer"),
    "default": ("Problem", "any other error"),
}


def _status(code: str) -> int | None:
    return int(code) if code.isdigit() else None


class ProblemPlugin(BasePlugin):
    """Documents the errors every operation can answer, each as problem+json."""

    def init_spec(self, spec: APISpec) -> None:
        spec.components.schema("Problem", schema=ProblemOut)
        for name, description in RESPONSES.values():
            spec.components.response(name, {"description": description,
                                            "content": {PROBLEM_JSON: {"schema": "Problem"}}})

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            responses = {str(code): response for code, response in operation.get("responses", {}).items()}
            for code in _common_errors(path or "", operation):
                responses.setdefault(code, RESPONSES[code][0])
            for code, response in responses.items():
                status = _status(code)
                if code == "default" or (status is not None and status >= 400):
                    responses[code] = _as_problem(code, response)
            operation["responses"] = responses
            for parameter in operation.get("parameters", ()):
                if isinstance(parameter, dict) and parameter.get("in") == "query":
                    _not_null(parameter.get("schema", {}))


def _not_null(schema: dict[str, Any]) -> None:
    """A query string cannot say null: an optional parameter is simply left out (marshmallow's None default)."""
    schema.pop("nullable", None)
    if "default" in schema and schema["default"] is None:
        del schema["default"]
    if "enum" in schema:
        schema["enum"] = [value for value in schema["enum"] if value is not None]


def _common_errors(path: str, operation: dict[str, Any]) -> list[str]:
    codes = ["414", "422", "default"]
    if operation.get("security") is None:  # the global bearer requirement applies
        codes += ["401", "403"]
    if "requestBody" in operation:
        codes += ["400", "413"]
    if "{" in path:
        codes.append("404")
    return codes


def _as_problem(code: str, response: Any) -> Any:
    """A documented error as problem+json, keeping a view's own description and headers."""
    if isinstance(response, str) or not isinstance(response, dict):  # flask-smorest's own error components
        return RESPONSES.get(code, RESPONSES["default"])[0]
    status = _status(code)
    known = status is not None and status in HTTPStatus._value2member_map_
    fallback = HTTPStatus(status).phrase if known and status is not None else RESPONSES["default"][1]
    documented = {"description": response.get("description") or fallback,
                  "content": {PROBLEM_JSON: {"schema": "Problem"}}}
    if "headers" in response:
        documented["headers"] = response["headers"]
    return documented


def decimal_strings(_converter: Any, field: fields.Field[Any], **_kwargs: Any) -> dict[str, Any]:
    """A Decimal sent as a string ("8085.00", "0.7500") is documented as a string with a decimal pattern, never as a
    number: apispec would call it a number, and a client reading the document would parse floats."""
    if not (isinstance(field, fields.Decimal) and field.as_string):
        return {}
    places = field.places  # a quantum such as Decimal("0.01"), or None
    fraction = r"\d+" if places is None else r"\d{" + str(-int(places.as_tuple().exponent)) + "}"
    return {"type": "string", "pattern": field.metadata.get("pattern", rf"^-?\d+\.{fraction}$")}
