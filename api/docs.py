"""Swagger UI's files, served from the installed swagger-ui-bundle package: /docs contacts nothing outside."""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/docs/assets/"
# Swagger UI otherwise sends the OpenAPI document to validator.swagger.io for its badge whenever the page is
# reached by a name other than localhost; null turns the validator off.
SWAGGER_UI_CONFIG = {"validatorUrl": None}
assets = Blueprint("docs_assets", __name__)


@assets.route("/docs/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Send one Swagger UI file."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
