"""Organizations, users, their bearer tokens, and recent failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_id


class Organization(Base):
    """The bureau, the NHSA, a designated hospital or a designated retail pharmacy."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)  # bureau | nhsa | hospital | pharmacy
    region_code: Mapped[str] = mapped_column(String(6))
    tier: Mapped[int | None] = mapped_column(Integer)
    specialized: Mapped[bool | None] = mapped_column(Boolean)
    cross_province: Mapped[bool | None] = mapped_column(Boolean)
    designated: Mapped[bool] = mapped_column(Boolean, default=True)
    dual_channel: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PharmacyDesignation(Base):
    """A hospital's designation of a dual-channel pharmacy (ND-13)."""

    __tablename__ = "pharmacy_designations"

    pharmacy_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)


class User(Base):
    """A person with one role in one organization."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    physician_code: Mapped[str | None] = mapped_column(String(13), unique=True)
    title: Mapped[str | None] = mapped_column(String(16))
    specialty: Mapped[str | None] = mapped_column(String(64))
    expert_fields: Mapped[str | None] = mapped_column(Text)  # comma-separated EXPERT_FIELDS
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A bearer token: only its SHA-256 is stored; it expires and can be revoked."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"), Index("ix_api_tokens_user", "user_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LoginFailure(Base):
    """Recent failed logins of one username from one client address (scope ``pair``), from one client address
    whatever the username (``client``, username ""), or of one username from anywhere (``user``, client "")."""

    __tablename__ = "login_failures"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # pair | client | user
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # Until when this client waits (429); None while failures are still free.
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
