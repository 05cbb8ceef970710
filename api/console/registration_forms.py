"""The registration pages' forms: read the posted text, check its shape (blank, length, NUL bytes) as the JSON API's
schemas do, and build the use cases' input. The rules (ND-2…ND-16) are the use cases'."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .registration_text import INSURANCE, LABELS

PATIENT = ("psn_no", "insurance_type", "insurance_region", "entitled")
RECORD = ("diagnosis_code", "diagnosis_name", "diagnostic_basis", "indication", "indication_confirmed", "dose",
          "frequency", "quantity_per_fill")
DISPENSING = ("psn_no", "drug", "physician_code", "quantity", "amount", "external_ref")
LIMITS = {"psn_no": 64, "insurance_region": 6, "drug": 100, "diagnosis_code": 16, "diagnosis_name": 200,
          "diagnostic_basis": 2000, "indication": 500, "dose": 100, "frequency": 100, "quantity_per_fill": 8,
          "reason": 500, "physician_code": 13, "quantity": 8, "amount": 13, "external_ref": 64}
OPTIONAL = frozenset({"indication"})
CHOICES = {"insurance_type": tuple(INSURANCE), "entitled": ("true", "false")}


class FormErrors(Exception):
    """The posted form has fields of the wrong shape: {field: Chinese message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form errors")
        self.errors = errors


def read(form: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The posted values of ``names``, stripped; raise FormErrors with a message per field of the wrong shape."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in names:
        value = str(form.get(name, "")).strip()
        values[name] = value
        label = LABELS.get(name, name)
        if name == "indication_confirmed":
            continue  # a checkbox: unchecked is the use case's ND-5 refusal
        if "\x00" in value or any(ord(c) < 32 and c not in "\t\r\n" for c in value):
            errors[name] = f"{label}含有不允许的控制字符"
        elif not value and name not in OPTIONAL:
            errors[name] = f"请填写{label}"
        elif name in CHOICES and value not in CHOICES[name]:
            errors[name] = f"请选择{label}"
        elif len(value) > LIMITS.get(name, 100):
            errors[name] = f"{label}最多{LIMITS.get(name, 100)}个字符"
    if errors:
        raise FormErrors(errors)
    return values


def patient_of(values: Mapping[str, str]) -> dict[str, Any]:
    """The patient as the use cases take it (ND-2, ND-10)."""
    return {"psn_no": values["psn_no"], "insurance_type": values["insurance_type"],
            "insurance_region": values["insurance_region"], "entitled": values["entitled"] == "true"}


def record_of(values: Mapping[str, str]) -> dict[str, Any]:
    """The clinical record as the use cases take it (ND-5, ND-6)."""
    return {"diagnosis_code": values["diagnosis_code"], "diagnosis_name": values["diagnosis_name"],
            "diagnostic_basis": values["diagnostic_basis"], "indication": values["indication"],
            "indication_confirmed": values.get("indication_confirmed") == "on",
            "prescription": {"dose": values["dose"], "frequency": values["frequency"],
                             "quantity_per_fill": values["quantity_per_fill"]}}


def record_values(view: Any) -> dict[str, str]:
    """A registration's clinical record as form values (to prefill an update or a renewal)."""
    p = view.prescription
    return {"diagnosis_code": view.diagnosis_code, "diagnosis_name": view.diagnosis_name,
            "diagnostic_basis": view.diagnostic_basis, "indication": view.indication, "dose": p.dose,
            "frequency": p.frequency, "quantity_per_fill": f"{p.quantity_per_fill.normalize():f}",
            "psn_no": view.psn_no, "insurance_type": view.insurance_type, "insurance_region": view.insurance_region,
            "entitled": "true"}
