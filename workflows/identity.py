"""Use cases of identity: organizations, users, password login, bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from argon2.exceptions import InvalidHashError, VerificationError

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput, LoginThrottled, NotFound, Unauthenticated
from domain.identity import OrganizationFacts, UserFacts, check_organization, check_user
from domain.permissions import require
from storage.identity_models import ApiToken, Organization, PharmacyDesignation, User
from storage.identity_repository import Tokens
from storage.uow import UnitOfWork

from . import login_throttle
from .clock import system_now
from .context import Services

MIN_PASSWORD = 10


@dataclass(frozen=True)
class OrgView:
    id: str
    code: str
    name: str
    kind: str
    region_code: str
    tier: int | None
    specialized: bool | None
    cross_province: bool | None
    designated: bool
    dual_channel: bool | None
    designated_by: list[str]


@dataclass(frozen=True)
class UserView:
    id: str
    username: str
    display_name: str
    role: str
    org_id: str
    org_code: str
    physician_code: str | None
    title: str | None
    specialty: str | None
    expert_fields: list[str]
    active: bool


@dataclass(frozen=True)
class TokenView:
    token: str
    expires_at: datetime
    user: UserView


def token_digest(token: str) -> str:
    """Bearer tokens are stored as their SHA-256: fast to check on every request, useless if the table leaks."""
    return hashlib.sha256(token.encode()).hexdigest()


def _require_admin(actor: Actor) -> None:
    require(actor, "directory.manage")


def _org_view(org: Organization, designated_by: list[str]) -> OrgView:
    return OrgView(org.id, org.code, org.name, org.kind, org.region_code, org.tier, org.specialized,
                   org.cross_province, org.designated, org.dual_channel, designated_by)


def _user_view(user: User, org: Organization) -> UserView:
    fields = [f for f in (user.expert_fields or "").split(",") if f]
    return UserView(user.id, user.username, user.display_name, user.role, org.id, org.code, user.physician_code,
                    user.title, user.specialty, fields, user.active)


def create_organization(
    services: Services, actor: Actor, facts: OrganizationFacts, designated_by: list[str] | None = None,
) -> OrgView:
    """Register an organization; a pharmacy names the hospitals that designated it (by code)."""
    _require_admin(actor)
    check_organization(facts)
    with services.uow() as uow:
        if uow.identity.org_by_code(facts.code) is not None:
            raise Conflict(f"an organization with code {facts.code} exists", code="duplicate_org", field="code")
        now = system_now()
        org = Organization(**vars(facts), created_at=now)
        uow.identity.add(org)
        uow.flush()
        hospital_ids = []
        for code in designated_by or []:
            hospital = uow.identity.org_by_code(code)
            if hospital is None or hospital.kind != "hospital":
                raise InvalidInput(f"{code} is not a registered hospital", field="designated_by")
            uow.identity.add(PharmacyDesignation(pharmacy_id=org.id, hospital_id=hospital.id))
            hospital_ids.append(hospital.id)
        uow.audit.append(aggregate_type="organization", aggregate_id=org.id, at=now, actor=actor.user_id,
                         actor_org=actor.org_id, action="organization.created", object_type="organization",
                         object_id=org.id, after={"code": org.code, "kind": org.kind})
        uow.commit()
        return _org_view(org, hospital_ids)


def create_user(
    services: Services, actor: Actor, *, username: str, password: str, role: str, org_code: str,
    display_name: str, physician_code: str | None = None, title: str | None = None, specialty: str | None = None,
    expert_fields: tuple[str, ...] = (),
) -> UserView:
    """Create a user of one organization with one role; the password is stored as an argon2 hash."""
    _require_admin(actor)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters", field="password")
    with services.uow() as uow:
        org = uow.identity.org_by_code(org_code)
        if org is None:
            raise InvalidInput(f"no organization with code {org_code}", code="unknown_org", field="org")
        check_user(UserFacts(username, role, org.kind, physician_code, title, specialty, tuple(expert_fields)))
        if uow.identity.user_by_name(username) is not None:
            raise Conflict(f"the username {username} is taken", code="duplicate_user", field="username")
        now = system_now()
        hashed = services.passwords.hash(password)
        user = User(username=username, display_name=display_name, password_hash=hashed, role=role, org_id=org.id,
                    physician_code=physician_code, title=title, specialty=specialty,
                    expert_fields=",".join(expert_fields) or None, active=True, created_at=now)
        uow.identity.add(user)
        uow.flush()
        uow.audit.append(aggregate_type="user", aggregate_id=user.id, at=now, actor=actor.user_id,
                         actor_org=actor.org_id, action="user.created", object_type="user", object_id=user.id,
                         after={"username": username, "role": role, "org": org.code})
        uow.commit()
        return _user_view(user, org)


def login(services: Services, username: str, password: str, client: str = "local") -> TokenView:
    """Check a password and issue a bearer token; a client address that keeps failing waits (login_throttle)."""
    attempt = login_throttle.Attempt.of(username, client)
    with services.uow() as uow:
        wait = login_throttle.admit(uow, services.settings, attempt, system_now())
        user = uow.identity.user_by_name(username)
        uow.commit()
    if wait:
        raise LoginThrottled(f"too many failed logins from this address; try again in {wait} s",
                             extra={"retry_after": wait})
    # An unknown username costs one hash too, so timing does not tell which usernames exist.
    stored = user.password_hash if user else _dummy_hash(services)
    if not _verify(services, stored, password) or user is None or not user.active:
        _failed(services, attempt, user)
    return _issue_token(services, attempt, user.id)


def _failed(services: Services, attempt: login_throttle.Attempt, user: User | None) -> NoReturn:
    with services.uow() as uow:
        now = system_now()
        failures = login_throttle.record_failure(uow, services.settings, attempt, now)
        if user is not None:
            _audit_session(uow, user, now, "session.login_failed", {"client": attempt.client, "failures": failures})
        uow.commit()
    raise Unauthenticated("unknown username or wrong password", code="invalid_credentials")


def _issue_token(services: Services, attempt: login_throttle.Attempt, user_id: str) -> TokenView:
    with services.uow() as uow:
        now = system_now()
        user = uow.identity.user(user_id)
        org = uow.identity.org(user.org_id) if user else None
        if user is None or not user.active or org is None:  # changed between the check and now
            raise Unauthenticated("unknown username or wrong password", code="invalid_credentials")
        login_throttle.record_success(uow, attempt)
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(minutes=services.settings.token_ttl_minutes)
        uow.identity.add(ApiToken(token_hash=token_digest(token), user_id=user.id, created_at=now,
                                  expires_at=expires))
        _audit_session(uow, user, now, "session.login", {"expires_at": expires.isoformat()})
        uow.commit()
        return TokenView(token, expires, _user_view(user, org))


def _audit_session(uow: UnitOfWork, user: User, now: datetime, action: str, after: dict[str, object]) -> None:
    uow.audit.append(aggregate_type="user", aggregate_id=user.id, at=now, actor=user.id, actor_org=user.org_id,
                     action=action, object_type="user", object_id=user.id, after=after)


def _dummy_hash(services: Services) -> str:
    if services.dummy_hash is None:
        services.dummy_hash = services.passwords.hash(secrets.token_hex(16))
    return services.dummy_hash


def _verify(services: Services, password_hash: str, password: str) -> bool:
    try:
        return bool(services.passwords.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def authenticate(services: Services, token: str) -> Actor:
    """The actor behind a bearer token, or Unauthenticated."""
    with services.uow(single_read=True) as uow:
        found = uow.core(Tokens).owner(token_digest(token), system_now())
        if found is None:
            raise Unauthenticated("the token is unknown, expired or revoked", code="invalid_token")
        user_id, org_id, role, username = found
        return Actor(user_id, org_id, frozenset({role}), username)


def logout(services: Services, actor: Actor, token: str) -> None:
    """Revoke a bearer token."""
    with services.uow() as uow:
        now = system_now()
        if uow.identity.revoke(token_digest(token), now):
            user = uow.identity.user(actor.user_id)
            if user is not None:
                _audit_session(uow, user, now, "session.logout", {})
        uow.commit()


def me(services: Services, actor: Actor) -> UserView:
    """The caller's own user record."""
    with services.uow(read_only=True) as uow:
        user = uow.identity.user(actor.user_id)
        org = uow.identity.org(user.org_id) if user else None
        if user is None or org is None:
            raise NotFound("no such user", code="user_not_found")
        return _user_view(user, org)


