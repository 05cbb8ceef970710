"""Consumable catalog admission (医保医用耗材目录准入): the process slice of the workflows layer.

Importing the package registers what the slice adds to the service: its permissions (``domain.admission.access``,
into ``domain.permissions``), the functions its diagrams call (``script_functions``), and the projectors of its
three diagrams (``application_projector``, ``round_projector``, ``change_projector``); ``bind`` receives the
services ``build_services`` built. The use cases are in ``applications``, ``documents``, ``rounds``,
``round_messages``, ``catalog_changes``, ``catalog_entries``, ``payment`` and ``queue``; ``load_demo`` publishes the
demo region ratios. ``docs/admission.md`` describes the process.
"""

from __future__ import annotations

from domain.admission.access import RULES
from domain.permissions import add_rules

from . import application_projector, change_projector, round_projector, script_functions
from .binding import bind
from .demo import load_demo, load_samples

add_rules(RULES)

__all__ = ["application_projector", "bind", "change_projector", "load_demo", "load_samples", "round_projector",
           "script_functions"]
