"""The engine facade: the only way the rest of Yibao Flow starts, advances and inspects a workflow."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task, TaskState

from domain.dates import CHINA_TZ
from domain.errors import Conflict, InvalidInput, NotFound

from .clock import current_time, engine_time
from .diagrams import Diagram, DiagramRegistry
from .scripting import RestrictedEnvironment, ScriptLimitExceeded, ScriptLimits
from .serializer import STATE_FORMAT, StateSerializer, live_subprocesses

# Left unset, SpiffWorkflow's loggers walk the task tree to build log data on every step.
for _name in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_MAX_ADVANCE_ROUNDS = 1000
_TIMER_EVENT_TYPES = ("TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition")


@dataclass(frozen=True)
class UserTaskView:
    """A user task ready to be worked."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    properties: dict[str, str]
    candidate: str | None = None


@dataclass(frozen=True)
class Subscription:
    """A message a waiting instance will catch: its name and, when the diagram sets one, its correlation key."""

    message: str
    correlation_key: str | None
    task_id: str
    bpmn_id: str


@dataclass(frozen=True)
class Failure:
    """Why an engine step stopped: the element, a stable code and a message for the incident."""

    element_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class Snapshot:
    """What the rest of the service needs to know about an instance after an engine operation."""

    status: str
    user_tasks: tuple[UserTaskView, ...]
    next_timer_at: datetime | None
    subscriptions: tuple[Subscription, ...]
    active_element_ids: tuple[str, ...]
    completed_element_ids: tuple[str, ...]
    failure: Failure | None
    data: dict[str, Any]


def _failure_of(exc: BaseException) -> Failure:
    element_id = None
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    if spec is not None:
        element_id = getattr(spec, "bpmn_id", None) or spec.name
    code, cause = "script_error", exc
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ScriptLimitExceeded):
            code, cause = seen.code, seen
            break
        seen = seen.__cause__ or seen.__context__
    message = str(cause) if cause is not exc else str(exc)
    return Failure(element_id, code, message[:2000])


