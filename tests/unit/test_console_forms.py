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


def test_shapes_the_console_cannot_draw_are_named_as_skipped() -> None:
    odd = {"type": "object", "properties": {"ok": {"type": "string"}, "ref": {"$ref": "#/$defs/x"},
                                            "grid": {"type": "array", "items": {"type": "array"}}}}
    fields, skipped = forms.fields_of(odd)
    assert [f.name for f in fields] == ["ok"] and skipped == ["ref", "grid"]


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


NESTED = ["admission-application.schema.json", "round-assign-experts.schema.json", "round-consolidate.schema.json",
          "round-expert-review.schema.json", "round-resolve-objections.schema.json"]
ENTRY, OTHER = "C01010100000001", "C01010100000002"


def names(fields: list[forms.Field]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        out[f.name] = f.widget
        out.update(names(f.children))
    return out


@pytest.mark.parametrize("name", NESTED)
def test_every_nested_form_is_drawn_without_skipping_anything(name: str) -> None:
    fields, skipped = forms.fields_of(schema(name))
    assert skipped == [] and fields


# (form, posted fields, the nested data they become)
ROUND_TRIPS = [
    ("round-expert-review.schema.json",
     {"review.include": "false", "review.category": "", "review.max_payment_standard": "",
      "review.reasoning": "证据不足"},
     {"review": {"include": False, "reasoning": "证据不足"}}),
    ("round-assign-experts.schema.json",
     {"assignments[0]._key": ENTRY, "assignments[0]._value": "u1\r\n u2 \n\n", "assignments[1]._key": "",
      "assignments[1]._value": "", "assignments[2]._key": OTHER, "assignments[2]._value": "u3"},
     {"assignments": {ENTRY: ["u1", "u2"], OTHER: ["u3"]}}),
    ("round-consolidate.schema.json",
     {"decisions[0]._key": ENTRY, "decisions[0].include": "true", "decisions[0].category": "乙",
      "decisions[0].names.primary_class": "一级", "decisions[0].names.secondary_class": "二级",
      "decisions[0].names.tertiary_class": "三级", "decisions[0].names.common_name": "导管",
      "decisions[1]._key": OTHER, "decisions[1].include": "false", "decisions[1].reason": "重复",
      "decisions[1].names.material": "", "retirements[0].entry_code": "", "retirements[0].reason": "",
      "retirements[1].entry_code": "C09000000000001", "retirements[1].reason": "已淘汰"},
     {"decisions": {ENTRY: {"include": True, "category": "乙",
                            "names": {"primary_class": "一级", "secondary_class": "二级",
                                      "tertiary_class": "三级", "common_name": "导管"}},
                    OTHER: {"include": False, "reason": "重复"}},
      "retirements": [{"entry_code": "C09000000000001", "reason": "已淘汰"}]}),
    ("round-resolve-objections.schema.json",
     {"resolutions[0]._key": "obj-1", "resolutions[0].upheld": "true", "resolutions[0].resolution": "重新审定"},
     {"resolutions": {"obj-1": {"upheld": True, "resolution": "重新审定"}}}),
    ("admission-application.schema.json",
     {"application.code": "C09100100000000211790000049", "application.certificate_revoked": "false",
      "application.documents": "certificate", "application.service_items[0].code": "",
      "application.service_items[1].code": "330100001", "application.service_items[1].name": "植入术",
      "existing_entry": "false", "declaration": "on"},
     {"application": {"code": "C09100100000000211790000049", "certificate_revoked": False,
                      "documents": ["certificate"], "service_items": [{"code": "330100001", "name": "植入术"}]},
      "existing_entry": False, "declaration": True}),
]


@pytest.mark.parametrize(("name", "posted", "data"), ROUND_TRIPS)
def test_each_nested_form_parses_back_to_nested_data_and_redraws_what_was_posted(
        name: str, posted: dict[str, str], data: dict[str, object]) -> None:
    form = MultiDict(posted)
    if name.startswith("admission-application"):
        form.add("application.documents", "instructions")
        data["application"]["documents"].append("instructions")  # type: ignore[index]
    assert forms.data_of(schema(name), form) == (data, {})
    drawn = names(forms.fields_of(schema(name), form)[0])
    assert set(posted) <= set(drawn)  # every posted field is drawn again under its name


def test_fields_are_drawn_as_fieldsets_rows_lines_and_checkboxes() -> None:
    drawn = names(forms.fields_of(schema("round-consolidate.schema.json"))[0])
    assert drawn["decisions"] == "rows" and drawn["decisions[0]"] == "row"
    assert drawn["decisions[0]._key"] == "text" and drawn["decisions[0].names"] == "fieldset"
    assert drawn["decisions[1].names.common_name"] == "text" and "decisions[2]" not in drawn  # two blank rows
    assert drawn["retirements[0].reason"] == "textarea"
    assert names(forms.fields_of(schema("round-assign-experts.schema.json"))[0])["assignments[0]._value"] == "lines"
    application = forms.fields_of(schema("admission-application.schema.json"))[0][0]
    assert application.widget == "fieldset" and application.label == "申请内容"
    documents = next(f for f in application.children if f.name == "application.documents")
    assert documents.widget == "checks" and ("certificate", "注册批件或备案信息") in documents.options


def test_add_draws_one_more_row_and_maxitems_bounds_the_rows() -> None:
    posted = MultiDict({"retirements[0].reason": "x", "_add": "retirements"})
    rows = next(f for f in forms.fields_of(schema("round-consolidate.schema.json"), posted)[0]
                if f.name == "retirements")
    assert [r.name for r in rows.children] == [f"retirements[{i}]" for i in range(4)] and rows.can_add
    small = {"type": "object", "properties": {"rows": {"type": "array", "maxItems": 2, "items": {
        "type": "object", "properties": {"a": {"type": "string"}}}}}}
    full = forms.fields_of(small, MultiDict({"rows[1].a": "x", "_add": "rows"}))[0][0]
    assert len(full.children) == 2 and not full.can_add
    assert len(forms.fields_of({"type": "object", "properties": {"m": {
        "type": "object", "additionalProperties": {"type": "string"}}}}, MultiDict({"m[8]._key": "k"}))[0][0]
        .children) == 10  # default bound


def test_violations_at_nested_paths_are_shown_beside_the_row_they_were_entered_in() -> None:
    consolidate = schema("round-consolidate.schema.json")
    form = MultiDict({"decisions[2]._key": ENTRY, "decisions[2].include": "true",
                      "decisions[2].names.common_name": "导管", "retirements[0].entry_code": "",
                      "retirements[3].entry_code": "X1", "retirements[3].reason": "r"})
    errors = [FieldError("decisions.C01010100000001.names.primary_class", "required", None, "missing"),
              FieldError("retirements.0.entry_code", "pattern", "^C[0-9]{14}$", "no match"),
              FieldError("decisions", "pattern", "^C[0-9]{14}$", "bad key")]
    assert forms.messages_of(consolidate, errors, form) == {
        "decisions[2].names.primary_class": "请填写一级分类",
        "retirements[3].entry_code": "品种编码（15位）格式不正确",
        "decisions": "各候选品种的审定意见格式不正确"}
    assign = schema("round-assign-experts.schema.json")
    form = MultiDict({"assignments[1]._key": ENTRY, "assignments[1]._value": "u1\nu1"})
    assert forms.messages_of(assign, [FieldError(f"assignments.{ENTRY}", "uniqueItems", True, "dup")], form) == {
        "assignments[1]._value": "专家不能重复"}
    review = schema("round-expert-review.schema.json")
    assert forms.messages_of(review, [FieldError("review", "required", None, "missing"),
                                      FieldError("review.reasoning", "minLength", 1, "short")]) == {
        "review": "请填写评审意见", "review.reasoning": "评审理由至少1个字符"}


def test_map_rows_need_a_key_and_keys_are_unique() -> None:
    form = MultiDict({"resolutions[0]._key": "", "resolutions[0].resolution": "x",
                      "resolutions[1]._key": "o1", "resolutions[1].upheld": "false",
                      "resolutions[2]._key": "o1", "resolutions[2].upheld": "true"})
    _, bad = forms.data_of(schema("round-resolve-objections.schema.json"), form)
    assert bad == {"resolutions[0]._key": "请填写编号", "resolutions[2]._key": "编号重复"}


@pytest.mark.parametrize(("posted", "bad"), [
    ({"retirements[-1].reason": "x"}, {"": "表单字段名不正确"}),
    ({"retirements[99999999999999999999].reason": "x"}, {"": "表单字段名不正确"}),
    ({"retirements[01].reason": "x"}, {"": "表单字段名不正确"}),
    ({"retirements[1000].reason": "x"}, {"retirements": "拟退出目录的品种最多1000行"}),
    ({"decisions[5000]._key": "x"}, {"decisions": "各候选品种的审定意见最多5000行"}),
    ({"decisions[0].names[0].x": "x"}, {"": "表单字段名不正确"}),
    ({"a.b.c.d.e.f.g": "x"}, {"": "表单嵌套过深（最多6层）"}),
    ({f"retirements[{i}].reason": "x" for i in range(201)}, {"": "表单字段过多（最多200个）"}),
])
def test_bounds_are_refused_before_any_data_is_built(posted: dict[str, str], bad: dict[str, str]) -> None:
    assert forms.data_of(schema("round-consolidate.schema.json"), MultiDict(posted)) == ({}, bad)


def test_two_hundred_fields_besides_the_token_are_still_accepted() -> None:
    posted = {f"retirements[{i}].reason": "x" for i in range(200)} | {"csrf_token": "t", "_add": ""}
    data, bad = forms.data_of(schema("round-consolidate.schema.json"), MultiDict(posted))
    assert bad == {} and len(data["retirements"]) == 200


NUMBERS = {"type": "object", "properties": {"outer": {"type": "object", "title": "外层", "properties": {
    "count": {"type": "integer", "title": "数量"}, "ratio": {"type": "number", "title": "比例"},
    "rows": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "number"}}}},
    "many": {"type": "array", "title": "数值", "items": {"type": "integer"}}}}}}


