"""Insured patients (参保人) as the hospitals know them, keyed by the insured person number (人员编号, psn_no).

A national ID number (公民身份号码, GB 11643-1999) is personal data the service never keeps in clear and never logs:
it is checked (18 characters, the ISO 7064 MOD 11-2 check character) and kept only as a keyed digest (HMAC-SHA256
with the service's secret key), so a patient can be found by the number on their ID card, but a copy of the table
does not give the numbers back — not even by trying every birth date and sequence, without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from domain.errors import InvalidInput

from .eligibility import PSN_NO, REGION_CODE
from .facts import INSURANCE_TYPES

_NATIONAL_ID = re.compile(r"[1-9][0-9]{16}[0-9X]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def national_id(value: str, field: str = "national_id") -> str:
    """The national ID number ``value`` (a lower-case x accepted), checked; the error never repeats the number."""
    if not isinstance(value, str):
        raise InvalidInput("a national ID number is 18 characters", field=field, code="national_id_invalid")
    number = value.strip().upper()
    if not _NATIONAL_ID.fullmatch(number):
        raise InvalidInput("a national ID number is 17 digits and a check digit or X (GB 11643)", field=field,
                           code="national_id_invalid")
    if _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11] != number[17]:
        raise InvalidInput("the national ID number's check character does not match (GB 11643)", field=field,
                           code="national_id_invalid")
    return number


def national_id_digest(secret_key: str, number: str) -> str:
    """The keyed digest a checked national ID number is kept as (hex, 64 characters)."""
    return hmac.new(secret_key.encode("utf-8"), b"yibao-national-id\x00" + number.encode("ascii"),
                    hashlib.sha256).hexdigest()


def psn_no(value: str) -> str:
    """An insured person number (人员编号): 1–64 letters or digits, opaque (ND-2)."""
    if not isinstance(value, str) or not PSN_NO.fullmatch(value):
        raise InvalidInput("the insured person number is 1–64 letters or digits", field="psn_no", rule="ND-2")
    return value


def patient_record(number: str, insurance_type: str, insurance_region: str) -> None:
    """Check a patient's record as a hospital enters it: psn_no, insurance type (ND-2), insurance region (ND-10)."""
    psn_no(number)
    if insurance_type not in INSURANCE_TYPES:
        raise InvalidInput(f"insurance_type is one of {', '.join(INSURANCE_TYPES)}", field="insurance_type",
                           rule="ND-2")
    if not isinstance(insurance_region, str) or not REGION_CODE.fullmatch(insurance_region):
        raise InvalidInput("insurance_region is a 6-digit GB/T 2260 division", field="insurance_region",
                           rule="ND-10")
