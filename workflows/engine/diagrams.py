"""Parse a BPMN diagram once per content hash, check every expression in it, and keep the result in memory."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from domain.errors import DiagramRejected

from .scripting import Mode, RestrictedEnvironment, ScriptRejected

_SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Entities and network access are off: a diagram is data from an administrator, still not to be trusted.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
CORRELATION_PROPERTY = "correlationKey"
START_ROLES_PROPERTY = "startRoles"


def content_hash(text: str) -> str:
    """The identity of a diagram version: SHA-256 of its UTF-8 text."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class UserTaskInfo:
    """A user task of a diagram: where it sits and which form it names."""

    bpmn_id: str
    name: str
    lane: str | None
    properties: dict[str, str]


@dataclass(frozen=True)
class Diagram:
    """A parsed, checked diagram version, ready to run instances."""

    key: str
    name: str
    content_hash: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    user_tasks: tuple[UserTaskInfo, ...]
    correlation_keys: dict[str, str] = field(default_factory=dict)
    # Roles allowed to start an instance (the start event's `startRoles` property); None: any role.
    start_roles: tuple[str, ...] | None = None
    start_element: str | None = None


@dataclass(frozen=True)
class _Expression:
    element_id: str
    what: str
    source: str
    mode: Mode


def _expressions(spec: BpmnProcessSpec) -> Iterator[_Expression]:
    """Every piece of Python the engine could run for the task specs of ``spec``."""
    for ts in spec.task_specs.values():
        eid = getattr(ts, "bpmn_id", None) or ts.name
        if isinstance(ts, ServiceTask):
            raise DiagramRejected("service tasks are not supported", element_id=eid, code="unsupported_element")
        for attr, what in (("script", "script"), ("prescript", "pre-script"), ("postscript", "post-script")):
            source = getattr(ts, attr, None)
            if source:
                yield _Expression(eid, what, source, "exec")
        for condition, _target in getattr(ts, "cond_task_specs", []) or []:
            if condition is not None and condition.args:
                yield _Expression(eid, "gateway condition", condition.args[0], "eval")
        if isinstance(ts, LoopTask) or hasattr(ts, "cardinality"):
            for attr in ("cardinality", "condition"):
                source = getattr(ts, attr, None)
                if isinstance(source, str) and source:
                    yield _Expression(eid, f"multi-instance {attr}", source, "eval")
        yield from _event_expressions(eid, getattr(ts, "event_definition", None))
        yield from _dmn_expressions(eid, ts)


def _event_expressions(eid: str, definition: Any) -> Iterator[_Expression]:
    if definition is None:
        return
    if isinstance(definition, MultipleEventDefinition):
        for inner in definition.event_definitions:
            yield from _event_expressions(eid, inner)
        return
    expression = getattr(definition, "expression", None)
    if isinstance(expression, str) and expression:
        what = "timer expression" if isinstance(definition, TimerEventDefinition) else "event expression"
        yield _Expression(eid, what, expression, "eval")
    if isinstance(definition, MessageEventDefinition):
        for prop in definition.correlation_properties:
            yield _Expression(eid, "correlation expression", prop.retrieval_expression, "eval")


def _dmn_expressions(eid: str, ts: Any) -> Iterator[_Expression]:
    engine = getattr(ts, "dmnEngine", None)
    table = getattr(engine, "decision_table", None)
    if table is None:
        return
    for column in table.inputs:
        if column.expression:
            yield _Expression(eid, "decision input", column.expression, "eval")
    for rule in table.rules:
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                if lhs and lhs.strip() not in ("", "-"):
                    yield _Expression(eid, "decision input entry", f"({lhs}) if True else None", "eval")
        for out in rule.outputEntries:
            if out.text:
                yield _Expression(eid, "decision output entry", out.text, "eval")


def _correlation_keys(root: Any) -> dict[str, str]:
    """``spiffworkflow:property name="correlationKey"`` of each element: the expression naming its message key."""
    found: dict[str, str] = {}
    for prop in root.iter(f"{{{_SPIFF_NS}}}property"):
        if prop.get("name") != CORRELATION_PROPERTY:
            continue
        element = prop.getparent()
        while element is not None and element.get("id") is None:
            element = element.getparent()
        if element is not None and prop.get("value"):
            found[str(element.get("id"))] = str(prop.get("value"))
    return found


