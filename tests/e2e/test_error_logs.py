"""A 500 is logged by its error class, frames and request id: never the SQL's bound parameters or the message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from api.requestlog import JsonFormatter
from storage.db import make_engine
from workflows import identity
from workflows.context import Services

SECRET = "$argon2id$v=19$m=65536,t=3,p=1$c2VjcmV0LXNhbHQ$leaked-hash"


def insert_with_secret(services: Services) -> None:
    """A real statement the database refuses (a NOT NULL column left out), with a secret bound parameter."""
    with services.uow() as uow:
        uow.session.execute(text("INSERT INTO organizations (id, name, region_code) VALUES (:id, :name, :region)"),
                            {"id": "zhang-san-business-key", "name": SECRET, "region": "520000"})


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """What the service writes to its log, as the JSON lines it writes."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("yibao")
    logger.addHandler(handler)
    yield out
    logger.removeHandler(handler)


def test_a_database_error_is_logged_by_class_and_request_id_without_values(
    client: FlaskClient, services: Services, service_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "list_organizations", insert_with_secret)
    response = client.get("/organizations", headers={"X-Request-Id": "req-500-abcdef"})
    assert response.status_code == 500 and response.get_json()["code"] == "internal_error"
    lines = [json.loads(line) for line in service_log.getvalue().splitlines()]
    (error,) = [line for line in lines if line["msg"] == "unhandled error"]
    assert error["request_id"] == "req-500-abcdef"
    assert error["error_class"] == "sqlalchemy.exc.IntegrityError"
    assert "insert_with_secret" in error["traceback"]  # the frames say where
    logged = service_log.getvalue()
    assert "argon2id" not in logged and "zhang-san" not in logged  # not the parameters, not PostgreSQL's DETAIL
    assert "constraint failed" not in logged and "violates" not in logged  # nor the database's message
    assert "argon2id" not in response.get_data(as_text=True)


def test_the_engine_hides_bound_parameters_in_its_errors(database_url: str) -> None:
    engine = make_engine(database_url)
    with pytest.raises(IntegrityError) as err, engine.begin() as conn:
        conn.execute(text("INSERT INTO organizations (id, name) VALUES ('o1', :name)"), {"name": SECRET})
    engine.dispose()
    assert "SQL parameters hidden" in str(err.value)
    plain = create_engine(database_url)  # without it, the same error names the value: the test can fail
    with pytest.raises(IntegrityError) as err, plain.begin() as conn:
        conn.execute(text("INSERT INTO organizations (id, name) VALUES ('o1', :name)"), {"name": SECRET})
    plain.dispose()
    assert SECRET in str(err.value)


def test_a_log_exception_elsewhere_still_leaves_the_message_out() -> None:
    try:
        raise ValueError(f"bad hash {SECRET}")
    except ValueError:
        record = logging.getLogger("yibao.worker").makeRecord(
            "yibao.worker", logging.ERROR, __file__, 1, "timer sweep failed", None, __import__("sys").exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["error_class"] == "builtins.ValueError" and "argon2id" not in json.dumps(line)
