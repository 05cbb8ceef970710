"""Instance state ⇄ compressed bytes. Only the instance's state is stored; the spec comes from the registry.

SpiffWorkflow embeds the whole spec in each serialized workflow (63% of a blob); we register a workflow
converter that leaves it out and, on restore, takes the parsed spec of the instance's diagram version.
The output is JSON text (key order kept, notes/spiffworkflow.md trap 1), compressed with zlib.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_STATE_VERSION
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

# Stored with every instance; a change of either part needs a migration step documented in docs/engine.md.
STATE_FORMAT = f"yibao-1/spiff-{SPIFF_STATE_VERSION}"
_ZLIB_LEVEL = 6


class StateFormatError(Exception):
    """Stored state was written by a format this code cannot read."""


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Serializes a workflow without its spec; restores it onto a spec supplied by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self, dct: dict[str, Any], spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
    ) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


class StateSerializer:
    """Turns a workflow's state into compressed bytes and back."""

    def __init__(self) -> None:
        self._serializer = _build_serializer()

    def dump_text(self, workflow: BpmnWorkflow) -> str:
        """The state as JSON text (spec excluded)."""
        return str(self._serializer.serialize_json(workflow))

    def dump(self, workflow: BpmnWorkflow) -> bytes:
        """The state as zlib-compressed JSON."""
        return zlib.compress(self.dump_text(workflow).encode(), _ZLIB_LEVEL)

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
        """Restore a workflow from zlib-compressed JSON."""
        return self.load_text(zlib.decompress(blob).decode(), spec, subprocess_specs)
