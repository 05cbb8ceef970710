"""The Flask app factory of Yibao Flow."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import UnicodeConverter

from domain.text import IDENTIFIER_PATTERN
from workflows.context import Services, build_services
from workflows.settings import Settings, load_settings

from . import (
    audit,
    auth,
    calendar,
    catalog,
    clock,
    console,
    definitions,
    directory,
    docs,
    drugs,
    errors,
    health,
    incidents,
    instances,
    jsonio,
    messages,
    metrics,
    openapi,
    requestcheck,
    requestlog,
    sessions,
    tasks,
)

API_VERSION = "0.1.0"
# The mission processes' API modules; each exposes BLUEPRINTS (docs/architecture.md, "How a new process plugs in").
SLICES = (
    "api.admission", "api.admission_rounds", "api.admission_changes", "api.admission_catalog", "api.registration",
)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Build the app for ``settings`` (default: the YIBAO_* environment)."""
    settings = settings or (services.settings if services else load_settings())
    app = Flask(__name__, static_folder=None)
    if settings.trusted_proxies:  # only then is X-Forwarded-For believed (the login throttle keys on the address)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.config.update(_openapi_config())
    app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024
    app.json = jsonio.StrictJSONProvider(app)
    requestlog.configure_logging(settings.log_level)
    app.extensions["yibao"] = services or build_services(settings)
    api = Api(app, spec_kwargs={"info": {"description": _DESCRIPTION}, "security": [{"bearerAuth": []}],
                                "extra_plugins": [openapi.ProblemPlugin()]})
    api.spec.components.security_scheme("bearerAuth", auth.BEARER)
    api.ma_plugin.converter.add_attribute_function(openapi.decimal_strings)
    # Path variables are ids and codes: documented as the identifiers requestcheck enforces.
    api.register_converter(UnicodeConverter, lambda _converter: {"type": "string", "pattern": IDENTIFIER_PATTERN})
    for module in (health, sessions, directory, definitions, instances, tasks, messages, incidents, clock, metrics,
                   audit, catalog, drugs, calendar):
        api.register_blueprint(module.blp)
    for name in SLICES:
        for blueprint in importlib.import_module(name).BLUEPRINTS:
            api.register_blueprint(blueprint)
    app.register_blueprint(docs.assets)
    console.register(app, settings)
    requestlog.register(app)
    metrics.register(app)
    requestcheck.register(app, api)
    auth.register(app)
    errors.register(app)
    return app


def _openapi_config() -> dict[str, Any]:
    return {
        "API_TITLE": "Yibao Flow (医保流程服务)",
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": docs.ASSETS_URL,
        "OPENAPI_SWAGGER_UI_CONFIG": docs.SWAGGER_UI_CONFIG,
    }


_DESCRIPTION = (
    "Workflow service for medical-insurance administration: consumable catalog admission and negotiated-drug "
    "three-fixed registration, run as BPMN diagrams. Errors are RFC 7807 problem+json with a stable `code`."
)
