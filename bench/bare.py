"""What the database itself costs for the writes the facade makes: the same rows through the DB-API, one commit.

The rows are copies of the rows the facade wrote for two template instances (one started, one started and
completed), read back with the driver's own cursor so that every value - the compressed state, the timestamps in
the driver's text or type, the audit hashes - has exactly the size and type the facade sent. Each copy gets fresh
ids. Nothing here goes through SQLAlchemy's statement layer: the connection is the driver's, opened by the
service's own ``make_engine`` (so SQLite gets the same pragmas: WAL, ``synchronous``, foreign keys), and the SQL is
plain text built once.

* **start**: ``BEGIN`` (``BEGIN IMMEDIATE`` on SQLite, as the service), insert the instance row, its audit entry
  and its queue row, ``COMMIT``.
* **load+complete+save**: ``BEGIN``, read the queue row and the instance row by primary key (``FOR UPDATE`` on
  PostgreSQL, as the service), update the instance row (state, status, audit head, version), insert the audit
  entry, mark the queue row completed, insert the message subscription, ``COMMIT``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.db import make_engine

# Statements sent, BEGIN and COMMIT included (PostgreSQL's BEGIN is sent by the driver with the first statement).
START_STATEMENTS = 5
LOAD_COMPLETE_SAVE_STATEMENTS = 8
# Columns of the instance row a save writes (the rest - id, definition, creation - never change).
_SAVED_COLUMNS = ("status", "state", "state_format", "next_timer_at", "updated_at", "audit_seq", "audit_head")


@dataclass(frozen=True)
class _Row:
    columns: tuple[str, ...]
    values: tuple[Any, ...]

    def get(self, column: str) -> Any:
        return self.values[self.columns.index(column)]

    def copy(self, **changes: Any) -> tuple[Any, ...]:
        return tuple(changes.get(c, v) for c, v in zip(self.columns, self.values, strict=True))


@dataclass(frozen=True)
class BareRound:
    """The ids one round's bare start writes and its bare load+complete+save then completes."""

    instance_id: str
    task_id: str


class BareDatabase:
    """The facade's writes of one start and one load+complete+save, replayed through the bare DB-API."""

    def __init__(self, url: str, started_instance: str, completed_instance: str) -> None:
        self._engine = make_engine(url)
        self._dialect = self._engine.dialect.name
        self._conn: Any = self._engine.raw_connection()
        self._cursor = self._conn.cursor()
        mark = "?" if self._dialect == "sqlite" else "%s"
        self._begin = "BEGIN IMMEDIATE" if self._dialect == "sqlite" else None
        lock = "" if self._dialect == "sqlite" else " FOR UPDATE"
        # Templates: the rows the facade wrote for a started instance and for a completed one.
        self._instance = self._one("process_instances", "id", started_instance)
        self._start_audit = self._one("audit_log", "aggregate_id", started_instance, without=("id",))
        self._task = self._one("human_tasks", "instance_id", started_instance)
        done = self._one("process_instances", "id", completed_instance)
        self._saved = tuple(done.get(c) for c in _SAVED_COLUMNS)
        self._done_audit = self._one("audit_log", "aggregate_id", completed_instance, without=("id",), seq=2)
        done_task = self._one("human_tasks", "instance_id", completed_instance)
        self._finished = (done_task.get("status"), done_task.get("completed_at"), done_task.get("completed_by"))
        self._subscription = self._one("message_subscriptions", "instance_id", completed_instance, without=("id",))
        self._sql_insert_instance = _insert("process_instances", self._instance.columns, mark)
        self._sql_insert_audit = _insert("audit_log", self._start_audit.columns, mark)
        self._sql_insert_task = _insert("human_tasks", self._task.columns, mark)
        self._sql_insert_subscription = _insert("message_subscriptions", self._subscription.columns, mark)
        self._sql_select_task = f"SELECT * FROM human_tasks WHERE id = {mark}{lock}"
        self._sql_select_instance = f"SELECT * FROM process_instances WHERE id = {mark}{lock}"
        sets = ", ".join(f'"{c}" = {mark}' for c in _SAVED_COLUMNS)
        self._sql_update_instance = (
            f"UPDATE process_instances SET {sets}, version = version + 1 WHERE id = {mark} AND version = {mark}"
        )
        self._sql_finish_task = (
            f"UPDATE human_tasks SET status = {mark}, completed_at = {mark}, completed_by = {mark} WHERE id = {mark}"
        )

    def _one(self, table: str, column: str, value: str, without: Sequence[str] = (), seq: int = 1) -> _Row:
        mark = "?" if self._dialect == "sqlite" else "%s"
        where = f"{column} = {mark}" + (f" AND seq = {mark}" if table == "audit_log" else "")
        params = (value, seq) if table == "audit_log" else (value,)
        self._cursor.execute(f"SELECT * FROM {table} WHERE {where}", params)
        names = tuple(d[0] for d in self._cursor.description)
        row = self._cursor.fetchone()
        self._conn.rollback()
        if row is None:
            raise RuntimeError(f"the facade wrote no {table} row for {value}")
        keep = [i for i, name in enumerate(names) if name not in without]
        return _Row(tuple(names[i] for i in keep), tuple(row[i] for i in keep))

    def new_round(self) -> BareRound:
        """Fresh ids for one round (made before the clock starts)."""
        return BareRound(str(uuid.uuid4()), str(uuid.uuid4()))

    def start(self, ids: BareRound) -> None:
        """The start's rows: the instance, its audit entry, its queue row; one commit."""
        cursor = self._cursor
        if self._begin:
            cursor.execute(self._begin)
        cursor.execute(self._sql_insert_instance, self._instance.copy(id=ids.instance_id))
        cursor.execute(self._sql_insert_audit,
                       self._start_audit.copy(aggregate_id=ids.instance_id, object_id=ids.instance_id))
        cursor.execute(self._sql_insert_task, self._task.copy(id=ids.task_id, instance_id=ids.instance_id))
        self._commit()

    def load_complete_save(self, ids: BareRound) -> None:
        """Read the task and the instance, write the saved instance, audit entry, finished task, subscription."""
        cursor = self._cursor
        if self._begin:
            cursor.execute(self._begin)
        cursor.execute(self._sql_select_task, (ids.task_id,))
        cursor.fetchone()
        cursor.execute(self._sql_select_instance, (ids.instance_id,))
        cursor.fetchone()
        cursor.execute(self._sql_update_instance, (*self._saved, ids.instance_id, 1))
        cursor.execute(self._sql_insert_audit,
                       self._done_audit.copy(aggregate_id=ids.instance_id, object_id=ids.instance_id))
        cursor.execute(self._sql_finish_task, (*self._finished, ids.task_id))
        cursor.execute(self._sql_insert_subscription, self._subscription.copy(instance_id=ids.instance_id))
        self._commit()

    def _commit(self) -> None:
        if self._begin:
            self._cursor.execute("COMMIT")
        else:
            self._conn.commit()

    def close(self) -> None:
        """Close the driver connection and the engine."""
        self._cursor.close()
        self._conn.close()
        self._engine.dispose()


def _insert(table: str, columns: Sequence[str], mark: str) -> str:
    names = ", ".join(f'"{c}"' for c in columns)  # quoted: audit_log has columns named before and after
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join(mark for _ in columns)})"
