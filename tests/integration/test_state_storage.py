"""Instance state survives the real database column on both backends, task data included (trap 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from domain.actors import SYSTEM
from storage.models import ProcessInstance
from workflows import definitions
from workflows.context import Services

from ..conftest import diagram_form_texts, diagram_text

T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def test_state_round_trips_through_the_column_with_every_task_data(services: Services) -> None:
    definitions.deploy(services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
    engine = services.engine
    with services.uow() as uow:
        row = uow.definitions.latest("foundation_demo")
        assert row is not None
        diagram = engine.diagram(row.bpmn_text, row.content_hash)
        definition_id = row.id
    start = {
        "applicant": "H45012400011", "applied_on": date(2026, 11, 24), "fee": Decimal("1234.50"),
        "名称": "气管支气管支架", "nested": {"z": 1, "a": [1, 2, {"b": None}]}, "zeta": True, "alpha": 0.5,
    }
    run = engine.start(diagram, start, T0)
    (task,) = run.snapshot().user_tasks
    run.complete(task.id, {"code": "C09100100000000211790000049", "amount": 10, "limit": Decimal("99.9")}, T0)
    expected = run.every_task_data()
    assert len({k for data in expected.values() for k in data}) > 8  # data spread over several tasks
    with services.uow() as uow:
        uow.session.add(ProcessInstance(
            id="0d5e0c56-5b2a-4b56-8f4c-000000000001", definition_id=definition_id, status="waiting",
            state=run.dump(), state_format=engine.state_format, created_at=T0, updated_at=T0, started_by="test",
        ))
        uow.commit()
    with services.uow() as uow:
        stored = uow.store.load("0d5e0c56-5b2a-4b56-8f4c-000000000001")
        assert stored is not None
        restored = engine.restore(diagram, stored.state)
    assert restored.every_task_data() == expected
    data = restored.snapshot()
    assert data.status == "waiting"
    end_data = next(d for d in expected.values() if "amount" in d)
    assert isinstance(end_data["fee"], Decimal) and isinstance(end_data["applied_on"], date)


def test_state_is_stored_as_bytes_never_json(services: Services) -> None:
    columns = {c["name"]: c["type"] for c in inspect(services.db).get_columns("process_instances")}
    type_name = type(columns["state"]).__name__.upper()
    assert type_name in ("BLOB", "BYTEA", "LARGEBINARY"), type_name
