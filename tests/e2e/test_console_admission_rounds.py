"""The bureau officer's round pages (调整轮次) through the real app on both backends: a whole round worked from the
bureau's pages — open (DA-1), material review with a return for supplement (DA-10) and a rejection (DA-9), close,
expert panels refused with their rules (DA-5, SV-3), the experts' votes side by side, a consolidation refused
beside its fields (DA-5, DA-9, CM-1, CM-2) then accepted, the NHSA's acknowledgement (DA-6), an objection answered
(SV-1), the publication (CM-6) linking the public results; bad input is 422 beside its field and changes nothing;
other roles get 403; a POST without its CSRF token 400."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from domain.actors import SYSTEM
from domain.dates import CHINA_TZ
from workflows import clock, timers
from workflows.admission import applications, round_messages, rounds
from workflows.context import Services

from ..admission_support import EXISTING_ENTRY, NEW_ENTRY, OTHER_NEW_ENTRY, actor, deploy
from ..console_admission_support import EXPERTS, NAMES, PANELS, AdmissionWorld, build_admission, drafted
from ..console_support import ConsoleWorld, build_console_world
from ..factories import World, user
from .test_console_admission import field_html, nav_of
from .test_console_pages import csrf_of, logged_in

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
BASE = "/console/admission/rounds"
RETIRED = "C01010100101004"  # an entry of the console's sample catalog


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def post(client: FlaskClient, path: str, data: dict[str, Any], form_page: str = BASE) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, form_page)})


def experts_of(services: Services, world: World) -> None:
    """The admission diagrams and five more experts, one of them employed by hospital h1 (SV-3)."""
    deploy(services)
    for username, expert_field in EXPERTS.items():
        user(services, world, username, "expert", "BUREAU-520000", expert_fields=(expert_field,))
    user(services, world, "e_h1", "expert", "H52010200001", expert_fields=("insurance_management",))


def vote(page: str, entry: str, row: str, expert_id: str) -> str:
    """The text of one expert's cell in one row of a candidate's votes table."""
    table = re.search(rf'<table class="grid votes" id="votes-{entry}".*?</table>', page, re.S)
    assert table, f"no votes table for {entry}"
    line = re.search(rf'<tr data-row="{row}">(.*?)</tr>', table.group(0), re.S)
    assert line, row
    cell = re.search(rf'<td[^>]*data-expert-id="{expert_id}">(.*?)</td>', line.group(1), re.S)
    assert cell, (row, expert_id)
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def stage(services: Services, world: World, round_id: str) -> str:
    return rounds.get_round(services, actor(world, "officer"), round_id).stage


def open_round_on_the_page(bureau: FlaskClient, services: Services, world: World) -> str:
    today = clock.read_clock(services).now.astimezone(CHINA_TZ).date()
    refused = post(bureau, BASE, {"name": " ", "opens_on": "2026-02-30", "closes_on": str(today)})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请填写轮次名称" in field_html(page, "name")
    assert "申报开始日期应为日期" in field_html(page, "opens_on")
    assert rounds.list_rounds(services, actor(world, "officer")) == []
    opened = post(bureau, BASE, {"name": "2027年度耗材目录调整", "opens_on": str(today - timedelta(days=1)),
                                 "closes_on": str(today + timedelta(days=30))})
    assert opened.status_code == 302
    (made,) = rounds.list_rounds(services, actor(world, "officer"))
    assert opened.headers["Location"] == f"{BASE}/{made.id}" and made.stage == "open"
    listed = bureau.get(BASE).get_data(as_text=True)
    assert f'data-round-id="{made.id}"' in listed and "2027年度耗材目录调整" in listed and "申报期" in listed
    overlapping = post(bureau, BASE, {"name": "重叠轮次", "opens_on": str(today), "closes_on": str(today)})
    assert overlapping.status_code == 422
    assert "DA-1 · 申报期与其他调整轮次的申报期重叠" in field_html(overlapping.get_data(as_text=True), "opens_on")
    return made.id


def material_review_on_the_page(bureau: FlaskClient, services: Services, world: World, rid: str) -> dict[str, str]:
    ids = {}
    for hospital, entry in (("h1_officer", NEW_ENTRY), ("h2_officer", OTHER_NEW_ENTRY)):
        ids[hospital] = drafted(services, world, hospital, entry=entry)
        applications.submit_application(services, actor(world, hospital), ids[hospital])
    ids["rejected"] = drafted(services, world, "h1_officer", entry=NEW_ENTRY, product_name="一次性使用止血夹")
    applications.submit_application(services, actor(world, "h1_officer"), ids["rejected"])
    detail = f"{BASE}/{rid}"
    page = bureau.get(detail).get_data(as_text=True)
    for app_id in ids.values():
        assert f'data-application-id="{app_id}"' in page
    assert "材料审核中" in page and "一次性使用止血夹" in page
    materials = bureau.get(f"/console/admission/applications/{ids['h2_officer']}").get_data(as_text=True)
    assert f'href="/console/admission/applications/{ids["h2_officer"]}"' in page
    assert "一次性使用无菌导管" in materials and "instructions.pdf" in materials  # the documents to review
    assert 'id="application-form"' not in materials  # the bureau reads, the hospital edits
    h2 = f"{detail}/applications/{ids['h2_officer']}/material-review"
    refused = post(bureau, h2, {"decision": "return"}, detail)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请填写理由或需补正的内容" in page
    assert "补正期限应为 1 至 60 个工作日（DA-10）" in page
    for days in ("0", "61", "abc", "５"):
        assert post(bureau, h2, {"decision": "return", "reason": "缺说明书", "supplement_working_days": days},
                    detail).status_code == 422
    assert post(bureau, h2, {"decision": "maybe"}, detail).status_code == 422
    officer = actor(world, "officer")
    assert applications.get_application(services, officer, ids["h2_officer"]).status == "material_review"
    assert post(bureau, h2, {"decision": "return", "reason": "说明书与注册证型号不一致，请补正",
                             "supplement_working_days": "5"}, detail).status_code == 302
    assert applications.get_application(services, officer, ids["h2_officer"]).status == "supplement_requested"
    applications.submit_application(services, actor(world, "h2_officer"), ids["h2_officer"])
    for hospital in ("h1_officer", "h2_officer"):
        done = post(bureau, f"{detail}/applications/{ids[hospital]}/material-review", {"decision": "accept"}, detail)
        assert done.status_code == 302
    rejected = f"{detail}/applications/{ids['rejected']}/material-review"
    assert post(bureau, rejected, {"decision": "reject"}, detail).status_code == 422
    assert post(bureau, rejected, {"decision": "reject", "reason": "缺少产品说明书"}, detail).status_code == 302
    seen = {k: applications.get_application(services, officer, v) for k, v in ids.items()}
    assert {k: v.status for k, v in seen.items()} == {"h1_officer": "accepted", "h2_officer": "accepted",
                                                      "rejected": "rejected_in_material_review"}
    assert seen["h1_officer"].round_id == rid and seen["rejected"].outcome["reason"] == "缺少产品说明书"
    page = bureau.get(detail).get_data(as_text=True)
    assert 'id="no-waiting"' in page and "共 2 件" in page
    return ids


def assign_on_the_page(bureau: FlaskClient, services: Services, world: World, rid: str) -> None:
    detail = f"{BASE}/{rid}"
    assert post(bureau, f"{detail}/closure", {"reason": "理" * 2001}, detail).status_code == 422
    assert post(bureau, f"{detail}/closure", {"reason": "申报已足额"}, detail).status_code == 302
    assert stage(services, world, rid) == "assigning"
    page = bureau.get(detail).get_data(as_text=True)
    assert f'data-entry-code="{NEW_ENTRY}"' in page and f'data-entry-code="{OTHER_NEW_ENTRY}"' in page
    assert "指派专家" in page and "尚未指派专家" in page
    form = f"{detail}/experts"
    users = world.users
    page = bureau.get(form).get_data(as_text=True)
    assert "e_supervision（市场（药品）监督管理）" in page and "e_h1（医保管理）" in page
    refused = post(bureau, form, {f"experts-{NEW_ENTRY}": [users["expert"], users["e_admin"], users["e_h1"]],
                                  f"experts-{OTHER_NEW_ENTRY}": [users["e_insurance"], users["e_economics"]]}, form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "SV-3 · 专家不得评审本单位提出的申请" in field_html(page, NEW_ENTRY)  # e_h1 works at h1
    assert "DA-5 · 每个拟纳入品种至少指派3名专家" in field_html(page, OTHER_NEW_ENTRY)
    assert "DA-5 · 指派的专家至少覆盖3个领域" in field_html(page, OTHER_NEW_ENTRY)
    assert stage(services, world, rid) == "assigning"
    assert [c.experts for c in rounds.list_candidates(services, actor(world, "officer"), rid)] == [[], []]
    unknown = post(bureau, form, {f"experts-{NEW_ENTRY}": [users["h1_officer"]]}, form)
    assert unknown.status_code == 422 and "不是在册专家" in field_html(unknown.get_data(as_text=True), NEW_ENTRY)
    done = post(bureau, form, {f"experts-{e}": [users[u] for u in panel] for e, panel in PANELS.items()}, form)
    assert done.status_code == 302 and stage(services, world, rid) == "reviewing"


def experts_review(services: Services, world: World, rid: str) -> None:
    """The experts review through the use case (their own pages are tested in test_console_admission)."""
    given = {("expert", NEW_ENTRY): {"include": True, "category": "乙", "max_payment_standard": "1200.00",
                                     "reasoning": "临床必需"},
             ("e_admin", NEW_ENTRY): {"include": True, "category": "乙", "max_payment_standard": "1150.00",
                                      "restricted_scope": "限三级医院使用", "reasoning": "价格合理"},
             ("e_supervision", NEW_ENTRY): {"include": False, "reasoning": "已有可替代产品"}}
    for username in PANELS[OTHER_NEW_ENTRY]:
        given[(username, OTHER_NEW_ENTRY)] = {"include": False, "reasoning": "疗效证据不足"}
    for (username, entry), review in given.items():
        rounds.submit_review(services, actor(world, username), rid, entry, review)
    assert stage(services, world, rid) == "consolidating"


def votes_side_by_side(bureau: FlaskClient, world: World, rid: str) -> None:
    page = bureau.get(f"{BASE}/{rid}").get_data(as_text=True)
    users = world.users
    assert vote(page, NEW_ENTRY, "include", users["expert"]) == "纳入"
    assert vote(page, NEW_ENTRY, "include", users["e_supervision"]) == "不纳入"
    assert vote(page, NEW_ENTRY, "category", users["e_admin"]) == "乙类"
    assert vote(page, NEW_ENTRY, "max_payment_standard", users["expert"]) == "¥1,200.00"
    assert vote(page, NEW_ENTRY, "max_payment_standard", users["e_admin"]) == "¥1,150.00"
    assert vote(page, NEW_ENTRY, "max_payment_standard", users["e_supervision"]) == "—"
    assert vote(page, NEW_ENTRY, "restricted_scope", users["e_admin"]) == "限三级医院使用"
    assert vote(page, NEW_ENTRY, "reasoning", users["e_supervision"]) == "已有可替代产品"
    assert vote(page, OTHER_NEW_ENTRY, "reasoning", users["e_economics"]) == "疗效证据不足"
    assert "赞成纳入 2 票，反对 1 票" in page and "多数意见：纳入" in page and "支付标准中位数 ¥1,175.00" in page


def consolidate_on_the_page(bureau: FlaskClient, services: Services, world: World, rid: str) -> None:
    form = f"{BASE}/{rid}/consolidation"
    page = bureau.get(form).get_data(as_text=True)
    assert f'id="votes-{NEW_ENTRY}"' in page  # the votes beside the decision
    wrong = {f"{NEW_ENTRY}-include": "false",  # against the experts' majority, and no reason
             f"{OTHER_NEW_ENTRY}-include": "true", f"{OTHER_NEW_ENTRY}-max_payment_standard": "0",
             "retire-0-entry_code": "C99999999999999", "retire-0-reason": "临床已淘汰"}
    refused = post(bureau, form, wrong, form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "DA-5 · 是否纳入应按专家简单多数意见确定" in field_html(page, f"{NEW_ENTRY}-include")
    assert "DA-9 · 不予纳入时请填写理由" in field_html(page, f"{NEW_ENTRY}-reason")
    assert "CM-2 · 请确定支付类别" in field_html(page, f"{OTHER_NEW_ENTRY}-category")
    assert "CM-2 · 医保最高支付标准应大于0" in field_html(page, f"{OTHER_NEW_ENTRY}-max_payment_standard")
    assert "CM-1 · 新增品种须填写三级分类名称和医保通用名" in page
    assert "DA-5 · 拟退出的品种不在现行目录中" in field_html(page, "retire-0-entry_code")
    bad_retirement = post(bureau, form, {"retire-1-entry_code": "C1", "retire-1-reason": ""}, form)
    page = bad_retirement.get_data(as_text=True)
    assert bad_retirement.status_code == 422 and "15位" in field_html(page, "retire-1-entry_code")
    assert "请填写退出理由" in field_html(page, "retire-1-reason")
    half_names = post(bureau, form, {f"{NEW_ENTRY}-include": "true", f"{NEW_ENTRY}-common_name": "导管"}, form)
    assert half_names.status_code == 422
    assert "请填写一级分类" in field_html(half_names.get_data(as_text=True), f"{NEW_ENTRY}-primary_class")
    officer = actor(world, "officer")
    assert [c.include for c in rounds.list_candidates(services, officer, rid)] == [None, None]
    assert round_messages.list_filings(services, officer, rid) == []
    right = {f"{NEW_ENTRY}-include": "true", f"{NEW_ENTRY}-category": "乙",
             f"{NEW_ENTRY}-max_payment_standard": "1180.00", f"{NEW_ENTRY}-restricted_scope": "限三级医院使用",
             **{f"{NEW_ENTRY}-{k}": v for k, v in NAMES.items()},
             f"{OTHER_NEW_ENTRY}-include": "false", f"{OTHER_NEW_ENTRY}-reason": "专家评审认为疗效证据不足",
             "retire-0-entry_code": RETIRED, "retire-0-reason": "临床已淘汰"}
    assert post(bureau, form, right, form).status_code == 302
    decided = {c.entry_code: c for c in rounds.list_candidates(services, officer, rid)}
    assert (decided[NEW_ENTRY].include, str(decided[NEW_ENTRY].max_payment_standard)) == (True, "1180.00")
    assert decided[NEW_ENTRY].names and decided[NEW_ENTRY].names["common_name"] == "导管"
    assert decided[OTHER_NEW_ENTRY].reason == "专家评审认为疗效证据不足"
    assert stage(services, world, rid) == "filing"
    assert rounds.get_round(services, officer, rid).retirements == [{"entry_code": RETIRED, "reason": "临床已淘汰"}]
    page = bureau.get(f"{BASE}/{rid}").get_data(as_text=True)
    assert "审定：纳入，乙类，¥1,180.00" in page and "国家局备案中" in page


def lodge_on_the_hospital_page(app: Flask, services: Services, world: World, rid: str) -> Any:
    """SV-1: a hospital officer objects during the notice on the hospital's page; their objection is listed."""
    h2, form = logged_in(app, "h2_officer"), "/console/admission/objections"
    page = h2.get(form).get_data(as_text=True)
    assert "公示异议" in nav_of(page) and f'<option value="{rid}">2027年度耗材目录调整（公示至' in page
    for data, name, message in (({"round_id": rid, "text": " "}, "text", "请填写异议内容"),
                                ({"round_id": rid, "text": "偏高", "entry_code": "C123"}, "entry_code", "15位"),
                                ({"round_id": rid, "text": "偏高", "entry_code": "C01010100101001"}, "entry_code",
                                 "该品种不是本轮的候选品种"),
                                ({"round_id": "nonsense", "text": "偏高"}, "round_id",
                                 "SV-1 · 请选择正在公示的调整轮次")):
        refused = post(h2, form, data, form)
        assert refused.status_code == 422 and message in field_html(refused.get_data(as_text=True), name), data
    assert round_messages.list_objections(services, actor(world, "officer"), rid) == []
    done = post(h2, form, {"round_id": rid, "text": "拟纳入导管的支付标准偏高", "entry_code": NEW_ENTRY}, form)
    assert done.status_code == 302
    (objection,) = round_messages.list_objections(services, actor(world, "officer"), rid)
    assert (objection.text, objection.entry_code, objection.status) == ("拟纳入导管的支付标准偏高", NEW_ENTRY, "open")
    mine = h2.get(form).get_data(as_text=True)
    assert f'data-objection-id="{objection.id}"' in mine and "待处理" in mine
    assert objection.id not in logged_in(app, "h1_officer").get(form).get_data(as_text=True)  # one's own only
    return objection


