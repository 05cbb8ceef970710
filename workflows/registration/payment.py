"""Use cases of the payment configuration the bureau maintains (ND-15): each change is a new version."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.errors import InvalidInput, NotFound
from domain.permissions import require
from domain.registration.payment import PaymentConfig, PaymentRule, no_configuration, payment_config
from storage.registration_settlement import Settlements
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services
from .views import PaymentConfigView, PaymentRuleView

CONFIG_AGGREGATE = ("payment_config", "negotiated-drugs")  # one audit chain through every version
MAX_NOTE = 300


def _view(version: int, rows: Any) -> PaymentConfigView:
    first = rows[0]
    return PaymentConfigView(version, first.created_at, first.created_by, first.note,
                             [PaymentRuleView(r.insurance_type, r.tier, r.deductible, r.fund_ratio) for r in rows])


def set_payment_config(services: Services, actor: Actor, rules: Mapping[str, Mapping[str, Mapping[str, object]]],
                       note: str | None = None) -> PaymentConfigView:
    """Publish a new version of the configuration: {type: {tier: {deductible, fund_ratio}}}, checked (ND-15)."""
    require(actor, "registration.payment_config")
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(f"note must be at most {MAX_NOTE} characters", field="note")
    config = payment_config(rules)
    with services.uow() as uow:
        settlements = uow.repository(Settlements)
        latest = settlements.config_version()
        version = (latest[0] if latest else 0) + 1
        now = clock.now(services, uow)
        settlements.add_config_version([
            {"version": version, "insurance_type": kind, "tier": tier, "deductible": rule.deductible,
             "fund_ratio": rule.fund_ratio, "created_at": now, "created_by": actor.user_id, "note": note}
            for (kind, tier), rule in sorted(config.rules.items())
        ])
        _audit(uow, actor, now, version, config, note)
        view = PaymentConfigView(version, now, actor.user_id, note, [
            PaymentRuleView(kind, tier, rule.deductible, rule.fund_ratio)
            for (kind, tier), rule in sorted(config.rules.items())])
        uow.commit()
        return view


def _audit(uow: UnitOfWork, actor: Actor, at: datetime, version: int, config: PaymentConfig,
           note: str | None) -> None:
    aggregate_type, aggregate_id = CONFIG_AGGREGATE
    uow.audit.append(aggregate_type=aggregate_type, aggregate_id=aggregate_id, at=at, actor=actor.user_id,
                     actor_org=actor.org_id, action="payment_config.version_published", object_type="payment_config",
                     object_id=str(version), after={"version": version, "rules": config.to_plain(), "note": note})


def get_payment_config(services: Services, version: int | None = None) -> PaymentConfigView:
    """A version of the configuration (the one in force when None)."""
    with services.uow(read_only=True) as uow:
        found = uow.repository(Settlements).config_version(version)
        if found is None:
            what = "no payment configuration is published" if version is None else f"no configuration {version}"
            raise NotFound(what, code="payment_config_not_found")
        return _view(*found)


def config_in_force(uow: UnitOfWork) -> tuple[int, PaymentConfig]:
    """The configuration the settlement applies, as the domain reads it; none published refuses with ND-15."""
    found = uow.repository(Settlements).config_version()
    if found is None:
        raise no_configuration()
    version, rows = found
    return version, PaymentConfig({(r.insurance_type, r.tier): PaymentRule(r.deductible, r.fund_ratio) for r in rows})
