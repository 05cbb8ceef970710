"""Make the console's screenshots in docs/screenshots/ as a new user would see them (docs/console.md, "Screenshots").

Run it with `make screenshots` (or `.venv/bin/python scripts/screenshots.py`). It builds a fresh SQLite database in a
temporary directory with the same commands as `make run` (`yibao db upgrade`, `yibao definitions deploy`,
`yibao demo load`), serves it with `yibao serve` on a free port of 127.0.0.1, and drives Debian's chromium through
Playwright at 1366x768: each demo role logs in and does a little work through the pages (a physician registers a
patient, a pharmacist dispenses, a hospital officer opens a draft), and each main page is saved as a PNG. Chinese
glyphs need a CJK font: `apt-get install fonts-noto-cjk`. Nothing outside 127.0.0.1 is contacted.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("YIBAO_CHROMIUM", "/usr/bin/chromium")
YIBAO = str(Path(sys.executable).with_name("yibao"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, deploy and load the demo data; the demo users' one-time passwords."""
    for args in (["db", "upgrade"], ["definitions", "deploy"]):
        subprocess.run([YIBAO, *args], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603 - our CLI
    out = subprocess.run([YIBAO, "demo", "load", "--samples"], env=env, cwd=ROOT, check=True,  # noqa: S603 - our CLI
                         capture_output=True, text=True)
    return dict(re.findall(r"^\s+(\S+)\s+(\S+)$", out.stdout, re.M))


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("yibao serve exited")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 - 127.0.0.1 only
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz")


class Shooter:
    def __init__(self, browser: Any, base: str, passwords: dict[str, str]) -> None:
        self.browser, self.base, self.passwords = browser, base, passwords
        self.made: list[str] = []
        self.failed: list[str] = []

    def session(self, username: str | None) -> Any:
        context = self.browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        if username:
            page.goto(f"{self.base}/console/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", self.passwords[username])
            page.click("button.primary")
            page.wait_for_url(f"{self.base}/console/")
        return page

    def shot(self, name: str, username: str | None, steps: Callable[[Any], None]) -> None:
        """Log in as ``username`` (None: a visitor), run ``steps``, save the page as docs/screenshots/<name>.png."""
        page = self.session(username)
        try:
            steps(page)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            self.made.append(name)
        except Exception as exc:  # one page failing must not hide the others; reported at the end
            self.failed.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        finally:
            page.context.close()


def register_patient(page: Any) -> None:
    page.goto(page.url.split("/console/")[0] + "/console/registrations/new")
    values = {"#r-psn_no": "52010000000000000301", "#r-insurance_region": "520100", "#r-diagnosis_code": "M05.900",
              "#r-diagnosis_name": "类风湿关节炎", "#r-diagnostic_basis": "ACR/EULAR 2010 评分 7 分",
              "#r-indication": "经传统DMARDs治疗3-6个月疾病活动度下降低于50%", "#r-dose": "5 mg",
              "#r-frequency": "每日2次", "#r-quantity_per_fill": "56"}
    page.select_option("#r-insurance_type", "employee")
    page.check("input[name=entitled][value=true]")
    page.select_option("#r-drug", "托法替布")
    for selector, value in values.items():
        page.fill(selector, value)
    page.check("#r-indication_confirmed")
    page.click("#registration-form button.primary")
    page.wait_for_url(re.compile(r"/console/registrations/[0-9a-f-]{36}$"))


def dispense(page: Any, amount: str, ref: str) -> None:
    page.goto(page.url.split("/console/")[0] + "/console/dispensings")
    for name, value in (("psn_no", "52010000000000000301"), ("drug", "托法替布"), ("physician_code", "D520102000101"),
                        ("quantity", "56"), ("amount", amount), ("external_ref", ref)):
        page.fill(f"#r-{name}", value)
    page.click("#dispensing-form button.primary")
    page.wait_for_load_state("networkidle")


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "YIBAO_DATABASE_URL": f"sqlite:///{tmp}/yibao.db", "YIBAO_PORT": str(port),
               "YIBAO_HOST": "127.0.0.1", "YIBAO_ENV": "development"}
        passwords = prepare(env)
        server = subprocess.Popen([YIBAO, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,  # noqa: S603
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                s = Shooter(browser, base, passwords)
                s.shot("01-login", None, lambda page: page.goto(f"{base}/console/login"))
                s.shot("02-catalog-search", None, lambda page: (
                    page.goto(f"{base}/console/catalog?q=支架")))
                s.shot("03-payment-calculator", None, lambda page: page.goto(
                    f"{base}/console/public/payment?code=C01010100101001&unit_price=9000.00&quantity=1&region=520102"))
                s.shot("04-physician-registration", "h1.dr.chen", register_patient)
                s.shot("05-physician-registrations", "h1.dr.chen",
                       lambda page: page.goto(f"{base}/console/registrations"))
                s.shot("06-pharmacist-dispensing", "p1.pharmacist",
                       lambda page: dispense(page, "3000.00", "POS-SHOT-1"))
                s.shot("07-pharmacist-refusal", "p2.pharmacist",
                       lambda page: dispense(page, "3000.00", "POS-SHOT-2"))
                s.shot("08-hospital-applications", "h1.officer",
                       lambda page: page.goto(f"{base}/console/admission/applications"))
                s.shot("09-bureau-queue", "bureau.wang", lambda page: page.goto(f"{base}/console/"))
                s.shot("10-admin-queues", "admin", lambda page: page.goto(f"{base}/console/admin/queues"))
                s.shot("11-admin-definitions", "admin", lambda page: page.goto(f"{base}/console/admin/definitions"))
                s.shot("12-auditor-log", "auditor.zhao", lambda page: page.goto(f"{base}/console/audit"))
                s.shot("13-instance-diagram", "h1.dr.chen", lambda page: (
                    page.goto(f"{base}/console/registrations"),
                    page.click("#registrations a >> nth=0"),
                    page.click("text=流程跟踪"),
                    page.wait_for_selector("#diagram[data-ready=true]")))
                s.shot("14-bureau-application-diagram", "bureau.wang", lambda page: (
                    page.goto(f"{base}/console/?process=consumable_application&role=bureau_officer"),
                    page.click("#queue a[href^='/console/instances/'] >> nth=0"),
                    page.wait_for_selector("#diagram[data-ready=true]")))
                s.shot("15-bureau-rounds", "bureau.wang", lambda page: (
                    page.goto(f"{base}/console/admission/rounds"),
                    page.click("a[href^='/console/admission/rounds/'] >> nth=0")))
                s.shot("16-bureau-drug-list", "bureau.wang", lambda page: page.goto(f"{base}/console/drug-list"))
                s.shot("17-bureau-payment-config", "bureau.wang",
                       lambda page: page.goto(f"{base}/console/payment-config"))
                s.shot("18-bureau-dashboard", "bureau.wang", lambda page: (
                    page.goto(f"{base}/console/dashboard"),
                    page.wait_for_selector(".chart-card canvas")))
                s.shot("19-catalog-entry", None, lambda page: page.goto(f"{base}/console/catalog/C01010100101001"))
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print("made:", ", ".join(s.made))
    if s.failed:
        print("failed:\n  " + "\n  ".join(s.failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