def notice_and_objections(app: Flask, bureau: FlaskClient, services: Services, world: World, rid: str) -> None:
    noticed = round_messages.answer_filing(services, actor(world, "nhsa"), rid, True,
                                           filing_number="国医保耗备〔2027〕1号")
    assert noticed.stage == "notice" and noticed.notice_last_day is not None
    objection = lodge_on_the_hospital_page(app, services, world, rid)
    clock.set_clock(services, SYSTEM, datetime.combine(noticed.notice_last_day + timedelta(days=1), time(0, 0, 1),
                                                       CHINA_TZ))
    timers.sweep(services)
    assert stage(services, world, rid) == "objections"
    form = f"{BASE}/{rid}/objections"
    page = bureau.get(form).get_data(as_text=True)
    assert f'data-objection-id="{objection.id}"' in page and "拟纳入导管的支付标准偏高" in page and "待处理" in page
    refused = post(bureau, form, {f"{objection.id}-resolution": "理" * 2001}, form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择异议是否成立" in field_html(page, f"{objection.id}-upheld")
    assert "处理意见最多2000个字符" in field_html(page, f"{objection.id}-resolution")
    assert stage(services, world, rid) == "objections"
    done = post(bureau, form, {f"{objection.id}-upheld": "false",
                               f"{objection.id}-resolution": "支付标准在同类产品价格区间内"}, form)
    assert done.status_code == 302 and stage(services, world, rid) == "publishing"
    assert "支付标准在同类产品价格区间内" in bureau.get(form).get_data(as_text=True)
    answered = logged_in(app, "h2_officer").get("/console/admission/objections").get_data(as_text=True)
    assert "异议不成立：支付标准在同类产品价格区间内" in answered and 'id="no-notice"' in answered


def publish_on_the_page(bureau: FlaskClient, services: Services, world: World, rid: str) -> None:
    detail = f"{BASE}/{rid}"
    for bad, message in (("", "请填写生效日期"), ("2027-13-01", "生效日期应为日期"),
                         ("0001-01-01", "2000 年至 2999 年")):
        refused = post(bureau, f"{detail}/publication", {"effective_on": bad}, detail)
        assert refused.status_code == 422 and message in field_html(refused.get_data(as_text=True), "effective_on")
    assert stage(services, world, rid) == "publishing"
    today = clock.read_clock(services).now.astimezone(CHINA_TZ).date()
    effective = today + timedelta(days=20)
    assert post(bureau, f"{detail}/publication", {"effective_on": str(effective)}, detail).status_code == 302
    done = rounds.get_round(services, actor(world, "officer"), rid)
    assert (done.stage, done.effective_on) == ("published", effective)
    page = bureau.get(detail).get_data(as_text=True)
    assert f"{effective} 起生效" in page and 'href="/console/public/results"' in page
    results = bureau.get("/console/public/results").get_data(as_text=True)
    row = re.search(r"<tr><td>2027年度耗材目录调整</td>(.*?)</tr>", results, re.S)
    assert row and f"<td>第 2 版</td><td>{effective}</td>" in row.group(1)
    assert '<td class="money">1</td><td class="money">1</td>' in row.group(1)  # one entry added, one retired
    assert "经专家评审纳入 1" in row.group(1) and "专家评审未通过 1" in row.group(1)  # the outcomes in Chinese (DA-9)


def test_a_whole_round_from_the_bureaus_pages(app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    world = console_world.world
    experts_of(services, world)
    bureau = logged_in(app, "officer")
    assert "调整轮次" in nav_of(bureau.get(BASE).get_data(as_text=True))
    rid = open_round_on_the_page(bureau, services, world)
    ids = material_review_on_the_page(bureau, services, world, rid)
    assign_on_the_page(bureau, services, world, rid)
    experts_review(services, world, rid)
    votes_side_by_side(bureau, world, rid)
    consolidate_on_the_page(bureau, services, world, rid)
    notice_and_objections(app, bureau, services, world, rid)
    publish_on_the_page(bureau, services, world, rid)
    outcome = applications.get_application(services, actor(world, "h1_officer"), ids["h1_officer"])
    assert outcome.status == "included"


@pytest.fixture
def consolidating(services: Services, console_world: ConsoleWorld) -> AdmissionWorld:
    """A round whose experts have all voted for inclusion: it waits for the bureau's consolidation."""
    made = build_admission(services, console_world.world)
    for entry, panel in PANELS.items():
        for username in panel:
            rounds.submit_review(services, actor(console_world.world, username), made.round_id, entry,
                                 {"include": True, "category": "乙", "max_payment_standard": "1200.00",
                                  "reasoning": "临床必需"})
    return made


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1.234", "9223372036854775808", "-1", "1e3",
                                   "1,200.00", "１２００", " 12 00"])
