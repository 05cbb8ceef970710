"""Queries of organizations, users, tokens and failed logins (the ORM: none of this is a hot path)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, delete, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .db import DriverStatement
from .identity_models import ApiToken, LoginFailure, Organization, PharmacyDesignation, User

# Every authenticated request reads its token's owner: built once, sent on the driver's cursor, no ORM session.
_TOKEN_OWNER = DriverStatement(
    select(*cast(tuple[Any, ...], (User.id, User.org_id, User.role, User.username)))
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("p_hash"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("p_now"), User.active.is_(true()))
)


class Tokens:
    """Bearer tokens on the unit of work's connection (``uow.core(Tokens)``)."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def owner(self, token_hash: str, now: datetime) -> tuple[str, str | None, str, str] | None:
        """The (user id, organization id, role, username) of an active user's unexpired, unrevoked token."""
        row = _TOKEN_OWNER.first(self._conn, {"p_hash": token_hash, "p_now": now})
        return (row[0], row[1], row[2], row[3]) if row is not None else None


class Identity:
    """Organizations, users, bearer tokens and failed logins."""

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

    def revoke(self, token_hash: str, now: datetime) -> int:
        result = self.session.execute(
            update(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def login_failure(self, scope: str, username: str, client: str, lock: bool = False) -> LoginFailure | None:
        """The failure record of one scope, locked for this transaction when ``lock``."""
        return self.session.get(LoginFailure, (scope, username, client), with_for_update=lock, populate_existing=lock)

    def locked_login_failure(self, scope: str, username: str, client: str, now: datetime) -> LoginFailure:
        """The failure record of one scope, created (with no failures) if missing, locked for this transaction.

        Concurrent failures queue on the row lock (PostgreSQL) or the write lock (SQLite): none is lost.
        """
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        self.session.execute(
            insert(LoginFailure).values(scope=scope, username=username, client=client, failures=0,
                                        last_failure_at=now, blocked_until=None)
            .on_conflict_do_nothing(index_elements=["scope", "username", "client"])
        )
        found = self.login_failure(scope, username, client, lock=True)
        assert found is not None
        return found

    def clear_login_failures(self, scope: str, username: str, client: str) -> None:
        self.session.execute(delete(LoginFailure).where(
            LoginFailure.scope == scope, LoginFailure.username == username, LoginFailure.client == client))

    def forget_login_failures(self, before: datetime, now: datetime) -> int:
        """Delete the records whose last failure is older than ``before`` and that no longer delay anyone."""
        result = self.session.execute(delete(LoginFailure).where(
            LoginFailure.last_failure_at < before,
            (LoginFailure.blocked_until.is_(None)) | (LoginFailure.blocked_until < now),
        ))
        return int(result.rowcount)  # type: ignore[attr-defined]
