"""Every YIBAO_* setting, read once from the environment, with a clear error on a bad value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.errors import InvalidInput

ENVIRONMENTS = ("development", "test", "production")
# Used only outside production, where a missing YIBAO_SECRET_KEY stops the service instead.
DEVELOPMENT_SECRET = "yibao-development-only-secret-do-not-use-in-production"  # noqa: S105 - refused in production


@dataclass(frozen=True)
class Setting:
    """One documented environment variable."""

    name: str
    default: str
    help: str


# The README's settings table is checked against this list by a test.
SETTINGS: tuple[Setting, ...] = (
    Setting("YIBAO_ENV", "development", "development, test or production; production refuses unsafe options"),
    Setting("YIBAO_DATABASE_URL", "sqlite:///var/yibao.db", "SQLAlchemy URL; postgresql+psycopg://… for PostgreSQL"),
    Setting("YIBAO_HOST", "127.0.0.1", "address `yibao serve` binds to"),
    Setting("YIBAO_PORT", "8000", "port `yibao serve` (and so `make run`) listens on"),
    Setting("YIBAO_WEB_WORKERS", "1", "gunicorn worker processes of `yibao serve`"),
    Setting("YIBAO_EMBEDDED_WORKER", "true", "`yibao serve` also sweeps due timers in-process (embedded mode)"),
    Setting("YIBAO_WORKER_INTERVAL_SECONDS", "5",
            "longest pause of an idle timer worker (it wakes sooner for a nearer deadline)"),
    Setting("YIBAO_WORKER_BATCH", "50",
            "due instances one sweep fires, ten per transaction, before the worker looks at its periodic jobs"),
    Setting("YIBAO_ALLOW_CLOCK_CONTROL", "false", "allow setting the simulated clock (development and tests only)"),
    Setting("YIBAO_SCRIPT_TIMEOUT_MS", "500", "wall-time bound of one script or expression"),
    Setting("YIBAO_SCRIPT_MAX_ITERATIONS", "1000000", "loop iterations one script may run"),
    Setting("YIBAO_SCRIPT_MAX_SEQUENCE", "100000", "longest string, list or range a script may build"),
    Setting("YIBAO_TASK_DATA_LIMIT_BYTES", "1048576", "largest task data (as JSON) a script or a form may leave"),
    Setting("YIBAO_BPMN_DIR", "bpmn", "folder `yibao definitions deploy` reads by default"),
    Setting("YIBAO_DATA_DIR", "data", "folder of the reference data files `yibao demo load` reads"),
    Setting("YIBAO_SECRET_KEY", "", "key that signs audit checkpoints; required in production (development: a fixed "
            "development key)"),
    Setting("YIBAO_TOKEN_TTL_MINUTES", "480", "lifetime of a bearer token from login (and of a console session)"),
    Setting("YIBAO_SESSION_COOKIE_SECURE", "false", "send the console's session cookie over HTTPS only (set it "
            "behind TLS)"),
    Setting("YIBAO_LOGIN_MAX_FAILURES", "5", "failed logins of one username from one client address before each "
            "further one makes that address wait (1 s, 2 s, 4 s …)"),
    Setting("YIBAO_LOGIN_MAX_DELAY_SECONDS", "900", "longest wait a failing client address is given"),
    Setting("YIBAO_LOGIN_CLIENT_MAX_FAILURES", "50", "failed logins from one client address, any username, before "
            "that address waits for every username"),
    Setting("YIBAO_LOGIN_USER_MAX_FAILURES", "20", "failed logins of one username, any address, before every address "
            "that failed on it waits (an address that did not fail still gets in)"),
    Setting("YIBAO_TRUSTED_PROXIES", "0", "reverse proxies in front of the service whose X-Forwarded-For names the "
            "client address (0: the connection's peer is the client)"),
    Setting("YIBAO_METRICS_TOKEN", "", "bearer token a Prometheus scraper sends to /metrics (at least 32 characters; "
            "empty: administrators' tokens only)"),
    Setting("YIBAO_ARGON2_TIME_COST", "3", "argon2 passes per password hash"),
    Setting("YIBAO_ARGON2_MEMORY_KIB", "65536", "argon2 memory per password hash, in KiB"),
    Setting("YIBAO_LOG_LEVEL", "INFO", "log level of the JSON request log"),
    Setting("YIBAO_ADMISSION_DOCUMENT_MAX_BYTES", "3145728", "largest document of a consumable application (DA-2); "
            "requests are also capped at 4 MiB"),
    Setting("YIBAO_ADMISSION_NOTICE_WORKING_DAYS", "5", "length of an adjustment round's public notice in working "
            "days (SV-1), taken when the round opens"),
)
_DEFAULTS = {s.name: s.default for s in SETTINGS}
# Variables that no longer mean anything: refused by name, so an operator does not believe they still apply.
RETIRED = {
    "YIBAO_LOGIN_LOCK_SECONDS": "failed logins no longer lock a username; see YIBAO_LOGIN_MAX_DELAY_SECONDS",
}
MIN_METRICS_TOKEN = 32

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, _DEFAULTS[name]).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InvalidInput(f"{name} must be true or false, got {raw!r}", code="bad_setting", field=name)


def _refuse_retired(env: Mapping[str, str]) -> None:
    for name, instead in RETIRED.items():
        if name in env:
            raise InvalidInput(f"{name} is no longer read: {instead}", code="bad_setting", field=name)


def _int(env: Mapping[str, str], name: str, minimum: int = 1) -> int:
    raw = env.get(name, _DEFAULTS[name]).strip()
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw!r}", code="bad_setting", field=name) from None
    if value < minimum:
        raise InvalidInput(f"{name} must be at least {minimum}, got {value}", code="bad_setting", field=name)
    return value


@dataclass(frozen=True)
class Settings:
    """The service's configuration; build with :func:`load_settings`."""

    env: str = "development"
    database_url: str = "sqlite:///var/yibao.db"
    host: str = "127.0.0.1"
    port: int = 8000
    web_workers: int = 1
    embedded_worker: bool = True
    worker_interval_seconds: int = 5
    worker_batch: int = 50
    allow_clock_control: bool = False
    script_timeout_ms: int = 500
    script_max_iterations: int = 1_000_000
    script_max_sequence: int = 100_000
    task_data_limit_bytes: int = 1_048_576
    bpmn_dir: str = "bpmn"
    data_dir: str = "data"
    secret_key: str = DEVELOPMENT_SECRET
    token_ttl_minutes: int = 480
    session_cookie_secure: bool = False
    login_max_failures: int = 5
    login_max_delay_seconds: int = 900
    login_client_max_failures: int = 50
    login_user_max_failures: int = 20
    trusted_proxies: int = 0
    metrics_token: str = ""
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    log_level: str = "INFO"
    admission_document_max_bytes: int = 3_145_728
    admission_notice_working_days: int = 5
    extra: dict[str, str] = field(default_factory=dict)