def _choose_process(parser: SpiffBpmnParser, key: str | None) -> str:
    ids = parser.get_process_ids()
    if key is not None:
        if key not in ids:
            raise DiagramRejected(f"no executable process '{key}' in the diagram", code="unknown_process")
        return key
    called = {
        ts.spec for pid in ids for ts in parser.get_spec(pid).task_specs.values() if hasattr(ts, "spec")
        and isinstance(getattr(ts, "spec", None), str)
    }
    roots = [pid for pid in ids if pid not in called]
    if len(roots) != 1:
        raise DiagramRejected(
            f"the diagram must have exactly one executable top-level process, found {roots or 'none'}",
            code="ambiguous_process",
        )
    return str(roots[0])


class DiagramRegistry:
    """Parsed diagrams by content hash; each is parsed and checked once per process."""

    def __init__(self, environment: RestrictedEnvironment) -> None:
        self._environment = environment
        self._diagrams: dict[str, Diagram] = {}
        self._lock = threading.Lock()

    def cached(self, digest: str) -> Diagram | None:
        """The diagram of ``digest`` if it was parsed already."""
        return self._diagrams.get(digest)

    def get(self, text: str, digest: str | None = None, key: str | None = None) -> Diagram:
        """The parsed diagram of ``text``, parsing and checking it on first use."""
        digest = digest or content_hash(text)
        diagram = self._diagrams.get(digest)
        if diagram is None:
            diagram = self.parse(text, key)
            with self._lock:
                self._diagrams.setdefault(digest, diagram)
        return diagram

    def parse(self, text: str, key: str | None = None) -> Diagram:
        """Parse and check ``text``; raise :class:`DiagramRejected` naming the element at fault."""
        try:
            root = etree.fromstring(text.encode(), parser=_XML_PARSER)
            if root.getroottree().docinfo.doctype:
                raise DiagramRejected("DOCTYPE declarations are not allowed in a diagram", code="invalid_xml")
            parser = SpiffBpmnParser()
            parser.add_bpmn_xml(root, filename="diagram.bpmn")
            process_id = _choose_process(parser, key)
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
        except etree.XMLSyntaxError as exc:
            raise DiagramRejected(f"not well-formed XML: {exc}", code="invalid_xml") from None
        except ValidationException as exc:
            raise DiagramRejected(str(exc), element_id=exc.id or None, code="invalid_bpmn") from None
        except SpiffWorkflowException as exc:
            raise DiagramRejected(str(exc), code="invalid_bpmn") from None
        correlation_keys = _correlation_keys(root)
        self._check(spec, subprocess_specs, correlation_keys)
        return Diagram(
            key=process_id,
            name=spec.description or process_id,
            content_hash=content_hash(text),
            spec=spec,
            subprocess_specs=subprocess_specs,
            user_tasks=tuple(_user_tasks(spec, subprocess_specs)),
            correlation_keys=correlation_keys,
            **_start_roles(spec),
        )

    def _check(self, spec: BpmnProcessSpec, subs: dict[str, BpmnProcessSpec], keys: dict[str, str]) -> None:
        expressions = [e for s in (spec, *subs.values()) for e in _expressions(s)]
        expressions += [_Expression(eid, "correlation key", src, "eval") for eid, src in keys.items()]
        for expr in expressions:
            try:
                self._environment.compiled(expr.source, expr.mode)
            except ScriptRejected as exc:
                raise DiagramRejected(
                    f"{expr.what} of '{expr.element_id}' is refused: {exc.detail}",
                    element_id=expr.element_id,
                    code="unsafe_script",
                ) from None


def _start_roles(spec: BpmnProcessSpec) -> dict[str, Any]:
    for ts in spec.task_specs.values():
        props = getattr(ts, "extensions", {}).get("properties", {})
        if type(ts).__name__ == "StartEvent" and props.get(START_ROLES_PROPERTY):
            roles = tuple(r.strip() for r in props[START_ROLES_PROPERTY].split(",") if r.strip())
            return {"start_roles": roles, "start_element": ts.bpmn_id}
    return {}


def _user_tasks(spec: BpmnProcessSpec, subs: dict[str, BpmnProcessSpec]) -> Iterator[UserTaskInfo]:
    for s in (spec, *subs.values()):
        for ts in s.task_specs.values():
            if getattr(ts, "manual", False) and getattr(ts, "bpmn_id", None):
                props = dict(getattr(ts, "extensions", {}).get("properties", {}))
                yield UserTaskInfo(ts.bpmn_id, ts.bpmn_name or ts.bpmn_id, ts.lane, props)
