"""Use cases that amend or end a registration in force: update (ND-8), change of physician and cancellation (ND-14).

The row changes first, with a revision keeping the previous values and the reason; then the instance catches the
amendment (``registration_amended``) or the end (``registration_ended``), so its audit chain records it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.actors import Actor
from domain.dates import china_date
from domain.permissions import require
from domain.registration import lifecycle
from storage.registration import Registrations

from .. import clock
from ..context import Services
from . import engine_ops
from .ending import end_registration
from .facts import acting_physician, clinical_record, current_drugs, physician_by_code, registration_facts, write_record
from .queries import visible_row
from .views import RegistrationView, registration_view

AMENDED_MESSAGE = "registration_amended"


def update_registration(services: Services, actor: Actor, registration_id: str, record: Mapping[str, Any],
                        reason: str) -> RegistrationView:
    """ND-8: a senior physician of the hospital updates the clinical record, with a reason; not a reassessment."""
    with services.uow() as uow:
        row = visible_row(uow, actor, registration_id, lock=True)
        require(actor, "registration.update", row)
        now = clock.now(services, uow)
        physician = acting_physician(uow, actor)
        clinical = clinical_record(record)
        lifecycle.check_update(registration_facts(row), physician.facts, current_drugs(uow).get(row.drug), clinical,
                               reason, china_date(now))
        before, after = write_record(row, clinical)
        uow.repository(Registrations).add_revision(row.id, "updated", now, actor.user_id, after, before, reason)
        engine_ops.deliver(services, uow, actor, row.instance_id, AMENDED_MESSAGE, {"kind": "updated"}, now, reason)
        view = registration_view(row)
        uow.commit()
        return view


def change_physician(services: Services, actor: Actor, registration_id: str, physician_code: str,
                     reason: str) -> RegistrationView:
    """ND-14: the hospital amends the registered physician — another senior physician of it — with a reason."""
    with services.uow() as uow:
        row = visible_row(uow, actor, registration_id, lock=True)
        require(actor, "registration.amend", row)
        now = clock.now(services, uow)
        new = physician_by_code(uow, physician_code)
        amended = lifecycle.change_physician(registration_facts(row), new.facts, current_drugs(uow).get(row.drug),
                                             row.indication, reason, china_date(now))
        before = {"physician_code": row.physician_code}
        row.physician_code, row.physician_id = amended.physician_code, new.user.id
        uow.repository(Registrations).add_revision(row.id, "physician_changed", now, actor.user_id,
                                                   {"physician_code": row.physician_code}, before, reason)
        engine_ops.deliver(services, uow, actor, row.instance_id, AMENDED_MESSAGE, {"kind": "physician_changed"},
                           now, reason)
        view = registration_view(row)
        uow.commit()
        return view


def cancel_registration(services: Services, actor: Actor, registration_id: str, reason: str) -> RegistrationView:
    """ND-14: the hospital cancels a registration (or a pending renewal) today, with a reason; its tasks close."""
    with services.uow() as uow:
        row = visible_row(uow, actor, registration_id, lock=True)
        require(actor, "registration.amend", row)
        now = clock.now(services, uow)
        lifecycle.cancel(registration_facts(row), reason, china_date(now))
        end_registration(services, uow, actor, row, "cancelled", reason, now)
        view = registration_view(row)
        uow.commit()
        return view
