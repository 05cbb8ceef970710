"""The `yibao` command and a real server process: what `make run` does, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main as cli

from ..bpmn import diagrams
from ..conftest import DIAGRAMS
from ..factories import PASSWORD

YIBAO = str(Path(sys.executable).with_name("yibao"))


def test_cli_migrates_deploys_lists_and_refuses_unsafe_files(tmp_path: Path) -> None:
    env = {"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "YIBAO_ARGON2_MEMORY_KIB": "1024"}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    deployed = runner.invoke(cli, ["definitions", "deploy", str(DIAGRAMS / "foundation.bpmn")], env=env)
    assert deployed.exit_code == 0 and "foundation_demo v1 deployed" in deployed.output
    again = runner.invoke(cli, ["definitions", "deploy", str(DIAGRAMS / "foundation.bpmn")], env=env)
    assert "foundation_demo v1 unchanged" in again.output
    bad = tmp_path / "bad.bpmn"
    bad.write_text(diagrams.script_task("import os", "calc"), encoding="utf-8")
    refused = runner.invoke(cli, ["definitions", "deploy", str(bad)], env=env)
    assert refused.exit_code == 1 and "unsafe_script" in refused.output and "[calc]" in refused.output
    listed = runner.invoke(cli, ["definitions", "list"], env=env)
    assert listed.output.count("foundation_demo") == 1
    locked = runner.invoke(cli, ["worker", "--until", "2027-01-01"], env={**env, "YIBAO_ALLOW_CLOCK_CONTROL": "0"})
    assert locked.exit_code != 0 and "YIBAO_ALLOW_CLOCK_CONTROL" in locked.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
            return response.status, json.loads(raw) if "json" in response.headers.get("Content-Type", "") else raw
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _prepared(tmp_path: Path) -> dict[str, str]:
    """The environment of a migrated SQLite database with the bureau and an administrator."""
    env = {**os.environ, "YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}", "YIBAO_ARGON2_MEMORY_KIB": "1024",
           "YIBAO_WORKER_INTERVAL_SECONDS": "1", "YIBAO_EMBEDDED_WORKER": "true"}
    subprocess.run([YIBAO, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([YIBAO, "orgs", "create", "--kind", "bureau", "--code", "BUREAU-520000",
                    "--name", "贵州省医疗保障局", "--region", "520000"],
                   env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([YIBAO, "users", "create", "--username", "admin", "--role", "admin", "--org", "BUREAU-520000"],
                   env={**env, "YIBAO_NEW_PASSWORD": PASSWORD}, check=True, capture_output=True, timeout=60)
    return env


@contextmanager
def _serving(env: dict[str, str]) -> Iterator[str]:
    """`yibao serve` on a free port of 127.0.0.1 until the block ends; its base URL."""
    port = _free_port()
    process = subprocess.Popen([YIBAO, "serve"], env={**env, "YIBAO_PORT": str(port)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _http("GET", base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer /healthz")
        yield base
    finally:
        process.terminate()
        process.wait(10)
        assert process.stderr is not None
        process.stderr.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with _serving(_prepared(tmp_path)) as base:
        yield base


def test_two_servers_on_one_machine_both_serve_and_share_no_control_socket(tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"  # where gunicorn would put its control socket (XDG_RUNTIME_DIR)
    runtime.mkdir()
    env = {**_prepared(tmp_path), "XDG_RUNTIME_DIR": str(runtime), "YIBAO_EMBEDDED_WORKER": "false"}
    with _serving(env) as first, _serving(env) as second:
        assert _http("GET", first + "/readyz")[0] == 200 and _http("GET", second + "/readyz")[0] == 200
        assert list(runtime.iterdir()) == []


def test_served_api_answers_and_the_embedded_worker_fires_timers(server: str) -> None:
    assert _http("GET", server + "/readyz") == (200, {"status": "ready", "database": "ok"})
    status, spec = _http("GET", server + "/openapi.json")
    assert status == 200 and "/process-instances" in spec["paths"]
    assert _http("GET", server + "/docs")[0] == 200
    assert _http("GET", server + "/process-instances")[0] == 401
    # A URL above gunicorn's default request-line limit (4094) is answered by the service, in problem+json.
    status, problem = _http("GET", server + "/catalog/entries?q=" + "a" * 6000)
    assert (status, problem["code"]) == (414, "uri_too_long")
    status, session = _http("POST", server + "/sessions", {"username": "admin", "password": PASSWORD})
    assert status == 201
    token = session["token"]
    status, _ = _http("POST", server + "/process-definitions", {"bpmn": diagrams.timer("due_at")}, token)
    assert status == 201
    due = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    status, started = _http("POST", server + "/process-instances", {"definition_key": "tiny", "data": {"due_at": due}},
                            token)
    assert status == 201 and started["status"] == "waiting"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _http("GET", f"{server}/process-instances/{started['id']}", token=token)[1]["status"] == "completed":
            break
        time.sleep(0.3)
    else:
        pytest.fail("the embedded worker did not fire the timer")


@pytest.mark.parametrize(("variable", "value"), [("YIBAO_PORT", "abc"), ("YIBAO_WEB_WORKERS", "0"),
                                                 ("YIBAO_LOGIN_LOCK_SECONDS", "300")])
def test_serve_with_a_bad_setting_prints_one_line_and_exits_1(tmp_path: Path, variable: str, value: str) -> None:
    env = {**os.environ, "YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'bad.db'}", variable: value}
    done = subprocess.run([YIBAO, "serve"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr
    assert variable in done.stderr and "Traceback" not in done.stderr


def test_db_upgrade_with_a_bad_setting_prints_one_line(tmp_path: Path) -> None:
    env = {"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'bad.db'}", "YIBAO_ENV": "staging"}
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "YIBAO_ENV" in result.output
