"""Queries of organizations, users and tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .identity_models import ApiToken, Organization, PharmacyDesignation, User


class Identity:
    """Organizations, users and bearer tokens."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def org_by_code(self, code: str) -> Organization | None:
        return self.session.scalars(select(Organization).where(Organization.code == code)).first()

    def org(self, org_id: str) -> Organization | None:
        return self.session.get(Organization, org_id)

    def orgs_of_kind(self, kind: str) -> Sequence[Organization]:
        query = select(Organization).where(Organization.kind == kind).order_by(Organization.code)
        return self.session.scalars(query).all()

    def orgs(self) -> Sequence[Organization]:
        return self.session.scalars(select(Organization).order_by(Organization.kind, Organization.code)).all()

    def designations(self, pharmacy_id: str) -> list[str]:
        query = select(PharmacyDesignation.hospital_id).where(PharmacyDesignation.pharmacy_id == pharmacy_id)
        return list(self.session.scalars(query))

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    def user(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def user_by_name(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def users(self, org_id: str | None = None, role: str | None = None) -> Sequence[User]:
        query = select(User)
        if org_id is not None:
            query = query.where(User.org_id == org_id)
        if role is not None:
            query = query.where(User.role == role)
        return self.session.scalars(query.order_by(User.username)).all()

    def token_owner(self, token_hash: str, now: datetime) -> tuple[User, ApiToken] | None:
        """The active user of an unexpired, unrevoked token."""
        row = self.session.execute(
            select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id).where(
                ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
                User.active.is_(True),
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    def revoke(self, token_hash: str, now: datetime) -> int:
        result = self.session.execute(
            update(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
