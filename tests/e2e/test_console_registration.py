"""The registration's console pages through the real app on both backends (ND-2…ND-16): the list, the physician's
registration form with refusals beside their fields, a registration's page and changes, the dispensing form with its
split and its refusals explained in words, the reversal, another hospital's pages (404) and CSRF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows import timers
from workflows.context import Services
from workflows.registration import queries
from workflows.registration.queries import RegistrationFilter

from ..console_registration_support import h1_doctor, registered
from ..console_support import build_console_world
from ..factories import PASSWORD, World
from ..registration_world import PSN, at, build_registration_world

FORM = {"psn_no": PSN, "insurance_type": "employee", "insurance_region": "520100", "entitled": "true",
        "drug": "托法替布", "diagnosis_code": "M05.900", "diagnosis_name": "类风湿关节炎",
        "diagnostic_basis": "ACR/EULAR 2010 评分 7 分",
        "indication": "类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%",
        "indication_confirmed": "on", "dose": "5 mg", "frequency": "每日2次", "quantity_per_fill": "56"}
SALE = {"psn_no": PSN, "drug": "托法替布", "physician_code": "D520102000001", "quantity": "56", "amount": "3000.00",
        "external_ref": "HIS-1"}


@pytest.fixture
def world(services: Services) -> World:
    """The console's world with the registration's hospitals, physicians, pharmacies, drugs; today 2026-08-31."""
    return build_registration_world(services, world=build_console_world(services).world).world


@pytest.fixture
def app(services: Services, world: World) -> Flask:
    return create_app(services=services)


def token_of(client: FlaskClient, path: str = "/console/") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.fixture
def as_user(app: Flask) -> object:
    clients: dict[str, tuple[FlaskClient, str]] = {}

    def get(username: str) -> tuple[FlaskClient, str]:
        if username not in clients:
            client = app.test_client()
            client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                "csrf_token": token_of(client, "/console/login")})
            clients[username] = (client, token_of(client))
        return clients[username]

    return get


def post(as_user: object, who: str, path: str, data: dict[str, str]) -> tuple[int, str, str]:
    client, token = as_user(who)  # type: ignore[operator]
    answer = client.post(path, data={"csrf_token": token, **data})
    return answer.status_code, answer.get_data(as_text=True), answer.headers.get("Location", "")


def get(as_user: object, who: str, path: str) -> tuple[int, str]:
    client, _ = as_user(who)  # type: ignore[operator]
    answer = client.get(path)
    return answer.status_code, answer.get_data(as_text=True)


def beside(html: str, field: str) -> str:
    """The error shown beside ``field``."""
    found = re.search(rf'data-field="{field}">.*?field-error" role="alert">([^<]*)<', html, re.S)
    return found.group(1) if found else ""


def stored(services: Services, world: World) -> int:
    return queries.list_registrations(services, h1_doctor(world), RegistrationFilter()).total


@pytest.mark.parametrize(("who", "path", "shows", "hides"), [
    ("h1_doctor", "/console/registrations", ["三定登记", "登记患者", "结算"], []),
    ("h1_doctor", "/console/registrations/new", ["登记患者（三定登记）", "托法替布", "确认符合限定支付范围"], []),
    ("h1_officer", "/console/registrations", ["三定登记", "暂无数据"], ["登记患者</a>"]),
    ("h1_officer", "/console/dispensings", ["谈判药品结算", "最近结算"], []),
    ("p1_pharmacist", "/console/dispensings", ["谈判药品结算", "结算"], ["三定登记"]),
])
def test_each_page_renders_for_its_role_with_its_menu(as_user: object, who: str, path: str, shows: list[str],
                                                      hides: list[str]) -> None:
    status, html = get(as_user, who, path)
    assert status == 200
    assert all(s in html for s in shows), who
    assert not any(h in html for h in hides), who


def test_nd3_a_pharmacist_sees_no_registration_list_but_a_403(as_user: object) -> None:
    """Registrations are kept by their hospital (定医院) and read by the bureau; a pharmacist settles at
    /console/dispensings and is not offered the list, nor shown an empty one."""
    status, html = get(as_user, "p1_pharmacist", "/console/registrations")
    assert status == 403 and "三定登记</h1>" not in html


def test_nd7_nd8_a_physician_registers_a_patient_and_sees_the_next_reassessment_date(
        as_user: object, services: Services, world: World) -> None:
    status, _, location = post(as_user, "h1_doctor", "/console/registrations/new", FORM)
    assert status == 302 and location.startswith("/console/registrations/")
    status, html = get(as_user, "h1_doctor", location)
    assert status == 200 and "登记成功" in html
    assert re.search(r'id="reg-status">有效', html)
    assert re.search(r'id="reg-start">2026-08-31<', html) and re.search(r'id="reg-end">2027-08-30<', html)
    assert re.search(r'id="reg-next-reassessment">2027-02-28<', html)  # ND-8: six months, clamped
    assert re.search(r'id="account-remaining">¥13,000.00<', html)  # ND-9: 托法替布's annual limit
    assert "登记</b>" in html and "流程跟踪" in html
    listed = get(as_user, "h1_officer", "/console/registrations")[1]
    assert PSN in listed and "有效" in listed and "2027-02-28" in listed and "即将到期" not in listed


@pytest.mark.parametrize(("changes", "field", "message"), [
    pytest.param({"psn_no": ""}, "psn_no", "请填写人员编号", id="blank"),
    pytest.param({"diagnosis_name": "类风湿\x00关节炎"}, "diagnosis_name", "诊断名称含有不允许的控制字符", id="nul"),
    pytest.param({"diagnostic_basis": "x" * 5000}, "diagnostic_basis", "诊断依据最多2000个字符", id="huge"),
    pytest.param({"insurance_type": "gold"}, "insurance_type", "请选择参保险种", id="unknown-type"),
    pytest.param({"drug": "阿司匹林"}, "drug", "ND-5：“定药品”：该药品不在现行谈判药品目录中", id="nd5-unknown-drug"),
    pytest.param({"indication_confirmed": ""}, "indication_confirmed", "ND-5：“定药品”：医师须确认",
                 id="nd5-unconfirmed"),
    pytest.param({"entitled": "false"}, "entitled", "ND-2：患者当前未正常享受医保待遇", id="nd2-not-entitled"),
    pytest.param({"diagnosis_code": "M5"}, "diagnosis_code", "ND-6：诊断编码须为 ICD-10 编码", id="nd6-not-icd10"),
    pytest.param({"quantity_per_fill": "lots"}, "quantity_per_fill", "ND-6：", id="nd6-quantity"),
    pytest.param({"insurance_region": "000000"}, "insurance_region", "ND-10：参保地须为 6 位行政区划代码",
                 id="nd10-region"),
])
def test_a_bad_registration_form_shows_the_message_beside_its_field_and_stores_nothing(
        as_user: object, services: Services, world: World, changes: dict[str, str], field: str,
        message: str) -> None:
    status, html, _ = post(as_user, "h1_doctor", "/console/registrations/new", {**FORM, **changes})
    assert status == 422
    assert message in beside(html, field), html[-3000:]
    assert stored(services, world) == 0
    assert get(as_user, "h1_doctor", f"/console/registrations?psn_no={PSN}")[1].count("data-registration-id") == 0


@pytest.mark.parametrize(("who", "rule", "message"), [
    ("h1_junior", "ND-4", "ND-4：“定医师”：须由本院具有高级职称"),
    ("h1_oncologist", "ND-16", "ND-16：该适应症须由相应专科"),
    ("tier2_doctor", "ND-3", "ND-3：“定医院”：须由三级定点医院登记"),
])
def test_a_refusal_naming_no_form_field_is_shown_at_the_top_with_its_rule(
        as_user: object, services: Services, world: World, who: str, rule: str, message: str) -> None:
    status, html, _ = post(as_user, who, "/console/registrations/new", FORM)
    assert status == 422 and message in html and 'id="form-error"' in html, rule


def test_nd4_an_officer_may_not_register(as_user: object, services: Services, world: World) -> None:
    status, html, _ = post(as_user, "h1_officer", "/console/registrations/new", FORM)
    assert status == 403 and "无权执行该操作" in html and stored(services, world) == 0


def test_nd3_another_hospitals_registration_is_a_404_on_every_page(as_user: object, services: Services,
                                                                   world: World) -> None:
    reg = registered(services, world)
    for who in ("h2_officer", "h2_doctor"):
        for path in (f"/console/registrations/{reg.id}", f"/console/registrations/{reg.id}/update",
                     f"/console/registrations/{reg.id}/cancel"):
            assert get(as_user, who, path)[0] == 404, (who, path)
        status, html, _ = post(as_user, who, f"/console/registrations/{reg.id}/cancel", {"reason": "x"})
        assert status == 404 and "未找到" in html
    assert queries.get_registration(services, h1_doctor(world), reg.id).status == "active"
    for path in ("/console/registrations/not-a-uuid", "/console/registrations/00000000-0000-0000-0000-000000000000",
                 "/console/dispensings/00000000-0000-0000-0000-000000000000"):
        assert get(as_user, "h1_doctor", path)[0] == 404
    assert get(as_user, "h1_doctor", "/console/registrations?status=zzz&offset=abc&drug=" + "x" * 300)[0] == 200
    assert get(as_user, "h1_doctor", "/console/registrations?drug=%00")[0] == 422  # api/requestcheck.py: NUL


def test_nd8_nd14_update_change_physician_and_cancel_each_with_a_reason(as_user: object, services: Services,
                                                                        world: World) -> None:
    reg = registered(services, world)
    base = f"/console/registrations/{reg.id}"
    status, html, _ = post(as_user, "h1_doctor", f"{base}/update", {**FORM, "dose": "10 mg", "reason": ""})
    assert status == 422 and beside(html, "reason") == "请填写原因"
    assert post(as_user, "h1_doctor", f"{base}/update", {**FORM, "dose": "10 mg", "reason": "调整剂量"})[0] == 302
    status, html, _ = post(as_user, "h1_officer", f"{base}/physician", {"physician_code": "D520102009999",
                                                                         "reason": "原医师调离"})
    assert status == 422 and beside(html, "physician_code") == "未找到该医师编码"
    status, html, _ = post(as_user, "h1_officer", f"{base}/physician", {"physician_code": "D520102000002",
                                                                         "reason": "原医师调离"})
    assert status == 422 and "ND-4" in beside(html, "physician_code")  # a 主治医师 is not senior
    assert post(as_user, "h1_officer", f"{base}/physician", {"physician_code": "D520102000004",
                                                              "reason": "原医师调离"})[0] == 302
    status, html, _ = post(as_user, "h1_doctor", f"{base}/renew", FORM)
    assert status == 422 and "ND-7：" in html  # renewal only in the last month
    assert post(as_user, "h1_officer", f"{base}/cancel", {"reason": "患者申请注销"})[0] == 302
    html = get(as_user, "h1_doctor", base)[1]
    assert "10 mg" in html and "D520102000004" in html and re.search(r'id="reg-status">终止（注销）', html)
    assert all(k in html for k in ("更新</b> — 调整剂量", "变更医师</b> — 原医师调离", "终止</b> — 患者申请注销"))


def test_nd8_the_open_reassessment_task_is_linked_from_the_registration(as_user: object, services: Services,
                                                                        world: World) -> None:
    reg = registered(services, world)
    timers.run_until(services, at(date(2027, 1, 30)))  # the reminder, 30 days before 2027-02-28
    html = get(as_user, "h1_doctor", f"/console/registrations/{reg.id}")[1]
    found = re.search(r'id="registration-tasks">.*?href="(/console/tasks/[^"]+)"', html, re.S)
    assert found, html
    assert get(as_user, "h1_doctor", found.group(1))[0] == 200


def test_nd9_nd15_a_dispensing_shows_its_split_and_the_remaining_limit_then_is_reversed(
        as_user: object, services: Services, world: World) -> None:
    reg = registered(services, world)
    status, html, _ = post(as_user, "p1_pharmacist", "/console/dispensings", SALE)
    assert status == 201, html
    split = dict(re.findall(r'id="split-([a-z]+)">([^<]*)<', html))
    assert split == {"amount": "¥3,000.00", "fund": "¥1,875.00", "patient": "¥1,125.00", "remaining": "¥11,125.00"}
    status, html, _ = post(as_user, "p1_pharmacist", "/console/dispensings", SALE)
    assert status == 200 and "未重复支付" in html  # the same external reference: replayed, paid once
    listed = get(as_user, "p1_pharmacist", "/console/dispensings")[1]
    (did,) = re.findall(r'data-dispensing-id="([^"]+)"', listed)
    assert get(as_user, "h1_officer", f"/console/dispensings/{did}")[0] == 404  # another organization's
    status, html, _ = post(as_user, "p1_pharmacist", f"/console/dispensings/{did}/reversal", {"reason": "\x00"})
    assert status == 422 and "控制字符" in beside(html, "reason")
    status, _, location = post(as_user, "p1_pharmacist", f"/console/dispensings/{did}/reversal",
                               {"reason": "录入错误"})
    assert status == 302
    assert "录入错误" in get(as_user, "p1_pharmacist", location)[1]
    html = get(as_user, "h1_officer", f"/console/registrations/{reg.id}")[1]
    assert re.search(r'id="account-remaining">¥13,000.00<', html) and "已冲正" in html


@pytest.mark.parametrize(("who", "changes", "rule", "words", "field"), [
    ("pu_pharmacist", {}, "ND-13", "只有经登记医院指定", ""),
    ("p1_pharmacist", {"physician_code": "D520102000004"}, "ND-11", "处方医师与登记的责任医师不一致", "physician_code"),
    ("p1_pharmacist", {"psn_no": "52010000000000000999"}, "ND-11", "该患者没有此药品的登记", "psn_no"),
    ("h2_officer", {}, "ND-11", "只有登记的定点医院或其指定的双通道药店可以结算", ""),
])
def test_a_refused_dispensing_names_the_rule_and_explains_it_in_words(
        as_user: object, services: Services, world: World, who: str, changes: dict[str, str], rule: str,
        words: str, field: str) -> None:
    registered(services, world)
    status, html, _ = post(as_user, who, "/console/dispensings", {**SALE, **changes})
    assert status == 422
    assert f'data-rule="{rule}"' in html and words in re.search(r'class="explain">([^<]*)<', html).group(1)  # type: ignore[union-attr]
    if field:
        assert rule in beside(html, field)
    assert "data-dispensing-id" not in html


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"amount": ""}, "amount", "请填写金额（元）"),
    ({"external_ref": "HIS\x001"}, "external_ref", "控制字符"),
    ({"drug": "药" * 200}, "drug", "药品最多100个字符"),
    ({"amount": "-5"}, "amount", "格式不正确"),
    ({"quantity": "abc"}, "quantity", "ND-6"),
])
def test_a_bad_dispensing_form_is_422_beside_its_field_and_settles_nothing(
        as_user: object, services: Services, world: World, changes: dict[str, str], field: str,
        message: str) -> None:
    registered(services, world)
    status, html, _ = post(as_user, "p1_pharmacist", "/console/dispensings", {**SALE, **changes})
    assert status == 422 and message in beside(html, field), html[-2000:]
    assert "data-dispensing-id" not in html


def test_a_form_without_its_csrf_token_is_refused(app: Flask, as_user: object, services: Services,
                                                  world: World) -> None:
    for who, path, data in (("h1_doctor", "/console/registrations/new", FORM),
                            ("p1_pharmacist", "/console/dispensings", SALE)):
        client, _ = as_user(who)  # type: ignore[operator]
        answer = client.post(path, data=data)
        assert answer.status_code == 400 and "安全令牌" in answer.get_data(as_text=True)
    assert stored(services, world) == 0
