"""Catalog changes by bureau action on SQLite and PostgreSQL: a VBP inclusion at its selected price (DA-7, CM-3,
VBP-1) and an emergency temporary inclusion that leaves the catalog by itself on its end date (DA-8)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.actors import SYSTEM
from domain.errors import PolicyViolation
from workflows import clock, reference_data, timers
from workflows.admission import catalog_changes
from workflows.context import Services

from ..admission_support import EXISTING_ENTRY, NEW_ENTRY, actor, admission_world, code, deploy, load_small_catalog
from ..factories import World

NAMES = {"primary_class": "血管介入治疗类材料", "secondary_class": "导管类", "tertiary_class": "中心静脉导管",
         "common_name": "导管"}


@pytest.fixture
def world(services: Services, tmp_path: Path) -> World:
    deploy(services)
    load_small_catalog(services, tmp_path)
    clock.set_clock(services, SYSTEM, datetime(2026, 9, 1, 2, tzinfo=UTC))
    return admission_world(services)


def vbp(price: str = "5000.00", **overrides: Any) -> dict[str, Any]:
    return {"kind": "vbp", "reason": "国家组织冠脉支架集中带量采购中选结果", "entry_code": EXISTING_ENTRY,
            "terms": {"category": "乙", "max_payment_standard": price},
            "procurement": {"selected": True, "selected_price": "5000.00"},
            "products": [{"code": code(EXISTING_ENTRY, "01234"), "name": "支架", "manufacturer": "某公司",
                          "specification": "10mm"}], "effective_on": "2026-10-01", **overrides}


def test_da7_vbp1_a_selected_product_is_included_at_its_selected_price(services: Services, world: World) -> None:
    bureau = actor(world, "officer")
    proposed = catalog_changes.propose_change(services, bureau, vbp())
    assert proposed.status == "awaiting_approval" and reference_data.list_catalog_versions(services)[-1].version == 1
    published = catalog_changes.approve_change(services, bureau, proposed.id, True, "按中选价格纳入")
    assert (published.status, published.published_version) == ("published", 2)
    entry = reference_data.get_catalog_entry(services, EXISTING_ENTRY, 2)
    assert entry.payment_standard == Decimal("5000.00")
    diff = reference_data.catalog_diff(services, 1, 2)
    assert [c.code for c in diff.changed] == [EXISTING_ENTRY] and diff.added == [] and diff.removed == []


@pytest.mark.parametrize(("change", "rule"), [
    (vbp(price="5200.00"), "VBP-1"), (vbp(procurement=None), "DA-7"),
    (vbp(kind="emergency", leaves_on="2027-01-01"), "DA-8"), (vbp(reason=""), "DA-7"),
])
def test_a_direct_change_the_catalog_cannot_take_is_refused_naming_the_rule(
        services: Services, world: World, change: dict[str, Any], rule: str) -> None:
    with pytest.raises(PolicyViolation) as refused:
        catalog_changes.propose_change(services, actor(world, "officer"), change)
    assert refused.value.rule == rule
    assert catalog_changes.list_changes(services, actor(world, "officer")) == []


def test_da8_an_emergency_inclusion_leaves_the_catalog_by_itself_on_its_end_date(services: Services,
                                                                                 world: World) -> None:
    bureau = actor(world, "officer")
    proposed = catalog_changes.propose_change(services, bureau, {
        "kind": "emergency", "reason": "突发公共卫生事件应急使用", "entry_code": NEW_ENTRY,
        "terms": {"category": "乙", "names": NAMES},
        "products": [{"code": code(NEW_ENTRY), "name": "导管", "manufacturer": "某公司", "specification": "A"}],
        "effective_on": "2026-09-10", "leaves_on": "2026-12-01"})
    assert catalog_changes.approve_change(services, bureau, proposed.id, True).published_version == 2
    assert reference_data.get_catalog_entry(services, NEW_ENTRY, 2).common_name == "导管"
    timers.run_until(services, datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
    assert reference_data.list_catalog_versions(services)[-1].version == 2
    timers.run_until(services, datetime(2026, 12, 1, tzinfo=UTC))  # 08:00 China time on the end date
    expired = catalog_changes.get_change(services, bureau, proposed.id)
    assert (expired.status, expired.expired_version) == ("expired", 3)
    latest = reference_data.list_catalog_versions(services)[-1]
    assert (latest.version, latest.effective_date) == (3, date(2026, 12, 1))
    assert [e.code for e in reference_data.catalog_diff(services, 2, 3).removed] == [NEW_ENTRY]


def test_a_refused_approval_publishes_nothing(services: Services, world: World) -> None:
    bureau = actor(world, "officer")
    proposed = catalog_changes.propose_change(services, bureau, vbp())
    refused = catalog_changes.approve_change(services, bureau, proposed.id, False, "价格需复核")
    assert (refused.status, refused.note, refused.published_version) == ("not_approved", "价格需复核", None)
    assert reference_data.list_catalog_versions(services)[-1].version == 1
