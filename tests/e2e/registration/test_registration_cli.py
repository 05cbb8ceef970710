"""What `make run` does for the registration: `yibao definitions deploy` finds bpmn/registration/, `yibao demo load`
adds its demo data through the slice seam, `yibao worker --until` fires its timers in order (ND-1, ND-8, ND-15)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import main as cli
from domain.actors import Actor
from workflows.context import Services, build_services
from workflows.registration import payment, register
from workflows.registration.queries import get_registration
from workflows.registration.register import RegistrationInput

from ...conftest import make_settings
from ...registration_world import DRUG, ROOT, patient, record


def test_nd8_nd15_the_cli_deploys_the_registration_loads_its_demo_data_and_fires_its_timers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"YIBAO_DATABASE_URL": url, "YIBAO_ARGON2_MEMORY_KIB": "1024", "YIBAO_ARGON2_TIME_COST": "1",
           "YIBAO_BPMN_DIR": str(ROOT / "bpmn"), "YIBAO_DATA_DIR": str(ROOT / "data"),
           "YIBAO_ALLOW_CLOCK_CONTROL": "1"}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    deployed = runner.invoke(cli, ["definitions", "deploy"], env=env)
    assert deployed.exit_code == 0 and "drug_registration v1 deployed" in deployed.output, deployed.output
    loaded = runner.invoke(cli, ["demo", "load"], env=env)
    assert loaded.exit_code == 0, loaded.output
    services = build_services(make_settings(url))
    try:
        assert payment.get_payment_config(services).version == 1  # ND-15: the demo configuration
        assert runner.invoke(cli, ["demo", "load"], env=env).exit_code == 0
        assert payment.get_payment_config(services).version == 1  # loaded once
        assert runner.invoke(cli, ["worker", "--until", "2026-08-31T09:00:00+08:00"], env=env).exit_code == 0
        doctor = _actor(services, "h1.dr.chen")
        made = register.register(services, doctor, RegistrationInput(patient(), DRUG, record()))
        fired = runner.invoke(cli, ["worker", "--until", "2027-02-28T00:00:01+08:00"], env=env)
        assert fired.exit_code == 0 and "fired 2 instance(s)" in fired.output, fired.output  # reminder, then due
        assert get_registration(services, doctor, made.id).status == "suspended"  # ND-8
    finally:
        services.dispose()


def _actor(services: Services, username: str) -> Actor:
    with services.uow(read_only=True) as uow:
        user = uow.identity.user_by_name(username)
        assert user is not None
        return Actor(user.id, user.org_id, frozenset({user.role}), username)
