"""Demo data of the registration: the illustrative payment configuration (ND-15), published once.

The demo hospitals, physicians (senior and not), dual-channel pharmacies and the 23 drugs come from
``workflows/demo.py``, which calls this through ``workflows/processes.py``'s slices. ``load_samples`` registers one
patient (``yibao demo load --samples``).
"""

from __future__ import annotations

from domain.actors import SYSTEM
from domain.errors import NotFound
from domain.registration.access import PROCESS_KEY
from domain.registration.demo_payment import DEMO_PAYMENT_RULES

from .. import demo
from ..context import Services
from ..definitions import list_definitions
from .patients import record_patient
from .payment import get_payment_config, set_payment_config
from .queries import RegistrationFilter, list_registrations
from .register import RegistrationInput, register


def load_demo(services: Services) -> None:
    """Publish the demo payment configuration unless one is published (idempotent)."""
    try:
        get_payment_config(services)
    except NotFound:
        set_payment_config(services, SYSTEM, DEMO_PAYMENT_RULES, "demo values, not policy")


SAMPLE_PSN = "52010000000000000201"


def load_samples(services: Services) -> None:
    """A patient registered by H1's senior rheumatologist for 托法替布 (ND-2…ND-7), so that the physician's list
    and the pharmacist's dispensing have one to work with; nothing when the registration diagram is not deployed
    or the sample exists (idempotent)."""
    if not list_definitions(services, PROCESS_KEY):
        return
    doctor = demo.actor(services, "h1.dr.chen")
    if list_registrations(services, doctor, RegistrationFilter(psn_no=SAMPLE_PSN), 1).items:
        return
    patient = {"psn_no": SAMPLE_PSN, "insurance_type": "employee", "insurance_region": "520100", "entitled": True}
    record_patient(services, doctor, SAMPLE_PSN, "employee", "520100", True)
    register(services, doctor, RegistrationInput(patient, "托法替布", {
        "diagnosis_code": "M05.900", "diagnosis_name": "类风湿关节炎", "diagnostic_basis": "ACR/EULAR 2010 评分 7 分",
        "indication": "类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%", "indication_confirmed": True,
        "prescription": {"dose": "5 mg", "frequency": "每日2次", "quantity_per_fill": "56"}}))
