"""A real served app (werkzeug on 127.0.0.1, a fresh migrated SQLite database with the console's test data) and
one Debian chromium per session, driven by Playwright. Without /usr/bin/chromium the tests skip, unless
YIBAO_REQUIRE_BROWSER=1 (CI), where they fail."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from storage.migrate import upgrade
from workflows.context import Services, build_services

from ..conftest import make_settings
from ..console_admission_support import AdmissionWorld, build_admission
from ..console_support import ConsoleWorld, build_console_world

CHROMIUM = os.environ.get("YIBAO_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("YIBAO_REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


@dataclass
class Served:
    base: str
    world: ConsoleWorld
    services: Services


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app served on a free port: its base URL, the test data and the services behind it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'yibao.db'}"
    upgrade(url)
    services = build_services(make_settings(url))
    world = build_console_world(services)
    server = make_server("127.0.0.1", 0, create_app(services=services), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}", world, services)
    server.shutdown()
    services.dispose()


@pytest.fixture(scope="session")
def admission(served: Served) -> AdmissionWorld:
    """A round in expert review on the served app, built once for every browser test module that asks for it (the
    served world is shared by the session, so the admission's users can be made only once)."""
    return build_admission(served.services, served.world.world)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _missing()
    if reason is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason}; YIBAO_REQUIRE_BROWSER=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context (no cookies) at 1366x768, Chinese locale."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # type: ignore[attr-defined]
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
