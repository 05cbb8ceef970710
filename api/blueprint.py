"""The Blueprint every resource uses: flask-smorest's, with a webargs parser that reads bodies through the strict
JSON parser and refuses unknown query parameters as it refuses unknown body fields."""

from __future__ import annotations

from typing import Any

import flask
import flask_smorest
from marshmallow import RAISE
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from . import jsonio


class StrictParser(FlaskParser):
    """webargs' Flask parser, strict about bodies (see api.jsonio) and about unknown query parameters."""

    # webargs excludes unknown query parameters by default, so `?surprise=1` was silently ignored.
    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012 (webargs declares it so; never mutated)
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return jsonio.loads(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest has no types
    """A resource's blueprint (flask-smorest's documented extension point: ARGUMENTS_PARSER)."""

    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """flask-smorest's ``arguments``, with a schema class made into its instance once, here: given the class,
        webargs builds a new instance (copying every declared field) on each request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)