def load_settings(environ: Mapping[str, str] | None = None, /, **overrides: object) -> Settings:
    """Read the YIBAO_* variables (or ``environ``), apply ``overrides`` and check the combination."""
    env = os.environ if environ is None else environ
    _refuse_retired(env)
    name = env.get("YIBAO_ENV", _DEFAULTS["YIBAO_ENV"]).strip()
    if name not in ENVIRONMENTS:
        raise InvalidInput(f"YIBAO_ENV must be one of {', '.join(ENVIRONMENTS)}", code="bad_setting", field="YIBAO_ENV")
    values: dict[str, object] = {
        "env": name,
        "database_url": env.get("YIBAO_DATABASE_URL", _DEFAULTS["YIBAO_DATABASE_URL"]),
        "host": env.get("YIBAO_HOST", _DEFAULTS["YIBAO_HOST"]),
        "port": _int(env, "YIBAO_PORT"),
        "web_workers": _int(env, "YIBAO_WEB_WORKERS"),
        "embedded_worker": _flag(env, "YIBAO_EMBEDDED_WORKER"),
        "worker_interval_seconds": _int(env, "YIBAO_WORKER_INTERVAL_SECONDS"),
        "worker_batch": _int(env, "YIBAO_WORKER_BATCH"),
        "allow_clock_control": _flag(env, "YIBAO_ALLOW_CLOCK_CONTROL"),
        "script_timeout_ms": _int(env, "YIBAO_SCRIPT_TIMEOUT_MS"),
        "script_max_iterations": _int(env, "YIBAO_SCRIPT_MAX_ITERATIONS"),
        "script_max_sequence": _int(env, "YIBAO_SCRIPT_MAX_SEQUENCE"),
        "task_data_limit_bytes": _int(env, "YIBAO_TASK_DATA_LIMIT_BYTES", minimum=1024),
        "bpmn_dir": env.get("YIBAO_BPMN_DIR", _DEFAULTS["YIBAO_BPMN_DIR"]),
        "data_dir": env.get("YIBAO_DATA_DIR", _DEFAULTS["YIBAO_DATA_DIR"]),
        "secret_key": env.get("YIBAO_SECRET_KEY", "") or DEVELOPMENT_SECRET,
        "token_ttl_minutes": _int(env, "YIBAO_TOKEN_TTL_MINUTES"),
        "session_cookie_secure": _flag(env, "YIBAO_SESSION_COOKIE_SECURE"),
        "login_max_failures": _int(env, "YIBAO_LOGIN_MAX_FAILURES"),
        "login_max_delay_seconds": _int(env, "YIBAO_LOGIN_MAX_DELAY_SECONDS"),
        "login_client_max_failures": _int(env, "YIBAO_LOGIN_CLIENT_MAX_FAILURES"),
        "login_user_max_failures": _int(env, "YIBAO_LOGIN_USER_MAX_FAILURES"),
        "trusted_proxies": _int(env, "YIBAO_TRUSTED_PROXIES", minimum=0),
        "metrics_token": env.get("YIBAO_METRICS_TOKEN", "").strip(),
        "argon2_time_cost": _int(env, "YIBAO_ARGON2_TIME_COST"),
        "argon2_memory_kib": _int(env, "YIBAO_ARGON2_MEMORY_KIB", minimum=8),
        "log_level": env.get("YIBAO_LOG_LEVEL", _DEFAULTS["YIBAO_LOG_LEVEL"]).upper(),
        "admission_document_max_bytes": _int(env, "YIBAO_ADMISSION_DOCUMENT_MAX_BYTES"),
        "admission_notice_working_days": _int(env, "YIBAO_ADMISSION_NOTICE_WORKING_DAYS"),
    }
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.metrics_token and len(settings.metrics_token) < MIN_METRICS_TOKEN:
        raise InvalidInput(f"YIBAO_METRICS_TOKEN needs at least {MIN_METRICS_TOKEN} characters", code="bad_setting",
                           field="YIBAO_METRICS_TOKEN")
    if settings.env == "production" and settings.secret_key == DEVELOPMENT_SECRET:
        raise InvalidInput("YIBAO_SECRET_KEY must be set in production", code="bad_setting", field="YIBAO_SECRET_KEY")
    if settings.env == "production" and settings.allow_clock_control:
        raise InvalidInput(
            "YIBAO_ALLOW_CLOCK_CONTROL cannot be on in production", code="bad_setting",
            field="YIBAO_ALLOW_CLOCK_CONTROL",
        )
    return settings
