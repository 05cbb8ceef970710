"""The hot path's writes sent on the driver's cursor write exactly what SQLAlchemy's own execution writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import DriverStatement
from storage.models import AuditEntry, ProcessDefinition, ProcessInstance
from workflows.context import Services

INSTANCES = cast(Table, ProcessInstance.__table__)
AUDIT = cast(Table, AuditEntry.__table__)
DEFINITIONS = cast(Table, ProcessDefinition.__table__)
CHINA = timezone(timedelta(hours=8))  # an aware time in another zone is stored as its instant
T0 = datetime(2026, 11, 24, 8, 30, 15, 123456, tzinfo=UTC)

INSERT_INSTANCE = DriverStatement(insert(INSTANCES).inline(), [c.name for c in INSTANCES.columns])
BUMP = DriverStatement(
    update(INSTANCES).where(INSTANCES.c.id == bindparam("p_id"), INSTANCES.c.version == bindparam("p_version"))
    .values(status=bindparam("v_status"), version=bindparam("p_version") + 1)
)
INSERT_AUDIT = DriverStatement(insert(AUDIT).inline(), [c.name for c in AUDIT.columns if c.name != "id"])


def _definition(services: Services) -> str:
    with services.uow() as uow:
        uow.connection.execute(insert(DEFINITIONS), {
            "id": "def-1", "key": "k", "version": 1, "name": "k", "content_hash": "h" * 64, "bpmn_text": "<x/>",
            "filename": None, "deployed_at": T0, "deployed_by": "test",
        })
        uow.commit()
    return "def-1"


def _instance(instance_id: str, **changes: Any) -> dict[str, Any]:
    values = {
        "id": instance_id, "definition_id": "def-1", "business_key": "业务-1", "owner_org": None, "status": "waiting",
        "state": b"\x00\x01\xffstate", "state_format": "f", "next_timer_at": T0.astimezone(CHINA) + timedelta(days=3),
        "version": 1, "created_at": T0, "updated_at": T0, "started_by": "u", "audit_seq": 0, "audit_head": "0" * 64,
    }
    return values | changes


def _rows(services: Services, table: Table, column: Any, values: list[str]) -> list[tuple[Any, ...]]:
    with services.uow(read_only=True) as uow:
        rows = uow.connection.execute(select(table).where(column.in_(values)).order_by(column))
        return [tuple(r)[1:] if table is AUDIT else tuple(r) for r in rows]


def test_an_instance_row_sent_on_the_cursor_reads_back_like_one_sent_by_sqlalchemy(services: Services) -> None:
    _definition(services)
    with services.uow() as uow:
        INSERT_INSTANCE.execute(uow.connection, _instance("by-driver"))
        uow.connection.execute(insert(INSTANCES), _instance("by-core"))
        INSERT_INSTANCE.execute(uow.connection, [_instance(f"many-{i}", next_timer_at=None) for i in range(2)])
        uow.commit()
    driver, core = _rows(services, INSTANCES, INSTANCES.c.id, ["by-driver", "by-core"])
    assert driver[1:] == core[1:]
    assert driver[INSTANCES.c.keys().index("next_timer_at")] == T0 + timedelta(days=3)
    assert len(_rows(services, INSTANCES, INSTANCES.c.id, ["many-0", "many-1"])) == 2


def test_an_update_on_the_cursor_binds_the_statements_own_values_and_counts_its_rows(services: Services) -> None:
    _definition(services)
    with services.uow() as uow:
        INSERT_INSTANCE.execute(uow.connection, _instance("bumped"))
        assert BUMP.execute(uow.connection, {"p_id": "bumped", "p_version": 1, "v_status": "completed"}) == 1
        assert BUMP.execute(uow.connection, {"p_id": "bumped", "p_version": 1, "v_status": "errored"}) == 0
        uow.commit()
    (row,) = _rows(services, INSTANCES, INSTANCES.c.id, ["bumped"])
    assert (row[INSTANCES.c.keys().index("status")], row[INSTANCES.c.keys().index("version")]) == ("completed", 2)


def test_an_audit_entry_sent_on_the_cursor_reads_back_like_one_sent_by_sqlalchemy(services: Services) -> None:
    entry = {"aggregate_type": "instance", "aggregate_id": "a", "seq": 1, "at": T0, "actor": "u", "actor_org": None,
             "action": "x", "object_type": "process_instance", "object_id": "a", "before": None,
             "after": '{"status":"等待"}', "reason": None, "prev_hash": "0" * 64, "hash": "1" * 64}
    with services.uow() as uow:
        INSERT_AUDIT.execute(uow.connection, entry)
        uow.connection.execute(insert(AUDIT), entry | {"aggregate_id": "b", "object_id": "b"})
        uow.commit()
    driver, core = _rows(services, AUDIT, AUDIT.c.aggregate_id, ["a", "b"])
    assert driver[:1] + driver[2:8] + driver[9:] == core[:1] + core[2:8] + core[9:]  # all but the ids


def test_a_write_on_the_cursor_belongs_to_the_unit_of_work_and_rolls_back_with_it(services: Services) -> None:
    _definition(services)
    with services.uow() as uow:
        INSERT_INSTANCE.execute(uow.connection, _instance("rolled-back"))  # the first statement: it begins
    assert _rows(services, INSTANCES, INSTANCES.c.id, ["rolled-back"]) == []


def test_a_collision_on_the_cursor_is_sqlalchemys_integrity_error_without_its_values(services: Services) -> None:
    _definition(services)
    with services.uow() as uow:
        INSERT_INSTANCE.execute(uow.connection, _instance("twice"))
        with pytest.raises(IntegrityError) as caught:
            INSERT_INSTANCE.execute(uow.connection, _instance("twice"))
    assert "业务-1" not in str(caught.value)


def test_a_listener_on_cursor_executions_sees_every_write(services: Services) -> None:
    _definition(services)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0])

    event.listen(services.db, "before_cursor_execute", record)
    try:
        with services.uow() as uow:
            INSERT_INSTANCE.execute(uow.connection, _instance("watched"))
            BUMP.execute(uow.connection, {"p_id": "watched", "p_version": 1, "v_status": "completed"})
            uow.commit()
    finally:
        event.remove(services.db, "before_cursor_execute", record)
    assert seen == ["INSERT", "UPDATE"]
    assert len(_rows(services, INSTANCES, INSTANCES.c.id, ["watched"])) == 1


def test_a_row_read_on_the_cursor_equals_the_row_sqlalchemy_reads(services: Services) -> None:
    _definition(services)
    query = select(INSTANCES).where(INSTANCES.c.id == bindparam("p_id"))
    with services.uow() as uow:
        INSERT_INSTANCE.execute(uow.connection, _instance("read-back"))
        uow.commit()
    with services.uow(read_only=True) as uow:
        driver = DriverStatement(query).first(uow.connection, {"p_id": "read-back"})
        core = uow.connection.execute(query, {"p_id": "read-back"}).first()
        missing = DriverStatement(query).first(uow.connection, {"p_id": "no-such-row"})
    assert core is not None and driver == tuple(core) and missing is None
    values = dict(zip(INSTANCES.c.keys(), driver, strict=True))
    assert values["next_timer_at"] == T0 + timedelta(days=3) and values["next_timer_at"].tzinfo is not None
    assert isinstance(values["state"], bytes) and values["state"] == b"\x00\x01\xffstate"


def test_a_queue_row_read_on_the_cursor_has_the_values_sqlalchemy_reads(services: Services) -> None:
    from storage.task_store import TASKS

    _definition(services)
    row = {"id": "task-1", "instance_id": "with-task", "process_key": "k", "business_key": None, "name": "填写",
           "bpmn_id": "submit", "lane_role": "hospital_officer", "org_scope": "org", "candidate_user_id": None,
           "assignee_id": None, "status": "open", "priority": 50, "form": "f.json", "created_at": T0,
           "due_at": T0 + timedelta(days=5), "claimed_at": None, "completed_at": None, "completed_by": None}
    with services.uow() as uow:
        INSERT_INSTANCE.execute(uow.connection, _instance("with-task"))
        uow.tasks.add([row])
        uow.commit()
    with services.uow(read_only=True) as uow:
        found = uow.tasks.get("task-1")
        core = uow.connection.execute(select(TASKS).where(TASKS.c.id == "task-1")).one()
    assert tuple(found) == tuple(core) and found.due_at == T0 + timedelta(days=5) and found.status == "open"
