"""The negotiated-drug "three-fixed" registration slice (谈判药品门诊 "三定", ND-1…ND-16).

Importing the package plugs the process in (``workflows/processes.py`` names it in ``SLICES``): its permissions join
the table (``domain.registration.access.RULES``), its diagram's scripts may call ``registration_timers``, and its
projector keeps the ``registrations`` read model in step with every engine step; ``load_demo`` adds its demo data.
"""

from __future__ import annotations

from domain.permissions import add_rules
from domain.registration.access import RULES
from domain.registration.timers import registration_timers

from ..script_functions import add_script_functions
from . import projector
from .demo import load_demo

add_rules(RULES)  # a package runs once per process
add_script_functions({"registration_timers": registration_timers})

__all__ = ["load_demo", "projector"]
