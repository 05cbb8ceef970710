"""`yibao demo load`: every role, the organizations issue 4 asks for, the drug list and the catalog; idempotent."""

from __future__ import annotations

from domain.actors import SYSTEM
from domain.identity import EXPERT_FIELDS, ROLES, is_senior
from workflows import demo, identity, reference_data
from workflows.context import Services


def test_demo_load_creates_the_demo_world_once(services: Services) -> None:
    first = demo.load(services)
    assert len(first.passwords) == len(demo.USERS) and first.catalog_version == 1
    again = demo.load(services)
    assert again.passwords == {} and again.organizations == [] and again.catalog_version == 1

    orgs = {o.code: o for o in identity.list_organizations(services)}
    hospitals = [o for o in orgs.values() if o.kind == "hospital"]
    assert len(hospitals) == 5
    tier3 = [h for h in hospitals if h.tier == 3]
    assert len(tier3) == 3 and sum(1 for h in tier3 if h.specialized) == 1
    assert sum(1 for h in hospitals if not h.cross_province) == 1
    pharmacies = [o for o in orgs.values() if o.kind == "pharmacy"]
    assert len(pharmacies) == 2 and all(p.dual_channel for p in pharmacies)
    tier3_ids = {h.id for h in tier3}
    assert all(len(p.designated_by) == 1 and p.designated_by[0] in tier3_ids for p in pharmacies)  # ND-13

    users = identity.list_users(services, SYSTEM)
    assert {u.role for u in users} == set(ROLES)
    physicians = [u for u in users if u.role == "physician"]
    assert any(is_senior(u.title) for u in physicians) and any(not is_senior(u.title) for u in physicians)  # ND-4
    experts = [u for u in users if u.role == "expert"]
    assert {f for u in experts for f in u.expert_fields} == set(EXPERT_FIELDS)  # DA-5: five fields
    assert any(orgs[u.org_code].kind == "hospital" for u in experts)  # SV-3: conflict of interest is possible

    drugs = reference_data.list_drugs(services)
    assert len(drugs.drugs) == 23  # ND-1
    entries = reference_data.get_catalog_entries(services, None, None, None, 1, 0)
    assert entries.total == 3211
