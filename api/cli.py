"""The `yibao` command: database migrations, diagram deployment, the timer worker and the server."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from domain.actors import SYSTEM
from domain.errors import YibaoError
from domain.identity import EXPERT_FIELDS, ORG_KINDS, PROFESSIONAL_TITLES, ROLES, OrganizationFacts
from workflows import definitions, identity, timers
from workflows.forms import FORMS_DIR, forms_in

from .cli_audit import audit
from .cli_calendar import calendar
from .cli_support import command_services, command_settings
from .requestlog import configure_logging


@click.group()
def main() -> None:
    """Yibao Flow (医保流程服务) administration."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the migrations to the database in YIBAO_DATABASE_URL."""
    from workflows.maintenance import migrate

    settings = command_settings()
    migrate(settings.database_url, revision)
    click.echo(f"database at revision {revision}")


@main.group("definitions")
def definitions_group() -> None:
    """Process definitions (BPMN diagrams)."""


@definitions_group.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def definitions_deploy(paths: tuple[Path, ...]) -> None:
    """Deploy .bpmn files with their forms (default: every file under YIBAO_BPMN_DIR); unchanged ones are no-ops."""
    failed = False
    with command_services() as services:
        roots = paths or (Path(services.settings.bpmn_dir),)
        files = [p for path in roots if path.exists()
                 for p in (sorted(path.rglob("*.bpmn")) if path.is_dir() else [path])]
        for file in files:
            try:
                forms = forms_in(file.parent / FORMS_DIR)
                result = definitions.deploy(services, SYSTEM, file.read_text(encoding="utf-8"), file.name, forms)
            except YibaoError as exc:  # one refused file does not stop the others
                failed = True
                element = f" [{exc.extra['element_id']}]" if exc.extra.get("element_id") else ""
                click.echo(f"{file}: refused ({exc.code}){element}: {exc.detail}", err=True)
                continue
            d = result.definition
            click.echo(f"{file}: {d.key} v{d.version} {'deployed' if result.created else 'unchanged'}")
        if not files:
            click.echo("no .bpmn files to deploy")
    if failed:
        sys.exit(1)


@definitions_group.command("list")
def definitions_list() -> None:
    """List deployed versions."""
    with command_services() as services:
        for d in definitions.list_definitions(services):
            click.echo(f"{d.key}\tv{d.version}\t{d.content_hash[:12]}\t{d.deployed_at.isoformat()}\t"
                       f"{d.filename or ''}")


@main.group("orgs")
def orgs_group() -> None:
    """Organizations."""


@orgs_group.command("create")
@click.option("--kind", required=True, type=click.Choice(ORG_KINDS))
@click.option("--code", required=True, help="H-code, P-code, or the bureau's / NHSA's own code")
@click.option("--name", required=True)
@click.option("--region", "region_code", required=True, help="6-digit administrative division")
@click.option("--tier", type=int)
@click.option("--specialized/--general", default=None)
@click.option("--cross-province/--no-cross-province", "cross_province", default=None)
@click.option("--dual-channel/--no-dual-channel", "dual_channel", default=None)
@click.option("--designated-by", multiple=True, help="H-code of a hospital that designated this pharmacy")
def orgs_create(designated_by: tuple[str, ...], **facts: Any) -> None:
    """Register an organization."""
    with command_services() as services:
        view = identity.create_organization(services, SYSTEM, OrganizationFacts(**facts), list(designated_by))
    click.echo(f"{view.kind} {view.code} created ({view.id})")


@main.group("users")
def users_group() -> None:
    """Users."""


@users_group.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_code", required=True, help="code of the user's organization")
@click.option("--name", "display_name", help="display name (default: the username)")
@click.option("--physician-code")
@click.option("--title", type=click.Choice(PROFESSIONAL_TITLES))
@click.option("--specialty")
@click.option("--expert-field", "expert_fields", multiple=True, type=click.Choice(EXPERT_FIELDS))
@click.password_option(envvar="YIBAO_NEW_PASSWORD")
def users_create(password: str, display_name: str | None, expert_fields: tuple[str, ...], **facts: str) -> None:
    """Create a user with one role in one organization (the password is asked for, or YIBAO_NEW_PASSWORD)."""
    with command_services() as services:
        view = identity.create_user(services, SYSTEM, password=password, display_name=display_name or
                                    facts["username"], expert_fields=expert_fields, **facts)
    click.echo(f"user {view.username} ({view.role} of {view.org_code}) created")


@users_group.command("set-password")
@click.option("--username", required=True)
@click.password_option(envvar="YIBAO_NEW_PASSWORD")
def users_set_password(username: str, password: str) -> None:
    """Replace a user's password."""
    with command_services() as services:
        identity.set_password(services, SYSTEM, username, password)
    click.echo(f"password of {username} replaced")


@main.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("load")
@click.option("--samples", is_flag=True, help="Also start sample work in each process (applications, a "
              "registration) so every demo role finds tasks; needs the diagrams deployed.")
def demo_load(samples: bool) -> None:
    """Load the demo organizations, users, drug list and catalog (idempotent); new passwords are printed once."""
    from workflows import demo

    with command_services() as services:
        result = demo.load(services, samples=samples)
    click.echo(f"demo data: {len(result.organizations)} organization(s) added; catalog v{result.catalog_version}, "
               f"negotiated-drug list v{result.drug_list_version}")
    if result.passwords:
        click.echo("demo users created — their passwords are shown this once (yibao users set-password resets one):")
        for username, password in result.passwords.items():
            click.echo(f"  {username:<20} {password}")
    else:
        click.echo("demo users exist already (passwords were printed when they were created)")


@main.command()
@click.option("--once", is_flag=True, help="Fire the timers due now, then exit.")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
              "%Y-%m-%d"]), help="Advance the simulated clock to this instant, firing every due timer in order.")
def worker(once: bool, until: datetime | None) -> None:
    """Fire due timers: forever, once, or up to a simulated instant."""
    with command_services() as services:
        if until is not None:
            if until.tzinfo is None:
                from domain.dates import CHINA_TZ

                until = until.replace(tzinfo=CHINA_TZ)
            fired = timers.run_until(services, until)  # timers other workers fire meanwhile count as done
            click.echo(f"clock at {until.isoformat()}; fired {len(fired)} instance(s)")
        elif once:
            fired = timers.sweep(services)
            click.echo(f"fired {len(fired)} instance(s)")
        else:
            configure_logging(services.settings.log_level)  # JSON lines, errors by class and frames only
            click.echo("timer worker running; Ctrl-C stops it")
            timers.run_forever(services, services.settings.worker_interval_seconds)


@main.command()
def serve() -> None:
    """Serve the API with gunicorn on YIBAO_HOST:YIBAO_PORT (and sweep timers in-process if embedded)."""
    from .server import serve as run_server

    run_server(command_settings())


main.add_command(audit)
main.add_command(calendar)

if __name__ == "__main__":
    main()