@pytest.mark.parametrize(("posted", "data", "bad"), [
    ({"outer.count": "NaN"}, {}, {"outer.count": "请输入整数"}),
    ({"outer.ratio": "Infinity"}, {}, {"outer.ratio": "请输入数字"}),
    ({"outer.ratio": "-inf"}, {}, {"outer.ratio": "请输入数字"}),
    ({"outer.count": str(2**63)}, {}, {"outer.count": "数值超出范围"}),
    ({"outer.ratio": "1e400"}, {}, {"outer.ratio": "数值超出范围"}),
    ({"outer.count": str(2**63 - 1), "outer.ratio": "0.5"}, {"outer": {"count": 2**63 - 1, "ratio": 0.5}}, {}),
    ({"outer.rows[0].n": "nan"}, {}, {"outer.rows[0].n": "请输入数字"}),
    ({"outer.rows[1].n": "2.5"}, {"outer": {"rows": [{"n": 2.5}]}}, {}),
    ({"outer.many": "1\n2\nInfinity"}, {}, {"outer.many": "第3行：请输入整数"}),
    ({"outer.many": "1\n 2 "}, {"outer": {"many": [1, 2]}}, {}),
])
def test_nested_numbers_refuse_nan_infinity_and_values_beyond_64_bits(
        posted: dict[str, str], data: dict[str, object], bad: dict[str, str]) -> None:
    assert forms.data_of(NUMBERS, MultiDict(posted)) == (data, bad)