def test_a_bad_amount_is_refused_beside_its_field_and_nothing_is_decided(
        app: Flask, services: Services, console_world: ConsoleWorld, consolidating: AdmissionWorld,
        amount: str) -> None:
    bureau = logged_in(app, "officer")
    form = f"{BASE}/{consolidating.round_id}/consolidation"
    data = {f"{e}-include": "true" for e in PANELS} | {f"{e}-category": "乙" for e in PANELS}
    refused = post(bureau, form, {**data, f"{NEW_ENTRY}-max_payment_standard": amount}, form)
    assert refused.status_code == 422
    assert "最高支付标准应为金额（元），最多两位小数" in field_html(refused.get_data(as_text=True),
                                                    f"{NEW_ENTRY}-max_payment_standard")
    officer = actor(console_world.world, "officer")
    assert [c.include for c in rounds.list_candidates(services, officer, consolidating.round_id)] == [None, None]


@pytest.mark.parametrize(("data", "name", "message"), [
    ({"name": "轮" * 201, "opens_on": "2027-01-01", "closes_on": "2027-01-31"}, "name", "轮次名称最多200个字符"),
    ({"name": "轮\x00次", "opens_on": "2027-01-01", "closes_on": "2027-01-31"}, "name", "空字符"),
    ({"name": "轮次", "opens_on": "2027-01-01", "closes_on": "2026-12-31"}, "closes_on",
     "DA-1 · 申报截止日期不能早于开始日期"),
    ({"name": "轮次", "opens_on": "9999-12-31", "closes_on": "9999-12-31"}, "opens_on", "2000 年至 2999 年"),
    ({"name": "轮次", "opens_on": "2027-01-01"}, "closes_on", "请填写申报截止日期"),
    ({"name": "轮次", "opens_on": "01/01/2027", "closes_on": "2027-01-31"}, "opens_on", "应为日期"),
])
def test_a_bad_round_is_refused_beside_its_field_and_none_is_opened(
        app: Flask, services: Services, console_world: ConsoleWorld, data: dict[str, str], name: str,
        message: str) -> None:
    deploy(services)
    bureau = logged_in(app, "officer")
    refused = post(bureau, BASE, data)
    assert refused.status_code == 422 and message in field_html(refused.get_data(as_text=True), name)
    assert rounds.list_rounds(services, actor(console_world.world, "officer")) == []


