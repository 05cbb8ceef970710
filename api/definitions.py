"""Process definitions: deploy a diagram version, list versions, show one with its BPMN."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows import definitions

from .auth import current_actor
from .blueprint import Blueprint
from .schemas import DefinitionDetailOut, DefinitionOut, DefinitionQuery, DeployIn, DeployOut
from .services import services

blp = Blueprint("definitions", __name__, url_prefix="/process-definitions", description="Deployed diagram versions")


@blp.route("")
class Definitions(MethodView):
    @blp.arguments(DefinitionQuery, location="query")
    @blp.response(200, DefinitionOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """List every deployed version, by key then version."""
        return definitions.list_definitions(services(), query["key"])

    @blp.arguments(DeployIn)
    @blp.response(201, DeployOut)
    @blp.alt_response(200, schema=DeployOut, description="the same diagram and forms were deployed already (no-op)")
    def post(self, body: dict[str, Any]) -> Any:
        """Deploy a diagram; every script and expression is checked first (refusals name the element)."""
        result = definitions.deploy(services(), current_actor(), body["bpmn"], body["filename"],
                                    definitions.forms_with_defaults(services(), body["forms"]))
        return result, (201 if result.created else 200)


@blp.route("/<definition_id>")
class Definition(MethodView):
    @blp.response(200, DefinitionDetailOut)
    def get(self, definition_id: str) -> Any:
        """Show one deployed version with its BPMN text."""
        return definitions.get_definition(services(), definition_id)
