"""The console's form rendering: which fields of the shipped forms it draws, typed data from posted text, Chinese
messages from a violation's JSON Schema keyword."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from api.console import forms
from workflows.task_forms import FieldError

BPMN = Path(__file__).parents[2] / "bpmn"


def schema(name: str) -> dict[str, object]:
    found = next(BPMN.glob(f"*/forms/{name}"))
    loaded: dict[str, object] = json.loads(found.read_text(encoding="utf-8"))
    return loaded


def test_the_material_review_form_renders_a_labelled_select_a_textarea_and_a_number() -> None:
    fields, skipped = forms.fields_of(schema("admission-material-review.schema.json"))
    assert skipped == []
    by_name = {f.name: f for f in fields}
    assert by_name["decision"].widget == "select" and by_name["decision"].required
    assert ("return", "退回补正") in by_name["decision"].options
    assert by_name["reason"].widget == "textarea"
    assert by_name["supplement_working_days"].widget == "number"


def test_the_reassessment_form_confirms_the_indication_with_a_checkbox() -> None:
    """ND-8's reassessment form: its ND-5 confirmation is a const-true checkbox."""
    fields, _ = forms.fields_of(schema("registration-reassessment.schema.json"))
    assert {f.name: f.widget for f in fields}["indication_confirmed"] == "confirm"


def test_nested_forms_name_the_fields_the_console_cannot_render_yet() -> None:
    _, skipped = forms.fields_of(schema("round-assign-experts.schema.json"))
    assert skipped == ["assignments"]


@pytest.mark.parametrize(("posted", "data", "bad"), [
    ({"supplement_working_days": "5", "decision": "return"}, {"supplement_working_days": 5, "decision": "return"}, {}),
    ({"supplement_working_days": "5.5"}, {}, {"supplement_working_days": "请输入整数"}),
    ({"supplement_working_days": "NaN"}, {}, {"supplement_working_days": "请输入整数"}),
    ({"reason": "  ", "decision": ""}, {}, {}),
])
def test_posted_text_becomes_typed_data(posted: dict[str, str], data: dict[str, object], bad: dict[str, str]) -> None:
    assert forms.data_of(schema("admission-material-review.schema.json"), MultiDict(posted)) == (data, bad)


def test_each_violation_is_one_chinese_message_beside_its_field() -> None:
    review = schema("admission-material-review.schema.json")
    errors = [FieldError("reason", "maxLength", 2000, "too long"), FieldError("reason", "minLength", 1, "short"),
              FieldError("decision", "required", None, "'decision' is a required property"),
              FieldError("", "additionalProperties", None, "extra")]
    assert forms.messages_of(review, errors) == {"reason": "理由或需补正的内容最多2000个字符",
                                                 "decision": "请填写审核结论", "": "表单含有未定义的字段"}
