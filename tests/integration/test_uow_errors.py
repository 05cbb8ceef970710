"""A collision the database refuses becomes a Conflict that carries none of the database's text or values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import Conflict
from storage.identity_models import Organization
from workflows.context import Services

SECRET_CODE = "H52010299999"


def _org() -> Organization:
    return Organization(code=SECRET_CODE, name="秘密医院", kind="hospital", region_code="520102",
                        created_at=datetime(2026, 11, 30, tzinfo=UTC))


@pytest.mark.parametrize("finish", ["flush", "commit"])
def test_duplicate_conflict_detail_carries_no_database_values(services: Services, finish: str) -> None:
    with services.uow() as uow:
        uow.identity.add(_org())
        uow.commit()
    with services.uow() as uow:
        uow.identity.add(_org())
        with pytest.raises(Conflict) as caught:
            getattr(uow, finish)()
    assert caught.value.code == "duplicate"
    assert SECRET_CODE not in caught.value.detail
    assert "organizations" not in caught.value.detail and "Key" not in caught.value.detail
