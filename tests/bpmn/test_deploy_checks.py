"""A diagram carrying unsafe Python anywhere the engine would run it is refused, naming the element."""

from __future__ import annotations

import pytest

from domain.errors import DiagramRejected
from workflows.engine import Engine, ScriptLimits
from workflows.script_functions import SCRIPT_FUNCTIONS

from . import diagrams


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(SCRIPT_FUNCTIONS, ScriptLimits())


@pytest.mark.parametrize(
    ("text", "element_id"),
    [
        (diagrams.script_task("import os\nx = os.getcwd()", "calc"), "calc"),
        (diagrams.script_task("x = open('/etc/passwd').read()", "calc"), "calc"),
        (diagrams.script_task("x = eval('1 + 1')", "calc"), "calc"),
        (diagrams.script_task("exec('x = 1')", "calc"), "calc"),
        (diagrams.script_task("x = ().__class__.__base__.__subclasses__()", "calc"), "calc"),
        (diagrams.user_task("fill", prescript="import subprocess"), "fill"),
        (diagrams.user_task("fill", postscript="y = x.__dict__"), "fill"),
        (diagrams.gateway("amount.__class__ is int"), "gw"),
        (diagrams.gateway("open('x')"), "gw"),
        (diagrams.timer("__import__('os').system('id')"), "wait"),
        (diagrams.timer("eval('\"P1D\"')", kind="timeDuration"), "wait"),
        (diagrams.multi_instance("len(open('/etc/passwd').read())"), "review"),
        (diagrams.message_catch("applicant.__class__"), "wait_ping"),
    ],
)
def test_unsafe_python_is_refused_at_deploy_with_the_element_id(engine: Engine, text: str, element_id: str) -> None:
    with pytest.raises(DiagramRejected) as err:
        engine.diagrams.parse(text)
    assert err.value.element_id == element_id
    assert err.value.code == "unsafe_script"


def test_a_service_task_is_refused(engine: Engine) -> None:
    text = diagrams.wrap('<bpmn:serviceTask id="call_out" />', first="call_out", last="call_out")
    with pytest.raises(DiagramRejected) as err:
        engine.diagrams.parse(text)
    assert err.value.element_id == "call_out"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("<not-closed", "invalid_xml"),
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "invalid_xml"),
        (diagrams.wrap('<bpmn:task id="el" />', pid="a").replace('isExecutable="true"', 'isExecutable="false"'),
         "ambiguous_process"),
    ],
)
def test_malformed_documents_are_refused_with_a_code(engine: Engine, text: str, code: str) -> None:
    with pytest.raises(DiagramRejected) as err:
        engine.diagrams.parse(text)
    assert err.value.code == code


def test_a_safe_diagram_is_parsed_once_per_content_hash(engine: Engine) -> None:
    text = diagrams.script_task("total = amount * 2")
    first = engine.diagram(text)
    assert engine.diagram(text) is first
    assert engine.diagram(text + "\n") is not first
