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
