"""Every diagram shipped under bpmn/ is a drawing as well as a program (DESIGN.md): a shape for every flow node,
lane and pool, an edge for every sequence flow, laid out left to right; and it deploys with its forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import workflows.processes
from workflows.engine import Engine, ScriptLimits
from workflows.forms import FORMS_DIR, check_diagram_tasks, forms_in
from workflows.script_functions import SCRIPT_FUNCTIONS

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SHIPPED = sorted(BPMN_DIR.rglob("*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
              "task", "userTask", "scriptTask", "serviceTask", "manualTask", "receiveTask", "sendTask",
              "businessRuleTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
              "inclusiveGateway", "eventBasedGateway", "complexGateway")


def _ids(root: etree._Element, *tags: str) -> set[str]:
    return {str(e.get("id")) for tag in tags for e in root.iter(f"{{{NS['bpmn']}}}{tag}")}


def _bounds(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        assert b is not None, f"shape {shape.get('id')} has no bounds"
        found[str(shape.get("bpmnElement"))] = tuple(float(b.get(k, "0")) for k in ("x", "y", "width", "height"))
    return found  # type: ignore[return-value]


def test_diagrams_are_shipped() -> None:
    assert SHIPPED, "no diagram under bpmn/"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(BPMN_DIR).as_posix())
def test_a_shipped_diagram_draws_every_node_lane_pool_and_flow(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    shapes = _bounds(root)
    edges = {str(e.get("bpmnElement")): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    needed = _ids(root, *FLOW_NODES, "lane", "participant")
    assert not needed - set(shapes), f"no shape for {sorted(needed - set(shapes))}"
    flows = _ids(root, "sequenceFlow")
    assert not flows - set(edges), f"no edge for {sorted(flows - set(edges))}"
    assert all(len(edges[f].findall("di:waypoint", NS)) >= 2 for f in flows)
    assert all(w > 0 and h > 0 for _x, _y, w, h in shapes.values())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(BPMN_DIR).as_posix())
def test_a_shipped_diagram_reads_left_to_right_from_its_start(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    shapes = _bounds(root)
    for process in root.iterfind("bpmn:process", NS):
        starts = [str(e.get("id")) for e in process.iterfind("bpmn:startEvent", NS)]
        nodes = [str(e.get("id")) for tag in FLOW_NODES for e in process.iterfind(f"bpmn:{tag}", NS)]
        leftmost = min(shapes[n][0] for n in nodes)
        assert any(shapes[s][0] == leftmost for s in starts), f"{process.get('id')} does not start at the left"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(BPMN_DIR).as_posix())
def test_a_shipped_diagram_deploys_with_its_forms(path: Path) -> None:
    workflows.processes.plug_in()  # the slices' script functions
    diagram = Engine(SCRIPT_FUNCTIONS, ScriptLimits()).diagram(path.read_text(encoding="utf-8"))
    used = check_diagram_tasks(diagram, forms_in(path.parent / FORMS_DIR))
    assert set(used) == {t.properties["formJsonSchemaFilename"] for t in diagram.user_tasks}
