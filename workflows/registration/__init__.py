"""The negotiated-drug "three-fixed" registration slice (谈判药品门诊 "三定", ND-1…ND-16).

Importing the package plugs the process in (``workflows/processes.py`` names it in ``SLICES``): its permissions join
the table (``domain.registration.access.RULES``), its diagram's scripts may call ``registration_timers``, and its
projector keeps the ``registrations`` read model in step with every engine step; ``load_demo`` adds its demo data.
"""

from __future__ import annotations

from typing import Any

from domain.actors import SYSTEM
from domain.permissions import add_rules
from domain.registration.access import RULES
from domain.registration.timers import registration_timers

from .. import housekeeping
from ..context import Services
from ..script_functions import add_script_functions
from . import drug_list, projector
from .demo import load_demo, load_samples

add_rules(RULES)  # a package runs once per process
add_script_functions({"registration_timers": registration_timers})


def _end_registrations_of_ended_drugs(services: Services) -> Any:
    """ND-12 without waiting for the bureau: the worker ends the registrations of drugs whose agreement ended."""
    return drug_list.end_registrations_of_ended_drugs(services, SYSTEM)


housekeeping.register("registration.agreement_endings", _end_registrations_of_ended_drugs)

__all__ = ["load_demo", "load_samples", "projector"]
