"""The annual account of a registration's benefit year (ND-9) and the reversal of a dispensing, which restores the
limit and is audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput
from domain.permissions import require
from domain.registration.dates import registration_year
from domain.registration.settlement import AnnualAccount, PaymentSplit, reverse
from storage.registration_settlement import SettlementPath, Settlements

from .. import clock
from ..context import Services
from .facts import registration_facts
from .queries import visible_row
from .settlement import visible_dispensing
from .views import AnnualAccountView, DispensingView, dispensing_view

MAX_REASON = 500


def reverse_dispensing(services: Services, actor: Actor, dispensing_id: str, reason: str) -> DispensingView:
    """Reverse a settled dispensing: the fund's part returns to the annual limit, the deductible part reopens (ND-9);
    by its dispenser or the bureau, with a reason, once."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidInput(f"give a reason of 1–{MAX_REASON} characters", field="reason")
    with services.uow() as uow:
        settlements = uow.repository(Settlements)
        found = visible_dispensing(uow, actor, dispensing_id)
        require(actor, "registration.reverse", found)
        path = uow.core(SettlementPath)
        account = path.lock_account_by_id(found.account_id)
        row = settlements.dispensing(dispensing_id, lock=True)
        if account is None or row is None or row.reversed_at is not None:
            raise Conflict(f"dispensing {dispensing_id} is already reversed", code="already_reversed")
        now = clock.now(services, uow)
        split = PaymentSplit(row.amount, row.fund, row.deductible_part, row.ratio_part, row.over_limit_part)
        after = reverse(AnnualAccount(account["annual_limit"], account["fund_paid"], account["deductible_met"]),
                        split)
        settlements.mark_reversed(row.id, now, actor.user_id, reason.strip())
        path.save(account, account["annual_limit"], after.fund_paid, after.deductible_met, now,
                  actor=actor.user_id, actor_org=actor.org_id, action="dispensing.reversed", dispensing_id=row.id,
                  after={"fund_returned": str(split.fund), "fund_paid": str(after.fund_paid)}, reason=reason.strip())
        view = dispensing_view(settlements.dispensing(row.id))
        uow.commit()
        return view


def annual_account(services: Services, actor: Actor, registration_id: str) -> AnnualAccountView:
    """The annual accounting of the registration's benefit year: limit, spent, remaining, dispensings (ND-9)."""
    with services.uow(read_only=True) as uow:
        row = visible_row(uow, actor, registration_id)
        require(actor, "registration.account", row)
        year = registration_year(registration_facts(row))
        settlements = uow.repository(Settlements)
        account = settlements.account(row.psn_no, row.drug, year.start)
        drug = settlements.current_drug(row.drug)
        zero = Decimal("0.00")
        limit = drug.annual_limit if drug is not None else (account.annual_limit if account else zero)
        totals = AnnualAccount(limit, account.fund_paid if account else zero,
                               account.deductible_met if account else zero)
        dispensings = settlements.dispensings_of_account(account.id) if account is not None else []
        return AnnualAccountView(
            registration_id=row.id, psn_no=row.psn_no, drug=row.drug, year_start=year.start,
            year_last_day=year.end - timedelta(days=1), annual_limit=totals.annual_limit,
            fund_paid=totals.fund_paid, remaining=totals.remaining_limit, deductible_met=totals.deductible_met,
            dispensings=[dispensing_view(d) for d in dispensings],
        )
