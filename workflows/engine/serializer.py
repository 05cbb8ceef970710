"""Instance state ⇄ compressed bytes. Only the instance's state is stored; the spec comes from the registry.

SpiffWorkflow embeds the whole spec in each serialized workflow (63% of a blob); we register a workflow
converter that leaves it out and, on restore, takes the parsed spec of the instance's diagram version.
The output is JSON text (key order kept, notes/spiffworkflow.md trap 1), compressed with zlib and a preset
dictionary (``DICTIONARIES``) that the zlib header of each blob names; blobs without one (format ``yibao-1``) are
read as before.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_STATE_VERSION
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState
from SpiffWorkflow.util.deep_merge import DeepMerge

# Stored with every instance; a change of either part needs a migration step documented in docs/engine.md.
# yibao-1: zlib without a dictionary; yibao-2: zlib with the preset dictionary its header names. Both are read.
STATE_FORMAT = f"yibao-2/spiff-{SPIFF_STATE_VERSION}"
_ZLIB_LEVEL = 6
# Every preset dictionary state was ever written with, by its Adler-32 (what a zlib header names); a dictionary in
# use never changes, a new one is a new file (scripts/state_dictionary.py). The last one writes.
_DICTIONARY_FILES = ("state-1.zdict",)
DICTIONARIES = {zlib.adler32(d): d for d in (Path(__file__).with_name(f).read_bytes() for f in _DICTIONARY_FILES)}
_WRITING = Path(__file__).with_name(_DICTIONARY_FILES[-1]).read_bytes()
_FDICT = 0x20  # RFC 1950: the header's FLG byte says a preset dictionary follows, its Adler-32 in the next 4 bytes


class StateFormatError(Exception):
    """Stored state was written by a format this code cannot read."""


def compress_state(text: str) -> bytes:
    """State JSON text as stored: zlib with the current preset dictionary."""
    packer = zlib.compressobj(_ZLIB_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, 8, zlib.Z_DEFAULT_STRATEGY, _WRITING)
    return packer.compress(text.encode()) + packer.flush()


def decompress_state(blob: bytes) -> str:
    """Stored state back to JSON text, with the dictionary its zlib header names, or none (``yibao-1``)."""
    if len(blob) < 6 or not blob[1] & _FDICT:
        return zlib.decompress(blob).decode()
    dictionary = DICTIONARIES.get(int.from_bytes(blob[2:6], "big"))
    if dictionary is None:
        raise StateFormatError(f"state compressed with an unknown preset dictionary {blob[2:6].hex()}")
    unpacker = zlib.decompressobj(zdict=dictionary)
    text = unpacker.decompress(blob) + unpacker.flush()
    if not unpacker.eof:
        raise StateFormatError("stored state is truncated")
    return text.decode()


# Task ids are written and read several times per state (as a key, an id, a parent, a child): UUID's own str()
# and parser are pure Python and were a quarter of a restore. Ids are immutable values, so caching them is safe.
_uuid_text = lru_cache(maxsize=4096)(UUID.__str__)
_uuid_of = lru_cache(maxsize=4096)(UUID)


class _TaskConverter(TaskConverter):  # type: ignore[misc]
    """SpiffWorkflow 3.2's task converter, same output, with the parent looked up once and ids cached.

    tests/bpmn/test_state_serializer.py checks the output against SpiffWorkflow's own converter, byte for byte.
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        parent = task.parent
        if parent is None:
            data: dict[str, Any] = task.data
            delta: dict[str, Any] = {}
        else:
            data = {}
            delta = {
                "updates": DeepMerge.get_updated_keys(parent.data, task.data),
                "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
            }
        return {
            "id": _uuid_text(task.id),
            "parent": _uuid_text(task._parent) if parent is not None else None,
            "children": [_uuid_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_uuid_of(dct["id"]))
        task._parent = _uuid_of(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_uuid_of(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent = task.parent
        if delta and parent is not None:
            data = DeepMerge.merge({}, parent.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


def live_subprocesses(workflow: BpmnWorkflow) -> dict[Any, Any]:
    """The subprocesses a restored workflow still needs: all but those that completed under a task that completed.

    SpiffWorkflow keeps every subprocess it ever ran, so an instance that loops through one (a registration's
    reassessment every six months, ND-8) would store each past run's tasks again on every save. A finished run is
    read by nothing once its calling task completed (its output is in that task's data), and SpiffWorkflow's own
    reset drops subprocesses the same way (``BpmnWorkflow.delete_subprocess``). What is lost: the finished run's
    inner elements among the completed elements of a later snapshot; the audit log keeps the history."""
    kept = {}
    for task_id, subprocess in workflow.subprocesses.items():
        if subprocess.completed:
            caller = workflow.get_task_from_id(task_id)
            if caller is not None and caller.state == TaskState.COMPLETED:
                continue
        kept[task_id] = subprocess
    return kept


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Serializes a workflow without its spec and without its finished subprocesses (``live_subprocesses``);
    restores it onto a spec supplied by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(live_subprocesses(workflow))
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self, dct: dict[str, Any], spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
    ) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid_of, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid_of(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _WorkflowConverter(StateOnlyWorkflowConverter):
    """The same output, with task ids' text from the cache: SpiffWorkflow's ``str()`` of each task's id as a key
    came on top of the task converter's own (tests/bpmn/test_state_serializer.py compares both)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        registry = self.registry
        last = workflow.last_task
        return {  # SpiffWorkflow 3.2's WorkflowConverter.to_dict, key for key
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": _uuid_text(last.id) if last is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": {_uuid_text(task_id): registry.convert(task) for task_id, task in workflow.tasks.items()},
            "root": _uuid_text(workflow.task_tree.id),
            "subprocesses": self.mapping_to_dict(live_subprocesses(workflow)),
            "bpmn_events": registry.convert(workflow.bpmn_events),
        }


def _build_serializer(task_converter: type[TaskConverter] = _TaskConverter,
                      workflow_converter: type[StateOnlyWorkflowConverter] = _WorkflowConverter,
                      ) -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = workflow_converter
    config[Task] = task_converter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


class StateSerializer:
    """Turns a workflow's state into compressed bytes and back."""

    def __init__(self, task_converter: type[TaskConverter] = _TaskConverter,
                 workflow_converter: type[StateOnlyWorkflowConverter] = _WorkflowConverter) -> None:
        # The converters are for the test that compares ours with SpiffWorkflow's own, byte for byte.
        self._serializer = _build_serializer(task_converter, workflow_converter)

    def dump_text(self, workflow: BpmnWorkflow) -> str:
        """The state as JSON text (spec excluded)."""
        return str(self._serializer.serialize_json(workflow))

    def dump(self, workflow: BpmnWorkflow) -> bytes:
        """The state as zlib-compressed JSON (with the preset dictionary)."""
        return compress_state(self.dump_text(workflow))

    def load_text(
        self, text: str, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
    ) -> BpmnWorkflow:
        """Restore a workflow from JSON text onto its parsed spec."""
        dct = json.loads(text)
        version = dct.pop(BpmnWorkflowSerializer.VERSION_KEY, None)
        if version != SPIFF_STATE_VERSION:
            raise StateFormatError(f"state written by serializer version {version}, expected {SPIFF_STATE_VERSION}")
        workflow: BpmnWorkflow = self._serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        return workflow

    def load(self, blob: bytes, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> BpmnWorkflow:
        """Restore a workflow from zlib-compressed JSON (with or without a preset dictionary)."""
        return self.load_text(decompress_state(blob), spec, subprocess_specs)