def test_other_roles_are_refused_and_an_unknown_round_is_404(
        app: Flask, services: Services, console_world: ConsoleWorld, consolidating: AdmissionWorld) -> None:
    rid = consolidating.round_id
    for username in ("h1_officer", "expert", "nhsa", "h1_doctor"):
        client = logged_in(app, username)
        assert "调整轮次" not in nav_of(client.get("/console/").get_data(as_text=True))
        for path in (BASE, f"{BASE}/{rid}", f"{BASE}/{rid}/experts", f"{BASE}/{rid}/consolidation",
                     f"{BASE}/{rid}/objections"):
            answer = client.get(path)
            assert answer.status_code == 403 and "无权执行该操作" in answer.get_data(as_text=True), (username, path)
        token = csrf_of(client, "/console/")
        for path, data in ((BASE, {"name": "轮次", "opens_on": "2030-01-01", "closes_on": "2030-01-31"}),
                           (f"{BASE}/{rid}/consolidation", {f"{NEW_ENTRY}-include": "true"}),
                           (f"{BASE}/{rid}/publication", {"effective_on": "2030-01-01"})):
            assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, (username, path)
    officer = actor(console_world.world, "officer")
    assert len(rounds.list_rounds(services, officer)) == 1
    assert [c.include for c in rounds.list_candidates(services, officer, rid)] == [None, None]
    bureau = logged_in(app, "officer")
    for path in (f"{BASE}/nonsense", f"{BASE}/00000000-0000-4000-8000-000000000000", f"{BASE}/x/experts"):
        assert bureau.get(path).status_code == 404, path
    app_path = f"{BASE}/{rid}/applications/not-an-id/material-review"
    assert post(bureau, app_path, {"decision": "accept"}, f"{BASE}/{rid}").status_code == 404


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
        app: Flask, services: Services, console_world: ConsoleWorld, consolidating: AdmissionWorld) -> None:
    bureau = logged_in(app, "officer")
    rid = consolidating.round_id
    for path, data in ((BASE, {"name": "轮次", "opens_on": "2030-01-01", "closes_on": "2030-01-31"}),
                       (f"{BASE}/{rid}/consolidation", {f"{e}-include": "true" for e in PANELS}),
                       (f"{BASE}/{rid}/publication", {"effective_on": "2030-01-01"})):
        refused = bureau.post(path, data=data)
        assert refused.status_code == 400 and "安全令牌" in refused.get_data(as_text=True), path
    officer = actor(console_world.world, "officer")
    assert len(rounds.list_rounds(services, officer)) == 1
    assert rounds.get_round(services, officer, rid).stage == "consolidating"


