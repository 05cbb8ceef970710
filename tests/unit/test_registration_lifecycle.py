"""After registration: ND-8 reassessment and update, ND-14 change and cancellation, ND-7 renewal, ND-12 drug end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.errors import PolicyViolation
from domain.registration.dates import reassessment_due, status
from domain.registration.eligibility import Period
from domain.registration.lifecycle import (
    Ending,
    cancel,
    change_hospital,
    change_physician,
    check_update,
    endings_for_drug_list,
    reassess,
    renew,
)
from tests.unit.registration_factories import (
    COLLEAGUE,
    DRUGS,
    OTHER_HOSPITAL,
    PHYSICIAN,
    RECORD,
    registration,
    request,
)

TOFACITINIB = DRUGS["托法替布"]
REG = registration()  # 2026-08-31 to 2027-08-31, reassessment due 2027-02-28


def refused(call: object) -> tuple[str | None, str | None]:
    """(rule, field) of the PolicyViolation raised by ``call``."""
    assert callable(call)
    with pytest.raises(PolicyViolation) as exc:
        call()
    return exc.value.rule, exc.value.field


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 3, 15)])  # active, then suspended
def test_nd8_reassessment_counts_the_next_due_date_from_the_day_it_is_done(today: date) -> None:
    done = reassess(REG, PHYSICIAN, TOFACITINIB, RECORD, today)
    assert done.last_reassessed_on == today
    assert status(done, today) == "active"
    assert reassessment_due(done) == (date(2027, 6, 1) if today.month == 12 else None)


def test_nd8_any_senior_physician_of_the_same_hospital_may_reassess() -> None:
    assert reassess(REG, COLLEAGUE, TOFACITINIB, RECORD, date(2027, 2, 1)).last_reassessed_on == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("physician", "drug", "record", "expected"),
    [
        (replace(COLLEAGUE, title="主治医师"), TOFACITINIB, RECORD, ("ND-4", "physician")),
        (replace(COLLEAGUE, hospital_code=OTHER_HOSPITAL.code), TOFACITINIB, RECORD, ("ND-4", "physician")),
        (replace(COLLEAGUE, specialty="cardiology"), TOFACITINIB, RECORD, ("ND-16", "physician")),
        (PHYSICIAN, None, RECORD, ("ND-12", "drug")),
        (PHYSICIAN, replace(TOFACITINIB, agreement_start=date(2025, 1, 1), agreement_end=date(2026, 12, 31)), RECORD,
         ("ND-12", "drug")),
        (PHYSICIAN, TOFACITINIB, replace(RECORD, indication_confirmed=False), ("ND-5", "indication_confirmed")),
        (PHYSICIAN, TOFACITINIB, replace(RECORD, diagnosis_code="M5"), ("ND-6", "diagnosis_code")),
    ],
)
def test_nd8_reassessment_follows_the_registration_rules(physician: object, drug: object, record: object,
                                                         expected: tuple[str, str]) -> None:
    assert refused(lambda: reassess(REG, physician, drug, record, date(2027, 2, 1))) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reg", "today"),
    [
        (REG, date(2027, 8, 31)),  # expired
        (registration(ended_on=date(2026, 12, 1), end_reason="cancelled"), date(2027, 1, 1)),
        (registration(start=date(2027, 8, 31)), date(2027, 8, 1)),  # a renewal not yet begun
    ],
)
def test_nd8_only_an_active_or_suspended_registration_is_reassessed(reg: object, today: date) -> None:
    assert refused(lambda: reassess(reg, PHYSICIAN, TOFACITINIB, RECORD, today)) == (  # type: ignore[arg-type]
        "ND-8", "registration")


def test_nd8_update_needs_a_reason_and_a_senior_physician_of_the_hospital() -> None:
    check_update(REG, COLLEAGUE, TOFACITINIB, RECORD, "剂量调整", date(2027, 3, 15))  # suspended: still updatable
    assert refused(lambda: check_update(REG, PHYSICIAN, TOFACITINIB, RECORD, " ", date(2026, 9, 1))) == (
        "ND-8", "reason")
    assert refused(lambda: check_update(REG, PHYSICIAN, TOFACITINIB, RECORD, "x" * 501, date(2026, 9, 1))) == (
        "ND-8", "reason")
    junior = replace(COLLEAGUE, title="住院医师")
    assert refused(lambda: check_update(REG, junior, TOFACITINIB, RECORD, "剂量调整", date(2026, 9, 1))) == (
        "ND-4", "physician")
    assert refused(lambda: check_update(REG, PHYSICIAN, TOFACITINIB, RECORD, "剂量调整", date(2027, 9, 1))) == (
        "ND-8", "registration")


def test_nd14_change_of_physician_amends_the_registration() -> None:
    amended = change_physician(REG, COLLEAGUE, TOFACITINIB, RECORD.indication, "原医师调离", date(2026, 10, 1))
    assert amended == replace(REG, physician_code=COLLEAGUE.code)
    assert status(amended, date(2026, 10, 1)) == "active"


@pytest.mark.parametrize(
    ("physician", "reason", "expected"),
    [
        (PHYSICIAN, "原医师调离", ("ND-14", "physician")),  # already the registered one
        (replace(COLLEAGUE, title="主治医师"), "原医师调离", ("ND-4", "physician")),
        (replace(COLLEAGUE, hospital_code=OTHER_HOSPITAL.code), "原医师调离", ("ND-4", "physician")),
        (replace(COLLEAGUE, specialty="neurology"), "原医师调离", ("ND-16", "physician")),
        (COLLEAGUE, "", ("ND-14", "reason")),
    ],
)
def test_nd14_change_of_physician_is_refused_without_a_reason_or_to_an_ineligible_physician(
    physician: object, reason: str, expected: tuple[str, str]
) -> None:
    assert refused(lambda: change_physician(REG, physician, TOFACITINIB, RECORD.indication,  # type: ignore[arg-type]
                                            reason, date(2026, 10, 1))) == expected


def test_nd14_cancellation_ends_the_registration_today_with_its_reason() -> None:
    ended = cancel(REG, "患者要求", date(2026, 10, 1))
    assert (ended.ended_on, ended.end_reason) == (date(2026, 10, 1), "cancelled")
    assert status(ended, date(2026, 9, 30)) == "active"
    assert status(ended, date(2026, 10, 1)) == "ended"
    assert refused(lambda: cancel(REG, "", date(2026, 10, 1))) == ("ND-14", "reason")
    assert refused(lambda: cancel(ended, "再次取消", date(2026, 10, 2))) == ("ND-14", "registration")
    assert refused(lambda: cancel(REG, "过期后取消", date(2027, 8, 31))) == ("ND-14", "registration")


def test_nd14_a_pending_renewal_can_be_cancelled_before_it_begins() -> None:
    pending = registration(start=date(2027, 8, 31), id="r2")
    assert status(cancel(pending, "不再续期", date(2027, 8, 10)), date(2027, 9, 1)) == "ended"


def test_nd14_change_of_hospital_ends_the_old_registration_and_registers_until_its_end() -> None:
    moved_physician = replace(PHYSICIAN, code="D450104000009", hospital_code=OTHER_HOSPITAL.code)
    req = request(hospital=OTHER_HOSPITAL, physician=moved_physician)
    change = change_hospital(REG, req, [REG], "患者迁居", date(2027, 1, 10))
    assert [(r.id, r.ended_on, r.end_reason) for r in change.ended] == [("r1", date(2027, 1, 10), "hospital_changed")]
    assert change.new.hospital_code == OTHER_HOSPITAL.code
    assert change.new.period == Period(date(2027, 1, 10), date(2027, 8, 31), date(2026, 8, 31))  # same benefit year
    new = change.new.facts("r3")
    assert reassessment_due(new) == date(2027, 7, 10)  # the new hospital's assessment is the anchor
    assert status(new, date(2027, 1, 10)) == "active"


def test_nd14_change_of_hospital_also_ends_a_renewal_pending_at_the_old_hospital() -> None:
    pending = registration(start=date(2027, 8, 31), id="r2")
    req = request(hospital=OTHER_HOSPITAL, physician=replace(PHYSICIAN, hospital_code=OTHER_HOSPITAL.code))
    change = change_hospital(REG, req, [REG, pending], "患者迁居", date(2027, 8, 15))
    assert [(r.id, r.end_reason) for r in change.ended] == [("r1", "hospital_changed"), ("r2", "hospital_changed")]


@pytest.mark.parametrize(
    ("req", "reason", "today", "expected"),
    [
        (request(), "患者迁居", date(2027, 1, 10), ("ND-14", "hospital")),  # the same hospital
        (request(hospital=replace(OTHER_HOSPITAL, tier=2)), "患者迁居", date(2027, 1, 10), ("ND-3", "hospital")),
        (request(hospital=OTHER_HOSPITAL), "", date(2027, 1, 10), ("ND-14", "reason")),
        (request("巴瑞替尼", hospital=OTHER_HOSPITAL), "患者迁居", date(2027, 1, 10), ("ND-14", "drug")),
        (request(hospital=OTHER_HOSPITAL), "患者迁居", date(2027, 9, 1), ("ND-14", "registration")),  # expired
    ],
)
def test_nd14_change_of_hospital_is_checked_like_a_new_registration(req: object, reason: str, today: date,
                                                                   expected: tuple[str, str]) -> None:
    assert refused(lambda: change_hospital(REG, req, [REG], reason, today)) == expected  # type: ignore[arg-type]


def test_nd7_renewal_in_the_last_month_continues_from_the_old_end_and_reassesses_the_current() -> None:
    current = registration(last_reassessed_on=date(2027, 2, 28))  # next due 2027-08-28, three days before the end
    renewal = renew(current, request(), [current], date(2027, 8, 10))
    assert renewal.new.period == Period(date(2027, 8, 31), date(2028, 8, 31), date(2027, 8, 31))
    assert renewal.current.last_reassessed_on == date(2027, 8, 10)
    assert status(renewal.current, date(2027, 8, 29)) == "active"  # not suspended for its last days
    assert status(renewal.new.facts("r2"), date(2027, 8, 30)) == "pending"
    assert status(renewal.new.facts("r2"), date(2027, 8, 31)) == "active"


@pytest.mark.parametrize(
    ("today", "req", "others", "expected"),
    [
        (date(2027, 7, 30), request(), (), ("ND-7", "registration")),  # before the last month
        (date(2027, 8, 31), request(), (), ("ND-7", "registration")),  # expired: a new registration, not a renewal
        (date(2027, 8, 10), request(hospital=OTHER_HOSPITAL), (), ("ND-7", "hospital")),
        (date(2027, 8, 10), request(), (registration(start=date(2027, 8, 31), id="r2"),), ("ND-3", "drug")),
        (date(2027, 8, 10), request(physician=replace(PHYSICIAN, title="主治医师")), (), ("ND-4", "physician")),
    ],
)
def test_nd7_renewal_only_in_the_last_month_at_the_same_hospital_once(today: date, req: object,
                                                                      others: tuple[object, ...],
                                                                      expected: tuple[str, str]) -> None:
    assert refused(lambda: renew(REG, req, [REG, *others], today)) == expected  # type: ignore[arg-type, list-item]


def test_nd7_a_suspended_registration_can_be_renewed_in_its_last_month() -> None:
    assert status(REG, date(2027, 8, 1)) == "suspended"
    assert renew(REG, request(), [REG], date(2027, 8, 1)).new.period.start == date(2027, 8, 31)


def test_nd12_registrations_end_the_day_after_their_drugs_agreement_ends() -> None:
    ending = replace(TOFACITINIB, agreement_start=date(2025, 1, 1), agreement_end=date(2026, 12, 31))
    drugs = {**DRUGS, "托法替布": ending}
    regs = [
        REG,  # active
        registration(id="r2", start=date(2026, 2, 1)),  # suspended since 2026-08-01
        registration(id="r3", start=date(2025, 6, 1)),  # expired 2026-06-01: not selected
        registration(id="r4", ended_on=date(2026, 10, 1), end_reason="cancelled"),  # already ended
        registration(id="r5", drug="巴瑞替尼"),  # its agreement goes on
    ]
    assert endings_for_drug_list(regs, drugs, date(2027, 1, 5)) == [
        Ending("r1", date(2027, 1, 1), "agreement_ended"),
        Ending("r2", date(2027, 1, 1), "agreement_ended"),
    ]
    assert endings_for_drug_list(regs, drugs, date(2026, 12, 31)) == []  # the last day of the agreement is covered


def test_nd12_registrations_of_a_drug_that_left_the_list_end_today() -> None:
    drugs = {name: row for name, row in DRUGS.items() if name != "托法替布"}
    pending = registration(id="r2", start=date(2027, 8, 31))
    assert endings_for_drug_list([REG, pending], drugs, date(2027, 8, 1)) == [
        Ending("r1", date(2027, 8, 1), "drug_delisted"),
        Ending("r2", date(2027, 8, 1), "drug_delisted"),
    ]
