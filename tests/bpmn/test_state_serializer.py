"""The state serializer's own task converter writes and reads exactly what SpiffWorkflow's converter does."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter

from workflows.engine import Engine, Run, ScriptLimits
from workflows.engine.serializer import (
    DICTIONARIES,
    StateFormatError,
    StateOnlyWorkflowConverter,
    StateSerializer,
    decompress_state,
)
from workflows.script_functions import SCRIPT_FUNCTIONS

from ..conftest import diagram_text
from . import diagrams

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CODE = "C09100100000000211790000049"
# SpiffWorkflow's own task converter, and its own workflow converter's to_dict (less the spec).
SPIFFS_OWN = StateSerializer(task_converter=TaskConverter, workflow_converter=StateOnlyWorkflowConverter)


def _foundation(engine: Engine, steps: int) -> Run:
    data = {"applied_on": date(2026, 11, 24), "fee": Decimal("12.50"), "名称": "支架",
            "nested": {"b": [1, {"c": None}]}}
    run = engine.start(engine.diagram(diagram_text()), data, T0)
    if steps > 0:
        (task,) = run.snapshot().user_tasks
        run.complete(task.id, {"code": CODE, "amount": 10}, T0)
    if steps > 1:
        run.deliver("nhsa_ack", {"ack_no": "NHSA-1"}, T0)
    return run


def _multi_instance(engine: Engine) -> Run:
    run = engine.start(engine.diagram(diagrams.multi_instance("3")), {}, T0)
    run.complete(run.snapshot().user_tasks[0].id, {"vote": "yes"}, T0)
    return run


def _errored(engine: Engine) -> Run:
    return engine.start(engine.diagram(diagrams.script_task("n = 1 / 0", "boom")), {}, T0)


RUNS: dict[str, Callable[[Engine], Run]] = {
    "started": lambda e: _foundation(e, 0),
    "after a user task": lambda e: _foundation(e, 1),
    "after a message": lambda e: _foundation(e, 2),
    "multi-instance, one of three done": _multi_instance,
    "errored": _errored,
}


@pytest.mark.parametrize("make", RUNS.values(), ids=RUNS.keys())
def test_state_text_is_byte_for_byte_what_spiffworkflows_own_converter_writes(make: Callable[[Engine], Run]) -> None:
    engine = Engine(SCRIPT_FUNCTIONS, ScriptLimits())
    run = make(engine)
    ours = engine.serializer.dump_text(run.workflow)
    assert ours == SPIFFS_OWN.dump_text(run.workflow)


@pytest.mark.parametrize("make", RUNS.values(), ids=RUNS.keys())
def test_state_read_back_is_the_workflow_spiffworkflows_own_converter_restores(make: Callable[[Engine], Run]) -> None:
    engine = Engine(SCRIPT_FUNCTIONS, ScriptLimits())
    run = make(engine)
    text = SPIFFS_OWN.dump_text(run.workflow)
    spec, subprocess_specs = run.diagram.spec, run.diagram.subprocess_specs
    ours = Run(engine, run.diagram, engine.serializer.load_text(text, spec, subprocess_specs))
    theirs = Run(engine, run.diagram, SPIFFS_OWN.load_text(text, spec, subprocess_specs))
    assert ours.every_task_data() == theirs.every_task_data() == run.every_task_data()
    assert ours.snapshot() == theirs.snapshot()
    assert [(t.id, t.parent.id if t.parent else None, [c.id for c in t.children], t.state)
            for t in ours.workflow.get_tasks()] == [
        (t.id, t.parent.id if t.parent else None, [c.id for c in t.children], t.state)
        for t in theirs.workflow.get_tasks()]
    assert SPIFFS_OWN.dump_text(ours.workflow) == text


# --- compression: zlib with the preset dictionary its header names ------------------------------------------------
STATE_1_ADLER32 = 2550741816  # state-1.zdict: instances are stored with it, so it must never change


def test_state_is_stored_with_the_preset_dictionary_named_in_its_zlib_header() -> None:
    engine = Engine(SCRIPT_FUNCTIONS, ScriptLimits())
    run = _foundation(engine, 1)
    blob = run.dump()
    assert blob[1] & 0x20 and int.from_bytes(blob[2:6], "big") == STATE_1_ADLER32
    assert set(DICTIONARIES) >= {STATE_1_ADLER32}
    assert decompress_state(blob) == engine.serializer.dump_text(run.workflow)
    plain = zlib.compress(engine.serializer.dump_text(run.workflow).encode(), 6)
    assert len(blob) < len(plain)  # what the dictionary is for
    print(f"\nstored state: {len(blob)} B with the dictionary, {len(plain)} B without")


def test_state_stored_without_a_dictionary_still_loads() -> None:
    """Instances saved before the dictionary (format yibao-1: plain zlib) are read as they are."""
    engine = Engine(SCRIPT_FUNCTIONS, ScriptLimits())
    run = _foundation(engine, 1)
    plain = zlib.compress(engine.serializer.dump_text(run.workflow).encode(), 6)
    restored = engine.restore(run.diagram, plain)
    assert restored.every_task_data() == run.every_task_data() and restored.snapshot() == run.snapshot()


@pytest.mark.parametrize(("mangle", "message"), [
    pytest.param(lambda b: b[:2] + b"\x00\x00\x00\x01" + b[6:], "unknown preset dictionary", id="unknown-dictionary"),
    pytest.param(lambda b: b[: len(b) // 2], "truncated", id="truncated"),
])
def test_state_with_an_unknown_dictionary_or_cut_short_fails_loudly(mangle: Callable[[bytes], bytes],
                                                                     message: str) -> None:
    engine = Engine(SCRIPT_FUNCTIONS, ScriptLimits())
    run = _foundation(engine, 1)
    with pytest.raises(StateFormatError, match=message):
        engine.restore(run.diagram, mangle(run.dump()))
