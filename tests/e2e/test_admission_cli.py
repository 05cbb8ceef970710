"""`yibao definitions deploy` without arguments (what `make run` does) deploys the admission diagrams with their
forms from the folders under YIBAO_BPMN_DIR."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import main as cli

from ..admission_support import BPMN


def test_the_default_deploy_finds_the_diagrams_in_subfolders_with_their_forms(tmp_path: Path) -> None:
    env = {"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "YIBAO_ARGON2_MEMORY_KIB": "1024",
           "YIBAO_BPMN_DIR": str(BPMN.parent)}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    deployed = runner.invoke(cli, ["definitions", "deploy"], env=env)
    assert deployed.exit_code == 0, deployed.output
    assert "consumable_application v1 deployed" in deployed.output
    assert "consumable_round v1 deployed" in deployed.output
    again = runner.invoke(cli, ["definitions", "deploy"], env=env)
    assert "consumable_round v1 unchanged" in again.output
