"""`yibao demo load --samples` (what `make run` does): each process starts sample work through its use cases, so
every demo role finds something to do — the bureau two applications to review in an open round (DA-1…DA-4), a
hospital a draft, the physician a registration (ND-2…ND-7). Idempotent; nothing without the diagrams deployed."""

from __future__ import annotations

from domain.actors import SYSTEM
from workflows import demo, tasks
from workflows.admission import applications, rounds
from workflows.admission.demo import SAMPLE_ROUND
from workflows.context import Services
from workflows.registration import queries
from workflows.registration.queries import RegistrationFilter

from ..admission_support import deploy
from ..registration_world import deploy_registration


def _work(services: Services) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    bureau = demo.actor(services, "bureau.wang")
    mine = tasks.TaskFilter(role="bureau_officer", status=("open",))
    queue = sorted(t.bpmn_id for t in tasks.list_tasks(services, bureau, mine, limit=50).items)
    statuses = sorted(a.status for name in ("h1.officer", "h2.officer", "h3.officer")
                      for a in applications.list_applications(services, demo.actor(services, name)).items)
    doctor = demo.actor(services, "h1.dr.chen")
    registered = [(r.drug, r.status) for r in
                  queries.list_registrations(services, doctor, RegistrationFilter(), 10).items]
    return queue, statuses, registered


def test_the_samples_give_each_role_work_once(services: Services) -> None:
    deploy(services)
    deploy_registration(services)
    demo.load(services, samples=True)
    queue, statuses, registered = _work(services)
    assert queue == ["material_review", "material_review", "window"]
    assert statuses == ["draft", "material_review", "material_review"]
    assert registered == [("托法替布", "active")]
    assert [(r.name, r.stage) for r in rounds.list_rounds(services, SYSTEM)] == [(SAMPLE_ROUND, "open")]
    demo.load(services, samples=True)  # again: nothing new
    assert _work(services) == (queue, statuses, registered)
    assert len(rounds.list_rounds(services, SYSTEM)) == 1


def test_without_the_diagrams_or_the_flag_no_work_is_started(services: Services) -> None:
    demo.load(services, samples=True)  # nothing deployed: the samples are skipped, the rest is loaded
    assert rounds.list_rounds(services, SYSTEM) == []
    deploy(services)
    demo.load(services)  # without samples
    assert rounds.list_rounds(services, SYSTEM) == []
