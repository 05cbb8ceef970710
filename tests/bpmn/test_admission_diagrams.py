"""The shipped admission diagrams are drawings (full BPMN DI, every node inside its lane) and sound programs: start
roles, a form with Chinese titles for every user task, checked scripts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import workflows.admission  # noqa: F401 - registers the functions the diagrams call
from workflows.engine import Engine, ScriptLimits
from workflows.forms import check_diagram_tasks, forms_in
from workflows.script_functions import SCRIPT_FUNCTIONS

ROOT = Path(__file__).resolve().parents[2] / "bpmn"
DIAGRAMS = sorted(ROOT.rglob("*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent", "userTask", "scriptTask",
              "receiveTask", "exclusiveGateway", "parallelGateway", "eventBasedGateway", "subProcess", "task")
CJK = re.compile(r"[\u4e00-\u9fff]")


def parsed(path: Path) -> Any:
    return etree.parse(str(path)).getroot()


def bounds(root: Any) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        found[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    return found


def test_there_are_shipped_admission_diagrams() -> None:
    assert {p.name for p in DIAGRAMS} >= {"consumable_application.bpmn", "consumable_round.bpmn"}


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_node_lane_and_pool_has_a_shape_and_every_flow_an_edge(path: Path) -> None:
    root = parsed(path)
    shapes = bounds(root)
    nodes = [el.get("id") for name in (*FLOW_NODES, "lane", "participant") for el in root.iterfind(f".//bpmn:{name}",
                                                                                                   NS)]
    assert nodes and not [n for n in nodes if n not in shapes]
    edges = {e.get("bpmnElement"): e.findall("di:waypoint", NS) for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    flows = [f.get("id") for f in root.iterfind(".//bpmn:sequenceFlow", NS)]
    assert not [f for f in flows if len(edges.get(f, [])) < 2]
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_node_is_drawn_inside_its_lane_and_starts_on_the_left(path: Path) -> None:
    root = parsed(path)
    shapes = bounds(root)
    for lane in root.iterfind(".//bpmn:lane", NS):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y + h / 2 <= ly + lh, (lane.get("name"), ref.text)
    starts = [shapes[e.get("id")][0] for e in root.iterfind("bpmn:process/bpmn:startEvent", NS)]
    others = [b[0] for key, b in shapes.items() if key not in {e.get("id") for e in root.iter()
                                                                if etree.QName(e).localname in ("lane", "participant")}]
    assert min(starts) == min(others)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_start_event_names_who_starts_it(path: Path) -> None:
    root = parsed(path)
    for start in root.iterfind("bpmn:process/bpmn:startEvent", NS):
        roles = [p.get("value") for p in start.iterfind(".//spiff:property", NS) if p.get("name") == "startRoles"]
        assert roles and roles[0].strip(), start.get("id")


def titled(schema: Any, where: str = "") -> list[str]:
    """Every field of a form without a Chinese title."""
    missing = []
    for name, prop in (schema.get("properties") or {}).items():
        if not CJK.search(str(prop.get("title", ""))):
            missing.append(f"{where}{name}")
        missing += titled(prop, f"{where}{name}.")
        if isinstance(prop.get("items"), dict):
            missing += titled(prop["items"], f"{where}{name}[].")
        if isinstance(prop.get("additionalProperties"), dict):
            missing += titled(prop["additionalProperties"], f"{where}{name}.*.")
    return missing


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_the_diagram_deploys_and_each_user_task_has_a_form_with_chinese_titles(path: Path) -> None:
    diagram = Engine(SCRIPT_FUNCTIONS, ScriptLimits()).diagram(path.read_text(encoding="utf-8"))
    used = check_diagram_tasks(diagram, forms_in(path.parent / "forms"))
    assert diagram.user_tasks and len(used) >= 1
    for name, text in used.items():
        schema = json.loads(text)
        assert CJK.search(schema["title"]), name
        assert titled(schema) == [], name