class Engine:
    """Starts and restores workflows of parsed diagrams under the restricted script environment."""

    state_format = STATE_FORMAT

    def __init__(self, functions: Mapping[str, Callable[..., Any]], limits: ScriptLimits) -> None:
        clock_functions = {"now": current_time, "today": lambda: current_time().astimezone(CHINA_TZ).date()}
        self.environment = RestrictedEnvironment({**clock_functions, **functions}, limits)
        self.script_engine = PythonScriptEngine(environment=self.environment)
        self.diagrams = DiagramRegistry(self.environment)
        self.serializer = StateSerializer()
        self._operation_contexts: list[Callable[[], AbstractContextManager[Any]]] = []

    def add_operation_context(self, factory: Callable[[], AbstractContextManager[Any]]) -> None:
        """Enter ``factory()`` around every engine operation, as :func:`engine_time` is: how the services give the
        diagrams' script functions what they read during a step (the bureau's working-day table)."""
        self._operation_contexts.append(factory)

    @contextmanager
    def operation(self, now: datetime) -> Iterator[None]:
        """One engine operation: the engine time set to ``now``, and every added operation context entered."""
        with ExitStack() as stack:
            stack.enter_context(engine_time(now))
            for factory in self._operation_contexts:
                stack.enter_context(factory())
            yield

    def diagram(self, text: str, digest: str | None = None, key: str | None = None) -> Diagram:
        """The parsed and checked diagram of ``text`` (parsed once per content hash)."""
        return self.diagrams.get(text, digest, key)

    def start(self, diagram: Diagram, data: Mapping[str, Any], now: datetime) -> Run:
        """Start an instance with ``data`` and run it to its first wait."""
        self.environment.check_size(data)
        workflow = BpmnWorkflow(diagram.spec, diagram.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(data)
        run = Run(self, diagram, workflow)
        run.advance(now)
        return run

    def restore(self, diagram: Diagram, state: bytes) -> Run:
        """Restore an instance from stored state onto its diagram version."""
        workflow = self.serializer.load(state, diagram.spec, diagram.subprocess_specs)
        workflow.script_engine = self.script_engine
        return Run(self, diagram, workflow)


class Run:
    """One workflow in memory for the length of one use case."""

    def __init__(self, engine: Engine, diagram: Diagram, workflow: BpmnWorkflow) -> None:
        self.engine = engine
        self.diagram = diagram
        self.workflow = workflow
        self.failure: Failure | None = None
        self._now: datetime | None = None

    # --- operations -------------------------------------------------------------------------------
    def advance(self, now: datetime) -> None:
        """Run engine steps and fire due timers until only waits remain, recording a failure if one occurs."""
        self._now = now
        with self.engine.operation(now):
            try:
                for _ in range(_MAX_ADVANCE_ROUNDS):
                    self.workflow.refresh_timers()
                    self.workflow.do_engine_steps()
                    if not any(t.state == TaskState.READY and not t.task_spec.manual for t in self._tasks()):
                        break
            except Exception as exc:  # any failure of diagram code becomes an incident, not a crash
                self.failure = _failure_of(exc)

    def complete(self, task_id: str, data: Mapping[str, Any], now: datetime) -> None:
        """Complete a ready user task with ``data``, then advance."""
        task = self._ready_user_task(task_id)
        self.engine.environment.check_size({**task.data, **data})
        task.data.update(data)
        with self.engine.operation(now):
            try:
                task.run()
            except Exception as exc:
                self.failure = _failure_of(exc)
                return
        self.advance(now)

    def deliver(self, message: str, payload: Mapping[str, Any], now: datetime) -> int:
        """Deliver message ``message`` with ``payload`` to this instance; returns how many events caught it."""
        if not isinstance(payload, Mapping):
            raise InvalidInput("message payload must be an object", field="payload")
        self.engine.environment.check_size(payload)
        waiting = [t for t in self._waiting_message_tasks() if t.task_spec.event_definition.name == message]
        if not waiting:
            raise NotFound(f"this instance is not waiting for message '{message}'", code="no_subscription")
        definition = waiting[0].task_spec.event_definition
        event = BpmnEvent(definition, payload=dict(payload), correlations=dict(self.workflow.correlations))
        with self.engine.operation(now):
            self.workflow.send_event(event)
        self.advance(now)
        return len(waiting)

    def retry(self, now: datetime) -> None:
        """Reset every task that failed and advance again (after the cause was fixed)."""
        self.failure = None
        for task in self.workflow.get_tasks(state=TaskState.ERROR):
            self.workflow.reset_from_task_id(task.id)
        self.advance(now)

    def cancel(self) -> None:
        """Cancel the workflow; no task of it runs again."""
        self.workflow.cancel()

    def dump(self) -> bytes:
        """The instance state as compressed bytes."""
        return self.engine.serializer.dump(self.workflow)

    # --- inspection -------------------------------------------------------------------------------
    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data of one task of this instance."""
        return dict(self._task(task_id).data)

    def task_bpmn_id(self, task_id: str) -> str:
        """The BPMN element id of one task of this instance."""
        return str(self._task(task_id).task_spec.bpmn_id)

    def ready_user_task_ids(self) -> frozenset[str]:
        """Ids of the user tasks ready to be worked (cheap: one pass, nothing evaluated)."""
        return frozenset(str(t.id) for t in self._tasks() if t.state == TaskState.READY and t.task_spec.manual)

    def waiting_message_task_ids(self) -> frozenset[str]:
        """Ids of the tasks waiting for a message (cheap: no expression is evaluated)."""
        return frozenset(str(t.id) for t in self._waiting_message_tasks())

    def current_data(self) -> dict[str, Any]:
        """The process data as it stands now: the workflow's data, overlaid by the data of its live tasks (ready,
        waiting, started, failed) in the order they last changed — SpiffWorkflow keeps a running instance's data in
        its tasks. Completed: the end events' data, as :meth:`snapshot` gives it; cancelled: the cancelled tasks'."""
        tasks = self._tasks()
        latest = (
            [t for t in tasks if t.state in _ACTIVE]
            or [t for t in tasks if t.state == TaskState.COMPLETED and not t.children]
            or [t for t in tasks if t.state == TaskState.CANCELLED]
        )
        data = dict(self.workflow.data)
        for task in sorted(latest, key=lambda t: t.last_state_change):
            data.update(task.data)
        return data

    def every_task_data(self) -> dict[str, dict[str, Any]]:
        """Data of every task by task id (for round-trip checks)."""
        return {str(t.id): dict(t.data) for t in self.workflow.get_tasks()}

    def snapshot(self) -> Snapshot:
        """Status, ready user tasks, next timer, subscriptions and element progress of the instance."""
        wf = self.workflow
        tasks = self._tasks()
        ready: list[UserTaskView] = []
        active: set[str] = set()
        done: set[str] = set()
        errored = self.failure is not None
        for t in tasks:  # one pass over the tasks (this runs on every save)
            state, spec = t.state, t.task_spec
            if state == TaskState.COMPLETED:
                if spec.bpmn_id:
                    done.add(spec.bpmn_id)
            elif state in _ACTIVE:
                if spec.bpmn_id:
                    active.add(spec.bpmn_id)
                if state == TaskState.READY and spec.manual:
                    ready.append(_user_task(t))
                errored = errored or state == TaskState.ERROR
        if errored:
            status = "errored"
        elif wf.is_completed():
            status = "completed"
        else:
            status = "waiting"
        data = dict(wf.data)
        if status == "completed":
            end = [t for t in tasks if t.state == TaskState.COMPLETED and not t.children]
            for t in end:
                data.update(t.data)
        return Snapshot(
            status=status,
            user_tasks=tuple(ready),
            next_timer_at=self._next_timer(),
            subscriptions=tuple(self._subscriptions()),
            active_element_ids=tuple(sorted(active)),
            completed_element_ids=tuple(sorted(done - active)),
            failure=self.failure or self._stored_failure(tasks),
            data=data,
        )

    # --- helpers ----------------------------------------------------------------------------------
    def _tasks(self) -> list[Task]:
        """Every task of the workflow and of its subprocesses still stored (``live_subprocesses``: a run that finished
        under a completed task is not), in creation order (one pass, no tree walk). So the instance shows the same
        before and after it is saved and restored."""
        wf = self.workflow
        tasks = list(wf.tasks.values())
        for subprocess in live_subprocesses(wf).values():
            tasks.extend(subprocess.tasks.values())
        return tasks

    def _task(self, task_id: str) -> Task:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TypeError):
            task = None
        except Exception:  # SpiffWorkflow raises its own "not found" error
            task = None
        if task is None:
            raise NotFound(f"task {task_id} is not part of this instance", code="task_not_found", field="task_id")
        return task

    def _ready_user_task(self, task_id: str) -> Task:
        task = self._task(task_id)
        if not task.task_spec.manual:
            raise Conflict(f"task {task_id} is not a user task", code="not_a_user_task")
        if task.state != TaskState.READY:
            raise Conflict(
                f"task {task_id} is {TaskState.get_name(task.state).lower()}, not ready", code="task_not_ready"
            )
        return task

    def _waiting_message_tasks(self) -> list[Task]:
        return [
            t for t in self.workflow.event_manager.tasks.values()
            if isinstance(t.task_spec.event_definition, MessageEventDefinition) and t.state == TaskState.WAITING
        ]

    def _subscriptions(self) -> list[Subscription]:
        found = []
        for task in self._waiting_message_tasks():
            expression = self.diagram.correlation_keys.get(task.task_spec.bpmn_id)
            key = None
            if expression:
                with engine_time(self._now or datetime.now(UTC)):
                    key = _key_text(self.engine.environment.evaluate(expression, dict(task.data)))
            found.append(Subscription(task.task_spec.event_definition.name, key, str(task.id), task.task_spec.bpmn_id))
        return found

    def _next_timer(self) -> datetime | None:
        due = []
        for task in self.workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            if not isinstance(definition, TimerEventDefinition) and type(definition).__name__ not in _TIMER_EVENT_TYPES:
                continue
            value = definition.details(task).value
            if isinstance(value, str):
                parsed = TimerEventDefinition.get_datetime(value)
                due.append(datetime.fromisoformat(parsed.isoformat()))  # a plain datetime, not the engine's
        return min(due) if due else None

    def _stored_failure(self, tasks: list[Task]) -> Failure | None:
        for t in tasks:
            if t.state == TaskState.ERROR:
                return Failure(t.task_spec.bpmn_id, "task_error", "a task of this instance failed")
        return None


def _user_task(task: Task) -> UserTaskView:
    spec = task.task_spec
    properties = dict(spec.extensions.get("properties", {}))
    # A task offered to one person names the data variable holding their user id (an expert reviewer, say).
    variable = properties.get("candidateVariable")
    candidate = task.data.get(variable) if variable else None
    return UserTaskView(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, spec.lane, properties,
                        str(candidate) if candidate is not None else None)


_ACTIVE = (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR)


def _key_text(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