def test_a_step_not_open_is_refused_with_a_message_not_a_500(
        app: Flask, services: Services, console_world: ConsoleWorld, consolidating: AdmissionWorld) -> None:
    bureau = logged_in(app, "officer")
    rid = consolidating.round_id
    detail = f"{BASE}/{rid}"
    for path, data in ((f"{detail}/closure", {"reason": "再次截止"}), (f"{detail}/publication",
                       {"effective_on": "2030-01-01"}), (f"{detail}/experts", {})):
        answer = post(bureau, path, data, detail)
        assert answer.status_code == 409, (path, answer.status_code)
        assert "该步骤当前不可办理（本轮次处于“汇总审定”阶段" in answer.get_data(as_text=True)
    assert rounds.get_round(services, actor(console_world.world, "officer"), rid).stage == "consolidating"


def test_da4_the_bureau_confirms_the_same_function_of_an_existing_entry_before_its_material_review(
        app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    world = console_world.world
    deploy(services)
    today = clock.read_clock(services).now.astimezone(CHINA_TZ).date()
    rid = rounds.open_round(services, actor(world, "officer"), "2027年度耗材目录调整", today,
                            today + timedelta(days=9)).id
    app_id = drafted(services, world, "h1_officer", entry=EXISTING_ENTRY)
    applications.submit_application(services, actor(world, "h1_officer"), app_id)
    officer = actor(world, "officer")
    assert applications.get_application(services, officer, app_id).status == "fast_path_check"
    bureau = logged_in(app, "officer")
    detail = f"{BASE}/{rid}"
    page = bureau.get(detail).get_data(as_text=True)
    assert f'data-application-id="{app_id}"' in page and "待确认功能用途" in page
    path = f"{detail}/applications/{app_id}/fast-path"
    refused = post(bureau, path, {"note": "说\x00明"}, detail)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择功能用途是否相同" in field_html(page, "same_function_and_use")
    assert "空字符" in field_html(page, "note")
    assert applications.get_application(services, officer, app_id).status == "fast_path_check"
    assert post(bureau, path, {"same_function_and_use": "true", "note": "与目录内品种功能用途一致"},
                detail).status_code == 302
    assert applications.get_application(services, officer, app_id).status == "material_review"
    assert post(bureau, f"{detail}/applications/{app_id}/material-review", {"decision": "accept"},
                detail).status_code == 302
    accepted = applications.get_application(services, officer, app_id)
    assert (accepted.status, accepted.round_id, accepted.fast_path) == ("accepted", rid, True)


def test_da6_after_the_nhsa_returns_the_filing_the_form_shows_the_recorded_decisions(
        app: Flask, services: Services, console_world: ConsoleWorld, consolidating: AdmissionWorld) -> None:
    world, rid = console_world.world, consolidating.round_id
    rounds.consolidate(services, actor(world, "officer"), rid, {
        entry: {"include": True, "category": "乙", "max_payment_standard": "1200.50", "names": NAMES}
        for entry in PANELS})
    round_messages.answer_filing(services, actor(world, "nhsa"), rid, False, reasons="支付标准测算依据不足")
    assert stage(services, world, rid) == "consolidating"
    page = logged_in(app, "officer").get(f"{BASE}/{rid}/consolidation").get_data(as_text=True)
    include = field_html(page, f"{NEW_ENTRY}-include")
    assert 'value="true" checked' in include and 'value="false" checked' not in include
    assert 'value="1200.50"' in field_html(page, f"{OTHER_NEW_ENTRY}-max_payment_standard")
    assert 'value="中心静脉导管"' in field_html(page, f"{NEW_ENTRY}-tertiary_class")
    detail = logged_in(app, "officer").get(f"{BASE}/{rid}").get_data(as_text=True)
    filed = re.search(r'<section class="card" id="filings">.*?</section>', detail, re.S)
    assert filed and "已退回" in filed.group(0) and "支付标准测算依据不足" in filed.group(0)
