"""Checks every request makes before authentication and its view: the URL's length (414), NUL characters and lone
surrogates in the query and the path (422), path ids that are not visible text (422), query parameters the
operation does not declare in the OpenAPI document (422, as unknown body fields are), and a parameter given twice
that is not a list (422: webargs would read the first and never look at the second)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestURITooLarge

from domain.errors import InvalidInput
from domain.text import check_identifier, check_text

# Well below the request-line limit `yibao serve` gives gunicorn (8190 bytes), so the service answers in problem+json.
MAX_URL_LENGTH = 2048
_RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def _declared_query_parameters(api: Any) -> dict[tuple[str, str], dict[str, bool]]:
    """(OpenAPI path, method) → the query parameters the document declares for it, each with whether it is a list."""
    declared: dict[tuple[str, str], dict[str, bool]] = {}
    for path, operations in api.spec.to_dict().get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and method != "parameters":
                declared[(path, method.upper())] = {
                    p["name"]: p.get("schema", {}).get("type") == "array"
                    for p in operation.get("parameters", ()) if p.get("in") == "query"}
    return declared


def _check_query() -> None:
    for name, value in request.args.items(multi=True):
        check_text(name, "query")
        check_text(value, name)
    if request.url_rule is None or request.method == "OPTIONS":
        return
    declared = current_app.extensions["yibao_query_parameters"]
    path = _RULE_VARIABLE.sub(r"{\1}", request.url_rule.rule)
    allowed = declared.get((path, "GET" if request.method == "HEAD" else request.method))
    if allowed is None:  # not an API operation (the docs' own files)
        return
    for name in request.args:
        if name not in allowed:
            raise InvalidInput(f"unknown query parameter {name!r}; this operation takes "
                               f"{', '.join(sorted(allowed)) or 'none'}", code="invalid_input", field=name)
        if not allowed[name] and len(request.args.getlist(name)) > 1:
            raise InvalidInput(f"query parameter {name!r} is given more than once", code="invalid_input", field=name)


def _check_path() -> None:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            check_identifier(check_text(value, name), name)


def register(app: Flask, api: Any) -> None:
    """Check the URL of every request before anything else reads it."""
    app.extensions["yibao_query_parameters"] = _declared_query_parameters(api)

    @app.before_request
    def _check_url() -> None:
        length = len(request.environ.get("PATH_INFO", "")) + len(request.environ.get("QUERY_STRING", ""))
        if length > MAX_URL_LENGTH:
            raise RequestURITooLarge(f"the URL is longer than {MAX_URL_LENGTH} characters")
        _check_query()
        _check_path()
