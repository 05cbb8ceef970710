"""Settings come from YIBAO_* variables with clear errors; the README documents every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from workflows.settings import SETTINGS, load_settings


def test_defaults_are_the_embedded_sqlite_setup() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite:///var/yibao.db"
    assert settings.port == 8000
    assert settings.allow_clock_control is False


def test_port_comes_from_yibao_port() -> None:
    assert load_settings({"YIBAO_PORT": "8765"}).port == 8765


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"YIBAO_PORT": "eighty"}, "YIBAO_PORT"),
        ({"YIBAO_ALLOW_CLOCK_CONTROL": "maybe"}, "YIBAO_ALLOW_CLOCK_CONTROL"),
        ({"YIBAO_ENV": "staging"}, "YIBAO_ENV"),
        ({"YIBAO_SCRIPT_TIMEOUT_MS": "0"}, "YIBAO_SCRIPT_TIMEOUT_MS"),
        ({"YIBAO_LOGIN_MAX_DELAY_SECONDS": "0"}, "YIBAO_LOGIN_MAX_DELAY_SECONDS"),
        ({"YIBAO_LOGIN_CLIENT_MAX_FAILURES": "many"}, "YIBAO_LOGIN_CLIENT_MAX_FAILURES"),
        ({"YIBAO_LOGIN_USER_MAX_FAILURES": "0"}, "YIBAO_LOGIN_USER_MAX_FAILURES"),
        ({"YIBAO_TRUSTED_PROXIES": "-1"}, "YIBAO_TRUSTED_PROXIES"),
        ({"YIBAO_LOGIN_LOCK_SECONDS": "300"}, "YIBAO_LOGIN_LOCK_SECONDS"),  # retired: refused, not ignored
        ({"YIBAO_METRICS_TOKEN": "short"}, "YIBAO_METRICS_TOKEN"),
    ],
)
def test_a_bad_value_names_the_variable(env: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        load_settings(env)
    assert err.value.field == field


def test_login_throttle_settings_are_read() -> None:
    settings = load_settings({"YIBAO_LOGIN_MAX_FAILURES": "3", "YIBAO_LOGIN_MAX_DELAY_SECONDS": "60",
                              "YIBAO_LOGIN_CLIENT_MAX_FAILURES": "30", "YIBAO_LOGIN_USER_MAX_FAILURES": "10",
                              "YIBAO_TRUSTED_PROXIES": "2"})
    assert (settings.login_max_failures, settings.login_max_delay_seconds, settings.login_client_max_failures,
            settings.login_user_max_failures, settings.trusted_proxies) == (3, 60, 30, 10, 2)


def test_clock_control_is_refused_in_production() -> None:
    with pytest.raises(InvalidInput) as err:
        load_settings({"YIBAO_ENV": "production", "YIBAO_ALLOW_CLOCK_CONTROL": "true", "YIBAO_SECRET_KEY": "k" * 32})
    assert err.value.field == "YIBAO_ALLOW_CLOCK_CONTROL"


def test_production_needs_its_own_secret_key() -> None:
    with pytest.raises(InvalidInput) as err:
        load_settings({"YIBAO_ENV": "production"})
    assert err.value.field == "YIBAO_SECRET_KEY"
    assert load_settings({"YIBAO_ENV": "production", "YIBAO_SECRET_KEY": "k" * 32}).secret_key == "k" * 32


def test_readme_table_lists_every_setting_with_its_default() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(YIBAO_[A-Z0-9_]+)` \| `([^`]*)` \|", readme, flags=re.M))
    assert rows == {s.name: s.default for s in SETTINGS}
