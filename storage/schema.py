"""Every table of the service: import this (not one model module) to get the complete metadata."""

from __future__ import annotations

from . import admission_models, calendar_models, catalog_models, identity_models, registration_models, task_models
from .models import Base

metadata = Base.metadata

__all__ = [
    "Base", "admission_models", "calendar_models", "catalog_models", "identity_models", "metadata",
    "registration_models", "task_models",
]
