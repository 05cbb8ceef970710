"""Test data for the console: the test world, the console demo diagram (with DI) started by a hospital officer,
and a five-entry catalog, all made through the real use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.actors import SYSTEM, Actor
from workflows import definitions, instances, reference_data
from workflows.context import Services

from .factories import World, build_world

HERE = Path(__file__).parent / "browser" / "diagrams"
KEY = "console_demo"


@dataclass
class ConsoleWorld:
    world: World
    instance_id: str
    task_id: str


def deploy_console_demo(services: Services) -> None:
    forms = {p.name: p.read_text(encoding="utf-8") for p in (HERE / "forms").glob("*.json")}
    definitions.deploy(services, SYSTEM, (HERE / "console-demo.bpmn").read_text(encoding="utf-8"),
                       "console-demo.bpmn", forms)


def start_demo(services: Services, world: World, username: str, business_key: str) -> tuple[str, str]:
    """Start the demo as a hospital officer; the instance id and its first task's id."""
    org = world.orgs["h1" if username.startswith("h1") else "h2"]
    actor = Actor(world.users[username], org, frozenset({"hospital_officer"}), username)
    view = instances.start_instance(services, actor, KEY, business_key=business_key)
    return view.id, view.tasks[0].id


def build_console_world(services: Services) -> ConsoleWorld:
    world = build_world(services)
    deploy_console_demo(services)
    reference_data.load_catalog(services, SYSTEM, HERE / "catalog-sample.csv", date(2026, 1, 1), "catalog-sample.csv")
    instance_id, task_id = start_demo(services, world, "h1_officer", "APP-CONSOLE-1")
    return ConsoleWorld(world, instance_id, task_id)
