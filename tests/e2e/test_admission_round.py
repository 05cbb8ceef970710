"""Issue 7, done when: a full adjustment round over HTTP with the demo data — four hospitals' applications (one
included automatically, one rejected at pre-check for an expired certificate, one returned for supplement then
accepted, one rejected by the experts), expert review, consolidation, the NHSA's acknowledgement, a public notice
across the National Day holiday on the simulated clock, version 2 of the catalog with exactly the changes, and each
hospital seeing its outcome with the reason; nobody sees what is not theirs (SV-3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from api import create_app
from workflows import demo, timers
from workflows.context import Services

from ..admission_support import EXISTING_ENTRY, NEW_ENTRY, OTHER_NEW_ENTRY, code, facts
from .admission_http import Client, apply, deploy, logins, ok, state_bytes, upload

RETIRED = "C01010100101004"
NAMES = {"primary_class": "血管介入治疗类材料", "secondary_class": "导管类", "tertiary_class": "中心静脉导管",
         "common_name": "导管", "material": "聚氨酯", "characteristics": "单腔"}
PANELS = {NEW_ENTRY: ("expert.clinical", "expert.admin", "expert.supervision"),
          OTHER_NEW_ENTRY: ("expert.insurance", "expert.economics", "expert.admin")}
STATE_LIMIT = 2048


@pytest.fixture
def demo_app(services: Services) -> Iterator[tuple[Flask, Client, Services]]:
    passwords = demo.load(services).passwords
    app = create_app(services=services)
    yield app, logins(app, passwords), services


def at(client: Client, iso: str) -> None:
    ok(client("admin").put("/clock", json={"now": iso}))


def user_ids(as_user: Client) -> dict[str, str]:
    return {u["username"]: u["id"] for u in ok(as_user("admin").get("/users"))}


def applications(as_user: Client) -> dict[str, str]:
    """Four hospitals apply: the application ids by hospital officer."""
    ids = {"h1.officer": apply(as_user("h1.officer"), facts(code=code(EXISTING_ENTRY))),
           "h2.officer": apply(as_user("h2.officer"), facts(certificate_expires_on="2026-06-30")),
           "h3.officer": apply(as_user("h3.officer"), facts(NEW_ENTRY)),
           "h4.officer": apply(as_user("h4.officer"), facts(OTHER_NEW_ENTRY, product_name="一次性使用止血夹"))}
    rejected = ok(as_user("h2.officer").get(f"/admission/applications/{ids['h2.officer']}"))
    assert rejected["status"] == "rejected_at_precheck"
    assert rejected["outcome"]["rules"] == ["CA-2"] and "已过有效期" in rejected["outcome"]["reason"]
    return ids


def bureau_reviews(as_user: Client, ids: dict[str, str], sizes: dict[str, int]) -> None:
    bureau, admin = as_user("bureau.wang"), as_user("admin")
    h1 = ok(bureau.get(f"/admission/applications/{ids['h1.officer']}"))
    assert (h1["status"], h1["existing_entry"]) == ("fast_path_check", True)
    ok(bureau.post(f"/admission/applications/{ids['h1.officer']}/fast-path", json={"same_function_and_use": True}))
    ok(bureau.post(f"/admission/applications/{ids['h1.officer']}/material-review", json={"decision": "accept"}))
    returned = ok(bureau.post(f"/admission/applications/{ids['h3.officer']}/material-review", json={
        "decision": "return", "reason": "说明书与注册证型号不一致，请补正", "supplement_working_days": 5}))
    assert (returned["status"], returned["supplement_last_day"]) == ("supplement_requested", "2026-09-08")
    sizes["h3 returned"] = state_bytes(admin, returned["instance_id"])
    steps = {(s["bpmn_id"], s["open"]) for s in ok(bureau.get("/admission/queue"))["steps"]}
    assert ("material_review", 1) in steps and ("supplement", 1) in steps and ("window", 1) in steps
    assert as_user("h4.officer").get("/admission/queue").status_code == 403
    h4_task = ok(bureau.get("/tasks", query_string={"business_key": ids["h4.officer"], "status": "open"}))["items"][0]
    assert (h4_task["bpmn_id"], h4_task["lane_role"]) == ("material_review", "bureau_officer")
    ok(bureau.post(f"/tasks/{h4_task['id']}/complete", json={"data": {"decision": "accept"}}))  # the generic queue


def supplement(as_user: Client, ids: dict[str, str]) -> None:
    h3, app_id = as_user("h3.officer"), ids["h3.officer"]
    seen = ok(h3.get(f"/admission/applications/{app_id}"))
    old = next(d for d in seen["documents"] if d["kind"] == "instructions")
    assert h3.delete(f"/admission/applications/{app_id}/documents/{old['id']}").status_code == 204
    ok(upload(h3, app_id, "instructions", "说明书（修订）.pdf", b"%PDF-1.7\n% revised instructions\n"), 201)
    ok(h3.put(f"/admission/applications/{app_id}", json=facts(NEW_ENTRY, specification="型号A 规格10mm（修订）")))
    assert ok(h3.post(f"/admission/applications/{app_id}/submission"))["status"] == "material_review"
    ok(as_user("bureau.wang").post(f"/admission/applications/{app_id}/material-review", json={"decision": "accept"}))


def assign(as_user: Client, round_id: str) -> None:
    bureau, users = as_user("bureau.wang"), user_ids(as_user)
    closed = ok(bureau.post(f"/admission/rounds/{round_id}/closure", json={"reason": "申报截止"}))
    assert closed["stage"] == "assigning"
    candidates = ok(bureau.get(f"/admission/rounds/{round_id}/candidates"))
    assert [(c["entry_code"], c["applications"]) for c in candidates] == [(NEW_ENTRY, 1), (OTHER_NEW_ENTRY, 1)]
    too_few = bureau.put(f"/admission/rounds/{round_id}/experts", json={"assignments": [
        {"entry_code": entry, "expert_ids": [users[u] for u in panel[:2]]} for entry, panel in PANELS.items()]})
    problem = ok(too_few, 422)
    assert (problem["rule"], problem["field"], problem["code"]) == ("DA-5", f"assignments.{NEW_ENTRY}.experts",
                                                                    "assignment_refused")
    ok(bureau.put(f"/admission/rounds/{round_id}/experts", json={"assignments": [
        {"entry_code": entry, "expert_ids": [users[u] for u in panel]} for entry, panel in PANELS.items()]}))


def review(as_user: Client, round_id: str, username: str, entry: str, include: bool, **terms: Any) -> None:
    body = {"include": include, "reasoning": "临床必需，价格合理" if include else "已有可替代产品，不予纳入", **terms}
    if username == "expert.admin" and entry == OTHER_NEW_ENTRY:  # through the generic task queue
        task = ok(as_user(username).get(f"/admission/rounds/{round_id}/candidates/{entry}"))["review_task_id"]
        ok(as_user(username).post(f"/tasks/{task}/complete", json={"data": {"review": body}}))
    else:
        ok(as_user(username).post(f"/admission/rounds/{round_id}/candidates/{entry}/review", json=body))


def expert_reviews(as_user: Client, round_id: str, ids: dict[str, str]) -> None:
    supervision = as_user("expert.supervision")
    assert [c["entry_code"] for c in ok(supervision.get(f"/admission/rounds/{round_id}/candidates"))] == [NEW_ENTRY]
    assert supervision.get(f"/admission/rounds/{round_id}/candidates/{OTHER_NEW_ENTRY}").status_code == 404
    assert supervision.get(f"/admission/applications/{ids['h4.officer']}").status_code == 404
    theirs = ok(supervision.get(f"/admission/applications/{ids['h3.officer']}"))
    document = supervision.get(f"/admission/applications/{theirs['id']}/documents/{theirs['documents'][0]['id']}")
    assert (document.status_code, document.mimetype) == (200, theirs["documents"][0]["media_type"])
    review(as_user, round_id, "expert.clinical", NEW_ENTRY, True, category="乙", max_payment_standard="1200.00")
    review(as_user, round_id, "expert.admin", NEW_ENTRY, True, category="乙", max_payment_standard="1150.00",
           restricted_scope="限三级医院使用")
    review(as_user, round_id, "expert.supervision", NEW_ENTRY, False)
    for username in PANELS[OTHER_NEW_ENTRY]:
        review(as_user, round_id, username, OTHER_NEW_ENTRY, False)
    own = ok(as_user("expert.clinical").get(f"/admission/rounds/{round_id}/candidates/{NEW_ENTRY}"))
    assert [r["expert_id"] for r in own["reviews"]] == [user_ids(as_user)["expert.clinical"]]


def consolidate_and_file(as_user: Client, round_id: str) -> None:
    bureau = as_user("bureau.wang")
    seen = {c["entry_code"]: c for c in ok(bureau.get(f"/admission/rounds/{round_id}/candidates"))}
    summary = seen[NEW_ENTRY]["summary"]
    assert (len(summary["votes_for"]), summary["included"], summary["standard_median"]) == (2, True, "1175.00")
    assert seen[OTHER_NEW_ENTRY]["summary"]["included"] is False
    ok(bureau.post(f"/admission/rounds/{round_id}/consolidation", json={
        "decisions": [{"entry_code": NEW_ENTRY, "include": True, "category": "乙", "max_payment_standard": "1180.00",
                       "restricted_scope": "限三级医院使用", "names": NAMES},
                      {"entry_code": OTHER_NEW_ENTRY, "include": False, "reason": "专家评审认为已有可替代产品"}],
        "retirements": [{"entry_code": RETIRED, "reason": "临床已淘汰"}]}))
    nhsa = as_user("nhsa.li")
    (pending,) = ok(nhsa.get("/admission/filings", query_string={"status": "pending"}))
    assert pending["round_id"] == round_id
    at(as_user, "2026-09-29T10:00:00+08:00")  # Tuesday before the National Day holiday (1–7 October)
    noticed = ok(nhsa.post(f"/admission/rounds/{round_id}/filing/acknowledgement",
                           json={"filing_number": "国医保耗备〔2026〕12号"}))
    assert (noticed["stage"], noticed["notice_last_day"], noticed["notice_warnings"]) == (
        "notice", "2026-10-12", [])  # 30 Sep, 8, 9, 10 (a Saturday worked in exchange) and 12 Oct


def notice_passes(as_user: Client, services: Services, round_id: str) -> None:
    bureau = as_user("bureau.wang")
    at(as_user, "2026-10-09T09:00:00+08:00")
    objection = ok(as_user("h2.officer").post(f"/admission/rounds/{round_id}/objections", json={
        "text": "拟纳入导管的支付标准偏高", "entry_code": NEW_ENTRY}), 201)
    at(as_user, "2026-10-12T23:59:00+08:00")
    timers.sweep(services)
    assert ok(bureau.get(f"/admission/rounds/{round_id}"))["stage"] == "notice"
    at(as_user, "2026-10-13T00:00:01+08:00")
    assert timers.sweep(services)  # the notice timer fires once the last working day is over
    assert ok(bureau.get(f"/admission/rounds/{round_id}"))["stage"] == "objections"
    ok(bureau.post(f"/admission/rounds/{round_id}/objection-resolutions", json={"resolutions": [
        {"objection_id": objection["id"], "upheld": False, "resolution": "支付标准在同类产品价格区间内"}]}))


def test_issue7_a_full_round_over_http_with_the_demo_data(demo_app: tuple[Flask, Client, Services]) -> None:
    _, as_user, services = demo_app
    deploy(as_user("admin"))
    at(as_user, "2026-09-01T10:00:00+08:00")
    opened = ok(as_user("bureau.wang").post("/admission/rounds", json={
        "name": "2026年度贵州省医保医用耗材目录调整", "opens_on": "2026-09-01", "closes_on": "2026-09-25"}), 201)
    round_id, sizes = opened["id"], {}
    ids = applications(as_user)
    bureau_reviews(as_user, ids, sizes)
    at(as_user, "2026-09-03T10:00:00+08:00")
    supplement(as_user, ids)
    admin = as_user("admin")
    for officer in ("h1.officer", "h3.officer", "h4.officer"):
        seen = ok(as_user(officer).get(f"/admission/applications/{ids[officer]}"))
        assert (seen["status"], seen["round_id"]) == ("accepted", round_id)
        sizes[officer] = state_bytes(admin, seen["instance_id"])
    assert max(sizes.values()) <= STATE_LIMIT, sizes
    print(f"state bytes per waiting application: {sizes}")
    at(as_user, "2026-09-10T10:00:00+08:00")
    assign(as_user, round_id)
    expert_reviews(as_user, round_id, ids)
    consolidate_and_file(as_user, round_id)
    notice_passes(as_user, services, round_id)
    published = ok(as_user("bureau.wang").post(f"/admission/rounds/{round_id}/publication",
                                               json={"effective_on": "2026-11-01"}))
    assert (published["stage"], published["published_version"]) == ("published", 2)
    outcomes(as_user, ids)
    catalog_changes(as_user, services)
    nobody_else_sees(as_user, ids, round_id)


def outcomes(as_user: Client, ids: dict[str, str]) -> None:
    expected = {"h1.officer": ("included_automatically", EXISTING_ENTRY), "h2.officer": ("rejected_at_precheck", None),
                "h3.officer": ("included", NEW_ENTRY), "h4.officer": ("rejected_by_experts", OTHER_NEW_ENTRY)}
    for officer, (kind, entry) in expected.items():
        seen = ok(as_user(officer).get(f"/admission/applications/{ids[officer]}"))
        assert (seen["status"], seen["outcome"]["kind"], seen["outcome"]["entry_code"]) == (kind, kind, entry)
        assert seen["outcome"]["reason"] and seen["outcome"]["label"]
    h4 = ok(as_user("h4.officer").get(f"/admission/applications/{ids['h4.officer']}"))["outcome"]
    assert h4["reason"] == "专家评审认为已有可替代产品"
    h3 = ok(as_user("h3.officer").get(f"/admission/applications/{ids['h3.officer']}"))["outcome"]
    assert h3["effective_on"] == "2026-11-01"


def catalog_changes(as_user: Client, services: Services) -> None:
    diff = ok(as_user("h1.officer").get("/catalog/diff", query_string={"from": 1, "to": 2}))
    assert [e["code"] for e in diff["added"]] == [NEW_ENTRY]
    assert [e["code"] for e in diff["removed"]] == [RETIRED] and diff["changed"] == []
    added = diff["added"][0]
    assert (added["payment_category"], added["payment_standard"], added["description"], added["common_name"]) == (
        "乙", "1180.00", "限三级医院使用", "导管")
    (publication,) = ok(as_user("h2.officer").get("/admission/publications"))
    assert publication["products_added"] == sorted([code(EXISTING_ENTRY), code(NEW_ENTRY)])
    assert publication["effective_on"] == "2026-11-01"
    assert demo.load(services).catalog_version == 1  # a demo reload keeps the published version
    assert ok(as_user("admin").get("/catalog/versions"))[-1]["version"] == 2


def nobody_else_sees(as_user: Client, ids: dict[str, str], round_id: str) -> None:
    h2, mine = as_user("h2.officer"), ok(as_user("h1.officer").get(f"/admission/applications/{ids['h1.officer']}"))
    assert h2.get(f"/admission/applications/{mine['id']}").status_code == 404
    assert h2.get(f"/admission/applications/{mine['id']}/documents").status_code == 404
    assert h2.get(f"/admission/applications/{mine['id']}/documents/{mine['documents'][0]['id']}").status_code == 404
    assert h2.get(f"/process-instances/{mine['instance_id']}").status_code == 404
    assert [a["id"] for a in ok(h2.get("/admission/applications"))["items"]] == [ids["h2.officer"]]
    assert h2.get(f"/admission/rounds/{round_id}/candidates/{NEW_ENTRY}").status_code == 404
    refused = ok(h2.get(f"/admission/rounds/{round_id}/candidates"), 403)
    assert refused["rule"] == "SV-3"
    assert as_user("expert.insurance").get(f"/admission/rounds/{round_id}/candidates/{NEW_ENTRY}").status_code == 404
    assert ok(as_user("expert.supervision").get("/tasks", query_string={"status": "completed"}))["total"] == 1
