"""Access to the process-wide services from a view."""

from __future__ import annotations

from flask import current_app

from workflows.context import Services


def services() -> Services:
    """The services attached to the running app."""
    found: Services = current_app.extensions["yibao"]
    return found
