"""Organizations, roles and users of the medical-insurance administration, and the rules that tie them."""

from __future__ import annotations

from dataclasses import dataclass

from domain import codes
from domain.errors import InvalidInput

ORG_KINDS = ("bureau", "nhsa", "hospital", "pharmacy")
ROLES = (
    "admin", "bureau_officer", "expert", "hospital_officer", "physician", "pharmacist", "nhsa_officer", "auditor",
)
# Which kind of organization employs each role; experts may come from any organization (DA-5).
ROLE_ORG_KINDS: dict[str, tuple[str, ...]] = {
    "admin": ("bureau",),
    "bureau_officer": ("bureau",),
    "auditor": ("bureau",),
    "nhsa_officer": ("nhsa",),
    "hospital_officer": ("hospital",),
    "physician": ("hospital",),
    "pharmacist": ("pharmacy",),
    "expert": ORG_KINDS,
}
# Roles that see every organization's instances and tasks; the others see their own organization's.
OVERSIGHT_ROLES = frozenset({"admin", "bureau_officer", "auditor"})
PROFESSIONAL_TITLES = ("主任医师", "副主任医师", "主治医师", "住院医师")
SENIOR_TITLES = frozenset({"主任医师", "副主任医师"})  # 高级专业技术职称 (ND-4)
# The five fields of the expert panel (DA-5).
EXPERT_FIELDS = (
    "clinical_medicine", "health_administration", "drug_supervision", "insurance_management", "health_economics",
)
HOSPITAL_TIERS = (1, 2, 3)


@dataclass(frozen=True)
class OrganizationFacts:
    """What a new organization declares; checked by :func:`check_organization`."""

    kind: str
    code: str
    name: str
    region_code: str
    tier: int | None = None
    specialized: bool | None = None
    cross_province: bool | None = None
    designated: bool = True
    dual_channel: bool | None = None


def check_organization(org: OrganizationFacts) -> OrganizationFacts:
    """Refuse an organization whose code, region or hospital facts are malformed; name the field."""
    if org.kind not in ORG_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(ORG_KINDS)}", code="invalid_org_kind", field="kind")
    if not org.name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if not (len(org.region_code) == 6 and org.region_code.isdigit()):
        raise InvalidInput("region_code must be a 6-digit administrative division", code="invalid_code",
                           field="region_code")
    if org.kind == "hospital":
        codes.institution_code(org.code, field="code")
        if org.tier not in HOSPITAL_TIERS:
            raise InvalidInput("tier must be 1, 2 or 3", code="invalid_tier", field="tier")
        if org.specialized is None or org.cross_province is None:
            raise InvalidInput("a hospital declares specialized and cross_province", field="specialized")
    elif org.kind == "pharmacy":
        codes.pharmacy_code(org.code, field="code")
        if org.dual_channel is None:
            raise InvalidInput("a pharmacy declares dual_channel", field="dual_channel")
    elif not org.code.strip():
        raise InvalidInput("code must not be empty", field="code")
    if org.kind in ("hospital", "pharmacy") and org.code[1:7] != org.region_code:
        raise InvalidInput("the code's division (characters 2–7) must equal region_code", code="invalid_code",
                           field="code")
    return org


@dataclass(frozen=True)
class UserFacts:
    """What a new user declares; checked by :func:`check_user`."""

    username: str
    role: str
    org_kind: str
    physician_code: str | None = None
    title: str | None = None
    specialty: str | None = None
    expert_fields: tuple[str, ...] = ()


def check_user(user: UserFacts) -> UserFacts:
    """Refuse a user whose role does not fit their organization or whose professional facts are malformed."""
    if not (3 <= len(user.username) <= 64) or not user.username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("username must be 3–64 letters, digits, '.' or '_'", field="username")
    if user.role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role", field="role")
    if user.org_kind not in ROLE_ORG_KINDS[user.role]:
        raise InvalidInput(f"a {user.role} belongs to a {' or '.join(ROLE_ORG_KINDS[user.role])}, not a "
                           f"{user.org_kind}", code="role_org_mismatch", field="org")
    if user.role == "physician":
        codes.physician_code(user.physician_code, field="physician_code")
        if user.title not in PROFESSIONAL_TITLES:
            raise InvalidInput(f"title must be one of {'、'.join(PROFESSIONAL_TITLES)}", field="title")
        if not user.specialty:
            raise InvalidInput("a physician has a specialty", field="specialty")
    if user.role == "expert":
        unknown = [f for f in user.expert_fields if f not in EXPERT_FIELDS]
        if not user.expert_fields or unknown:
            raise InvalidInput(f"expert_fields must be among {', '.join(EXPERT_FIELDS)}", field="expert_fields")
    return user


def is_senior(title: str | None) -> bool:
    """True for a senior professional title (主任医师 or 副主任医师, ND-4)."""
    return title in SENIOR_TITLES