def list_users(services: Services, actor: Actor) -> list[UserView]:
    """Every user (administrators) or the users of the caller's organization."""
    with services.uow(read_only=True) as uow:
        orgs = {o.id: o for o in uow.identity.orgs()}
        org_filter = None if actor.sees_all_organizations else actor.org_id
        return [_user_view(u, orgs[u.org_id]) for u in uow.identity.users(org_id=org_filter)]


def list_organizations(services: Services) -> list[OrgView]:
    """Every organization (their codes and designations are public facts of the insurance system)."""
    with services.uow(read_only=True) as uow:
        return [_org_view(o, uow.identity.designations(o.id)) for o in uow.identity.orgs()]


def set_password(services: Services, actor: Actor, username: str, password: str) -> None:
    """Replace a user's password (administrators, or the command line)."""
    _require_admin(actor)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters", field="password")
    with services.uow() as uow:
        user = uow.identity.user_by_name(username)
        if user is None:
            raise NotFound(f"no user {username}", code="user_not_found", field="username")
        user.password_hash = services.passwords.hash(password)
        uow.audit.append(aggregate_type="user", aggregate_id=user.id, at=system_now(), actor=actor.user_id,
                         actor_org=actor.org_id, action="user.password_set", object_type="user", object_id=user.id)
        uow.commit()
